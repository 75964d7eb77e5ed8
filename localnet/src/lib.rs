//! A local Solana cluster for Pictor VIP Pass: agave's own validator
//! (`solana-test-validator` 3.1.12, in process) serving real JSON-RPC, with
//! the pictor-vip program loaded as a **native builtin** (no SBF toolchain
//! needed) or, given a path, as a real SBF build; the genesis carries SPL
//! Token, Token-2022 and the ATA program.
//!
//! What it is not: the program runs natively, so the SBF compute-unit and
//! heap limits are not enforced, and its `msg!` logs go to this process's
//! stdout rather than into transaction logs. The validator keeps about two
//! cores busy and uses about 1.7 GiB.
//!
//! The recipe (each step is a requirement found by the spike in
//! `../shared/reference/localnet-spike/`):
//! 1. solana-program-test's syscall stubs are installed (process-global) by
//!    starting one throw-away `ProgramTest`: they carry a native program's
//!    CPIs, logs, sysvars and return data;
//! 2. genesis holds a native-loader-owned executable account at the program
//!    id (so `Bank::add_builtin` finds a genuine program account and never
//!    stores one into a bank that may be freezing) and the ProgramData
//!    account naming the upgrade authority, which `initialize` checks;
//! 3. after start, the builtin is added to every live bank (each bank copies
//!    its parent's builtin ids, the program cache is shared), repeatedly
//!    until a simulation at `finalized` reaches the program, then 2 s more;
//! 4. the ledger is always fresh, at an explicit path: a restart on an old
//!    ledger replays its last slots before the builtin can be registered and
//!    loses every program transaction in them; and without a path the
//!    validator's temporary ledger lands inside the cargo registry.
#![deny(missing_docs)]

use anchor_lang::solana_program::bpf_loader_upgradeable;
use pictor_vip_sdk::transport::{native_entry, program_data_bytes};
use solana_account::{Account, AccountSharedData};
use solana_commitment_config::CommitmentConfig;
use solana_instruction::{error::InstructionError, Instruction};
use solana_keypair::Keypair;
use solana_program_runtime::invoke_context::BuiltinFunctionWithContext;
use solana_program_runtime::loaded_programs::ProgramCacheEntry;
use solana_program_test::processor;
use solana_pubkey::Pubkey;
use solana_rpc_client::rpc_client::RpcClient;
use solana_rpc_client_api::config::RpcSimulateTransactionConfig;
use solana_signer::Signer;
use solana_streamer::socket::SocketAddrSpace;
use solana_test_validator::{TestValidator, TestValidatorGenesis, UpgradeableProgramInfo};
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;
use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Name the builtin is registered under (also its program account's data).
pub const PROGRAM_NAME: &str = "pictor_vip";
/// Ports the validator binds from its dynamic range (gossip is the first).
pub const DYNAMIC_PORTS: u16 = 40;
/// Lamports of the genesis mint (the upgrade authority): 500,000,000 SOL.
pub const MINT_LAMPORTS: u64 = 500_000_000 * LAMPORTS_PER_SOL;
/// Lamports per SOL.
pub const LAMPORTS_PER_SOL: u64 = 1_000_000_000;

/// Why the local cluster could not start or act.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another local cluster runs from the same directory.
    #[error("another localnet (pid {pid}) runs from {dir}: stop it, or give this one another --dir")]
    InUse {
        /// Its process id.
        pid: u32,
        /// The directory.
        dir: PathBuf,
    },
    /// A port is taken.
    #[error("port {port} is in use: choose others with --rpc-port / --ports (so two localnets can run)")]
    PortInUse {
        /// The port.
        port: u16,
    },
    /// The validator did not start.
    #[error("the validator did not start: {0}")]
    Validator(String),
    /// The program never answered a finalized simulation.
    #[error("the program did not answer within {0:?} of the validator starting")]
    ProgramNotLoaded(Duration),
    /// A file system operation failed.
    #[error("{what} {path}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// An RPC call failed.
    #[error("rpc: {0}")]
    Rpc(#[from] Box<solana_rpc_client_api::client_error::Error>),
}

/// A result of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// The ports of one local cluster. Two clusters need disjoint sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    /// JSON-RPC (the pubsub websocket is the next port).
    pub rpc: u16,
    /// First of [`DYNAMIC_PORTS`] ports the validator binds (gossip, TPU, TVU, repair, ...).
    pub dynamic_start: u16,
}

impl Default for Ports {
    /// The Solana CLI's defaults: RPC 8899 (`--url localhost`), gossip 8000.
    fn default() -> Self {
        Ports { rpc: 8899, dynamic_start: 8000 }
    }
}

impl Ports {
    /// A set of ports free right now, for tests that run several clusters.
    pub fn free() -> Ports {
        // Different processes, and calls in one process, start elsewhere.
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let mut seed = u64::from(std::process::id()) ^ nanos as u64;
        loop {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let base = 20_000 + (seed >> 33) as u16 % 30_000;
            let ports = Ports { rpc: base, dynamic_start: base + 2 };
            if ports.check().is_ok() {
                return ports;
            }
        }
    }

    /// Every port of the set is free (TCP and UDP).
    pub fn check(&self) -> Result<()> {
        let all = [self.rpc, self.rpc + 1].into_iter().chain(self.dynamic_start..self.dynamic_start + DYNAMIC_PORTS);
        for port in all {
            let free = TcpListener::bind(("127.0.0.1", port)).is_ok() && UdpSocket::bind(("127.0.0.1", port)).is_ok();
            if !free {
                return Err(Error::PortInUse { port });
            }
        }
        Ok(())
    }
}

/// How to start a local cluster.
#[derive(Debug, Clone)]
pub struct Options {
    /// Its directory: the ledger (`DIR/ledger`, wiped at start and removed at
    /// shutdown) and the lock file. Keypairs the caller keeps there survive.
    pub dir: PathBuf,
    /// Its ports.
    pub ports: Ports,
    /// A real SBF build of the program (`target/deploy/pictor_vip.so`) to
    /// deploy through the upgradeable loader instead of the native builtin.
    pub program: Option<PathBuf>,
}

/// How long start-up took, by phase.
#[derive(Debug, Clone, Copy)]
pub struct StartupTimes {
    /// Installing the syscall stubs.
    pub stubs: Duration,
    /// From `start` to the validator answering.
    pub validator: Duration,
    /// Registering the builtin until a finalized simulation reaches the program.
    pub program: Duration,
}

/// A running local cluster. Dropping it stops the validator and removes the ledger.
pub struct Localnet {
    validator: Option<TestValidator>,
    ledger: PathBuf,
    lock: PathBuf,
    authority: Keypair,
    /// Start-up times.
    pub times: StartupTimes,
}

impl Localnet {
    /// Starts a validator on a fresh ledger in `options.dir`. `authority` is
    /// the program's upgrade authority and the genesis mint (funded with
    /// [`MINT_LAMPORTS`]); it funds other keys ([`Localnet::fund`]).
    pub fn start(authority: Keypair, options: &Options) -> Result<Localnet> {
        let dir = &options.dir;
        std::fs::create_dir_all(dir).map_err(|source| Error::Io { what: "creating", path: dir.clone(), source })?;
        let lock = take_lock(dir)?;
        let ledger = dir.join("ledger");
        let started = (|| {
            if ledger.exists() {
                std::fs::remove_dir_all(&ledger).map_err(|source| Error::Io {
                    what: "removing the old ledger",
                    path: ledger.clone(),
                    source,
                })?;
            }
            options.ports.check()?;
            start_validator(&authority, options, &ledger)
        })();
        match started {
            Ok((validator, times)) => Ok(Localnet { validator: Some(validator), ledger, lock, authority, times }),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&ledger);
                let _ = std::fs::remove_file(&lock);
                Err(e)
            }
        }
    }

    /// The JSON-RPC URL.
    pub fn rpc_url(&self) -> String {
        self.validator().rpc_url()
    }

    /// The websocket (pubsub) URL.
    pub fn websocket_url(&self) -> String {
        self.validator().rpc_pubsub_url()
    }

    /// The upgrade authority and genesis mint.
    pub fn authority(&self) -> &Keypair {
        &self.authority
    }

    /// An RPC client at `confirmed`.
    pub fn rpc(&self) -> RpcClient {
        RpcClient::new_with_commitment(self.rpc_url(), CommitmentConfig::confirmed())
    }

    /// Sends `lamports` to each key from the genesis mint (there is no
    /// faucet), several transfers per transaction, and waits for them.
    pub fn fund(&self, to: &[(Pubkey, u64)]) -> Result<()> {
        fund(&self.rpc_url(), &self.authority, to)
    }

    /// The ledger directory (fresh at start, removed at drop).
    pub fn ledger(&self) -> &Path {
        &self.ledger
    }

    /// Resident memory of this process, in KiB (Linux).
    pub fn rss_kib() -> Option<u64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()
    }

    fn validator(&self) -> &TestValidator {
        self.validator.as_ref().expect("the validator runs until drop")
    }
}

impl Drop for Localnet {
    fn drop(&mut self) {
        // Stops every validator thread, then the ledger can go.
        drop(self.validator.take());
        let _ = std::fs::remove_dir_all(&self.ledger);
        let _ = std::fs::remove_file(&self.lock);
    }
}

/// Sends `lamports` to each key from `from` over the cluster at `rpc_url`,
/// 20 transfers a transaction, each confirmed: how a local cluster, which has
/// no faucet, funds keys from its genesis mint (also from another process).
pub fn fund(rpc_url: &str, from: &Keypair, to: &[(Pubkey, u64)]) -> Result<()> {
    let rpc = RpcClient::new_with_commitment(rpc_url.to_string(), CommitmentConfig::confirmed());
    for chunk in to.chunks(20) {
        let ixs: Vec<Instruction> = chunk
            .iter()
            .map(|(key, lamports)| solana_system_interface::instruction::transfer(&from.pubkey(), key, *lamports))
            .collect();
        let blockhash = rpc.get_latest_blockhash().map_err(Box::new)?;
        let tx = Transaction::new_signed_with_payer(&ixs, Some(&from.pubkey()), &[from], blockhash);
        rpc.send_and_confirm_transaction(&tx).map_err(Box::new)?;
    }
    Ok(())
}

/// Takes `DIR/localnet.pid`: refused while the process it names lives.
fn take_lock(dir: &Path) -> Result<PathBuf> {
    let lock = dir.join("localnet.pid");
    if let Ok(text) = std::fs::read_to_string(&lock) {
        if let Ok(pid) = text.trim().parse::<u32>() {
            if pid != std::process::id() && Path::new(&format!("/proc/{pid}")).exists() {
                return Err(Error::InUse { pid, dir: dir.to_path_buf() });
            }
        }
    }
    std::fs::write(&lock, std::process::id().to_string()).map_err(|source| Error::Io {
        what: "writing",
        path: lock.clone(),
        source,
    })?;
    Ok(lock)
}

fn builtin_function() -> BuiltinFunctionWithContext {
    let f: Option<BuiltinFunctionWithContext> = processor!(native_entry);
    f.expect("processor! of a function is Some")
}

/// Installs solana-program-test's syscall stubs (process-global, once) by
/// starting and dropping a throw-away in-process bank: its `setup_bank` is the
/// only public way to reach them.
fn install_syscall_stubs() -> Result<Duration> {
    let t = Instant::now();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Validator(format!("a runtime for the stubs: {e}")))?;
    rt.block_on(async {
        let _ = solana_program_test::ProgramTest::default().start().await;
    });
    Ok(t.elapsed())
}

fn account(lamports: u64, data: Vec<u8>, owner: Pubkey, executable: bool) -> AccountSharedData {
    AccountSharedData::from(Account { lamports, data, owner, executable, rent_epoch: 0 })
}

fn start_validator(authority: &Keypair, options: &Options, ledger: &Path) -> Result<(TestValidator, StartupTimes)> {
    let mut genesis = TestValidatorGenesis::default();
    genesis
        .ledger_path(ledger)
        .rpc_port(options.ports.rpc)
        .gossip_port(options.ports.dynamic_start)
        .port_range((options.ports.dynamic_start, options.ports.dynamic_start + DYNAMIC_PORTS))
        .rpc_config(solana_rpc::rpc::JsonRpcConfig {
            // getTransaction with logs and inner instructions: events travel as
            // inner instructions (emit_cpi!), and an indexer reads them there.
            enable_rpc_transaction_history: true,
            enable_extended_tx_metadata_storage: true,
            ..solana_rpc::rpc::JsonRpcConfig::default_for_test()
        });
    let rent = solana_rent::Rent::default();
    let native = options.program.is_none();
    let stubs = if native { install_syscall_stubs()? } else { Duration::ZERO };
    match &options.program {
        Some(path) => {
            genesis.add_upgradeable_programs_with_path(&[UpgradeableProgramInfo {
                program_id: pictor_vip::ID,
                loader: bpf_loader_upgradeable::ID,
                upgrade_authority: authority.pubkey(),
                program_path: path.clone(),
            }]);
        }
        None => {
            genesis.add_account(
                pictor_vip::ID,
                account(
                    rent.minimum_balance(PROGRAM_NAME.len()),
                    PROGRAM_NAME.as_bytes().to_vec(),
                    solana_sdk_ids::native_loader::ID,
                    true,
                ),
            );
            let data = program_data_bytes(&authority.pubkey());
            let address = Pubkey::find_program_address(&[pictor_vip::ID.as_ref()], &bpf_loader_upgradeable::ID).0;
            genesis.add_account(
                address,
                account(rent.minimum_balance(data.len()), data, bpf_loader_upgradeable::ID, false),
            );
        }
    }
    let t = Instant::now();
    let validator = genesis
        .start_with_mint_address(authority.pubkey(), SocketAddrSpace::Unspecified)
        .map_err(|e| Error::Validator(e.to_string()))?;
    let validator_time = t.elapsed();
    let t = Instant::now();
    if native {
        register_builtin(&validator, &authority.pubkey())?;
    } else {
        let rpc = RpcClient::new_with_commitment(validator.rpc_url(), CommitmentConfig::finalized());
        wait_until(Duration::from_secs(120), || probe(&rpc, &authority.pubkey()))?;
    }
    Ok((validator, StartupTimes { stubs, validator: validator_time, program: t.elapsed() }))
}

/// Adds the builtin to every live bank until the program answers a
/// simulation at `finalized`, then keeps adding for 2 s, in case a bank was
/// being created from a parent that lacked it.
fn register_builtin(validator: &TestValidator, payer: &Pubkey) -> Result<()> {
    let bank_forks = validator.bank_forks();
    let rpc = RpcClient::new_with_commitment(validator.rpc_url(), CommitmentConfig::finalized());
    let limit = Duration::from_secs(60);
    let deadline = Instant::now() + limit;
    let mut answered: Option<Instant> = None;
    loop {
        let banks: Vec<_> =
            bank_forks.read().expect("bank forks lock").banks().values().map(|b| b.clone_without_scheduler()).collect();
        for bank in banks {
            bank.add_builtin(
                pictor_vip::ID,
                PROGRAM_NAME,
                ProgramCacheEntry::new_builtin(0, PROGRAM_NAME.len(), builtin_function()),
            );
        }
        if answered.is_none() && probe(&rpc, payer) {
            answered = Some(Instant::now());
        }
        if answered.is_some_and(|a| a.elapsed() > Duration::from_secs(2)) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(Error::ProgramNotLoaded(limit));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn wait_until(limit: Duration, mut ready: impl FnMut() -> bool) -> Result<()> {
    let deadline = Instant::now() + limit;
    while !ready() {
        if Instant::now() > deadline {
            return Err(Error::ProgramNotLoaded(limit));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// Whether the program runs at the client's commitment: an instruction with
/// no data must come back as the program's own (custom) error, not as an
/// unsupported or missing program.
pub fn probe(rpc: &RpcClient, payer: &Pubkey) -> bool {
    let ix = Instruction { program_id: pictor_vip::ID, accounts: vec![], data: vec![] };
    let tx = Transaction::new_with_payer(&[ix], Some(payer));
    let config = RpcSimulateTransactionConfig {
        sig_verify: false,
        replace_recent_blockhash: true,
        commitment: Some(rpc.commitment()),
        ..Default::default()
    };
    match rpc.simulate_transaction_with_config(&tx, config) {
        Ok(r) => matches!(
            r.value.err.map(TransactionError::from),
            Some(TransactionError::InstructionError(0, InstructionError::Custom(_)))
        ),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_in_use_is_refused_and_a_stale_lock_is_taken() {
        let dir = std::env::temp_dir().join(format!("pictor-localnet-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // pid 1 always lives: the directory is in use.
        std::fs::write(dir.join("localnet.pid"), "1").unwrap();
        assert!(matches!(take_lock(&dir), Err(Error::InUse { pid: 1, .. })));
        // A pid that no longer runs (above the kernel's maximum): stale, taken.
        std::fs::write(dir.join("localnet.pid"), "4194305").unwrap();
        let lock = take_lock(&dir).unwrap();
        assert_eq!(std::fs::read_to_string(&lock).unwrap(), std::process::id().to_string());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn free_ports_are_free_and_a_taken_one_is_named() {
        let ports = Ports::free();
        ports.check().unwrap();
        let _held = TcpListener::bind(("127.0.0.1", ports.dynamic_start + 3)).unwrap();
        match ports.check() {
            Err(Error::PortInUse { port }) => assert_eq!(port, ports.dynamic_start + 3),
            other => panic!("{other:?}"),
        }
    }
}
