//! `pictor-vip`: the command line of the Pictor VIP Pass: the operator's
//! commands, the oracle/crank bot, wallet and reader commands, and the
//! in-process `simulate` and `demo`.
use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};
use pictor_vip_cli::commands::{self, bot::FeedArgs, dispatch::DispatchArgs, Ctx};
use pictor_vip_cli::demo::DemoOptions;
use pictor_vip_keeper::keeper::KeeperArgs;
use pictor_vip_sdk::state::Role;
use pictor_vip_sdk::Pubkey;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

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
        #[arg(long, default_value_t = pictor_vip_keeper::bot::DEFAULT_IN_FLIGHT)]
        in_flight: usize,
    },
    /// The keeper, a long-running service: follows the oracle's feed as it is
    /// written (FILE, surviving rotation, or - for stdin), applies its facts,
    /// opens and ranks every round in its cadence window, and serves
    /// Prometheus metrics, /healthz and /readyz. SIGTERM stops it cleanly.
    Keeper {
        /// The feed file to follow (its rotated FILE.1, FILE.2… are read first), or - for standard input.
        #[arg(long)]
        feed: String,
        /// An oracle keypair that signs every report; repeat it for an oracle
        /// quorum above 1 (the first pays new members' rent). Default: --keypair.
        #[arg(long = "oracle-keypair", value_name = "PATH")]
        oracle_keypairs: Vec<PathBuf>,
        /// Crank keypair (default: the first oracle keypair); repeat it while
        /// the crank key is rotated: the one the configuration names is used.
        #[arg(long = "crank-keypair", value_name = "PATH")]
        crank_keypairs: Vec<PathBuf>,
        /// Where /metrics, /healthz and /readyz are served.
        #[arg(long, default_value = pictor_vip_keeper::keeper::DEFAULT_METRICS_LISTEN)]
        metrics_listen: std::net::SocketAddr,
        /// Unhealthy when facts wait and none has landed for this many seconds.
        #[arg(long, default_value_t = 300)]
        stale_after: u64,
        /// Members per rank_batch (default: the most that fits a transaction).
        #[arg(long, default_value_t = 0)]
        rank_batch: usize,
        /// Report transactions in flight at once (a member never has two in flight).
        #[arg(long, default_value_t = pictor_vip_keeper::bot::DEFAULT_IN_FLIGHT)]
        in_flight: usize,
        /// How often the feed is read for new lines, in milliseconds.
        #[arg(long, default_value_t = 500)]
        poll_ms: u64,
        /// How often the crank reads the chain (boards, clock, windows), in milliseconds.
        #[arg(long, default_value_t = 1_000)]
        tick_ms: u64,
        /// A co-signer's URL (SPEC §6); repeat it: each report names as many
        /// co-signers as the oracle quorum needs beyond --oracle-keypair.
        #[arg(long = "cosigner", value_name = "URL")]
        cosigners: Vec<String>,
        /// How long to wait for a co-signer's answer, in milliseconds (well inside a blockhash's life).
        #[arg(long, default_value_t = 10_000)]
        cosign_timeout_ms: u64,
    },
    /// A co-signer (SPEC §6): an oracle key held apart that signs a report
    /// transaction only when every report is a fact of its own feed. Serves
    /// POST /v1/sign, /healthz, /readyz and /metrics; SIGTERM stops it.
    /// The oracle key it signs with is --keypair (default: the Solana CLI config's).
    Cosigner {
        /// Its own feed of the facts (FILE, rotated predecessors read first; or - for stdin).
        #[arg(long)]
        feed: String,
        /// Where it serves.
        #[arg(long, default_value = "127.0.0.1:9470")]
        listen: std::net::SocketAddr,
        /// A keeper it serves (the fee payer of the reports); repeat it.
        #[arg(long = "keeper", value_name = "PUBKEY", required = true)]
        keepers: Vec<Pubkey>,
        /// Where it keeps what it signed, so that it never signs two facts for one (wallet, seq).
        #[arg(long)]
        state_dir: Option<PathBuf>,
        /// How often the feed is read for new lines, in milliseconds.
        #[arg(long, default_value_t = 500)]
        poll_ms: u64,
    },
    /// Run (or resume) a ranking round of ROLE as the crank (the keypair).
    Rank {
        /// Role.
        #[arg(value_enum)]
        role: RoleArg,
        /// With the round cadence on and no round window open: seconds to wait
        /// for the next one (0: fail at once, naming when it opens).
        #[arg(long, default_value_t = 90_000)]
        wait_secs: u64,
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
    /// One round of job distribution (SPEC §10): a JSON request (FILE or -
    /// for stdin) in, the assignments and what waits out. Standings left out
    /// are read from --url.
    Dispatch {
        /// The request, or - for standard input.
        #[arg(long)]
        input: String,
    },
    /// Serve the Profile and leaderboard pages, the pass metadata, a JSON
    /// API and POST /api/dispatch, reading the cluster at --url (see README,
    /// "The Profile server").
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

fn main() {
    // The in-process runtime logs at debug level unless told otherwise.
    let cli = Cli::parse();
    if std::env::var_os("RUST_LOG").is_none() {
        // A service logs what it does; a command only its errors.
        let service = matches!(cli.command, Command::Keeper { .. } | Command::Cosigner { .. });
        let level = if service { "warn,pictor_vip_keeper=info" } else { "error" };
        std::env::set_var("RUST_LOG", level);
    }
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

/// Each command to its library function.
fn run(cli: Cli) -> Result<()> {
    let json = cli.json;
    let connect =
        || Ctx::connect(cli.url.as_deref(), cli.keypair.as_deref(), json, cli.dry_run, cli.with_compute_unit_price);
    match cli.command {
        #[cfg(feature = "localnet")]
        Command::Localnet(args) => localnet_cmd::run(args, json),
        Command::Serve { listen, public_url } => {
            let rpc_url = pictor_vip_cli::cluster::settings(cli.url.as_deref(), None).url;
            pictor_vip_cli::serve::run(&pictor_vip_cli::serve::ServeOptions { rpc_url, listen, public_url })
        }
        Command::Simulate { feed } => commands::local::simulate(&feed, json),
        Command::Demo { creators, workers, days, seed } => {
            commands::local::demo(&DemoOptions { creators, workers, days, seed, ..DemoOptions::default() })
        }
        Command::Dispatch { input } => commands::dispatch::run(&DispatchArgs { input, url: cli.url.clone(), json }),
        Command::Init { config } => commands::operator::init(&mut connect()?, &config),
        Command::Config(ConfigCommand::Show) => commands::operator::config_show(&mut connect()?),
        Command::Config(ConfigCommand::Update { file }) => commands::operator::config_update(&mut connect()?, &file),
        Command::Pause => commands::operator::set_paused(&mut connect()?, true),
        Command::Unpause => commands::operator::set_paused(&mut connect()?, false),
        Command::Revoke { wallet, role, reason } => {
            commands::operator::revoke(&mut connect()?, wallet, role.into(), reason)
        }
        Command::Reinstate { wallet, role } => commands::operator::reinstate(&mut connect()?, wallet, role.into()),
        Command::Oracle(KeyCommand::Add { key }) => commands::operator::oracle(&mut connect()?, key, true),
        Command::Oracle(KeyCommand::Remove { key }) => commands::operator::oracle(&mut connect()?, key, false),
        Command::Crank(CrankCommand::Set { key }) => commands::operator::crank_set(&mut connect()?, key),
        Command::Admin(AdminCommand::Propose { key }) => commands::operator::admin_propose(&mut connect()?, key),
        Command::Admin(AdminCommand::Accept) => commands::operator::admin_accept(&mut connect()?),
        Command::Rewards(RewardsCommand::Fund { role, mint, amount, top_k }) => {
            commands::rewards::fund(&mut connect()?, role.into(), mint, &amount, top_k)
        }
        Command::Rewards(RewardsCommand::Status { wallet }) => commands::rewards::status(&mut connect()?, wallet),
        Command::Rewards(RewardsCommand::Withdraw { role }) => {
            commands::rewards::withdraw(&mut connect()?, role.into())
        }
        Command::Status { wallet } => commands::wallet::status(&mut connect()?, wallet),
        Command::Claim { role } => commands::wallet::claim(&mut connect()?, role.into()),
        Command::Leaderboard { role, limit } => commands::wallet::leaderboard_cmd(&mut connect()?, role.into(), limit),
        Command::Sync { role, wallet } => commands::wallet::sync(&mut connect()?, role.into(), wallet),
        Command::Feed { file, oracle_keypairs, crank_keypair, rank_batch, drain_secs, in_flight } => {
            let args = FeedArgs { file, oracle_keypairs, crank_keypair, rank_batch, drain_secs, in_flight };
            commands::bot::feed(&mut connect()?, &args)
        }
        Command::Keeper {
            feed,
            oracle_keypairs,
            crank_keypairs,
            metrics_listen,
            stale_after,
            rank_batch,
            in_flight,
            poll_ms,
            tick_ms,
            cosigners,
            cosign_timeout_ms,
        } => {
            let args = KeeperArgs {
                feed,
                oracle_keypairs,
                crank_keypairs,
                metrics_listen,
                stale_after: Duration::from_secs(stale_after),
                rank_batch,
                in_flight,
                poll: Duration::from_millis(poll_ms.max(10)),
                tick: Duration::from_millis(tick_ms.max(100)),
                cosigners,
                cosign_timeout: Duration::from_millis(cosign_timeout_ms.max(100)),
            };
            let stop = Arc::new(AtomicBool::new(false));
            let on_signal = stop.clone();
            // SIGTERM, SIGINT and SIGHUP: stop sending, settle, exit 0.
            ctrlc::set_handler(move || on_signal.store(true, Ordering::SeqCst))?;
            let ctx = connect()?;
            pictor_vip_keeper::keeper::run(ctx.rpc, ctx.signer.as_ref(), &args, stop)
        }
        Command::Cosigner { feed, listen, keepers, state_dir, poll_ms } => {
            let args = pictor_vip_keeper::cosigner::CosignerArgs {
                keypair: pictor_vip_cli::cluster::settings(cli.url.as_deref(), cli.keypair.as_deref()).keypair_path,
                feed,
                listen,
                keepers,
                state_dir,
                url: cli.url.clone(),
                poll: Duration::from_millis(poll_ms.max(10)),
            };
            let stop = Arc::new(AtomicBool::new(false));
            let on_signal = stop.clone();
            ctrlc::set_handler(move || on_signal.store(true, Ordering::SeqCst))?;
            pictor_vip_keeper::cosigner::run(&args, stop)
        }
        Command::Rank { role, wait_secs } => commands::bot::rank(&mut connect()?, role.into(), wait_secs),
    }
}
