//! Sponsored claims (SPEC §11): with `serve --sponsor-keypair`, the server
//! pays the fee and the rent of a claim, so that a creator who pays in USDT
//! and holds no SOL can claim. The sponsor signs as fee payer **only a claim
//! transaction this server built** (in the Action's POST, never one a client
//! sends), for a wallet that is eligible now (the SDK's checks, then the
//! node's simulation of the very transaction before it signs), at most once
//! per (wallet, role), within a daily limit. The pass's rent is recorded as
//! the sponsor's, and comes back to it when the pass is closed (SPEC §3).
//!
//! What it sponsored is kept in `STATE_DIR/sponsor-KEY.jsonl` (one line per
//! sponsorship: wallet, role, UTC day, the transaction's signature and the
//! last block height it can land at), flushed to disk before the signed
//! transaction leaves, and locked while the server runs. A sponsorship that
//! expired without landing may be issued again (it never landed, so it
//! does not count twice); one that landed, succeeded or failed, is the
//! wallet's one.
use crate::{AppState, Failure};
use anyhow::{Context, Result};
use axum::http::StatusCode;
use base64::Engine;
use pictor_vip_sdk::state::Role;
use pictor_vip_sdk::{Keypair, Pubkey, Signer};
use serde::{Deserialize, Serialize};
use solana_transaction::Transaction;
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;

/// The default `--sponsor-daily-limit`.
pub const DEFAULT_DAILY_LIMIT: u32 = 100;

/// What `serve` is given for sponsoring.
pub struct SponsorOptions {
    /// The sponsor's key (pays fees and rent).
    pub keypair: Keypair,
    /// New sponsorships per UTC day.
    pub daily_limit: u32,
    /// Where the ledger is kept (`None`: in memory; a restart forgets).
    pub state_dir: Option<PathBuf>,
}

/// One sponsorship, as the ledger keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    wallet: String,
    role: String,
    /// UTC day index of the sponsorship.
    day: i64,
    /// The transaction's signature (the sponsor's: it is the fee payer).
    signature: String,
    /// The last block height it can land at.
    last_valid_block_height: u64,
    /// The signed transaction (bincode, base64): asked again while it can
    /// still land, the same one is handed back, never a second.
    #[serde(default)]
    transaction: Option<String>,
}

struct Ledger {
    file: Option<File>,
    _lock: Option<File>,
    latest: HashMap<(Pubkey, Role), Line>,
    /// New sponsorships per UTC day.
    per_day: HashMap<i64, u32>,
}

/// The sponsor.
pub struct Sponsor {
    key: Keypair,
    daily_limit: u32,
    ledger: Mutex<Ledger>,
}

/// The sponsor signed the transaction.
pub enum Sponsored {
    /// A new sponsorship.
    New,
    /// The one issued earlier for this (wallet, role), which can still land:
    /// the transaction was replaced by it.
    Again,
}

/// Why the sponsor did not sign.
#[derive(Debug)]
pub(crate) enum SponsorRefusal {
    /// A sponsored claim of this wallet was issued and can still land.
    Pending,
    /// This wallet's claim of this role was sponsored once already.
    AlreadySponsored,
    /// The day's sponsored claims are used up.
    DailyLimit(u32),
    /// The node's simulation of the transaction fails (the program's reason).
    Simulation(String),
    /// The ledger could not be written: nothing is signed.
    Ledger(String),
    /// The cluster did not answer.
    Cluster(Failure),
}

impl SponsorRefusal {
    /// Its metrics label.
    pub fn code(&self) -> &'static str {
        match self {
            SponsorRefusal::Pending => "sponsorship_pending",
            SponsorRefusal::AlreadySponsored => "already_sponsored",
            SponsorRefusal::DailyLimit(_) => "daily_limit",
            SponsorRefusal::Simulation(_) => "simulation_failed",
            SponsorRefusal::Ledger(_) => "ledger_unwritable",
            SponsorRefusal::Cluster(_) => "cluster_down",
        }
    }

    /// Every label, for metrics created at zero.
    pub const CODES: [&'static str; 6] = [
        "sponsorship_pending",
        "already_sponsored",
        "daily_limit",
        "simulation_failed",
        "ledger_unwritable",
        "cluster_down",
    ];

    /// Its HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            SponsorRefusal::Pending | SponsorRefusal::AlreadySponsored => StatusCode::CONFLICT,
            SponsorRefusal::DailyLimit(_) => StatusCode::TOO_MANY_REQUESTS,
            SponsorRefusal::Simulation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            SponsorRefusal::Ledger(_) | SponsorRefusal::Cluster(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl std::fmt::Display for SponsorRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SponsorRefusal::Pending => write!(
                f,
                "A sponsored claim for this wallet is already waiting for its signature: sign that one, or ask \
                 again in about a minute, once it has expired."
            ),
            SponsorRefusal::AlreadySponsored => write!(
                f,
                "Pictor has already paid for this wallet's claim once: claim with your own SOL for the fee \
                 (choose “my wallet pays the fee”)."
            ),
            SponsorRefusal::DailyLimit(n) => write!(
                f,
                "Today's {n} claims paid by Pictor are used up: try again after 00:00 UTC, or claim with your own \
                 SOL for the fee."
            ),
            SponsorRefusal::Simulation(why) => {
                write!(f, "The claim would fail, so Pictor does not pay for it: {why}")
            }
            SponsorRefusal::Ledger(why) => write!(f, "Claims paid by Pictor are unavailable for now ({why})."),
            SponsorRefusal::Cluster(failure) => write!(f, "{}", failure.explain().1),
        }
    }
}

fn today() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64) / 86_400
}

impl Ledger {
    fn in_memory() -> Self {
        Ledger { file: None, _lock: None, latest: HashMap::new(), per_day: HashMap::new() }
    }

    fn open(dir: &Path, sponsor: &Pubkey) -> Result<Self> {
        let path = dir.join(format!("sponsor-{sponsor}.jsonl"));
        let lock =
            pictor_vip_keeper::statedir::lock(&path.with_extension("lock"), "Profile server sponsoring with this key")?;
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        let mut ledger = Ledger { file: None, _lock: Some(lock), latest: HashMap::new(), per_day: HashMap::new() };
        for (n, line) in std::io::BufReader::new(&file).lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            // A line cut by a crash was never answered: its transaction never left.
            let Ok(parsed) = serde_json::from_str::<Line>(&line) else {
                tracing::warn!("{}:{}: an unreadable line, skipped", path.display(), n + 1);
                continue;
            };
            ledger.note(parsed, true);
        }
        ledger.file = Some(file);
        Ok(ledger)
    }

    /// Takes `line` in; `new` counts it against its day.
    fn note(&mut self, line: Line, new: bool) {
        let (Ok(wallet), Some(role)) = (Pubkey::from_str(&line.wallet), crate::role_named(&line.role)) else { return };
        let replaces = self.latest.contains_key(&(wallet, role));
        if new && !replaces {
            *self.per_day.entry(line.day).or_default() += 1;
        }
        self.latest.insert((wallet, role), line);
    }

    fn record(&mut self, line: Line) -> Result<()> {
        if let Some(file) = self.file.as_mut() {
            let mut text = serde_json::to_string(&line)?;
            text.push('\n');
            file.write_all(text.as_bytes())?;
            file.sync_data()?;
        }
        self.note(line, true);
        Ok(())
    }
}

impl Sponsor {
    /// The sponsor of `options`, its ledger opened (and locked).
    pub fn new(options: SponsorOptions) -> Result<Self> {
        let ledger = match &options.state_dir {
            Some(dir) => Ledger::open(dir, &options.keypair.pubkey())?,
            None => {
                tracing::warn!("no state directory: sponsorships are kept in memory, and a restart forgets them");
                Ledger::in_memory()
            }
        };
        Ok(Sponsor { key: options.keypair, daily_limit: options.daily_limit, ledger: Mutex::new(ledger) })
    }

    /// The sponsor's key.
    pub fn pubkey(&self) -> Pubkey {
        self.key.pubkey()
    }

    /// New sponsorships today.
    pub fn today(&self) -> u32 {
        self.ledger.lock().expect("the sponsor ledger").per_day.get(&today()).copied().unwrap_or(0)
    }

    /// Signs `tx` (a claim of `wallet`'s `role` pass this server built, paid
    /// by the sponsor, valid until block `last_valid`) as fee payer, if the
    /// sponsor may: not sponsored before, within the day's limit, and the
    /// node's simulation of it succeeds. Recorded before it is returned.
    pub(crate) async fn sponsor(
        &self,
        state: &std::sync::Arc<AppState>,
        tx: &mut Transaction,
        wallet: &Pubkey,
        role: Role,
        last_valid: u64,
    ) -> std::result::Result<Sponsored, SponsorRefusal> {
        // An earlier sponsorship of this (wallet, role): landed, pending, or expired.
        let earlier = self.ledger.lock().expect("the sponsor ledger").latest.get(&(*wallet, role)).cloned();
        if let Some(line) = &earlier {
            let signature = solana_signature_of(&line.signature);
            let last = line.last_valid_block_height;
            let seen = state
                .read(move |rpc| {
                    let landed = match signature {
                        Some(s) => rpc.signature_status_in_history(&s)?,
                        None => None,
                    };
                    Ok((landed, rpc.block_height()?))
                })
                .await
                .map_err(SponsorRefusal::Cluster)?;
            match seen {
                (Some(_), _) => return Err(SponsorRefusal::AlreadySponsored),
                (None, height) if height <= last => {
                    // Still valid: the same transaction again (a wallet that
                    // declined, a page reloaded), never a second one.
                    let earlier_tx = line.transaction.as_deref().and_then(decode_transaction);
                    return match earlier_tx {
                        Some(earlier_tx) => {
                            *tx = earlier_tx;
                            Ok(Sponsored::Again)
                        }
                        None => Err(SponsorRefusal::Pending),
                    };
                }
                (None, _) => {} // It expired without landing: issued again, not counted again.
            }
        } else if self.today() >= self.daily_limit {
            return Err(SponsorRefusal::DailyLimit(self.daily_limit));
        }
        // The very transaction, simulated (signatures not checked: the wallet's is missing).
        let simulated = tx.clone();
        let sim = state.read(move |rpc| rpc.simulate_unsigned(&simulated)).await.map_err(SponsorRefusal::Cluster)?;
        if let Some(e) = sim.error {
            return Err(SponsorRefusal::Simulation(e.to_string()));
        }
        let blockhash = tx.message.recent_blockhash;
        tx.try_partial_sign(&[&self.key], blockhash).map_err(|e| SponsorRefusal::Ledger(format!("signing: {e}")))?;
        let line = Line {
            wallet: wallet.to_string(),
            role: role.as_str().to_string(),
            day: today(),
            signature: tx.signatures[0].to_string(),
            last_valid_block_height: last_valid,
            transaction: Some(
                base64::engine::general_purpose::STANDARD
                    .encode(bincode::serialize(&*tx).map_err(|e| SponsorRefusal::Ledger(format!("encoding: {e}")))?),
            ),
        };
        let mut ledger = self.ledger.lock().expect("the sponsor ledger");
        // Counted when first issued; an expired one issued again is not new.
        let new = earlier.is_none();
        if new && ledger.per_day.get(&today()).copied().unwrap_or(0) >= self.daily_limit {
            return Err(SponsorRefusal::DailyLimit(self.daily_limit));
        }
        ledger.record(line).map_err(|e| SponsorRefusal::Ledger(format!("{e:#}")))?;
        drop(ledger);
        state.metrics.sponsored(self.today());
        Ok(Sponsored::New)
    }
}

fn decode_transaction(text: &str) -> Option<Transaction> {
    bincode::deserialize(&base64::engine::general_purpose::STANDARD.decode(text).ok()?).ok()
}

fn solana_signature_of(text: &str) -> Option<pictor_vip_sdk::transport::Signature> {
    pictor_vip_sdk::transport::Signature::from_str(text).ok()
}
