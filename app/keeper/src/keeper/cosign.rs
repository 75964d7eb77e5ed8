//! The keeper's side of SPEC §6's independent co-signers: for each report
//! it names as many co-signers as the quorum needs beyond its own oracle
//! key, asks them in parallel (`POST /v1/sign`, each with a timeout well
//! inside the blockhash's life) and sends once they all signed.
//!
//! - A co-signer that is down, slow or answers nonsense is set aside for a
//!   while (5 s, doubling to 2 min) and the others are named instead, if
//!   enough of them remain.
//! - A fact a co-signer refuses (not in its feed yet, or different there)
//!   is not asked of that co-signer again for a while (10 s, doubling to
//!   5 min): another co-signer is named for it if one remains; else it
//!   waits. It is never dropped.
//! - Everything is counted per co-signer (by its key) and reason, and the
//!   age of the oldest fact waiting on co-signers is a gauge an alert fires on.
use super::metrics::Shared;
use crate::bot::CoSigners;
use crate::cosigner::check::Reason;
use anyhow::{anyhow, Context as _, Result};
use base64::Engine;
use pictor_vip_sdk::program::instruction::SubmitReport;
use pictor_vip_sdk::transport::{SendError, Signature};
use pictor_vip_sdk::{pda, Pubkey};
use serde::Deserialize;
use solana_transaction::Transaction;
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long the keeper waits for a co-signer's answer: well inside a
/// blockhash's life (about 60 s).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How the keeper reaches a co-signer.
pub trait Channel: Send + Sync {
    /// Where it is, for the log (no secret in it).
    fn name(&self) -> String;
    /// Its key (`GET /v1/key`).
    fn key(&self) -> Result<Pubkey>;
    /// Its answer to a sign request (`POST /v1/sign`, the JSON body given).
    fn sign(&self, body: &str) -> Answer;
}

/// A co-signer over HTTP.
pub struct Http {
    url: String,
    client: reqwest::blocking::Client,
}

impl Http {
    /// The co-signer at `url`, asked with `timeout`.
    pub fn new(url: &str, timeout: Duration) -> Result<Self> {
        let client = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(3)))
            .build()
            .context("an HTTP client")?;
        Ok(Http { url: url.trim_end_matches('/').to_string(), client })
    }
}

impl Channel for Http {
    fn name(&self) -> String {
        crate::redact::url(&self.url)
    }

    fn key(&self) -> Result<Pubkey> {
        let answer = self
            .client
            .get(format!("{}/v1/key", self.url))
            .timeout(Duration::from_secs(2))
            .send()
            .and_then(|r| r.error_for_status())
            .and_then(|r| r.json::<KeyAnswer>())
            .map_err(|e| anyhow!("no answer to GET /v1/key: {e}"))?;
        Pubkey::from_str(&answer.pubkey).map_err(|e| anyhow!("its key: {e}"))
    }

    fn sign(&self, body: &str) -> Answer {
        let response = match self
            .client
            .post(format!("{}/v1/sign", self.url))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
        {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Answer::Failed("timeout", e.to_string()),
            Err(e) => return Answer::Failed("unreachable", e.to_string()),
        };
        let status = response.status().as_u16();
        answer(status, &response.text().unwrap_or_default())
    }
}

/// A co-signer service in this process, reached without HTTP (tests, and
/// what the HTTP route does, the same judgement).
pub struct Local(pub Arc<crate::cosigner::Service>);

impl Channel for Local {
    fn name(&self) -> String {
        format!("in-process co-signer {}", self.0.pubkey())
    }

    fn key(&self) -> Result<Pubkey> {
        Ok(self.0.pubkey())
    }

    fn sign(&self, body: &str) -> Answer {
        let (status, text) = crate::cosigner::answer(&self.0, body.as_bytes());
        answer(status, &text)
    }
}

/// A sign request's answer from its status and body.
pub fn answer(status: u16, text: &str) -> Answer {
    if (200..300).contains(&status) {
        let parsed = serde_json::from_str::<SignAnswer>(text).ok().and_then(|a| Signature::from_str(&a.signature).ok());
        return match parsed {
            Some(signature) => Answer::Signed(signature),
            None => Answer::Failed("bad_answer", format!("not a signature: {text}")),
        };
    }
    if status == 422 {
        if let Ok(a) = serde_json::from_str::<RefusedAnswer>(text) {
            return Answer::Refused(a.refused);
        }
    }
    Answer::Failed("bad_answer", format!("HTTP {status}: {text}"))
}

/// One co-signer.
struct Member {
    channel: Box<dyn Channel>,
    /// Its key, once it told it (`GET /v1/key`).
    key: Option<Pubkey>,
    /// When to ask for its key again, while unknown.
    next_key_try: Instant,
    /// Set aside until then (down, slow, or answering nonsense).
    aside_until: Option<Instant>,
    backoff: Duration,
}

/// A fact a co-signer refused: not asked of it again before `until`.
struct Refusal {
    until: Instant,
    backoff: Duration,
}

/// The co-signers, as the bot sees them ([`CoSigners`]).
pub struct Cosigners {
    members: Vec<Member>,
    shared: Arc<Shared>,
    /// The keeper's own oracle keys that count towards the quorum.
    own: usize,
    /// (wallet, seq, co-signer) → when it may be asked again.
    refused: HashMap<(Pubkey, u64, Pubkey), Refusal>,
    /// Facts waiting on co-signers, since when.
    waiting: HashMap<(Pubkey, u64), Instant>,
    /// How long a co-signer that refused a fact is not asked for it again (then doubling, to 30 times it).
    refusal_backoff: Duration,
}

#[derive(Deserialize)]
struct KeyAnswer {
    pubkey: String,
}

#[derive(Deserialize)]
struct SignAnswer {
    signature: String,
}

#[derive(Deserialize)]
struct RefusedAnswer {
    refused: Vec<RefusedInstruction>,
}

/// One refused instruction, as a co-signer says it.
#[derive(Deserialize)]
pub struct RefusedInstruction {
    instruction: usize,
    reason: Reason,
}

/// What one co-signer answered.
pub enum Answer {
    /// Its signature.
    Signed(Signature),
    /// The instructions it refused.
    Refused(Vec<RefusedInstruction>),
    /// No usable answer: its kind (`timeout`, `unreachable`, `bad_answer`) and what happened.
    Failed(&'static str, String),
}

impl Cosigners {
    /// The co-signers at `urls` (over HTTP), with `own` oracle keys of the
    /// keeper counting towards the quorum.
    pub fn new(urls: &[String], own: usize, timeout: Duration, shared: Arc<Shared>) -> Result<Self> {
        let channels = urls
            .iter()
            .map(|url| Http::new(url, timeout).map(|h| Box::new(h) as Box<dyn Channel>))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self::over(channels, own, shared))
    }

    /// The co-signers reached through `channels`. Each is asked for its key
    /// now and, while it does not answer, again every 10 s: one down at
    /// start only waits.
    pub fn over(channels: Vec<Box<dyn Channel>>, own: usize, shared: Arc<Shared>) -> Self {
        let now = Instant::now();
        let members = channels
            .into_iter()
            .map(|channel| Member {
                channel,
                key: None,
                next_key_try: now,
                aside_until: None,
                backoff: Duration::from_secs(5),
            })
            .collect();
        let mut c = Cosigners {
            members,
            shared,
            own,
            refused: HashMap::new(),
            waiting: HashMap::new(),
            refusal_backoff: Duration::from_secs(10),
        };
        c.discover();
        c
    }

    /// Asks the co-signers whose key is unknown for it (each at most every 10 s).
    fn discover(&mut self) {
        let now = Instant::now();
        for i in 0..self.members.len() {
            let m = &self.members[i];
            if m.key.is_some() || m.next_key_try > now {
                continue;
            }
            let shown = m.channel.name();
            match m.channel.key() {
                Ok(key) if self.members.iter().any(|o| o.key == Some(key)) => {
                    tracing::error!("--cosigner {shown}: its key {key} is another co-signer's too: not used");
                    self.members[i].next_key_try = now + Duration::from_secs(3_600);
                }
                Ok(key) => {
                    tracing::info!("co-signer {key} at {shown}");
                    self.members[i].key = Some(key);
                    self.shared.metrics.cosigner(&key.to_string());
                }
                Err(e) => {
                    tracing::warn!("co-signer at {shown}: {e:#}; asked again in 10 s");
                    self.members[i].next_key_try = now + Duration::from_secs(10);
                }
            }
        }
    }

    /// Sets how long a co-signer that refused a fact is not asked for it
    /// again (10 s by default; doubling with every refusal, to 30 times it).
    pub fn refusal_backoff(mut self, first: Duration) -> Self {
        self.refusal_backoff = first;
        self
    }

    /// The co-signers' keys known so far.
    pub fn keys(&self) -> Vec<Pubkey> {
        self.members.iter().filter_map(|m| m.key).collect()
    }

    fn publish_waiting(&self) {
        let m = &self.shared.metrics;
        m.cosign_waiting.set(self.waiting.len() as i64);
        let oldest = self.waiting.values().map(|since| since.elapsed().as_secs()).max().unwrap_or(0);
        m.cosign_oldest_wait_seconds.set(oldest as i64);
    }
}

/// The (wallet, seq) of each instruction of `tx` that is a report.
fn reports_of(tx: &Transaction) -> Vec<Option<(Pubkey, u64)>> {
    use anchor_lang::{AnchorDeserialize, Discriminator};
    let keys = &tx.message.account_keys;
    tx.message
        .instructions
        .iter()
        .map(|ix| {
            if keys.get(usize::from(ix.program_id_index)) != Some(&pda::program_id()) {
                return None;
            }
            let mut data = ix.data.strip_prefix(SubmitReport::DISCRIMINATOR)?;
            SubmitReport::deserialize(&mut data).ok().map(|r| (r.wallet, r.seq))
        })
        .collect()
}

impl CoSigners for Cosigners {
    fn plan(&mut self, wallet: &Pubkey, seq: u64) -> Option<Vec<Pubkey>> {
        let quorum = usize::from(self.shared.oracle_quorum.load(Ordering::SeqCst));
        let need = quorum.saturating_sub(self.own);
        if need == 0 {
            return Some(Vec::new());
        }
        self.discover();
        let now = Instant::now();
        let chosen: Vec<Pubkey> = self
            .members
            .iter()
            .filter(|m| m.aside_until.is_none_or(|t| t <= now))
            .filter_map(|m| m.key)
            .filter(|key| self.refused.get(&(*wallet, seq, *key)).is_none_or(|r| r.until <= now))
            .take(need)
            .collect();
        if chosen.len() < need {
            self.waiting.entry((*wallet, seq)).or_insert(now);
            self.publish_waiting();
            return None;
        }
        Some(chosen)
    }

    fn sign(&mut self, tx: &Transaction) -> Result<Vec<(Pubkey, Signature)>, SendError> {
        let message = tx.message.serialize();
        let bytes = bincode::serialize(tx).map_err(|e| SendError::Transaction(format!("serialising: {e}")))?;
        let body =
            serde_json::json!({ "transaction": base64::engine::general_purpose::STANDARD.encode(bytes) }).to_string();
        let required = usize::from(tx.message.header.num_required_signatures);
        let named: Vec<usize> = (0..self.members.len())
            .filter(|&i| self.members[i].key.is_some_and(|k| tx.message.account_keys[..required].contains(&k)))
            .collect();
        let started = Instant::now();
        let answers: Vec<Answer> = std::thread::scope(|scope| {
            let asks: Vec<_> = named
                .iter()
                .map(|&i| {
                    let (me, body) = (&*self, &body);
                    scope.spawn(move || me.members[i].channel.sign(body))
                })
                .collect();
            asks.into_iter()
                .map(|h| h.join().unwrap_or(Answer::Failed("bad_answer", "the asking thread panicked".into())))
                .collect()
        });
        self.shared.metrics.cosign_seconds.observe(started.elapsed().as_secs_f64());
        let reports = reports_of(tx);
        let now = Instant::now();
        let mut signatures = Vec::new();
        let mut refused: Vec<(usize, String)> = Vec::new();
        let mut failures = Vec::new();
        for (&i, answer) in named.iter().zip(answers) {
            let key = self.members[i].key.expect("a named co-signer's key is known");
            let label = key.to_string();
            match answer {
                Answer::Signed(signature) if signature.verify(key.as_ref(), &message) => {
                    self.shared.metrics.cosign_requests.with_label_values(&[&label, "signed"]).inc();
                    let m = &mut self.members[i];
                    (m.aside_until, m.backoff) = (None, Duration::from_secs(5));
                    signatures.push((key, signature));
                }
                Answer::Signed(_) => {
                    self.shared.metrics.cosign_requests.with_label_values(&[&label, "bad_answer"]).inc();
                    failures.push(format!("{key}: a signature that does not verify"));
                    let m = &mut self.members[i];
                    m.aside_until = Some(now + m.backoff);
                    m.backoff = (m.backoff * 2).min(Duration::from_secs(120));
                }
                Answer::Refused(list) => {
                    self.shared.metrics.cosign_requests.with_label_values(&[&label, "refused"]).inc();
                    for r in list {
                        self.shared.metrics.cosign_refusals.with_label_values(&[&label, r.reason.as_str()]).inc();
                        if let Some(Some((wallet, seq))) = reports.get(r.instruction) {
                            let entry = self
                                .refused
                                .entry((*wallet, *seq, key))
                                .or_insert(Refusal { until: now, backoff: self.refusal_backoff });
                            entry.until = now + entry.backoff;
                            entry.backoff = (entry.backoff * 2).min(self.refusal_backoff * 30);
                            self.waiting.entry((*wallet, *seq)).or_insert(now);
                        }
                        let why = format!("{key}: {} ({})", r.reason.as_str(), crate::cosigner::explain(r.reason));
                        refused.push((r.instruction, why));
                    }
                }
                Answer::Failed(kind, detail) => {
                    self.shared.metrics.cosign_requests.with_label_values(&[&label, kind]).inc();
                    let m = &mut self.members[i];
                    m.aside_until = Some(now + m.backoff);
                    tracing::warn!(
                        "co-signer {key} at {}: {kind}: {detail}; set aside for {} s",
                        m.channel.name(),
                        m.backoff.as_secs()
                    );
                    m.backoff = (m.backoff * 2).min(Duration::from_secs(120));
                    failures.push(format!("{key}: {kind}"));
                }
            }
        }
        if refused.is_empty() && failures.is_empty() && signatures.len() == named.len() {
            for (wallet, seq) in reports.into_iter().flatten() {
                self.waiting.remove(&(wallet, seq));
                self.refused.retain(|(w, s, _), _| (*w, *s) != (wallet, seq));
            }
            self.publish_waiting();
            return Ok(signatures);
        }
        if refused.is_empty() {
            for (wallet, seq) in reports.into_iter().flatten() {
                self.waiting.entry((wallet, seq)).or_insert(now);
            }
        }
        self.publish_waiting();
        let mut detail = refused.iter().map(|(i, why)| format!("instruction {i}: {why}")).collect::<Vec<_>>();
        detail.extend(failures);
        Err(SendError::CoSign { refused, detail: detail.join("; ") })
    }
}

#[cfg(test)]
mod tests;
