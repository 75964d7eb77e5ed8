//! The keeper's crank: a thread that drives each role's ranking rounds on
//! the configured cadence (SPEC §5). Every tick it reads the configuration,
//! both boards and the cluster clock, then for each role:
//!
//! 1. judges every round window that closed since the last one judged
//!    ([`judge_windows`]): a window whose round was never opened (the
//!    board's next round number is still at or below the window's) is
//!    **missed**: logged, counted (`missed_windows_total`,
//!    `last_missed_window_timestamp_seconds`), and never retried outside its
//!    window (the program would refuse it anyway: `OutsideRoundWindow`);
//! 2. resumes a round left open (by a crash, a stop, a fault) whatever the
//!    time: ranking and finalising are not bound to the window;
//! 3. opens the window's round while the window is open and its round is
//!    still to come ([`crank::due_round`], what `open_round` checks), then
//!    ranks and finalises it, syncing burned passes first
//!    ([`crank::run_round`]).
//!
//! Windows are judged by the time they closed, and how far they are judged
//! is kept in the keeper's state ([`super::state`]): windows that closed
//! while no keeper ran are counted at the next start, once (a restart does
//! not count them again). With no state yet, windows are judged from the
//! latest round opened on the chain. A window missed while this keeper ran
//! also makes it unhealthy until a round of its role is finalised.
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

/// Per role: the crank's attempts.
#[derive(Debug, Default, Clone)]
struct RoleState {
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
    /// The schedule last read (a change is logged).
    schedule: Option<Schedule>,
    /// The cluster time of the crank's first look (unix seconds): windows
    /// closing after it closed while this keeper ran.
    started_ts: Option<i64>,
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
            started_ts: None,
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
        });
        let m = &self.shared.metrics;
        m.round_period_seconds.set(if config.rules.cadence.is_on() {
            i64::from(config.rules.cadence.period_secs)
        } else {
            0
        });
        m.cluster_clock_lag_seconds.set(super::metrics::unix_now() - now);
        self.started_ts.get_or_insert(now);
        let schedule = Schedule { cadence: config.rules.cadence, anchor: config.round_anchor };
        if self.schedule.is_some_and(|s| s != schedule) {
            info!("the round cadence changed: windows are judged on the new schedule from now on");
        }
        self.schedule = Some(schedule);
        for role in Role::ALL {
            if self.stopped() {
                return;
            }
            let Some(board) = self.read_board(role) else { continue };
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

    /// Judges the windows of `role` that closed since the last judged, by
    /// `now`: counts the missed ones once, and keeps how far it judged.
    fn judge(&mut self, role: Role, config: &Config, board: &Board, now: i64) {
        let (c, a) = (&config.rules.cadence, &config.round_anchor);
        let after = self.shared.with_state(|s| s.windows(role).judged_through_ts);
        let Some(j) = judge_windows(c, a, board.next_round, after, now) else { return };
        let started = self.started_ts.unwrap_or(now);
        self.shared.with_state(|s| {
            let w = s.windows(role);
            w.judged_through_ts = Some(j.through_ts);
            if let Some(last) = &j.last_missed {
                w.missed_total += j.missed;
                w.last_missed_ts = last.closes_ts;
                w.last_missed_round = last.round;
            }
            s.changed();
        });
        let Some(last) = j.last_missed else { return };
        let m = &self.shared.metrics;
        m.missed_windows.with_label_values(&[role.as_str()]).inc_by(j.missed);
        m.last_missed_window_ts.with_label_values(&[role.as_str()]).set(last.closes_ts);
        let rounds = if j.missed == 1 {
            format!("round {}", last.round)
        } else {
            format!("rounds {} to {}", j.first_missed_round, last.round)
        };
        if last.closes_ts > started {
            error!(
                "missed the {} round window {} ({rounds}, open from unix time {} to {}): no round opened in it; \
                 the next chance is the next window",
                role.as_str(),
                last.window,
                last.snapshot_ts,
                last.closes_ts
            );
            self.shared.with_health(|h| h.missed_window_ts[role as usize] = Some(last.snapshot_ts));
        } else {
            error!(
                "{} {} round windows closed without their round before this keeper started ({rounds}, the last \
                 closed at unix time {}): counted as missed",
                j.missed,
                role.as_str(),
                last.closes_ts
            );
        }
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

/// What [`judge_windows`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Judged {
    /// Every window that closed by this time (unix seconds) is judged now.
    pub through_ts: i64,
    /// How many of the newly judged closed without their round.
    pub missed: u64,
    /// The round number of the first of those.
    pub first_missed_round: u32,
    /// The last of those.
    pub last_missed: Option<ScheduledRound>,
}

/// The windows of the cadence `c` (anchored at `a`) that closed after
/// `after` (unix seconds; `None`: from the anchor) and by `now`, judged
/// against a board whose next round number is `next_round`: those whose
/// round number is at or above it never had their round opened (round
/// numbers only grow, one per window). Windows before the board's latest
/// round had theirs, or belong to an earlier schedule. `None`: no window
/// closed in that time (or the cadence is off).
pub fn judge_windows(
    c: &RoundCadence,
    a: &RoundAnchor,
    next_round: u32,
    after: Option<i64>,
    now: i64,
) -> Option<Judged> {
    let open = i64::from(c.open_window_secs);
    // The latest window closed by `now`: its time is at most `now - open`.
    let last = cadence::window_at(c, now.checked_sub(open)?)?;
    let first = match after {
        Some(t) => cadence::window_at(c, t.checked_sub(open)?).map_or(0, |k| k + 1),
        None => 0,
    }
    .max(a.window);
    if first > last {
        return None;
    }
    let through = cadence::scheduled(c, a, last)?;
    // The window whose round is the board's next one.
    let next_window = a.window + u64::from(next_round.saturating_sub(a.round));
    let from = first.max(next_window);
    if from > last {
        return Some(Judged { through_ts: through.closes_ts, missed: 0, first_missed_round: 0, last_missed: None });
    }
    Some(Judged {
        through_ts: through.closes_ts,
        missed: last - from + 1,
        first_missed_round: cadence::scheduled(c, a, from)?.round,
        last_missed: Some(through),
    })
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
        match outcome {
            "missed" => shared.metrics.missed_windows.with_label_values(&[role.as_str()]).get(),
            _ => shared.metrics.rounds.with_label_values(&[role.as_str(), outcome]).get(),
        }
    }

    /// [`judge_windows`] against a window-by-window count, over cadences,
    /// anchors, boards and times.
    #[test]
    fn windows_are_judged_as_one_by_one() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |m: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % m
        };
        for _ in 0..20_000 {
            let period = 10 + next(90) as u32;
            let c = RoundCadence {
                period_secs: period,
                open_window_secs: 1 + next(u64::from(period)) as u32,
                offset_secs: next(u64::from(period)) as u32,
            };
            let a = RoundAnchor { window: next(20), round: 1 + next(5) as u32 };
            let next_round = a.round + next(15) as u32;
            let now = next(3_000) as i64;
            let after = (next(3) > 0).then(|| next(3_000) as i64);
            let got = judge_windows(&c, &a, next_round, after, now);
            // One by one.
            let (mut through, mut missed, mut first_missed, mut last) = (None, 0, None, None);
            for w in a.window..400 {
                let s = cadence::scheduled(&c, &a, w).unwrap();
                if s.closes_ts > now || after.is_some_and(|t| s.closes_ts <= t) {
                    continue;
                }
                through = Some(s.closes_ts);
                if s.round >= next_round {
                    missed += 1;
                    first_missed.get_or_insert(s.round);
                    last = Some(s);
                }
            }
            let want = through.map(|through_ts| Judged {
                through_ts,
                missed,
                first_missed_round: first_missed.unwrap_or(0),
                last_missed: last,
            });
            assert_eq!(got, want, "{c:?} {a:?} next {next_round} after {after:?} now {now}");
        }
    }

    /// Windows that close while no keeper runs are counted once at the
    /// next start, and not again at the one after; the state file keeps
    /// how far windows were judged.
    #[test]
    fn windows_closed_while_no_keeper_ran_are_counted_once_across_restarts() {
        let start = 1_800_000_000 - 1_800_000_000 % i64::from(PERIOD) + 10;
        let rules = Rules {
            cadence: RoundCadence { period_secs: PERIOD, open_window_secs: WINDOW, offset_secs: 0 },
            ..Rules::default()
        };
        let (mut runtime, _admin, _oracle, crank_key) = cluster(start, rules);
        let k = read::config(&mut runtime).unwrap().unwrap().round_anchor.window;
        let dir = std::env::temp_dir().join(format!("pictor-crank-restart-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let program = pictor_vip_sdk::program::ID;
        let window_ts = |k: u64| i64::try_from(k).unwrap() * i64::from(PERIOD);
        let mut runtime = Some(runtime);
        // Runs a keeper's crank at each of `times` (one process), then stops it.
        let mut run = |times: &[i64]| -> Arc<Shared> {
            let state = super::super::state::State::open(&dir, "LOCAL", &program).unwrap();
            let shared = Shared::over(Duration::from_secs(300), state);
            let stop = Arc::new(AtomicBool::new(false));
            let t = Metered::new(runtime.take().unwrap(), shared.clone());
            let mut crank =
                Crank::new(t, vec![crank_key.insecure_clone()], shared.clone(), stop, CrankOptions::default());
            for &at in times {
                crank.transport().inner_mut().set_time(window_ts(k) + at).unwrap();
                crank.tick();
            }
            runtime = Some(crank.t.into_inner());
            shared
        };
        // First run: window k's round.
        let shared = run(&[5]);
        assert_eq!((counted(&shared, Role::Worker, "opened"), counted(&shared, Role::Worker, "missed")), (1, 0));
        drop(shared);
        // Down across windows k+1 and k+2; back inside k+3's open part.
        let p = i64::from(PERIOD);
        let shared = run(&[3 * p + 1]);
        for role in Role::ALL {
            assert_eq!(counted(&shared, role, "missed"), 2, "{role:?}: k+1 and k+2, once");
            assert_eq!(counted(&shared, role, "opened"), 1, "{role:?}: k+3's round");
            let last = shared.metrics.last_missed_window_ts.with_label_values(&[role.as_str()]).get();
            assert_eq!(last, window_ts(k + 2) + i64::from(WINDOW), "{role:?}: when k+2 closed");
        }
        assert!(
            shared.with_health(|h| h.problems(Instant::now())).is_empty(),
            "windows missed while no keeper ran: metric and alert, not this process's health"
        );
        drop(shared);
        // A clean restart in the same window: nothing counted again.
        let shared = run(&[3 * p + 2]);
        for role in Role::ALL {
            assert_eq!(counted(&shared, role, "missed"), 2, "{role:?}: restored, not counted again");
            assert_eq!(counted(&shared, role, "opened"), 0, "{role:?}: k+3's round is done");
        }
        drop(shared);
        let _ = std::fs::remove_dir_all(&dir);
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
