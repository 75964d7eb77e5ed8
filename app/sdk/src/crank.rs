//! The crank: drives a ranking round of one role to completion, resuming a
//! round a crashed crank left open, and syncing passes their holders burned
//! before it opens a new one. The order is computed with the program's
//! own `Member::order_key` and `ranking::order`; the program re-verifies it.
//! With the round cadence on, it opens a round only inside a scheduled
//! window (the program's `cadence` module says which), waiting for the next
//! one when asked to.
use crate::cadence::{self, ScheduledRound};
use crate::error::{Error, Result};
use crate::errors::PictorError;
use crate::ix;
use crate::pda;
use crate::ranking;
use crate::read;
use crate::state::{Board, Config, FinalRound, Member, OpenRound, OrderKey, PassStatus, Role};
use crate::transport::retry::{send_retrying, Jitter, RetryPolicy, RetryStats};
use crate::transport::{transaction_size, unsigned_transaction, LookupTable, SendError, Transport, PACKET_DATA_SIZE};
use anchor_spl::token_2022::spl_token_2022::extension::StateWithExtensions;
use anchor_spl::token_2022::spl_token_2022::state::Mint;
use pictor_vip::constants::{MAX_RANK_BATCH, MAX_TX_ACCOUNT_LOCKS};
use solana_address_lookup_table_interface::instruction as alt;
use solana_address_lookup_table_interface::state::LOOKUP_TABLE_MAX_ADDRESSES;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_message::{v0, AddressLookupTableAccount, VersionedMessage};
use solana_pubkey::Pubkey;
use solana_signer::Signer;
use std::collections::HashSet;

/// What a completed round looked like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundOutcome {
    /// Role ranked.
    pub role: Role,
    /// Round number.
    pub round: u32,
    /// Members ranked.
    pub members: u32,
    /// Members flagged priority.
    pub priority: u32,
    /// `rank_batch` transactions sent by this run.
    pub batches: usize,
    /// Lookup-table transactions (create, extend) sent by this run.
    pub table_transactions: usize,
    /// Whether this run resumed a round left open.
    pub resumed: bool,
    /// Sends repeated after transport faults.
    pub retries: usize,
    /// The round was already done (see [`RoundOptions::satisfied_since`]): nothing was sent.
    pub already_done: bool,
    /// Burned passes synced before the round opened.
    pub synced: usize,
    /// Burned passes whose sync failed, with the reason: the round went on
    /// without them (such a pass still counts until someone syncs it).
    pub sync_failures: Vec<(Pubkey, String)>,
}

/// The members of `role` that count in `open`, in the round's order, with their keys.
pub fn round_order(t: &mut dyn Transport, role: Role, open: &OpenRound) -> Result<Vec<(Pubkey, Member, OrderKey)>> {
    let mut entries = Vec::new();
    for (key, m) in read::members(t, role)? {
        if m.counts_in_round(open.round) {
            let order_key = m.order_key(open).map_err(|e| Error::Rule(format!("score of {key}: {e}")))?;
            entries.push((key, m, order_key));
        }
    }
    entries.sort_by(|a, b| ranking::order(&a.2, &b.2));
    Ok(entries)
}

/// Index of `rank_batch` in [`rank_batch_instructions`] (after the compute-unit limit).
pub const RANK_BATCH_INDEX: usize = 1;

/// The transaction instructions of one ranked batch: a compute-unit limit, then `rank_batch`.
pub fn rank_batch_instructions(crank: &Pubkey, role: Role, round: u32, members: &[Pubkey]) -> [Instruction; 2] {
    let batch = ix::rank_batch(crank, role, round, members);
    [ComputeBudgetInstruction::set_compute_unit_limit(crate::compute::limit_for(std::slice::from_ref(&batch))), batch]
}

/// Largest `rank_batch` that fits one legacy transaction signed by `fee_payer` and `crank`.
pub fn max_rank_batch(fee_payer: &Pubkey, crank: &Pubkey, role: Role) -> usize {
    let fits = |n: usize| {
        let members: Vec<Pubkey> = (0..n).map(|_| Pubkey::new_unique()).collect();
        let tx = unsigned_transaction(&rank_batch_instructions(crank, role, 1, &members), fee_payer);
        transaction_size(&tx) <= PACKET_DATA_SIZE
    };
    let mut n = 1;
    while n < MAX_RANK_BATCH && fits(n + 1) {
        n += 1;
    }
    n
}

/// Largest `rank_batch` one v0 transaction signed by `fee_payer` and
/// `crank` holds when every member resolves through a lookup table: bounded
/// by the 64 accounts a transaction may lock and by 1,232 bytes.
pub fn max_lookup_rank_batch(fee_payer: &Pubkey, crank: &Pubkey, role: Role) -> usize {
    let fits = |n: usize| {
        let members: Vec<Pubkey> = (0..n).map(|_| Pubkey::new_unique()).collect();
        let mut addresses = vec![pda::board(role)];
        addresses.extend(&members);
        let table = AddressLookupTableAccount { key: Pubkey::new_unique(), addresses };
        let (ixs, _) = crate::compute::with_budget(&rank_batch_instructions(crank, role, 1, &members), 1);
        let Ok(message) = v0::Message::try_compile(fee_payer, &ixs, &[table], Default::default()) else {
            return false;
        };
        let locked = message.account_keys.len()
            + message
                .address_table_lookups
                .iter()
                .map(|l| l.writable_indexes.len() + l.readonly_indexes.len())
                .sum::<usize>();
        let signatures = usize::from(message.header.num_required_signatures);
        let size = 1 + 64 * signatures + VersionedMessage::V0(message).serialize().len();
        locked <= MAX_TX_ACCOUNT_LOCKS && size <= PACKET_DATA_SIZE
    };
    let mut n = 1;
    while n < MAX_RANK_BATCH && fits(n + 1) {
        n += 1;
    }
    n
}

/// Addresses per lookup-table extension transaction (32 bytes each).
pub const LOOKUP_EXTEND_CHUNK: usize = 20;

/// The lookup tables of `role` that `crank` keeps: tables whose authority
/// is the crank and whose first address is the role's board.
pub fn role_lookup_tables(t: &mut dyn Transport, crank: &Pubkey, role: Role) -> Result<Vec<LookupTable>> {
    let board = pda::board(role);
    let mut tables: Vec<LookupTable> =
        t.lookup_tables(crank)?.into_iter().filter(|tb| tb.addresses.first() == Some(&board)).collect();
    tables.sort_by_key(|tb| tb.key);
    Ok(tables)
}

/// Makes every address of `members` resolvable through the role's lookup
/// tables: kept across rounds, extended with the members they lack (a new
/// table when the last is full), then waited on until the extension serves
/// (see `wait_until_served`). Returns the role's tables and how many
/// transactions that took. Safe to re-run.
pub fn prepare_lookup_tables(
    t: &mut dyn Transport,
    crank: &Keypair,
    role: Role,
    members: &[Pubkey],
) -> Result<(Vec<LookupTable>, usize)> {
    let authority = crank.pubkey();
    let payer = t.fee_payer();
    let mut tables = role_lookup_tables(t, &authority, role)?;
    let known: HashSet<Pubkey> = tables.iter().flat_map(|tb| tb.addresses.iter().copied()).collect();
    let mut pending: Vec<Pubkey> = members.iter().filter(|m| !known.contains(m)).copied().collect();
    if pending.is_empty() {
        // An extension an earlier attempt sent may not serve yet.
        wait_until_served(t, &tables)?;
        return Ok((tables, 0));
    }
    let mut sent = 0;
    while !pending.is_empty() {
        let index = match tables.iter().position(|tb| tb.addresses.len() < LOOKUP_TABLE_MAX_ADDRESSES) {
            Some(i) => i,
            None => {
                // A table needs a recent slot that is already in SlotHashes.
                let slot = t.slot()?;
                t.wait_for_slot(slot + 2)?;
                let recent = t.slot()?.saturating_sub(1);
                let (create, key) = alt::create_lookup_table(authority, payer, recent);
                t.send(&[create], &[crank])?;
                sent += 1;
                pending.insert(0, pda::board(role));
                tables.push(LookupTable { key, addresses: Vec::new(), last_extended_slot: 0 });
                tables.len() - 1
            }
        };
        let room = LOOKUP_TABLE_MAX_ADDRESSES - tables[index].addresses.len();
        let chunk: Vec<Pubkey> = pending.drain(..pending.len().min(room).min(LOOKUP_EXTEND_CHUNK)).collect();
        let extend = alt::extend_lookup_table(tables[index].key, authority, Some(payer), chunk.clone());
        t.send(&[extend], &[crank])?;
        sent += 1;
        tables[index].addresses.extend(chunk);
    }
    let tables = role_lookup_tables(t, &authority, role)?;
    wait_until_served(t, &tables)?;
    Ok((tables, sent))
}

/// Waits until the tables' newest extension serves: the slot after it
/// (when a runtime lets a transaction use the new addresses) and its slot
/// finalized (a validator's banking stage resolves addresses against its
/// root bank; a transaction sent earlier only lands once the extension is
/// rooted, after the RPC node rebroadcast it meanwhile).
fn wait_until_served(t: &mut dyn Transport, tables: &[LookupTable]) -> Result<()> {
    let newest = tables.iter().map(|tb| tb.last_extended_slot).max().unwrap_or(0);
    t.wait_for_slot(newest + 1)?;
    t.wait_for_root(newest)
}

/// How [`run_round`] drives a round.
#[derive(Debug, Clone)]
pub struct RoundOptions {
    /// Members per `rank_batch`; 0: the most one transaction holds.
    pub batch_size: usize,
    /// Rank in v0 transactions through the role's lookup tables.
    pub lookup_tables: bool,
    /// With `lookup_tables`, still rank in one legacy transaction when the
    /// members left fit one: a table's new addresses serve only once their
    /// slot is finalized (tens of seconds on a validator), which a round
    /// of a few members need not wait for (the keeper's choice).
    pub legacy_when_one_batch: bool,
    /// Retries of transport faults.
    pub retry: RetryPolicy,
    /// When set, a finalised round whose snapshot is at or after this time
    /// (unix seconds) already answers the call: nothing is opened. Checked on
    /// every read of the board, so a stale read cannot start a second round.
    pub satisfied_since: Option<i64>,
    /// With the round cadence on and no round able to open now: how long to
    /// wait for the next window (`None`: fail at once with
    /// [`RoundError::OutsideWindow`]).
    pub wait_for_window: Option<std::time::Duration>,
    /// Set from another thread to stop between two transactions (a round
    /// left open is resumed by the next run): [`RoundError::Stopped`].
    pub stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

impl Default for RoundOptions {
    fn default() -> Self {
        RoundOptions {
            batch_size: 0,
            lookup_tables: true,
            legacy_when_one_batch: false,
            retry: RetryPolicy::default(),
            satisfied_since: None,
            wait_for_window: None,
            stop: None,
        }
    }
}

impl RoundOptions {
    fn stopped(&self) -> bool {
        self.stop.as_ref().is_some_and(|s| s.load(std::sync::atomic::Ordering::SeqCst))
    }
}

fn board(t: &mut dyn Transport, role: Role) -> Result<Board> {
    read::board(t, role)?.ok_or(Error::NotInitialised)
}

/// What [`sync_burned_passes`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synced {
    /// Passes synced.
    pub synced: usize,
    /// Wallets whose sync failed, with the reason.
    pub failures: Vec<(Pubkey, String)>,
}

/// Records every pass of `role` that its holder burned but nobody synced yet
/// (mint supply 0 or mint gone), so the next round does not rank it. One
/// member's failing sync never stops the others: it is reported in
/// [`Synced::failures`]. Fails only when the cluster cannot be read.
pub fn sync_burned_passes(t: &mut dyn Transport, crank: &Keypair, role: Role) -> Result<Synced, RoundError> {
    let policy = RetryPolicy::default();
    let mut s = Sender { t, key: crank, policy, jitter: Jitter::new(7), stats: RetryStats::default() };
    sync_burned_passes_with(&mut s, role)
}

fn sync_burned_passes_with(s: &mut Sender, role: Role) -> Result<Synced, RoundError> {
    let holders: Vec<(Pubkey, Pubkey)> = read::members(s.t, role)
        .map_err(RoundError::read)?
        .into_iter()
        .filter(|(_, m)| m.pass_status() == PassStatus::Active)
        .map(|(_, m)| (m.wallet(), m.header().pass_rent_payer))
        .collect();
    let mints: Vec<Pubkey> = holders.iter().map(|(w, _)| pda::pass_mint(role, w)).collect();
    let accounts = s.t.get_accounts(&mints).map_err(RoundError::read)?;
    let mut out = Synced::default();
    for ((wallet, rent_payer), mint) in holders.iter().zip(accounts) {
        let supply = match &mint {
            Some(a) if a.owner == anchor_spl::token_2022::ID => match StateWithExtensions::<Mint>::unpack(&a.data) {
                Ok(m) => m.base.supply,
                Err(e) => {
                    out.failures.push((*wallet, format!("its pass mint does not decode: {e}")));
                    continue;
                }
            },
            _ => 0,
        };
        if supply == 0 {
            match s.send(&[ix::sync_pass(role, wallet, rent_payer)]) {
                Ok(()) => out.synced += 1,
                // Synced meanwhile (a stale read of the member).
                Err(e) if e.is(PictorError::NoActivePass) => {}
                // The program is paused: nothing else can go on either.
                Err(e) if e.is(PictorError::Paused) => return Err(RoundError::Paused),
                Err(e) => out.failures.push((*wallet, format!("sync_pass: {e}"))),
            }
        }
    }
    Ok(out)
}

/// Why [`run_round`] stopped before the round was finalised.
#[derive(Debug, thiserror::Error)]
pub enum RoundError {
    /// The program is paused: run the round again once it is unpaused.
    #[error("the program is paused: the round waits until it is unpaused")]
    Paused,
    /// The cluster could not be reached (after retries), or kept answering
    /// with stale reads: run the round again later.
    #[error("the cluster is unreachable or behind: {0}")]
    Unreachable(String),
    /// The round cadence lets no round of this role open now (and waiting
    /// was not asked for, or its time ran out): the next window opens at
    /// `next_opens_ts` (unix seconds), if the schedule has one.
    #[error("no round window is open now{}", .next_opens_ts.map(|t| format!("; the next opens at unix time {t}")).unwrap_or_default())]
    OutsideWindow {
        /// When the next window opens, unix seconds.
        next_opens_ts: Option<i64>,
    },
    /// Stopped on request ([`RoundOptions::stop`]); an open round is resumed by the next run.
    #[error("stopped on request")]
    Stopped,
    /// The program refused a step for a reason no retry changes.
    #[error("{step} refused: {error}")]
    Refused {
        /// The step (`open_round`, `rank_batch at rank N`, …).
        step: String,
        /// The program's answer.
        error: SendError,
    },
}

impl RoundError {
    /// Whether running the round again later may succeed.
    pub fn is_transient(&self) -> bool {
        !matches!(self, RoundError::Refused { .. })
    }

    fn from_send(step: impl Into<String>, error: SendError) -> Self {
        if error.is(PictorError::Paused) {
            RoundError::Paused
        } else if error.is_transient() {
            RoundError::Unreachable(error.to_string())
        } else {
            RoundError::Refused { step: step.into(), error }
        }
    }

    fn read(e: Error) -> Self {
        RoundError::Unreachable(e.to_string())
    }
}

/// Re-reads of the chain [`run_round`] makes after refusals that a stale
/// read explains, before it gives up with [`RoundError::Unreachable`].
pub const ROUND_ATTEMPTS: usize = 12;

/// Abandons the open `round` (already closed by someone else is fine).
fn abandon(s: &mut Sender, role: Role, round: u32) -> Result<(), RoundError> {
    match s.send(&[ix::abandon_round(&s.key.pubkey(), role, round)]) {
        Err(e) if !explained_by_a_stale_read(&e) => Err(RoundError::from_send("abandon_round", e)),
        _ => Ok(()),
    }
}

/// The crank's sending side: the transport, its key, and retries.
struct Sender<'a> {
    t: &'a mut dyn Transport,
    key: &'a Keypair,
    policy: RetryPolicy,
    jitter: Jitter,
    stats: RetryStats,
}

impl Sender<'_> {
    fn send(&mut self, ixs: &[Instruction]) -> Result<(), SendError> {
        send_retrying(self.t, ixs, &[self.key], &self.policy, &mut self.jitter, &mut self.stats)
    }

    fn send_v0(&mut self, ixs: &[Instruction], tables: &[AddressLookupTableAccount]) -> Result<(), SendError> {
        let mut wait = self.policy.first_backoff;
        let mut attempt = 0;
        loop {
            match self.t.send_v0(ixs, &[self.key], tables) {
                Err(e) if e.is_transient() && attempt < self.policy.attempts => {
                    attempt += 1;
                    self.stats.retries += 1;
                    std::thread::sleep(self.jitter.spread(wait));
                    wait = (wait * 2).min(self.policy.max_backoff);
                }
                other => return other.map(drop),
            }
        }
    }

    fn pause(&mut self) {
        std::thread::sleep(self.jitter.spread(self.policy.first_backoff));
    }
}

/// Errors of a round step that a stale read, or another crank, explains:
/// read the chain again and go on from what it says.
fn explained_by_a_stale_read(e: &SendError) -> bool {
    [
        PictorError::AlreadyRanked,
        PictorError::OrderViolation,
        PictorError::NotRoundMember,
        PictorError::NoOpenRound,
        PictorError::WrongRound,
        PictorError::RoundInProgress,
        PictorError::RoundIncomplete,
        PictorError::BatchTooLarge,
    ]
    .iter()
    .any(|p| e.is(*p))
}

/// Opens (or resumes) a round of `role` and ranks every holder in batches,
/// then finalises it. `progress(ranked, total)` is called after each batch.
///
/// Safe to re-run after a crash at any point, and safe against a node that
/// answers from behind the cluster: every step is checked by the program
/// (the round number to open, the order, the count), and a refusal that a
/// stale read explains makes the crank read again and go on from the
/// chain's state. A round left open by a crashed crank is resumed; one whose
/// ranked prefix does not match the order computed now is abandoned and
/// started over (with the cadence on, in the next window).
///
/// With the round cadence on, a new round opens only inside a scheduled
/// window whose round is still to come (not opened or abandoned yet, and
/// the previous round closed before its time); otherwise the crank waits for
/// the next window up to [`RoundOptions::wait_for_window`], or returns
/// [`RoundError::OutsideWindow`].
pub fn run_round(
    t: &mut dyn Transport,
    crank: &Keypair,
    role: Role,
    options: RoundOptions,
    progress: &mut dyn FnMut(u32, u32),
) -> Result<RoundOutcome, RoundError> {
    let seed = u64::from_le_bytes(crank.pubkey().to_bytes()[..8].try_into().expect("8 bytes"));
    let mut s =
        Sender { t, key: crank, policy: options.retry, jitter: Jitter::new(seed), stats: RetryStats::default() };
    let crank_key = crank.pubkey();
    let wait_until = options.wait_for_window.map(|w| std::time::Instant::now() + w);
    let mut target: Option<u32> = None;
    let mut resumed = true;
    let mut synced = Synced::default();
    let (mut batches, mut table_transactions, mut mismatches, mut order_violations) = (0, 0, 0, 0);
    let mut attempts = 0;
    let outcome = |s: &Sender, round: u32, done: &FinalRound, batches, table_transactions, resumed, synced: Synced| {
        RoundOutcome {
            role,
            round,
            members: done.members,
            priority: done.priority_count,
            batches,
            table_transactions,
            resumed,
            retries: s.stats.retries,
            already_done: false,
            synced: synced.synced,
            sync_failures: synced.failures,
        }
    };
    while attempts < ROUND_ATTEMPTS {
        if options.stopped() {
            return Err(RoundError::Stopped);
        }
        attempts += 1;
        let b = board(s.t, role).map_err(RoundError::read)?;
        if let (Some(r), Some(done)) = (target, &b.finalised) {
            if b.open.is_none() && done.round >= r {
                return Ok(outcome(&s, r, done, batches, table_transactions, resumed, synced));
            }
        }
        if let (None, None, Some(since), Some(done)) = (target, &b.open, options.satisfied_since, &b.finalised) {
            if done.snapshot_ts >= since {
                let mut out = outcome(&s, done.round, done, batches, table_transactions, false, synced);
                out.already_done = true;
                return Ok(out);
            }
        }
        let Some(open) = b.open else {
            let round = match next_round_to_open(s.t, &b, options.satisfied_since).map_err(RoundError::read)? {
                ToOpen::Now(round) => round,
                ToOpen::Later(next) => {
                    // Waiting for a window is no attempt.
                    attempts -= 1;
                    wait_for(s.t, next, wait_until, &options)?;
                    continue;
                }
            };
            if target.is_none() {
                resumed = false;
                let more = sync_burned_passes_with(&mut s, role)?;
                synced.synced += more.synced;
                synced.failures.extend(more.failures);
            }
            match s.send(&[ix::open_round(&crank_key, role, round)]) {
                Ok(()) => target = Some(round),
                Err(e)
                    if e.is(PictorError::RoundInProgress)
                        || e.is(PictorError::WrongRound)
                        || e.is(PictorError::OutsideRoundWindow)
                        || e.is(PictorError::PreviousRoundOverran) =>
                {
                    s.pause()
                }
                Err(e) => return Err(RoundError::from_send("open_round", e)),
            }
            continue;
        };
        target = Some(open.round);
        let order = round_order(s.t, role, &open).map_err(RoundError::read)?;
        // Still to rank: the holders counted in the round and not ranked yet,
        // in order (a member revoked after its rank keeps its place counted).
        let todo: Vec<Pubkey> =
            order.iter().filter(|(_, m, _)| m.rank_in(open.round).is_none()).map(|(k, _, _)| *k).collect();
        if todo.len() != (open.members - open.ranked) as usize {
            // A stale read of the members or the board: read again; if the
            // count never agrees, start the round over.
            mismatches += 1;
            if mismatches >= ROUND_ATTEMPTS / 2 {
                abandon(&mut s, role, open.round)?;
                target = None;
                mismatches = 0;
            }
            s.pause();
            continue;
        }
        progress(open.ranked, open.members);
        let keys = todo;
        let legacy_most = max_rank_batch(&s.t.fee_payer(), &crank_key, role);
        let one_legacy_batch = options.legacy_when_one_batch && keys.len() <= legacy_most;
        let (tables, most) = if options.lookup_tables && !keys.is_empty() && !one_legacy_batch {
            let (tables, sent) = prepare_lookup_tables(s.t, crank, role, &keys).map_err(RoundError::read)?;
            table_transactions += sent;
            let accounts: Vec<AddressLookupTableAccount> = tables.iter().map(LookupTable::account).collect();
            (accounts, max_lookup_rank_batch(&s.t.fee_payer(), &crank_key, role))
        } else {
            (Vec::new(), legacy_most)
        };
        let batch_size = if options.batch_size == 0 { most } else { options.batch_size.min(most) };
        let mut ranked = open.ranked;
        let mut settled = true;
        for chunk in keys.chunks(batch_size.max(1)) {
            if options.stopped() {
                return Err(RoundError::Stopped);
            }
            let ixs = rank_batch_instructions(&crank_key, role, open.round, chunk);
            let sent = if tables.is_empty() { s.send(&ixs) } else { s.send_v0(&ixs, &tables) };
            match sent {
                Ok(()) => {
                    batches += 1;
                    ranked += chunk.len() as u32;
                    progress(ranked, open.members);
                }
                Err(e) if e.is(PictorError::OrderViolation) && ranked == open.ranked => {
                    // The first member to rank does not follow the last one
                    // ranked: if fresh reads keep saying so, the facts moved
                    // under a round left open; start it over.
                    order_violations += 1;
                    if order_violations >= 3 {
                        abandon(&mut s, role, open.round)?;
                        target = None;
                        order_violations = 0;
                    }
                    settled = false;
                    break;
                }
                Err(e) if explained_by_a_stale_read(&e) => {
                    settled = false;
                    break;
                }
                Err(e) => return Err(RoundError::from_send(format!("rank_batch at rank {}", ranked + 1), e)),
            }
        }
        if settled {
            match s.send(&[ix::finalise_round(&crank_key, role, open.round)]) {
                Ok(()) => {}
                Err(e) if explained_by_a_stale_read(&e) => s.pause(),
                Err(e) => return Err(RoundError::from_send("finalise_round", e)),
            }
        }
    }
    Err(RoundError::Unreachable(format!(
        "the {} round did not settle after {ROUND_ATTEMPTS} reads of the chain",
        role.as_str()
    )))
}

/// What the crank may open, given the board (no round open).
enum ToOpen {
    /// Round number `n`, now.
    Now(u32),
    /// Nothing now; the next window that could open, if the schedule has one.
    Later(Option<ScheduledRound>),
}

/// The round the crank may open now: the board's next with the cadence off;
/// with it on, the current window's if it is open, still to come, after the
/// previous round closed, and (with `since`) at or after `since`.
fn next_round_to_open(t: &mut dyn Transport, board: &Board, since: Option<i64>) -> Result<ToOpen> {
    let config = read::config(t)?.ok_or(Error::NotInitialised)?;
    let (cadence_rules, anchor) = (&config.rules.cadence, &config.round_anchor);
    if !cadence_rules.is_on() {
        return Ok(ToOpen::Now(board.next_round));
    }
    let now = t.now()?;
    if let Some(s) = due_round(&config, board, now, since) {
        return Ok(ToOpen::Now(s.round));
    }
    // The next window: the first after now (or after `since`, whichever is later).
    let from = since.map_or(now, |since| now.max(since - 1));
    Ok(ToOpen::Later(cadence::next_after(cadence_rules, anchor, from)))
}

/// With the round cadence on, the scheduled round of `board`'s role that
/// may open at `now` ([`Board::due_round`], the program's rule) whose
/// snapshot is (with `since`) at or after `since`. `None` with the cadence
/// off (the board's next round opens whenever the crank asks).
pub fn due_round(config: &Config, board: &Board, now: i64, since: Option<i64>) -> Option<ScheduledRound> {
    board.due_round(config, now).filter(|s| since.is_none_or(|since| s.snapshot_ts >= since))
}

/// Sleeps until `next` opens, if the caller waits that long; else
/// [`RoundError::OutsideWindow`]. Polls the cluster clock every second (or
/// the stop flag).
fn wait_for(
    t: &mut dyn Transport,
    next: Option<ScheduledRound>,
    until: Option<std::time::Instant>,
    options: &RoundOptions,
) -> Result<(), RoundError> {
    let next_opens_ts = next.map(|n| n.snapshot_ts);
    let outside = RoundError::OutsideWindow { next_opens_ts };
    let (Some(until), Some(next)) = (until, next) else { return Err(outside) };
    loop {
        if options.stopped() {
            return Err(RoundError::Stopped);
        }
        let now = t.now().map_err(RoundError::read)?;
        if now >= next.snapshot_ts {
            return Ok(());
        }
        let left = std::time::Duration::from_secs(u64::try_from(next.snapshot_ts - now).unwrap_or(0));
        if std::time::Instant::now() + left > until + std::time::Duration::from_secs(1) {
            return Err(outside);
        }
        std::thread::sleep(left.min(std::time::Duration::from_secs(1)));
    }
}
