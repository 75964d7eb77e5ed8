//! The keeper's report throughput with co-signers (SPEC §6) on a real local
//! cluster, at oracle quorum 1, 2 and 3, side by side in one run:
//! `cargo bench --profile dev -p pictor-vip-cli --features localnet --bench cosign_throughput`.
//!
//! One in-process local cluster; two co-signer services
//! (`pictor_vip_keeper::cosigner::run`) on loopback, each following its own
//! copy of the feed; the bot (the keeper's) with its own oracle key and the
//! two co-signers over HTTP. For each quorum, a feed of the same shape over
//! new wallets (about `BENCH_REPORTS` report lines, 3,000 by default) is
//! applied with the default pipeline; prints reports per second, the
//! transactions' size, and the co-signing latency per transaction (every
//! co-signer asked in parallel), median and 99th percentile.
use pictor_vip_cli::demo::{generate, DemoOptions};
use pictor_vip_cli::localnet::{start, LocalnetOptions};
use pictor_vip_keeper::bot::{Bot, BotOptions};
use pictor_vip_keeper::cosigner::{self, CosignerArgs};
use pictor_vip_keeper::feed::{parse_feed, Event};
use pictor_vip_keeper::keeper::cosign::{Answer, Channel, Cosigners, Http};
use pictor_vip_keeper::keeper::metrics::Shared;
use pictor_vip_keeper::wallets::label_keypair;
use pictor_vip_localnet::Ports;
use pictor_vip_sdk::state::Rules;
use pictor_vip_sdk::transport::{transaction_size, unsigned_transaction, Transport};
use pictor_vip_sdk::{ix, Keypair, Pubkey, Signer};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A co-signer over HTTP whose every answer is timed.
struct Timed {
    inner: Http,
    samples: Arc<Mutex<Vec<Duration>>>,
}

impl Channel for Timed {
    fn name(&self) -> String {
        self.inner.name()
    }
    fn key(&self) -> anyhow::Result<Pubkey> {
        self.inner.key()
    }
    fn sign(&self, body: &str) -> Answer {
        let t = Instant::now();
        let answer = self.inner.sign(body);
        self.samples.lock().unwrap().push(t.elapsed());
        answer
    }
}

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v.get(((v.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or_default()
}

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error,solana=off,agave=off");
    }
    let reports: usize = std::env::var("BENCH_REPORTS").ok().and_then(|v| v.parse().ok()).unwrap_or(3_000);
    let dir = std::env::temp_dir().join(format!("pictor-cosign-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let options = LocalnetOptions {
        dir: dir.join("net"),
        ports: Ports::free(),
        deployment: None,
        fund: Vec::new(),
        program: None,
        init: true,
    };
    let running = start(&options)?;
    let admin = running.keys.authority.insecure_clone();
    let mut rpc = running.rpc(&running.keys.oracle);
    // Two co-signer keys, made oracle keys; each service follows its own feed file.
    let keys = [Keypair::new(), Keypair::new()];
    let mut rules: Rules = pictor_vip_sdk::read::config(&mut rpc)?.expect("initialised").rules;
    for k in &keys {
        rpc.send(&[ix::add_oracle(&admin.pubkey(), k.pubkey())], &[&admin])?;
    }
    // No cadence: reports only (and rules may change at any time).
    rules.cadence = pictor_vip_sdk::state::RoundCadence::OFF;
    let stop = Arc::new(AtomicBool::new(false));
    let mut urls = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        let key_path = dir.join(format!("cosigner-{i}.json"));
        solana_keypair::write_keypair_file(k, &key_path).map_err(|e| anyhow::anyhow!("{e}"))?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let args = CosignerArgs {
            keypair: key_path,
            feed: dir.join(format!("cosigner-{i}.jsonl")).display().to_string(),
            listen: format!("127.0.0.1:{port}").parse()?,
            keepers: vec![running.keys.oracle.pubkey()],
            state_dir: Some(dir.join(format!("cosigner-{i}-state"))),
            url: None,
            poll: Duration::from_millis(50),
        };
        std::fs::write(&args.feed, "")?;
        let stop = stop.clone();
        std::thread::spawn(move || cosigner::run(&args, stop));
        urls.push(format!("http://127.0.0.1:{port}"));
    }
    let mut rows = Vec::new();
    for quorum in [1u8, 2, 3] {
        rules.oracle_quorum = quorum;
        // Refused while a scheduled round is due (the local cluster's cadence, the first time): again.
        let update = ix::update_config(&admin.pubkey(), Some(rules.clone()), None);
        while let Err(e) = rpc.send(std::slice::from_ref(&update), &[&admin]) {
            eprintln!("update_config: {e}; again in 2 s");
            std::thread::sleep(Duration::from_secs(2));
        }
        let now = rpc.now()?;
        let demo = DemoOptions::in_the_past_of(now, reports / 40 + 1, reports / 40 + 1, 30, 2026 + u64::from(quorum));
        let domain = format!("cosign-bench-{quorum}");
        let resolve = |w: &str| label_keypair(&domain, w).pubkey();
        let text: String = generate(&demo)
            .lines()
            .filter(|l| matches!(parse_feed(l).first(), Some(Ok(line)) if matches!(line.event, Event::Oracle { .. })))
            .take(reports)
            .map(|l| {
                // The co-signers' feeds name the same wallets as the keeper's.
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                let w = resolve(v["wallet"].as_str().unwrap()).to_string();
                v["wallet"] = serde_json::Value::String(w);
                format!("{v}\n")
            })
            .collect();
        // Appended, as an oracle writes its feed (the co-signers follow it).
        for i in 0..keys.len() {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new().append(true).open(dir.join(format!("cosigner-{i}.jsonl")))?;
            f.write_all(text.as_bytes())?;
        }
        std::thread::sleep(Duration::from_millis(500));
        let lines = parse_feed(&text);
        let n = lines.len();
        let shared = Shared::new(Duration::from_secs(300));
        shared.oracle_quorum.store(quorum, Ordering::SeqCst);
        let samples = Arc::new(Mutex::new(Vec::new()));
        let channels: Vec<Box<dyn Channel>> = urls
            .iter()
            .map(|u| {
                Ok(Box::new(Timed { inner: Http::new(u, Duration::from_secs(10))?, samples: samples.clone() })
                    as Box<dyn Channel>)
            })
            .collect::<anyhow::Result<_>>()?;
        let oracles = [running.keys.oracle.insecure_clone()];
        let mut bot = Bot::new(&mut rpc, &oracles, &running.keys.crank, BotOptions::default());
        if quorum > 1 {
            bot.cosigners = Some(Box::new(Cosigners::over(channels, 1, shared.clone())));
        }
        let started = Instant::now();
        let s = bot.run(lines)?;
        let secs = started.elapsed().as_secs_f64();
        // The size of a transaction of one report signed by `quorum` keys.
        let signers: Vec<Pubkey> = std::iter::once(running.keys.oracle.pubkey())
            .chain(keys.iter().map(|k| k.pubkey()).take(usize::from(quorum) - 1))
            .collect();
        let one = ix::report_signed(&signers, &Pubkey::new_unique(), 1, now, ix::Report::Frames { frames: 1 });
        let size = transaction_size(&unsigned_transaction(&[one], &running.keys.oracle.pubkey()));
        let mut lat = std::mem::take(&mut *samples.lock().unwrap());
        // Co-signers are asked in parallel: a transaction's co-signing takes its slowest answer.
        let per_tx = if quorum > 1 { lat.len() / usize::from(quorum - 1) } else { 0 };
        let (median, p99) = (percentile(&mut lat, 0.5), percentile(&mut lat, 0.99));
        eprintln!(
            "quorum {quorum}: {n} lines, {} applied, {} waiting, {} transactions in {secs:.1} s",
            s.applied,
            s.waiting.len(),
            s.transactions
        );
        rows.push((quorum, n, s.applied, s.transactions, secs, size, per_tx, median, p99));
    }
    // The co-signing latency alone, the cluster idle: the first co-signer
    // asked 200 times for a fact it signed above (signed again: the same fact).
    let http = Http::new(&urls[0], Duration::from_secs(10))?;
    let wallet_fact = std::fs::read_to_string(dir.join("cosigner-0.jsonl"))?
        .lines()
        .last()
        .map(str::to_string)
        .expect("a fact in the feed");
    let fact = parse_feed(&wallet_fact).remove(0)?;
    let Event::Oracle { wallet, seq, report } = fact.event else { unreachable!("an oracle fact") };
    let wallet: Pubkey = wallet.parse()?;
    let one = ix::report_signed(&[running.keys.oracle.pubkey(), keys[0].pubkey()], &wallet, seq, fact.at, report);
    let mut idle = Vec::new();
    for i in 0..200u8 {
        let blockhash = pictor_vip_sdk::transport::Hash::new_from_array([i; 32]);
        let tx = pictor_vip_sdk::transport::sign_transaction_partly(
            std::slice::from_ref(&one),
            &running.keys.oracle,
            &[],
            blockhash,
            0,
        )?
        .tx;
        use base64::Engine;
        let body = serde_json::json!({"transaction": base64::engine::general_purpose::STANDARD.encode(bincode::serialize(&tx)?)})
            .to_string();
        let t = Instant::now();
        let answer = http.sign(&body);
        idle.push(t.elapsed());
        assert!(matches!(answer, Answer::Signed(_)), "signed again: the same fact");
    }
    let (idle_median, idle_p99) = (percentile(&mut idle, 0.5), percentile(&mut idle, 0.99));
    stop.store(true, Ordering::SeqCst);
    println!("| quorum | report lines | applied | transactions | seconds | reports/s | one report's transaction | co-signed transactions | co-signing, median | co-signing, p99 |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (q, n, applied, txs, secs, size, per_tx, median, p99) in &rows {
        let ms = |d: &Duration| if *q > 1 { format!("{:.2} ms", d.as_secs_f64() * 1e3) } else { "-".into() };
        println!(
            "| {q} | {n} | {applied} | {txs} | {secs:.1} | {:.1} | {size} bytes | {per_tx} | {} | {} |",
            *applied as f64 / secs,
            ms(median),
            ms(p99)
        );
    }
    println!(
        "\nco-signing latency, the cluster idle (one co-signer, 200 requests one after another): median {:.2} ms, p99 {:.2} ms",
        idle_median.as_secs_f64() * 1e3,
        idle_p99.as_secs_f64() * 1e3
    );
    drop(running);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
