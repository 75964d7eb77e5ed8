//! `pictor-vip`: the command line of the Pictor VIP Pass.
use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use pictor_vip_cli::bot::{Bot, BotOptions};
use pictor_vip_cli::cluster::{connect, read_keypair};
use pictor_vip_cli::demo::{self, DemoOptions};
use pictor_vip_cli::feed::parse_feed;
use pictor_vip_cli::quiet::RealStdout;
use pictor_vip_cli::simulate::{demo_pass_metadata, simulate};
use pictor_vip_sdk::crank;
use pictor_vip_sdk::ix::{self, InitializeArgs};
use pictor_vip_sdk::profile::{leaderboard, role_status, RoleStatus};
use pictor_vip_sdk::state::{Role, Rules};
use pictor_vip_sdk::transport::Transport;
use pictor_vip_sdk::units::group_thousands;
use pictor_vip_sdk::{Pubkey, Signer};
use serde_json::json;
use std::io::{Read, Write};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "pictor-vip",
    version,
    about = "Pictor VIP Pass: soulbound membership, oracle reports and priority rounds"
)]
struct Cli {
    /// RPC URL or moniker (mainnet-beta, devnet, testnet, localhost); default: the Solana CLI config.
    #[arg(long, short = 'u', global = true)]
    url: Option<String>,
    /// Keypair file; default: the Solana CLI config's keypair.
    #[arg(long, short = 'k', global = true)]
    keypair: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Compute-unit price of every transaction sent, in micro-lamports per
    /// compute unit (as the Solana CLI's flag). Every transaction also
    /// carries a compute-unit limit from the SDK's estimates.
    #[arg(long, global = true, value_name = "MICRO_LAMPORTS", default_value_t = 0)]
    with_compute_unit_price: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Creator,
    Worker,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Creator => Role::Creator,
            RoleArg::Worker => Role::Worker,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Initialise the program (signer: the program's upgrade authority), default rules.
    Init {
        /// Crank key.
        #[arg(long)]
        crank: Pubkey,
        /// Oracle key (repeat for several).
        #[arg(long = "oracle", required = true)]
        oracles: Vec<Pubkey>,
    },
    /// A wallet's Profile: passes, eligibility progress, score, rank, priority.
    Status {
        /// Wallet (base58).
        wallet: Pubkey,
    },
    /// Claim the keypair's pass of ROLE.
    Claim {
        /// Role.
        #[arg(value_enum)]
        role: RoleArg,
    },
    /// The latest finalised round of ROLE.
    Leaderboard {
        /// Role.
        #[arg(value_enum)]
        role: RoleArg,
        /// Rows to show.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// The bot: apply a feed of oracle facts (FILE or - for stdin) as the keypair (oracle), running its rounds as the crank.
    Feed {
        /// Feed file, or - for standard input.
        file: String,
        /// Crank keypair for `round` lines (default: --keypair).
        #[arg(long)]
        crank_keypair: Option<PathBuf>,
        /// Members per rank_batch (default: the most that fits a transaction).
        #[arg(long, default_value_t = 0)]
        rank_batch: usize,
    },
    /// Run (or resume) a ranking round of ROLE as the crank (the keypair).
    Rank {
        /// Role.
        #[arg(value_enum)]
        role: RoleArg,
    },
    /// Record that WALLET burned its pass of ROLE (permissionless).
    Sync {
        /// Role.
        #[arg(value_enum)]
        role: RoleArg,
        /// Wallet.
        wallet: Pubkey,
    },
    /// Run a feed on an in-process runtime (no setup) and print the outcome (SPEC §8).
    Simulate {
        /// Feed file.
        #[arg(long)]
        feed: PathBuf,
    },
    /// Generate a network, run it in-process and show passes, leaderboards and scheduling.
    Demo {
        /// Creators to generate.
        #[arg(long, default_value_t = 300)]
        creators: usize,
        /// Workers to generate.
        #[arg(long, default_value_t = 200)]
        workers: usize,
        /// Days to simulate (> 30).
        #[arg(long, default_value_t = 40)]
        days: u32,
        /// Generator seed.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
}

fn progress_bar(what: &str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    let template = format!("{{bar:40}} {{pos}}/{{len}} {what} ({{elapsed}})");
    bar.set_style(ProgressStyle::with_template(&template).expect("static template"));
    bar
}

fn status_text(wallet: &Pubkey, role: Role, s: &Option<RoleStatus>) -> String {
    let Some(s) = s else { return format!("{:>8}: no reports for {wallet}", role.as_str()) };
    let mut line = format!(
        "{:>8}: pass {:?}; {}{}",
        role.as_str(),
        s.pass,
        s.progress,
        if s.progress.eligible() { " (eligible)" } else { "" }
    );
    if let Some(score) = s.score_now {
        line += &format!("; score now {} points", group_thousands(score));
    }
    match (&s.finalised_round, &s.rank) {
        (Some(r), Some(e)) => {
            line += &format!(
                "; round {}: rank {} of {}, {} points{}",
                r.round,
                e.rank,
                r.members,
                group_thousands(e.score),
                if e.priority { ", PRIORITY" } else { "" }
            )
        }
        (Some(r), None) => line += &format!("; not ranked in round {}", r.round),
        _ => {}
    }
    line
}

fn status_json(s: &Option<RoleStatus>) -> serde_json::Value {
    match s {
        None => serde_json::Value::Null,
        Some(s) => json!({
            "pass": format!("{:?}", s.pass),
            "eligible": s.progress.eligible(),
            "progress": s.progress.to_string(),
            "score_now": s.score_now,
            "round": s.finalised_round.as_ref().map(|r| r.round),
            "rank": s.rank.map(|e| e.rank),
            "score": s.rank.map(|e| e.score),
            "priority": s.rank.is_some_and(|e| e.priority),
        }),
    }
}

fn main() {
    // The in-process runtime logs at debug level unless told otherwise.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    let json = cli.json;
    match cli.command {
        Command::Simulate { feed } => {
            let text = std::fs::read_to_string(&feed).with_context(|| format!("reading {}", feed.display()))?;
            let mut out = RealStdout::capture()?;
            let bar = if json { ProgressBar::hidden() } else { progress_bar("lines") };
            let (_, result) = simulate(&text, &mut |done, total| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            })?;
            bar.finish_and_clear();
            if json {
                writeln!(out, "{}", serde_json::to_string(&result)?)?;
            } else {
                for m in &result.members {
                    let rank = m.rank.map_or("-".into(), |r| format!("#{r}"));
                    let score = m.score.map_or("-".into(), group_thousands);
                    writeln!(
                        out,
                        "{:<8} {:<44} eligible {:<5} pass {:<5} rank {:<5} score {:>8}{}",
                        m.role,
                        m.wallet,
                        m.eligible,
                        m.pass,
                        rank,
                        score,
                        if m.priority { "  PRIORITY" } else { "" }
                    )?;
                }
                for r in &result.rejected {
                    writeln!(out, "line {}: refused: {}", r.line, r.error)?;
                }
                for r in &result.rounds {
                    writeln!(out, "round {} of {}: {} members, {} priority", r.round, r.role, r.members, r.priority)?;
                }
            }
            Ok(())
        }
        Command::Demo { creators, workers, days, seed } => {
            if days <= 30 {
                bail!("--days must be above 30 so the worker window fills");
            }
            let mut out = RealStdout::capture()?;
            let bar = progress_bar("feed lines");
            let o = DemoOptions { creators, workers, days, seed };
            demo::run(&o, &mut out, &mut |done, total| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            })?;
            bar.finish_and_clear();
            Ok(())
        }
        command => {
            run_on_cluster(command, cli.url.as_deref(), cli.keypair.as_deref(), json, cli.with_compute_unit_price)
        }
    }
}

fn run_on_cluster(
    command: Command,
    url: Option<&str>,
    keypair: Option<&std::path::Path>,
    json: bool,
    compute_unit_price: u64,
) -> Result<()> {
    let (mut rpc, signer) = connect(url, keypair)?;
    let t: &mut dyn Transport = &mut rpc;
    t.set_compute_unit_price(compute_unit_price);
    match command {
        Command::Init { crank, oracles } => {
            let args = InitializeArgs { crank, oracles, rules: Rules::default(), pass_metadata: demo_pass_metadata() };
            t.send(&[ix::initialize(&signer.pubkey(), args)], &[&signer])?;
            println!("initialised: admin {}", signer.pubkey());
        }
        Command::Status { wallet } => {
            let creator = role_status(t, Role::Creator, &wallet)?;
            let worker = role_status(t, Role::Worker, &wallet)?;
            if json {
                println!(
                    "{}",
                    json!({ "wallet": wallet.to_string(), "creator": status_json(&creator), "worker": status_json(&worker) })
                );
            } else {
                println!(
                    "{}\n{}",
                    status_text(&wallet, Role::Creator, &creator),
                    status_text(&wallet, Role::Worker, &worker)
                );
            }
        }
        Command::Claim { role } => {
            let role = Role::from(role);
            t.send(&ix::claim_instructions(&signer.pubkey(), &signer.pubkey(), role), &[&signer])?;
            println!("claimed the {} pass of {}", role.as_str(), signer.pubkey());
        }
        Command::Leaderboard { role, limit } => {
            let role = Role::from(role);
            let Some((round, rows)) = leaderboard(t, role)? else {
                bail!("no finalised {} round yet", role.as_str());
            };
            if json {
                let rows: Vec<_> = rows.iter().take(limit).map(|r| json!({"wallet": r.wallet.to_string(), "rank": r.entry.rank, "score": r.entry.score, "priority": r.entry.priority})).collect();
                println!(
                    "{}",
                    json!({"role": role.as_str(), "round": round.round, "members": round.members, "priority": round.priority_count, "rows": rows})
                );
            } else {
                println!(
                    "{} round {}: {} members, {} priority",
                    role.as_str(),
                    round.round,
                    round.members,
                    round.priority_count
                );
                for r in rows.iter().take(limit) {
                    println!(
                        "#{:<4} {}  {:>10} points{}",
                        r.entry.rank,
                        r.wallet,
                        group_thousands(r.entry.score),
                        if r.entry.priority { "  PRIORITY" } else { "" }
                    );
                }
            }
        }
        Command::Feed { file, crank_keypair, rank_batch } => {
            let text = if file == "-" {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s)?;
                s
            } else {
                std::fs::read_to_string(&file).with_context(|| format!("reading {file}"))?
            };
            let crank = match crank_keypair {
                Some(p) => read_keypair(&p)?,
                None => signer.insecure_clone(),
            };
            let options = BotOptions { rank_batch, progress: !json, ..BotOptions::default() };
            let summary = Bot::new(t, &signer, &crank, options).run(parse_feed(&text))?;
            if json {
                let refused: Vec<_> = summary.refused.iter().map(|(l, e)| json!({"line": l, "error": e})).collect();
                let malformed: Vec<_> =
                    summary.malformed.iter().map(|e| json!({"line": e.line, "error": e.message})).collect();
                println!(
                    "{}",
                    json!({"applied": summary.applied, "already_applied": summary.already_applied, "refused": refused, "malformed": malformed, "skipped_claims": summary.skipped_claims, "transactions": summary.transactions, "rounds": summary.rounds.len(), "rounds_already_done": summary.rounds_already_done})
                );
            } else {
                println!(
                    "applied {}, already applied {}, refused {}, malformed {}, claims skipped {}, transactions {}, rounds {} (already done {})",
                    summary.applied, summary.already_applied, summary.refused.len(), summary.malformed.len(), summary.skipped_claims, summary.transactions, summary.rounds.len(), summary.rounds_already_done
                );
                for (line, e) in &summary.refused {
                    println!("  line {line}: {e}");
                }
                for e in &summary.malformed {
                    println!("  {e}");
                }
            }
        }
        Command::Rank { role } => {
            let role = Role::from(role);
            let bar = progress_bar("members ranked");
            let out = crank::run_round(t, &signer, role, crank::RoundOptions::default(), &mut |done, total| {
                bar.set_length(u64::from(total));
                bar.set_position(u64::from(done));
            })?;
            bar.finish_and_clear();
            println!(
                "round {} of {}: {} members, {} priority, {} batches{}",
                out.round,
                role.as_str(),
                out.members,
                out.priority,
                out.batches,
                if out.resumed { " (resumed)" } else { "" }
            );
        }
        Command::Sync { role, wallet } => {
            let role = Role::from(role);
            let member = pictor_vip_sdk::read::member(&mut *t, role, &wallet)?
                .ok_or_else(|| anyhow::anyhow!("{wallet} is not a {} member", role.as_str()))?;
            t.send(&[ix::sync_pass(role, &wallet, &member.header().pass_rent_payer)], &[])?;
            println!("synced");
        }
        Command::Simulate { .. } | Command::Demo { .. } => unreachable!("handled in run"),
    }
    Ok(())
}
