//! Fault injection: the bot on the in-process runtime behind a transport
//! that injects, from a fixed seed, in random order and at random rates,
//! every fault a real cluster has: timeouts of sends that landed and of
//! sends that did not, expired blockhashes, "already processed", duplicated
//! deliveries, a cluster clock that lags behind the fact times, stale reads
//! from a node behind the cluster, a pause by the admin in the middle of the
//! feed (lifted later), and the bot killed at random points and restarted.
//! After the feed and a final fault-free re-run to drain, the chain must
//! equal a fault-free run's: every fact once, the same passes and rounds.
mod common;
use common::*;
use pictor_vip_cli::simulate::Simulation;
use pictor_vip_keeper::bot::{Bot, BotOptions, Summary};
use pictor_vip_keeper::feed::parse_feed;
use pictor_vip_sdk::transport::retry::RetryPolicy;
use pictor_vip_sdk::transport::{InProcess, SendError, Transport};
use pictor_vip_sdk::{ix, Account, Instruction, Keypair, Pubkey, Signer};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// The faults, each with its rate in per mille of sends (or reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Fault {
    TimeoutLanded,
    TimeoutLost,
    BlockhashExpired,
    AlreadyProcessed,
    Duplicate,
    ClockLag,
    StaleRead,
    Pause,
    Kill,
}

/// A program-account listing.
type Listing = Vec<(Pubkey, Account)>;

struct Faulty<'a> {
    inner: &'a mut InProcess,
    admin: Keypair,
    rng: u64,
    rates: BTreeMap<Fault, u64>,
    counts: &'a mut BTreeMap<Fault, usize>,
    sends: usize,
    /// Sends after which the admin pauses, and how many sends later it unpauses.
    pause_at: Option<usize>,
    pause_for: usize,
    paused_since: Option<usize>,
    kill_at: Option<usize>,
    /// The true cluster time; a lag moves it back for one report transaction.
    now: i64,
    /// For stale reads: the version of each account before the latest one read.
    versions: HashMap<Pubkey, (Option<Account>, Option<Account>)>,
    listings: HashMap<Vec<u8>, (Listing, Listing)>,
}

impl Faulty<'_> {
    fn roll(&mut self, fault: Fault) -> bool {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let hit = self.rng % 1_000 < self.rates.get(&fault).copied().unwrap_or(0);
        if hit {
            *self.counts.entry(fault).or_default() += 1;
        }
        hit
    }

    fn admin_pause(&mut self, paused: bool) {
        let admin = self.admin.insecure_clone();
        self.inner.send(&[ix::set_paused(&admin.pubkey(), paused)], &[&admin]).unwrap();
    }
}

impl Interposer for Faulty<'_> {
    type Inner = InProcess;
    fn inner(&mut self) -> &mut InProcess {
        self.inner
    }
    fn inner_ref(&self) -> &InProcess {
        self.inner
    }
    fn gate<T>(
        &mut self,
        ixs: &[Instruction],
        send: impl Fn(&mut Self::Inner) -> Result<T, SendError>,
    ) -> Result<T, SendError> {
        self.sends += 1;
        if self.kill_at == Some(self.sends) {
            *self.counts.entry(Fault::Kill).or_default() += 1;
            panic!("killed at send {}", self.sends);
        }
        if self.pause_at == Some(self.sends) {
            *self.counts.entry(Fault::Pause).or_default() += 1;
            self.admin_pause(true);
            self.paused_since = Some(self.sends);
        }
        if self.paused_since.is_some_and(|s| self.sends >= s + self.pause_for) {
            self.admin_pause(false);
            self.paused_since = None;
        }
        if self.roll(Fault::BlockhashExpired) {
            return Err(SendError::BlockhashExpired);
        }
        if self.roll(Fault::TimeoutLost) {
            return Err(SendError::Transport("timed out; not sent".into()));
        }
        let is_report = ixs.iter().any(|i| {
            i.program_id == pictor_vip_sdk::pda::program_id()
                && i.data.starts_with(
                    <pictor_vip_sdk::program::instruction::SubmitReport as anchor_lang::Discriminator>::DISCRIMINATOR,
                )
        });
        if is_report && self.roll(Fault::ClockLag) {
            // The cluster's clock is seven hours behind the facts for this send.
            self.inner.set_time(self.now - 7 * 3_600).unwrap();
            let out = send(self.inner);
            self.inner.set_time(self.now).unwrap();
            return out;
        }
        if self.roll(Fault::TimeoutLanded) {
            let _ = send(self.inner);
            return Err(SendError::Transport("timed out after it landed".into()));
        }
        if self.roll(Fault::AlreadyProcessed) {
            let _ = send(self.inner);
            return Err(SendError::AlreadyProcessed);
        }
        if self.roll(Fault::Duplicate) {
            let first = send(self.inner);
            let _ = send(self.inner);
            return first;
        }
        send(self.inner)
    }

    fn get_account(&mut self, key: &Pubkey) -> pictor_vip_sdk::Result<Option<Account>> {
        let fresh = self.inner.get_account(key)?;
        let entry = self.versions.entry(*key).or_insert((None, None));
        if entry.1 != fresh {
            entry.0 = entry.1.take();
            entry.1 = fresh.clone();
        }
        let older = entry.0.clone();
        if older.is_some() && self.roll(Fault::StaleRead) {
            return Ok(older);
        }
        Ok(fresh)
    }
    fn program_accounts(&mut self, discriminator: &[u8]) -> pictor_vip_sdk::Result<Vec<(Pubkey, Account)>> {
        let fresh = self.inner.program_accounts(discriminator)?;
        let entry = self.listings.entry(discriminator.to_vec()).or_default();
        if entry.1 != fresh {
            entry.0 = std::mem::replace(&mut entry.1, fresh.clone());
        }
        let older = entry.0.clone();
        if !older.is_empty() && self.roll(Fault::StaleRead) {
            return Ok(older);
        }
        Ok(fresh)
    }
}

fn fast_options(in_flight: usize) -> BotOptions {
    let ms = Duration::from_millis(1);
    BotOptions {
        retry: RetryPolicy { attempts: 4, first_backoff: ms, max_backoff: ms },
        rank_batch: 2,
        progress: false,
        drain: Duration::from_millis(400),
        pass_wait: ms,
        in_flight,
        poll_interval: ms,
        stop: None,
    }
}

/// The bot sending one transaction at a time (`in_flight` 1) or pipelined.
fn bot_on(
    t: &mut dyn Transport,
    sim_keys: &(Keypair, Keypair),
    feed: &str,
    in_flight: usize,
) -> anyhow::Result<Summary> {
    let mut bot = Bot::new(t, std::slice::from_ref(&sim_keys.0), &sim_keys.1, fast_options(in_flight));
    bot.resolve_wallet = Box::new(resolve);
    bot.run(parse_feed(feed))
}

fn keys(sim: &Simulation) -> (Keypair, Keypair) {
    (sim.oracle().insecure_clone(), sim.crank().insecure_clone())
}

/// The feed the fault runs apply.
fn feed() -> String {
    phase_c()
}

/// The accounts that differ between two states, decoded enough to read.
fn differences(a: &[(Pubkey, Option<Vec<u8>>)], b: &[(Pubkey, Option<Vec<u8>>)]) -> Vec<String> {
    let describe = |data: &Option<Vec<u8>>| match data {
        None => "missing".to_string(),
        Some(d) => match pictor_vip_sdk::read::decode_member(d) {
            Ok(m) => format!("{m:?}"),
            Err(_) => match pictor_vip_sdk::read::decode::<pictor_vip_sdk::state::Board>(d) {
                Ok(board) => format!("{board:?}"),
                Err(_) => format!("{} bytes", d.len()),
            },
        },
    };
    a.iter()
        .zip(b)
        .filter(|(x, y)| x != y)
        .map(|(x, y)| format!("{}:\n  faulty: {}\n  clean:  {}", x.0, describe(&x.1), describe(&y.1)))
        .collect()
}

#[test]
fn under_every_fault_the_bot_ends_where_a_fault_free_run_ends() {
    let mut reference = prepared();
    let k = keys(&reference);
    let clean = bot_on(&mut reference.runtime, &k, &feed(), 1).unwrap();
    assert!(clean.refused.is_empty() && clean.waiting.is_empty(), "{clean:?}");
    assert_eq!(clean.rounds.len(), 2);
    let expected = state(&mut reference);

    let seeds = 20u64;
    let lines = feed().lines().count();
    let mut counts: BTreeMap<Fault, usize> = BTreeMap::new();
    let (mut restarts, mut waiting_after_faults, mut retries) = (0, 0, 0);
    for seed in 1..=seeds {
        // Odd seeds run the pipelined bot (its scheduling over a transport
        // that confirms as it sends), even seeds the sequential one.
        let in_flight = if seed % 2 == 1 { pictor_vip_keeper::bot::DEFAULT_IN_FLIGHT } else { 1 };
        let mut sim = prepared();
        let k = keys(&sim);
        let admin = sim.admin().insecure_clone();
        let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = |m: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % m
        };
        // Rates differ per seed; a pause and up to two kills at random sends.
        let rates: BTreeMap<Fault, u64> = [
            (Fault::TimeoutLanded, 20 + next(80)),
            (Fault::TimeoutLost, 20 + next(80)),
            (Fault::BlockhashExpired, 20 + next(80)),
            (Fault::AlreadyProcessed, 10 + next(40)),
            (Fault::Duplicate, 10 + next(60)),
            (Fault::ClockLag, 50 + next(150)),
            (Fault::StaleRead, 200 + next(300)),
        ]
        .into_iter()
        .collect();
        let kills: Vec<usize> = (0..next(3)).map(|_| 1 + next(40) as usize).collect();
        let pause_at = 1 + next(30) as usize;
        let mut run = 0;
        loop {
            let now = sim.runtime.now().unwrap();
            let mut faulty = Interposed(Faulty {
                inner: &mut sim.runtime,
                admin: admin.insecure_clone(),
                rng: seed * 7_919 + run,
                rates: rates.clone(),
                counts: &mut counts,
                sends: 0,
                pause_at: (run == 0).then_some(pause_at),
                pause_for: 3 + (seed as usize % 5),
                paused_since: None,
                kill_at: kills.get(run as usize).copied(),
                now,
                versions: HashMap::new(),
                listings: HashMap::new(),
            });
            let outcome =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| bot_on(&mut faulty, &k, &feed(), in_flight)));
            let paused_still = faulty.paused_since.is_some();
            if paused_still {
                // The admin lifts the pause in any case (the bot was killed meanwhile).
                faulty.admin_pause(false);
            }
            match outcome {
                Ok(summary) => {
                    let summary = summary.unwrap();
                    assert!(summary.refused.is_empty(), "seed {seed}: {:?}", summary.refused);
                    waiting_after_faults += summary.waiting.len();
                    retries += summary.retries;
                    break;
                }
                Err(_) => {
                    restarts += 1;
                    run += 1;
                }
            }
        }
        // A final fault-free re-run drains whatever still waits.
        let drain = bot_on(&mut sim.runtime, &k, &feed(), in_flight).unwrap();
        assert!(drain.refused.is_empty() && drain.waiting.is_empty(), "seed {seed}: {drain:?}");
        let diff = differences(&state(&mut sim), &expected);
        assert!(diff.is_empty(), "seed {seed}: the chain differs from the fault-free run:\n{}", diff.join("\n"));
    }
    println!("fault runs: {seeds} seeds × {lines} feed lines (plus phase A and claims), {restarts} kills and restarts");
    for (fault, n) in &counts {
        println!("  {fault:?}: {n} injected");
    }
    println!("  lines still waiting after a faulty run (applied by the drain run): {waiting_after_faults}; retries: {retries}");
    for fault in [
        Fault::TimeoutLanded,
        Fault::TimeoutLost,
        Fault::BlockhashExpired,
        Fault::AlreadyProcessed,
        Fault::Duplicate,
        Fault::ClockLag,
        Fault::StaleRead,
        Fault::Pause,
    ] {
        assert!(counts.get(&fault).copied().unwrap_or(0) > 0, "{fault:?} was never injected");
    }
}
