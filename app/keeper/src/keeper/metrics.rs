//! The keeper's metrics (the `prometheus` crate's registry, served in the
//! Prometheus text format) and its health, served on `--metrics-listen`:
//! `/metrics`, `/healthz`, `/readyz`.
//!
//! Every series a label can take is created at start (at zero), so that a
//! rule such as `increase(…[1h]) > 0` sees the first event, and a scrape
//! lists what the keeper counts before it happens.
use crate::bot::FactOutcome;
use anyhow::{Context as _, Result};
use pictor_vip_http::metrics::{counter_vec, gauge, gauge_vec};
use pictor_vip_sdk::state::Role;
use prometheus::{Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU8};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Every metric's name starts with this (`pictor_keeper_facts_total`, …).
pub const NAMESPACE: &str = "pictor_keeper";
/// The report kinds, as the feed names them (the `kind` label).
pub const REPORT_KINDS: [&str; 5] = ["recharge", "spend", "frames", "worker_day", "gpu"];
/// What becomes of a fact (the `outcome` label of `facts_total`):
/// `already_applied` are facts the chain holds already (most of them re-read
/// at a start), `known_refusal` facts refused for good by an earlier run
/// (not sent again); neither is news, and no alert ratio divides by them.
pub const FACT_OUTCOMES: [&str; 4] = ["applied", "already_applied", "refused", "known_refusal"];
/// What the keeper did with a round (the `outcome` label of `rounds_total`);
/// windows missed are `missed_windows_total`.
pub const ROUND_OUTCOMES: [&str; 3] = ["opened", "finalised", "abandoned"];
/// The instructions the keeper sends (the `instruction` label).
pub const INSTRUCTIONS: [&str; 8] = [
    "submit_report",
    "open_round",
    "rank_batch",
    "finalise_round",
    "abandon_round",
    "sync_pass",
    "lookup_table",
    "other",
];
/// Why a line was skipped as bad (the `reason` label of `lines_bad_total`).
pub const BAD_LINE_REASONS: [&str; 2] = ["malformed", "unknown_type"];
/// Lines skipped on purpose (the `type` label of `lines_skipped_total`).
pub const SKIPPED_TYPES: [&str; 2] = ["claim", "round"];
/// The kinds of RPC error (the `kind` label of `rpc_errors_total`).
pub const RPC_ERROR_KINDS: [&str; 5] = ["unreachable", "read", "transport", "blockhash_expired", "transaction_refused"];
/// The buckets of the landing-lag histogram, in seconds (a second to a day).
pub const LAG_BUCKETS_SECONDS: [f64; 14] =
    [1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1_800.0, 3_600.0, 21_600.0, 86_400.0];

/// The keeper's metrics.
pub struct Metrics {
    registry: Registry,
    /// Facts settled, by report kind and outcome.
    pub facts: IntCounterVec,
    /// Facts read and not settled yet (not sent, or refused for now), by report kind.
    pub facts_waiting: IntGaugeVec,
    /// Lines skipped as bad, by reason.
    pub lines_bad: IntCounterVec,
    /// Lines skipped on purpose (claims, and `round` lines with the cadence on), by type.
    pub lines_skipped: IntCounterVec,
    /// Transactions sent (every attempt), by instruction.
    pub tx_sent: IntCounterVec,
    /// Transactions that landed (succeeded or failed in the program: a fee was paid), by instruction.
    pub tx_landed: IntCounterVec,
    /// Transactions sent again after a transport fault, by instruction.
    pub tx_retried: IntCounterVec,
    /// Fees of the transactions that landed, in lamports.
    pub fees_lamports: IntCounter,
    /// Rounds opened, finalised and abandoned by this keeper, by role and outcome.
    pub rounds: IntCounterVec,
    /// Round windows that closed without their round, by role (kept across
    /// restarts: each window counted once).
    pub missed_windows: IntCounterVec,
    /// When the latest such window closed, unix seconds, by role (0: none).
    pub last_missed_window_ts: IntGaugeVec,
    /// The round cadence's period, seconds (0: the cadence is off).
    pub round_period_seconds: IntGauge,
    /// Wall-clock time minus the cluster's clock, seconds (as last read).
    pub cluster_clock_lag_seconds: IntGauge,
    /// When an RPC call last succeeded, unix seconds.
    pub rpc_last_success_ts: IntGauge,
    /// Bytes of the feed file read as complete lines.
    pub feed_read_bytes: IntGauge,
    /// Bytes of the feed file not read yet (or a line not ended yet).
    pub feed_behind_bytes: IntGauge,
    /// Feed lines read (every line, good or bad).
    pub feed_lines: IntCounter,
    /// Facts refused for good that the keeper remembers (not sent again).
    pub known_refusals: IntGauge,
    /// The latest finalised round's number, by role.
    pub latest_finalised_round: IntGaugeVec,
    /// When the latest finalised round was finalised, unix seconds, by role.
    pub latest_finalised_round_ts: IntGaugeVec,
    /// Members ranked by this keeper, by role.
    pub members_ranked: IntCounterVec,
    /// Burned passes that the crank could not sync before a round, by role.
    pub sync_failures: IntCounterVec,
    /// From a fact's time to its landing, seconds.
    pub fact_lag: Histogram,
    /// When a fact last landed, unix seconds (0: none yet).
    pub last_fact_landed_ts: IntGauge,
    /// RPC errors, by kind.
    pub rpc_errors: IntCounterVec,
    /// 1 while healthy (see [`Health`]).
    pub healthy: IntGauge,
    /// 1 while ready: the cluster answers and the program is initialised.
    pub ready: IntGauge,
    /// `process_*` and `build_info`.
    process: Registry,
    /// Requests to co-signers, by co-signer (its key) and outcome.
    pub cosign_requests: IntCounterVec,
    /// Report instructions a co-signer refused, by co-signer and reason.
    pub cosign_refusals: IntCounterVec,
    /// Time to get a transaction co-signed (every co-signer asked in parallel), seconds.
    pub cosign_seconds: Histogram,
    /// Facts waiting on co-signers now (refused lately, or too few co-signers up).
    pub cosign_waiting: IntGauge,
    /// How long the oldest of them has waited, seconds (0: none).
    pub cosign_oldest_wait_seconds: IntGauge,
}

/// What becomes of a request to a co-signer (the `outcome` label).
pub const COSIGN_OUTCOMES: [&str; 5] = ["signed", "refused", "timeout", "unreachable", "bad_answer"];

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Every metric, registered, each label value at zero.
    pub fn new() -> Self {
        let r = Registry::new_custom(Some(NAMESPACE.into()), None).expect("a valid namespace");
        let m = Metrics {
            facts: counter_vec(&r, "facts_total", "Oracle facts settled, by report kind and outcome", &["kind", "outcome"]),
            facts_waiting: gauge_vec(
                &r,
                "facts_waiting",
                "Oracle facts read and not settled yet (not sent yet, or refused for now), by report kind",
                &["kind"],
            ),
            lines_bad: counter_vec(
                &r,
                "lines_bad_total",
                "Feed lines skipped as malformed or of an unknown type",
                &["reason"],
            ),
            lines_skipped: counter_vec(
                &r,
                "lines_skipped_total",
                "Feed lines skipped on purpose: claims (a wallet signs its own), round lines while the cadence drives rounds",
                &["type"],
            ),
            tx_sent: counter_vec(&r, "transactions_sent_total", "Transactions sent, every attempt", &["instruction"]),
            tx_landed: counter_vec(
                &r,
                "transactions_landed_total",
                "Transactions that landed (succeeded, or failed in the program and paid their fee)",
                &["instruction"],
            ),
            tx_retried: counter_vec(
                &r,
                "transactions_retried_total",
                "Transactions sent again after a transport fault",
                &["instruction"],
            ),
            fees_lamports: {
                let c = IntCounter::with_opts(Opts::new(
                    "fees_lamports_total",
                    "Fees of the transactions that landed, lamports",
                ))
                .expect("a valid metric");
                r.register(Box::new(c.clone())).expect("registered once");
                c
            },
            rounds: counter_vec(
                &r,
                "rounds_total",
                "Ranking rounds this keeper opened, finalised and abandoned, by role and outcome",
                &["role", "outcome"],
            ),
            missed_windows: counter_vec(
                &r,
                "missed_windows_total",
                "Round windows that closed without their round, by role (each counted once, across restarts)",
                &["role"],
            ),
            last_missed_window_ts: gauge_vec(
                &r,
                "last_missed_window_timestamp_seconds",
                "When the latest round window that closed without its round closed, unix seconds, by role (0: none)",
                &["role"],
            ),
            round_period_seconds: gauge(
                &r,
                "round_period_seconds",
                "The round cadence's period, seconds (0: the cadence is off)",
            ),
            cluster_clock_lag_seconds: gauge(
                &r,
                "cluster_clock_lag_seconds",
                "Wall-clock time minus the cluster's clock (the Clock sysvar), seconds, as last read",
            ),
            rpc_last_success_ts: gauge(
                &r,
                "rpc_last_success_timestamp_seconds",
                "When a call to the cluster last succeeded, unix seconds",
            ),
            feed_read_bytes: gauge(&r, "feed_read_bytes", "Bytes of the feed file read as complete lines"),
            feed_behind_bytes: gauge(
                &r,
                "feed_behind_bytes",
                "Bytes of the feed file not read yet, or of a line not ended yet",
            ),
            feed_lines: {
                let c = IntCounter::with_opts(Opts::new("feed_lines_total", "Feed lines read, good or bad"))
                    .expect("a valid metric");
                r.register(Box::new(c.clone())).expect("registered once");
                c
            },
            known_refusals: gauge(
                &r,
                "known_refusals",
                "Facts refused for good that the keeper remembers and does not send again",
            ),
            latest_finalised_round: gauge_vec(
                &r,
                "latest_finalised_round",
                "Number of the latest finalised ranking round, by role",
                &["role"],
            ),
            latest_finalised_round_ts: gauge_vec(
                &r,
                "latest_finalised_round_timestamp_seconds",
                "When the latest ranking round was finalised, unix seconds, by role",
                &["role"],
            ),
            members_ranked: counter_vec(&r, "members_ranked_total", "Members ranked by this keeper, by role", &["role"]),
            sync_failures: counter_vec(
                &r,
                "burned_pass_sync_failures_total",
                "Burned passes the crank could not sync before a round, by role",
                &["role"],
            ),
            fact_lag: {
                let h = Histogram::with_opts(
                    HistogramOpts::new(
                        "fact_landing_lag_seconds",
                        "From an oracle fact's time to its landing on the cluster, seconds",
                    )
                    .buckets(LAG_BUCKETS_SECONDS.to_vec()),
                )
                .expect("a valid metric");
                r.register(Box::new(h.clone())).expect("registered once");
                h
            },
            last_fact_landed_ts: gauge(
                &r,
                "last_fact_landed_timestamp_seconds",
                "When an oracle fact last landed, unix seconds (kept across restarts; 0: never)",
            ),
            rpc_errors: counter_vec(&r, "rpc_errors_total", "Errors talking to the cluster, by kind", &["kind"]),
            healthy: gauge(
                &r,
                "healthy",
                "1 while healthy: the cluster answers, facts land, no window was missed while it ran since the last round",
            ),
            ready: gauge(
                &r,
                "ready",
                "1 while doing its work: the program is initialised and a call to the cluster succeeded lately",
            ),
            process: process_and_build(NAMESPACE),
            cosign_requests: counter_vec(
                &r,
                "cosign_requests_total",
                "Requests to co-signers, by co-signer (its key) and outcome",
                &["cosigner", "outcome"],
            ),
            cosign_refusals: counter_vec(
                &r,
                "cosign_refusals_total",
                "Report instructions a co-signer refused, by co-signer and reason (SPEC §6)",
                &["cosigner", "reason"],
            ),
            cosign_seconds: {
                let h = Histogram::with_opts(
                    HistogramOpts::new("cosign_seconds", "Time to get a transaction co-signed, seconds")
                        .buckets(vec![0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]),
                )
                .expect("a valid metric");
                r.register(Box::new(h.clone())).expect("registered once");
                h
            },
            cosign_waiting: gauge(&r, "cosign_waiting", "Facts waiting on co-signers now"),
            cosign_oldest_wait_seconds: gauge(
                &r,
                "cosign_oldest_wait_seconds",
                "How long the oldest fact waiting on co-signers has waited, seconds (0: none waits)",
            ),
            registry: r,
        };
        for kind in REPORT_KINDS {
            m.facts_waiting.with_label_values(&[kind]).set(0);
            for outcome in FACT_OUTCOMES {
                m.facts.with_label_values(&[kind, outcome]);
            }
        }
        for reason in BAD_LINE_REASONS {
            m.lines_bad.with_label_values(&[reason]);
        }
        for kind in SKIPPED_TYPES {
            m.lines_skipped.with_label_values(&[kind]);
        }
        for ix in INSTRUCTIONS {
            m.tx_sent.with_label_values(&[ix]);
            m.tx_landed.with_label_values(&[ix]);
            m.tx_retried.with_label_values(&[ix]);
        }
        for role in Role::ALL {
            let r = role.as_str();
            for outcome in ROUND_OUTCOMES {
                m.rounds.with_label_values(&[r, outcome]);
            }
            m.latest_finalised_round.with_label_values(&[r]).set(0);
            m.missed_windows.with_label_values(&[r]);
            m.last_missed_window_ts.with_label_values(&[r]).set(0);
            m.latest_finalised_round_ts.with_label_values(&[r]).set(0);
            m.members_ranked.with_label_values(&[r]);
            m.sync_failures.with_label_values(&[r]);
        }
        for kind in RPC_ERROR_KINDS {
            m.rpc_errors.with_label_values(&[kind]);
        }
        m
    }

    /// The scrape: every metric in the Prometheus text format, with
    /// `process_*` and `pictor_keeper_build_info`.
    pub fn render(&self) -> String {
        render_all(&[&self.registry, &self.process])
    }

    /// A fact settled: counted by kind and outcome; an applied one's lag
    /// from `fact_ts` to `landed_ts` (unix seconds) observed.
    pub fn fact(&self, kind: &str, outcome: FactOutcome, fact_ts: i64, landed_ts: i64) {
        let label = match outcome {
            FactOutcome::Applied => "applied",
            FactOutcome::AlreadyApplied => "already_applied",
            FactOutcome::Refused => "refused",
            FactOutcome::KnownRefusal => "known_refusal",
        };
        self.facts.with_label_values(&[kind, label]).inc();
        if outcome == FactOutcome::Applied {
            self.fact_lag.observe((landed_ts - fact_ts).max(0) as f64);
            self.last_fact_landed_ts.set(landed_ts);
        }
    }

    /// The series of a co-signer (its key), created at zero.
    pub fn cosigner(&self, key: &str) {
        for outcome in COSIGN_OUTCOMES {
            self.cosign_requests.with_label_values(&[key, outcome]);
        }
        for reason in crate::cosigner::check::Reason::ALL {
            self.cosign_refusals.with_label_values(&[key, reason.as_str()]);
        }
    }

    /// A round event of `role` (`opened`, `finalised`, `abandoned`).
    pub fn round(&self, role: Role, outcome: &str) {
        self.rounds.with_label_values(&[role.as_str(), outcome]).inc();
    }
}

pub use pictor_vip_http::metrics::{process_and_build, render_all};

/// What health is judged from; shared by the keeper's threads.
#[derive(Debug)]
pub struct Health {
    /// How long facts may wait with none landing, or the cluster go without
    /// answering, before the keeper is unhealthy.
    pub stale_after: Duration,
    /// When a fact last landed (or was found already applied), or when the keeper started.
    pub last_progress: Instant,
    /// Facts waiting now.
    pub waiting: usize,
    /// Since when facts have been waiting (`None`: none waits).
    pub waiting_since: Option<Instant>,
    /// Per role: the snapshot time (unix seconds) of the latest window that
    /// closed without its round while this keeper ran.
    pub missed_window_ts: [Option<i64>; 2],
    /// Per role: the snapshot time of the latest finalised round.
    pub finalised_ts: [Option<i64>; 2],
    /// When a call to the cluster last succeeded (or when the keeper started).
    pub last_rpc_ok: Instant,
    /// Whether one ever did.
    pub rpc_ever_ok: bool,
    /// The latest failed call's error (its URL masked).
    pub last_rpc_error: Option<String>,
    /// Why the keeper cannot work (the program not initialised, say), if so.
    pub not_ready: Option<String>,
}

/// How long readiness holds without a successful call to the cluster: the
/// crank reads it every second, and a round in progress sends a
/// transaction every few; a keeper none of whose calls succeeded for this
/// long is not doing its work.
pub const READY_HOLDS: Duration = Duration::from_secs(30);

impl Health {
    /// Health at start.
    pub fn new(stale_after: Duration) -> Self {
        Health {
            stale_after,
            last_progress: Instant::now(),
            waiting: 0,
            waiting_since: None,
            missed_window_ts: [None; 2],
            finalised_ts: [None; 2],
            last_rpc_ok: Instant::now(),
            rpc_ever_ok: false,
            last_rpc_error: None,
            not_ready: Some("the cluster has not been checked yet".into()),
        }
    }

    /// Why the keeper is unhealthy (empty: healthy): no call to the cluster
    /// succeeded for `stale_after` (it refuses or hangs: every call has a
    /// timeout); facts wait and none landed for `stale_after`; or a window
    /// closed without its round while it ran and no round of that role was
    /// finalised since.
    pub fn problems(&self, now: Instant) -> Vec<String> {
        let mut out = Vec::new();
        let silent = now.saturating_duration_since(self.last_rpc_ok);
        if silent >= self.stale_after {
            out.push(format!(
                "no call to the cluster has succeeded for {} s (--stale-after {} s){}",
                silent.as_secs(),
                self.stale_after.as_secs(),
                self.last_rpc_error.as_deref().map(|e| format!(": {e}")).unwrap_or_default()
            ));
        }
        if let Some(since) = self.waiting_since.filter(|_| self.waiting > 0) {
            let quiet = now.saturating_duration_since(since.max(self.last_progress));
            if quiet >= self.stale_after {
                out.push(format!(
                    "{} facts wait and none has landed for {} s (--stale-after {} s)",
                    self.waiting,
                    quiet.as_secs(),
                    self.stale_after.as_secs()
                ));
            }
        }
        for role in Role::ALL {
            let i = role as usize;
            if let Some(missed) = self.missed_window_ts[i] {
                if self.finalised_ts[i].is_none_or(|done| done < missed) {
                    out.push(format!(
                        "the {} round window at unix time {missed} closed without its round while this keeper ran, \
                         and no round was finalised since",
                        role.as_str()
                    ));
                }
            }
        }
        out
    }

    /// Why the keeper is not doing its work (`None`: ready): the program is
    /// not initialised, or no call to the cluster has succeeded lately. A
    /// long round that sends its batches is ready.
    pub fn not_ready(&self, now: Instant) -> Option<String> {
        if let Some(why) = &self.not_ready {
            return Some(why.clone());
        }
        if !self.rpc_ever_ok {
            return Some("the cluster has not answered yet".into());
        }
        let silent = now.saturating_duration_since(self.last_rpc_ok);
        (silent > READY_HOLDS).then(|| {
            format!(
                "no call to the cluster has succeeded for {} s{}",
                silent.as_secs(),
                self.last_rpc_error.as_deref().map(|e| format!(": {e}")).unwrap_or_default()
            )
        })
    }
}

/// The metrics and health the keeper's threads share, what the crank last
/// read of the configuration, and the keeper's state.
pub struct Shared {
    /// The metrics.
    pub metrics: Metrics,
    /// The health.
    pub health: Mutex<Health>,
    /// What the keeper remembers across restarts.
    pub state: Mutex<super::state::State>,
    /// The round cadence is on: rounds are the crank's, `round` lines are skipped.
    pub cadence_on: AtomicBool,
    /// The program is paused: the feed loop sends no report (each would be
    /// refused, and pay its fee) until it is unpaused.
    pub paused: AtomicBool,
    /// The configuration's oracle quorum (how many co-signers a report names).
    pub oracle_quorum: AtomicU8,
}

impl Shared {
    /// Fresh metrics and health, the state in memory.
    pub fn new(stale_after: Duration) -> Arc<Self> {
        Self::bare(stale_after)
    }

    /// Fresh metrics and health over `state` (its counters restored into
    /// the metrics).
    pub fn over(stale_after: Duration, state: super::state::State) -> Arc<Self> {
        let shared = Self::bare(stale_after);
        shared.load_state(state);
        shared
    }

    /// Takes `state` as the keeper's (at start, once the cluster is known),
    /// restoring its counters into the metrics.
    pub fn load_state(&self, state: super::state::State) {
        let m = &self.metrics;
        for (role, w) in &state.data.windows {
            let counted = m.missed_windows.with_label_values(&[role]);
            counted.inc_by(w.missed_total.saturating_sub(counted.get()));
            m.last_missed_window_ts.with_label_values(&[role]).set(w.last_missed_ts);
        }
        m.last_fact_landed_ts.set(state.data.last_fact_landed_ts);
        m.known_refusals.set(state.data.refused.len() as i64);
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) = state;
    }

    fn bare(stale_after: Duration) -> Arc<Self> {
        Arc::new(Shared {
            metrics: Metrics::new(),
            health: Mutex::new(Health::new(stale_after)),
            state: Mutex::new(super::state::State::in_memory()),
            cadence_on: AtomicBool::new(false),
            paused: AtomicBool::new(false),
            oracle_quorum: AtomicU8::new(1),
        })
    }

    /// Runs `f` on the health and refreshes the `healthy` and `ready` gauges.
    pub fn with_health<T>(&self, f: impl FnOnce(&mut Health) -> T) -> T {
        let mut h = self.health.lock().unwrap_or_else(|e| e.into_inner());
        let out = f(&mut h);
        let now = Instant::now();
        self.metrics.healthy.set(i64::from(h.problems(now).is_empty()));
        self.metrics.ready.set(i64::from(h.not_ready(now).is_none()));
        out
    }

    /// Runs `f` on the keeper's state.
    pub fn with_state<T>(&self, f: impl FnOnce(&mut super::state::State) -> T) -> T {
        f(&mut self.state.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// A call to the cluster succeeded (it answered, even with a refusal).
    pub fn rpc_answered(&self) {
        let mut h = self.health.lock().unwrap_or_else(|e| e.into_inner());
        h.last_rpc_ok = Instant::now();
        h.rpc_ever_ok = true;
        self.metrics.rpc_last_success_ts.set(unix_now());
    }

    /// A call to the cluster failed with `error`.
    pub fn rpc_failed(&self, error: &str) {
        let mut h = self.health.lock().unwrap_or_else(|e| e.into_inner());
        h.last_rpc_error = Some(pictor_vip_sdk::redact::urls_in(error));
    }
}

/// Now, unix seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// The HTTP routes: `/metrics`, `/healthz`, `/readyz`.
pub fn router(shared: Arc<Shared>) -> axum::Router {
    use axum::http::{header, StatusCode};
    use axum::routing::get;
    use axum::Json;
    let metrics = {
        let shared = shared.clone();
        move || {
            let shared = shared.clone();
            async move {
                // Judged at scrape time too (staleness grows without events).
                shared.with_health(|_| ());
                ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], shared.metrics.render())
            }
        }
    };
    let healthz = {
        let shared = shared.clone();
        move || {
            let shared = shared.clone();
            async move {
                let problems = shared.with_health(|h| h.problems(Instant::now()));
                let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
                (status, Json(json!({"healthy": problems.is_empty(), "problems": problems})))
            }
        }
    };
    let readyz = move || {
        let shared = shared.clone();
        async move {
            let why = shared.with_health(|h| h.not_ready(Instant::now()));
            let status = if why.is_none() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
            (status, Json(json!({"ready": why.is_none(), "reason": why})))
        }
    };
    axum::Router::new().route("/metrics", get(metrics)).route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

/// Binds `listen` now (an address in use is an error at start) and serves
/// the routes on a thread of its own until the process ends.
pub fn serve(listen: SocketAddr, shared: Arc<Shared>) -> Result<SocketAddr> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(listen))
        .with_context(|| format!("--metrics-listen {listen}: cannot listen there"))?;
    let bound = listener.local_addr()?;
    std::thread::Builder::new().name("metrics".into()).spawn(move || {
        runtime.block_on(async move {
            if let Err(e) = axum::serve(listener, router(shared)).await {
                tracing::error!("the metrics server stopped: {e}");
            }
        })
    })?;
    Ok(bound)
}

/// Test support: every metric named (by `prefix`) in the rule `files` is in
/// the scrape `text`, and each file names at least `at_least` of them.
#[cfg(test)]
pub(crate) fn assert_rules_name_only_exported(text: &str, prefix: &str, files: &[&str], at_least: usize) {
    let exported: std::collections::BTreeSet<&str> =
        text.lines().filter(|l| !l.starts_with('#')).map(|l| l.split(['{', ' ']).next().unwrap()).collect();
    for file in files {
        let mut named = 0;
        for (i, _) in file.match_indices(prefix) {
            let name: String = file[i..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            assert!(exported.contains(name.as_str()), "{name} is named in an alert rule and not exported");
            named += 1;
        }
        assert!(named >= at_least, "the rules name at least {at_least} {prefix}* metrics");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The series a scrape lists, as `name{labels}`.
    fn series(text: &str) -> Vec<String> {
        text.lines().filter(|l| !l.starts_with('#')).map(|l| l.rsplit_once(' ').unwrap().0.to_string()).collect()
    }

    #[test]
    fn every_metric_and_label_is_listed_from_the_start() {
        let m = Metrics::new();
        let text = m.render();
        let s = series(&text);
        for kind in REPORT_KINDS {
            for outcome in FACT_OUTCOMES {
                let name = format!(r#"pictor_keeper_facts_total{{kind="{kind}",outcome="{outcome}"}}"#);
                assert!(s.contains(&name), "{name} in\n{text}");
            }
            assert!(s.contains(&format!(r#"pictor_keeper_facts_waiting{{kind="{kind}"}}"#)));
        }
        for role in ["creator", "worker"] {
            for outcome in ROUND_OUTCOMES {
                assert!(s.contains(&format!(r#"pictor_keeper_rounds_total{{outcome="{outcome}",role="{role}"}}"#)));
            }
            for name in [
                "latest_finalised_round",
                "latest_finalised_round_timestamp_seconds",
                "members_ranked_total",
                "burned_pass_sync_failures_total",
            ] {
                assert!(s.contains(&format!(r#"pictor_keeper_{name}{{role="{role}"}}"#)), "{name}");
            }
        }
        for ix in INSTRUCTIONS {
            for name in ["transactions_sent_total", "transactions_landed_total", "transactions_retried_total"] {
                assert!(s.contains(&format!(r#"pictor_keeper_{name}{{instruction="{ix}"}}"#)), "{name} {ix}");
            }
        }
        for kind in RPC_ERROR_KINDS {
            assert!(s.contains(&format!(r#"pictor_keeper_rpc_errors_total{{kind="{kind}"}}"#)));
        }
        for reason in BAD_LINE_REASONS {
            assert!(s.contains(&format!(r#"pictor_keeper_lines_bad_total{{reason="{reason}"}}"#)));
        }
        for kind in SKIPPED_TYPES {
            assert!(s.contains(&format!(r#"pictor_keeper_lines_skipped_total{{type="{kind}"}}"#)));
        }
        for name in [
            "pictor_keeper_fees_lamports_total",
            "pictor_keeper_last_fact_landed_timestamp_seconds",
            "pictor_keeper_healthy",
            "pictor_keeper_ready",
            "pictor_keeper_fact_landing_lag_seconds_count",
            "pictor_keeper_fact_landing_lag_seconds_sum",
            r#"pictor_keeper_fact_landing_lag_seconds_bucket{le="+Inf"}"#,
        ] {
            assert!(s.iter().any(|x| x == name), "{name} in\n{text}");
        }
        assert!(text.contains("# TYPE pictor_keeper_fact_landing_lag_seconds histogram"));
        assert!(text.contains("# TYPE pictor_keeper_facts_total counter"));
        assert!(text.contains("# TYPE pictor_keeper_facts_waiting gauge"));
    }

    /// The alert rules (and their promtool tests) name only metrics the keeper exports.
    #[test]
    fn the_alert_rules_name_only_metrics_the_keeper_exports() {
        // With a co-signer known (its series exist from then on).
        let m = Metrics::new();
        m.cosigner("COSIGNER");
        let text = m.render();
        let files = [
            include_str!("../../../../deploy/prometheus/pictor-vip-keeper.rules.yml"),
            include_str!("../../../../deploy/prometheus/pictor-vip-keeper.rules.test.yml"),
        ];
        assert_rules_name_only_exported(&text, "pictor_keeper_", &files, 7);
    }

    #[test]
    fn a_fact_counts_by_kind_and_outcome_and_its_lag_is_observed() {
        let m = Metrics::new();
        m.fact("spend", FactOutcome::Applied, 1_000, 1_007);
        m.fact("spend", FactOutcome::AlreadyApplied, 1_000, 1_010);
        m.fact("gpu", FactOutcome::Refused, 1_000, 1_010);
        let text = m.render();
        assert!(text.contains("pictor_keeper_facts_total{kind=\"spend\",outcome=\"applied\"} 1\n"));
        assert!(text.contains("pictor_keeper_facts_total{kind=\"spend\",outcome=\"already_applied\"} 1\n"));
        assert!(text.contains("pictor_keeper_facts_total{kind=\"gpu\",outcome=\"refused\"} 1\n"));
        // One observation of 7 s: in the 10 s bucket, not in the 5 s one.
        assert!(text.contains("pictor_keeper_fact_landing_lag_seconds_bucket{le=\"5\"} 0\n"), "{text}");
        assert!(text.contains("pictor_keeper_fact_landing_lag_seconds_bucket{le=\"10\"} 1\n"), "{text}");
        assert!(text.contains("pictor_keeper_fact_landing_lag_seconds_sum 7\n"), "{text}");
        assert!(text.contains("pictor_keeper_last_fact_landed_timestamp_seconds 1007\n"));
    }

    #[test]
    fn health_turns_false_on_stale_facts_and_on_a_missed_window_until_a_round_is_finalised() {
        let start = Instant::now();
        let mut h = Health::new(Duration::from_secs(300));
        h.last_progress = start;
        h.last_rpc_ok = start + Duration::from_secs(20_000);
        assert!(h.problems(start).is_empty());
        h.waiting = 3;
        h.waiting_since = Some(start);
        assert!(h.problems(start + Duration::from_secs(299)).is_empty());
        let p = h.problems(start + Duration::from_secs(300));
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("3 facts wait"), "{p:?}");
        // A fact landing resets the clock.
        h.last_progress = start + Duration::from_secs(250);
        assert!(h.problems(start + Duration::from_secs(400)).is_empty());
        // Nothing waiting is never stale.
        h.waiting = 0;
        h.waiting_since = None;
        assert!(h.problems(start + Duration::from_secs(10_000)).is_empty());
        // The cluster silent (refusing or hung) for --stale-after: unhealthy, with the last error.
        h.last_rpc_ok = start;
        h.last_rpc_error = Some("the cluster at http://h/?… does not answer".into());
        assert!(h.problems(start + Duration::from_secs(299)).is_empty());
        let p = h.problems(start + Duration::from_secs(300));
        assert!(
            p.len() == 1 && p[0].contains("no call to the cluster has succeeded for 300 s") && p[0].contains("?…"),
            "{p:?}"
        );
        h.last_rpc_ok = start + Duration::from_secs(20_000);

        h.finalised_ts[Role::Worker as usize] = Some(1_000);
        h.missed_window_ts[Role::Worker as usize] = Some(1_030);
        let p = h.problems(start);
        assert!(p.len() == 1 && p[0].contains("worker round window at unix time 1030"), "{p:?}");
        h.finalised_ts[Role::Worker as usize] = Some(1_060);
        assert!(h.problems(start).is_empty(), "a later round finalised");
    }

    #[test]
    fn ready_needs_a_recent_answer() {
        let start = Instant::now();
        let mut h = Health::new(Duration::from_secs(300));
        assert!(h.not_ready(start).is_some());
        h.not_ready = None;
        assert_eq!(h.not_ready(start).as_deref(), Some("the cluster has not answered yet"));
        h.last_rpc_ok = start;
        h.rpc_ever_ok = true;
        assert_eq!(h.not_ready(start + Duration::from_secs(5)), None);
        // Any call that succeeds holds it (a long round's batches, say).
        assert_eq!(h.not_ready(start + READY_HOLDS), None);
        let why = h.not_ready(start + READY_HOLDS + Duration::from_secs(1)).unwrap();
        assert!(why.contains("no call to the cluster has succeeded for 31 s"), "{why}");
        h.not_ready = Some("the program is not initialised on this cluster".into());
        assert_eq!(h.not_ready(start).as_deref(), Some("the program is not initialised on this cluster"));
    }
}
