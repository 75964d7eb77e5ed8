//! The bot's throughput on a real local cluster, sequential and pipelined,
//! side by side in one run:
//! `cargo bench --profile dev -p pictor-vip-cli --features localnet --bench bot_throughput`
//! (the dev profile: the validator as the tests and `pictor-vip localnet` run it,
//! and no release build of agave with fat LTO).
//!
//! One `pictor-vip localnet`-equivalent cluster (in process), two demo feeds
//! of the same shape over disjoint wallets (about 10,000 report lines each,
//! worker days in the real recent past), the first applied one transaction
//! at a time (`--in-flight 1`), the second with many in flight (the
//! default). Prints transactions and reports per second for both.
//! `BENCH_CREATORS`, `BENCH_WORKERS` and `BENCH_DAYS` shrink it for a quick run.
use pictor_vip_cli::demo::{generate, DemoOptions};
use pictor_vip_cli::localnet::{start, LocalnetOptions};
use pictor_vip_keeper::bot::{Bot, BotOptions, DEFAULT_IN_FLIGHT};
use pictor_vip_keeper::feed::{parse_feed, Event};
use pictor_vip_keeper::wallets::label_keypair;
use pictor_vip_localnet::Ports;
use pictor_vip_sdk::transport::Transport;
use pictor_vip_sdk::Signer;
use std::time::Instant;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    // The test runtime's logger (installed with the syscall stubs) logs every
    // instruction at debug level unless told otherwise.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error,solana=off,agave=off");
    }
    let (creators, workers, days) = (env("BENCH_CREATORS", 250), env("BENCH_WORKERS", 260), env("BENCH_DAYS", 30));
    let dir = std::env::temp_dir().join(format!("pictor-bench-{}", std::process::id()));
    let options = LocalnetOptions {
        dir: dir.clone(),
        ports: Ports::free(),
        deployment: None,
        fund: Vec::new(),
        program: None,
        init: true,
    };
    let running = start(&options)?;
    eprintln!("cluster up in {:.1} s at {}", running.startup.as_secs_f64(), running.net.rpc_url());
    let mut rows = Vec::new();
    for (mode, in_flight) in [("sequential", 1), ("pipelined", DEFAULT_IN_FLIGHT)] {
        let mut rpc = running.rpc(&running.keys.oracle);
        let now = rpc.now()?;
        let demo = DemoOptions::in_the_past_of(now, creators, workers, days as u32, 2026);
        // Reports only: claims are the wallets' and rounds are measured elsewhere.
        let lines: Vec<_> = parse_feed(&generate(&demo))
            .into_iter()
            .filter(|l| matches!(l, Ok(line) if matches!(line.event, Event::Oracle { .. })))
            .collect();
        let n = lines.len();
        let domain = format!("bench-{mode}");
        let mut bot = Bot::new(
            &mut rpc,
            std::slice::from_ref(&running.keys.oracle),
            &running.keys.crank,
            BotOptions { in_flight, ..BotOptions::default() },
        );
        bot.resolve_wallet = Box::new(move |w| Some(label_keypair(&domain, w).pubkey()));
        let started = Instant::now();
        let s = bot.run(lines)?;
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "{mode}: {n} lines, {} applied, {} refused, {} waiting, {} transactions in {secs:.1} s",
            s.applied,
            s.refused.len(),
            s.waiting.len(),
            s.transactions
        );
        rows.push((mode, in_flight, n, s.applied, s.transactions, secs));
    }
    println!("| mode | in flight | report lines | applied | transactions | seconds | tx/s | reports/s |");
    println!("|---|---|---|---|---|---|---|---|");
    for (mode, in_flight, n, applied, txs, secs) in &rows {
        println!(
            "| {mode} | {in_flight} | {n} | {applied} | {txs} | {secs:.1} | {:.2} | {:.1} |",
            *txs as f64 / secs,
            *applied as f64 / secs
        );
    }
    drop(running);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
