//! `demo`: generates a realistic network, runs it through the simulation
//! (with a daily round cadence: rounds at 01:00 UTC, as a deployment would)
//! and prints what happened: passes, leaderboards, the priority share, rank
//! rewards, and what the pass buys over 24 rounds of job distribution
//! (the `pictor-vip-dispatch` engine on the chain's standings).
use crate::simulate::{simulate_with_rules, SimOutput, Simulation};
use anyhow::Result;
use pictor_vip_dispatch::{Dispatcher, Job, JobNeeds, Lane, Options, Standings, Worker};
use pictor_vip_keeper::feed::{format_day, format_rfc3339};
use pictor_vip_keeper::wallets::simulated_wallet;
use pictor_vip_sdk::profile::{self, leaderboard};
use pictor_vip_sdk::read;
use pictor_vip_sdk::state::{Role, RoundCadence, Rules};
use pictor_vip_sdk::transport::Transport;
use pictor_vip_sdk::units::{format_usdt, group_thousands};
use pictor_vip_sdk::{ix, Keypair, Signer};
use pictor_vip_server::scheduling::{chain_classes, chain_standings};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;

/// Size of the generated network.
#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    /// Creators.
    pub creators: usize,
    /// Workers.
    pub workers: usize,
    /// Days simulated (> 30 so the uptime window fills).
    pub days: u32,
    /// Seed of the generator.
    pub seed: u64,
    /// First day of the network, days since 1970-01-01 (UTC). The demo
    /// starts on 2026-06-01; on a real cluster, whose clock is wall time, the
    /// days must lie in the recent past ([`DemoOptions::ending_before`]).
    pub start_day: i64,
}

impl DemoOptions {
    /// A network of `days` days on a cluster whose clock reads `now` (unix
    /// seconds): its last worker day is yesterday (UTC), so the uptime window
    /// holds the whole network, and its last event (the rounds, 01:10 UTC on
    /// the day after the last day) is in the past. Before 02:00 UTC it ends a
    /// day earlier, so nothing lies ahead of the clock (yesterday then counts
    /// as a day not reported).
    pub fn in_the_past_of(now: i64, creators: usize, workers: usize, days: u32, seed: u64) -> Self {
        let today = now.div_euclid(86_400);
        let early = now - today * 86_400 < 2 * 3_600;
        let start_day = today - i64::from(days) - i64::from(early);
        DemoOptions { creators, workers, days, seed, start_day }
    }
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions { creators: 300, workers: 200, days: 40, seed: 2026, start_day: START_DAY }
    }
}

/// splitmix64: small, deterministic, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform-ish in `lo..=hi` (`lo` when the range is empty).
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi.saturating_sub(lo) + 1)
    }
}

const GPUS: [(&str, u16, u64); 6] = [
    ("RTX 3060", 12, 40),
    ("RTX 4080", 16, 120),
    ("RTX 3090", 24, 90),
    ("RTX 4090", 24, 165),
    ("RTX A6000", 48, 110),
    ("A100", 80, 200),
];
const REGIONS: [&str; 3] = ["eu", "us", "asia"];
/// Days are reported at 00:10 UTC the next morning; the demo starts 2026-06-01.
const START_DAY: i64 = 20_605;

fn usdt(base_units: u64) -> String {
    format!("{}.{:06}", base_units / 1_000_000, base_units % 1_000_000)
}

/// The worker's region, GPU index and behaviour by its index.
fn worker_profile(i: usize) -> (&'static str, usize) {
    (REGIONS[i % REGIONS.len()], (i * 7 + 3) % GPUS.len())
}

/// Generates the feed: creators recharge, spend and render through the month
/// (some cross 5,000 USDT, some stop just short); workers report every day
/// (steady, just short of 16 h, four days offline, or casual); then everyone
/// claims and a round of each role runs.
pub fn generate(o: &DemoOptions) -> String {
    let mut rng = Rng(o.seed);
    let at = |seconds: i64| format_rfc3339(o.start_day * 86_400 + seconds);
    // (time in seconds from START, json) — sorted at the end; a stable sort keeps per-member order.
    let mut events: Vec<(i64, String)> = Vec::new();
    let span = i64::from(o.days) * 86_400;
    for i in 0..o.creators {
        let w = format!("creator-{i:03}");
        let target: u64 = match i % 10 {
            0..=3 => rng.range(5_000_000_000, 14_000_000_000),
            4 => rng.range(4_990_000_000, 4_999_999_999),
            _ => rng.range(100_000_000, 3_500_000_000),
        };
        let deposit = target + rng.range(0, 1_500_000_000);
        let mut t = rng.range(0, (span / 4) as u64) as i64;
        let mut seq = 0;
        let mut push = |t: i64, body: String, seq: &mut u64| {
            *seq += 1;
            events.push((t, format!(r#"{{"type": {body}, "wallet": "{w}", "seq": {seq}, "at": "{}"}}"#, at(t))));
        };
        push(t, format!(r#""recharge", "usdt": "{}""#, usdt(deposit)), &mut seq);
        let parts = rng.range(2, 5);
        let mut spent = 0;
        for p in 0..parts {
            t += rng.range(3_600, (span - t) as u64 / (parts - p + 1).max(1)) as i64;
            let amount = if p + 1 == parts { target - spent } else { target / parts };
            spent += amount;
            push(t.min(span - 3_600), format!(r#""spend", "usdt": "{}""#, usdt(amount)), &mut seq);
            push(t.min(span - 3_600) + 60, format!(r#""frames", "frames": {}"#, rng.range(1, 900)), &mut seq);
        }
    }
    for i in 0..o.workers {
        let w = format!("worker-{i:03}");
        let kind = i % 10;
        let (_, gpu) = worker_profile(i);
        let (model, vram, hash) = GPUS[gpu];
        let offline_from = rng.range(u64::from(o.days) - 28, u64::from(o.days) - 6) as i64;
        let mut seq = 1;
        events.push((600, format!(r#"{{"type": "gpu", "wallet": "{w}", "seq": 1, "model": "{model}", "vram_gb": {vram}, "hashpower": {hash}, "at": "{}"}}"#, at(600))));
        for d in 0..i64::from(o.days) {
            let minutes = match kind {
                0..=4 => rng.range(960, 1_440),
                5 => rng.range(940, 968),
                6 if (offline_from..offline_from + 4).contains(&d) => 0,
                6 => rng.range(1_200, 1_440),
                _ => rng.range(200, 900),
            };
            let frames = if minutes == 0 { 0 } else { rng.range(0, 120) };
            let failed = if rng.range(0, 9) == 0 { rng.range(1, 4) } else { 0 };
            seq += 1;
            let t = (d + 1) * 86_400 + 600 + i as i64;
            events.push((t, format!(
                r#"{{"type": "worker_day", "wallet": "{w}", "seq": {seq}, "day": "{}", "uptime_minutes": {minutes}, "frames_completed": {frames}, "jobs_failed": {failed}, "at": "{}"}}"#,
                format_day(o.start_day + d), at(t)
            )));
        }
    }
    // Claims at 00:30 UTC the day after the last day, the rounds at 01:10:
    // inside the daily 01:00 round window, their snapshot 01:00.
    let end = span + 1_800;
    for (role, n) in [("creator", o.creators), ("worker", o.workers)] {
        for i in 0..n {
            events.push((
                end,
                format!(r#"{{"type": "claim", "wallet": "{role}-{i:03}", "role": "{role}", "at": "{}"}}"#, at(end)),
            ));
        }
    }
    for role in ["creator", "worker"] {
        events.push((span + 4_200, format!(r#"{{"type": "round", "role": "{role}", "at": "{}"}}"#, at(span + 4_200))));
    }
    events.sort_by_key(|(t, _)| *t);
    events.into_iter().map(|(_, line)| line + "\n").collect()
}

/// The demo's rules: the program's defaults with a daily round cadence at
/// 01:00 UTC, open for an hour (what the example deployment file sets).
pub fn demo_rules() -> Rules {
    Rules {
        cadence: RoundCadence { period_secs: 86_400, open_window_secs: 3_600, offset_secs: 3_600 },
        ..Rules::default()
    }
}

/// Runs the demo and writes its report to `out`; `on_line` reports progress.
pub fn run(o: &DemoOptions, out: &mut dyn Write, on_line: &mut dyn FnMut(usize, usize)) -> Result<SimOutput> {
    let started = std::time::Instant::now();
    let feed = generate(o);
    let lines = feed.lines().count();
    let (mut sim, result) = simulate_with_rules(feed.as_bytes(), demo_rules(), on_line, &mut |sim| {
        fund_worker_rewards(sim, DEMO_WORKER_REWARD)
    })?;
    let elapsed = started.elapsed();
    let t: &mut dyn Transport = &mut sim.runtime;
    let label: HashMap<_, _> =
        result.members.iter().map(|m| (simulated_wallet(&m.wallet).0, m.wallet.clone())).collect();
    let name = |k: &pictor_vip_sdk::Pubkey| label.get(k).cloned().unwrap_or_else(|| k.to_string());

    let mut s = String::new();
    writeln!(s, "Pictor VIP Pass demo: {} creators and {} workers over {} days ({} feed lines, {:.1} s on the in-process runtime)", o.creators, o.workers, o.days, group_thousands(lines), elapsed.as_secs_f64())?;
    writeln!(s)?;
    for role in Role::ALL {
        let ms: Vec<_> = result.members.iter().filter(|m| m.role == role.as_str()).collect();
        let eligible = ms.iter().filter(|m| m.eligible).count();
        let passes = ms.iter().filter(|m| m.pass).count();
        writeln!(s, "{:>8}s: {} of {} eligible, {} passes minted", role.as_str(), eligible, ms.len(), passes)?;
    }
    let mut reasons: HashMap<String, usize> = HashMap::new();
    for r in &result.rejected {
        *reasons.entry(r.error.split(':').next().unwrap_or("").to_string()).or_default() += 1;
    }
    let mut reasons: Vec<_> = reasons.into_iter().collect();
    reasons.sort();
    writeln!(
        s,
        "refused lines: {} ({})",
        result.rejected.len(),
        reasons.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
    )?;

    let config = read::config(t)?.expect("initialised");
    let now = t.now()?;
    writeln!(s, "\nnear misses (no pass):")?;
    for role in Role::ALL {
        let mut shown = 0;
        for (_, m) in read::members(t, role)? {
            if shown == 3 {
                break;
            }
            let p = profile::progress(&m, &config, now)?;
            let near = match &p {
                profile::Progress::Creator(c) => !c.eligible && c.spent_base_units >= 4_990_000_000,
                profile::Progress::Worker(w) => {
                    !w.eligible && w.total_uptime_minutes * 100 >= w.required_uptime_minutes * 97
                }
            };
            if near {
                writeln!(s, "  {:<11} {p}", name(&m.wallet()))?;
                shown += 1;
            }
        }
    }

    for role in Role::ALL {
        let Some((round, rows)) = leaderboard(t, role)? else { continue };
        writeln!(
            s,
            "\n{} leaderboard, round {} (rounds follow a daily cadence, one number per 01:00 UTC window): {} holders, top {} flagged priority (cutoff {} points)",
            role.as_str(),
            round.round,
            round.members,
            round.priority_count,
            round.cutoff_score.map_or("-".into(), group_thousands)
        )?;
        for r in rows.iter().take(8) {
            writeln!(
                s,
                "  #{:<3} {:<11} {:>8} points{}",
                r.entry.rank,
                name(&r.wallet),
                group_thousands(r.entry.score),
                if r.entry.priority { "  PRIORITY" } else { "" }
            )?;
        }
        if rows.len() > 8 {
            writeln!(s, "  … {} more", rows.len() - 8)?;
        }
    }

    // The worker round's rewards, credited by the round itself.
    let board = read::board(t, Role::Worker)?.expect("initialised");
    if let Some(done) = &board.finalised {
        let r = done.reward;
        writeln!(
            s,
            "\nworker rewards, round {}: {} funded, shared by the top {}: {} each; {} carried to the next funded round",
            done.round,
            format_usdt(r.amount_base_units),
            r.ranks,
            format_usdt(r.share_base_units),
            format_usdt(board.rewards.carry_base_units)
        )?;
        let (_, rows) = leaderboard(t, Role::Worker)?.expect("finalised");
        for row in rows.iter().take(r.ranks as usize) {
            // Final since the round is: withdrawable now.
            let balance = read::member(t, Role::Worker, &row.wallet)?
                .map_or(0, |m| m.header().withdrawable(board.finalised.as_ref()));
            writeln!(s, "  #{:<3} {:<11} credited {}", row.entry.rank, name(&row.wallet), format_usdt(balance))?;
        }
    }

    let standings = chain_standings(t)?;
    let classes = chain_classes(t)?;
    let stats = distribute(o, &standings, classes)?;
    write!(s, "{}", stats.report())?;
    out.write_all(s.as_bytes())?;
    Ok(result)
}

/// The demo's worker reward: 10,000 USDT for the first worker round, shared
/// by its priority holders (K = 0).
pub const DEMO_WORKER_REWARD: u64 = 10_000_000_000;

/// Creates a 6-decimal, USDT-like Token-2022 mint whose authority is the
/// simulation's admin, mints `amount` to the admin and funds the next
/// worker round with it.
fn fund_worker_rewards(sim: &mut Simulation, amount: u64) -> Result<()> {
    use anchor_spl::token_2022::spl_token_2022::instruction as token_ix;
    let token = anchor_spl::token_2022::ID;
    let admin = sim.admin().insecure_clone();
    let mint = Keypair::new();
    let t = &mut sim.runtime;
    let rent = t.rent_exempt_minimum(82)?;
    let payer = t.fee_payer();
    let create =
        anchor_lang::solana_program::system_instruction::create_account(&payer, &mint.pubkey(), rent, 82, &token);
    let init = token_ix::initialize_mint2(&token, &mint.pubkey(), &admin.pubkey(), None, 6)?;
    t.send(&[create, init], &[&mint])?;
    let funder = pictor_vip_sdk::pda::reward_destination(&admin.pubkey(), &mint.pubkey(), &token);
    let ata = anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent(
        &payer,
        &admin.pubkey(),
        &mint.pubkey(),
        &token,
    );
    let mint_to = token_ix::mint_to(&token, &mint.pubkey(), &funder, &admin.pubkey(), &[], amount)?;
    t.send(&[ata, mint_to], &[&admin])?;
    t.send(&[ix::fund_rewards(&admin.pubkey(), Role::Worker, &mint.pubkey(), &token, &funder, amount, 0)], &[&admin])?;
    Ok(())
}

/// Rounds of job distribution the demo runs.
pub const DISTRIBUTION_ROUNDS: u32 = 24;

/// What the pass bought over the demo's rounds of job distribution.
#[derive(Debug, Clone, Default)]
pub struct DistributionStats {
    /// Rounds run.
    pub rounds: u32,
    /// Workers and their slots in all.
    pub workers: usize,
    /// Slots of all workers.
    pub slots: u32,
    /// Jobs submitted.
    pub submitted: usize,
    /// Per lane (1, 2, 3 at 0, 1, 2): the rounds each assigned job waited.
    pub waits: [Vec<u32>; 3],
    /// Per lane: assignments to the top GPU class.
    pub top_class: [usize; 3],
    /// Per lane: jobs still waiting after the last round.
    pub waiting_at_end: [usize; 3],
    /// Per lane: of those, jobs no worker in the pool can run.
    pub unrunnable_at_end: [usize; 3],
    /// Lane-3 jobs served aged (after waiting `max_wait_rounds`).
    pub aged_open_served: usize,
    /// (slots, jobs they got) of priority workers, other ranked workers, everyone else.
    pub by_worker_tier: [(u32, usize); 3],
    /// The same over the quiet rounds only, when idle slots outnumber jobs:
    /// who is picked first shows there (SPEC §10: VIP workers first).
    pub by_worker_tier_quiet: [(u32, usize); 3],
    /// Quiet rounds run.
    pub quiet_rounds: u32,
    /// The most jobs any worker ran at once, minus its slots (≤ 0: never over).
    pub worst_overbooking: i64,
    /// Jobs served by moving placed jobs to other workers (SPEC §10's chains).
    pub served_by_moving: usize,
    /// Over all rounds: slots left idle while a job that some assignment
    /// keeping lane 1's placements could have served waited (the most jobs
    /// a round could serve, by max-flow, minus those it served).
    pub idle_while_runnable_waited: usize,
}

impl DistributionStats {
    /// The figures, for a person to compare at a glance.
    pub fn report(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "\njob distribution (SPEC §10), {} rounds ({} busy, then quiet): {} jobs from every creator, {} workers with {} slots in all; each job holds its slot 1–3 rounds",
            self.rounds, self.rounds * 2 / 3, self.submitted, self.workers, self.slots
        );
        let _ = writeln!(
            s,
            "  lane                      assigned  waited (rounds) median / worst  top GPU class  still waiting (no worker can run)"
        );
        for (i, name) in ["1: priority creators", "2: ranked pass holders", "3: everyone else"].iter().enumerate() {
            let mut w = self.waits[i].clone();
            w.sort_unstable();
            let (median, worst) = (w.get(w.len() / 2).copied().unwrap_or(0), w.last().copied().unwrap_or(0));
            let share = if w.is_empty() { 0.0 } else { 100.0 * self.top_class[i] as f64 / w.len() as f64 };
            let _ = writeln!(
                s,
                "  {name:<24} {:>9}  {:>13} / {:<5}        {share:>5.1} %  {:>13} ({})",
                w.len(),
                median,
                worst,
                self.waiting_at_end[i],
                self.unrunnable_at_end[i]
            );
        }
        let _ = writeln!(
            s,
            "  lane 3 jobs served aged (after waiting {} rounds, ahead of lane 2): {}",
            pictor_vip_dispatch::DEFAULT_MAX_WAIT_ROUNDS,
            self.aged_open_served
        );
        let per = |(slots, jobs): (u32, usize)| if slots == 0 { 0.0 } else { jobs as f64 / f64::from(slots) };
        let t = self.by_worker_tier;
        let _ = writeln!(
            s,
            "  jobs per slot: priority workers {:.1} ({} slots), other ranked workers {:.1} ({}), everyone else {:.1} ({})",
            per(t[0]),
            t[0].0,
            per(t[1]),
            t[1].0,
            per(t[2]),
            t[2].0
        );
        let q = self.by_worker_tier_quiet;
        let _ = writeln!(
            s,
            "  VIP workers picked first: in the {} quiet rounds (more idle slots than jobs) jobs per slot: priority workers {:.2}, other ranked workers {:.2}, everyone else {:.2}",
            self.quiet_rounds,
            per(q[0]),
            per(q[1]),
            per(q[2])
        );
        let _ = writeln!(
            s,
            "  no worker ever ran more jobs than its slots: {}",
            if self.worst_overbooking <= 0 { "checked every round" } else { "VIOLATED" }
        );
        let _ = writeln!(
            s,
            "  jobs served by moving others (a placed job moved to another worker that can run it): {}",
            self.served_by_moving
        );
        let _ = writeln!(
            s,
            "  idle slots while a runnable job waited (against a max-flow of each round): {}",
            self.idle_while_runnable_waited
        );
        s
    }
}

/// Runs [`DISTRIBUTION_ROUNDS`] rounds of job distribution over the demo's
/// workers (1–3 slots each, their GPUs and regions), with jobs arriving from
/// the demo's creators (holders and not) with realistic needs, each holding
/// its slot 1–3 rounds. A steady overload, so lanes and aging matter.
pub fn distribute(
    o: &DemoOptions,
    standings: &Standings,
    classes: pictor_vip_dispatch::GpuClasses,
) -> Result<DistributionStats> {
    let mut rng = Rng(o.seed ^ 0xD15A_7C4E);
    let top = classes.len() - 1;
    let mut d = Dispatcher::new(classes, Options::default());
    d.set_standings(standings.clone())?;
    let mut stats = DistributionStats { rounds: DISTRIBUTION_ROUNDS, workers: o.workers, ..Default::default() };
    let mut capacity = HashMap::new();
    for i in 0..o.workers {
        let (region, gpu) = worker_profile(i);
        let (model, vram, hash) = GPUS[gpu];
        let wallet = simulated_wallet(&format!("worker-{i:03}")).0.to_string();
        let slots = 1 + (i % 3) as u32;
        stats.slots += slots;
        capacity.insert(wallet.clone(), slots);
        d.upsert_worker(Worker {
            wallet,
            gpu_model: model.into(),
            vram_gb: u32::from(vram),
            hashpower: hash,
            region: region.into(),
            free_slots: slots,
            idle_since: 1_700_000_000 + i as i64,
        })?;
    }
    let tier = |w: &str| match standings.worker.get(w) {
        Some(s) if s.priority => 0,
        Some(_) => 1,
        None => 2,
    };
    for (w, slots) in &capacity {
        stats.by_worker_tier[tier(w)].0 += slots;
        stats.by_worker_tier_quiet[tier(w)].0 += slots;
    }
    let creators: Vec<String> =
        (0..o.creators).map(|i| simulated_wallet(&format!("creator-{i:03}")).0.to_string()).collect();
    let mut running: Vec<(String, u32)> = Vec::new();
    let mut submitted_at: HashMap<String, u32> = HashMap::new();
    let mut busy: HashMap<String, u32> = HashMap::new();
    let mut last_waiting = Vec::new();
    // Throughput is about slots / 2 jobs a round (each holds its slot 1–3
    // rounds): a busy stretch above it (lanes and aging matter), then a quiet
    // one below it (who is picked first among idle workers matters).
    let busy_rounds = DISTRIBUTION_ROUNDS * 2 / 3;
    stats.quiet_rounds = DISTRIBUTION_ROUNDS - busy_rounds;
    for round in 0..DISTRIBUTION_ROUNDS {
        // Jobs that finished give their slots back.
        let (done, still): (Vec<_>, Vec<_>) = running.into_iter().partition(|(_, ends)| *ends <= round);
        running = still;
        for (w, _) in done {
            *busy.get_mut(&w).expect("a busy worker") -= 1;
            let free = d.worker(&w).expect("a worker").free_slots;
            d.set_free_slots(&w, free + 1)?;
        }
        let per_round = u64::from(stats.slots) * if round < busy_rounds { 13 } else { 2 } / 20;
        for k in 0..per_round.saturating_sub(3) + rng.range(0, 6) {
            let id = format!("r{round:02}-{k:04}");
            let needs = JobNeeds {
                gpu_models: (rng.range(0, 99) < 15)
                    .then(|| vec![GPUS[rng.range(0, GPUS.len() as u64 - 1) as usize].0.into()]),
                min_vram_gb: [0, 0, 8, 12, 16, 24, 48][rng.range(0, 6) as usize],
                regions: (rng.range(0, 99) < 10).then(|| vec![REGIONS[rng.range(0, 2) as usize].into()]),
                preferred_region: (rng.range(0, 99) < 70).then(|| REGIONS[rng.range(0, 2) as usize].into()),
            };
            let creator = creators[rng.range(0, creators.len() as u64 - 1) as usize].clone();
            let arrival = 1_800_000_000 + i64::from(round) * 60 + k as i64;
            d.submit(Job { id: id.clone(), creator, arrival, waited_rounds: 0, needs })?;
            submitted_at.insert(id, round);
            stats.submitted += 1;
        }
        // The round's input, to measure it against the most any assignment serves.
        let queue = d.queue().to_vec();
        let pool: Vec<Worker> = capacity.keys().filter_map(|w| d.worker(w)).collect();
        let outcome = d.round();
        let most =
            pictor_vip_dispatch::flow::max_served(&queue, &pool, &pictor_vip_dispatch::flow::lane_one_of(&outcome))?;
        stats.idle_while_runnable_waited += most.keeping_lane_one.saturating_sub(outcome.assignments.len());
        stats.served_by_moving += outcome.assignments.iter().filter(|a| a.moved > 0).count();
        last_waiting = outcome.waiting;
        for a in outcome.assignments {
            let lane = usize::from(a.lane.number() - 1);
            stats.waits[lane].push(round - submitted_at[&a.job]);
            stats.top_class[lane] += usize::from(a.class == top);
            if a.lane == Lane::Open && a.aged {
                stats.aged_open_served += 1;
            }
            stats.by_worker_tier[tier(&a.worker)].1 += 1;
            if round >= busy_rounds {
                stats.by_worker_tier_quiet[tier(&a.worker)].1 += 1;
            }
            let b = busy.entry(a.worker.clone()).or_default();
            *b += 1;
            stats.worst_overbooking = stats.worst_overbooking.max(i64::from(*b) - i64::from(capacity[&a.worker]));
            running.push((a.worker, round + 1 + rng.range(0, 2) as u32));
        }
    }
    for w in last_waiting {
        let lane = usize::from(w.lane.number() - 1);
        stats.waiting_at_end[lane] += 1;
        stats.unrunnable_at_end[lane] += usize::from(w.reason == pictor_vip_dispatch::WaitReason::NoWorkerCanRun);
    }
    Ok(stats)
}
