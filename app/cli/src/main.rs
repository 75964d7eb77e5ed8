//! `pictor-vip`: the command line of the Pictor VIP Pass: the operator's
//! commands, the oracle/crank bot, wallet and reader commands, and the
//! in-process `simulate` and `demo`.
use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use pictor_vip_cli::bot::{Bot, BotOptions};
use pictor_vip_cli::cluster::{connect, read_keypair};
use pictor_vip_cli::demo::{self, DemoOptions};
use pictor_vip_cli::feed::parse_feed;
use pictor_vip_cli::operator::{DeploymentFile, PassMetadataFile, RulesFile};
use pictor_vip_cli::profile_json::{leaderboard_json, profile_json};
use pictor_vip_cli::quiet::run_quietly;
use pictor_vip_cli::simulate::simulate;
use pictor_vip_sdk::crank;
use pictor_vip_sdk::ix;
use pictor_vip_sdk::pda;
use pictor_vip_sdk::profile::{leaderboard, wallet_profile, RoleStatus, ScoreBreakdown, WalletProfile};
use pictor_vip_sdk::read;
use pictor_vip_sdk::state::Role;
use pictor_vip_sdk::transport::{Rpc, Transport};
use pictor_vip_sdk::units::{format_token_amount, group_thousands, parse_token_amount};
use pictor_vip_sdk::{Instruction, Keypair, Pubkey, Signer};
use serde_json::{json, Value};
use std::io::Read;
use std::path::PathBuf;

#[cfg(feature = "localnet")]
mod localnet_cmd;

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
    /// Keypair file (signer and fee payer); default: the Solana CLI config's. Commands that only read need none.
    #[arg(long, short = 'k', global = true)]
    keypair: Option<PathBuf>,
    /// Print JSON instead of text (numbers as numbers).
    #[arg(long, global = true)]
    json: bool,
    /// Compute-unit price of every transaction sent, in micro-lamports per
    /// compute unit (as the Solana CLI's flag). Every transaction also
    /// carries a compute-unit limit from the SDK's estimates.
    #[arg(long, global = true, value_name = "MICRO_LAMPORTS", default_value_t = 0)]
    with_compute_unit_price: u64,
    /// Simulate the transaction and print what it would do; send nothing.
    #[arg(long, global = true)]
    dry_run: bool,
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
    /// Initialise the program from a deployment file (signer: the program's upgrade authority).
    Init {
        /// Deployment file, TOML or JSON (see deploy/pictor-vip.example.toml).
        #[arg(long)]
        config: PathBuf,
    },
    /// Show or update the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Pause reports, claims, syncs and rounds (signer: admin).
    Pause,
    /// Lift the pause (signer: admin).
    Unpause,
    /// Revoke a member's pass for fraud: burned, out of ranking at once (signer: admin).
    Revoke {
        /// Wallet.
        wallet: Pubkey,
        /// Role.
        #[arg(value_enum)]
        role: RoleArg,
        /// Reason code, recorded in the member and the event.
        #[arg(long)]
        reason: u16,
    },
    /// Lift a revocation: the member may claim again once eligible (signer: admin).
    Reinstate {
        /// Wallet.
        wallet: Pubkey,
        /// Role.
        #[arg(value_enum)]
        role: RoleArg,
    },
    /// Add or remove an oracle key (signer: admin).
    #[command(subcommand)]
    Oracle(KeyCommand),
    /// Set the crank key (signer: admin).
    #[command(subcommand)]
    Crank(CrankCommand),
    /// The two-step admin hand-over.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Rank rewards: fund a role's next round, see the pools and balances, withdraw.
    #[command(subcommand)]
    Rewards(RewardsCommand),
    /// A wallet's Profile: passes, eligibility progress, score by criterion, rank, priority.
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
        /// An oracle keypair that signs every report; repeat it for an oracle
        /// quorum above 1 (the first pays new members' rent). Default: --keypair.
        #[arg(long = "oracle-keypair", value_name = "PATH")]
        oracle_keypairs: Vec<PathBuf>,
        /// Crank keypair for `round` lines (default: --keypair).
        #[arg(long)]
        crank_keypair: Option<PathBuf>,
        /// Members per rank_batch (default: the most that fits a transaction).
        #[arg(long, default_value_t = 0)]
        rank_batch: usize,
        /// Seconds to keep retrying lines that wait (paused, clock behind) after the feed's end.
        #[arg(long, default_value_t = 120)]
        drain_secs: u64,
        /// Report transactions in flight at once (1: send one and wait for its
        /// confirmation). A member never has two in flight.
        #[arg(long, default_value_t = pictor_vip_cli::bot::DEFAULT_IN_FLIGHT)]
        in_flight: usize,
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
    /// Serve the Profile and leaderboard pages, the pass metadata and a JSON
    /// API, reading the cluster at --url (see README, "The Profile server").
    Serve {
        /// Address to listen on (port 0: any free port; the address is printed).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// The URL people and wallets reach this server at (the metadata's
        /// image and external URLs); default: http://LISTEN.
        #[arg(long)]
        public_url: Option<String>,
    },
    /// Run a local cluster: agave's validator with the program loaded (native
    /// builtin, or --program), initialised and funded; serves until Ctrl-C.
    #[cfg(feature = "localnet")]
    Localnet(localnet_cmd::LocalnetArgs),
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the configuration (no keypair needed); `--json` or a deployment file's TOML.
    Show,
    /// Replace the rules and the pass metadata from a deployment file without keys (signer: admin).
    Update {
        /// Deployment file, TOML or JSON.
        #[arg(long)]
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Add an oracle key.
    Add {
        /// Oracle key.
        key: Pubkey,
    },
    /// Remove an oracle key.
    Remove {
        /// Oracle key.
        key: Pubkey,
    },
}

#[derive(Subcommand)]
enum CrankCommand {
    /// Set the crank key.
    Set {
        /// Crank key.
        key: Pubkey,
    },
}

#[derive(Subcommand)]
enum RewardsCommand {
    /// Attach AMOUNT of MINT to the next round of ROLE, shared by its top K ranks (signer: admin, from its token account).
    Fund {
        /// Role.
        #[arg(value_enum)]
        role: RoleArg,
        /// Reward token mint (classic Token or Token-2022).
        #[arg(long)]
        mint: Pubkey,
        /// Amount, in whole tokens (a decimal: "10000" or "12.5").
        #[arg(long)]
        amount: String,
        /// Ranks that share it (0: the round's priority count).
        #[arg(long = "top", default_value_t = 0)]
        top_k: u32,
    },
    /// The pools of both roles, and WALLET's balances if given (no keypair needed).
    Status {
        /// Wallet.
        wallet: Option<Pubkey>,
    },
    /// Withdraw the keypair's whole reward balance of ROLE to its own token account.
    Withdraw {
        /// Role.
        #[arg(value_enum)]
        role: RoleArg,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Step 1: propose KEY as the next admin (signer: admin).
    Propose {
        /// The proposed admin.
        key: Pubkey,
    },
    /// Step 2: accept the proposal (signer: the proposed key).
    Accept,
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
    match &s.score_breakdown {
        Some(ScoreBreakdown::Creator(c)) => {
            line += &format!(
                "; score now {} points (recharges {} + frames {} + pass {})",
                group_thousands(c.total),
                group_thousands(c.recharge_points),
                group_thousands(c.frame_points),
                c.ownership_points
            )
        }
        Some(ScoreBreakdown::Worker(w)) => {
            line += &format!(
                "; score now {} points (uptime {} + jobs {} + GPU {} at {}.{:02}× + pass {})",
                group_thousands(w.total),
                w.uptime_points,
                group_thousands(w.job_points),
                group_thousands(w.gpu_points),
                w.gpu_multiplier_bps / 10_000,
                w.gpu_multiplier_bps % 10_000 / 100,
                w.ownership_points
            )
        }
        None => {}
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
    if let Some((mint, decimals)) = s.reward_mint {
        line += &format!(
            "; rewards withdrawable: {} of {mint}",
            format_token_amount(s.reward_balance_base_units, decimals)
        );
    }
    line
}

fn main() {
    // The in-process runtime logs at debug level unless told otherwise.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let cli = Cli::parse();
    #[cfg(feature = "localnet")]
    if matches!(cli.command, Command::Localnet(_)) && std::env::var_os("PICTOR_VALIDATOR_LOG").is_none() {
        // The validator's own logs (agave's crates) stay off unless asked
        // for: PICTOR_VALIDATOR_LOG=1 keeps RUST_LOG as given.
        let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into());
        std::env::set_var("RUST_LOG", format!("{filter},solana=off,agave=off"));
    }
    pictor_vip_cli::logs::init();
    if let Err(e) = run(cli) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    let json = cli.json;
    match cli.command {
        #[cfg(feature = "localnet")]
        Command::Localnet(args) => localnet_cmd::run(args, json),
        Command::Serve { listen, public_url } => {
            let rpc_url = pictor_vip_cli::cluster::settings(cli.url.as_deref(), None).url;
            pictor_vip_cli::serve::run(&pictor_vip_cli::serve::ServeOptions { rpc_url, listen, public_url })
        }
        Command::Simulate { feed } => run_quietly(|out| {
            let text = std::fs::read_to_string(&feed).with_context(|| format!("reading {}", feed.display()))?;
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
        }),
        Command::Demo { creators, workers, days, seed } => {
            if days <= 30 {
                bail!("--days must be above 30 so the worker window fills");
            }
            run_quietly(|out| {
                let bar = progress_bar("feed lines");
                let o = DemoOptions { creators, workers, days, seed, ..DemoOptions::default() };
                demo::run(&o, out, &mut |done, total| {
                    bar.set_length(total as u64);
                    bar.set_position(done as u64);
                })?;
                bar.finish_and_clear();
                Ok(())
            })
        }
        command => {
            let (rpc, signer) = connect(cli.url.as_deref(), cli.keypair.as_deref())?;
            let mut c = Cluster { rpc, signer, json, dry_run: cli.dry_run };
            c.rpc.set_compute_unit_price(cli.with_compute_unit_price);
            c.run(command)
        }
    }
}

/// A command against a cluster.
struct Cluster {
    rpc: Rpc,
    signer: Option<Keypair>,
    json: bool,
    dry_run: bool,
}

impl Cluster {
    fn signer(&self) -> Result<Keypair> {
        self.signer.as_ref().map(|k| k.insecure_clone()).ok_or_else(|| {
            anyhow!("this command signs a transaction: pass --keypair (or set keypair_path in the Solana CLI config)")
        })
    }

    /// Sends `ixs` signed by the keypair, or simulates them with `--dry-run`,
    /// and prints the outcome.
    fn transact(&mut self, what: &str, ixs: &[Instruction], detail: Value) -> Result<()> {
        let signer = self.signer()?;
        if self.dry_run {
            let sim = self.rpc.simulate(ixs, &[&signer])?;
            if self.json {
                println!(
                    "{}",
                    json!({
                        "command": what, "dry_run": true, "detail": detail,
                        "would_succeed": sim.error.is_none(),
                        "error": sim.error.as_ref().map(|e| e.to_string()),
                        "units_consumed": sim.units_consumed, "fee_lamports": sim.fee_lamports,
                        "instructions": sim.instructions, "logs": sim.logs,
                    })
                );
            } else {
                match &sim.error {
                    None => println!("dry run: {what} would succeed (fee {} lamports); nothing sent", sim.fee_lamports),
                    Some(e) => println!("dry run: {what} would fail: {e}; nothing sent"),
                }
                for log in &sim.logs {
                    println!("  {log}");
                }
            }
            return Ok(());
        }
        let fees_before = self.rpc.fees_paid_lamports();
        self.rpc.send(ixs, &[&signer]).with_context(|| what.to_string())?;
        let fee = self.rpc.fees_paid_lamports() - fees_before;
        if self.json {
            println!("{}", json!({"command": what, "ok": true, "detail": detail, "fee_lamports": fee}));
        } else {
            println!("{what}: done (fee {fee} lamports)");
        }
        Ok(())
    }

    fn run(&mut self, command: Command) -> Result<()> {
        match command {
            Command::Init { config } => {
                let args = DeploymentFile::read(&config)?.initialize_args()?;
                let admin = self.signer()?.pubkey();
                let detail = json!({"admin": admin.to_string(), "crank": args.crank.to_string(),
                    "oracles": args.oracles.iter().map(|k| k.to_string()).collect::<Vec<_>>()});
                self.transact("init", &[ix::initialize(&admin, args)], detail)
            }
            Command::Config(ConfigCommand::Show) => {
                let config = read::config(&mut self.rpc)?
                    .ok_or_else(|| anyhow!("the program is not initialised on this cluster"))?;
                let file = DeploymentFile {
                    crank: Some(config.crank.to_string()),
                    oracles: config.oracles.iter().map(|k| k.to_string()).collect(),
                    rules: RulesFile::from_rules(&config.rules),
                    pass_metadata: PassMetadataFile::from_metadata(&config.pass_metadata),
                };
                if self.json {
                    let mut v = serde_json::to_value(&file)?;
                    v["admin"] = json!(config.admin.to_string());
                    v["pending_admin"] = json!(config.pending_admin.map(|k| k.to_string()));
                    v["paused"] = json!(config.paused);
                    v["rules_base_units"] =
                        json!({"creator_min_spent_base_units": config.rules.creator_min_spent_base_units});
                    println!("{v}");
                } else {
                    println!("# admin = {}", config.admin);
                    if let Some(p) = config.pending_admin {
                        println!("# pending admin = {p}");
                    }
                    println!("# paused = {}", config.paused);
                    print!("{}", toml::to_string(&file)?);
                }
                Ok(())
            }
            Command::Config(ConfigCommand::Update { file }) => {
                let (rules, meta) = DeploymentFile::read(&file)?.update_parts()?;
                let admin = self.signer()?.pubkey();
                self.transact("config update", &[ix::update_config(&admin, Some(rules), Some(meta))], json!({}))
            }
            Command::Pause | Command::Unpause => {
                let paused = matches!(command, Command::Pause);
                let admin = self.signer()?.pubkey();
                let what = if paused { "pause" } else { "unpause" };
                self.transact(what, &[ix::set_paused(&admin, paused)], json!({"paused": paused}))
            }
            Command::Revoke { wallet, role, reason } => {
                let role = Role::from(role);
                let admin = self.signer()?.pubkey();
                let member = read::member(&mut self.rpc, role, &wallet)?
                    .ok_or_else(|| anyhow!("{wallet} is not a {} member", role.as_str()))?;
                // The rent of a held pass goes back to whoever paid the claim.
                let payer = member.header().pass_rent_payer;
                let payer = if payer == Pubkey::default() { wallet } else { payer };
                let detail = json!({"wallet": wallet.to_string(), "role": role.as_str(), "reason_code": reason});
                self.transact("revoke", &[ix::revoke(&admin, role, &wallet, &payer, reason)], detail)
            }
            Command::Reinstate { wallet, role } => {
                let role = Role::from(role);
                let admin = self.signer()?.pubkey();
                let detail = json!({"wallet": wallet.to_string(), "role": role.as_str()});
                self.transact("reinstate", &[ix::reinstate(&admin, role, &wallet)], detail)
            }
            Command::Oracle(KeyCommand::Add { key }) => {
                let admin = self.signer()?.pubkey();
                self.transact("oracle add", &[ix::add_oracle(&admin, key)], json!({"oracle": key.to_string()}))
            }
            Command::Oracle(KeyCommand::Remove { key }) => {
                let admin = self.signer()?.pubkey();
                self.transact("oracle remove", &[ix::remove_oracle(&admin, key)], json!({"oracle": key.to_string()}))
            }
            Command::Crank(CrankCommand::Set { key }) => {
                let admin = self.signer()?.pubkey();
                self.transact("crank set", &[ix::set_crank(&admin, key)], json!({"crank": key.to_string()}))
            }
            Command::Admin(AdminCommand::Propose { key }) => {
                let admin = self.signer()?.pubkey();
                self.transact(
                    "admin propose",
                    &[ix::propose_admin(&admin, Some(key))],
                    json!({"pending": key.to_string()}),
                )
            }
            Command::Admin(AdminCommand::Accept) => {
                let me = self.signer()?.pubkey();
                self.transact("admin accept", &[ix::accept_admin(&me)], json!({"admin": me.to_string()}))
            }
            Command::Rewards(RewardsCommand::Fund { role, mint, amount, top_k }) => {
                let role = Role::from(role);
                let admin = self.signer()?.pubkey();
                let (program, decimals) = mint_info(&mut self.rpc, &mint)?;
                let amount = parse_token_amount(&amount, decimals).map_err(|e| anyhow!("--amount: {e}"))?;
                let funder = pda::reward_destination(&admin, &mint, &program);
                let detail = json!({"role": role.as_str(), "mint": mint.to_string(), "amount_base_units": amount, "top_k": top_k});
                self.transact(
                    "rewards fund",
                    &[ix::fund_rewards(&admin, role, &mint, &program, &funder, amount, top_k)],
                    detail,
                )
            }
            Command::Rewards(RewardsCommand::Withdraw { role }) => {
                let role = Role::from(role);
                let me = self.signer()?.pubkey();
                let board =
                    read::board(&mut self.rpc, role)?.ok_or_else(|| anyhow!("the program is not initialised"))?;
                if board.rewards.mint == Pubkey::default() {
                    bail!("the {} role has no rewards yet", role.as_str());
                }
                let (mint, program) = (board.rewards.mint, board.rewards.token_program);
                let detail = json!({"role": role.as_str(), "wallet": me.to_string(), "mint": mint.to_string()});
                self.transact("rewards withdraw", &[ix::withdraw_rewards(&me, &me, role, &mint, &program)], detail)
            }
            Command::Rewards(RewardsCommand::Status { wallet }) => {
                let mut roles = Vec::new();
                for role in Role::ALL {
                    let board =
                        read::board(&mut self.rpc, role)?.ok_or_else(|| anyhow!("the program is not initialised"))?;
                    let r = &board.rewards;
                    let funded = r.mint != Pubkey::default();
                    let vault = if funded { token_amount(&mut self.rpc, &r.vault)? } else { 0 };
                    let balance = match &wallet {
                        Some(w) => read::member(&mut self.rpc, role, w)?.map(|m| m.header().reward_balance),
                        None => None,
                    };
                    let open = board.open.as_ref().map(|o| o.reward);
                    let last = board.finalised.as_ref().map(|f| (f.round, f.reward));
                    if self.json {
                        let reward = |x: &pictor_vip_sdk::state::RoundReward| {
                            json!({"amount_base_units": x.amount_base_units,
                            "ranks": x.ranks, "share_base_units": x.share_base_units, "credited_base_units": x.credited_base_units})
                        };
                        roles.push(json!({
                            "role": role.as_str(), "mint": funded.then(|| r.mint.to_string()), "decimals": r.decimals,
                            "vault_base_units": vault, "pending_base_units": r.pending_base_units, "pending_top_k": r.pending_top_k,
                            "carry_base_units": r.carry_base_units, "credited_unwithdrawn_base_units": r.liability_base_units,
                            "funded_total_base_units": r.funded_total_base_units, "withdrawn_total_base_units": r.withdrawn_total_base_units,
                            "open_round": open.as_ref().map(reward), "last_round": last.as_ref().map(|(n, x)| json!({"round": n, "reward": reward(x)})),
                            "wallet_balance_base_units": balance,
                        }));
                    } else if !funded {
                        println!("{:>8}: no rewards funded yet", role.as_str());
                    } else {
                        let amt = |v: u64| format_token_amount(v, r.decimals);
                        println!(
                            "{:>8}: {} in the vault (mint {}); pending for the next round {} (top {}), carried {}, credited and not withdrawn {}",
                            role.as_str(), amt(vault), r.mint, amt(r.pending_base_units),
                            if r.pending_top_k == 0 { "priority count".to_string() } else { r.pending_top_k.to_string() },
                            amt(r.carry_base_units), amt(r.liability_base_units)
                        );
                        if let Some((n, x)) = last {
                            println!(
                                "          round {n}: {} shared by {} ranks, {} each",
                                amt(x.amount_base_units),
                                x.ranks,
                                amt(x.share_base_units)
                            );
                        }
                        if let Some(b) = balance {
                            println!("          {}: {} withdrawable", wallet.expect("given"), amt(b));
                        }
                    }
                }
                if self.json {
                    println!("{}", json!({"roles": roles}));
                }
                Ok(())
            }
            Command::Status { wallet } => {
                let WalletProfile { creator, worker, .. } = wallet_profile(&mut self.rpc, &wallet)?;
                if self.json {
                    println!("{}", profile_json(&wallet, &creator, &worker));
                } else {
                    println!(
                        "{}\n{}",
                        status_text(&wallet, Role::Creator, &creator),
                        status_text(&wallet, Role::Worker, &worker)
                    );
                }
                Ok(())
            }
            Command::Claim { role } => {
                let role = Role::from(role);
                let me = self.signer()?.pubkey();
                let detail = json!({"wallet": me.to_string(), "role": role.as_str()});
                self.transact("claim", &ix::claim_instructions(&me, &me, role), detail)
            }
            Command::Leaderboard { role, limit } => {
                let role = Role::from(role);
                let Some((round, rows)) = leaderboard(&mut self.rpc, role)? else {
                    bail!("no finalised {} round yet", role.as_str());
                };
                if self.json {
                    println!("{}", leaderboard_json(role, &round, &rows, limit));
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
                Ok(())
            }
            Command::Feed { file, oracle_keypairs, crank_keypair, rank_batch, drain_secs, in_flight } => {
                let text = if file == "-" {
                    let mut s = String::new();
                    std::io::stdin().read_to_string(&mut s)?;
                    s
                } else {
                    std::fs::read_to_string(&file).with_context(|| format!("reading {file}"))?
                };
                let oracles: Vec<Keypair> = if oracle_keypairs.is_empty() {
                    vec![self.signer()?]
                } else {
                    oracle_keypairs.iter().map(|p| read_keypair(p)).collect::<Result<_>>()?
                };
                let crank = match crank_keypair {
                    Some(p) => read_keypair(&p)?,
                    None => oracles[0].insecure_clone(),
                };
                let options = BotOptions {
                    rank_batch,
                    progress: true,
                    drain: std::time::Duration::from_secs(drain_secs),
                    in_flight,
                    ..BotOptions::default()
                };
                let summary = Bot::new(&mut self.rpc, &oracles, &crank, options).run(parse_feed(&text))?;
                if self.json {
                    println!("{}", summary.to_json());
                } else {
                    println!(
                        "applied {}, already done {}, refused {}, waiting {}, malformed {}, claims skipped {}; {} transactions, {} retries, {} lamports in fees; rounds {} (already done {})",
                        summary.applied, summary.already_applied, summary.refused.len(), summary.waiting.len(), summary.malformed.len(), summary.skipped_claims,
                        summary.transactions, summary.retries, summary.fees_lamports, summary.rounds.len(), summary.rounds_already_done
                    );
                    for (line, e) in &summary.refused {
                        println!("  refused, line {line}: {e}");
                    }
                    for (line, e) in &summary.waiting {
                        println!("  waiting, line {line}: {e} (run the feed again to apply it)");
                    }
                    for e in &summary.malformed {
                        println!("  {e}");
                    }
                }
                Ok(())
            }
            Command::Rank { role } => {
                let role = Role::from(role);
                let crank_key = self.signer()?;
                let bar = progress_bar("members ranked");
                let out = crank::run_round(
                    &mut self.rpc,
                    &crank_key,
                    role,
                    crank::RoundOptions::default(),
                    &mut |done, total| {
                        bar.set_length(u64::from(total));
                        bar.set_position(u64::from(done));
                    },
                )?;
                bar.finish_and_clear();
                if self.json {
                    println!(
                        "{}",
                        json!({"role": role.as_str(), "round": out.round, "members": out.members, "priority": out.priority,
                            "batches": out.batches, "table_transactions": out.table_transactions, "resumed": out.resumed, "retries": out.retries})
                    );
                } else {
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
                Ok(())
            }
            Command::Sync { role, wallet } => {
                let role = Role::from(role);
                let member = read::member(&mut self.rpc, role, &wallet)?
                    .ok_or_else(|| anyhow!("{wallet} is not a {} member", role.as_str()))?;
                let payer = member.header().pass_rent_payer;
                let detail = json!({"wallet": wallet.to_string(), "role": role.as_str()});
                self.transact("sync", &[ix::sync_pass(role, &wallet, &payer)], detail)
            }
            Command::Simulate { .. } | Command::Demo { .. } => unreachable!("handled in run"),
            #[cfg(feature = "localnet")]
            Command::Localnet(_) => unreachable!("handled in run"),
            Command::Serve { .. } => unreachable!("handled in run"),
        }
    }
}

/// The token program (the mint's owner) and decimals of `mint`.
fn mint_info(rpc: &mut Rpc, mint: &Pubkey) -> Result<(Pubkey, u8)> {
    use anchor_spl::token_2022::spl_token_2022::{extension::StateWithExtensions, state::Mint};
    let account = rpc.get_account(mint)?.ok_or_else(|| anyhow!("mint {mint} does not exist"))?;
    let state = StateWithExtensions::<Mint>::unpack(&account.data).map_err(|e| anyhow!("{mint} is not a mint: {e}"))?;
    Ok((account.owner, state.base.decimals))
}

/// The amount a token account holds, in base units (0 if it does not exist).
fn token_amount(rpc: &mut Rpc, account: &Pubkey) -> Result<u64> {
    use anchor_spl::token_2022::spl_token_2022::{extension::StateWithExtensions, state::Account};
    Ok(match rpc.get_account(account)? {
        Some(a) => StateWithExtensions::<Account>::unpack(&a.data).map_err(|e| anyhow!("{account}: {e}"))?.base.amount,
        None => 0,
    })
}
