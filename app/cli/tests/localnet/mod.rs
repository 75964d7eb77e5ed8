//! A `pictor-vip localnet` child process for the tests that run on a real
//! local cluster (`cluster.rs`, `keeper.rs`, `cosign.rs`, `actions.rs`, `web.rs`), and what they share.
#![allow(dead_code)] // each test binary uses part of it

use pictor_vip_cli::operator::DeploymentFile;
use pictor_vip_localnet::Ports;
use pictor_vip_sdk::pda;
use pictor_vip_sdk::transport::{Rpc, Transport};
use pictor_vip_sdk::{Keypair, Pubkey, Signer};
use serde_json::Value;
use solana_commitment_config::CommitmentConfig;
use solana_rpc_client::rpc_client::RpcClient;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// A child process killed when dropped.
pub struct Guard(pub Child);

impl Guard {
    /// Stops the process with SIGTERM, as systemd does: its exit status.
    pub fn terminate(mut self) -> ExitStatus {
        sigterm(&self.0);
        self.0.wait().unwrap()
    }
}

/// Sends SIGTERM to `child`, as systemd does to stop a service.
pub fn sigterm(child: &Child) {
    // SAFETY: a signal to a child process this test started and has not reaped.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `pictor-vip serve` on free ports over `rpc_url`, with `extra` flags, its
/// log in `log`: the process, its base URL and its metrics URL.
pub fn serve(rpc_url: &str, log: &Path, extra: &[&str]) -> (Guard, String, String) {
    use std::io::BufRead;
    let mut child = Guard(
        Command::new(bin())
            .args(["--url", rpc_url, "serve", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(fs::File::create(log).unwrap())
            .spawn()
            .unwrap(),
    );
    let mut out = std::io::BufReader::new(child.0.stdout.take().unwrap());
    let (mut site, mut metrics) = (None, None);
    while site.is_none() || metrics.is_none() {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "serve stopped: {}", fs::read_to_string(log).unwrap());
        // "serving http://127.0.0.1:PORT (listening on …), reading URL"; "metrics on http://…/metrics"
        if let Some(rest) = line.strip_prefix("serving ") {
            site = rest.split_whitespace().next().map(str::to_string);
        } else if let Some(rest) = line.strip_prefix("metrics on ") {
            metrics = Some(rest.trim().to_string());
        }
    }
    // What it prints later is not read: keep the pipe drained.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    (child, site.unwrap(), metrics.unwrap())
}
pub const LAMPORTS_PER_SOL: u64 = 1_000_000_000;

pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// A `pictor-vip localnet` child process and its keys.
pub struct Cluster {
    pub child: Option<Child>,
    pub root: PathBuf,
    pub url: String,
    pub authority: PathBuf,
    pub oracle: PathBuf,
    pub crank: PathBuf,
    pub info: Value,
}

/// What a CLI run printed.
pub struct Out {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn json(&self) -> Value {
        assert!(self.ok, "the command failed: {}", self.stderr);
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }

    /// The command failed, saying `what`.
    pub fn refused(&self, what: &str) {
        assert!(!self.ok, "the command succeeded: {}", self.stdout);
        assert!(self.stderr.contains(what), "expected {what:?} in: {}", self.stderr);
    }
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_pictor-vip")
}

impl Cluster {
    /// Starts `pictor-vip localnet` in a fresh directory and waits until it is ready.
    pub fn start(name: &str, extra: &[&str]) -> Cluster {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cluster-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        let ports = Ports::free();
        let ready = root.join("ready.json");
        let child = Command::new(bin())
            .args(["--json", "localnet", "--dir"])
            .arg(root.join("net"))
            .args(["--rpc-port", &ports.rpc.to_string(), "--ports", &ports.dynamic_start.to_string(), "--ready-file"])
            .arg(&ready)
            .args(extra)
            .stdout(fs::File::create(root.join("stdout.txt")).unwrap())
            .stderr(fs::File::create(root.join("stderr.txt")).unwrap())
            .spawn()
            .unwrap();
        let mut cluster = Cluster {
            child: Some(child),
            root: root.clone(),
            url: String::new(),
            authority: PathBuf::new(),
            oracle: PathBuf::new(),
            crank: PathBuf::new(),
            info: Value::Null,
        };
        let deadline = Instant::now() + Duration::from_secs(600);
        while !ready.exists() {
            if let Some(status) = cluster.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("localnet exited ({status}): {}", fs::read_to_string(root.join("stderr.txt")).unwrap());
            }
            assert!(Instant::now() < deadline, "localnet not ready after 10 minutes");
            std::thread::sleep(Duration::from_millis(200));
        }
        let info: Value = serde_json::from_str(&fs::read_to_string(&ready).unwrap()).unwrap();
        let path = |k: &str| PathBuf::from(info[k]["keypair"].as_str().unwrap());
        cluster.url = info["rpc_url"].as_str().unwrap().to_string();
        (cluster.authority, cluster.oracle, cluster.crank) = (path("authority"), path("oracle"), path("crank"));
        cluster.info = info;
        cluster
    }

    pub fn ledger(&self) -> PathBuf {
        PathBuf::from(self.info["ledger"].as_str().unwrap())
    }

    /// Runs `pictor-vip --url URL --keypair KEY --json ARGS`.
    pub fn cli(&self, keypair: &Path, args: &[&str]) -> Out {
        let out = Command::new(bin())
            .args(["--url", &self.url, "--keypair"])
            .arg(keypair)
            .arg("--json")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        Out {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into(),
            stderr: String::from_utf8_lossy(&out.stderr).into(),
        }
    }

    /// Spawns `pictor-vip feed FILE` as the oracle (the crank runs the rounds).
    pub fn spawn_feed(&self, feed: &Path, extra: &[&str]) -> Child {
        Command::new(bin())
            .args(["--url", &self.url, "--keypair"])
            .arg(&self.oracle)
            .args(["--json", "feed", "--feed"])
            .arg(feed)
            .arg("--crank-keypair")
            .arg(&self.crank)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    /// Runs the bot to its end and returns its summary.
    pub fn feed(&self, feed: &Path, extra: &[&str]) -> Value {
        let out = self.spawn_feed(feed, extra).wait_with_output().unwrap();
        assert!(out.status.success(), "feed failed");
        serde_json::from_slice(&out.stdout).unwrap()
    }

    pub fn rpc(&self, payer: &Keypair) -> Rpc {
        Rpc::new(&self.url, payer.insecure_clone())
    }

    pub fn key(&self, path: &Path) -> Keypair {
        solana_keypair::read_keypair_file(path).unwrap()
    }

    /// A funded wallet, saved as a keypair file.
    pub fn wallets(&self, name: &str, n: usize, sol: u64) -> Vec<(Keypair, PathBuf)> {
        let dir = self.root.join("wallets");
        fs::create_dir_all(&dir).unwrap();
        let wallets: Vec<_> = (0..n)
            .map(|i| {
                let kp = Keypair::new();
                let path = dir.join(format!("{name}-{i}.json"));
                solana_keypair::write_keypair_file(&kp, &path).unwrap();
                (kp, path)
            })
            .collect();
        let to: Vec<(Pubkey, u64)> = wallets.iter().map(|(k, _)| (k.pubkey(), sol * LAMPORTS_PER_SOL)).collect();
        pictor_vip_localnet::fund(&self.url, &self.key(&self.authority), &to).unwrap();
        wallets
    }

    /// Ctrl-C: the command stops the validator and removes the ledger.
    pub fn stop(mut self) -> ExitStatus {
        let mut child = self.child.take().unwrap();
        interrupt(&child);
        let status = wait_for(&mut child, Duration::from_secs(60));
        assert!(!self.ledger().exists(), "the ledger {} was left behind", self.ledger().display());
        status
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            interrupt(&child);
            if wait_until_exit(&mut child, Duration::from_secs(30)).is_none() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

pub fn interrupt(child: &Child) {
    let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
}

pub fn wait_until_exit(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn wait_for(child: &mut Child, limit: Duration) -> ExitStatus {
    wait_until_exit(child, limit).expect("the process did not exit in time")
}

/// A deployment file with the cluster's own keys and `max_fact_skew_secs`.
pub fn deployment(cluster: &Cluster, skew_secs: u32) -> PathBuf {
    deployment_with(cluster, skew_secs, |_| ())
}

/// [`deployment`], then `edit`.
pub fn deployment_with(cluster: &Cluster, skew_secs: u32, edit: impl FnOnce(&mut DeploymentFile)) -> PathBuf {
    let mut d = DeploymentFile::parse(pictor_vip_cli::localnet::DEFAULT_DEPLOYMENT, false).unwrap();
    d.crank = Some(cluster.info["crank"]["pubkey"].as_str().unwrap().to_string());
    d.oracles =
        cluster.info["oracle"]["pubkey"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().into()).collect();
    d.rules.max_fact_skew_secs = skew_secs;
    edit(&mut d);
    let path = cluster.root.join(format!("deploy-{skew_secs}.toml"));
    fs::write(&path, toml::to_string(&d).unwrap()).unwrap();
    path
}

/// Writes a feed, its lines in time order (a feed is; the order of lines
/// with the same time, and so each member's order, is kept).
pub fn write_feed(cluster: &Cluster, name: &str, lines: &[String]) -> PathBuf {
    let mut lines: Vec<(i64, &String)> =
        lines.iter().map(|l| (pictor_vip_keeper::feed::parse_line(0, l).expect("a well-formed line").at, l)).collect();
    lines.sort_by_key(|(at, _)| *at);
    let path = cluster.root.join(name);
    fs::write(&path, lines.iter().map(|(_, l)| format!("{l}\n")).collect::<String>()).unwrap();
    path
}

/// A new 6-decimal classic SPL Token mint whose `amount` base units sit in
/// the authority's (the admin's) associated token account.
pub fn reward_token(net: &Cluster, amount: u64) -> Pubkey {
    use anchor_lang::solana_program::program_pack::Pack;
    use anchor_spl::token::spl_token;
    let admin = net.key(&net.authority);
    let mint = Keypair::new();
    let client = RpcClient::new_with_commitment(net.url.clone(), CommitmentConfig::confirmed());
    let rent = client.get_minimum_balance_for_rent_exemption(spl_token::state::Mint::LEN).unwrap();
    let ata = pda::reward_destination(&admin.pubkey(), &mint.pubkey(), &spl_token::ID);
    let ixs = [
        solana_system_interface::instruction::create_account(
            &admin.pubkey(),
            &mint.pubkey(),
            rent,
            spl_token::state::Mint::LEN as u64,
            &spl_token::ID,
        ),
        spl_token::instruction::initialize_mint2(&spl_token::ID, &mint.pubkey(), &admin.pubkey(), None, 6).unwrap(),
        anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent(
            &admin.pubkey(),
            &admin.pubkey(),
            &mint.pubkey(),
            &spl_token::ID,
        ),
        spl_token::instruction::mint_to(&spl_token::ID, &mint.pubkey(), &ata, &admin.pubkey(), &[], amount).unwrap(),
    ];
    net.rpc(&admin).send(&ixs, &[&mint]).unwrap();
    mint.pubkey()
}

/// Waits until a round window of the cluster's cadence is open whose
/// snapshot time is after `after` (unix seconds, the cluster's clock): a
/// pass claimed at `after` counts in that window's round, not in one whose
/// snapshot was taken before it.
pub fn wait_for_window_after(rpc: &mut Rpc, after: i64) {
    let config = pictor_vip_sdk::read::config(rpc).unwrap().expect("initialised");
    let deadline = Instant::now() + Duration::from_secs(3 * u64::from(config.rules.cadence.period_secs) + 60);
    loop {
        let now = rpc.now().unwrap();
        let open = pictor_vip_sdk::cadence::open_at(&config.rules.cadence, &config.round_anchor, now);
        if open.is_some_and(|s| s.snapshot_ts > after) {
            return;
        }
        assert!(Instant::now() < deadline, "no round window opened after unix time {after}");
        std::thread::sleep(Duration::from_millis(250));
    }
}
