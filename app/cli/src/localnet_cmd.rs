//! `pictor-vip localnet`: the command around `pictor_vip_cli::localnet`.
use anyhow::{Context, Result};
use pictor_vip_cli::localnet::{parse_fund, seed_demo, start, LocalnetOptions};
use pictor_vip_localnet::{Localnet, Ports};
use pictor_vip_sdk::{Pubkey, Signer};
use serde_json::json;
use std::fs::File;
use std::io::Write;
use std::os::fd::{AsRawFd, FromRawFd};
use std::path::PathBuf;
use std::sync::mpsc;

/// Where `pictor-vip serve` listens by default: the Profile and blink links
/// `--seed-demo` prints.
const SERVE_URL: &str = "http://127.0.0.1:8080";

#[derive(clap::Args)]
pub struct LocalnetArgs {
    /// Directory of the keypairs (kept across runs), the ledger (always
    /// fresh, removed at shutdown) and the program's log.
    #[arg(long, default_value = ".localnet")]
    dir: PathBuf,
    /// JSON-RPC port (the websocket is the next one).
    #[arg(long, default_value_t = 8899)]
    rpc_port: u16,
    /// First of the 40 ports the validator binds (gossip, TPU, TVU, ...): give
    /// two localnets different --rpc-port and --ports.
    #[arg(long, default_value_t = 8000)]
    ports: u16,
    /// Deployment file to initialise from (the operator CLI's format); default:
    /// deploy/localnet.toml (the program's defaults, the localnet's own keys).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Fund KEY with SOL (repeatable), e.g. --fund 9xQe...=10.
    #[arg(long, value_parser = parse_fund, value_name = "KEY=SOL")]
    fund: Vec<(Pubkey, u64)>,
    /// Deploy this SBF build (target/deploy/pictor_vip.so) instead of the native builtin.
    #[arg(long)]
    program: Option<PathBuf>,
    /// Do not initialise the program (then run `pictor-vip init` yourself).
    #[arg(long, conflicts_with = "seed_demo")]
    no_init: bool,
    /// Seed a demo network through the real bot and real wallet claims.
    #[arg(long)]
    seed_demo: bool,
    /// Demo creators.
    #[arg(long, default_value_t = 60)]
    creators: usize,
    /// Demo workers.
    #[arg(long, default_value_t = 40)]
    workers: usize,
    /// Demo days (> 30).
    #[arg(long, default_value_t = 31)]
    days: u32,
    /// Write the URLs and keypair paths as JSON to this file once ready.
    #[arg(long)]
    ready_file: Option<PathBuf>,
}

/// The program runs natively: its `msg!` lines are `println!`. They go to
/// DIR/program.log, and this command's own output to the real stdout.
fn redirect_program_logs(path: &std::path::Path) -> Result<File> {
    let log = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    // SAFETY: plain descriptor calls; fd 1 is replaced by the log file and the
    // original stdout lives on in the returned File.
    unsafe {
        let original = libc::dup(1);
        anyhow::ensure!(original >= 0, "dup(stdout) failed");
        anyhow::ensure!(libc::dup2(log.as_raw_fd(), 1) >= 0, "dup2 failed");
        Ok(File::from_raw_fd(original))
    }
}

pub fn run(a: LocalnetArgs, json: bool) -> Result<()> {
    std::fs::create_dir_all(&a.dir).with_context(|| format!("creating {}", a.dir.display()))?;
    let log_path = a.dir.join("program.log");
    let mut out = redirect_program_logs(&log_path)?;
    let (stop_tx, stop_rx) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    })
    .context("installing the Ctrl-C handler")?;
    let options = LocalnetOptions {
        dir: a.dir.clone(),
        ports: Ports { rpc: a.rpc_port, dynamic_start: a.ports },
        deployment: a.config.clone(),
        fund: a.fund.clone(),
        program: a.program.clone(),
        init: !a.no_init,
    };
    let running = start(&options)?;
    let url = running.net.rpc_url();
    let [authority, oracle, crank] = running.keys.paths.clone().map(|p| p.display().to_string());
    let program = match &a.program {
        Some(p) => format!("SBF build {}", p.display()),
        None => "native builtin".into(),
    };
    let rss_mib = Localnet::rss_kib().unwrap_or(0) / 1024;
    let t = running.net.times;
    let mut info = json!({
        "rpc_url": url,
        "websocket_url": running.net.websocket_url(),
        "program_id": pictor_vip_sdk::pda::program_id().to_string(),
        "program": program,
        "authority": {"pubkey": running.keys.authority.pubkey().to_string(), "keypair": authority},
        "oracle": {"pubkey": running.deployment.oracles, "keypair": oracle},
        "crank": {"pubkey": running.deployment.crank, "keypair": crank},
        "ledger": running.net.ledger().display().to_string(),
        "program_log": log_path.display().to_string(),
        "startup_ms": {"total": running.startup.as_millis() as u64, "stubs": t.stubs.as_millis() as u64,
            "validator": t.validator.as_millis() as u64, "program": t.program.as_millis() as u64},
        "rss_mib": rss_mib,
    });
    if !json {
        writeln!(
            out,
            "pictor-vip localnet: ready in {:.1} s (validator {:.1} s, program {:.1} s), {rss_mib} MiB resident",
            running.startup.as_secs_f64(),
            t.validator.as_secs_f64(),
            t.program.as_secs_f64()
        )?;
        writeln!(out, "  RPC URL      {url}   (pictor-vip --url {url} ...)")?;
        writeln!(out, "  websocket    {}", running.net.websocket_url())?;
        let state = if a.no_init { "not initialised (--no-init)" } else { "initialised" };
        writeln!(out, "  program      {} ({program}), {state}", pictor_vip_sdk::pda::program_id())?;
        writeln!(out, "  authority    {authority}  (upgrade authority, admin, genesis mint)")?;
        writeln!(out, "  oracle       {oracle}")?;
        writeln!(out, "  crank        {crank}")?;
        writeln!(out, "  program log  {}", log_path.display())?;
    }
    if a.seed_demo {
        if !json {
            writeln!(
                out,
                "seeding a demo network ({} creators, {} workers, {} days) over RPC ...",
                a.creators, a.workers, a.days
            )?;
        }
        let s = seed_demo(&running, a.creators, a.workers, a.days, 2026)?;
        info["seeded"] = json!({
            "lines": s.lines, "start_day": s.start_day, "reports": s.reports.to_json(),
            "claimed": {"creator": s.claimed.0, "worker": s.claimed.1}, "not_eligible": s.not_eligible,
            "rounds": s.rounds.to_json(), "round_ms": s.round_time.as_millis() as u64, "elapsed_ms": s.elapsed.as_millis() as u64,
            "wallets": s.wallets.iter().map(|(l, k)| (l.clone(), json!(k.to_string()))).collect::<serde_json::Map<_, _>>(),
        });
        // The wallets left to claim by hand: their keys, to import into a wallet.
        let mut unclaimed = Vec::new();
        for (role, label, key) in &s.unclaimed {
            let path = a.dir.join(format!("unclaimed-{}.json", role.as_str()));
            solana_keypair::write_keypair_file(key, &path)
                .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
            let wallet = key.pubkey();
            let profile = format!("{SERVE_URL}/profile/{wallet}");
            let blink = format!("solana-action:{SERVE_URL}/api/actions/claim/{}", role.as_str());
            info["seeded"]["unclaimed"][role.as_str()] = json!({
                "label": label, "wallet": wallet.to_string(), "keypair": path.display().to_string(),
                "profile_url": profile, "blink": blink,
            });
            unclaimed.push((role.as_str(), wallet, path, profile, blink));
        }
        if !json {
            writeln!(out, "  {} feed lines: {} reports applied in {} transactions, {} creator and {} worker passes claimed ({:.1} s, reports and claims), {} members not eligible; rounds in {:.1} s",
                s.lines, s.reports.applied, s.reports.transactions, s.claimed.0, s.claimed.1,
                s.elapsed.as_secs_f64() - s.round_time.as_secs_f64(), s.not_eligible, s.round_time.as_secs_f64())?;
            writeln!(
                out,
                "  e.g. pictor-vip --url {url} leaderboard worker; pictor-vip --url {url} status {}",
                s.wallets.get("worker-000").map(|k| k.to_string()).unwrap_or_default()
            )?;
            if !unclaimed.is_empty() {
                writeln!(out, "  left to claim from a wallet (start the Profile: pictor-vip --url {url} serve):")?;
            }
            for (role, wallet, path, profile, blink) in &unclaimed {
                writeln!(out, "    {role:<7} {wallet} (eligible, no pass; key {})", path.display())?;
                writeln!(out, "            Profile {profile}")?;
                writeln!(out, "            blink   {blink}")?;
            }
        }
    }
    if let Some(f) = &a.ready_file {
        std::fs::write(f, serde_json::to_string_pretty(&info)?).with_context(|| format!("writing {}", f.display()))?;
    }
    if json {
        writeln!(out, "{info}")?;
    } else {
        writeln!(out, "serving; Ctrl-C stops it and removes the ledger")?;
    }
    out.flush()?;
    let _ = stop_rx.recv();
    drop(running);
    if !json {
        writeln!(out, "stopped; ledger removed")?;
    }
    Ok(())
}
