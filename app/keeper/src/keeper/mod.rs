//! `pictor-vip keeper`: the oracle/crank bot as a long-running service.
//!
//! - It follows the oracle's JSON Lines file as it is written ([`tail`]:
//!   partial lines wait, rotation and truncation are survived) or standard
//!   input, and applies every fact with the bot ([`crate::bot`]): packed
//!   reports, many in flight, transient refusals waiting. The chain is its
//!   checkpoint: at start it reads the rotated predecessors (`FILE.N` …
//!   `FILE.1`) and the file from the start, and skips what members already
//!   hold (one `getMultipleAccounts` per 100 members), so after a crash
//!   nothing is applied twice and nothing is lost.
//! - A thread of its own drives each role's rounds on the configured
//!   cadence ([`rounds`]), and counts missed windows.
//! - It serves its metrics, `/healthz` and `/readyz` ([`metrics`]), counting
//!   every transaction through [`metered::Metered`].
//! - A malformed line, or one of an unknown type, is logged with its file
//!   and line number, counted and skipped: never fatal. The keeper keeps no
//!   time order across lines (a line fixed and appended again comes after
//!   later ones): the program keeps each member's facts in order (sequence
//!   numbers, `FactTimeBeforePrevious`).
//! - SIGTERM or SIGINT (the caller's `stop` flag) stops it cleanly: nothing
//!   new is sent, what is in flight is settled, the crank stops between two
//!   transactions (a round left open is resumed by the next run).
pub mod cosign;
pub mod metered;
pub mod metrics;
pub mod rounds;
pub mod state;
pub mod tail;

use crate::bot::{Bot, BotOptions, FactEvent, FactOutcome, PassEnd};
use crate::feed::{parse_line, unknown_type, Event};
use anyhow::Result;
use metered::Metered;
use metrics::unix_now;
use metrics::{Shared, REPORT_KINDS};
use pictor_vip_sdk::transport::Rpc;
use pictor_vip_sdk::Keypair;
use std::cell::RefCell;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tail::{LineSource, TailLine};
use tracing::{debug, error, info, warn};

/// The default `--metrics-listen`.
pub const DEFAULT_METRICS_LISTEN: &str = "127.0.0.1:9464";

/// What `keeper` is given.
#[derive(Debug, Clone)]
pub struct KeeperArgs {
    /// The feed file to follow, or `-` for standard input.
    pub feed: String,
    /// Oracle keypairs, each signing every report (empty: `--keypair`).
    pub oracle_keypairs: Vec<PathBuf>,
    /// The crank's keypairs (default: the first oracle's): the one the
    /// configuration names is used, so that the crank key can be rotated
    /// without a restart (give both, then `crank set NEW`).
    pub crank_keypairs: Vec<PathBuf>,
    /// Where `/metrics`, `/healthz` and `/readyz` are served.
    pub metrics_listen: SocketAddr,
    /// Unhealthy when facts wait and none landed for this long.
    pub stale_after: Duration,
    /// Members per `rank_batch` (0: the most a transaction holds).
    pub rank_batch: usize,
    /// Report transactions in flight at once.
    pub in_flight: usize,
    /// How often the feed is polled for new lines.
    pub poll: Duration,
    /// How often the crank reads the chain.
    pub tick: Duration,
    /// The co-signers' URLs (SPEC §6): each report names as many of them as
    /// the oracle quorum needs beyond the oracle keys given here.
    pub cosigners: Vec<String>,
    /// How long to wait for a co-signer's answer.
    pub cosign_timeout: Duration,
    /// Where the keeper keeps its state ([`state`]; `None`: in memory, a
    /// restart forgets).
    pub state_dir: Option<PathBuf>,
}

/// The rotated predecessors of `path` to read at start, oldest first:
/// `FILE.N` … `FILE.1`, as many as exist in a row from `FILE.1`.
pub fn predecessors(path: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for n in 1.. {
        let p = PathBuf::from(format!("{}.{n}", path.display()));
        if !p.is_file() {
            break;
        }
        out.push(p);
    }
    out.reverse();
    out
}

/// What the feed loop keeps between polls: where each line came from, and
/// what settled since the last look.
#[derive(Default)]
struct Book {
    /// The keeper's line number → `file:line`.
    labels: HashMap<usize, String>,
    /// Lines of the reports settled since the last look.
    settled: Vec<usize>,
    /// Per feed file (device, inode): the end of the last line read from it
    /// in this run (a line ending before it means the file was truncated).
    read_to: HashMap<(u64, u64), u64>,
}

/// Runs the keeper over `rpc` (its fee payer pays every transaction;
/// `signer`, the command's keypair, is the default oracle key) until
/// `stop` is set; then settles what is in flight, stops the crank and
/// returns.
pub fn run(rpc: Rpc, signer: Option<&Keypair>, args: &KeeperArgs, stop: Arc<AtomicBool>) -> Result<()> {
    let (oracles, crank_keys) = crate::keys::bot_keys(signer, &args.oracle_keypairs, &args.crank_keypairs)?;
    let shared = Shared::new(args.stale_after);
    let bound = metrics::serve(args.metrics_listen, shared.clone())?;
    info!("metrics on http://{bound}/metrics, health on /healthz and /readyz");
    // The state file is the cluster's: its genesis hash names it.
    let Some(state) = open_state(&rpc, args, &shared, &stop)? else { return Ok(()) };
    shared.load_state(state);

    // The crank, on a connection of its own.
    let crank_thread = {
        let (shared, stop) = (shared.clone(), stop.clone());
        let transport = Metered::new(rpc.reconnect(), shared.clone());
        let options = rounds::CrankOptions { rank_batch: args.rank_batch, tick: args.tick, ..Default::default() };
        let keys = crank_keys.iter().map(Keypair::insecure_clone).collect();
        let crank = rounds::Crank::new(transport, keys, shared, stop, options);
        std::thread::Builder::new().name("crank".into()).spawn(move || crank.run())?
    };
    // `round` lines (the cadence off) are run with the first crank key.
    let outcome = follow(rpc, args, &oracles, &crank_keys[0], &shared, &stop);
    stop.store(true, Ordering::SeqCst);
    if crank_thread.join().is_err() {
        error!("the crank thread panicked");
    }
    outcome
}

/// The keeper's state for this cluster (`None`: stopped before the cluster
/// answered). Waits for the cluster, reporting it not ready meanwhile.
fn open_state(rpc: &Rpc, args: &KeeperArgs, shared: &Shared, stop: &AtomicBool) -> Result<Option<state::State>> {
    let Some(dir) = &args.state_dir else {
        warn!(
            "no --state-dir: the keeper's state is kept in memory, and a restart forgets missed windows and refusals"
        );
        return Ok(Some(state::State::in_memory()));
    };
    let mut said = false;
    let genesis = loop {
        if stop.load(Ordering::SeqCst) {
            return Ok(None);
        }
        match rpc.genesis_hash() {
            Ok(g) => break g,
            Err(e) => {
                let why = format!("the cluster does not answer: {e}");
                if !said {
                    warn!("{why}; waiting for it");
                    said = true;
                }
                shared.rpc_failed(&why);
                shared.with_health(|h| h.not_ready = Some(why));
                sleep_unless(stop, Duration::from_secs(2));
            }
        }
    };
    shared.rpc_answered();
    let state = state::State::open(dir, &genesis, &pictor_vip_sdk::program::ID)?;
    info!("the keeper's state: {}", state.path().map_or(String::new(), |p| p.display().to_string()));
    Ok(Some(state))
}

/// The feed loop: reads new lines, applies them, keeps the metrics.
fn follow(
    rpc: Rpc,
    args: &KeeperArgs,
    oracles: &[Keypair],
    crank_key: &Keypair,
    shared: &Arc<Shared>,
    stop: &Arc<AtomicBool>,
) -> Result<()> {
    let mut transport = Metered::new(rpc, shared.clone());
    let options = BotOptions {
        rank_batch: args.rank_batch,
        in_flight: args.in_flight,
        stop: Some(stop.clone()),
        ..BotOptions::default()
    };
    let book = Rc::new(RefCell::new(Book::default()));
    let cosigners = if args.cosigners.is_empty() {
        None
    } else {
        Some(cosign::Cosigners::new(&args.cosigners, oracles.len(), args.cosign_timeout, shared.clone())?)
    };
    let mut bot = Bot::new(&mut transport, oracles, crank_key, options);
    if let Some(c) = cosigners {
        bot.cosigners = Some(Box::new(c));
    }
    bot.known_refusals = shared.with_state(|s| s.refused_facts().collect());
    {
        let (book, shared) = (book.clone(), shared.clone());
        bot.observer = Some(Box::new(move |e: &FactEvent| {
            let now = unix_now();
            shared.metrics.fact(e.kind, e.outcome, e.fact_ts, now);
            match e.outcome {
                FactOutcome::Applied | FactOutcome::AlreadyApplied => {
                    shared.with_health(|h| h.last_progress = Instant::now());
                    if e.outcome == FactOutcome::Applied {
                        shared.with_state(|s| {
                            s.data.last_fact_landed_ts = now;
                            s.touched();
                        });
                    }
                }
                FactOutcome::Refused => {
                    if let Some(wallet) = &e.wallet {
                        let b = book.borrow();
                        let line = b.labels.get(&e.line).cloned().unwrap_or_else(|| format!("line {}", e.line));
                        let reason = e.reason.as_deref().unwrap_or("refused");
                        let record = state::refusal(e.role, wallet, e.seq, e.kind, &e.fact, reason, &line, now);
                        let known = shared.with_state(|s| {
                            s.refused(record);
                            s.data.refused.len()
                        });
                        shared.metrics.known_refusals.set(known as i64);
                    }
                }
                FactOutcome::KnownRefusal => {
                    let b = book.borrow();
                    let line = b.labels.get(&e.line).cloned().unwrap_or_else(|| format!("line {}", e.line));
                    info!(
                        "{line}: refused for good by an earlier run (seq {}): not sent again (`keeper refused` lists it)",
                        e.seq
                    );
                }
            }
            book.borrow_mut().settled.push(e.line);
        }));
    }
    let mut source: Box<dyn LineSource> = if args.feed == "-" {
        info!("following standard input");
        Box::new(tail::Stdin::start())
    } else {
        let path = PathBuf::from(&args.feed);
        info!("following {}", path.display());
        Box::new(tail::Tail::new(&path))
    };
    // Wait until the cluster answers and the program is there: the crank
    // thread tells (the first read of what members hold needs both).
    while !stop.load(Ordering::SeqCst) && shared.with_health(|h| h.not_ready(Instant::now()).is_some()) {
        std::thread::sleep(Duration::from_millis(200));
    }
    // The predecessors first: the chain says what of them is applied.
    let mut first: Vec<TailLine> = Vec::new();
    if args.feed != "-" {
        for p in predecessors(Path::new(&args.feed)) {
            match tail::read_all(&p, &p.display().to_string()) {
                Ok(lines) => {
                    info!("reading {} ({} lines) before {}", p.display(), lines.len(), args.feed);
                    first.extend(lines);
                }
                Err(e) => warn!("cannot read {}: {e}", p.display()),
            }
        }
    }
    let mut number = 0usize;
    let mut wait = args.poll;
    let mut retry_at = Instant::now();
    let mut polled_error = false;
    let mut was_paused = false;
    while !stop.load(Ordering::SeqCst) {
        let mut lines = std::mem::take(&mut first);
        match source.poll() {
            Ok(more) => {
                lines.extend(more);
                polled_error = false;
            }
            Err(e) => {
                if !polled_error {
                    error!("reading {}: {e}", args.feed);
                }
                polled_error = true;
            }
        }
        if let Some(p) = source.position() {
            shared.metrics.feed_read_bytes.set(p.read_bytes as i64);
            shared.metrics.feed_behind_bytes.set(p.size_bytes.saturating_sub(p.read_bytes) as i64);
        }
        let fresh = take_lines(&mut bot, &lines, &mut number, &book, shared);
        // While the program is paused nothing is sent (each report would be
        // refused and pay its fee); once it is unpaused, at once.
        let paused = shared.paused.load(Ordering::SeqCst);
        if paused != was_paused {
            if paused {
                info!("the program is paused: facts wait until it is unpaused ({} lines to do)", bot.outstanding());
            } else {
                info!("the program is unpaused: sending what waits");
                retry_at = Instant::now();
                wait = args.poll;
            }
            was_paused = paused;
        }
        if !paused && bot.outstanding() > 0 && (fresh || Instant::now() >= retry_at) {
            match bot.step() {
                Ok(PassEnd::Complete) | Ok(PassEnd::Stalled) => {}
                Err(e) => warn!("{e}"),
            }
            // Some report settled (the observer saw it; `push` drained what it settled).
            let moved = !book.borrow().settled.is_empty();
            report(&mut bot, &book, shared);
            // Nothing moved: what waits is tried again later and later (up to 30 s).
            let next = if moved { args.poll } else { (wait * 2).min(Duration::from_secs(30)) };
            if next > wait {
                if let Some((line, reason)) = bot.first_waiting() {
                    let at = book.borrow().labels.get(&line).cloned().unwrap_or_else(|| format!("line {line}"));
                    info!(
                        "{} lines wait (first {at}: {}); trying again in {} s",
                        bot.outstanding(),
                        reason.unwrap_or("not sent yet"),
                        next.as_secs_f64()
                    );
                }
            }
            wait = next;
            retry_at = Instant::now() + wait;
        }
        // Facts that wait on co-signers are theirs to answer, not the
        // keeper's: counted and alerted on apart, they leave it healthy.
        let on_cosigners = usize::try_from(shared.metrics.cosign_waiting.get()).unwrap_or(0);
        let waiting = bot.outstanding().saturating_sub(on_cosigners);
        shared.with_health(|h| {
            h.waiting = waiting;
            match (waiting, h.waiting_since) {
                (0, _) => h.waiting_since = None,
                (_, None) => h.waiting_since = Some(Instant::now()),
                _ => {}
            }
        });
        sleep_unless(stop, args.poll);
    }
    info!("stopping: what was in flight is settled");
    report(&mut bot, &book, shared);
    shared.with_state(|s| s.flush());
    let waiting = bot.outstanding();
    if waiting > 0 {
        info!("{waiting} lines not applied yet: the next run applies them");
    }
    Ok(())
}

fn sleep_unless(stop: &AtomicBool, d: Duration) {
    let until = Instant::now() + d;
    while !stop.load(Ordering::SeqCst) && Instant::now() < until {
        std::thread::sleep(d.min(Duration::from_millis(50)));
    }
}

/// Parses new lines and gives the good ones to the bot; returns whether
/// any was given.
fn take_lines(
    bot: &mut Bot,
    lines: &[TailLine],
    number: &mut usize,
    book: &Rc<RefCell<Book>>,
    shared: &Shared,
) -> bool {
    let m = &shared.metrics;
    let mut good = Vec::new();
    for l in lines {
        if l.text.trim().is_empty() {
            continue;
        }
        *number += 1;
        m.feed_lines.inc();
        note_position(l, &mut book.borrow_mut(), shared);
        let label = format!("{}:{}", l.source, l.number);
        match parse_line(*number, &l.text) {
            Err(e) => {
                let reason = if unknown_type(&l.text).is_some() { "unknown_type" } else { "malformed" };
                if bad_line_is_new(l, shared) {
                    m.lines_bad.with_label_values(&[reason]).inc();
                    warn!("{label}: skipped: {}", e.message);
                } else {
                    debug!("{label}: skipped (counted before this start): {}", e.message);
                }
            }
            Ok(line) => match &line.event {
                Event::Claim { .. } => {
                    m.lines_skipped.with_label_values(&["claim"]).inc();
                    debug!("{label}: a claim is signed by its wallet, not the keeper: skipped");
                }
                Event::Round { .. } if shared.cadence_on.load(Ordering::SeqCst) => {
                    m.lines_skipped.with_label_values(&["round"]).inc();
                    debug!("{label}: the round cadence drives rounds: the round line is skipped");
                }
                _ => {
                    book.borrow_mut().labels.insert(*number, label);
                    good.push(Ok(line));
                }
            },
        }
    }
    let fresh = !good.is_empty();
    if fresh {
        bot.push(good);
        report(bot, book, shared);
    }
    fresh
}

/// Whether bad line `l` is counted now: not if an earlier run counted it
/// (it ends at or before the offset the state keeps for its file; a file
/// truncated in this run starts again from 0). Lines of no file (standard
/// input) are always new.
fn bad_line_is_new(l: &TailLine, shared: &Shared) -> bool {
    let Some(origin) = l.origin else { return true };
    shared.with_state(|s| {
        let counted = s.data.bad_lines_counted_to.entry(file_key(origin)).or_insert(0);
        if l.end <= *counted {
            return false;
        }
        *counted = l.end;
        s.changed();
        true
    })
}

/// The state's name of a feed file (device and inode).
fn file_key(origin: (u64, u64)) -> String {
    format!("{}:{}", origin.0, origin.1)
}

/// Notes how far line `l`'s file is read; a line ending before the last
/// one read from the same file means the file was truncated in place: its
/// bad lines are counted again from its start.
fn note_position(l: &TailLine, book: &mut Book, shared: &Shared) {
    let Some(origin) = l.origin else { return };
    if book.read_to.insert(origin, l.end).is_some_and(|before| l.end <= before) {
        shared.with_state(|s| s.data.bad_lines_counted_to.remove(&file_key(origin)));
    }
}

/// Logs what settled since the last look, and keeps the gauges of what waits.
fn report(bot: &mut Bot, book: &Rc<RefCell<Book>>, shared: &Shared) {
    let summary = bot.take_summary();
    let mut b = book.borrow_mut();
    let label = |b: &Book, line: usize| b.labels.get(&line).cloned().unwrap_or_else(|| format!("line {line}"));
    for (line, reason) in &summary.refused {
        warn!("{}: refused: {reason}", label(&b, *line));
    }
    for r in &summary.rounds {
        info!("the {} round {} (from a round line) is finalised: {} members", r.role.as_str(), r.round, r.members);
    }
    if summary.applied > 0 || summary.already_applied > 0 || !summary.refused.is_empty() {
        info!(
            "facts: {} applied, {} already on the chain, {} refused; {} lines to do",
            summary.applied,
            summary.already_applied,
            summary.refused.len(),
            bot.outstanding()
        );
    }
    for line in std::mem::take(&mut b.settled) {
        b.labels.remove(&line);
    }
    let waiting = bot.outstanding_by_kind();
    for kind in REPORT_KINDS {
        shared.metrics.facts_waiting.with_label_values(&[kind]).set(waiting.get(kind).copied().unwrap_or(0) as i64);
    }
    if bot.outstanding() == 0 {
        b.labels.clear();
    }
    drop(b);
    bot.compact();
}
