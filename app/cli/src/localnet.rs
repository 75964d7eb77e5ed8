//! `pictor-vip localnet` (cargo feature `localnet`): a local cluster with
//! the program loaded and initialised, its keys funded, optionally seeded
//! with a demo network through the real bot and real wallet claims, all over
//! JSON-RPC. The validator itself is the `pictor-vip-localnet` crate.
use crate::demo::{generate, DemoOptions};
use crate::operator::DeploymentFile;
use anyhow::{anyhow, bail, Context, Result};
use pictor_vip_keeper::bot::{Bot, BotOptions, Summary};
use pictor_vip_keeper::feed::{parse_feed, Event, Line};
use pictor_vip_keeper::wallets::label_keypair;
use pictor_vip_localnet::{Localnet, Options, Ports};
use pictor_vip_sdk::profile;
use pictor_vip_sdk::read;
use pictor_vip_sdk::state::Role;
use pictor_vip_sdk::transport::retry::{send_retrying, Jitter, RetryPolicy, RetryStats};
use pictor_vip_sdk::transport::{outcomes, Rpc, SendError, Submitted, Transport};
use pictor_vip_sdk::{ix, Keypair, Pubkey, Signer};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The deployment file a local cluster is initialised from unless told
/// otherwise: the program's defaults, no keys (the localnet's own are used).
pub const DEFAULT_DEPLOYMENT: &str = include_str!("../../../deploy/localnet.toml");
/// SOL each of the localnet's own keys (oracle, crank) is funded with.
pub const KEY_FUNDING_LAMPORTS: u64 = 1_000 * pictor_vip_localnet::LAMPORTS_PER_SOL;
/// SOL each seeded wallet is funded with (its claim's fee and rent).
pub const WALLET_FUNDING_LAMPORTS: u64 = pictor_vip_localnet::LAMPORTS_PER_SOL / 10;
/// Times `--seed-demo` sends the claims a transport fault stopped.
const CLAIM_ATTEMPTS: usize = 10;
/// Domain of the seeded wallets' derived keypairs.
pub const SEED_WALLET_DOMAIN: &str = "localnet";

/// How to run a local cluster.
#[derive(Debug, Clone)]
pub struct LocalnetOptions {
    /// Directory of the keypairs, the ledger and the lock file.
    pub dir: PathBuf,
    /// Ports.
    pub ports: Ports,
    /// Deployment file (the operator CLI's format); `None`: [`DEFAULT_DEPLOYMENT`].
    pub deployment: Option<PathBuf>,
    /// More keys to fund, in lamports.
    pub fund: Vec<(Pubkey, u64)>,
    /// A real SBF build to deploy instead of the native builtin.
    pub program: Option<PathBuf>,
    /// Initialise the program (false: leave `init` to the caller).
    pub init: bool,
}

/// The keys of a local cluster, kept in its directory across runs.
pub struct Keys {
    /// Upgrade authority, first admin and genesis mint.
    pub authority: Keypair,
    /// The oracle key (unless the deployment file names others).
    pub oracle: Keypair,
    /// The crank key (unless the deployment file names another).
    pub crank: Keypair,
    /// Their files: authority, oracle, crank.
    pub paths: [PathBuf; 3],
}

impl Keys {
    /// Reads the keys in `dir`, creating the missing ones.
    pub fn in_dir(dir: &Path) -> Result<Keys> {
        let paths = ["authority.json", "oracle.json", "crank.json"].map(|f| dir.join(f));
        let [authority, oracle, crank] = [0, 1, 2].map(|i| keypair_at(&paths[i]));
        Ok(Keys { authority: authority?, oracle: oracle?, crank: crank?, paths })
    }
}

/// Reads a keypair file, or writes a new one there (as `solana-keygen new` would).
pub fn keypair_at(path: &Path) -> Result<Keypair> {
    if path.exists() {
        return pictor_vip_keeper::keys::read_keypair(path);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let kp = Keypair::new();
    solana_keypair::write_keypair_file(&kp, path).map_err(|e| anyhow!("writing {}: {e}", path.display()))?;
    Ok(kp)
}

/// A local cluster, initialised and funded.
pub struct Running {
    /// The validator (dropping it stops it and removes the ledger).
    pub net: Localnet,
    /// Its keys.
    pub keys: Keys,
    /// The deployment it was initialised with (keys filled in).
    pub deployment: DeploymentFile,
    /// From the call to the program initialised.
    pub startup: Duration,
}

impl Running {
    /// A transport paying with `payer`.
    pub fn rpc(&self, payer: &Keypair) -> Rpc {
        Rpc::new(&self.net.rpc_url(), payer.insecure_clone())
    }
}

/// Starts the cluster, funds the keys and initialises the program.
pub fn start(o: &LocalnetOptions) -> Result<Running> {
    let started = Instant::now();
    let keys = Keys::in_dir(&o.dir)?;
    let mut deployment = match &o.deployment {
        Some(path) => DeploymentFile::read(path)?,
        None => DeploymentFile::parse(DEFAULT_DEPLOYMENT, false).context("the built-in deploy/localnet.toml")?,
    };
    if deployment.crank.is_none() {
        deployment.crank = Some(keys.crank.pubkey().to_string());
    }
    if deployment.oracles.is_empty() {
        deployment.oracles = vec![keys.oracle.pubkey().to_string()];
    }
    let args = deployment.initialize_args()?;
    let options = Options { dir: o.dir.clone(), ports: o.ports, program: o.program.clone() };
    let net = Localnet::start(keys.authority.insecure_clone(), &options)?;
    let mut funding = vec![(keys.oracle.pubkey(), KEY_FUNDING_LAMPORTS), (keys.crank.pubkey(), KEY_FUNDING_LAMPORTS)];
    funding.extend(args.oracles.iter().chain([&args.crank]).map(|k| (*k, KEY_FUNDING_LAMPORTS)));
    funding.extend(o.fund.iter().copied());
    funding.sort();
    funding.dedup_by_key(|(k, _)| *k);
    net.fund(&funding)?;
    let running = Running { net, keys, deployment, startup: Duration::ZERO };
    if o.init {
        let mut rpc = running.rpc(&running.keys.authority);
        send(&mut rpc, &[ix::initialize(&running.keys.authority.pubkey(), args)], &[&running.keys.authority])
            .map_err(|e| anyhow!("initialize: {e}"))?;
    }
    Ok(Running { startup: started.elapsed(), ..running })
}

fn send(t: &mut dyn Transport, ixs: &[pictor_vip_sdk::Instruction], signers: &[&Keypair]) -> Result<(), SendError> {
    let mut jitter = Jitter::new(7);
    send_retrying(t, ixs, signers, &RetryPolicy::default(), &mut jitter, &mut RetryStats::default())
}

/// What `--seed-demo` did.
#[derive(Debug)]
pub struct Seeded {
    /// First day of the network (days since 1970-01-01, UTC).
    pub start_day: i64,
    /// Feed lines.
    pub lines: usize,
    /// The bot's summary of the reports.
    pub reports: Summary,
    /// Wallets that claimed a pass, by role (creator, worker).
    pub claimed: (usize, usize),
    /// Wallets that were not eligible and did not claim.
    pub not_eligible: usize,
    /// The bot's summary of the rounds.
    pub rounds: Summary,
    /// Wall time of the rounds (both roles).
    pub round_time: Duration,
    /// Wall time of the whole seeding.
    pub elapsed: Duration,
    /// Every seeded wallet: label, key.
    pub wallets: BTreeMap<String, Pubkey>,
    /// One eligible wallet per role left without its pass, for a person to
    /// claim by hand from the Profile or a blink: role, label, keypair.
    pub unclaimed: Vec<(Role, String, Keypair)>,
}

/// Runs a demo network over RPC: the bot applies its reports (days in the
/// real recent past: the validator's clock is wall time), every eligible
/// wallet but the last of each role claims its own pass (funded, signing
/// and paying itself), then the bot runs a round of each role. The last
/// eligible wallet of each role is left to claim by hand (funded too).
pub fn seed_demo(running: &Running, creators: usize, workers: usize, days: u32, seed: u64) -> Result<Seeded> {
    if days <= 30 {
        bail!("the demo needs more than 30 days so the worker window fills");
    }
    let started = Instant::now();
    let mut rpc = running.rpc(&running.keys.oracle);
    let now = rpc.now()?;
    let demo = DemoOptions::in_the_past_of(now, creators, workers, days, seed);
    let feed = generate(&demo);
    let lines = parse_feed(&feed);
    let wallet_key = |label: &str| label_keypair(SEED_WALLET_DOMAIN, label);
    let mut wallets = BTreeMap::new();
    for line in lines.iter().flatten() {
        if let Some((label, _)) = line.event.member() {
            wallets.entry(label.to_string()).or_insert_with(|| wallet_key(label).pubkey());
        }
    }
    let (reports, rounds): (Vec<_>, Vec<_>) =
        lines.into_iter().partition(|l| !matches!(l, Ok(line) if matches!(line.event, Event::Round { .. })));
    let bot = |rpc: &mut Rpc, lines| {
        let mut b =
            Bot::new(rpc, std::slice::from_ref(&running.keys.oracle), &running.keys.crank, BotOptions::default());
        let map = wallets.clone();
        b.resolve_wallet = Box::new(move |w| map.get(w).copied());
        b.run(lines)
    };
    let reports = bot(&mut rpc, reports)?;
    // Claims: each eligible wallet, funded, signs and pays its own.
    let config = read::config(&mut rpc)?.ok_or_else(|| anyhow!("the program is not initialised"))?;
    let now = rpc.now()?;
    let mut eligible = Vec::new();
    let mut not_eligible = 0;
    for role in Role::ALL {
        for (_, member) in read::members(&mut rpc, role)? {
            if profile::progress(&member, &config, now)?.eligible() {
                eligible.push((role, member.wallet()));
            } else {
                not_eligible += 1;
            }
        }
    }
    let by_key: BTreeMap<Pubkey, &String> = wallets.iter().map(|(l, k)| (*k, l)).collect();
    running.net.fund(&eligible.iter().map(|(_, k)| (*k, WALLET_FUNDING_LAMPORTS)).collect::<Vec<_>>())?;
    // Every claim in flight at once, each signed and paid by its wallet;
    // those a transport fault stopped go again.
    let mut claimed = (0, 0);
    let mut pending: Vec<(Role, Keypair)> = Vec::new();
    let mut unclaimed = Vec::new();
    for (i, (role, key)) in eligible.iter().enumerate() {
        let label = by_key.get(key).ok_or_else(|| anyhow!("member {key} is not a seeded wallet"))?;
        if eligible[i + 1..].iter().all(|(r, _)| r != role) {
            unclaimed.push((*role, label.to_string(), wallet_key(label)));
            continue;
        }
        pending.push((*role, wallet_key(label)));
    }
    for _ in 0..CLAIM_ATTEMPTS {
        if pending.is_empty() {
            break;
        }
        let submitted: Vec<Submitted> = pending
            .iter()
            .map(|(role, wallet)| {
                let key = wallet.pubkey();
                running.rpc(wallet).submit(&ix::claim_instructions(&key, &key, *role), &[wallet])
            })
            .collect();
        let results = outcomes(&mut rpc, submitted, Duration::from_millis(300))?;
        for ((role, wallet), result) in std::mem::take(&mut pending).into_iter().zip(results) {
            settle_claim(result, role, wallet, &mut claimed, &mut pending)?;
        }
    }
    if !pending.is_empty() {
        bail!("{} claims did not land after {CLAIM_ATTEMPTS} attempts", pending.len());
    }
    // A pass claimed at `t` counts from the first window scheduled after `t`
    // (SPEC §5): the rounds wait for a snapshot after the last claim, so
    // they rank every pass just claimed whatever second the claims ended.
    let after_claims = rpc.now()?.saturating_add(1);
    let rounds =
        rounds.into_iter().map(|line| line.map(|l| Line { at: l.at.max(after_claims), ..l })).collect::<Vec<_>>();
    let t = Instant::now();
    let rounds = bot(&mut rpc, rounds)?;
    Ok(Seeded {
        start_day: demo.start_day,
        lines: feed.lines().count(),
        reports,
        claimed,
        not_eligible,
        rounds,
        round_time: t.elapsed(),
        elapsed: started.elapsed(),
        wallets,
        unclaimed,
    })
}

/// Books a claim's outcome: counted, sent again (transport faults), or an error.
fn settle_claim(
    result: Result<(), SendError>,
    role: Role,
    wallet: Keypair,
    claimed: &mut (usize, usize),
    again: &mut Vec<(Role, Keypair)>,
) -> Result<()> {
    match result {
        Ok(()) => match role {
            Role::Creator => claimed.0 += 1,
            Role::Worker => claimed.1 += 1,
        },
        Err(e) if e.is(pictor_vip_sdk::errors::PictorError::PassAlreadyClaimed) => {}
        Err(e) if e.is_transient() => again.push((role, wallet)),
        Err(e) => bail!("claim of {} ({}): {e}", wallet.pubkey(), role.as_str()),
    }
    Ok(())
}

/// Parses `--fund KEY=SOL`.
pub fn parse_fund(s: &str) -> Result<(Pubkey, u64), String> {
    let (key, sol) = s.split_once('=').ok_or_else(|| format!("{s:?}: expected KEY=SOL"))?;
    let key = key.trim().parse::<Pubkey>().map_err(|e| format!("{key:?} is not a public key: {e}"))?;
    let lamports = pictor_vip_sdk::units::parse_token_amount(sol.trim(), 9).map_err(|e| format!("{sol:?} SOL: {e}"))?;
    Ok((key, lamports))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fund_arguments_parse_sol_into_lamports_and_refuse_bad_input() {
        let key = Pubkey::new_unique();
        assert_eq!(parse_fund(&format!("{key}=2.5")), Ok((key, 2_500_000_000)));
        assert!(parse_fund(&format!("{key}")).unwrap_err().contains("KEY=SOL"));
        assert!(parse_fund("nope=1").unwrap_err().contains("not a public key"));
        assert!(parse_fund(&format!("{key}=x")).is_err());
    }

    #[test]
    fn the_built_in_deployment_leaves_the_keys_to_the_localnet() {
        let d = DeploymentFile::parse(DEFAULT_DEPLOYMENT, false).unwrap();
        assert!(d.crank.is_none() && d.oracles.is_empty());
        assert!(d.pass_metadata.creator_uri.ends_with("/metadata/creator.json"));
    }
}
