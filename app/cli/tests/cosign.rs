//! The oracle quorum held apart (SPEC §6), on a real local cluster, through
//! the binaries: `pictor-vip keeper` with its own oracle key and two
//! `pictor-vip cosigner` services, each with its own key and its own feed
//! file, the quorum 3 of those three keys.
//!
//! - A fact both co-signers' feeds hold lands exactly once; one a co-signer's
//!   feed lacks waits, and lands once that feed gets it; one whose amount
//!   differs in a co-signer's feed never lands, counted `differs_from_feed`;
//!   one only the keeper's feed holds (fabricated) never lands.
//! - A co-signer SIGKILLed mid-run and restarted, many times: nothing lost,
//!   nothing landed twice, and its state directory proves it never signed
//!   two different facts for one (wallet, seq).
//! - Crafted requests to a running co-signer: refused with their reasons.
//! - Quorum 2 of the three keys, one co-signer down: the facts land through
//!   the other. Both down: the keeper stays healthy, the facts wait, the
//!   metrics say so.
use pictor_vip_keeper::feed::format_rfc3339;
use pictor_vip_sdk::state::{Member, Role};
use pictor_vip_sdk::transport::{Rpc, Transport};
use pictor_vip_sdk::{read, Keypair, Pubkey, Signer};
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod localnet;
use localnet::*;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn append(path: &Path, lines: &[String]) {
    let mut f = fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
    for l in lines {
        writeln!(f, "{l}").unwrap();
    }
}

fn frames(wallet: &Pubkey, seq: u64, at: i64, n: u64) -> String {
    format!(r#"{{"type":"frames","at":"{}","wallet":"{wallet}","seq":{seq},"frames":{n}}}"#, format_rfc3339(at))
}

/// Waits for `url` to answer 200, or panics with `log`.
fn wait_ready(url: &str, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if reqwest::blocking::get(url).is_ok_and(|r| r.status().is_success()) {
            return;
        }
        assert!(Instant::now() < deadline, "{url} not ready: {}", fs::read_to_string(log).unwrap_or_default());
        std::thread::sleep(Duration::from_millis(150));
    }
}

struct Cosigner {
    key: PathBuf,
    feed: PathBuf,
    state: PathBuf,
    port: u16,
    keeper: Pubkey,
    log: PathBuf,
    url: String,
}

impl Cosigner {
    #[allow(clippy::zombie_processes)] // the caller kills or stops it and waits
    fn spawn(&self) -> Child {
        let log = fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
        let child = Command::new(bin())
            .args(["--url", &self.url, "--keypair"])
            .arg(&self.key)
            .args(["cosigner", "--feed"])
            .arg(&self.feed)
            .args(["--listen", &format!("127.0.0.1:{}", self.port), "--keeper", &self.keeper.to_string()])
            .arg("--state-dir")
            .arg(&self.state)
            .args(["--poll-ms", "100"])
            .env("RUST_LOG", "warn,pictor_vip_keeper=info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        wait_ready(&format!("http://127.0.0.1:{}/readyz", self.port), &self.log);
        child
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The ledger: (wallet, seq) → every fact digest it recorded for it.
    fn ledger(&self) -> HashMap<(String, u64), Vec<String>> {
        let mut out: HashMap<(String, u64), Vec<String>> = HashMap::new();
        for line in fs::read_to_string(self.state.join("signed.jsonl")).unwrap_or_default().lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let key = (v["wallet"].as_str().unwrap().to_string(), v["seq"].as_u64().unwrap());
            out.entry(key).or_default().push(v["fact"].as_str().unwrap().to_string());
        }
        out
    }
}

struct Keeper {
    args: Vec<String>,
    port: u16,
    log: PathBuf,
}

impl Keeper {
    #[allow(clippy::zombie_processes)] // the caller stops it and waits
    fn spawn(&self) -> Child {
        let log = fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
        let child = Command::new(bin())
            .args(&self.args)
            .env("RUST_LOG", "warn,pictor_vip_keeper=info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        wait_ready(&format!("http://127.0.0.1:{}/readyz", self.port), &self.log);
        child
    }

    fn scrape(&self) -> BTreeMap<String, f64> {
        let text = reqwest::blocking::get(format!("http://127.0.0.1:{}/metrics", self.port)).unwrap().text().unwrap();
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| {
                let (k, v) = l.rsplit_once(' ').unwrap();
                (k.to_string(), v.parse().unwrap())
            })
            .collect()
    }

    fn logs(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// The creator's frames on the chain and its last sequence number.
fn on_chain(rpc: &mut Rpc, wallet: &Pubkey) -> Option<(u64, u64)> {
    let member = read::member(rpc, Role::Creator, wallet).unwrap()?;
    let seq = member.header().last_seq;
    match member {
        Member::Creator(m) => Some((m.facts.frames_rendered, seq)),
        Member::Worker(_) => None,
    }
}

fn wait_until(what: &str, keeper: &Keeper, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not in 90 s:\n{}", keeper.logs());
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn a_quorum_of_keys_held_apart_lands_only_the_facts_every_cosigner_holds() {
    let _one = serial();
    let net = Cluster::start("cosign", &["--no-init"]);
    let dir = net.root.join("cosign");
    fs::create_dir_all(&dir).unwrap();
    let (c1, c2) = (Keypair::new(), Keypair::new());
    let (c1_path, c2_path) = (dir.join("c1.json"), dir.join("c2.json"));
    solana_keypair::write_keypair_file(&c1, &c1_path).unwrap();
    solana_keypair::write_keypair_file(&c2, &c2_path).unwrap();
    // No round cadence: this test is about reports.
    let deploy = deployment_with(&net, 600, |d| {
        d.oracles.push(c1.pubkey().to_string());
        d.oracles.push(c2.pubkey().to_string());
        d.rules.oracle_quorum = 3;
        (d.rules.round_period_secs, d.rules.round_open_window_secs, d.rules.round_offset_secs) = (0, 0, 0);
    });
    net.cli(&net.authority, &["init", "--config", deploy.to_str().unwrap()]).json();
    let (payer, payer_path) = net.wallets("keeper", 1, 10).pop().unwrap();
    let mut rpc = net.rpc(&payer);
    let cosigner = |name: &str, key: &Path| Cosigner {
        key: key.to_path_buf(),
        feed: dir.join(format!("{name}.jsonl")),
        state: dir.join(format!("{name}-state")),
        port: free_port(),
        keeper: payer.pubkey(),
        log: dir.join(format!("{name}.log")),
        url: net.url.clone(),
    };
    let cs = [cosigner("c1", &c1_path), cosigner("c2", &c2_path)];
    let keeper_feed = dir.join("keeper.jsonl");
    let keeper_port = free_port();
    let keeper = Keeper {
        args: vec![
            "--url".into(),
            net.url.clone(),
            "--keypair".into(),
            payer_path.display().to_string(),
            "keeper".into(),
            "--feed".into(),
            keeper_feed.display().to_string(),
            "--oracle-keypair".into(),
            net.oracle.display().to_string(),
            "--crank-keypair".into(),
            net.crank.display().to_string(),
            "--cosigner".into(),
            cs[0].base(),
            "--cosigner".into(),
            cs[1].base(),
            "--metrics-listen".into(),
            format!("127.0.0.1:{keeper_port}"),
            "--stale-after".into(),
            "10".into(),
            "--poll-ms".into(),
            "200".into(),
            "--cosign-timeout-ms".into(),
            "3000".into(),
        ],
        port: keeper_port,
        log: dir.join("keeper.log"),
    };

    // A: in every feed. B: c2's feed lacks it. C: c1's feed says 99. D: the keeper's alone.
    let now = rpc.now().unwrap() - 5;
    let [a, b, c, d] = [Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique()];
    append(&cs[0].feed, &[frames(&a, 1, now, 10), frames(&b, 1, now, 20), frames(&c, 1, now, 99)]);
    append(&cs[1].feed, &[frames(&a, 1, now, 10), frames(&c, 1, now, 30)]);
    append(
        &keeper_feed,
        &[frames(&a, 1, now, 10), frames(&b, 1, now, 20), frames(&c, 1, now, 30), frames(&d, 1, now, 40)],
    );
    let mut cosigners: Vec<Child> = cs.iter().map(Cosigner::spawn).collect();
    let mut run = keeper.spawn();
    wait_until("A lands", &keeper, || on_chain(&mut rpc, &a) == Some((10, 1)));
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(on_chain(&mut rpc, &b), None, "B waits for c2's feed");
    append(&cs[1].feed, &[frames(&b, 1, now, 20)]);
    wait_until("B lands once c2's feed has it", &keeper, || on_chain(&mut rpc, &b) == Some((20, 1)));
    let m = keeper.scrape();
    let key1 = c1.pubkey().to_string();
    let refused = |m: &BTreeMap<String, f64>, key: &str, reason: &str| {
        m[&format!(r#"pictor_keeper_cosign_refusals_total{{cosigner="{key}",reason="{reason}"}}"#)] as u64
    };
    assert!(refused(&m, &key1, "differs_from_feed") >= 1, "C is counted: {m:?}");
    assert!(refused(&m, &c2.pubkey().to_string(), "not_in_feed") >= 2, "B and D were refused by c2");
    assert!(m["pictor_keeper_cosign_waiting"] >= 2.0, "C and D wait on the co-signers");

    // Crafted requests to a running co-signer: each refused, nothing signed.
    let sign = |body: String| {
        let r = reqwest::blocking::Client::new()
            .post(format!("{}/v1/sign", cs[0].base()))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    // A body of 10 MB: answered 413 at its declared length, before it is sent.
    let mut s = std::net::TcpStream::connect(("127.0.0.1", cs[0].port)).unwrap();
    write!(
        s,
        "POST /v1/sign HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        10 << 20
    )
    .unwrap();
    let mut answer = [0u8; 512];
    let n = std::io::Read::read(&mut s, &mut answer).unwrap();
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(text.starts_with("HTTP/1.1 413") && text.contains("8192 bytes"), "{text}");
    let (status, text) = sign("{\"transaction\": \"%%%\"}".into());
    assert!(status == 400 && text.contains("not base64"), "{text}");
    let transfer = anchor_lang::solana_program::system_instruction::transfer(&c1.pubkey(), &payer.pubkey(), 1);
    let blockhash = pictor_vip_sdk::transport::Hash::new_from_array([1; 32]);
    let tx = pictor_vip_sdk::transport::sign_transaction_partly(&[transfer], &payer, &[], blockhash, 0).unwrap().tx;
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(bincode::serialize(&tx).unwrap());
    let (status, text) = sign(format!("{{\"transaction\": \"{encoded}\"}}"));
    assert!(status == 422 && text.contains("instruction_not_allowed"), "{text}");

    // Kills: c1 SIGKILLed and restarted again and again while facts flow.
    let mut expected: Vec<(Pubkey, u64)> = Vec::new();
    for round in 0..6 {
        let w = Pubkey::new_unique();
        let lines: Vec<String> = (1..=4).map(|seq| frames(&w, seq, now, seq * 3 + round)).collect();
        for c in &cs {
            append(&c.feed, &lines);
        }
        append(&keeper_feed, &lines);
        expected.push((w, (1..=4).map(|seq| seq * 3 + round).sum()));
        std::thread::sleep(Duration::from_millis(300 + 150 * round));
        cosigners[0].kill().unwrap();
        cosigners[0].wait().unwrap();
        std::thread::sleep(Duration::from_millis(400));
        cosigners[0] = cs[0].spawn();
    }
    for (w, total) in &expected {
        wait_until("every fact after the kills", &keeper, || on_chain(&mut rpc, w) == Some((*total, 4)));
    }
    for c in &cs {
        for ((wallet, seq), facts) in c.ledger() {
            assert!(facts.windows(2).all(|f| f[0] == f[1]), "{wallet} seq {seq}: two different facts signed");
        }
    }
    assert_eq!(on_chain(&mut rpc, &c), None, "an altered fact never lands");
    assert_eq!(on_chain(&mut rpc, &d), None, "a fabricated fact never lands");

    // Quorum 2 of the three keys; c1 down: the facts land through c2.
    let two = deployment_with(&net, 601, |d| {
        (d.crank, d.oracles) = (None, Vec::new());
        d.rules.oracle_quorum = 2;
        d.rules.max_fact_skew_secs = 600;
        (d.rules.round_period_secs, d.rules.round_open_window_secs, d.rules.round_offset_secs) = (0, 0, 0);
    });
    net.cli(&net.authority, &["config", "update", "--file", two.to_str().unwrap()]).json();
    cosigners[0].kill().unwrap();
    cosigners[0].wait().unwrap();
    let e = Pubkey::new_unique();
    for c in &cs {
        append(&c.feed, &[frames(&e, 1, now, 5)]);
    }
    append(&keeper_feed, &[frames(&e, 1, now, 5)]);
    wait_until("E lands through c2 alone", &keeper, || on_chain(&mut rpc, &e) == Some((5, 1)));

    // Both down: the keeper stays healthy; the facts wait; the metrics say so.
    cosigners[1].kill().unwrap();
    cosigners[1].wait().unwrap();
    let f = Pubkey::new_unique();
    append(&keeper_feed, &[frames(&f, 1, now, 6)]);
    wait_until("F waits on the co-signers", &keeper, || {
        keeper.scrape().get("pictor_keeper_cosign_oldest_wait_seconds").is_some_and(|v| *v >= 3.0)
    });
    let healthz = reqwest::blocking::get(format!("http://127.0.0.1:{keeper_port}/healthz")).unwrap();
    assert_eq!(healthz.status().as_u16(), 200, "{}", healthz.text().unwrap());
    let m = keeper.scrape();
    assert!(
        m.iter().any(|(k, v)| k.starts_with("pictor_keeper_cosign_requests_total")
            && k.contains("unreachable")
            && *v > 0.0),
        "the unreachable co-signers are counted"
    );
    assert_eq!(on_chain(&mut rpc, &f), None);
    // One comes back: F lands.
    cosigners[1] = cs[1].spawn();
    append(&cs[1].feed, &[frames(&f, 1, now, 6)]);
    wait_until("F lands once c2 is back", &keeper, || on_chain(&mut rpc, &f) == Some((6, 1)));

    sigterm(&run);
    assert!(run.wait().unwrap().success(), "SIGTERM: exit 0");
    // c1 stays down; c2 stops on SIGTERM with exit 0.
    let mut c2_run = cosigners.pop().unwrap();
    sigterm(&c2_run);
    assert!(c2_run.wait().unwrap().success(), "the co-signer stops cleanly");
}
