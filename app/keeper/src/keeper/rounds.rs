//! The keeper's crank: a thread that drives each role's ranking rounds on
//! the configured cadence (SPEC §5). Every tick it reads the configuration,
//! both boards and the cluster clock, then for each role:
//!
//! 1. judges every round window that closed since the last tick: a window
//!    whose round was never opened (the board's next round number is still
//!    at or below the window's) is **missed**: logged, counted
//!    (`rounds_total{outcome="missed"}`), and never retried outside its
//!    window (the program would refuse it anyway: `OutsideRoundWindow`);
//! 2. resumes a round left open (by a crash, a stop, a fault) whatever the
//!    time: ranking and finalising are not bound to the window;
//! 3. opens the window's round while the window is open and its round is
//!    still to come ([`crank::due_round`], what `open_round` checks), then
//!    ranks and finalises it, syncing burned passes first
//!    ([`crank::run_round`]).
//!
//! Only windows that were open while this keeper ran are judged: a window
//! that closed while no keeper ran is logged at start as a gap, not counted.
//! With the cadence off the crank does nothing: rounds run from the feed's
//! `round` lines, as with `feed`.
use super::metrics::Shared;
use pictor_vip_sdk::cadence::{self, ScheduledRound};
use pictor_vip_sdk::crank::{self, RoundError, RoundOptions};
use pictor_vip_sdk::state::{Board, Config, Role, RoundAnchor, RoundCadence};
use pictor_vip_sdk::transport::retry::RetryPolicy;
use pictor_vip_sdk::transport::Transport;
use pictor_vip_sdk::{read, Keypair, Signer};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::{debug, error, info, warn};

/// Tuning of the crank thread.
#[derive(Debug, Clone)]
pub struct CrankOptions {
    /// Members per `rank_batch` (0: the most one transaction holds).
    pub rank_batch: usize,
    /// How often the chain is read.
    pub tick: Duration,
    /// Retries of transport faults.
    pub retry: RetryPolicy,
}

impl Default for CrankOptions {
    fn default() -> Self {
        CrankOptions { rank_batch: 0, tick: Duration::from_secs(1), retry: RetryPolicy::default() }
    }
}

/// Per role: which windows are judged already.
#[derive(Debug, Default, Clone)]
struct RoleState {
    /// The next window to judge once it closes.
    next_to_judge: Option<u64>,
    /// After a failed attempt: no new one before this.
    quiet_until: Option<Instant>,
    /// The wait after the last failed attempt (doubles, up to a fifth of the
    /// open window, at most 30 s: several attempts fit every window).
    backoff: Duration,
    /// What was last said of a failed attempt (said once, not every tick).
    said: Option<String>,
    /// The window of the failed attempt (a new window is tried at once).
    failed_window: Option<u64>,
}

/// What the crank knows of the schedule it judges windows against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Schedule {
    cadence: RoundCadence,
    anchor: RoundAnchor,
}

/// The crank thread's state, over its own connection `T`.
pub struct Crank<T: Transport> {
    t: T,
    /// The crank keys it may sign with: the one the configuration names is
    /// used (two while the crank key is rotated).
    keys: Vec<Keypair>,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    options: CrankOptions,
    /// The schedule windows were judged against; a change (an
    /// `update_config`) restarts judging from the window of the change.
    schedule: Option<Schedule>,
    /// The cluster time the crank started judging at (unix seconds).
    judging_since: Option<i64>,
    roles: [RoleState; 2],
}

impl<T: Transport> Crank<T> {
    /// A crank signing with whichever of `keys` the configuration names,
    /// stopping when `stop` is set.
    pub fn new(t: T, keys: Vec<Keypair>, shared: Arc<Shared>, stop: Arc<AtomicBool>, options: CrankOptions) -> Self {
        Crank {
            t,
            keys,
            shared,
            stop,
            options,
            schedule: None,
            judging_since: None,
            roles: [RoleState::default(), RoleState::default()],
        }
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Its connection.
    pub fn transport(&mut self) -> &mut T {
        &mut self.t
    }

    /// Ticks until stopped.
    pub fn run(mut self) {
        while !self.stopped() {
            let started = Instant::now();
            self.tick();
            let left = self.options.tick.saturating_sub(started.elapsed());
            let until = Instant::now() + left;
            while !self.stopped() && Instant::now() < until {
                std::thread::sleep(left.min(Duration::from_millis(100)));
            }
        }
        info!("the crank stopped");
    }

    /// One look at the chain: readiness, gauges, missed windows, rounds.
    pub fn tick(&mut self) {
        let (config, now) = match self.read_config() {
            Some(read) => read,
            None => return,
        };
        // The feed loop reads these once the keeper is ready: first them, then ready.
        self.shared.cadence_on.store(config.rules.cadence.is_on(), Ordering::SeqCst);
        self.shared.paused.store(config.paused, Ordering::SeqCst);
        self.shared.oracle_quorum.store(config.rules.oracle_quorum, Ordering::SeqCst);
        self.shared.with_health(|h| {
            if h.not_ready.is_some() {
                info!("ready: the cluster answers and the program is initialised");
            }
            h.not_ready = None;
            h.ready_at = Some(Instant::now());
        });
        let schedule = Schedule { cadence: config.rules.cadence, anchor: config.round_anchor };
        let rescheduled = self.schedule != Some(schedule);
        if rescheduled {
            if self.schedule.is_some() {
                info!("the round cadence changed: windows are judged from unix time {now} on");
            }
            self.schedule = Some(schedule);
            self.judging_since = Some(now);
            let first =
                config.rules.cadence.is_on().then(|| cadence::window_at(&config.rules.cadence, now).unwrap_or(0));
            for role in Role::ALL {
                self.roles[role as usize].next_to_judge = first;
            }
        }
        for role in Role::ALL {
            if self.stopped() {
                return;
            }
            let Some(board) = self.read_board(role) else { continue };
            if rescheduled {
                log_gap(role, &config, &board, now);
            }
            self.judge(role, &config, &board, now);
            if !config.rules.cadence.is_on() {
                continue;
            }
            let due = crank::due_round(&config, &board, now, None);
            let state = &self.roles[role as usize];
            let same_window = board.open.is_some() || due.map(|d| d.window) == state.failed_window;
            if same_window && state.quiet_until.is_some_and(|t| Instant::now() < t) {
                continue;
            }
            if board.open.is_some() || due.is_some() {
                self.round(role, &config, &board, due);
            }
        }
    }

    /// The configuration and the clock; readiness from them.
    fn read_config(&mut self) -> Option<(Config, i64)> {
        let read = read::config(&mut self.t).and_then(|c| Ok((c, self.t.now()?)));
        let (config, now) = match read {
            Ok((Some(c), now)) => (c, now),
            Ok((None, _)) => {
                self.not_ready("the program is not initialised on this cluster: run `init` first".into());
                return None;
            }
            Err(e) => {
                self.not_ready(format!("the cluster does not answer: {e}"));
                return None;
            }
        };
        Some((config, now))
    }

    fn not_ready(&self, why: String) {
        self.shared.with_health(|h| {
            if h.not_ready.as_deref() != Some(why.as_str()) {
                warn!("not ready: {why}");
            }
            h.not_ready = Some(why);
        });
    }

    fn read_board(&mut self, role: Role) -> Option<Board> {
        match read::board(&mut self.t, role) {
            Ok(Some(b)) => {
                if let Some(done) = &b.finalised {
                    let m = &self.shared.metrics;
                    m.latest_finalised_round.with_label_values(&[role.as_str()]).set(i64::from(done.round));
                    m.latest_finalised_round_ts.with_label_values(&[role.as_str()]).set(done.finalised_ts);
                    self.shared.with_health(|h| h.finalised_ts[role as usize] = Some(done.snapshot_ts));
                }
                Some(b)
            }
            Ok(None) => None,
            Err(e) => {
                debug!("reading the {} board: {e}", role.as_str());
                None
            }
        }
    }

    /// Judges the windows of `role` that closed by `now`.
    fn judge(&mut self, role: Role, config: &Config, board: &Board, now: i64) {
        let (c, a) = (&config.rules.cadence, &config.round_anchor);
        let since = self.judging_since.unwrap_or(now);
        loop {
            let Some(w) = self.roles[role as usize].next_to_judge else { return };
            if w < a.window {
                // Before the anchor nothing was scheduled.
                self.roles[role as usize].next_to_judge = Some(a.window);
                continue;
            }
            let Some(s) = cadence::scheduled(c, a, w) else { return };
            if s.closes_ts > now {
                return;
            }
            self.roles[role as usize].next_to_judge = Some(w + 1);
            // Judged only if its open part overlapped this keeper's watch.
            if s.closes_ts <= since {
                continue;
            }
            if board.next_round <= s.round {
                self.missed(role, &s);
            }
        }
    }

    fn missed(&self, role: Role, s: &ScheduledRound) {
        error!(
            "missed the {} round window {} (round {}, open from unix time {} to {}): no round opened in it; \
             the next chance is the next window",
            role.as_str(),
            s.window,
            s.round,
            s.snapshot_ts,
            s.closes_ts
        );
        self.shared.metrics.round(role, "missed");
        self.shared.with_health(|h| h.missed_window_ts[role as usize] = Some(s.snapshot_ts));
    }

    /// Resumes the open round, or opens the due one, and ranks and finalises it.
    fn round(&mut self, role: Role, config: &Config, board: &Board, due: Option<ScheduledRound>) {
        let cap = Duration::from_secs(u64::from(config.rules.cadence.open_window_secs / 5))
            .clamp(Duration::from_secs(1), Duration::from_secs(30));
        let Some(key) = self.keys.iter().position(|k| k.pubkey() == config.crank) else {
            let given: Vec<String> = self.keys.iter().map(|k| k.pubkey().to_string()).collect();
            let why = format!(
                "the configuration's crank is {}, and this keeper holds only {}: the {} round cannot open",
                config.crank,
                given.join(", "),
                role.as_str()
            );
            self.hold_off(role, why, true, cap, due);
            return;
        };
        let state = &self.roles[role as usize];
        let first_attempt = state.said.is_none() || due.map(|d| d.window) != state.failed_window;
        match (&board.open, due) {
            (Some(open), _) if first_attempt => info!(
                "resuming the {} round {} ({} of {} ranked)",
                role.as_str(),
                open.round,
                open.ranked,
                open.members
            ),
            (None, Some(s)) if first_attempt => info!(
                "opening the {} round {} (window {}, snapshot at unix time {})",
                role.as_str(),
                s.round,
                s.window,
                s.snapshot_ts
            ),
            (None, None) => return,
            _ => debug!("the {} round: trying again", role.as_str()),
        }
        let options = RoundOptions {
            batch_size: self.options.rank_batch,
            retry: self.options.retry,
            legacy_when_one_batch: true,
            wait_for_window: None,
            stop: Some(self.stop.clone()),
            ..RoundOptions::default()
        };
        match crank::run_round(&mut self.t, &self.keys[key], role, options, &mut |_, _| {}) {
            Ok(out) => {
                info!(
                    "the {} round {} is finalised: {} members, {} priority, {} batches{}",
                    role.as_str(),
                    out.round,
                    out.members,
                    out.priority,
                    out.batches,
                    if out.resumed { " (resumed)" } else { "" }
                );
                if out.synced > 0 {
                    info!("synced {} burned {} passes before the round", out.synced, role.as_str());
                }
                for (wallet, why) in &out.sync_failures {
                    warn!("the burned pass of {wallet} ({}) could not be synced: {why}", role.as_str());
                }
                self.shared
                    .metrics
                    .sync_failures
                    .with_label_values(&[role.as_str()])
                    .inc_by(out.sync_failures.len() as u64);
                let state = &mut self.roles[role as usize];
                (state.quiet_until, state.backoff, state.said, state.failed_window) =
                    (None, Duration::ZERO, None, None);
                // The gauges now, not at the next tick.
                self.read_board(role);
            }
            Err(RoundError::Stopped) => info!("stopped during the {} round; the next run resumes it", role.as_str()),
            Err(RoundError::OutsideWindow { .. }) => {
                debug!("the {} window closed before its round opened", role.as_str())
            }
            Err(e @ (RoundError::Paused | RoundError::Unreachable(_))) => {
                self.hold_off(role, format!("the {} round waits: {e}", role.as_str()), false, cap, due)
            }
            // A refusal no retry changes (the crank key removed, say): said, and
            // tried again later in case the operator fixed it (inside the window only).
            Err(e @ RoundError::Refused { .. }) => {
                self.hold_off(role, format!("the {} round was refused: {e}", role.as_str()), true, cap, due)
            }
        }
    }

    /// After a failed attempt: the next one waits longer (up to `cap`); the
    /// reason is said once, not at every attempt.
    fn hold_off(&mut self, role: Role, why: String, error: bool, cap: Duration, due: Option<ScheduledRound>) {
        let state = &mut self.roles[role as usize];
        state.failed_window = due.map(|d| d.window);
        state.backoff = (state.backoff * 2).clamp(Duration::from_secs(1), cap);
        state.quiet_until = Some(Instant::now() + state.backoff);
        if state.said.as_deref() != Some(why.as_str()) {
            if error {
                error!("{why}");
            } else {
                warn!("{why}");
            }
            state.said = Some(why);
        }
    }
}

/// Logs the windows of `role` that closed without a round while no keeper
/// watched (since its latest round opened), once at start and after a
/// change of the schedule.
fn log_gap(role: Role, config: &Config, board: &Board, now: i64) {
    let (c, a) = (&config.rules.cadence, &config.round_anchor);
    let Some(current) = cadence::current(c, a, now) else { return };
    // Windows from the board's next round number up to the one before the current.
    let closed_before = if current.is_open_at(now) { current.round } else { current.round + 1 };
    let first = board.next_round.max(a.round);
    if closed_before > first {
        warn!(
            "{} round windows of {} closed without a round before this keeper started (rounds {}..{}); not counted",
            closed_before - first,
            role.as_str(),
            first,
            closed_before - 1
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keeper::metered::Metered;
    use pictor_vip_sdk::ix::{self, Report};
    use pictor_vip_sdk::state::Rules;
    use pictor_vip_sdk::transport::InProcess;

    fn cluster(start: i64, rules: Rules) -> (InProcess, Keypair, Keypair, Keypair) {
        crate::testing::cluster(start, rules, &[])
    }

    const PERIOD: u32 = 100;
    const WINDOW: u32 = 40;

    fn counted(shared: &Shared, role: Role, outcome: &str) -> u64 {
        shared.metrics.rounds.with_label_values(&[role.as_str(), outcome]).get()
    }

    /// On an in-process cluster whose clock the test sets: the crank opens,
    /// ranks and finalises each window's round; a window the program is
    /// paused across is missed, counted once per role, never retried outside
    /// its window; the next window gets its round and health comes back.
    #[test]
    fn every_window_gets_its_round_and_a_paused_one_is_missed_once() {
        let start = 1_800_000_000 - 1_800_000_000 % i64::from(PERIOD) + 10;
        let rules = Rules {
            cadence: pictor_vip_sdk::state::RoundCadence {
                period_secs: PERIOD,
                open_window_secs: WINDOW,
                offset_secs: 0,
            },
            ..Rules::default()
        };
        let (mut runtime, admin, oracle, crank_key) = cluster(start, rules);
        // One creator with a pass, so that rounds rank someone.
        let wallet = Keypair::new();
        runtime.airdrop(&wallet.pubkey(), 1_000_000_000).unwrap();
        for (seq, report) in [
            (1, Report::Recharge { amount_base_units: 5_000_000_000 }),
            (2, Report::Spend { amount_base_units: 5_000_000_000 }),
        ] {
            let r = ix::report_signed(&[oracle.pubkey()], &wallet.pubkey(), seq, start, report);
            runtime.send(&[r], &[&oracle]).unwrap();
        }
        runtime.send(&ix::claim_instructions(&wallet.pubkey(), &wallet.pubkey(), Role::Creator), &[&wallet]).unwrap();

        let shared = Shared::new(Duration::from_secs(300));
        let stop = Arc::new(AtomicBool::new(false));
        let mut t: Metered<InProcess> = Metered::new(runtime, shared.clone());
        let anchor = read::config(&mut t).unwrap().unwrap().round_anchor;
        let keys = vec![Keypair::new(), crank_key.insecure_clone()];
        let window_ts = |k: u64| i64::try_from(k).unwrap() * i64::from(PERIOD);
        let first = anchor.window;
        assert!(window_ts(first) > start, "the first window comes after initialisation");
        let mut crank = Crank::new(t, keys, shared.clone(), stop, CrankOptions::default());

        // Before the first window: nothing to do, ready, the cadence seen.
        crank.tick();
        assert!(shared.cadence_on.load(Ordering::SeqCst));
        assert!(!shared.paused.load(Ordering::SeqCst));
        assert_eq!(shared.with_health(|h| h.not_ready(Instant::now())), None);
        // Window `first`: both roles get their round.
        crank.transport().inner_mut().set_time(window_ts(first) + 5).unwrap();
        crank.tick();
        for role in Role::ALL {
            assert_eq!((counted(&shared, role, "opened"), counted(&shared, role, "finalised")), (1, 1), "{role:?}");
        }
        assert_eq!(shared.metrics.members_ranked.with_label_values(&["creator"]).get(), 1);
        assert_eq!(
            shared.metrics.latest_finalised_round.with_label_values(&["creator"]).get(),
            i64::from(anchor.round)
        );
        // A second tick in the same window opens nothing more.
        crank.tick();
        assert_eq!(counted(&shared, Role::Creator, "opened"), 1);

        // Paused across window first + 1: the crank tries inside it, and the window is missed.
        crank.transport().send(&[ix::set_paused(&admin.pubkey(), true)], &[&admin]).unwrap();
        crank.transport().inner_mut().set_time(window_ts(first + 1) + 1).unwrap();
        crank.tick();
        assert!(shared.paused.load(Ordering::SeqCst), "the feed loop is told: it sends no report");
        crank.transport().inner_mut().set_time(window_ts(first + 1) + i64::from(WINDOW)).unwrap();
        crank.tick();
        for role in Role::ALL {
            assert_eq!(counted(&shared, role, "missed"), 1, "{role:?}");
            assert_eq!(counted(&shared, role, "opened"), 1, "{role:?}: nothing opened while paused");
        }
        let problems = shared.with_health(|h| h.problems(Instant::now()));
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(shared.metrics.healthy.get(), 0);
        // Unpaused after the window closed: nothing is opened outside a window.
        crank.transport().send(&[ix::set_paused(&admin.pubkey(), false)], &[&admin]).unwrap();
        crank.transport().inner_mut().set_time(window_ts(first + 1) + i64::from(WINDOW) + 30).unwrap();
        crank.tick();
        assert_eq!(counted(&shared, Role::Worker, "opened"), 1);
        assert_eq!(counted(&shared, Role::Worker, "missed"), 1, "judged once");

        // Window first + 2: rounds again, numbered by the window; health is back.
        crank.transport().inner_mut().set_time(window_ts(first + 2) + 2).unwrap();
        crank.tick();
        for role in Role::ALL {
            assert_eq!((counted(&shared, role, "opened"), counted(&shared, role, "finalised")), (2, 2), "{role:?}");
            let done = read::board(crank.transport(), role).unwrap().unwrap().finalised.unwrap();
            assert_eq!((done.round, done.snapshot_ts), (anchor.round + 2, window_ts(first + 2)), "{role:?}");
        }
        assert!(shared.with_health(|h| h.problems(Instant::now())).is_empty());
        assert_eq!(shared.metrics.healthy.get(), 1);

        // Windows that pass with no tick at all (the keeper stalled) are judged on the next one.
        crank.transport().inner_mut().set_time(window_ts(first + 5) + 1).unwrap();
        crank.tick();
        for role in Role::ALL {
            assert_eq!(counted(&shared, role, "missed"), 3, "{role:?}: windows first+3 and first+4");
            assert_eq!(counted(&shared, role, "opened"), 3, "{role:?}: window first+5's round");
        }
    }
}
