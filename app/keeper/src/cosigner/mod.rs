//! `pictor-vip cosigner`: an oracle key held apart (SPEC §6, "Independent
//! co-signers"). Run by its own operator with its own copy of the facts,
//! it signs a report transaction the keeper built only when every
//! instruction is a compute-budget instruction or this program's
//! `submit_report`, it is named as a signer of those reports and is neither
//! the fee payer nor the rent payer, the fee payer is a keeper it serves
//! whose signature verifies, and every report equals a fact of its own feed
//! field for field; it never signs two different facts for one (wallet,
//! sequence number), even across restarts ([`ledger`]).
//!
//! Its interface (public: keep it stable):
//! - `POST /v1/sign` `{"transaction": BASE64}` (legacy or v0, the fee
//!   payer's signature present) → `{"signature": BASE58}`, or 422
//!   `{"refused": [{"instruction": i, "reason": …}]}` ([`check::Reason`]);
//!   a request that is not one (not JSON, not base64, not a transaction, a
//!   body over [`MAX_BODY_BYTES`]) → 400 or 413 with `{"error": …}`;
//! - `GET /v1/key` → `{"pubkey": BASE58}`: the key it signs with (how the
//!   keeper learns whom to name in its reports);
//! - `GET /healthz`: 200 while its feed is followed and its ledger written;
//! - `GET /readyz`: 200 once its feed is read up to its end;
//! - `GET /metrics`: Prometheus.
pub mod check;
pub mod facts;
pub mod ledger;
pub mod metrics;

use anyhow::{Context as _, Result};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use check::{Context, Reason, Refused};
use facts::FactIndex;
use ledger::Ledger;
use metrics::Metrics;
use pictor_vip_sdk::{Keypair, Pubkey, Signer};
use serde::Deserialize;
use serde_json::json;
use solana_transaction::versioned::VersionedTransaction;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// The largest request `POST /v1/sign` reads, bytes: a transaction is at
/// most 1,232 bytes, 1,644 in base64.
pub const MAX_BODY_BYTES: usize = 8 * 1024;

/// What `cosigner` is given.
#[derive(Debug, Clone)]
pub struct CosignerArgs {
    /// The oracle key it signs with.
    pub keypair: PathBuf,
    /// Its feed: a file (rotated predecessors read first), or `-` for standard input.
    pub feed: String,
    /// Where it serves.
    pub listen: SocketAddr,
    /// The keepers it serves: the fee payers it accepts.
    pub keepers: Vec<Pubkey>,
    /// Where it keeps what it signed (none: memory only).
    pub state_dir: Option<PathBuf>,
    /// A cluster to read the configuration from (its key should be an oracle key), if given.
    pub url: Option<String>,
    /// How often the feed is read for new lines.
    pub poll: Duration,
}

/// The service's state.
pub struct Service {
    key: Keypair,
    keepers: Vec<Pubkey>,
    facts: RwLock<FactIndex>,
    ledger: Mutex<Ledger>,
    metrics: Metrics,
    /// The feed was read up to its end once.
    ready: AtomicBool,
    /// When the feed follower last went round (it stops only with the process).
    followed_at: Mutex<Instant>,
    /// The last ledger write failed (unhealthy until one succeeds).
    ledger_failing: AtomicBool,
    poll: Duration,
}

impl Service {
    /// A service signing with `key` for `keepers`, its ledger `ledger`.
    pub fn new(key: Keypair, keepers: Vec<Pubkey>, ledger: Ledger, poll: Duration) -> Arc<Self> {
        let metrics = Metrics::new();
        metrics.ledger_facts.set(ledger.len() as i64);
        Arc::new(Service {
            key,
            keepers,
            facts: RwLock::new(FactIndex::default()),
            ledger: Mutex::new(ledger),
            metrics,
            ready: AtomicBool::new(false),
            followed_at: Mutex::new(Instant::now()),
            ledger_failing: AtomicBool::new(false),
            poll,
        })
    }

    /// Its key.
    pub fn pubkey(&self) -> Pubkey {
        self.key.pubkey()
    }

    /// Reads feed lines into the index (the follower, and tests).
    pub fn add_lines(&self, lines: &[crate::keeper::tail::TailLine]) {
        let mut facts = self.facts.write().expect("the index lock");
        for l in lines {
            facts.add(l);
        }
        self.metrics.observe_feed(&facts);
    }

    /// Marks the feed as read up to its end.
    pub fn set_ready(&self) {
        if !self.ready.swap(true, Ordering::SeqCst) {
            tracing::info!("the feed is read up to its end: ready");
        }
        self.metrics.ready.set(1);
    }

    /// Judges a transaction (bincode bytes of a `VersionedTransaction`):
    /// its signature, or the refusals. Records what it signs before it
    /// answers.
    pub fn sign(&self, tx: &VersionedTransaction) -> Result<solana_signature::Signature, SignError> {
        let started = Instant::now();
        let facts = self.facts.read().expect("the index lock");
        let mut ledger = self.ledger.lock().expect("the ledger lock");
        let cx = Context { me: self.key.pubkey(), keepers: &self.keepers, facts: &facts, ledger: &ledger };
        let outcome = match check::check(tx, &cx) {
            Err(refused) => Err(SignError::Refused(refused)),
            Ok(facts) => {
                let record: Vec<_> = facts.iter().map(|f| (f.wallet, f.seq, f.digest())).collect();
                match ledger.record(&record) {
                    Err(e) => {
                        self.ledger_failing.store(true, Ordering::SeqCst);
                        tracing::error!("the ledger could not be written, so nothing is signed: {e:#}");
                        Err(SignError::Ledger(format!("{e:#}")))
                    }
                    Ok(()) => {
                        self.ledger_failing.store(false, Ordering::SeqCst);
                        self.metrics.ledger_facts.set(ledger.len() as i64);
                        Ok(self.key.sign_message(&tx.message.serialize()))
                    }
                }
            }
        };
        self.metrics.sign_seconds.observe(started.elapsed().as_secs_f64());
        match &outcome {
            Ok(_) => self.metrics.signatures.inc(),
            Err(SignError::Refused(refused)) => {
                for r in refused {
                    self.metrics.refusals.with_label_values(&[r.reason.as_str()]).inc();
                }
            }
            Err(SignError::Ledger(_)) => {}
        }
        outcome
    }
}

/// Why a transaction was not signed.
#[derive(Debug)]
pub enum SignError {
    /// Instructions refused, each with its reason.
    Refused(Vec<Refused>),
    /// The ledger could not be written: nothing is signed.
    Ledger(String),
}

/// The body of `POST /v1/sign`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignRequest {
    transaction: String,
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

async fn sign(State(s): State<Arc<Service>>, body: axum::body::Bytes) -> Response {
    let service = s.clone();
    match tokio::task::spawn_blocking(move || answer(&service, &body)).await {
        Ok((status, text)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, [(axum::http::header::CONTENT_TYPE, "application/json")], text).into_response()
        }
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("the signer stopped: {e}")),
    }
}

/// The answer to a `POST /v1/sign` body: its HTTP status and JSON text
/// (the route, and an in-process channel, both answer through it).
pub fn answer(s: &Service, body: &[u8]) -> (u16, String) {
    let bad = |message: String| {
        s.metrics.bad_requests.inc();
        (400, json!({ "error": message }).to_string())
    };
    let request: SignRequest = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => return bad(format!("not a sign request ({{\"transaction\": BASE64}}): {e}")),
    };
    let bytes = match base64::engine::general_purpose::STANDARD.decode(request.transaction.trim()) {
        Ok(b) => b,
        Err(e) => return bad(format!("transaction: not base64: {e}")),
    };
    let tx = match decode_transaction(&bytes) {
        Ok(tx) => tx,
        Err(e) => return bad(format!("transaction: {e}")),
    };
    match s.sign(&tx) {
        Ok(signature) => (200, json!({ "signature": signature.to_string() }).to_string()),
        Err(SignError::Refused(refused)) => (422, json!({ "refused": refused }).to_string()),
        Err(SignError::Ledger(e)) => {
            (503, json!({ "error": format!("the ledger cannot be written, nothing is signed: {e}") }).to_string())
        }
    }
}

/// A versioned transaction (legacy or v0) from its wire bytes, all of them.
pub fn decode_transaction(bytes: &[u8]) -> Result<VersionedTransaction, String> {
    use bincode::Options;
    let tx: VersionedTransaction = bincode::options()
        .with_fixint_encoding()
        .reject_trailing_bytes()
        .with_limit(MAX_BODY_BYTES as u64)
        .deserialize(bytes)
        .map_err(|e| format!("not a Solana transaction: {e}"))?;
    let required = usize::from(tx.message.header().num_required_signatures);
    if tx.signatures.len() != required || required == 0 {
        return Err(format!("{} signatures for {required} required signers", tx.signatures.len()));
    }
    tx.sanitize().map_err(|e| format!("not a valid transaction: {e}"))?;
    Ok(tx)
}

async fn key(State(s): State<Arc<Service>>) -> Response {
    Json(json!({ "pubkey": s.pubkey().to_string() })).into_response()
}

async fn healthz(State(s): State<Arc<Service>>) -> Response {
    let stalled = s.followed_at.lock().expect("the follower clock").elapsed() > s.poll * 20 + Duration::from_secs(10);
    let ledger = s.ledger_failing.load(Ordering::SeqCst);
    let problems: Vec<&str> = [
        (stalled, "the feed follower has not gone round for a while"),
        (ledger, "the ledger cannot be written (nothing is signed)"),
    ]
    .iter()
    .filter(|(bad, _)| *bad)
    .map(|(_, what)| *what)
    .collect();
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    s.metrics.healthy.set(i64::from(problems.is_empty()));
    (status, Json(json!({ "healthy": problems.is_empty(), "problems": problems }))).into_response()
}

async fn readyz(State(s): State<Arc<Service>>) -> Response {
    let ready = s.ready.load(Ordering::SeqCst);
    let facts = s.facts.read().expect("the index lock").len();
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let why = if ready { "its feed is read up to its end" } else { "still reading its feed" };
    (status, Json(json!({ "ready": ready, "facts": facts, "reason": why }))).into_response()
}

async fn render_metrics(State(s): State<Arc<Service>>) -> Response {
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], s.metrics.render()).into_response()
}

/// What the co-signer allows a client: a body of [`MAX_BODY_BYTES`], a
/// request answered within 10 s (a keeper waits less), 256 connections.
pub const LIMITS: pictor_vip_http::Limits = pictor_vip_http::Limits {
    header_timeout: Duration::from_secs(5),
    request_timeout: Duration::from_secs(10),
    max_connections: 256,
    max_body_bytes: MAX_BODY_BYTES,
};

/// The co-signer's routes, hardened ([`pictor_vip_http::harden`]): every
/// error is JSON.
pub fn router(service: Arc<Service>) -> Router {
    let routes = Router::new()
        .route("/v1/sign", post(sign))
        .route("/v1/key", get(key))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(render_metrics))
        .with_state(service);
    pictor_vip_http::harden(routes, LIMITS, pictor_vip_http::json_errors())
}

/// Runs the co-signer until `stop` is set.
pub fn run(args: &CosignerArgs, stop: Arc<AtomicBool>) -> Result<()> {
    let key = crate::keys::read_keypair(&args.keypair)?;
    let ledger = match &args.state_dir {
        Some(dir) => Ledger::open(dir)?,
        None => {
            tracing::warn!(
                "no --state-dir: what this co-signer signs is kept in memory only, so after a restart it could sign a \
                 second fact for a (wallet, seq) it signed before; give it a state directory in production"
            );
            Ledger::in_memory()
        }
    };
    if args.keepers.is_empty() {
        anyhow::bail!("--keeper: name at least one keeper key (the fee payer of the reports to co-sign)");
    }
    tracing::info!(
        "co-signing as {} for keepers {}; {} facts signed before",
        key.pubkey(),
        args.keepers.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(", "),
        ledger.len()
    );
    let service = Service::new(key, args.keepers.clone(), ledger, args.poll);
    if let Some(url) = &args.url {
        check_oracle(url, &service);
    }
    let follower = {
        let (service, stop, feed) = (service.clone(), stop.clone(), args.feed.clone());
        std::thread::Builder::new().name("feed".into()).spawn(move || follow(&service, &feed, &stop))?
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(args.listen))
        .with_context(|| format!("--listen {}: cannot listen there", args.listen))?;
    tracing::info!("serving on http://{}", listener.local_addr()?);
    let stopping = async {
        while !stop.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tracing::info!("stopping: answering the requests in progress (at most {:?})", LIMITS.request_timeout);
    };
    runtime.block_on(pictor_vip_http::serve_until(listener, router(service), LIMITS, stopping))?;
    tracing::info!("stopped");
    let _ = follower.join();
    Ok(())
}

/// Warns when the key is not one of the configuration's oracle keys.
fn check_oracle(url: &str, service: &Service) {
    let mut rpc = pictor_vip_sdk::transport::Rpc::new(url, Keypair::new());
    match pictor_vip_sdk::read::config(&mut rpc) {
        Ok(Some(config)) if config.oracles.contains(&service.pubkey()) => {
            service.metrics.is_oracle.set(1);
        }
        Ok(Some(_)) => tracing::warn!(
            "{} is not an oracle key of the program's configuration: its signatures count for nothing until the \
             admin adds it (`pictor-vip oracle add`)",
            service.pubkey()
        ),
        Ok(None) => tracing::warn!("the program is not initialised at {}", crate::redact::url(url)),
        Err(e) => tracing::warn!("reading the configuration at {}: {e}", crate::redact::url(url)),
    }
}

/// Follows the feed until `stop`: reads what is there, then what is added.
fn follow(service: &Service, feed: &str, stop: &AtomicBool) {
    let (first, mut source) = facts::source(feed);
    service.add_lines(&first);
    let mut failing = false;
    while !stop.load(Ordering::SeqCst) {
        match source.poll() {
            Ok(lines) => {
                let caught_up = lines.is_empty();
                service.add_lines(&lines);
                if caught_up {
                    service.set_ready();
                }
                failing = false;
            }
            Err(e) => {
                if !failing {
                    tracing::error!("reading {feed}: {e}");
                }
                failing = true;
            }
        }
        *service.followed_at.lock().expect("the follower clock") = Instant::now();
        let until = Instant::now() + service.poll;
        while !stop.load(Ordering::SeqCst) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The reasons a keeper hears, as a person reads them.
pub fn explain(reason: Reason) -> &'static str {
    match reason {
        Reason::NotInFeed => "the co-signer's feed has no such fact (yet)",
        Reason::DiffersFromFeed => "the co-signer's feed says otherwise",
        Reason::Equivocation => "the co-signer signed a different fact for this wallet and sequence number",
        Reason::InstructionNotAllowed => "not a report or a compute-budget instruction",
        Reason::SignerMisuse => "the co-signer is not named as a report's co-signer, or is asked to pay",
        Reason::UnknownKeeper => "the fee payer is not a keeper this co-signer serves, or its signature fails",
    }
}
