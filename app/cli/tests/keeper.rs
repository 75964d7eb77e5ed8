//! `pictor-vip keeper` on a real local cluster, as an operator runs it: the
//! unchanged binary as a child process, following a feed file that this
//! test writes while it runs (a line split across two writes, a malformed
//! line, a line of an unknown type, the malformed line fixed and appended
//! again, a claim and a round line it skips, a fact the program refuses, a
//! rotation), SIGKILLed twice and restarted, the program paused across one
//! round window, and stopped with SIGTERM. Afterwards every member holds
//! exactly the facts written, every window got its round but the paused
//! one, and the last run's scraped metrics say what happened.
use pictor_vip_keeper::feed::{format_day, format_rfc3339};
use pictor_vip_sdk::cadence;
use pictor_vip_sdk::events::ProgramEvent;
use pictor_vip_sdk::state::{FinalRound, Member, Role};
use pictor_vip_sdk::transport::{Rpc, Transport};
use pictor_vip_sdk::{read, Pubkey, Signer};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod localnet;
use localnet::*;

const PERIOD: i64 = 20;
const WINDOW: i64 = 10;

/// The scrape as text.
fn scrape_text(port: u16) -> String {
    reqwest::blocking::get(format!("http://127.0.0.1:{port}/metrics")).unwrap().text().unwrap()
}

/// The scrape as `name{labels}` → value.
fn scrape(port: u16) -> BTreeMap<String, f64> {
    parse(&scrape_text(port))
}

fn parse(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (k, v) = l.rsplit_once(' ').unwrap();
            (k.to_string(), v.parse::<f64>().unwrap())
        })
        .collect()
}

fn metric(m: &BTreeMap<String, f64>, key: &str) -> u64 {
    *m.get(key).unwrap_or_else(|| panic!("{key} is not in the scrape")) as u64
}

/// The sum of a metric's series whose labels contain `filter`.
fn sum(m: &BTreeMap<String, f64>, name: &str, filter: &str) -> u64 {
    m.iter().filter(|(k, _)| k.starts_with(&format!("{name}{{")) && k.contains(filter)).map(|(_, v)| *v as u64).sum()
}

fn status(port: u16, path: &str) -> (u16, String) {
    let r = reqwest::blocking::get(format!("http://127.0.0.1:{port}{path}")).unwrap();
    (r.status().as_u16(), r.text().unwrap())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn append(path: &Path, text: &str) {
    let mut f = fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f.flush().unwrap();
}

struct Keeper {
    net_url: String,
    payer: PathBuf,
    oracle: PathBuf,
    crank: PathBuf,
    feed: PathBuf,
    port: u16,
    log: PathBuf,
    /// The keeper's --state-dir.
    state: PathBuf,
    /// Arguments added to every run.
    extra: Vec<String>,
}

impl Keeper {
    /// The keeper as a child process, once it is ready (the caller waits for it).
    #[allow(clippy::zombie_processes)] // returned to the caller, who kills or stops it and waits
    fn spawn(&self) -> Child {
        let log = fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
        let mut command = Command::new(bin());
        command.arg("keeper");
        if !self.net_url.is_empty() {
            command.args(["--url", &self.net_url]);
        }
        let mut child = command
            .arg("--keypair")
            .arg(&self.payer)
            .arg("--feed")
            .arg(&self.feed)
            .arg("--state-dir")
            .arg(&self.state)
            .args(&self.extra)
            .arg("--oracle-keypair")
            .arg(&self.oracle)
            .arg("--crank-keypair")
            .arg(&self.crank)
            .args(["--metrics-listen", &format!("127.0.0.1:{}", self.port)])
            .args(["--stale-after", "5", "--poll-ms", "200", "--tick-ms", "500"])
            .env("RUST_LOG", "warn,pictor_vip_keeper=info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = reqwest::blocking::get(format!("http://127.0.0.1:{}/readyz", self.port)) {
                if r.status().is_success() {
                    return child;
                }
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the keeper was not ready in a minute: {}", self.logs());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn logs(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

fn finalised(rpc: &mut Rpc, role: Role) -> Option<FinalRound> {
    read::board(rpc, role).unwrap().unwrap().finalised
}

/// Waits until both roles have a finalised round whose snapshot is after
/// `since` (cluster time); returns its snapshot time (the same window for both).
fn wait_for_rounds_after(rpc: &mut Rpc, since: i64, keeper: &Keeper) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let done: Vec<Option<FinalRound>> = Role::ALL.iter().map(|r| finalised(rpc, *r)).collect();
        if done.iter().all(|d| d.as_ref().is_some_and(|d| d.snapshot_ts > since)) {
            let (c, w) = (done[0].as_ref().unwrap().snapshot_ts, done[1].as_ref().unwrap().snapshot_ts);
            assert_eq!(c, w, "both roles' rounds in the same window");
            return c;
        }
        assert!(Instant::now() < deadline, "no rounds after unix time {since}: {}", keeper.logs());
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Waits until every member's last applied sequence number is the expected one.
fn wait_for_facts(rpc: &mut Rpc, expected: &BTreeMap<(Role, Pubkey), u64>, keeper: &Keeper) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let members: Vec<(Role, Pubkey)> = expected.keys().copied().collect();
        let found = read::members_of(rpc, &members).unwrap();
        let behind: Vec<_> = members
            .iter()
            .zip(found)
            .filter(|(k, m)| m.as_ref().map(|m| m.header().last_seq) != Some(expected[k]))
            .map(|(k, _)| k.1)
            .collect();
        if behind.is_empty() {
            return;
        }
        assert!(Instant::now() < deadline, "{} members behind the feed: {}", behind.len(), keeper.logs());
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// What the test writes, and what it expects the chain to hold.
#[derive(Default)]
struct Facts {
    deposited: BTreeMap<Pubkey, u64>,
    spent: BTreeMap<Pubkey, u64>,
    frames: BTreeMap<Pubkey, u64>,
    uptime: BTreeMap<Pubkey, u64>,
    last_seq: BTreeMap<(Role, Pubkey), u64>,
    /// Facts the program accepts.
    valid: usize,
}

impl Facts {
    fn recharge(&mut self, w: Pubkey, seq: u64, at: i64, usdt: u64) -> String {
        *self.deposited.entry(w).or_default() += usdt * 1_000_000;
        self.fact(Role::Creator, w, seq);
        format!(r#"{{"type":"recharge","at":"{}","wallet":"{w}","seq":{seq},"usdt":"{usdt}"}}"#, format_rfc3339(at))
    }

    fn spend(&mut self, w: Pubkey, seq: u64, at: i64, usdt: u64) -> String {
        *self.spent.entry(w).or_default() += usdt * 1_000_000;
        self.fact(Role::Creator, w, seq);
        format!(r#"{{"type":"spend","at":"{}","wallet":"{w}","seq":{seq},"usdt":"{usdt}"}}"#, format_rfc3339(at))
    }

    fn frames(&mut self, w: Pubkey, seq: u64, at: i64, frames: u64) -> String {
        *self.frames.entry(w).or_default() += frames;
        self.fact(Role::Creator, w, seq);
        format!(r#"{{"type":"frames","at":"{}","wallet":"{w}","seq":{seq},"frames":{frames}}}"#, format_rfc3339(at))
    }

    fn day(&mut self, w: Pubkey, seq: u64, day: i64, minutes: u64) -> String {
        *self.uptime.entry(w).or_default() += minutes;
        self.fact(Role::Worker, w, seq);
        format!(
            r#"{{"type":"worker_day","at":"{}","wallet":"{w}","seq":{seq},"day":"{}","uptime_minutes":{minutes},"frames_completed":2,"jobs_failed":0}}"#,
            format_rfc3339((day + 1) * 86_400),
            format_day(day)
        )
    }

    fn fact(&mut self, role: Role, w: Pubkey, seq: u64) {
        self.last_seq.insert((role, w), seq);
        self.valid += 1;
    }
}

fn lines(v: &[String]) -> String {
    v.iter().map(|l| format!("{l}\n")).collect()
}

/// A local cluster initialised with a round window every PERIOD seconds,
/// open WINDOW, and a funded fee payer (its key and its file).
fn cadenced_cluster(name: &str) -> (Cluster, pictor_vip_sdk::Keypair, PathBuf) {
    let net = Cluster::start(name, &["--no-init"]);
    let deploy = deployment_with(&net, 600, |d| {
        d.rules.round_period_secs = PERIOD as u32;
        d.rules.round_open_window_secs = WINDOW as u32;
        d.rules.round_offset_secs = 0;
    });
    net.cli(&net.authority, &["init", "--config", deploy.to_str().unwrap()]).json();
    let (payer, payer_path) = net.wallets("payer", 1, 10).pop().unwrap();
    (net, payer, payer_path)
}

#[test]
fn the_keeper_follows_a_growing_feed_through_kills_a_rotation_and_a_paused_window() {
    let _one = serial();
    let (net, payer, payer_path) = cadenced_cluster("keeper");
    let creators = net.wallets("creator", 8, 1);
    let workers = net.wallets("worker", 3, 1);
    let c: Vec<Pubkey> = creators.iter().map(|(k, _)| k.pubkey()).collect();
    let w: Vec<Pubkey> = workers.iter().map(|(k, _)| k.pubkey()).collect();
    let mut rpc = net.rpc(&payer);
    let today = rpc.now().unwrap().div_euclid(86_400);
    let feed = net.root.join("feed.jsonl");
    let keeper = Keeper {
        net_url: net.url.clone(),
        payer: payer_path.clone(),
        oracle: net.oracle.clone(),
        crank: net.crank.clone(),
        feed: feed.clone(),
        port: free_port(),
        log: net.root.join("keeper.log"),
        state: net.root.join("keeper-state"),
        extra: Vec::new(),
    };
    let mut f = Facts::default();

    // Run 1. The first facts, then the keeper; a line written in two parts.
    let now = rpc.now().unwrap() - 5;
    let mut chunk = Vec::new();
    for (i, k) in c.iter().enumerate() {
        if i < 4 {
            chunk.push(f.recharge(*k, 1, now, 6_000 + i as u64));
            chunk.push(f.spend(*k, 2, now, 5_000 + i as u64));
        } else {
            chunk.push(f.recharge(*k, 1, now, 100));
            chunk.push(f.frames(*k, 2, now, 7));
        }
    }
    for (i, k) in w.iter().enumerate() {
        for d in 0..10 {
            chunk.push(f.day(*k, d as u64 + 1, today - 20 + d, 700 + 10 * i as u64 + d as u64));
        }
    }
    append(&feed, &lines(&chunk));
    let started = rpc.now().unwrap();
    let mut run = keeper.spawn();
    let split = f.frames(c[4], 3, now, 9);
    let (head, tail) = split.split_at(split.len() / 2);
    append(&feed, head);
    std::thread::sleep(Duration::from_millis(1_500));
    append(&feed, &format!("{tail}\n"));
    wait_for_facts(&mut rpc, &f.last_seq, &keeper);
    let first_window = wait_for_rounds_after(&mut rpc, started, &keeper);
    // Windows that closed between `init` and the first run: counted as missed by it, once.
    let before = scrape(keeper.port);
    let missed_at_start =
        |role: &str| metric(&before, &format!(r#"pictor_keeper_missed_windows_total{{role="{role}"}}"#));

    // Bad lines, skipped lines, a refused fact, more facts; killed with them in flight.
    let now = rpc.now().unwrap() - 5;
    let mut chunk = vec![
        format!(r#"{{"type":"frames","at":"{}","wallet":"{}","seq":3,"frames":-4}}"#, format_rfc3339(now), c[5]),
        format!(r#"{{"type":"teleport","at":"{}","wallet":"{}"}}"#, format_rfc3339(now), c[5]),
        f.frames(c[5], 3, now, 4),
        format!(r#"{{"type":"claim","at":"{}","wallet":"{}","role":"creator"}}"#, format_rfc3339(now), c[0]),
        format!(r#"{{"type":"round","at":"{}","role":"creator"}}"#, format_rfc3339(now)),
        // Spending above deposits: refused for good.
        format!(r#"{{"type":"spend","at":"{}","wallet":"{}","seq":3,"usdt":"1000"}}"#, format_rfc3339(now), c[6]),
    ];
    for (i, k) in w.iter().enumerate() {
        for d in 10..15 {
            chunk.push(f.day(*k, d as u64 + 1, today - 20 + d, 800 + 10 * i as u64 + d as u64));
        }
    }
    append(&feed, &lines(&chunk));
    std::thread::sleep(Duration::from_millis(300));
    run.kill().unwrap();
    run.wait().unwrap();

    // Run 2: resumes; three creators claim; the file is rotated.
    let mut run = keeper.spawn();
    wait_for_facts(&mut rpc, &f.last_seq, &keeper);
    for (_, path) in &creators[..3] {
        net.cli(path, &["claim", "creator"]).json();
    }
    fs::rename(&feed, PathBuf::from(format!("{}.1", feed.display()))).unwrap();
    let now = rpc.now().unwrap() - 5;
    let mut chunk = vec![f.frames(c[7], 3, now, 30)];
    for (i, k) in w.iter().enumerate() {
        for d in 15..20 {
            chunk.push(f.day(*k, d as u64 + 1, today - 20 + d, 900 + 10 * i as u64 + d as u64));
        }
    }
    append(&feed, &lines(&chunk));
    wait_for_facts(&mut rpc, &f.last_seq, &keeper);
    let claimed = rpc.now().unwrap();
    wait_for_rounds_after(&mut rpc, claimed, &keeper);
    // Killed right after a window's rounds (the next window is 10 s away at least).
    run.kill().unwrap();
    run.wait().unwrap();
    let applied_before_last_run = f.valid;

    // Run 3, the last: it reads the rotated file, then the new one.
    let fees_before = rpc.get_account(&payer.pubkey()).unwrap().unwrap().lamports;
    let last_started = rpc.now().unwrap();
    let mut run = keeper.spawn();
    let before_pause = wait_for_rounds_after(&mut rpc, last_started, &keeper);
    let creator_round = finalised(&mut rpc, Role::Creator).unwrap();
    assert_eq!(creator_round.members, 3, "the three claimed passes are ranked");
    // Paused across the next window: it is missed; facts written meanwhile wait.
    net.cli(&net.authority, &["pause"]).json();
    let paused_window = before_pause + PERIOD;
    let now = rpc.now().unwrap() - 5;
    let paused_facts: Vec<String> = c[..4].iter().map(|k| f.frames(*k, 3, now, 11)).collect();
    append(&feed, &lines(&paused_facts));
    while rpc.now().unwrap() < paused_window + WINDOW + 2 {
        std::thread::sleep(Duration::from_millis(500));
    }
    std::thread::sleep(Duration::from_secs(2));
    let m = scrape(keeper.port);
    for role in ["creator", "worker"] {
        let missed = metric(&m, &format!(r#"pictor_keeper_missed_windows_total{{role="{role}"}}"#));
        assert_eq!(missed, missed_at_start(role) + 1, "{role}: the paused window, kept across two restarts");
    }
    assert_eq!(metric(&m, r#"pictor_keeper_facts_waiting{kind="frames"}"#), 4, "the paused facts wait");
    assert_eq!(metric(&m, "pictor_keeper_healthy"), 0);
    let (code, body) = status(keeper.port, "/healthz");
    assert_eq!(code, 503, "{body}");
    assert!(body.contains("closed without its round while this keeper ran") && body.contains("facts wait"), "{body}");
    assert_eq!(status(keeper.port, "/readyz").0, 200, "a paused program is still there");
    net.cli(&net.authority, &["unpause"]).json();

    // After the pause: the facts land, the next window gets its rounds, health comes back.
    let now = rpc.now().unwrap() - 5;
    append(&feed, &lines(&[f.recharge(c[4], 4, now, 50)]));
    wait_for_facts(&mut rpc, &f.last_seq, &keeper);
    let last_window = wait_for_rounds_after(&mut rpc, paused_window, &keeper);
    assert_eq!(last_window, paused_window + PERIOD, "the window after the missed one");
    let deadline = Instant::now() + Duration::from_secs(30);
    while status(keeper.port, "/healthz").0 != 200 {
        assert!(Instant::now() < deadline, "never healthy again: {}", status(keeper.port, "/healthz").1);
        std::thread::sleep(Duration::from_millis(250));
    }
    let text = scrape_text(keeper.port);
    let m = parse(&text);

    // SIGTERM: settles and exits 0.
    let term = Instant::now();
    sigterm(&run);
    let exit = wait_for(&mut run, Duration::from_secs(60));
    let stopped_in = term.elapsed();
    assert!(exit.success(), "the keeper exits 0 on SIGTERM: {exit}");
    let fees_after = rpc.get_account(&payer.pubkey()).unwrap().unwrap().lamports;

    // Every member holds exactly the facts written.
    for ((role, k), seq) in &f.last_seq {
        let member = read::member(&mut rpc, *role, k).unwrap().unwrap();
        assert_eq!(member.header().last_seq, *seq, "{k}");
        match member {
            Member::Creator(x) => {
                assert_eq!(x.facts.deposited_base_units, f.deposited.get(k).copied().unwrap_or(0), "{k}");
                assert_eq!(x.facts.spent_base_units, f.spent.get(k).copied().unwrap_or(0), "{k}");
                assert_eq!(x.facts.frames_rendered, f.frames.get(k).copied().unwrap_or(0), "{k}");
            }
            Member::Worker(x) => assert_eq!(x.facts.lifetime_uptime_minutes, f.uptime[k], "{k}"),
        }
    }

    // Every window got its round but the paused one, each once, numbered by its window.
    rpc.wait_finalized(Duration::from_secs(300)).unwrap();
    let events: Vec<ProgramEvent> = rpc.program_events().unwrap().into_iter().flat_map(|(_, e)| e).collect();
    let config = read::config(&mut rpc).unwrap().unwrap();
    for role in Role::ALL {
        let opened: Vec<(i64, u32)> = events
            .iter()
            .filter_map(|e| match e {
                ProgramEvent::RoundOpened(o) if o.role == role => Some((o.snapshot_ts, o.round)),
                _ => None,
            })
            .collect();
        // From the first window that opened after the keeper first started.
        let opened: Vec<(i64, u32)> = opened.into_iter().filter(|(s, _)| *s >= first_window).collect();
        let snapshots: BTreeSet<i64> = opened.iter().map(|(s, _)| *s).collect();
        assert_eq!(snapshots.len(), opened.len(), "{role:?}: one round per window");
        let expected: BTreeSet<i64> =
            (first_window..=last_window).step_by(PERIOD as usize).filter(|t| *t != paused_window).collect();
        assert_eq!(snapshots, expected, "{role:?}");
        for (snapshot, round) in opened {
            let k = cadence::window_at(&config.rules.cadence, snapshot).unwrap();
            assert_eq!(cadence::scheduled(&config.rules.cadence, &config.round_anchor, k).unwrap().round, round);
        }
    }

    // The last run's metrics say what happened in it.
    let applied_last = (f.valid - applied_before_last_run) as u64;
    assert_eq!(sum(&m, "pictor_keeper_facts_total", r#"outcome="applied""#), applied_last, "{m:?}");
    assert_eq!(
        sum(&m, "pictor_keeper_facts_total", r#"outcome="already_applied""#),
        applied_before_last_run as u64,
        "the rotated file and the new one were read again; the chain said what was applied"
    );
    // The refused spend was refused in an earlier run: known, not sent (nor paid for) again.
    assert_eq!(sum(&m, "pictor_keeper_facts_total", r#"outcome="refused""#), 0);
    assert_eq!(metric(&m, r#"pictor_keeper_facts_total{kind="spend",outcome="known_refusal"}"#), 1);
    assert_eq!(metric(&m, "pictor_keeper_known_refusals"), 1);
    assert_eq!(sum(&m, "pictor_keeper_facts_waiting", ""), 0);
    // The bad lines of the rotated file were counted by an earlier run: not again.
    assert_eq!(metric(&m, r#"pictor_keeper_lines_bad_total{reason="malformed"}"#), 0);
    assert_eq!(metric(&m, r#"pictor_keeper_lines_bad_total{reason="unknown_type"}"#), 0);
    assert_eq!(metric(&m, r#"pictor_keeper_lines_skipped_total{type="claim"}"#), 1);
    assert_eq!(metric(&m, r#"pictor_keeper_lines_skipped_total{type="round"}"#), 1);
    assert_eq!(metric(&m, "pictor_keeper_fact_landing_lag_seconds_count"), applied_last);
    for role in ["creator", "worker"] {
        let rounds =
            |outcome: &str| metric(&m, &format!(r#"pictor_keeper_rounds_total{{outcome="{outcome}",role="{role}"}}"#));
        assert_eq!(
            (rounds("opened"), rounds("finalised"), rounds("abandoned")),
            (2, 2, 0),
            "{role}: the window before the pause and the one after"
        );
        let missed = metric(&m, &format!(r#"pictor_keeper_missed_windows_total{{role="{role}"}}"#));
        assert_eq!(missed, missed_at_start(role) + 1, "{role}");
        let board = finalised(&mut rpc, if role == "creator" { Role::Creator } else { Role::Worker }).unwrap();
        assert_eq!(
            metric(&m, &format!(r#"pictor_keeper_latest_finalised_round{{role="{role}"}}"#)),
            u64::from(board.round)
        );
        assert_eq!(
            metric(&m, &format!(r#"pictor_keeper_latest_finalised_round_timestamp_seconds{{role="{role}"}}"#)),
            board.finalised_ts as u64
        );
    }
    assert_eq!(metric(&m, r#"pictor_keeper_members_ranked_total{role="creator"}"#), 6, "3 holders, 2 rounds");
    assert_eq!(metric(&m, r#"pictor_keeper_members_ranked_total{role="worker"}"#), 0);
    for ix in ["open_round", "finalise_round"] {
        assert_eq!(metric(&m, &format!(r#"pictor_keeper_transactions_landed_total{{instruction="{ix}"}}"#)), 4, "{ix}");
    }
    assert_eq!(metric(&m, r#"pictor_keeper_transactions_landed_total{instruction="rank_batch"}"#), 2);
    assert!(metric(&m, r#"pictor_keeper_transactions_landed_total{instruction="submit_report"}"#) >= 1);
    for ix in pictor_vip_keeper::keeper::metrics::INSTRUCTIONS {
        let (sent, landed) = (
            metric(&m, &format!(r#"pictor_keeper_transactions_sent_total{{instruction="{ix}"}}"#)),
            metric(&m, &format!(r#"pictor_keeper_transactions_landed_total{{instruction="{ix}"}}"#)),
        );
        assert!(sent >= landed, "{ix}: {sent} sent, {landed} landed");
    }
    assert_eq!(
        metric(&m, "pictor_keeper_fees_lamports_total"),
        fees_before - fees_after,
        "the fees counted are what the fee payer paid"
    );
    assert_eq!(metric(&m, "pictor_keeper_healthy"), 1);
    assert_eq!(metric(&m, "pictor_keeper_ready"), 1);
    let logs = keeper.logs();
    for said in [
        "feed.jsonl.1:",
        "skipped: unknown event type \"teleport\"",
        "refused: ",
        "SpendingExceedsDeposits",
        "missed the creator round window",
    ] {
        assert!(logs.contains(said), "the log says {said:?}:\n{logs}");
    }
    // Kept after the cluster is gone (the README's sample scrape).
    let kept = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("keeper-last-run-metrics.txt");
    fs::write(&kept, &text).unwrap();
    println!(
        "keeper: {} facts, 2 kills, 1 rotation, 1 missed window per role; last run: {applied_last} applied; \
         SIGTERM to exit {stopped_in:?}; the last scrape in {}",
        f.valid,
        kept.display()
    );
    assert!(net.stop().success());
}

/// A TCP proxy in front of the cluster's RPC that can stop forwarding (a
/// node that hangs: connections accepted, nothing answered).
struct Proxy {
    port: u16,
    hung: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Proxy {
    fn start(upstream: u16) -> Proxy {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let hung = Arc::new(AtomicBool::new(false));
        let flag = hung.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let hung = flag.clone();
                std::thread::spawn(move || {
                    while hung.load(Ordering::SeqCst) {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    let Ok(server) = std::net::TcpStream::connect(("127.0.0.1", upstream)) else { return };
                    let pipe = |mut from: std::net::TcpStream, mut to: std::net::TcpStream, hung: Arc<AtomicBool>| {
                        let mut buf = [0u8; 16_384];
                        loop {
                            let n = match std::io::Read::read(&mut from, &mut buf) {
                                Ok(0) | Err(_) => break,
                                Ok(n) => n,
                            };
                            // Hung: what was read is held, never forwarded.
                            while hung.load(Ordering::SeqCst) {
                                std::thread::sleep(Duration::from_millis(50));
                            }
                            if to.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = to.shutdown(std::net::Shutdown::Write);
                    };
                    let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                    let h2 = hung.clone();
                    let up = std::thread::spawn(move || pipe(c2, s2, h2));
                    pipe(server, client, hung);
                    let _ = up.join();
                });
            }
        });
        Proxy { port, hung }
    }

    fn hang(&self, hung: bool) {
        self.hung.store(hung, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Polls `path` until it answers `code`; how long that took.
fn wait_status(keeper: &Keeper, path: &str, code: u16, limit: Duration) -> Duration {
    let start = Instant::now();
    loop {
        if status(keeper.port, path).0 == code {
            return start.elapsed();
        }
        assert!(start.elapsed() < limit, "{path} not {code} in {limit:?}: {}", status(keeper.port, path).1);
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// SIGTERM, and its exit status.
fn terminate(run: &mut Child) -> std::process::ExitStatus {
    sigterm(run);
    wait_for(run, Duration::from_secs(60))
}

/// What the alert PictorRoundWindowMissed evaluates, on one scrape: a
/// window closed without its round and no round of the role finalised since.
fn window_missed_alert(m: &BTreeMap<String, f64>, role: &str) -> bool {
    let last = metric(m, &format!(r#"pictor_keeper_last_missed_window_timestamp_seconds{{role="{role}"}}"#));
    let done = metric(m, &format!(r#"pictor_keeper_latest_finalised_round_timestamp_seconds{{role="{role}"}}"#));
    last > 0 && last > done
}

/// An operator's night: the keeper is restarted cleanly five times (a fact
/// the program refused is sent once, its fee paid once; old bad lines are
/// not counted again; nothing alerts), then killed across two round windows
/// (both counted once as missed at the next start, the alert showing it
/// until a round is finalised, and not counted again at the restart after),
/// then its RPC node hangs (unhealthy within --stale-after, healthy again
/// once it answers; the URL, an API key in it, never shown), then a round
/// ranks 40 members one transaction at a time for longer than readiness
/// holds without a call, and /readyz stays ready throughout.
#[test]
fn an_operator_sleeps_through_the_night() {
    let _one = serial();
    let (net, payer, payer_path) = cadenced_cluster("keeper-night");
    let creators = net.wallets("creator", 40, 1);
    let mut rpc = net.rpc(&payer);
    let upstream: u16 = net.url.rsplit(':').next().unwrap().trim_end_matches('/').parse().unwrap();
    let proxy = Proxy::start(upstream);
    // The RPC URL holds an API key: given in a file, never shown.
    let url_file = net.root.join("rpc-url");
    fs::write(&url_file, format!("http://127.0.0.1:{}/?api-key=SECRET-KEY\n", proxy.port)).unwrap();
    let feed = net.root.join("feed.jsonl");
    let mut keeper = Keeper {
        net_url: String::new(),
        payer: payer_path.clone(),
        oracle: net.oracle.clone(),
        crank: net.crank.clone(),
        feed: feed.clone(),
        port: free_port(),
        log: net.root.join("keeper.log"),
        state: net.root.join("keeper-state"),
        extra: vec!["--url-file".into(), url_file.display().to_string(), "--rpc-timeout-secs".into(), "2".into()],
    };
    let mut f = Facts::default();
    let now = rpc.now().unwrap() - 5;
    let mut chunk = Vec::new();
    for (k, _) in &creators {
        chunk.push(f.recharge(k.pubkey(), 1, now, 6_000));
        chunk.push(f.spend(k.pubkey(), 2, now, 5_000));
    }
    // Spending above deposits, a member's last fact: refused for good.
    let refused = Pubkey::new_unique();
    chunk.push(f.recharge(refused, 1, now, 100));
    chunk.push(format!(
        r#"{{"type":"spend","at":"{}","wallet":"{refused}","seq":2,"usdt":"1000"}}"#,
        format_rfc3339(now)
    ));
    chunk.push("{not json".into());
    append(&feed, &lines(&chunk));

    // Run 1: the facts land, the refusal is met once, the bad line counted once.
    let started = rpc.now().unwrap();
    let mut run = keeper.spawn();
    wait_for_facts(&mut rpc, &f.last_seq, &keeper);
    // A round after the start: windows that closed between `init` and the
    // first run were counted as missed by it (once), and a round followed.
    wait_for_rounds_after(&mut rpc, started, &keeper);
    let deadline = Instant::now() + Duration::from_secs(60);
    while sum(&scrape(keeper.port), "pictor_keeper_facts_total", r#"outcome="refused""#) == 0 {
        assert!(Instant::now() < deadline, "the refused spend was never met: {}", keeper.logs());
        std::thread::sleep(Duration::from_millis(200));
    }
    let m = scrape(keeper.port);
    assert_eq!(metric(&m, r#"pictor_keeper_facts_total{kind="spend",outcome="refused"}"#), 1);
    assert_eq!(metric(&m, r#"pictor_keeper_lines_bad_total{reason="malformed"}"#), 1);
    let missed_before = |m: &BTreeMap<String, f64>, role: &str| {
        metric(m, &format!(r#"pictor_keeper_missed_windows_total{{role="{role}"}}"#))
    };
    let baseline = [missed_before(&m, "creator"), missed_before(&m, "worker")];
    let listed = net.cli(&payer_path, &["keeper", "refused", "--state-dir", keeper.state.to_str().unwrap()]).json();
    let list = listed["refused"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{listed}");
    assert_eq!((list[0]["wallet"].as_str(), list[0]["seq"].as_u64()), (Some(refused.to_string().as_str()), Some(2)));
    assert!(list[0]["reason"].as_str().unwrap().contains("SpendingExceedsDeposits"), "{listed}");
    let retry = net.cli(
        &payer_path,
        &["keeper", "retry", "creator", &refused.to_string(), "2", "--state-dir", keeper.state.to_str().unwrap()],
    );
    assert!(!retry.ok && retry.stderr.contains("stop it"), "a retry waits for the keeper to stop: {}", retry.stderr);
    assert!(terminate(&mut run).success());
    let sent_after_first = sum(&m, "pictor_keeper_transactions_sent_total", r#"instruction="submit_report""#);
    assert!(sent_after_first >= 1);

    // Five clean restarts: nothing is sent again, nothing counted again, nothing alerts.
    for restart in 1..=5 {
        let mut run = keeper.spawn();
        // Until the feed has been read and judged against the chain.
        let deadline = Instant::now() + Duration::from_secs(60);
        let m = loop {
            let m = scrape(keeper.port);
            let settled = sum(&m, "pictor_keeper_facts_total", "");
            if settled as usize > f.valid {
                break m;
            }
            assert!(Instant::now() < deadline, "restart {restart}: the feed was not judged: {}", keeper.logs());
            std::thread::sleep(Duration::from_millis(200));
        };
        assert_eq!(sum(&m, "pictor_keeper_facts_total", r#"outcome="refused""#), 0, "restart {restart}");
        assert_eq!(metric(&m, r#"pictor_keeper_facts_total{kind="spend",outcome="known_refusal"}"#), 1);
        assert_eq!(sum(&m, "pictor_keeper_facts_total", r#"outcome="already_applied""#) as usize, f.valid);
        assert_eq!(sum(&m, "pictor_keeper_transactions_sent_total", r#"instruction="submit_report""#), 0);
        assert_eq!(
            sum(&m, "pictor_keeper_lines_bad_total", ""),
            0,
            "restart {restart}: the bad line was counted before"
        );
        for (i, role) in ["creator", "worker"].into_iter().enumerate() {
            assert!(!window_missed_alert(&m, role), "restart {restart}: {role}");
            assert_eq!(missed_before(&m, role), baseline[i], "restart {restart}: {role}: not counted again");
        }
        assert_eq!((metric(&m, "pictor_keeper_healthy"), metric(&m, "pictor_keeper_ready")), (1, 1));
        assert!(metric(&m, "pictor_keeper_last_fact_landed_timestamp_seconds") > 0, "kept across restarts");
        assert!(m.keys().any(|k| k.starts_with("process_start_time_seconds")), "process metrics");
        assert!(m.keys().any(|k| k.starts_with("pictor_keeper_build_info{")), "build info");
        assert!(terminate(&mut run).success());
    }

    // Killed right after a window's rounds, and down across the next two windows.
    let started = rpc.now().unwrap();
    let mut run = keeper.spawn();
    wait_for_rounds_after(&mut rpc, started, &keeper);
    run.kill().unwrap();
    run.wait().unwrap();
    let down = rpc.now().unwrap();
    let config = read::config(&mut rpc).unwrap().unwrap();
    let (c, a) = (&config.rules.cadence, &config.round_anchor);
    let first_missed = cadence::next_after(c, a, down).unwrap();
    let second_missed = cadence::scheduled(c, a, first_missed.window + 1).unwrap();
    while rpc.now().unwrap() < second_missed.closes_ts + 1 {
        std::thread::sleep(Duration::from_millis(500));
    }
    let mut run = keeper.spawn();
    // Judged at its first look at the chain.
    let deadline = Instant::now() + Duration::from_secs(30);
    let m = loop {
        let m = scrape(keeper.port);
        if missed_before(&m, "worker") > baseline[1] && missed_before(&m, "creator") > baseline[0] {
            break m;
        }
        assert!(Instant::now() < deadline, "the missed windows were never counted: {}", keeper.logs());
        std::thread::sleep(Duration::from_millis(200));
    };
    for (i, role) in ["creator", "worker"].into_iter().enumerate() {
        assert_eq!(missed_before(&m, role), baseline[i] + 2, "{role}: both windows, once");
        assert_eq!(
            metric(&m, &format!(r#"pictor_keeper_last_missed_window_timestamp_seconds{{role="{role}"}}"#)),
            second_missed.closes_ts as u64,
            "{role}: when the second window closed"
        );
        assert!(window_missed_alert(&m, role), "{role}: the alert shows it");
    }
    assert_eq!(
        status(keeper.port, "/healthz").0,
        200,
        "windows missed while it was down are not this process's health"
    );
    assert!(keeper.logs().contains("2 creator round windows closed without their round before this keeper started"));
    // The next window's rounds: the alert resolves.
    wait_for_rounds_after(&mut rpc, second_missed.snapshot_ts, &keeper);
    std::thread::sleep(Duration::from_secs(2));
    let m = scrape(keeper.port);
    for role in ["creator", "worker"] {
        assert!(!window_missed_alert(&m, role), "{role}: a round was finalised since");
    }
    // A clean restart: not counted again.
    assert!(terminate(&mut run).success());
    let mut run = keeper.spawn();
    std::thread::sleep(Duration::from_secs(3));
    let m = scrape(keeper.port);
    for (i, role) in ["creator", "worker"].into_iter().enumerate() {
        assert_eq!(missed_before(&m, role), baseline[i] + 2, "{role}: not counted again");
        assert!(!window_missed_alert(&m, role), "{role}");
    }

    // The RPC node hangs: unhealthy within --stale-after (5 s), and again healthy once it answers.
    proxy.hang(true);
    let took = wait_status(&keeper, "/healthz", 503, Duration::from_secs(30));
    assert!(took <= Duration::from_secs(5 + 3), "unhealthy {took:?} after the hang (--stale-after 5)");
    let (_, body) = status(keeper.port, "/healthz");
    assert!(body.contains("no call to the cluster has succeeded"), "{body}");
    let (_, ready) = status(keeper.port, "/readyz");
    proxy.hang(false);
    wait_status(&keeper, "/healthz", 200, Duration::from_secs(30));
    wait_status(&keeper, "/readyz", 200, Duration::from_secs(30));
    let m = scrape(keeper.port);
    assert!(sum(&m, "pictor_keeper_rpc_errors_total", r#"kind="unreachable""#) >= 1, "the timeouts are counted");
    for shown in [body.as_str(), ready.as_str(), &keeper.logs(), &scrape_text(keeper.port)] {
        assert!(!shown.contains("SECRET-KEY"), "the RPC URL's key is shown: {shown}");
    }
    assert!(terminate(&mut run).success());

    // A long round: 40 holders ranked one per transaction; /readyz polled throughout.
    std::thread::scope(|s| {
        for part in creators.chunks(10) {
            let url = net.url.clone();
            s.spawn(move || {
                for (k, _) in part {
                    let mut r = pictor_vip_sdk::transport::Rpc::new(&url, k.insecure_clone());
                    r.send(&pictor_vip_sdk::ix::claim_instructions(&k.pubkey(), &k.pubkey(), Role::Creator), &[k])
                        .unwrap();
                }
            });
        }
    });
    keeper.extra.extend(["--rank-batch".into(), "1".into()]);
    let claimed = rpc.now().unwrap();
    let mut run = keeper.spawn();
    wait_for_window_after(&mut rpc, claimed);
    let window = cadence::open_at(c, a, rpc.now().unwrap()).unwrap();
    let (mut polls, mut not_ready) = (0, Vec::new());
    let round_started = Instant::now();
    loop {
        let (code, body) = status(keeper.port, "/readyz");
        polls += 1;
        if code != 200 {
            not_ready.push(body);
        }
        if finalised(&mut rpc, Role::Creator).is_some_and(|r| r.snapshot_ts >= window.snapshot_ts && r.members == 40) {
            break;
        }
        assert!(round_started.elapsed() < Duration::from_secs(300), "the round did not end: {}", keeper.logs());
        std::thread::sleep(Duration::from_millis(250));
    }
    let round_took = round_started.elapsed();
    assert!(
        round_took > pictor_vip_keeper::keeper::metrics::READY_HOLDS,
        "the round ({round_took:?}) outlasts what readiness holds without a call, or the test proves nothing"
    );
    assert!(not_ready.is_empty(), "not ready during the round ({polls} polls): {not_ready:?}");
    assert!(terminate(&mut run).success());
    println!("keeper night: 5 clean restarts, 2 windows missed while down, a hung RPC, a {round_took:?} round ready");
    assert!(net.stop().success());
}
