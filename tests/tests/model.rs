//! A stateful property test: random sequences of every instruction, run on
//! the in-process runtime and, side by side, on a small model of the spec
//! written here (its own scoring, eligibility, ranking and calendar: none
//! of the program's rule code). The model predicts each step's outcome,
//! success or the exact error, and after every step the chain must equal
//! the model: facts, passes (status, supply 1 or 0), scores, ranks,
//! priority flags, holder counts and invariants.
//!
//! Besides every instruction, the sequences change the oracle keys and the
//! oracle quorum (reports signed by too few, duplicate, strange or unsigned
//! oracles), switch the round cadence on and off (rounds open only inside
//! their windows, scores frozen at a window's time, late claims), and
//! abandon rounds that credited rewards (credits are final only when a
//! round is finalised).
//!
//! CI runs `MODEL_CASES` sequences (default 100) from a fixed seed; a
//! longer run: `MODEL_CASES=2000 cargo test -p pictor-vip-tests --test model
//! -- --nocapture`. A failing sequence is shrunk and saved under
//! `tests/tests/model.proptest-regressions`, which is replayed first on
//! every later run: commit it.
mod common;
use anchor_spl::token_2022::spl_token_2022::extension::StateWithExtensions;
use anchor_spl::token_2022::spl_token_2022::state::{Account as TokenAccount, Mint};
use common::*;
use pictor_vip::errors::PictorError;
use pictor_vip::instructions::Report;
use pictor_vip::state::{GpuTier, PassStatus, Role, RoundCadence, Rules, ScoringParams};
use pictor_vip_sdk::profile::role_status;
use pictor_vip_sdk::transport::{SendError, Transport};
use pictor_vip_sdk::{ix, pda};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, RngSeed, TestCaseError, TestRunner};
use solana_instruction::AccountMeta;
use solana_keypair::Keypair;
use solana_pubkey::Pubkey;
use solana_signer::Signer;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

const WALLETS: usize = 4;
const DAY: i64 = 86_400;

// ---------------------------------------------------------------- the model

/// A calendar month of a unix time, `year * 12 + month - 1`, from the
/// `time` crate (not the program's calendar code).
fn month_of(ts: i64) -> i64 {
    let d = time::OffsetDateTime::from_unix_timestamp(ts).unwrap();
    i64::from(d.year()) * 12 + i64::from(u8::from(d.month())) - 1
}

#[derive(Debug, Clone, Default)]
struct MMember {
    last_seq: u64,
    last_fact_ts: i64,
    deposited: u64,
    spent: u64,
    frames: u64,
    recharge_month: i64,
    month_recharged: u64,
    days: BTreeMap<u32, u16>,
    lifetime: u64,
    completed: u64,
    failed: u64,
    gpu: Option<(u16, u64)>,
    status: Status,
    serial: u32,
    first_round: u32,
    token_held: bool,
    /// Reward credited by finalised rounds and not withdrawn, in base units.
    reward: u64,
    /// A credit of a round not finalised yet: `(round, share)`.
    tentative: Option<(u32, u64)>,
    /// Score frozen or ranked in an open round: `(round, score)`.
    round_score: Option<(u32, i128)>,
    /// Entries per round: `(rank, score, priority)`.
    ranks: BTreeMap<u32, (u32, i128, bool)>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Status {
    #[default]
    None,
    Active,
    Revoked,
    Burned,
}

impl Status {
    fn chain(self) -> PassStatus {
        match self {
            Status::None => PassStatus::None,
            Status::Active => PassStatus::Active,
            Status::Revoked => PassStatus::Revoked,
            Status::Burned => PassStatus::Burned,
        }
    }
}

#[derive(Debug, Clone)]
struct MRound {
    round: u32,
    snapshot: i64,
    members: u32,
    priority: u32,
    ranked: u32,
    removed: u32,
    last: Option<(i128, u32)>,
    cutoff: Option<i128>,
    window: u16,
    tiers: Vec<GpuTier>,
    /// The round's reward: (amount, ranks, share, credited), base units.
    reward: (u64, u32, u64, u64),
    /// Which facts belong to the round's window: those that landed before it.
    cut: Cut,
}

/// A member's facts after a report landed: `(landed at, tick, facts)`.
type Landed = (i64, u64, MMember);

/// The facts a round ranks by (SPEC §5: the scores of its own window): with
/// the cadence on, those that landed before its scheduled time; with it
/// off, those that landed before it opened (step order: a fact of the same
/// second as the open may land on either side).
#[derive(Debug, Clone, Copy)]
enum Cut {
    Time(i64),
    Tick(u64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct MFinal {
    round: u32,
    members: u32,
    priority: u32,
    removed: u32,
    cutoff: Option<i128>,
}

#[derive(Debug, Clone)]
struct MBoard {
    issued: u64,
    active: u32,
    next_round: u32,
    open: Option<MRound>,
    finalised: Option<MFinal>,
    /// Rank rewards: funded yet, pending, its K, carry, liability, funded
    /// total, withdrawn total (base units).
    funded: bool,
    pending: u64,
    top_k: u32,
    carry: u64,
    liability: u64,
    funded_total: u64,
    withdrawn_total: u64,
    /// When the last round was finalised or abandoned.
    last_closed: i64,
}

#[derive(Debug, Clone)]
struct Model {
    now: i64,
    paused: bool,
    rules: Rules,
    members: BTreeMap<(Role, usize), MMember>,
    boards: [MBoard; 2],
    /// The configured oracle keys, as indexes into the world's key pool, in the config's order.
    oracles: Vec<usize>,
    /// The cadence's anchor: `(window, round)`.
    anchor: (u64, u32),
    /// Every member's facts after each report that landed: `(landed at,
    /// tick, facts)`, the ground truth a round's scores are checked against.
    history: BTreeMap<(Role, usize), Vec<Landed>>,
    /// Counts landed reports and opened rounds (the order of steps).
    tick: u64,
    /// A round ranked a member by a score not of its own window's facts.
    violation: Option<String>,
}

fn today(now: i64) -> u32 {
    (now / DAY) as u32
}

fn creator_score(m: &MMember, at: i64) -> i128 {
    let recharged = if m.recharge_month == month_of(at) { m.month_recharged } else { 0 };
    i128::from(recharged / 1_000_000) + i128::from(m.frames) + 100
}

fn worker_score(m: &MMember, at: i64, window: u16, tiers: &[GpuTier]) -> i128 {
    let t = today(at);
    let minutes: u64 = (t - u32::from(window)..t).map(|d| u64::from(m.days.get(&d).copied().unwrap_or(0))).sum();
    let uptime = i128::from(minutes / (u64::from(window) * 60));
    let jobs = 5 * i128::from(m.completed) - 10 * i128::from(m.failed);
    let multiplier = m
        .gpu
        .and_then(|(vram, hash)| {
            tiers.iter().filter(|t| vram >= t.min_vram_gb && hash >= t.min_hashpower).map(|t| t.multiplier_bps).max()
        })
        .unwrap_or(10_000);
    let gpu = i128::from(m.lifetime / 6_000) * 10 * i128::from(multiplier) / 10_000;
    uptime + jobs + gpu + 100
}

fn score(role: Role, m: &MMember, at: i64, window: u16, tiers: &[GpuTier]) -> i128 {
    match role {
        Role::Creator => creator_score(m, at),
        Role::Worker => worker_score(m, at, window, tiers),
    }
}

fn eligible(role: Role, m: &MMember, rules: &Rules, now: i64) -> bool {
    match role {
        Role::Creator => m.spent >= rules.creator_min_spent_base_units,
        Role::Worker => {
            let t = today(now);
            let window = u32::from(rules.scoring.worker_window_days);
            let (mut total, mut run, mut longest) = (0u64, 0u16, 0u16);
            for d in t - window..t {
                let minutes = m.days.get(&d).copied().unwrap_or(0);
                total += u64::from(minutes);
                run = if minutes == 0 { run + 1 } else { 0 };
                longest = longest.max(run);
            }
            total >= u64::from(window) * u64::from(rules.worker_min_daily_uptime_minutes)
                && longest <= rules.worker_max_offline_run_days
        }
    }
}

fn priority_count(members: u32, bps: u16) -> u32 {
    if members == 0 {
        0
    } else {
        ((u64::from(members) * u64::from(bps)).div_ceil(10_000) as u32).clamp(1, members)
    }
}

fn board_index(role: Role) -> usize {
    role as usize
}

impl Model {
    fn new(now: i64) -> Self {
        let board = MBoard {
            issued: 0,
            active: 0,
            next_round: 1,
            open: None,
            finalised: None,
            funded: false,
            pending: 0,
            top_k: 0,
            carry: 0,
            liability: 0,
            funded_total: 0,
            withdrawn_total: 0,
            last_closed: 0,
        };
        Model {
            now,
            paused: false,
            rules: Rules::default(),
            members: BTreeMap::new(),
            boards: [board.clone(), board],
            oracles: vec![0],
            anchor: (0, 1),
            history: BTreeMap::new(),
            tick: 0,
            violation: None,
        }
    }

    // ------------------------------------------------ the cadence, written again here

    /// The window `ts` falls in (scheduled at or before it).
    fn window_of(c: &RoundCadence, ts: i64) -> Option<u64> {
        let (p, o) = (i64::from(c.period_secs), i64::from(c.offset_secs));
        (p > 0 && ts >= o).then(|| ((ts - o) / p) as u64)
    }

    fn scheduled_ts(c: &RoundCadence, window: u64) -> i64 {
        i64::from(c.offset_secs) + window as i64 * i64::from(c.period_secs)
    }

    /// The round number of a window, if it has one.
    fn number(&self, window: u64) -> Option<u32> {
        (window >= self.anchor.0).then(|| self.anchor.1 + (window - self.anchor.0) as u32)
    }

    /// The round the cadence lets open now and its scheduled time.
    fn open_now(&self) -> Option<(u32, i64)> {
        self.open_now_under(&self.rules.cadence)
    }

    /// [`Model::open_now`] under cadence `c` (on the current numbering).
    fn open_now_under(&self, c: &RoundCadence) -> Option<(u32, i64)> {
        let k = Self::window_of(c, self.now)?;
        let t = Self::scheduled_ts(c, k);
        (self.now < t + i64::from(c.open_window_secs)).then(|| self.number(k).map(|n| (n, t))).flatten()
    }

    /// The round whose scores no report may move now (open, or scheduled
    /// and due), with its snapshot time.
    fn pending(&self, role: Role) -> Option<(u32, i64)> {
        let b = &self.boards[board_index(role)];
        if let Some(open) = &b.open {
            return Some((open.round, open.snapshot));
        }
        self.due_under(role, &self.rules.cadence)
    }

    /// The scheduled round of `role` due now under cadence `c` (no round open).
    fn due_under(&self, role: Role, c: &RoundCadence) -> Option<(u32, i64)> {
        let b = &self.boards[board_index(role)];
        let counting = |n: u32| {
            self.members.iter().any(|((r, _), m)| *r == role && m.status == Status::Active && m.first_round <= n)
        };
        self.open_now_under(c).filter(|(n, t)| *n >= b.next_round && b.last_closed < *t && counting(*n))
    }

    /// The first round a pass claimed now counts in.
    fn first_round(&self, role: Role) -> u32 {
        let next = self.boards[board_index(role)].next_round;
        let c = &self.rules.cadence;
        if c.period_secs == 0 {
            return next;
        }
        let k = Self::window_of(c, self.now).map_or(0, |k| k + 1).max(self.anchor.0);
        self.number(k).unwrap().max(next)
    }

    fn board(&mut self, role: Role) -> &mut MBoard {
        &mut self.boards[board_index(role)]
    }

    fn counts(m: &MMember, round: u32) -> bool {
        m.status == Status::Active && m.first_round <= round
    }

    /// The model's order of the members still to rank in the open round.
    fn remaining_order(&self, role: Role) -> Vec<(usize, i128, u32)> {
        let Some(open) = &self.boards[board_index(role)].open else { return Vec::new() };
        let mut out: Vec<(usize, i128, u32)> = self
            .members
            .iter()
            .filter(|((r, _), m)| *r == role && Self::counts(m, open.round) && !m.ranks.contains_key(&open.round))
            .map(|((_, w), m)| {
                let s = match m.round_score {
                    Some((round, s)) if round == open.round => s,
                    _ => score(role, m, open.snapshot, open.window, &open.tiers),
                };
                (*w, s, m.serial)
            })
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
        out
    }

    fn report(&mut self, role: Role, w: usize, seq: u64, fact_ts: i64, report: &Report) -> Result<(), PictorError> {
        if self.paused {
            return Err(PictorError::Paused);
        }
        if seq == 0 {
            return Err(PictorError::SequenceZero);
        }
        if fact_ts > self.now + i64::from(self.rules.max_fact_skew_secs) {
            return Err(PictorError::FactTimeInFuture);
        }
        let now = self.now;
        let rules = self.rules.clone();
        let open = self.boards[board_index(role)].open.clone();
        let pending = self.pending(role);
        let mut m = self.members.get(&(role, w)).cloned().unwrap_or_default();
        if seq <= m.last_seq {
            return Err(PictorError::ReportAlreadyApplied);
        }
        if fact_ts < m.last_fact_ts {
            return Err(PictorError::FactTimeBeforePrevious);
        }
        if let Some((round, snapshot)) = pending {
            let frozen = matches!(m.round_score, Some((r, _)) if r == round);
            if Self::counts(&m, round) && !frozen {
                let (window, tiers) = match &open {
                    Some(o) => (o.window, o.tiers.clone()),
                    None => (rules.scoring.worker_window_days, rules.scoring.gpu_tiers.clone()),
                };
                m.round_score = Some((round, score(role, &m, snapshot, window, &tiers)));
            }
        }
        let add = |a: u64, b: u64| a.checked_add(b).ok_or(PictorError::Overflow);
        match report {
            Report::Recharge { amount_base_units: a } => {
                if *a == 0 {
                    return Err(PictorError::ZeroAmount);
                }
                let month = month_of(fact_ts);
                let month_total = if m.recharge_month == month { m.month_recharged } else { 0 };
                m.deposited = add(m.deposited, *a)?;
                m.month_recharged = add(month_total, *a)?;
                m.recharge_month = month;
            }
            Report::Spend { amount_base_units: a } => {
                if *a == 0 {
                    return Err(PictorError::ZeroAmount);
                }
                let spent = add(m.spent, *a)?;
                if spent > m.deposited {
                    return Err(PictorError::SpendingExceedsDeposits);
                }
                m.spent = spent;
            }
            Report::Frames { frames } => {
                if *frames == 0 {
                    return Err(PictorError::ZeroAmount);
                }
                m.frames = add(m.frames, *frames)?;
            }
            Report::WorkerDay { day_index, uptime_minutes, frames_completed, jobs_failed } => {
                let t = today(now);
                if *uptime_minutes > 1_440 {
                    return Err(PictorError::UptimeExceedsDay);
                }
                if *day_index >= today(fact_ts) {
                    return Err(PictorError::DayNotCompleted);
                }
                if *day_index < t.saturating_sub(u32::from(rules.scoring.worker_window_days)) {
                    return Err(PictorError::DayOutsideWindow);
                }
                if m.days.contains_key(day_index) {
                    return Err(PictorError::DayAlreadyReported);
                }
                m.lifetime = add(m.lifetime, u64::from(*uptime_minutes))?;
                m.completed = add(m.completed, *frames_completed)?;
                m.failed = add(m.failed, *jobs_failed)?;
                m.days.insert(*day_index, *uptime_minutes);
            }
            Report::Gpu { model, vram_gb, hashpower } => {
                if model.len() > 32 {
                    return Err(PictorError::GpuModelTooLong);
                }
                m.gpu = Some((*vram_gb, *hashpower));
            }
        }
        m.last_seq = seq;
        m.last_fact_ts = fact_ts;
        self.history.entry((role, w)).or_default().push((now, self.tick, m.clone()));
        self.tick += 1;
        self.members.insert((role, w), m);
        Ok(())
    }

    /// The member's score in `round` by the facts of its window alone,
    /// from the history (never a frozen or stored score).
    fn truth(&self, role: Role, w: usize, round: &MRound) -> i128 {
        let before = |&&(landed, tick, _): &&Landed| match round.cut {
            Cut::Time(t) => landed < t,
            Cut::Tick(n) => tick < n,
        };
        let facts = self.history.get(&(role, w)).and_then(|h| h.iter().rev().find(before)).map(|e| e.2.clone());
        score(role, &facts.unwrap_or_default(), round.snapshot, round.window, &round.tiers)
    }

    fn claim(&mut self, role: Role, w: usize) -> Result<(), PictorError> {
        if self.paused {
            return Err(PictorError::Paused);
        }
        let rules = self.rules.clone();
        let now = self.now;
        let Some(m) = self.members.get(&(role, w)) else { return Err(PictorError::MemberNotFound) };
        match m.status {
            Status::Active => return Err(PictorError::PassAlreadyClaimed),
            Status::Revoked => return Err(PictorError::MemberRevoked),
            Status::None | Status::Burned => {}
        }
        if !eligible(role, m, &rules, now) {
            return Err(PictorError::NotEligible);
        }
        let first_round = self.first_round(role);
        let board = self.board(role);
        board.issued += 1;
        board.active += 1;
        let serial = board.issued as u32;
        let m = self.members.get_mut(&(role, w)).unwrap();
        m.status = Status::Active;
        m.serial = serial;
        m.first_round = first_round;
        m.token_held = true;
        Ok(())
    }

    /// Takes an active pass out (revoke, or sync of a burned pass).
    fn close_pass(&mut self, role: Role, w: usize) {
        let m = self.members.get(&(role, w)).unwrap().clone();
        let board = self.board(role);
        board.active -= 1;
        // A credit of the open round is taken back: it leaves before the round is final.
        if let (Some(open), Some((round, share))) = (board.open.as_mut(), m.tentative) {
            if open.round == round {
                open.reward.3 -= share;
            }
        }
        if let Some(open) = board.open.as_mut() {
            if Self::counts(&m, open.round) && !m.ranks.contains_key(&open.round) {
                open.members -= 1;
                open.removed += 1;
                open.priority = open.priority.min(open.members);
                if open.cutoff.is_none() && open.priority > 0 && open.ranked == open.priority {
                    open.cutoff = open.last.map(|l| l.0);
                }
            }
        }
        let m = self.members.get_mut(&(role, w)).unwrap();
        m.token_held = false;
        m.ranks.clear();
        m.round_score = None;
        m.tentative = None;
    }

    fn sync(&mut self, role: Role, w: usize) -> Result<(), PictorError> {
        if self.paused {
            return Err(PictorError::Paused);
        }
        let Some(m) = self.members.get(&(role, w)) else { return Err(PictorError::MemberNotFound) };
        if m.status != Status::Active {
            return Err(PictorError::NoActivePass);
        }
        if m.token_held {
            return Err(PictorError::PassStillHeld);
        }
        self.close_pass(role, w);
        self.members.get_mut(&(role, w)).unwrap().status = Status::Burned;
        Ok(())
    }

    fn revoke(&mut self, role: Role, w: usize) -> Result<(), PictorError> {
        let Some(m) = self.members.get(&(role, w)) else { return Err(PictorError::MemberNotFound) };
        match m.status {
            Status::Revoked => return Err(PictorError::AlreadyRevoked),
            Status::Active => self.close_pass(role, w),
            Status::None | Status::Burned => {}
        }
        let m = self.members.get_mut(&(role, w)).unwrap();
        m.status = Status::Revoked;
        m.ranks.clear();
        m.round_score = None;
        // Fraud forfeits the reward balance back to the vault's carry.
        let forfeited = std::mem::take(&mut m.reward);
        let board = self.board(role);
        board.liability -= forfeited;
        board.carry += forfeited;
        Ok(())
    }

    fn fund(&mut self, role: Role, amount: u64, top_k: u32) -> Result<(), PictorError> {
        if amount == 0 {
            return Err(PictorError::ZeroAmount);
        }
        let board = self.board(role);
        board.funded = true;
        board.pending += amount + std::mem::take(&mut board.carry);
        board.top_k = top_k;
        board.funded_total += amount;
        Ok(())
    }

    fn withdraw(&mut self, role: Role, w: usize) -> Result<(), PictorError> {
        if !self.boards[board_index(role)].funded {
            return Err(PictorError::NoRewardsYet);
        }
        let Some(m) = self.members.get_mut(&(role, w)) else { return Err(PictorError::MemberNotFound) };
        let amount = std::mem::take(&mut m.reward);
        if amount == 0 {
            return Err(PictorError::NothingToWithdraw);
        }
        let board = self.board(role);
        board.liability -= amount;
        board.withdrawn_total += amount;
        Ok(())
    }

    fn reinstate(&mut self, role: Role, w: usize) -> Result<(), PictorError> {
        let Some(m) = self.members.get_mut(&(role, w)) else { return Err(PictorError::MemberNotFound) };
        if m.status != Status::Revoked {
            return Err(PictorError::MemberNotRevoked);
        }
        m.status = Status::None;
        Ok(())
    }

    /// The round number an honest crank asks to open now.
    fn round_to_open(&self, role: Role) -> u32 {
        let next = self.boards[board_index(role)].next_round;
        if self.rules.cadence.period_secs == 0 {
            return next;
        }
        self.open_now().map_or(next, |(n, _)| n)
    }

    fn open(&mut self, role: Role, round: u32) -> Result<(), PictorError> {
        if self.paused {
            return Err(PictorError::Paused);
        }
        let (now, rules) = (self.now, self.rules.clone());
        if self.boards[board_index(role)].open.is_some() {
            return Err(PictorError::RoundInProgress);
        }
        let next = self.boards[board_index(role)].next_round;
        let cut = if rules.cadence.period_secs > 0 { None } else { Some(Cut::Tick(self.tick)) };
        let snapshot = if rules.cadence.period_secs > 0 {
            let Some((n, t)) = self.open_now() else { return Err(PictorError::OutsideRoundWindow) };
            if round != n || n < next {
                return Err(PictorError::WrongRound);
            }
            if self.boards[board_index(role)].last_closed >= t {
                return Err(PictorError::PreviousRoundOverran);
            }
            t
        } else {
            if round != next {
                return Err(PictorError::WrongRound);
            }
            now
        };
        let members = self
            .members
            .iter()
            .filter(|((r, _), m)| *r == role && m.status == Status::Active && m.first_round <= round)
            .count() as u32;
        let board = self.board(role);
        let priority = priority_count(members, rules.priority_bps);
        let amount = std::mem::take(&mut board.pending);
        let k = if board.top_k == 0 { priority } else { board.top_k };
        let ranks = if amount == 0 { 0 } else { k.min(members) };
        let share = if ranks == 0 { 0 } else { amount / u64::from(ranks) };
        board.open = Some(MRound {
            round,
            snapshot,
            members,
            priority: priority_count(members, rules.priority_bps),
            ranked: 0,
            removed: 0,
            last: None,
            cutoff: None,
            window: rules.scoring.worker_window_days,
            tiers: rules.scoring.gpu_tiers.clone(),
            reward: (amount, ranks, share, 0),
            cut: cut.unwrap_or(Cut::Time(snapshot)),
        });
        board.next_round = round + 1;
        self.tick += 1;
        Ok(())
    }

    /// Ranks the wallets given, in the order given (the crank's claim).
    fn rank(&mut self, role: Role, wallets: &[usize]) -> Result<(), PictorError> {
        if self.paused {
            return Err(PictorError::Paused);
        }
        let Some(open) = self.boards[board_index(role)].open.clone() else { return Err(PictorError::NoOpenRound) };
        if wallets.is_empty() || open.ranked + wallets.len() as u32 > open.members {
            return Err(PictorError::BatchTooLarge);
        }
        let mut next = open.clone();
        let mut entries = Vec::new();
        let mut violation = None;
        for w in wallets {
            let Some(m) = self.members.get(&(role, *w)) else { return Err(PictorError::MemberNotFound) };
            if !Self::counts(m, open.round) {
                return Err(PictorError::NotRoundMember);
            }
            if m.ranks.contains_key(&open.round) {
                return Err(PictorError::AlreadyRanked);
            }
            let s = match m.round_score {
                Some((round, s)) if round == open.round => s,
                _ => score(role, m, open.snapshot, open.window, &open.tiers),
            };
            let truth = self.truth(role, *w, &open);
            if s != truth {
                violation.get_or_insert(format!(
                    "round {} of {role:?} ranks w{w} by {s}, its window's facts give {truth}",
                    open.round
                ));
            }
            if let Some((ls, lserial)) = next.last {
                if !(s < ls || (s == ls && m.serial > lserial)) {
                    return Err(PictorError::OrderViolation);
                }
            }
            next.ranked += 1;
            next.last = Some((s, m.serial));
            if next.ranked == next.priority {
                next.cutoff = Some(s);
            }
            entries.push((*w, (next.ranked, s, next.ranked <= next.priority)));
        }
        if self.violation.is_none() {
            self.violation = violation;
        }
        for (w, e) in entries {
            let m = self.members.get_mut(&(role, w)).unwrap();
            m.ranks.insert(open.round, e);
            m.round_score = Some((open.round, e.1));
            let (_, ranks, share, _) = next.reward;
            if e.0 <= ranks && share > 0 {
                // Tentative: it becomes the member's when the round is finalised.
                m.tentative = Some((open.round, share));
                next.reward.3 += share;
            }
        }
        self.board(role).open = Some(next);
        Ok(())
    }

    fn finalise(&mut self, role: Role) -> Result<(), PictorError> {
        let now = self.now;
        let board = self.board(role);
        let Some(open) = board.open.clone() else { return Err(PictorError::NoOpenRound) };
        if open.ranked != open.members {
            return Err(PictorError::RoundIncomplete);
        }
        board.finalised = Some(MFinal {
            round: open.round,
            members: open.members,
            priority: open.priority,
            removed: open.removed,
            cutoff: open.cutoff,
        });
        board.open = None;
        board.carry += open.reward.0 - open.reward.3;
        board.liability += open.reward.3;
        board.last_closed = now;
        // Its credits are the members' now.
        for ((r, _), m) in self.members.iter_mut() {
            if *r == role && m.tentative.is_some_and(|(round, _)| round == open.round) {
                m.reward += m.tentative.take().unwrap().1;
            }
        }
        Ok(())
    }

    fn abandon(&mut self, role: Role) -> Result<(), PictorError> {
        let now = self.now;
        let board = self.board(role);
        let Some(open) = board.open.take() else { return Err(PictorError::NoOpenRound) };
        // Nothing it credited stands: its whole funding goes back.
        board.pending += open.reward.0;
        board.last_closed = now;
        for ((r, _), m) in self.members.iter_mut() {
            if *r == role && m.tentative.is_some_and(|(round, _)| round == open.round) {
                m.tentative = None;
            }
        }
        Ok(())
    }

    /// `update_config` with rule set `rules`, whose own validation gives `invalid`.
    fn update_rules(&mut self, rules: &Rules, invalid: Option<PictorError>) -> Result<(), PictorError> {
        let (old, new) = (self.rules.cadence, rules.cadence);
        // Judged under the old cadence and, when it keeps the same
        // schedule (only the open part differs), under the new one too.
        let same_schedule = old.period_secs > 0
            && new.period_secs > 0
            && (old.period_secs, old.offset_secs) == (new.period_secs, new.offset_secs);
        let due = Role::ALL.iter().any(|r| {
            self.boards[board_index(*r)].open.is_none()
                && (self.due_under(*r, &old).is_some() || (same_schedule && self.due_under(*r, &new).is_some()))
        });
        if due {
            return Err(PictorError::ScheduledRoundPending);
        }
        if let Some(e) = invalid {
            return Err(e);
        }
        if usize::from(rules.oracle_quorum) > self.oracles.len() {
            return Err(PictorError::OracleQuorumExceedsOracles);
        }
        if old != new {
            // One line of numbers: above every round so far and every
            // window of the old cadence whose time has come, for both roles.
            let mut round = self.boards.iter().map(|b| b.next_round).max().unwrap().max(1);
            if let Some(n) = Self::window_of(&old, self.now).and_then(|k| self.number(k)) {
                round = round.max(n + 1);
            }
            self.anchor = (Self::window_of(&new, self.now).map_or(0, |k| k + 1), round);
            for b in self.boards.iter_mut() {
                b.next_round = b.next_round.max(round);
            }
        }
        self.rules = rules.clone();
        Ok(())
    }
}

// ---------------------------------------------------------------- the steps

#[derive(Debug, Clone, Copy)]
enum Seq {
    Next,
    Gap,
    Replay,
    Zero,
}

/// A report's fact time is `now + fact` seconds: mostly now; an hour
/// earlier (before the member's previous fact, often); 5 or 11 minutes ahead
/// (inside or beyond the default 10-minute skew).
#[derive(Debug, Clone)]
enum Op {
    Recharge {
        w: usize,
        seq: Seq,
        amount: u64,
        fact: i64,
    },
    Spend {
        w: usize,
        seq: Seq,
        amount: u64,
        fact: i64,
    },
    Frames {
        w: usize,
        seq: Seq,
        frames: u64,
        fact: i64,
    },
    WorkerDay {
        w: usize,
        seq: Seq,
        days_ago: u32,
        minutes: u16,
        completed: u64,
        failed: u64,
        fact: i64,
    },
    Gpu {
        w: usize,
        seq: Seq,
        name_len: usize,
        vram: u16,
        hash: u64,
        fact: i64,
    },
    /// Every missing day of the window, 1,000 minutes each, one report each.
    FillWindow {
        w: usize,
    },
    /// A recharge and a spend of 6,000 USDT each (eligible under every rule set).
    SpendEnough {
        w: usize,
    },
    /// Facts that make the wallet eligible (as above), then its claim.
    Holder {
        w: usize,
        role: Role,
    },
    /// The holder burns its pass, then someone syncs it.
    BurnAndSync {
        w: usize,
        role: Role,
    },
    /// Open (unless open), rank everyone in batches of `n`, finalise.
    FullRound {
        role: Role,
        n: usize,
    },
    ReportByStranger {
        w: usize,
    },
    Claim {
        w: usize,
        role: Role,
    },
    Burn {
        w: usize,
        role: Role,
    },
    Sync {
        w: usize,
        role: Role,
    },
    Revoke {
        w: usize,
        role: Role,
        by_admin: bool,
    },
    Reinstate {
        w: usize,
        role: Role,
    },
    /// Open a round, asking for the number an honest crank would ask for, plus `skew`.
    Open {
        role: Role,
        by_crank: bool,
        skew: i8,
    },
    Rank {
        role: Role,
        n: usize,
    },
    RankReversed {
        role: Role,
    },
    RankOutsider {
        role: Role,
        w: usize,
    },
    Finalise {
        role: Role,
    },
    Abandon {
        role: Role,
    },
    Pause(bool),
    UpdateRules(usize),
    /// The admin adds key `j` of the pool as an oracle.
    AddOracle {
        j: usize,
    },
    /// The admin removes key `j` of the pool.
    RemoveOracle {
        j: usize,
    },
    /// A creator frames report signed in the pattern `signers`.
    ReportSigned {
        w: usize,
        signers: Signers,
    },
    /// Fund, open, rank a first batch (crediting), then abandon.
    AbandonCredited {
        role: Role,
    },
    RotateCrank,
    /// The admin funds the next round of a role.
    Fund {
        role: Role,
        amount: u64,
        top_k: u32,
    },
    /// A wallet withdraws its reward balance.
    Withdraw {
        w: usize,
        role: Role,
    },
    /// Fund, run a full round, then every wallet tries to withdraw.
    RewardedRound {
        role: Role,
        top_k: u32,
    },
    Advance {
        minutes: i64,
    },
    /// The clock moves to `secs` seconds after the cadence's next scheduled
    /// window (inside its open part or past it); 30 minutes with the cadence off.
    ToNextWindow {
        secs: i64,
    },
    /// The next window passes unopened while creator `w` reports in its open
    /// part (freezing its score there, if it holds a pass).
    MissWindow {
        w: usize,
    },
    /// `update_config` to one of the rule sets that only change the cadence.
    ChangeCadence(usize),
}

/// Who signs a report's transaction.
#[derive(Debug, Clone, Copy)]
enum Signers {
    /// The first `oracle_quorum` oracle keys of the config.
    Quorum,
    /// Every oracle key of the config.
    All,
    /// One oracle key fewer than the quorum (at least one).
    TooFew,
    /// The first oracle key, named twice.
    Duplicate,
    /// The first oracle key and a key that is no oracle.
    Stranger,
    /// The first oracle key and another oracle key named without its signature.
    Unsigned,
}

/// The rule sets `update_config` switches between, with the error their own
/// validation gives (the quorum against the oracle keys is the model's to judge).
fn rule_sets() -> Vec<(Rules, Option<PictorError>)> {
    let default = Rules::default();
    let short = Rules {
        creator_min_spent_base_units: 1_000 * USDT,
        worker_min_daily_uptime_minutes: 600,
        worker_max_offline_run_days: 2,
        priority_bps: 2_500,
        max_fact_skew_secs: 300,
        scoring: ScoringParams { worker_window_days: 20, gpu_tiers: default.scoring.gpu_tiers.clone() },
        ..Rules::default()
    };
    let all_priority = Rules {
        priority_bps: 10_000,
        scoring: ScoringParams {
            worker_window_days: 45,
            gpu_tiers: vec![
                GpuTier { min_vram_gb: 0, min_hashpower: 0, multiplier_bps: 10_000 },
                GpuTier { min_vram_gb: 24, min_hashpower: 500, multiplier_bps: 30_000 },
            ],
        },
        ..Rules::default()
    };
    let invalid_priority = Rules { priority_bps: 0, ..Rules::default() };
    let invalid_window =
        Rules { scoring: ScoringParams { worker_window_days: 61, gpu_tiers: Vec::new() }, ..Rules::default() };
    // Rounds every hour at minute 10, open for 20 minutes.
    let hourly = RoundCadence { period_secs: 3_600, open_window_secs: 1_200, offset_secs: 600 };
    let cadence = Rules { cadence: hourly, ..Rules::default() };
    // Every 2 h at minute 0, open for an hour, with two oracles signing.
    let two_hourly = RoundCadence { period_secs: 7_200, open_window_secs: 3_600, offset_secs: 0 };
    let cadence_quorum = Rules { cadence: two_hourly, oracle_quorum: 2, ..short.clone() };
    let quorum_three = Rules { oracle_quorum: 3, ..Rules::default() };
    let invalid_quorum = Rules { oracle_quorum: 9, ..Rules::default() };
    let invalid_cadence = Rules { cadence: RoundCadence { open_window_secs: 0, ..hourly }, ..Rules::default() };
    // The hourly schedule with a wider and a narrower open part, another
    // offset, and every 90 minutes: every kind of reschedule.
    let wider = Rules { cadence: RoundCadence { open_window_secs: 2_400, ..hourly }, ..Rules::default() };
    let narrower = Rules { cadence: RoundCadence { open_window_secs: 300, ..hourly }, ..Rules::default() };
    let shifted = Rules { cadence: RoundCadence { offset_secs: 1_800, ..hourly }, ..Rules::default() };
    let ninety = Rules {
        cadence: RoundCadence { period_secs: 5_400, open_window_secs: 900, offset_secs: 0 },
        ..Rules::default()
    };
    let mut unsorted_tiers = Rules::default();
    unsorted_tiers.scoring.gpu_tiers.swap(1, 2);
    vec![
        (default, None),
        (short, None),
        (all_priority, None),
        (invalid_priority, Some(PictorError::PriorityBpsOutOfRange)),
        (invalid_window, Some(PictorError::WindowOutOfRange)),
        (cadence, None),
        (cadence_quorum, None),
        (quorum_three, None),
        (invalid_quorum, Some(PictorError::OracleQuorumOutOfRange)),
        (invalid_cadence, Some(PictorError::CadenceOpenWindowOutOfRange)),
        (unsorted_tiers, Some(PictorError::GpuTiersNotAscending)),
        (wider, None),
        (narrower, None),
        (shifted, None),
        (ninety, None),
    ]
}

/// The rule sets that differ from the default only by their cadence (off,
/// hourly, wider, narrower, shifted, every 90 minutes).
fn cadence_sets() -> Vec<usize> {
    let default = Rules::default();
    rule_sets()
        .iter()
        .enumerate()
        .filter(|(_, (r, invalid))| invalid.is_none() && Rules { cadence: default.cadence, ..r.clone() } == default)
        .map(|(i, _)| i)
        .collect()
}

/// Oracle keys the world may configure (the first is the initial oracle).
const ORACLE_POOL: usize = 4;

fn role_strategy() -> impl Strategy<Value = Role> {
    prop_oneof![Just(Role::Creator), Just(Role::Worker)]
}

fn seq_strategy() -> impl Strategy<Value = Seq> {
    prop_oneof![8 => Just(Seq::Next), 1 => Just(Seq::Gap), 1 => Just(Seq::Replay), 1 => Just(Seq::Zero)]
}

fn fact_strategy() -> impl Strategy<Value = i64> {
    prop_oneof![12 => Just(0i64), 1 => Just(-3_600), 1 => Just(300), 1 => Just(660)]
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let w = 0..WALLETS;
    let amount = prop_oneof![
        Just(0u64),
        Just(USDT),
        Just(1_000 * USDT),
        Just(5_000 * USDT),
        Just(123_456_789u64),
        Just(u64::MAX - 1),
    ];
    prop_oneof![
        6 => (w.clone(), seq_strategy(), amount.clone(), fact_strategy())
            .prop_map(|(w, seq, amount, fact)| Op::Recharge { w, seq, amount, fact }),
        5 => (w.clone(), seq_strategy(), amount, fact_strategy())
            .prop_map(|(w, seq, amount, fact)| Op::Spend { w, seq, amount, fact }),
        3 => (w.clone(), seq_strategy(), prop_oneof![Just(0u64), 1u64..500, Just(u64::MAX)], fact_strategy())
            .prop_map(|(w, seq, frames, fact)| Op::Frames { w, seq, frames, fact }),
        6 => (w.clone(), seq_strategy(), 0u32..50, prop_oneof![Just(0u16), Just(600), Just(1_000), Just(1_440), Just(1_441)], 0u64..20, 0u64..5, fact_strategy())
            .prop_map(|(w, seq, days_ago, minutes, completed, failed, fact)| Op::WorkerDay { w, seq, days_ago, minutes, completed, failed, fact }),
        2 => (w.clone(), seq_strategy(), prop_oneof![Just(5usize), Just(32), Just(33)], prop_oneof![Just(8u16), Just(16), Just(24), Just(48)], prop_oneof![Just(0u64), Just(600)], fact_strategy())
            .prop_map(|(w, seq, name_len, vram, hash, fact)| Op::Gpu { w, seq, name_len, vram, hash, fact }),
        4 => w.clone().prop_map(|w| Op::FillWindow { w }),
        4 => w.clone().prop_map(|w| Op::SpendEnough { w }),
        1 => w.clone().prop_map(|w| Op::ReportByStranger { w }),
        6 => (w.clone(), role_strategy()).prop_map(|(w, role)| Op::Claim { w, role }),
        5 => (w.clone(), role_strategy()).prop_map(|(w, role)| Op::Holder { w, role }),
        2 => (w.clone(), role_strategy()).prop_map(|(w, role)| Op::BurnAndSync { w, role }),
        4 => (role_strategy(), 1usize..6).prop_map(|(role, n)| Op::FullRound { role, n }),
        2 => (w.clone(), role_strategy()).prop_map(|(w, role)| Op::Burn { w, role }),
        2 => (w.clone(), role_strategy()).prop_map(|(w, role)| Op::Sync { w, role }),
        2 => (w.clone(), role_strategy(), prop::bool::weighted(0.8)).prop_map(|(w, role, by_admin)| Op::Revoke { w, role, by_admin }),
        1 => (w.clone(), role_strategy()).prop_map(|(w, role)| Op::Reinstate { w, role }),
        3 => (role_strategy(), prop::bool::weighted(0.9), prop_oneof![8 => Just(0i8), 1 => Just(1), 1 => Just(-1)])
            .prop_map(|(role, by_crank, skew)| Op::Open { role, by_crank, skew }),
        8 => (role_strategy(), 1usize..4).prop_map(|(role, n)| Op::Rank { role, n }),
        1 => role_strategy().prop_map(|role| Op::RankReversed { role }),
        1 => (role_strategy(), w.clone()).prop_map(|(role, w)| Op::RankOutsider { role, w }),
        3 => role_strategy().prop_map(|role| Op::Finalise { role }),
        1 => role_strategy().prop_map(|role| Op::Abandon { role }),
        1 => prop::bool::weighted(0.4).prop_map(Op::Pause),
        4 => (0..rule_sets().len()).prop_map(Op::UpdateRules),
        1 => (0..ORACLE_POOL).prop_map(|j| Op::AddOracle { j }),
        1 => (0..ORACLE_POOL).prop_map(|j| Op::RemoveOracle { j }),
        2 => (w.clone(), prop_oneof![Just(Signers::Quorum), Just(Signers::All), Just(Signers::TooFew), Just(Signers::Duplicate), Just(Signers::Stranger), Just(Signers::Unsigned)])
            .prop_map(|(w, signers)| Op::ReportSigned { w, signers }),
        2 => role_strategy().prop_map(|role| Op::AbandonCredited { role }),
        1 => Just(Op::RotateCrank),
        3 => (role_strategy(), prop_oneof![Just(0u64), Just(1), Just(1_000_001), Just(5 * USDT)], prop_oneof![Just(0u32), Just(1), Just(2), Just(5)])
            .prop_map(|(role, amount, top_k)| Op::Fund { role, amount, top_k }),
        3 => (w.clone(), role_strategy()).prop_map(|(w, role)| Op::Withdraw { w, role }),
        3 => (role_strategy(), prop_oneof![Just(0u32), Just(1), Just(3), Just(9)]).prop_map(|(role, top_k)| Op::RewardedRound { role, top_k }),
        3 => w.clone().prop_map(|w| Op::MissWindow { w }),
        3 => prop::sample::select(cadence_sets()).prop_map(Op::ChangeCadence),
        5 => prop_oneof![Just(0i64), Just(60), Just(250), Just(700), Just(1_500), Just(2_700)].prop_map(|secs| Op::ToNextWindow { secs }),
        6 => prop_oneof![Just(10i64), Just(25), Just(60), Just(6 * 60), Just(23 * 60), Just(24 * 60), Just(24 * 9 * 60), Just(24 * 17 * 60)].prop_map(|minutes| Op::Advance { minutes }),
    ]
}

// ---------------------------------------------------------------- the runner

struct World {
    f: Fixture,
    /// The reward token of each role: classic Token for creators, Token-2022 for workers.
    rewards: [Reward; 2],
    model: Model,
    wallets: Vec<Keypair>,
    /// Keys that may be made oracles; key 0 is the initial oracle.
    pool: Vec<Keypair>,
    /// A key that is never an oracle.
    stranger: Keypair,
    crank: Keypair,
    retired_crank: Keypair,
}

static SEQUENCES: AtomicUsize = AtomicUsize::new(0);
/// Outcomes per kind of step: `(succeeded, refused)`.
static OUTCOMES: std::sync::Mutex<BTreeMap<String, (usize, usize)>> = std::sync::Mutex::new(BTreeMap::new());
static STEPS: AtomicUsize = AtomicUsize::new(0);

fn expect(step: &str, got: Result<(), SendError>, want: Result<(), PictorError>) -> Result<(), TestCaseError> {
    let kind = step.split([' ', '(']).next().unwrap_or(step).to_string();
    let outcome = match &want {
        Ok(()) => "ok".to_string(),
        Err(e) => format!("{e:?}"),
    };
    let mut outcomes = OUTCOMES.lock().unwrap();
    let entry = outcomes.entry(format!("{kind} -> {outcome}")).or_default();
    if want.is_ok() {
        entry.0 += 1;
    } else {
        entry.1 += 1;
    }
    drop(outcomes);
    match (&got, &want) {
        (Ok(()), Ok(())) => Ok(()),
        (Err(e), Err(w)) if e.is(*w) => Ok(()),
        _ => Err(TestCaseError::fail(format!("{step}: chain {got:?}, model {want:?}"))),
    }
}

impl World {
    fn new() -> Self {
        let mut f = Fixture::new();
        let rewards = [reward_mint(&mut f, TOKEN), reward_mint(&mut f, TOKEN_2022)];
        let now = t0();
        let mut pool = vec![f.oracle.insecure_clone()];
        pool.extend((1..ORACLE_POOL).map(|_| Keypair::new()));
        let crank = f.crank.insecure_clone();
        let mut world = World {
            f,
            rewards,
            model: Model::new(now),
            wallets: (0..WALLETS).map(|_| Keypair::new()).collect(),
            pool,
            stranger: Keypair::new(),
            crank,
            retired_crank: Keypair::new(),
        };
        for k in world.pool.iter().chain([&world.stranger]) {
            world.f.rt.airdrop(&k.pubkey(), 1_000_000_000).unwrap();
        }
        world
    }

    /// The oracle keys that sign a report: the config's first `oracle_quorum`.
    fn quorum_signers(&self) -> Vec<Keypair> {
        let quorum = usize::from(self.model.rules.oracle_quorum);
        self.model.oracles.iter().take(quorum).map(|&j| self.pool[j].insecure_clone()).collect()
    }

    fn wallet(&self, w: usize) -> Pubkey {
        self.wallets[w].pubkey()
    }

    fn seq(&self, role: Role, w: usize, kind: Seq) -> u64 {
        let last = self.model.members.get(&(role, w)).map_or(0, |m| m.last_seq);
        match kind {
            Seq::Next => last + 1,
            Seq::Gap => last + 3,
            Seq::Replay => last,
            Seq::Zero => 0,
        }
    }

    /// The oracles report with fact time `now + fact` seconds.
    fn report(&mut self, role: Role, w: usize, seq: u64, fact: i64, report: Report) -> Result<(), TestCaseError> {
        let wallet = self.wallet(w);
        let signers = self.quorum_signers();
        let keys: Vec<Pubkey> = signers.iter().map(|k| k.pubkey()).collect();
        let fact_ts = self.model.now + fact;
        let refs: Vec<&Keypair> = signers.iter().collect();
        let got = self.f.send(&[ix::report_signed(&keys, &wallet, seq, fact_ts, report.clone())], &refs);
        let want = self.model.report(role, w, seq, fact_ts, &report);
        expect(&format!("report {report:?} seq {seq} at {fact:+} s of w{w}"), got, want)
    }

    fn rank_wallets(&mut self, role: Role, wallets: &[usize]) -> Result<(), TestCaseError> {
        let round = self.model.boards[board_index(role)].open.as_ref().map_or(0, |o| o.round);
        let keys: Vec<Pubkey> = wallets.iter().map(|w| pda::member(role, &self.wallet(*w))).collect();
        let crank = self.crank.insecure_clone();
        let got = self.f.send(&[ix::rank_batch(&crank.pubkey(), role, round, &keys)], &[&crank]);
        let want = self.model.rank(role, wallets);
        expect(&format!("rank {wallets:?} of {role:?} round {round}"), got, want)
    }

    /// A frames report of creator `w`, signed in the pattern `signers`; the
    /// model judges the quorum, then the report.
    fn report_signed(&mut self, w: usize, signers: Signers) -> Result<(), TestCaseError> {
        let oracles: Vec<Keypair> = self.model.oracles.iter().map(|&j| self.pool[j].insecure_clone()).collect();
        let quorum = usize::from(self.model.rules.oracle_quorum);
        let first = oracles[0].insecure_clone();
        // (signing keys, an extra co-signer named without its signature)
        let (signing, unsigned): (Vec<Keypair>, Option<Pubkey>) = match signers {
            Signers::Quorum => (oracles.iter().take(quorum).map(|k| k.insecure_clone()).collect(), None),
            Signers::All => (oracles.iter().map(|k| k.insecure_clone()).collect(), None),
            Signers::TooFew => {
                (oracles.iter().take(quorum.saturating_sub(1).max(1)).map(|k| k.insecure_clone()).collect(), None)
            }
            Signers::Duplicate => (vec![first.insecure_clone(), first.insecure_clone()], None),
            Signers::Stranger => (vec![first.insecure_clone(), self.stranger.insecure_clone()], None),
            Signers::Unsigned => {
                // Another key than the first (the same key would be a signer through the first).
                let other = self.pool.iter().map(|k| k.pubkey()).find(|k| *k != first.pubkey()).unwrap();
                (vec![first.insecure_clone()], Some(oracles.get(1).map_or(other, |k| k.pubkey())))
            }
        };
        let keys: Vec<Pubkey> = signing.iter().map(|k| k.pubkey()).collect();
        let seq = self.seq(Role::Creator, w, Seq::Next);
        let report = Report::Frames { frames: 3 };
        let mut ixn = ix::report_signed(&keys, &self.wallet(w), seq, self.model.now, report.clone());
        if let Some(k) = unsigned {
            ixn.accounts.push(AccountMeta::new_readonly(k, false));
        }
        let refs: Vec<&Keypair> = signing.iter().collect();
        let got = self.f.send(&[ixn], &refs);
        // The quorum, checked before the report (co-signers in order).
        let want = if self.model.paused {
            Err(PictorError::Paused)
        } else {
            let mut seen = vec![keys[0]];
            let mut verdict = Ok(());
            for k in keys[1..].iter().copied().map(Some).chain([unsigned.map(|_| None)].into_iter().flatten()) {
                let Some(k) = k else {
                    verdict = Err(PictorError::OracleSignatureMissing);
                    break;
                };
                if !oracles.iter().any(|o| o.pubkey() == k) {
                    verdict = Err(PictorError::NotOracle);
                    break;
                }
                if seen.contains(&k) {
                    verdict = Err(PictorError::DuplicateOracleSigner);
                    break;
                }
                seen.push(k);
            }
            if verdict.is_ok() && seen.len() < quorum {
                verdict = Err(PictorError::OracleQuorumNotMet);
            }
            verdict.and_then(|()| self.model.report(Role::Creator, w, seq, self.model.now, &report))
        };
        expect(&format!("report signed {signers:?} (quorum {quorum}) of w{w}"), got, want)
    }

    fn step(&mut self, op: &Op) -> Result<(), TestCaseError> {
        let admin = self.f.admin.insecure_clone();
        match op.clone() {
            Op::Recharge { w, seq, amount, fact } => {
                let seq = self.seq(Role::Creator, w, seq);
                self.report(Role::Creator, w, seq, fact, Report::Recharge { amount_base_units: amount })?;
            }
            Op::Spend { w, seq, amount, fact } => {
                let seq = self.seq(Role::Creator, w, seq);
                self.report(Role::Creator, w, seq, fact, Report::Spend { amount_base_units: amount })?;
            }
            Op::Frames { w, seq, frames, fact } => {
                let seq = self.seq(Role::Creator, w, seq);
                self.report(Role::Creator, w, seq, fact, Report::Frames { frames })?;
            }
            Op::WorkerDay { w, seq, days_ago, minutes, completed, failed, fact } => {
                let seq = self.seq(Role::Worker, w, seq);
                let day_index = today(self.model.now).saturating_sub(days_ago);
                let report = Report::WorkerDay {
                    day_index,
                    uptime_minutes: minutes,
                    frames_completed: completed,
                    jobs_failed: failed,
                };
                self.report(Role::Worker, w, seq, fact, report)?;
            }
            Op::Gpu { w, seq, name_len, vram, hash, fact } => {
                let seq = self.seq(Role::Worker, w, seq);
                let report = Report::Gpu { model: "G".repeat(name_len), vram_gb: vram, hashpower: hash };
                self.report(Role::Worker, w, seq, fact, report)?;
            }
            Op::FillWindow { w } => {
                let t = today(self.model.now);
                let window = u32::from(self.model.rules.scoring.worker_window_days);
                for day_index in t - window..t {
                    let known =
                        self.model.members.get(&(Role::Worker, w)).is_some_and(|m| m.days.contains_key(&day_index));
                    if !known {
                        let seq = self.seq(Role::Worker, w, Seq::Next);
                        let report =
                            Report::WorkerDay { day_index, uptime_minutes: 1_000, frames_completed: 2, jobs_failed: 0 };
                        self.report(Role::Worker, w, seq, 0, report)?;
                    }
                }
            }
            Op::SpendEnough { w } => {
                let seq = self.seq(Role::Creator, w, Seq::Next);
                self.report(Role::Creator, w, seq, 0, Report::Recharge { amount_base_units: 6_000 * USDT })?;
                let seq = self.seq(Role::Creator, w, Seq::Next);
                self.report(Role::Creator, w, seq, 0, Report::Spend { amount_base_units: 6_000 * USDT })?;
            }
            Op::Holder { w, role } => {
                let facts = match role {
                    Role::Creator => Op::SpendEnough { w },
                    Role::Worker => Op::FillWindow { w },
                };
                self.step(&facts)?;
                self.step(&Op::Claim { w, role })?;
            }
            Op::BurnAndSync { w, role } => {
                self.step(&Op::Burn { w, role })?;
                self.step(&Op::Sync { w, role })?;
            }
            Op::FullRound { role, n } => {
                if self.model.boards[board_index(role)].open.is_none() {
                    self.step(&Op::Open { role, by_crank: true, skew: 0 })?;
                }
                // Rank until done (or refused, e.g. while paused: then stop).
                for _ in 0..64 {
                    let remaining = self.model.remaining_order(role).len();
                    if remaining == 0 || self.model.paused {
                        break;
                    }
                    self.step(&Op::Rank { role, n })?;
                }
                self.step(&Op::Finalise { role })?;
            }
            Op::ReportByStranger { w } => {
                let stranger = self.stranger.insecure_clone();
                let wallet = self.wallet(w);
                let got = self.f.send(
                    &[ix::report(&stranger.pubkey(), &wallet, 99, self.model.now, Report::Frames { frames: 1 })],
                    &[&stranger],
                );
                expect("report by a key that is not an oracle", got, Err(PictorError::NotOracle))?;
            }
            Op::Claim { w, role } => {
                let wallet = self.wallets[w].insecure_clone();
                let got = self.f.claim(&wallet, role);
                let want = self.model.claim(role, w);
                expect(&format!("claim {role:?} of w{w}"), got, want)?;
            }
            Op::Burn { w, role } => {
                let held = self.model.members.get(&(role, w)).is_some_and(|m| m.token_held);
                if held {
                    let wallet = self.wallets[w].insecure_clone();
                    self.f.burn_pass(role, &wallet);
                    self.model.members.get_mut(&(role, w)).unwrap().token_held = false;
                }
            }
            Op::Sync { w, role } => {
                let payer = self.f.rt.fee_payer();
                let got = self.f.send(&[ix::sync_pass(role, &self.wallet(w), &payer)], &[]);
                let want = self.model.sync(role, w);
                expect(&format!("sync {role:?} of w{w}"), got, want)?;
            }
            Op::Revoke { w, role, by_admin } => {
                let payer = self.f.rt.fee_payer();
                let signer = if by_admin { admin } else { self.wallets[w].insecure_clone() };
                let got = self.f.send(&[ix::revoke(&signer.pubkey(), role, &self.wallet(w), &payer, 7)], &[&signer]);
                let want = if by_admin { self.model.revoke(role, w) } else { Err(PictorError::NotAdmin) };
                expect(&format!("revoke {role:?} of w{w} (admin: {by_admin})"), got, want)?;
            }
            Op::Reinstate { w, role } => {
                let got = self.f.send(&[ix::reinstate(&admin.pubkey(), role, &self.wallet(w))], &[&admin]);
                let want = self.model.reinstate(role, w);
                expect(&format!("reinstate {role:?} of w{w}"), got, want)?;
            }
            Op::Open { role, by_crank, skew } => {
                let signer = if by_crank { self.crank.insecure_clone() } else { self.retired_crank.insecure_clone() };
                let round = self.model.round_to_open(role).saturating_add_signed(i32::from(skew));
                let got = self.f.send(&[ix::open_round(&signer.pubkey(), role, round)], &[&signer]);
                let want = if by_crank { self.model.open(role, round) } else { Err(PictorError::NotCrank) };
                expect(&format!("open {role:?} round {round} (crank: {by_crank})"), got, want)?;
            }
            Op::Rank { role, n } => {
                let order = self.model.remaining_order(role);
                let wallets: Vec<usize> = order.iter().take(n).map(|e| e.0).collect();
                self.rank_wallets(role, &wallets)?;
            }
            Op::RankReversed { role } => {
                let order = self.model.remaining_order(role);
                if order.len() >= 2 {
                    self.rank_wallets(role, &[order[1].0, order[0].0])?;
                }
            }
            Op::RankOutsider { role, w } => {
                let counts = match (&self.model.boards[board_index(role)].open, self.model.members.get(&(role, w))) {
                    (Some(open), Some(m)) => Model::counts(m, open.round),
                    _ => false,
                };
                if !counts {
                    self.rank_wallets(role, &[w])?;
                }
            }
            Op::Finalise { role } => {
                let round = self.model.boards[board_index(role)].open.as_ref().map_or(0, |o| o.round);
                let crank = self.crank.insecure_clone();
                let got = self.f.send(&[ix::finalise_round(&crank.pubkey(), role, round)], &[&crank]);
                let want = self.model.finalise(role);
                expect(&format!("finalise {role:?}"), got, want)?;
            }
            Op::Abandon { role } => {
                let round = self.model.boards[board_index(role)].open.as_ref().map_or(0, |o| o.round);
                let crank = self.crank.insecure_clone();
                let got = self.f.send(&[ix::abandon_round(&crank.pubkey(), role, round)], &[&crank]);
                let want = self.model.abandon(role);
                expect(&format!("abandon {role:?}"), got, want)?;
            }
            Op::Pause(paused) => {
                let got = self.f.send(&[ix::set_paused(&admin.pubkey(), paused)], &[&admin]);
                self.model.paused = paused;
                expect("set_paused", got, Ok(()))?;
            }
            Op::UpdateRules(i) => {
                let (rules, invalid) = rule_sets()[i].clone();
                let got = self.f.send(&[ix::update_config(&admin.pubkey(), Some(rules.clone()), None)], &[&admin]);
                let want = self.model.update_rules(&rules, invalid);
                expect(&format!("update_config to rule set {i}"), got, want)?;
            }
            Op::AddOracle { j } => {
                let key = self.pool[j].pubkey();
                let got = self.f.send(&[ix::add_oracle(&admin.pubkey(), key)], &[&admin]);
                let want = if self.model.oracles.contains(&j) {
                    Err(PictorError::OracleAlreadyPresent)
                } else {
                    self.model.oracles.push(j);
                    Ok(())
                };
                expect(&format!("add_oracle {j}"), got, want)?;
            }
            Op::RemoveOracle { j } => {
                let key = self.pool[j].pubkey();
                let got = self.f.send(&[ix::remove_oracle(&admin.pubkey(), key)], &[&admin]);
                let want = if !self.model.oracles.contains(&j) {
                    Err(PictorError::OracleNotFound)
                } else if self.model.oracles.len() <= usize::from(self.model.rules.oracle_quorum) {
                    Err(PictorError::OracleQuorumExceedsOracles)
                } else {
                    self.model.oracles.retain(|k| *k != j);
                    Ok(())
                };
                expect(&format!("remove_oracle {j}"), got, want)?;
            }
            Op::ReportSigned { w, signers } => self.report_signed(w, signers)?,
            Op::AbandonCredited { role } => {
                self.step(&Op::Fund { role, amount: 5 * USDT + 1, top_k: 2 })?;
                if self.model.boards[board_index(role)].open.is_none() {
                    self.step(&Op::Open { role, by_crank: true, skew: 0 })?;
                }
                self.step(&Op::Rank { role, n: 2 })?;
                self.step(&Op::Abandon { role })?;
            }
            Op::Fund { role, amount, top_k } => {
                let r = &self.rewards[board_index(role)];
                let fund = ix::fund_rewards(&admin.pubkey(), role, &r.mint, &r.program, &r.funder, amount, top_k);
                let got = self.f.send(&[fund], &[&admin]);
                let want = self.model.fund(role, amount, top_k);
                expect(&format!("fund_rewards {role:?} {amount} top {top_k}"), got, want)?;
            }
            Op::Withdraw { w, role } => {
                let r = &self.rewards[board_index(role)];
                let payer = self.f.rt.fee_payer();
                let wallet = self.wallets[w].insecure_clone();
                let withdraw = ix::withdraw_rewards(&wallet.pubkey(), &payer, role, &r.mint, &r.program);
                let got = self.f.send(&[withdraw], &[&wallet]);
                let want = self.model.withdraw(role, w);
                expect(&format!("withdraw_rewards {role:?} of w{w}"), got, want)?;
            }
            Op::RewardedRound { role, top_k } => {
                self.step(&Op::Fund { role, amount: 7 * USDT + 3, top_k })?;
                self.step(&Op::FullRound { role, n: 3 })?;
                for w in 0..WALLETS {
                    self.step(&Op::Withdraw { w, role })?;
                }
            }
            Op::RotateCrank => {
                let next = Keypair::new();
                let got = self.f.send(&[ix::set_crank(&admin.pubkey(), next.pubkey())], &[&admin]);
                expect("set_crank", got, Ok(()))?;
                self.retired_crank = std::mem::replace(&mut self.crank, next);
            }
            Op::Advance { minutes } => {
                self.model.now += minutes * 60;
                self.f.set_time(self.model.now);
            }
            Op::MissWindow { w } => {
                self.step(&Op::ToNextWindow { secs: 60 })?;
                self.step(&Op::Frames { w, seq: Seq::Next, frames: 7, fact: 0 })?;
                let open = i64::from(self.model.rules.cadence.open_window_secs);
                self.step(&Op::Advance { minutes: open / 60 + 1 })?;
            }
            Op::ChangeCadence(i) => self.step(&Op::UpdateRules(i))?,
            Op::ToNextWindow { secs } => {
                let c = self.model.rules.cadence;
                self.model.now = match Model::window_of(&c, self.model.now) {
                    Some(k) => Model::scheduled_ts(&c, k + 1) + secs,
                    None if c.period_secs > 0 => Model::scheduled_ts(&c, 0) + secs,
                    None => self.model.now + 30 * 60,
                };
                self.f.set_time(self.model.now);
            }
        }
        Ok(())
    }

    /// The chain against the model, after a step.
    fn check(&mut self, after: &str) -> Result<(), TestCaseError> {
        let fail = |what: String| TestCaseError::fail(format!("after {after}: {what}"));
        let now = self.model.now;
        // No round ranks by a score from another window.
        if let Some(v) = self.model.violation.take() {
            return Err(fail(v));
        }
        // Every open round can finalise: as many members are left to rank
        // as hold a pass that counts in it and are not ranked in it.
        for role in Role::ALL {
            if let Some(open) = &self.model.boards[board_index(role)].open {
                let rankable = self
                    .model
                    .members
                    .iter()
                    .filter(|((r, _), m)| {
                        *r == role && Model::counts(m, open.round) && !m.ranks.contains_key(&open.round)
                    })
                    .count() as u32;
                if open.members - open.ranked != rankable {
                    return Err(fail(format!(
                        "{role:?} round {} can never finalise: {} members left to rank, {rankable} can be",
                        open.round,
                        open.members - open.ranked
                    )));
                }
            }
        }
        let config = self.f.config();
        if config.paused != self.model.paused || config.rules != self.model.rules {
            return Err(fail(format!("config {:?} / {:?}", config.paused, config.rules)));
        }
        let oracles: Vec<Pubkey> = self.model.oracles.iter().map(|&j| self.pool[j].pubkey()).collect();
        let anchor = (config.round_anchor.window, config.round_anchor.round);
        if config.oracles != oracles || anchor != self.model.anchor {
            return Err(fail(format!(
                "oracles {:?} anchor {anchor:?} vs {oracles:?} {:?}",
                config.oracles, self.model.anchor
            )));
        }
        for role in Role::ALL {
            let b = self.f.board(role);
            let mb = self.model.boards[board_index(role)].clone();
            let known: Vec<usize> = self.model.members.keys().filter(|(r, _)| *r == role).map(|(_, w)| *w).collect();
            let chain_active =
                known.into_iter().filter(|w| self.chain_status(role, *w) == Some(PassStatus::Active)).count() as u32;
            let model_active =
                self.model.members.iter().filter(|((r, _), m)| *r == role && m.status == Status::Active).count() as u32;
            if (b.passes_issued, b.active_holders, b.next_round, b.last_closed_ts)
                != (mb.issued, mb.active, mb.next_round, mb.last_closed)
                || b.active_holders != chain_active
                || mb.active != model_active
            {
                return Err(fail(format!("{role:?} board {b:?} vs model {mb:?}")));
            }
            match (&b.open, &mb.open) {
                (None, None) => {}
                (Some(o), Some(m))
                    if (o.round, o.snapshot_ts, o.members, o.priority_count, o.ranked, o.removed, o.cutoff_score)
                        == (m.round, m.snapshot, m.members, m.priority, m.ranked, m.removed, m.cutoff) => {}
                _ => return Err(fail(format!("{role:?} open round {:?} vs model {:?}", b.open, mb.open))),
            }
            // Rewards: the board's accounts, the open round's reward, and the
            // vault, which holds exactly what was funded and not withdrawn,
            // and at least what the role owes.
            let rw = &b.rewards;
            if (rw.pending_base_units, rw.carry_base_units, rw.liability_base_units, rw.pending_top_k)
                != (mb.pending, mb.carry, mb.liability, mb.top_k)
            {
                return Err(fail(format!("{role:?} rewards {rw:?} vs model {mb:?}")));
            }
            let open_reward = b.open.as_ref().map(|o| {
                let r = o.reward;
                (r.amount_base_units, r.ranks, r.share_base_units, r.credited_base_units)
            });
            if open_reward != mb.open.as_ref().map(|o| o.reward) {
                return Err(fail(format!("{role:?} open round reward {open_reward:?} vs {:?}", mb.open)));
            }
            if mb.funded {
                let held = token_balance(&mut self.f, &pda::reward_vault(role));
                let owed = rw.obligations(b.open.as_ref()).unwrap();
                if held != mb.funded_total - mb.withdrawn_total || held < owed {
                    return Err(fail(format!("{role:?} vault holds {held}, owes {owed}, model {mb:?}")));
                }
            }
            let fin = b.finalised.as_ref().map(|f| MFinal {
                round: f.round,
                members: f.members,
                priority: f.priority_count,
                removed: f.removed,
                cutoff: f.cutoff_score,
            });
            if fin != mb.finalised {
                return Err(fail(format!("{role:?} finalised {fin:?} vs model {:?}", mb.finalised)));
            }
        }
        let members: Vec<((Role, usize), MMember)> = self.model.members.iter().map(|(k, v)| (*k, v.clone())).collect();
        for ((role, w), m) in members {
            let wallet = self.wallet(w);
            let chain = self.f.member(role, &wallet);
            let h = chain.header();
            if (h.last_seq, h.last_fact_ts, chain.pass_status()) != (m.last_seq, m.last_fact_ts, m.status.chain()) {
                return Err(fail(format!(
                    "w{w} {role:?}: seq/status {} {:?} vs {m:?}",
                    h.last_seq,
                    chain.pass_status()
                )));
            }
            // What the wallet may withdraw: its balance and the latest
            // finalised round's credit it has not settled yet.
            let finalised = self.f.board(role).finalised;
            let withdrawable = h.withdrawable(finalised.as_ref());
            if withdrawable != m.reward {
                return Err(fail(format!("w{w} {role:?}: withdrawable reward {withdrawable} vs {}", m.reward)));
            }
            if m.status == Status::Active && (h.pass_serial, h.pass_first_round) != (m.serial, m.first_round) {
                return Err(fail(format!("w{w} {role:?}: serial/first round")));
            }
            match &chain {
                pictor_vip::state::Member::Creator(c) => {
                    let f = &c.facts;
                    if (f.deposited_base_units, f.spent_base_units, f.frames_rendered)
                        != (m.deposited, m.spent, m.frames)
                    {
                        return Err(fail(format!("w{w} creator facts {f:?} vs {m:?}")));
                    }
                }
                pictor_vip::state::Member::Worker(c) => {
                    let f = &c.facts;
                    if (f.lifetime_uptime_minutes, f.frames_completed, f.jobs_failed)
                        != (m.lifetime, m.completed, m.failed)
                        || f.gpu().map(|g| (g.vram_gb, g.hashpower)) != m.gpu
                    {
                        return Err(fail(format!("w{w} worker facts vs {m:?}")));
                    }
                    let t = today(now);
                    for d in t.saturating_sub(60)..t {
                        if f.uptime_on(d) != m.days.get(&d).copied() {
                            return Err(fail(format!("w{w} day {d}: {:?} vs {:?}", f.uptime_on(d), m.days.get(&d))));
                        }
                    }
                }
            }
            // The pass: a mint with supply 1 while held, 0 once burned, gone once closed.
            let mint = self.f.account(&pda::pass_mint(role, &wallet));
            let supply = mint.as_ref().map(|a| StateWithExtensions::<Mint>::unpack(&a.data).unwrap().base.supply);
            let balance = self
                .f
                .account(&pda::holder_ata(role, &wallet))
                .map(|a| StateWithExtensions::<TokenAccount>::unpack(&a.data).unwrap().base.amount);
            let expected = match (m.status, m.token_held) {
                (Status::Active, true) => (Some(1), Some(1)),
                (Status::Active, false) => (Some(0), Some(0)),
                _ => (None, None),
            };
            if (supply, balance) != expected {
                return Err(fail(format!("w{w} {role:?} pass supply/balance {supply:?} {balance:?} vs {expected:?}")));
            }
            // Ranks and priority of the latest finalised round.
            let final_round = self.model.boards[board_index(role)].finalised.as_ref().map(|f| f.round);
            if let Some(round) = final_round {
                let want = if m.status == Status::Active { m.ranks.get(&round).copied() } else { None };
                let got = chain.rank_in(round).map(|e| (e.rank, e.score, e.priority));
                if got != want {
                    return Err(fail(format!("w{w} {role:?} rank in {round}: {got:?} vs {want:?}")));
                }
            }
            // The score now, through the SDK's Profile (the program's scoring code).
            let status = role_status(&mut self.f.rt, role, &wallet).unwrap().unwrap();
            let params = &self.model.rules.scoring;
            let want = (m.status == Status::Active)
                .then(|| score(role, &m, now, params.worker_window_days, &params.gpu_tiers));
            if status.score_now != want {
                return Err(fail(format!("w{w} {role:?} score now {:?} vs {want:?}", status.score_now)));
            }
            if status.progress.eligible() != eligible(role, &m, &self.model.rules, now) {
                return Err(fail(format!("w{w} {role:?} eligibility")));
            }
        }
        Ok(())
    }

    fn chain_status(&mut self, role: Role, w: usize) -> Option<PassStatus> {
        let key = pda::member(role, &self.wallet(w));
        self.f.account(&key).map(|_| self.f.member(role, &self.wallet(w)).pass_status())
    }
}

fn run_sequence(ops: &[Op]) -> Result<(), TestCaseError> {
    let mut world = World::new();
    SEQUENCES.fetch_add(1, Ordering::Relaxed);
    for (i, op) in ops.iter().enumerate() {
        world.step(op)?;
        world.check(&format!("step {i} {op:?}"))?;
        STEPS.fetch_add(1, Ordering::Relaxed);
    }
    Ok(())
}

#[test]
fn random_sequences_of_every_instruction_match_the_model() {
    let cases = std::env::var("MODEL_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let config = Config {
        cases,
        rng_seed: RngSeed::Fixed(0x5049_4354_4f52),
        source_file: Some(file!()),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        max_shrink_iters: 300,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    // Each sequence starts with a few holders, so that rounds have members.
    let holders =
        prop::collection::vec((0..WALLETS, role_strategy()).prop_map(|(w, role)| Op::Holder { w, role }), 2..5);
    // Half of them run under a round cadence (one with two oracles signing).
    let cadence = prop::option::of(prop_oneof![Just(5usize), Just(6)]);
    let sequences = (holders, cadence, prop::collection::vec(op_strategy(), 1..50)).prop_map(|(mut a, c, b)| {
        if let Some(i) = c {
            a.extend([Op::AddOracle { j: 1 }, Op::UpdateRules(i)]);
        }
        a.extend(b);
        a
    });
    let result = runner.run(&sequences, |ops| run_sequence(&ops));
    println!(
        "model test: {} sequences, {} steps checked against the model",
        SEQUENCES.load(Ordering::Relaxed),
        STEPS.load(Ordering::Relaxed)
    );
    for (outcome, (ok, refused)) in OUTCOMES.lock().unwrap().iter() {
        println!("  {outcome}: {}", ok + refused);
    }
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// The four attacks of a cadence change on the round-number line (SPEC
/// §5), as fixed sequences checked step by step against the model: each
/// would rank a member by a score another window froze, or open a round
/// that can never finalise, if a round number were ever reused.
#[test]
fn cadence_changes_never_make_a_round_rank_by_another_windows_scores() {
    use Op::*;
    let creator = Role::Creator;
    let start = [Holder { w: 0, role: creator }, Holder { w: 1, role: creator }, UpdateRules(5)];
    let frames = |w| Frames { w, seq: Seq::Next, frames: 300, fact: 0 };
    let round =
        vec![Open { role: creator, by_crank: true, skew: 0 }, Rank { role: creator, n: 3 }, Finalise { role: creator }];
    let scenarios: Vec<(&str, Vec<Op>)> = vec![
        // A report inside round 1's open part freezes w0's score; the window
        // closes unopened; the cadence goes off; the crank opens a round.
        (
            "off after a missed window",
            [ToNextWindow { secs: 60 }, frames(0), Advance { minutes: 25 }, UpdateRules(0)].to_vec(),
        ),
        // The same, then on again: the new windows' rounds.
        (
            "off, then on again",
            [
                ToNextWindow { secs: 60 },
                frames(0),
                Advance { minutes: 25 },
                UpdateRules(0),
                UpdateRules(5),
                ToNextWindow { secs: 60 },
            ]
            .to_vec(),
        ),
        // Late holders of two missed windows, then off.
        (
            "two missed windows, then off",
            [
                ToNextWindow { secs: 60 },
                Advance { minutes: 25 },
                Holder { w: 2, role: creator },
                ToNextWindow { secs: 60 },
                Advance { minutes: 25 },
                Holder { w: 3, role: creator },
                UpdateRules(0),
            ]
            .to_vec(),
        ),
        // A fact after the open part; the open part widened (refused while
        // it would make the round due), then later (a reschedule).
        (
            "the open window widened after it closed",
            [
                ToNextWindow { secs: 60 },
                Advance { minutes: 25 },
                frames(1),
                UpdateRules(11),
                Open { role: creator, by_crank: true, skew: 0 },
                Advance { minutes: 20 },
                UpdateRules(11),
                ToNextWindow { secs: 60 },
            ]
            .to_vec(),
        ),
    ];
    let failures: Vec<String> = scenarios
        .into_iter()
        .filter_map(|(name, ops)| {
            let ops: Vec<Op> = start.iter().chain(&ops).chain(&round).cloned().collect();
            run_sequence(&ops).err().map(|e| format!("{name}: {e}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
