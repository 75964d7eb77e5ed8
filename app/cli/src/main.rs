//! `pictor-vip`: the command line of the Pictor VIP Pass: the operator's
//! commands, the oracle/crank bot, wallet and reader commands, and the
//! in-process `simulate` and `demo`.
//!
//! The same way in every command: ROLE before WALLET; a file is a named
//! flag (`--feed`, `--input`, `--config`, `--file`) taking `-` for standard
//! input; each flag only on the commands that use it (`--url`, `--keypair`,
//! `--dry-run`, `--with-compute-unit-price` may also come before the
//! command, as the Solana CLI takes them, and are refused there for a
//! command that does not use them, but for `--keypair` given to a command
//! that only reads, which warns); old forms warn and still work.
use anyhow::{bail, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use pictor_vip_cli::args as cli_args;
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
    /// Print JSON instead of text (numbers as numbers).
    #[arg(long, global = true)]
    json: bool,
    // Accepted before the command too (the Solana CLI's habit), and handed
    // to the command if it uses them.
    #[arg(long, short = 'u', hide = true)]
    url: Option<String>,
    #[arg(long, hide = true)]
    url_file: Option<PathBuf>,
    #[arg(long, short = 'k', hide = true)]
    keypair: Option<PathBuf>,
    #[arg(long, hide = true)]
    dry_run: bool,
    #[arg(long, hide = true)]
    with_compute_unit_price: Option<u64>,
    #[command(subcommand)]
    command: Command,
}

/// The cluster a command talks to.
#[derive(Args, Clone, Default)]
struct Cluster {
    /// RPC URL or moniker (mainnet-beta, devnet, testnet, localhost); default:
    /// $PICTOR_VIP_URL, else the Solana CLI config. It may hold an API key:
    /// it is never printed whole.
    #[arg(long, short = 'u')]
    url: Option<String>,
    /// A file whose first line is the RPC URL (keeps an API key off the
    /// command line: systemd's LoadCredential=).
    #[arg(long, value_name = "PATH")]
    url_file: Option<PathBuf>,
}

/// The keypair a command signs with.
#[derive(Args, Clone, Default)]
struct Signer {
    /// Keypair file (signer and fee payer); default: the Solana CLI config's.
    #[arg(long, short = 'k')]
    keypair: Option<PathBuf>,
}

/// How a command that sends transactions pays for them.
#[derive(Args, Clone, Default)]
struct Payer {
    #[command(flatten)]
    signer: Signer,
    /// Compute-unit price of every transaction sent, in micro-lamports per
    /// compute unit (as the Solana CLI's flag). Every transaction also
    /// carries a compute-unit limit from the SDK's estimates.
    #[arg(long, value_name = "MICRO_LAMPORTS")]
    with_compute_unit_price: Option<u64>,
}

/// A command that sends one transaction.
#[derive(Args, Clone, Default)]
struct Send {
    #[command(flatten)]
    cluster: Cluster,
    #[command(flatten)]
    payer: Payer,
    /// Simulate the transaction and print what it would do; send nothing.
    #[arg(long)]
    dry_run: bool,
}

/// A command that only reads the cluster.
#[derive(Args, Clone, Default)]
struct Read {
    #[command(flatten)]
    cluster: Cluster,
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
        #[command(flatten)]
        send: Send,
    },
    /// Show or update the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Pause reports, claims, syncs and rounds (signer: admin).
    Pause(Send),
    /// Lift the pause (signer: admin).
    Unpause(Send),
    /// Revoke a member's pass for fraud: burned, out of ranking at once (signer: admin).
    Revoke {
        /// Role (creator or worker).
        #[arg(value_name = "ROLE")]
        role: String,
        /// Wallet.
        #[arg(value_name = "WALLET")]
        wallet: String,
        /// Reason code, recorded in the member and the event.
        #[arg(long)]
        reason: u16,
        #[command(flatten)]
        send: Send,
    },
    /// Lift a revocation: the member may claim again once eligible (signer: admin).
    Reinstate {
        /// Role (creator or worker).
        #[arg(value_name = "ROLE")]
        role: String,
        /// Wallet.
        #[arg(value_name = "WALLET")]
        wallet: String,
        #[command(flatten)]
        send: Send,
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
        #[command(flatten)]
        read: Read,
    },
    /// Claim the keypair's pass of ROLE.
    Claim {
        /// Role.
        #[arg(value_enum)]
        role: RoleArg,
        #[command(flatten)]
        send: Send,
    },
    /// The latest finalised round of ROLE.
    Leaderboard {
        /// Role.
        #[arg(value_enum)]
        role: RoleArg,
        /// Rows to show.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[command(flatten)]
        read: Read,
    },
    /// The bot: apply a feed of oracle facts as the keypair (oracle), running its rounds as the crank.
    Feed {
        /// Feed file, or - for standard input.
        #[arg(long, value_name = "FILE")]
        feed: Option<String>,
        /// The old form `feed FILE` (warns).
        #[arg(hide = true)]
        file: Option<String>,
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
        #[command(flatten)]
        cluster: Cluster,
        #[command(flatten)]
        payer: Payer,
    },
    /// The keeper, a long-running service: follows the oracle's feed as it is
    /// written (FILE, surviving rotation, or - for stdin), applies its facts,
    /// opens and ranks every round in its cadence window, and serves
    /// Prometheus metrics, /healthz and /readyz. SIGTERM stops it cleanly.
    /// `keeper refused` lists the facts it will not send again; `keeper
    /// retry ROLE WALLET SEQ` sends one again at the next start.
    #[command(args_conflicts_with_subcommands = true)]
    Keeper(Box<KeeperCommand>),
    /// A co-signer (SPEC §6): an oracle key held apart (--keypair) that signs
    /// a report transaction only when every report is a fact of its own feed.
    /// Serves POST /v1/sign, GET /v1/key, /healthz, /readyz and /metrics;
    /// SIGTERM stops it.
    Cosigner {
        /// Its own feed of the facts (FILE, rotated predecessors read first; or - for stdin).
        #[arg(long, value_name = "FILE")]
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
        /// The cluster (optional: read once at start, to warn when its key is not an oracle key).
        #[command(flatten)]
        cluster: Cluster,
        #[command(flatten)]
        signer: Signer,
    },
    /// Run (or resume) a ranking round of ROLE as the crank (the keypair).
    Rank {
        /// Role.
        #[arg(value_enum)]
        role: RoleArg,
        /// With the round cadence on and no round window open: seconds to wait
        /// for the next one (0: fail at once, naming when it opens).
        #[arg(long, default_value_t = 600)]
        wait_secs: u64,
        #[command(flatten)]
        cluster: Cluster,
        #[command(flatten)]
        payer: Payer,
    },
    /// Record that WALLET burned its pass of ROLE (permissionless).
    Sync {
        /// Role.
        #[arg(value_enum)]
        role: RoleArg,
        /// Wallet.
        wallet: Pubkey,
        #[command(flatten)]
        send: Send,
    },
    /// Run a feed on an in-process runtime (no setup) and print the outcome (SPEC §8).
    Simulate {
        /// Feed file, or - for standard input.
        #[arg(long, value_name = "FILE")]
        feed: String,
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
    /// are read from the cluster when one is given (--url, --url-file or $PICTOR_VIP_URL).
    Dispatch {
        /// The request, or - for standard input.
        #[arg(long, value_name = "FILE")]
        input: String,
        #[command(flatten)]
        read: Read,
    },
    /// Serve the Profile and leaderboard pages with the wallet flow, Solana
    /// Actions for claims and withdrawals, the pass metadata, a JSON API and
    /// POST /api/dispatch, reading the cluster (see README, "The Profile
    /// server").
    Serve {
        /// Address to listen on (port 0: any free port; the address is printed).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// The URL people and wallets reach this server at (the metadata's
        /// image and external URLs, the Actions' icons, the blink links); default: http://LISTEN.
        #[arg(long)]
        public_url: Option<String>,
        /// Pay the fee and the rent of claims with this key (SPEC §11): a wallet with no SOL can claim.
        #[arg(long, value_name = "PATH")]
        sponsor_keypair: Option<PathBuf>,
        /// New claims the sponsor pays per UTC day.
        #[arg(long, default_value_t = pictor_vip_server::sponsor::DEFAULT_DAILY_LIMIT, requires = "sponsor_keypair")]
        sponsor_daily_limit: u32,
        /// Where the sponsor keeps what it paid for (each wallet and role once, across restarts).
        #[arg(long, requires = "sponsor_keypair")]
        state_dir: Option<PathBuf>,
        /// Where /metrics is served (Prometheus), apart from the public address.
        #[arg(long, default_value = "127.0.0.1:9465")]
        metrics_listen: std::net::SocketAddr,
        #[command(flatten)]
        read: Read,
    },
    /// Run a local cluster: agave's validator with the program loaded (native
    /// builtin, or --program), initialised and funded; serves until Ctrl-C.
    #[cfg(feature = "localnet")]
    Localnet(localnet_cmd::LocalnetArgs),
}

/// `keeper`: run it, or look at what it keeps.
#[derive(Args)]
struct KeeperCommand {
    #[command(subcommand)]
    action: Option<KeeperAction>,
    /// The feed file to follow (its rotated FILE.1, FILE.2… are read first), or - for standard input.
    #[arg(long, value_name = "FILE")]
    feed: Option<String>,
    /// An oracle keypair that signs every report; repeat it for an oracle
    /// quorum above 1 held in one process (tests; in production each key
    /// above the keeper's own is a co-signer's, --cosigner). Default: --keypair.
    #[arg(long = "oracle-keypair", value_name = "PATH")]
    oracle_keypairs: Vec<PathBuf>,
    /// Crank keypair (default: the first oracle keypair); repeat it while
    /// the crank key is rotated: the one the configuration names is used.
    #[arg(long = "crank-keypair", value_name = "PATH")]
    crank_keypairs: Vec<PathBuf>,
    /// Where /metrics, /healthz and /readyz are served.
    #[arg(long, default_value = pictor_vip_keeper::keeper::DEFAULT_METRICS_LISTEN)]
    metrics_listen: std::net::SocketAddr,
    /// Unhealthy when no call to the cluster has succeeded, or facts wait and
    /// none has landed, for this many seconds.
    #[arg(long, default_value_t = 300)]
    stale_after: u64,
    /// Each call to the cluster gives up after this many seconds (a hung node is an error, not a wait).
    #[arg(long, default_value_t = 10)]
    rpc_timeout_secs: u64,
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
    #[command(flatten)]
    state: StateDir,
    #[command(flatten)]
    cluster: Cluster,
    #[command(flatten)]
    payer: Payer,
}

/// Where the keeper keeps its state.
#[derive(Args, Clone, Default)]
struct StateDir {
    /// Where the keeper keeps what the chain does not (windows judged, facts
    /// refused for good, bad lines counted), one file per cluster; default:
    /// $STATE_DIRECTORY (systemd), else $XDG_STATE_HOME/pictor-vip, else
    /// ~/.local/state/pictor-vip.
    #[arg(long, value_name = "DIR")]
    state_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum KeeperAction {
    /// The facts the program refused for good, which the keeper does not send (nor pay for) again.
    Refused {
        #[command(flatten)]
        state: StateDir,
        #[command(flatten)]
        read: Read,
    },
    /// Send a refused fact again at the keeper's next start (stop the keeper first).
    Retry {
        /// Role (creator or worker).
        #[arg(value_name = "ROLE")]
        role: String,
        /// Wallet.
        #[arg(value_name = "WALLET")]
        wallet: String,
        /// The fact's sequence number.
        seq: u64,
        #[command(flatten)]
        state: StateDir,
        #[command(flatten)]
        read: Read,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the configuration (no keypair needed); `--json` or a deployment file's TOML.
    Show(Read),
    /// Replace the rules and the pass metadata from a deployment file without keys (signer: admin).
    Update {
        /// Deployment file, TOML or JSON.
        #[arg(long)]
        file: PathBuf,
        #[command(flatten)]
        send: Send,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Add an oracle key.
    Add {
        /// Oracle key.
        key: Pubkey,
        #[command(flatten)]
        send: Send,
    },
    /// Remove an oracle key.
    Remove {
        /// Oracle key.
        key: Pubkey,
        #[command(flatten)]
        send: Send,
    },
}

#[derive(Subcommand)]
enum CrankCommand {
    /// Set the crank key.
    Set {
        /// Crank key.
        key: Pubkey,
        #[command(flatten)]
        send: Send,
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
        #[command(flatten)]
        send: Send,
    },
    /// The pools of both roles, and WALLET's balances if given (no keypair needed).
    Status {
        /// Wallet.
        wallet: Option<Pubkey>,
        #[command(flatten)]
        read: Read,
    },
    /// Withdraw the keypair's whole reward balance of ROLE to its own token account.
    Withdraw {
        /// Role.
        #[arg(value_enum)]
        role: RoleArg,
        #[command(flatten)]
        send: Send,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Step 1: propose KEY as the next admin (signer: admin).
    Propose {
        /// The proposed admin.
        key: Pubkey,
        #[command(flatten)]
        send: Send,
    },
    /// Step 2: accept the proposal (signer: the proposed key).
    Accept(Send),
}

/// The flags a command takes, to hand it those given before the command.
struct Slots<'a> {
    name: &'static str,
    cluster: Option<&'a mut Cluster>,
    signer: Option<&'a mut Signer>,
    price: Option<&'a mut Option<u64>>,
    dry_run: Option<&'a mut bool>,
}

impl<'a> Slots<'a> {
    fn none(name: &'static str) -> Self {
        Slots { name, cluster: None, signer: None, price: None, dry_run: None }
    }
    fn read(name: &'static str, r: &'a mut Read) -> Self {
        Slots { cluster: Some(&mut r.cluster), ..Slots::none(name) }
    }
    fn pay(name: &'static str, cluster: &'a mut Cluster, p: &'a mut Payer) -> Self {
        Slots {
            name,
            cluster: Some(cluster),
            signer: Some(&mut p.signer),
            price: Some(&mut p.with_compute_unit_price),
            dry_run: None,
        }
    }
    fn send(name: &'static str, s: &'a mut Send) -> Self {
        Slots { dry_run: Some(&mut s.dry_run), ..Slots::pay(name, &mut s.cluster, &mut s.payer) }
    }
}

impl Command {
    /// This command's flags, by name.
    fn slots(&mut self) -> Slots<'_> {
        match self {
            Command::Init { send, .. } => Slots::send("init", send),
            Command::Config(ConfigCommand::Show(read)) => Slots::read("config show", read),
            Command::Config(ConfigCommand::Update { send, .. }) => Slots::send("config update", send),
            Command::Pause(send) => Slots::send("pause", send),
            Command::Unpause(send) => Slots::send("unpause", send),
            Command::Revoke { send, .. } => Slots::send("revoke", send),
            Command::Reinstate { send, .. } => Slots::send("reinstate", send),
            Command::Oracle(KeyCommand::Add { send, .. }) => Slots::send("oracle add", send),
            Command::Oracle(KeyCommand::Remove { send, .. }) => Slots::send("oracle remove", send),
            Command::Crank(CrankCommand::Set { send, .. }) => Slots::send("crank set", send),
            Command::Admin(AdminCommand::Propose { send, .. }) => Slots::send("admin propose", send),
            Command::Admin(AdminCommand::Accept(send)) => Slots::send("admin accept", send),
            Command::Rewards(RewardsCommand::Fund { send, .. }) => Slots::send("rewards fund", send),
            Command::Rewards(RewardsCommand::Status { read, .. }) => Slots::read("rewards status", read),
            Command::Rewards(RewardsCommand::Withdraw { send, .. }) => Slots::send("rewards withdraw", send),
            Command::Status { read, .. } => Slots::read("status", read),
            Command::Claim { send, .. } => Slots::send("claim", send),
            Command::Leaderboard { read, .. } => Slots::read("leaderboard", read),
            Command::Feed { cluster, payer, .. } => Slots::pay("feed", cluster, payer),
            Command::Keeper(k) => match &mut k.action {
                None => Slots::pay("keeper", &mut k.cluster, &mut k.payer),
                Some(KeeperAction::Refused { read, .. }) => Slots::read("keeper refused", read),
                Some(KeeperAction::Retry { read, .. }) => Slots::read("keeper retry", read),
            },
            Command::Cosigner { cluster, signer, .. } => {
                Slots { cluster: Some(cluster), signer: Some(signer), ..Slots::none("cosigner") }
            }
            Command::Rank { cluster, payer, .. } => Slots::pay("rank", cluster, payer),
            Command::Sync { send, .. } => Slots::send("sync", send),
            Command::Simulate { .. } => Slots::none("simulate"),
            Command::Demo { .. } => Slots::none("demo"),
            Command::Dispatch { read, .. } => Slots::read("dispatch", read),
            Command::Serve { read, .. } => Slots::read("serve", read),
            #[cfg(feature = "localnet")]
            Command::Localnet(_) => Slots::none("localnet"),
        }
    }
}

/// One flag given before the command: into the command's slot, or refused
/// if the command does not use it (or it is given twice).
fn hand<T>(name: &str, flag: &str, given: Option<T>, slot: Option<&mut Option<T>>) -> Result<()> {
    let Some(value) = given else { return Ok(()) };
    match slot {
        None => bail!("`{name}` does not use {flag}"),
        Some(s) if s.is_some() => bail!("{flag} is given twice"),
        Some(s) => {
            *s = Some(value);
            Ok(())
        }
    }
}

/// Hands the flags given before the command to it.
fn hand_over(cli: &mut Cli) -> Result<()> {
    let (url, url_file, keypair, dry_run, price) =
        (cli.url.take(), cli.url_file.take(), cli.keypair.take(), cli.dry_run, cli.with_compute_unit_price.take());
    let s = cli.command.slots();
    let name = s.name;
    let (mut cluster, mut signer) = (s.cluster, s.signer);
    hand(name, "--url", url, cluster.as_mut().map(|c| &mut c.url))?;
    hand(name, "--url-file", url_file, cluster.as_mut().map(|c| &mut c.url_file))?;
    if keypair.is_some() && signer.is_none() && cluster.is_some() {
        // A reader given the Solana CLI's global flag: said, not refused.
        eprintln!("warning: `{name}` signs nothing: --keypair is not used");
    } else {
        hand(name, "--keypair", keypair, signer.as_mut().map(|k| &mut k.keypair))?;
    }
    hand(name, "--with-compute-unit-price", price, s.price)?;
    if dry_run {
        match s.dry_run {
            Some(d) => *d = true,
            None => bail!("`{name}` does not use --dry-run"),
        }
    }
    Ok(())
}

fn main() {
    let mut cli = Cli::parse();
    if std::env::var_os("RUST_LOG").is_none() {
        // A service logs what it does; a command only its errors.
        let service = matches!(&cli.command, Command::Keeper(k) if k.action.is_none())
            || matches!(cli.command, Command::Cosigner { .. });
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
    if let Err(e) = hand_over(&mut cli).and_then(|()| run(cli)) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

impl Cluster {
    /// The URL given (flag, file or environment), if any.
    fn url(&self) -> Result<Option<String>> {
        cli_args::url(self.url.as_deref(), self.url_file.as_deref())
    }

    /// The URL to use: the one given, else the Solana CLI config's.
    fn resolved(&self) -> Result<String> {
        Ok(pictor_vip_cli::cluster::settings(self.url()?.as_deref(), None).url)
    }

    fn connect(&self, keypair: Option<&std::path::Path>, json: bool, dry_run: bool, price: u64) -> Result<Ctx> {
        Ctx::connect(self.url()?.as_deref(), keypair, json, dry_run, price)
    }

    fn read(&self, json: bool) -> Result<Ctx> {
        self.connect(None, json, false, 0)
    }
}

impl Send {
    fn connect(&self, json: bool) -> Result<Ctx> {
        let price = self.payer.with_compute_unit_price.unwrap_or(0);
        self.cluster.connect(self.payer.signer.keypair.as_deref(), json, self.dry_run, price)
    }
}

impl Payer {
    fn connect(&self, cluster: &Cluster, json: bool) -> Result<Ctx> {
        cluster.connect(self.signer.keypair.as_deref(), json, false, self.with_compute_unit_price.unwrap_or(0))
    }
}

/// The state directory given, or the default one.
fn state_dir(s: &StateDir) -> Result<PathBuf> {
    s.state_dir
        .clone()
        .or_else(pictor_vip_keeper::statedir::default_dir)
        .ok_or_else(|| anyhow::anyhow!("no state directory: give --state-dir DIR"))
}

/// Stops on SIGTERM, SIGINT or SIGHUP: the flag the services watch.
fn stop_on_signal() -> Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    let on_signal = stop.clone();
    ctrlc::set_handler(move || on_signal.store(true, Ordering::SeqCst))?;
    Ok(stop)
}

/// Each command to its library function.
fn run(cli: Cli) -> Result<()> {
    let json = cli.json;
    match cli.command {
        #[cfg(feature = "localnet")]
        Command::Localnet(args) => localnet_cmd::run(args, json),
        Command::Serve {
            listen,
            public_url,
            sponsor_keypair,
            sponsor_daily_limit,
            state_dir,
            metrics_listen,
            read,
        } => {
            let rpc_url = read.cluster.resolved()?;
            let sponsor = match sponsor_keypair {
                Some(path) => Some(pictor_vip_server::sponsor::SponsorOptions {
                    keypair: pictor_vip_cli::cluster::read_keypair(&path)?,
                    daily_limit: sponsor_daily_limit,
                    state_dir,
                }),
                None => None,
            };
            pictor_vip_server::run(pictor_vip_server::ServeOptions {
                rpc_url,
                listen,
                public_url,
                sponsor,
                metrics_listen: Some(metrics_listen),
            })
        }
        Command::Simulate { feed } => commands::local::simulate(&feed, json),
        Command::Demo { creators, workers, days, seed } => {
            commands::local::demo(&DemoOptions { creators, workers, days, seed, ..DemoOptions::default() })
        }
        Command::Dispatch { input, read } => {
            commands::dispatch::run(&DispatchArgs { input, url: read.cluster.url()?, json })
        }
        Command::Init { config, send } => commands::operator::init(&mut send.connect(json)?, &config),
        Command::Config(ConfigCommand::Show(read)) => commands::operator::config_show(&mut read.cluster.read(json)?),
        Command::Config(ConfigCommand::Update { file, send }) => {
            commands::operator::config_update(&mut send.connect(json)?, &file)
        }
        Command::Pause(send) => commands::operator::set_paused(&mut send.connect(json)?, true),
        Command::Unpause(send) => commands::operator::set_paused(&mut send.connect(json)?, false),
        Command::Revoke { role, wallet, reason, send } => {
            let (role, wallet) = cli_args::role_and_wallet("revoke", &role, &wallet)?;
            commands::operator::revoke(&mut send.connect(json)?, wallet, role, reason)
        }
        Command::Reinstate { role, wallet, send } => {
            let (role, wallet) = cli_args::role_and_wallet("reinstate", &role, &wallet)?;
            commands::operator::reinstate(&mut send.connect(json)?, wallet, role)
        }
        Command::Oracle(KeyCommand::Add { key, send }) => {
            commands::operator::oracle(&mut send.connect(json)?, key, true)
        }
        Command::Oracle(KeyCommand::Remove { key, send }) => {
            commands::operator::oracle(&mut send.connect(json)?, key, false)
        }
        Command::Crank(CrankCommand::Set { key, send }) => commands::operator::crank_set(&mut send.connect(json)?, key),
        Command::Admin(AdminCommand::Propose { key, send }) => {
            commands::operator::admin_propose(&mut send.connect(json)?, key)
        }
        Command::Admin(AdminCommand::Accept(send)) => commands::operator::admin_accept(&mut send.connect(json)?),
        Command::Rewards(RewardsCommand::Fund { role, mint, amount, top_k, send }) => {
            commands::rewards::fund(&mut send.connect(json)?, role.into(), mint, &amount, top_k)
        }
        Command::Rewards(RewardsCommand::Status { wallet, read }) => {
            commands::rewards::status(&mut read.cluster.read(json)?, wallet)
        }
        Command::Rewards(RewardsCommand::Withdraw { role, send }) => {
            commands::rewards::withdraw(&mut send.connect(json)?, role.into())
        }
        Command::Status { wallet, read } => commands::wallet::status(&mut read.cluster.read(json)?, wallet),
        Command::Claim { role, send } => commands::wallet::claim(&mut send.connect(json)?, role.into()),
        Command::Leaderboard { role, limit, read } => {
            commands::wallet::leaderboard_cmd(&mut read.cluster.read(json)?, role.into(), limit)
        }
        Command::Sync { role, wallet, send } => commands::wallet::sync(&mut send.connect(json)?, role.into(), wallet),
        Command::Feed {
            feed,
            file,
            oracle_keypairs,
            crank_keypair,
            rank_batch,
            drain_secs,
            in_flight,
            cluster,
            payer,
        } => {
            let file = cli_args::input("feed", "--feed", feed, file)?;
            let args = FeedArgs { file, oracle_keypairs, crank_keypair, rank_batch, drain_secs, in_flight };
            commands::bot::feed(&mut payer.connect(&cluster, json)?, &args)
        }
        Command::Keeper(k) => keeper(*k, json),
        Command::Cosigner { feed, listen, keepers, state_dir, poll_ms, cluster, signer } => {
            let url = cluster.url()?;
            let args = pictor_vip_keeper::cosigner::CosignerArgs {
                keypair: pictor_vip_cli::cluster::settings(url.as_deref(), signer.keypair.as_deref()).keypair_path,
                feed,
                listen,
                keepers,
                state_dir,
                url,
                poll: Duration::from_millis(poll_ms.max(10)),
            };
            pictor_vip_keeper::cosigner::run(&args, stop_on_signal()?)
        }
        Command::Rank { role, wait_secs, cluster, payer } => {
            commands::bot::rank(&mut payer.connect(&cluster, json)?, role.into(), wait_secs)
        }
    }
}

/// `keeper`, `keeper refused`, `keeper retry`.
fn keeper(k: KeeperCommand, json: bool) -> Result<()> {
    match k.action {
        Some(KeeperAction::Refused { state, read }) => {
            commands::keeper::refused(&mut read.cluster.read(json)?, &state_dir(&state)?)
        }
        Some(KeeperAction::Retry { role, wallet, seq, state, read }) => {
            let (role, wallet) = cli_args::role_and_wallet("keeper retry", &role, &wallet)?;
            commands::keeper::retry(&mut read.cluster.read(json)?, &state_dir(&state)?, role, &wallet.to_string(), seq)
        }
        None => {
            let feed = cli_args::input("keeper", "--feed", k.feed, None)?;
            let args = KeeperArgs {
                feed,
                oracle_keypairs: k.oracle_keypairs,
                crank_keypairs: k.crank_keypairs,
                metrics_listen: k.metrics_listen,
                stale_after: Duration::from_secs(k.stale_after),
                rank_batch: k.rank_batch,
                in_flight: k.in_flight,
                poll: Duration::from_millis(k.poll_ms.max(10)),
                tick: Duration::from_millis(k.tick_ms.max(100)),
                cosigners: k.cosigners,
                cosign_timeout: Duration::from_millis(k.cosign_timeout_ms.max(100)),
                state_dir: Some(state_dir(&k.state)?),
            };
            let stop = stop_on_signal()?;
            let ctx = k.payer.connect(&k.cluster, json)?;
            let rpc = ctx.rpc.with_request_timeout(Duration::from_secs(k.rpc_timeout_secs.max(1)));
            pictor_vip_keeper::keeper::run(rpc, ctx.signer.as_ref(), &args, stop)
        }
    }
}
