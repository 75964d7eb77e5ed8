//! The oracle/crank bot: applies a feed's oracle facts in packed
//! transactions and drives a ranking round for each `round` line, and loses
//! nothing on a real cluster.
//!
//! Every refusal is one of three kinds (`SendError::refusal`):
//! - **transient** (paused, a fact time beyond the cluster clock plus the
//!   skew, a transport fault that outlasted its retries):
//!   the report waits and is sent again later, and so does every later
//!   report of the same member (and every later line of a role whose round
//!   waits), so sequence numbers land in order and no fact is ever skipped;
//! - **already done** (the sequence number was already applied: an earlier
//!   run, a lost confirmation, a duplicate delivery): counted, nothing to do;
//! - **permanent**: recorded with its line number and reason.
//!
//! Transport faults (timeouts, expired blockhashes, "already processed")
//! are retried with jittered exponential backoff and never abort the run.
//! After the feed the bot keeps passing over what waits, backing off, until
//! it is done or its drain time is up; what still waits then is listed, and
//! a later run on the same feed applies it (every operation is idempotent:
//! reports by sequence number, rounds by snapshot time and round number).
use crate::feed::{Event, Line, LineError};
use anyhow::{anyhow, Result};
use indicatif::{ProgressBar, ProgressStyle};
use pictor_vip_sdk::crank::{self, RoundOutcome};
use pictor_vip_sdk::errors::PictorError;
use pictor_vip_sdk::state::Role;
use pictor_vip_sdk::transport::retry::{send_retrying, Jitter, RetryPolicy, RetryStats};
use pictor_vip_sdk::transport::{
    transaction_size, unsigned_transaction, Refusal, SendError, Submitted, Ticket, Transport, PACKET_DATA_SIZE,
};
use pictor_vip_sdk::{ix, read};
use pictor_vip_sdk::{Instruction, Keypair, Pubkey, Signer};
use serde_json::{json, Value};
use solana_signature::Signature;
use solana_transaction::Transaction;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Maps a feed's `wallet` to its key, or `None` if it names no key.
pub type WalletResolver<'a> = Box<dyn Fn(&str) -> Option<Pubkey> + 'a>;

/// What became of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactOutcome {
    /// Applied by this bot.
    Applied,
    /// Already on the chain (an earlier run, a lost confirmation, a duplicate).
    AlreadyApplied,
    /// Refused for good.
    Refused,
    /// Refused for good before (the keeper's state): not sent again.
    KnownRefusal,
}

/// A report settled one way or the other (what the keeper's metrics count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactEvent {
    /// The line it came from.
    pub line: usize,
    /// Its kind, as the feed names it (`recharge`, `spend`, `frames`, `worker_day`, `gpu`).
    pub kind: &'static str,
    /// What became of it.
    pub outcome: FactOutcome,
    /// Its fact time, unix seconds.
    pub fact_ts: i64,
    /// The member's role.
    pub role: Role,
    /// The member's wallet (`None`: the feed's wallet names no key).
    pub wallet: Option<Pubkey>,
    /// Its sequence number.
    pub seq: u64,
    /// Its fingerprint ([`crate::feed::fact_digest`]).
    pub fact: [u8; 32],
    /// Why it was refused, when it was.
    pub reason: Option<String>,
}

/// Called for every report as it settles.
pub type Observer<'a> = Box<dyn FnMut(&FactEvent) + 'a>;

/// The feed's name of a report's kind.
pub fn report_kind(report: &pictor_vip_sdk::ix::Report) -> &'static str {
    use pictor_vip_sdk::ix::Report;
    match report {
        Report::Recharge { .. } => "recharge",
        Report::Spend { .. } => "spend",
        Report::Frames { .. } => "frames",
        Report::WorkerDay { .. } => "worker_day",
        Report::Gpu { .. } => "gpu",
    }
}

/// Tuning of the bot.
#[derive(Debug, Clone)]
pub struct BotOptions {
    /// Retries of transport faults, per transaction.
    pub retry: RetryPolicy,
    /// Members per `rank_batch` (0: the most one transaction holds).
    pub rank_batch: usize,
    /// Show a progress bar on standard error.
    pub progress: bool,
    /// How long to keep passing over waiting lines after the feed's end.
    pub drain: Duration,
    /// The first wait between two passes; doubles, with jitter, up to 30 s.
    pub pass_wait: Duration,
    /// Report transactions in flight at once (1: send one and wait for it).
    /// Reports of different members are independent; a member never has
    /// more than one transaction in flight, so its sequence numbers land in
    /// order.
    pub in_flight: usize,
    /// How often the signatures in flight are polled (one batched
    /// `getSignatureStatuses`).
    pub poll_interval: Duration,
    /// Set from another thread (a signal) to stop sending: a pass then
    /// settles what is in flight and ends as [`PassEnd::Stalled`]; what was
    /// not sent stays to do.
    pub stop: Option<Arc<AtomicBool>>,
}

/// Report transactions in flight by default.
pub const DEFAULT_IN_FLIGHT: usize = 32;

impl Default for BotOptions {
    fn default() -> Self {
        BotOptions {
            retry: RetryPolicy::default(),
            rank_batch: 0,
            progress: false,
            drain: Duration::from_secs(120),
            pass_wait: Duration::from_secs(1),
            in_flight: DEFAULT_IN_FLIGHT,
            poll_interval: Duration::from_millis(200),
            stop: None,
        }
    }
}

/// What a run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Reports applied by this run.
    pub applied: usize,
    /// Reports found already applied (earlier run, lost confirmation, duplicate).
    pub already_applied: usize,
    /// Lines refused for good, with the line number and the reason.
    pub refused: Vec<(usize, String)>,
    /// Reports refused for good before ([`Bot::known_refusals`]): not sent.
    pub known_refusals: usize,
    /// Lines still waiting on a transient refusal when the run ended, with
    /// the reason: a later run applies them.
    pub waiting: Vec<(usize, String)>,
    /// Malformed or out-of-order lines.
    pub malformed: Vec<LineError>,
    /// Claim lines skipped (a claim is signed by the wallet itself).
    pub skipped_claims: usize,
    /// Transactions that reached the program (applied or refused there).
    pub transactions: usize,
    /// Sends repeated after transport faults, and passes over waiting lines.
    pub retries: usize,
    /// Fees of this run's transactions, in lamports.
    pub fees_lamports: u64,
    /// Rounds completed.
    pub rounds: Vec<RoundOutcome>,
    /// `round` lines already satisfied by a round whose snapshot is at or after the line's time.
    pub rounds_already_done: usize,
}

impl Summary {
    /// The summary as JSON: numbers as numbers.
    pub fn to_json(&self) -> Value {
        let lines = |v: &[(usize, String)]| -> Vec<Value> {
            v.iter().map(|(line, reason)| json!({"line": line, "reason": reason})).collect()
        };
        json!({
            "applied": self.applied,
            "already_applied": self.already_applied,
            "refused": lines(&self.refused),
            "refused_before": self.known_refusals,
            "waiting": lines(&self.waiting),
            "malformed": self.malformed.iter().map(|e| json!({"line": e.line, "reason": e.message})).collect::<Vec<_>>(),
            "claims_skipped": self.skipped_claims,
            "transactions": self.transactions,
            "retries": self.retries,
            "fees_lamports": self.fees_lamports,
            "rounds": self.rounds.iter().map(|r| json!({
                "role": r.role.as_str(), "round": r.round, "members": r.members, "priority": r.priority,
                "batches": r.batches, "table_transactions": r.table_transactions, "resumed": r.resumed,
            })).collect::<Vec<_>>(),
            "rounds_already_done": self.rounds_already_done,
        })
    }
}

/// One line still to do. A report's instruction names the bot's oracle
/// keys and, with co-signers, the ones planned for it (`cosigners`).
// Nearly every item is a report: boxing it would allocate once per fact to
// save bytes on the rare round line.
#[allow(clippy::large_enum_variant)]
enum Item {
    Report {
        line: usize,
        role: Role,
        wallet: Pubkey,
        seq: u64,
        kind: &'static str,
        at: i64,
        report: pictor_vip_sdk::ix::Report,
        /// Its fingerprint ([`crate::feed::fact_digest`]).
        fact: [u8; 32],
        cosigners: Vec<Pubkey>,
        ix: Instruction,
    },
    Round {
        line: usize,
        role: Role,
        at: i64,
    },
}

/// The co-signers of the reports (SPEC §6): the oracle keys held apart,
/// each by its own service, that sign a report transaction only when every
/// report is a fact of their own feed. The keeper's implementation asks
/// them over HTTP (`crate::keeper::cosign`).
pub trait CoSigners {
    /// The co-signer keys to name in the report of (wallet, seq) now, as
    /// many as the quorum needs beyond the bot's own oracle keys; `None`
    /// while not enough of them are available for it (down, or refused it
    /// lately): the report waits.
    fn plan(&mut self, wallet: &Pubkey, seq: u64) -> Option<Vec<Pubkey>>;
    /// The named co-signers' signatures of `tx` (signed by the fee payer and
    /// the bot's oracle keys), or [`SendError::CoSign`] with the refused
    /// instructions (indexes in `tx`).
    fn sign(&mut self, tx: &Transaction) -> Result<Vec<(Pubkey, Signature)>, SendError>;
}

impl Item {
    fn line(&self) -> usize {
        match self {
            Item::Report { line, .. } | Item::Round { line, .. } => *line,
        }
    }
}

/// How a pass over the queue ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassEnd {
    /// Every line was tried.
    Complete,
    /// Stopped early: the program is paused or the cluster unreachable.
    Stalled,
}

/// The transactions of one pipelined segment.
struct Flights {
    /// Members in the order of their first report.
    order: Vec<(Role, Pubkey)>,
    /// Each member's reports not sent yet, in feed order.
    queues: HashMap<(Role, Pubkey), VecDeque<usize>>,
    /// Members with a transaction in flight.
    busy: HashSet<(Role, Pubkey)>,
    /// Transactions in flight and their reports.
    in_flight: Vec<(Ticket, Vec<usize>)>,
    /// Transport faults in a row.
    faults: u32,
    /// The next wait after a transport fault.
    backoff: Duration,
}

impl Flights {
    fn new(backoff: Duration) -> Self {
        Flights {
            order: Vec::new(),
            queues: HashMap::new(),
            busy: HashSet::new(),
            in_flight: Vec::new(),
            faults: 0,
            backoff,
        }
    }

    /// Whether `member` has reports to send now.
    fn ready(&self, member: &(Role, Pubkey), p: &Pass) -> bool {
        !self.busy.contains(member)
            && !p.blocked_members.contains(member)
            && self.queues.get(member).is_some_and(|q| !q.is_empty())
    }
}

/// The state of one pass: what is blocked and what is being packed.
#[derive(Default)]
struct Pass {
    blocked_members: HashSet<(Role, Pubkey)>,
    blocked_roles: HashSet<Role>,
    pending: Vec<usize>,
    stalled: bool,
}

/// The bot over one transport.
pub struct Bot<'a> {
    transport: &'a mut dyn Transport,
    /// Every oracle key the bot signs reports with (the configuration's
    /// quorum of them at least); the first pays a new member's rent.
    oracles: Vec<&'a Keypair>,
    oracle_keys: Vec<Pubkey>,
    crank: &'a Keypair,
    options: BotOptions,
    /// Maps a feed wallet to its key (labels are refused outside the simulation).
    pub resolve_wallet: WalletResolver<'a>,
    /// Called for every report as it settles (the keeper's metrics).
    pub observer: Option<Observer<'a>>,
    /// The co-signers of the reports, when the quorum needs keys held
    /// apart (the keeper's `--cosigner`); reports are then sent through the
    /// pipeline, each naming the co-signers planned for it.
    pub cosigners: Option<Box<dyn CoSigners + 'a>>,
    /// Fingerprints of facts the program refused for good
    /// ([`crate::feed::fact_digest`]): such a fact is not sent again (its
    /// fee is not paid twice), only counted. The bot adds every fact it
    /// sees refused; the keeper seeds it with those of earlier runs.
    pub known_refusals: HashSet<[u8; 32]>,
    summary: Summary,
    queue: Vec<Item>,
    done: Vec<bool>,
    /// Items before this index were checked against the chain ([`Bot::skip_applied`]).
    checked: usize,
    reasons: HashMap<usize, String>,
    jitter: Jitter,
    stats: RetryStats,
}

impl<'a> Bot<'a> {
    /// A bot whose reports every key of `oracles` signs (at least the
    /// configuration's `oracle_quorum` of the oracle keys; the first pays a
    /// new member's rent), ranking as `crank`.
    ///
    /// # Panics
    /// If `oracles` is empty.
    pub fn new(
        transport: &'a mut dyn Transport,
        oracles: &'a [Keypair],
        crank: &'a Keypair,
        options: BotOptions,
    ) -> Self {
        let first = oracles.first().expect("the bot signs with at least one oracle key");
        let seed = u64::from_le_bytes(first.pubkey().to_bytes()[..8].try_into().expect("8 bytes"));
        Bot {
            transport,
            oracles: oracles.iter().collect(),
            oracle_keys: oracles.iter().map(|k| k.pubkey()).collect(),
            crank,
            options,
            resolve_wallet: Box::new(crate::wallets::parse_key),
            observer: None,
            cosigners: None,
            known_refusals: HashSet::new(),
            summary: Summary::default(),
            queue: Vec::new(),
            done: Vec::new(),
            checked: 0,
            reasons: HashMap::new(),
            jitter: Jitter::new(seed),
            stats: RetryStats::default(),
        }
    }

    /// Applies a parsed feed and returns the summary. Fails only when the
    /// program is not there at all (not initialised).
    pub fn run(mut self, lines: Vec<Result<Line, LineError>>) -> Result<Summary> {
        let fees_before = self.transport.fees_paid_lamports();
        self.push(lines);
        let bar = if self.options.progress { ProgressBar::new(self.queue.len() as u64) } else { ProgressBar::hidden() };
        bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} lines {msg}").expect("static template"));
        let deadline = Instant::now() + self.options.drain;
        let mut wait = self.options.pass_wait;
        loop {
            let end = self.pass(&bar)?;
            let left = self.done.iter().filter(|d| !**d).count();
            if left == 0 || Instant::now() >= deadline {
                break;
            }
            bar.set_message(format!("{left} waiting ({end:?})"));
            self.stats.retries += 1;
            std::thread::sleep(self.jitter.spread(wait).min(deadline.saturating_duration_since(Instant::now())));
            wait = (wait * 2).min(Duration::from_secs(30));
        }
        bar.finish_and_clear();
        for (i, item) in self.queue.iter().enumerate() {
            if !self.done[i] {
                let reason = self.reasons.get(&item.line()).cloned().unwrap_or_else(|| "waiting".into());
                self.summary.waiting.push((item.line(), reason));
            }
        }
        self.summary.retries += self.stats.retries;
        self.summary.fees_lamports = self.transport.fees_paid_lamports() - fees_before;
        Ok(self.summary)
    }

    /// Adds lines to do (a long-running keeper adds them as they are
    /// written); a malformed line is recorded. Reports a member already
    /// holds are counted as already done at once ([`Bot::skip_applied`]).
    pub fn push(&mut self, lines: Vec<Result<Line, LineError>>) {
        for parsed in lines {
            match parsed {
                Err(e) => self.summary.malformed.push(e),
                Ok(line) => self.enqueue(line),
            }
        }
        self.done.resize(self.queue.len(), false);
        self.skip_applied();
    }

    /// One pass over what is not done (the keeper's step): sends what can
    /// be sent and settles it. `Stalled`: the program is paused or the
    /// cluster unreachable; what waits is tried again on the next pass.
    pub fn step(&mut self) -> Result<PassEnd> {
        self.pass(&ProgressBar::hidden())
    }

    /// Lines not done yet.
    pub fn outstanding(&self) -> usize {
        self.done.iter().filter(|d| !**d).count()
    }

    /// Reports not done yet, by kind (waiting on a transient refusal, or not sent yet).
    pub fn outstanding_by_kind(&self) -> std::collections::BTreeMap<&'static str, usize> {
        let mut out = std::collections::BTreeMap::new();
        for (item, done) in self.queue.iter().zip(&self.done) {
            if let (Item::Report { kind, .. }, false) = (item, done) {
                *out.entry(*kind).or_default() += 1;
            }
        }
        out
    }

    /// The first line not done yet, and why it waits (if the bot knows).
    pub fn first_waiting(&self) -> Option<(usize, Option<&str>)> {
        let i = self.done.iter().position(|d| !d)?;
        let line = self.queue[i].line();
        Some((line, self.reason(line)))
    }

    /// Why a line waits, if the bot knows.
    pub fn reason(&self, line: usize) -> Option<&str> {
        self.reasons.get(&line).map(String::as_str)
    }

    /// What the bot did so far.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// What the bot did since the last call, taken out (a long-running
    /// keeper logs it and keeps no growing record).
    pub fn take_summary(&mut self) -> Summary {
        std::mem::take(&mut self.summary)
    }

    /// Forgets the lines that are done (a long-running keeper's memory).
    pub fn compact(&mut self) {
        let done = std::mem::take(&mut self.done);
        let mut keep = done.iter().map(|d| !d);
        self.queue.retain(|_| keep.next().unwrap_or(true));
        self.done = vec![false; self.queue.len()];
        self.checked = self.queue.len();
        let lines: HashSet<usize> = self.queue.iter().map(Item::line).collect();
        self.reasons.retain(|line, _| lines.contains(line));
    }

    fn stopped(&self) -> bool {
        self.options.stop.as_ref().is_some_and(|s| s.load(Ordering::SeqCst))
    }

    /// Marks item `i` done, as `outcome` for a report.
    fn settled(&mut self, i: usize, outcome: FactOutcome) {
        self.settled_as(i, outcome, None);
    }

    /// Marks report `i` refused for good for `reason`: recorded, and its
    /// fact known as refused (never sent again).
    fn refused(&mut self, i: usize, reason: String) {
        self.summary.refused.push((self.queue[i].line(), reason.clone()));
        if let Item::Report { fact, .. } = &self.queue[i] {
            self.known_refusals.insert(*fact);
        }
        self.settled_as(i, FactOutcome::Refused, Some(reason));
    }

    fn settled_as(&mut self, i: usize, outcome: FactOutcome, reason: Option<String>) {
        self.done[i] = true;
        if let (Item::Report { line, kind, at, role, wallet, seq, fact, .. }, Some(observer)) =
            (&self.queue[i], self.observer.as_mut())
        {
            observer(&FactEvent {
                line: *line,
                kind,
                outcome,
                fact_ts: *at,
                role: *role,
                wallet: Some(*wallet),
                seq: *seq,
                fact: *fact,
                reason,
            });
        }
    }

    /// Counts as already done, without sending them, the reports whose
    /// sequence number a member's account already holds (a restart, a feed
    /// run twice): one `getMultipleAccounts` per 100 members instead of a
    /// refused transaction per report. A read that fails, or is stale, only
    /// means more is sent: the program refuses a sequence number it has.
    /// Only the lines added since the last check are looked at.
    fn skip_applied(&mut self) {
        let from = self.checked;
        self.checked = self.queue.len();
        let mut members: Vec<(Role, Pubkey)> = self.queue[from..]
            .iter()
            .filter_map(|item| match item {
                Item::Report { role, wallet, .. } => Some((*role, *wallet)),
                Item::Round { .. } => None,
            })
            .collect();
        members.sort();
        members.dedup();
        let Ok(found) = read::members_of(self.transport, &members) else { return };
        let applied: HashMap<(Role, Pubkey), u64> = members
            .into_iter()
            .zip(found)
            .filter_map(|(member, found)| Some((member, found?.header().last_seq)))
            .collect();
        for i in from..self.queue.len() {
            if let Item::Report { role, wallet, seq, .. } = &self.queue[i] {
                if !self.done[i] && applied.get(&(*role, *wallet)).is_some_and(|last| seq <= last) {
                    self.summary.already_applied += 1;
                    self.settled(i, FactOutcome::AlreadyApplied);
                }
            }
        }
    }

    fn enqueue(&mut self, line: Line) {
        match line.event {
            Event::Oracle { wallet, seq, report } => match (self.resolve_wallet)(&wallet) {
                None => {
                    self.summary.refused.push((line.number, format!("wallet {wallet:?} is not a base58 public key")));
                    if let Some(observer) = self.observer.as_mut() {
                        let kind = report_kind(&report);
                        observer(&FactEvent {
                            line: line.number,
                            kind,
                            outcome: FactOutcome::Refused,
                            fact_ts: line.at,
                            role: report.role(),
                            wallet: None,
                            seq,
                            fact: [0; 32],
                            reason: Some(format!("wallet {wallet:?} is not a base58 public key")),
                        });
                    }
                }
                Some(key) => {
                    let role = report.role();
                    let kind = report_kind(&report);
                    let fact = crate::feed::fact_digest(&key, seq, line.at, &report);
                    if self.known_refusals.contains(&fact) {
                        self.summary.known_refusals += 1;
                        if let Some(observer) = self.observer.as_mut() {
                            observer(&FactEvent {
                                line: line.number,
                                kind,
                                outcome: FactOutcome::KnownRefusal,
                                fact_ts: line.at,
                                role,
                                wallet: Some(key),
                                seq,
                                fact,
                                reason: None,
                            });
                        }
                        return;
                    }
                    let ix = ix::report_signed(&self.oracle_keys, &key, seq, line.at, report.clone());
                    self.queue.push(Item::Report {
                        line: line.number,
                        role,
                        wallet: key,
                        seq,
                        kind,
                        at: line.at,
                        report,
                        fact,
                        cosigners: Vec::new(),
                        ix,
                    });
                }
            },
            Event::Claim { .. } => self.summary.skipped_claims += 1,
            Event::Round { role } => self.queue.push(Item::Round { line: line.number, role, at: line.at }),
        }
    }

    /// One pass over what is not done yet, in feed order.
    fn pass(&mut self, bar: &ProgressBar) -> Result<PassEnd> {
        if self.options.in_flight > 1 || self.cosigners.is_some() {
            return self.pass_pipelined(bar);
        }
        let mut p = Pass::default();
        for i in 0..self.queue.len() {
            if self.done[i] {
                continue;
            }
            if self.stopped() {
                p.stalled = true;
                break;
            }
            match &self.queue[i] {
                Item::Report { role, wallet, ix, .. } => {
                    let member = (*role, *wallet);
                    if p.blocked_roles.contains(role) || p.blocked_members.contains(&member) {
                        p.blocked_members.insert(member);
                        continue;
                    }
                    if !self.fits_with(&p.pending, ix) {
                        self.flush(&mut p);
                        if p.stalled {
                            break;
                        }
                        if p.blocked_members.contains(&member) {
                            continue;
                        }
                    }
                    p.pending.push(i);
                }
                Item::Round { role, at, line } => {
                    let (role, at, line) = (*role, *at, *line);
                    self.flush(&mut p);
                    if p.stalled {
                        break;
                    }
                    self.round_line(i, line, role, at, &mut p)?;
                    if p.stalled {
                        break;
                    }
                }
            }
            bar.set_position(self.done.iter().filter(|d| **d).count() as u64);
        }
        if !p.stalled {
            self.flush(&mut p);
        }
        bar.set_position(self.done.iter().filter(|d| **d).count() as u64);
        Ok(if p.stalled { PassEnd::Stalled } else { PassEnd::Complete })
    }

    /// A `round` line, once the reports before it are settled: it waits
    /// while a report of its role waits; otherwise the round runs.
    fn round_line(&mut self, i: usize, line: usize, role: Role, at: i64, p: &mut Pass) -> Result<()> {
        if p.blocked_roles.contains(&role) || p.blocked_members.iter().any(|(r, _)| *r == role) {
            p.blocked_roles.insert(role);
            self.reasons.entry(line).or_insert_with(|| "waits for earlier reports of its role".into());
            return Ok(());
        }
        self.round(i, line, role, at, p)
    }

    fn round(&mut self, i: usize, line: usize, role: Role, at: i64, p: &mut Pass) -> Result<()> {
        if read::board(self.transport, role).is_ok_and(|b| b.is_none()) {
            return Err(anyhow!("the program is not initialised on this cluster"));
        }
        // Idempotent: a round whose snapshot is at or after the line's time
        // already answers it; an open round is resumed by the crank.
        // With the round cadence on, the round waits for the next window
        // (at most the drain time; then the line waits for a later run).
        let options = crank::RoundOptions {
            batch_size: self.options.rank_batch,
            retry: self.options.retry,
            satisfied_since: Some(at),
            wait_for_window: Some(self.options.drain),
            stop: self.options.stop.clone(),
            ..crank::RoundOptions::default()
        };
        match crank::run_round(self.transport, self.crank, role, options, &mut |_, _| {}) {
            Ok(outcome) if outcome.already_done => {
                self.summary.rounds_already_done += 1;
                self.done[i] = true;
            }
            Ok(outcome) => {
                self.summary.transactions +=
                    outcome.batches + outcome.table_transactions + 2 - usize::from(outcome.resumed);
                self.summary.retries += outcome.retries;
                self.summary.rounds.push(outcome);
                self.done[i] = true;
            }
            Err(e) if e.is_transient() => {
                self.wait_on(line, e.to_string());
                p.blocked_roles.insert(role);
                p.stalled = true;
            }
            Err(e) => {
                self.summary.refused.push((line, format!("round of {}: {e}", role.as_str())));
                self.done[i] = true;
            }
        }
        Ok(())
    }

    fn wait_on(&mut self, line: usize, reason: String) {
        self.reasons.insert(line, reason);
    }

    fn fits_with(&self, pending: &[usize], next: &Instruction) -> bool {
        let mut ixs: Vec<Instruction> = pending.iter().map(|&i| self.report_ix(i).clone()).collect();
        ixs.push(next.clone());
        let tx = unsigned_transaction(&ixs, &self.transport.fee_payer());
        transaction_size(&tx) <= PACKET_DATA_SIZE
    }

    fn report_ix(&self, i: usize) -> &Instruction {
        match &self.queue[i] {
            Item::Report { ix, .. } => ix,
            Item::Round { .. } => unreachable!("only reports are packed"),
        }
    }

    /// Plans report `i`'s co-signers (without co-signers: nothing to plan);
    /// whether it can be sent now. Its instruction names them.
    fn plan(&mut self, i: usize) -> bool {
        let Some(cosigners) = self.cosigners.as_mut() else { return true };
        let Item::Report { wallet, seq, at, report, cosigners: named, ix, line, .. } = &mut self.queue[i] else {
            return true;
        };
        let Some(plan) = cosigners.plan(wallet, *seq) else {
            let line = *line;
            self.wait_on(line, "waits for its co-signers (down, or refused it lately: asked again later)".into());
            return false;
        };
        if *named != plan {
            let mut keys = self.oracle_keys.clone();
            keys.extend(plan.iter().copied());
            *ix = ix::report_signed(&keys, wallet, *seq, *at, report.clone());
            *named = plan;
        }
        true
    }

    /// The co-signers report `i` names.
    fn planned(&self, i: usize) -> &[Pubkey] {
        match &self.queue[i] {
            Item::Report { cosigners, .. } => cosigners,
            Item::Round { .. } => &[],
        }
    }

    fn member(&self, i: usize) -> (Role, Pubkey) {
        match &self.queue[i] {
            Item::Report { role, wallet, .. } => (*role, *wallet),
            Item::Round { .. } => unreachable!("only reports are packed"),
        }
    }

    /// Sends the packed reports, one transaction at a time, waiting for each.
    fn flush(&mut self, p: &mut Pass) {
        while !p.pending.is_empty() {
            let ixs: Vec<Instruction> = p.pending.iter().map(|&i| self.report_ix(i).clone()).collect();
            let sent = send_retrying(
                self.transport,
                &ixs,
                &self.oracles,
                &self.options.retry,
                &mut self.jitter,
                &mut self.stats,
            );
            let reports = std::mem::take(&mut p.pending);
            p.pending = self.settle(reports, sent, p);
        }
    }

    /// Books the outcome of one transaction of `reports` (transport faults
    /// already retried) and returns the reports to send again. A report the
    /// program refuses is taken out and handled by its kind; the others were
    /// not applied (a transaction is atomic) and go again.
    fn settle(&mut self, mut reports: Vec<usize>, result: Result<(), SendError>, p: &mut Pass) -> Vec<usize> {
        match result {
            Ok(()) => {
                self.summary.transactions += 1;
                self.summary.applied += reports.len();
                for &i in &reports {
                    self.settled(i, FactOutcome::Applied);
                }
                Vec::new()
            }
            Err(e @ SendError::Program { .. }) if e.is(PictorError::Paused) => {
                self.summary.transactions += 1;
                self.defer(p, reports, "the program is paused".into());
                p.stalled = true;
                Vec::new()
            }
            Err(e @ SendError::Program { .. }) => {
                self.summary.transactions += 1;
                let k = e.instruction_index().unwrap_or(0).min(reports.len() - 1);
                let i = reports.remove(k);
                let line = self.queue[i].line();
                match e.refusal() {
                    Refusal::AlreadyDone => {
                        self.summary.already_applied += 1;
                        self.settled(i, FactOutcome::AlreadyApplied);
                    }
                    Refusal::Permanent => {
                        let reason = match &e {
                            SendError::Program { name, message, .. } => format!("{name}: {message}"),
                            other => other.to_string(),
                        };
                        self.refused(i, reason);
                    }
                    Refusal::Transient => {
                        // This member waits, with all its later reports.
                        let member = self.member(i);
                        p.blocked_members.insert(member);
                        self.wait_on(line, e.to_string());
                        reports.retain(|&j| self.member(j) != member);
                    }
                }
                reports
            }
            Err(SendError::CoSign { refused, detail }) => {
                // Reports a co-signer refused wait (it is asked again later);
                // the others go again at once, without them.
                if refused.is_empty() {
                    self.defer(p, reports, format!("co-signing: {detail}"));
                    return Vec::new();
                }
                let mut again = Vec::new();
                for (k, i) in reports.into_iter().enumerate() {
                    match refused.iter().find(|(index, _)| *index == k) {
                        Some((_, why)) => {
                            let member = self.member(i);
                            p.blocked_members.insert(member);
                            let line = self.queue[i].line();
                            self.wait_on(line, format!("a co-signer refused it: {why}"));
                        }
                        None => again.push(i),
                    }
                }
                again.retain(|&j| !p.blocked_members.contains(&self.member(j)));
                again
            }
            Err(e @ SendError::TooLarge(_)) if reports.len() == 1 => {
                // Alone it does not fit a transaction: it never will.
                self.refused(reports[0], e.to_string());
                Vec::new()
            }
            Err(e) => {
                // A transport fault that outlasted its retries: try again next pass.
                self.defer(p, reports, format!("transport: {e}"));
                p.stalled = true;
                Vec::new()
            }
        }
    }

    fn defer(&mut self, p: &mut Pass, reports: Vec<usize>, reason: String) {
        for i in reports {
            p.blocked_members.insert(self.member(i));
            let line = self.queue[i].line();
            self.wait_on(line, reason.clone());
        }
    }

    /// A pass with many report transactions in flight: the reports between
    /// two `round` lines are sent member by member (a member's reports in
    /// feed order, packed together, at most one transaction per member in
    /// flight), up to [`BotOptions::in_flight`] transactions at once,
    /// confirmed by polling their signatures. A round waits for every report
    /// before it, and every report after it waits for the round.
    fn pass_pipelined(&mut self, bar: &ProgressBar) -> Result<PassEnd> {
        let mut p = Pass::default();
        let mut segment = Vec::new();
        for i in 0..self.queue.len() {
            if self.done[i] {
                continue;
            }
            let (role, at, line) = match &self.queue[i] {
                Item::Report { .. } => {
                    segment.push(i);
                    continue;
                }
                Item::Round { role, at, line } => (*role, *at, *line),
            };
            self.pipeline(std::mem::take(&mut segment), &mut p, bar);
            if p.stalled {
                break;
            }
            self.round_line(i, line, role, at, &mut p)?;
            if p.stalled {
                break;
            }
            bar.set_position(self.done.iter().filter(|d| **d).count() as u64);
        }
        if !p.stalled {
            self.pipeline(segment, &mut p, bar);
        }
        bar.set_position(self.done.iter().filter(|d| **d).count() as u64);
        Ok(if p.stalled { PassEnd::Stalled } else { PassEnd::Complete })
    }

    /// Sends `reports` (one segment, feed order) with many transactions in flight.
    fn pipeline(&mut self, reports: Vec<usize>, p: &mut Pass, bar: &ProgressBar) {
        let mut f = Flights::new(self.options.retry.first_backoff);
        for i in reports {
            let member = self.member(i);
            if p.blocked_roles.contains(&member.0) || p.blocked_members.contains(&member) {
                p.blocked_members.insert(member);
                continue;
            }
            f.queues
                .entry(member)
                .or_insert_with(|| {
                    f.order.push(member);
                    VecDeque::new()
                })
                .push_back(i);
        }
        let window = self.options.in_flight.max(1);
        loop {
            if self.stopped() {
                // Nothing more is sent; what is in flight is settled.
                p.stalled = true;
            }
            if !p.stalled {
                self.fill(&mut f, p, window);
            }
            if f.in_flight.is_empty() {
                if p.stalled || !f.order.iter().any(|m| f.ready(m, p)) {
                    break;
                }
                continue;
            }
            std::thread::sleep(self.options.poll_interval);
            let tickets: Vec<Ticket> = f.in_flight.iter().map(|(t, _)| t.clone()).collect();
            match self.transport.poll(&tickets) {
                Ok(outcomes) => {
                    let mut still = Vec::new();
                    for ((ticket, sent), outcome) in std::mem::take(&mut f.in_flight).into_iter().zip(outcomes) {
                        match outcome {
                            None => still.push((ticket, sent)),
                            Some(result) => self.land(sent, result, &mut f, p),
                        }
                    }
                    f.in_flight = still;
                }
                Err(e) => {
                    self.stats.retries += 1;
                    f.faults += 1;
                    if f.faults > self.options.retry.attempts {
                        // The cluster does not answer: the outcomes are
                        // unknown, so everything in flight waits for the next
                        // pass (a report that did land is then "already done").
                        for (_, sent) in std::mem::take(&mut f.in_flight) {
                            self.defer(p, sent, format!("transport: {e}"));
                        }
                        p.stalled = true;
                    }
                }
            }
            bar.set_position(self.done.iter().filter(|d| **d).count() as u64);
        }
    }

    /// Packs the ready members' next reports into transactions and sends
    /// them, until the window is full or no member is ready.
    fn fill(&mut self, f: &mut Flights, p: &mut Pass, window: usize) {
        let mut packed: Vec<usize> = Vec::new();
        for m in 0..f.order.len() {
            let member = f.order[m];
            if f.in_flight.len() >= window || p.stalled {
                break;
            }
            if !f.ready(&member, p) {
                continue;
            }
            let mut contributed = false;
            while let Some(&i) = f.queues.get(&member).and_then(|q| q.front()) {
                // With co-signers: the keys named in this report, and one set per transaction.
                if !self.plan(i) {
                    p.blocked_members.insert(member);
                    break;
                }
                if packed.first().is_some_and(|&j| self.planned(j) != self.planned(i)) {
                    self.launch(std::mem::take(&mut packed), f, p);
                    if f.in_flight.len() >= window || p.stalled {
                        break;
                    }
                }
                if self.fits_with(&packed, self.report_ix(i)) {
                    f.queues.get_mut(&member).expect("queued member").pop_front();
                    packed.push(i);
                    f.busy.insert(member);
                    contributed = true;
                    continue;
                }
                if packed.is_empty() {
                    // Alone it does not fit a transaction: it never will.
                    f.queues.get_mut(&member).expect("queued member").pop_front();
                    let reason = format!("the report alone exceeds the {PACKET_DATA_SIZE}-byte transaction limit");
                    self.refused(i, reason);
                    continue;
                }
                self.launch(std::mem::take(&mut packed), f, p);
                // A member whose reports just left waits for them.
                if contributed || f.in_flight.len() >= window || p.stalled {
                    break;
                }
            }
        }
        if !packed.is_empty() {
            self.launch(packed, f, p);
        }
    }

    fn launch(&mut self, reports: Vec<usize>, f: &mut Flights, p: &mut Pass) {
        let ixs: Vec<Instruction> = reports.iter().map(|&i| self.report_ix(i).clone()).collect();
        let cosigned = !self.planned(reports[0]).is_empty();
        let submitted = match self.cosigners.as_mut() {
            Some(cosigners) if cosigned => {
                self.transport.submit_cosigned(&ixs, &self.oracles, &mut |tx| cosigners.sign(tx))
            }
            _ => self.transport.submit(&ixs, &self.oracles),
        };
        match submitted {
            Submitted::InFlight(ticket) => f.in_flight.push((ticket, reports)),
            Submitted::Done(result) => self.land(reports, result, f, p),
        }
    }

    /// Books a transaction's outcome: transport faults are sent again (with
    /// backoff) until the retry policy gives up; the rest as [`Bot::settle`].
    fn land(&mut self, reports: Vec<usize>, result: Result<(), SendError>, f: &mut Flights, p: &mut Pass) {
        for &i in &reports {
            f.busy.remove(&self.member(i));
        }
        let again = match result {
            Err(e) if e.is_transient() && f.faults < self.options.retry.attempts => {
                f.faults += 1;
                self.stats.retries += 1;
                std::thread::sleep(self.jitter.spread(f.backoff));
                f.backoff = (f.backoff * 2).min(self.options.retry.max_backoff);
                reports
            }
            result => {
                if result.is_ok() {
                    f.faults = 0;
                    f.backoff = self.options.retry.first_backoff;
                }
                self.settle(reports, result, p)
            }
        };
        // Back to the front of their members' queues, in order.
        for &i in again.iter().rev() {
            f.queues.entry(self.member(i)).or_default().push_front(i);
        }
    }
}
