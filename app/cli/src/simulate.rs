//! `simulate`: runs a feed on the in-process runtime, one line at a time at
//! the line's own time, each event as its real instruction (oracle, wallet
//! or crank signing), and reports the outcome as SPEC §8 defines it.
use anyhow::{anyhow, Context, Result};
use pictor_vip_keeper::feed::{parse_feed_bytes, Event, Line, LineError};
use pictor_vip_keeper::wallets::{label_keypair, simulated_wallet};
use pictor_vip_sdk::crank;
use pictor_vip_sdk::ix::{self, InitializeArgs};
use pictor_vip_sdk::profile;
use pictor_vip_sdk::read;
use pictor_vip_sdk::state::{PassMetadata, PassStatus, Role, Rules};
use pictor_vip_sdk::transport::{InProcess, SendError, Transport};
use pictor_vip_sdk::{Keypair, Signer};
use serde::Serialize;
use std::collections::BTreeSet;

/// One (wallet, role) of the feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberOut {
    /// Wallet as written in the feed.
    pub wallet: String,
    /// "creator" or "worker".
    pub role: &'static str,
    /// Eligible at the last line's time.
    pub eligible: bool,
    /// Holds an active pass.
    pub pass: bool,
    /// Score in the role's latest finalised round, in points.
    pub score: Option<i128>,
    /// Rank in that round.
    pub rank: Option<u32>,
    /// Priority in that round.
    pub priority: bool,
}

/// A refused line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// Line number, from 1.
    pub line: usize,
    /// Why.
    pub error: String,
}

/// A completed round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundOut {
    /// "creator" or "worker".
    pub role: &'static str,
    /// Round number.
    pub round: u32,
    /// Members ranked.
    pub members: u32,
    /// Members flagged priority.
    pub priority: u32,
}

/// The output of `simulate --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimOutput {
    /// One entry per (wallet, role), sorted by role then wallet.
    pub members: Vec<MemberOut>,
    /// Refused lines, in order.
    pub rejected: Vec<Rejected>,
    /// Rounds, in order.
    pub rounds: Vec<RoundOut>,
}

/// Pass metadata used by simulations and the demo.
pub fn demo_pass_metadata() -> PassMetadata {
    PassMetadata {
        creator_name: "Pictor VIP Creator".into(),
        worker_name: "Pictor VIP Worker".into(),
        symbol: pictor_vip_sdk::constants::DEFAULT_PASS_SYMBOL.into(),
        creator_uri: "https://pictor.network/vip/creator.json".into(),
        worker_uri: "https://pictor.network/vip/worker.json".into(),
    }
}

/// A simulation in progress: a runtime with the program initialised (default
/// rules) and deterministic admin, oracle and crank keys.
pub struct Simulation {
    /// The runtime.
    pub runtime: InProcess,
    admin: Keypair,
    oracles: Vec<Keypair>,
    crank: Keypair,
    members: BTreeSet<(Role, String)>,
    rejected: Vec<Rejected>,
    rounds: Vec<RoundOut>,
}

impl Simulation {
    /// Starts the runtime at `start_ts` (unix seconds) and initialises the
    /// program with the default rules (SPEC §8: no round cadence) and one oracle.
    pub fn start(start_ts: i64) -> Result<Self> {
        Self::start_with(start_ts, Rules::default(), 1)
    }

    /// Starts the runtime at `start_ts` with `rules` and `oracles` oracle
    /// keys, every one of which signs each report.
    pub fn start_with(start_ts: i64, rules: Rules, oracles: usize) -> Result<Self> {
        let admin = label_keypair("role", "admin");
        let oracles: Vec<Keypair> = (0..oracles.max(1))
            .map(|i| {
                if i == 0 {
                    label_keypair("role", "oracle")
                } else {
                    label_keypair("role", &format!("oracle-{}", i + 1))
                }
            })
            .collect();
        let crank = label_keypair("role", "crank");
        let mut runtime = InProcess::start(&admin.pubkey(), start_ts)?;
        for k in oracles.iter().chain([&admin, &crank]) {
            runtime.airdrop(&k.pubkey(), 1_000_000_000_000)?;
        }
        let args = InitializeArgs {
            crank: crank.pubkey(),
            oracles: oracles.iter().map(|k| k.pubkey()).collect(),
            rules,
            pass_metadata: demo_pass_metadata(),
        };
        runtime.send(&[ix::initialize(&admin.pubkey(), args)], &[&admin]).context("initialize")?;
        Ok(Simulation {
            runtime,
            admin,
            oracles,
            crank,
            members: BTreeSet::new(),
            rejected: Vec::new(),
            rounds: Vec::new(),
        })
    }

    /// The admin key of the simulation (the upgrade authority too).
    pub fn admin(&self) -> &Keypair {
        &self.admin
    }

    /// The (first) oracle key of the simulation.
    pub fn oracle(&self) -> &Keypair {
        &self.oracles[0]
    }

    /// Every oracle key of the simulation (each signs every report).
    pub fn oracles(&self) -> &[Keypair] {
        &self.oracles
    }

    /// The crank key of the simulation.
    pub fn crank(&self) -> &Keypair {
        &self.crank
    }

    /// Applies one parsed line (or records why it was refused).
    pub fn apply(&mut self, parsed: Result<Line, LineError>) -> Result<()> {
        let line = match parsed {
            Ok(line) => line,
            Err(e) => {
                self.rejected.push(Rejected { line: e.line, error: e.message });
                return Ok(());
            }
        };
        if let Some((wallet, role)) = line.event.member() {
            self.members.insert((role, wallet.to_string()));
        }
        self.runtime.set_time(line.at)?;
        if let Err(error) = self.submit(&line) {
            self.rejected.push(Rejected { line: line.number, error });
        }
        Ok(())
    }

    /// Sends the line's event; `Err` is the reason it was refused.
    fn submit(&mut self, line: &Line) -> Result<(), String> {
        match &line.event {
            Event::Oracle { wallet, seq, report } => {
                let (key, _) = simulated_wallet(wallet);
                let keys: Vec<_> = self.oracles.iter().map(|k| k.pubkey()).collect();
                let ixn = ix::report_signed(&keys, &key, *seq, line.at, report.clone());
                let signers: Vec<&Keypair> = self.oracles.iter().collect();
                self.runtime.send(&[ixn], &signers).map_err(describe)
            }
            Event::Claim { wallet, role } => {
                let (key, signer) = simulated_wallet(wallet);
                let signer = signer
                    .ok_or_else(|| format!("cannot sign a claim for the key {wallet} in a simulation: use a label"))?;
                let payer = self.runtime.fee_payer();
                self.runtime.send(&ix::claim_instructions(&key, &payer, *role), &[&signer]).map_err(describe)
            }
            Event::Round { role } => {
                let out = crank::run_round(
                    &mut self.runtime,
                    &self.crank,
                    *role,
                    crank::RoundOptions::default(),
                    &mut |_, _| {},
                )
                .map_err(|e| format!("{e:#}"))?;
                self.rounds.push(RoundOut {
                    role: role.as_str(),
                    round: out.round,
                    members: out.members,
                    priority: out.priority,
                });
                Ok(())
            }
        }
    }

    /// The SPEC §8 output, evaluated at the runtime's current time.
    pub fn output(&mut self) -> Result<SimOutput> {
        let config = read::config(&mut self.runtime)?.ok_or_else(|| anyhow!("config missing"))?;
        let now = self.runtime.now()?;
        let mut finalised = std::collections::HashMap::new();
        for role in Role::ALL {
            let board = read::board(&mut self.runtime, role)?.ok_or_else(|| anyhow!("board missing"))?;
            finalised.insert(role, board.finalised.map(|f| f.round));
        }
        let mut members = Vec::new();
        for (role, wallet) in self.members.clone() {
            let (key, _) = simulated_wallet(&wallet);
            let member = read::member(&mut self.runtime, role, &key)?;
            let (eligible, pass, entry) = match &member {
                None => (false, false, None),
                Some(m) => (
                    profile::progress(m, &config, now)?.eligible(),
                    m.pass_status() == PassStatus::Active,
                    finalised[&role].and_then(|round| m.rank_in(round)),
                ),
            };
            members.push(MemberOut {
                wallet,
                role: role.as_str(),
                eligible,
                pass,
                score: entry.map(|e| e.score),
                rank: entry.map(|e| e.rank),
                priority: entry.is_some_and(|e| e.priority),
            });
        }
        Ok(SimOutput { members, rejected: self.rejected.clone(), rounds: self.rounds.clone() })
    }
}

/// "Name: message" for a program error; the transport's text otherwise.
pub fn describe(e: SendError) -> String {
    match e {
        SendError::Program { name, message, .. } => format!("{name}: {message}"),
        other => other.to_string(),
    }
}

/// Runs a whole feed; `on_line(done, total)` is called after each line.
pub fn simulate(feed: &[u8], on_line: &mut dyn FnMut(usize, usize)) -> Result<(Simulation, SimOutput)> {
    simulate_with(feed, on_line, &mut |_| Ok(()))
}

/// [`simulate`], with `setup` run on the runtime before the first line
/// (the demo funds rewards there).
pub fn simulate_with(
    feed: &[u8],
    on_line: &mut dyn FnMut(usize, usize),
    setup: &mut dyn FnMut(&mut Simulation) -> Result<()>,
) -> Result<(Simulation, SimOutput)> {
    simulate_with_rules(feed, Rules::default(), on_line, setup)
}

/// [`simulate_with`] under `rules` (the demo runs a round cadence; `simulate`
/// itself keeps SPEC §8's defaults, the cadence off).
pub fn simulate_with_rules(
    feed: &[u8],
    rules: Rules,
    on_line: &mut dyn FnMut(usize, usize),
    setup: &mut dyn FnMut(&mut Simulation) -> Result<()>,
) -> Result<(Simulation, SimOutput)> {
    let lines = parse_feed_bytes(feed);
    let start = lines.iter().find_map(|l| l.as_ref().ok().map(|l| l.at)).unwrap_or(0);
    let mut sim = Simulation::start_with(start, rules, 1)?;
    setup(&mut sim)?;
    let total = lines.len();
    for (i, line) in lines.into_iter().enumerate() {
        sim.apply(line)?;
        on_line(i + 1, total);
    }
    let out = sim.output()?;
    Ok((sim, out))
}
