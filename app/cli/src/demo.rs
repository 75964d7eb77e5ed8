//! `demo`: generates a realistic network, runs it through the simulation and
//! prints what happened: passes, leaderboards, the priority share, and how a
//! scheduler would serve and match a sample of jobs.
use crate::feed::{format_day, format_rfc3339};
use crate::simulate::{simulate_with, SimOutput, Simulation};
use crate::wallets::simulated_wallet;
use anyhow::Result;
use pictor_vip_sdk::profile::{self, leaderboard};
use pictor_vip_sdk::read;
use pictor_vip_sdk::scheduler::{match_worker, order_queue, JobNeeds, QueuedJob, Standing, Standings, WorkerOffer};
use pictor_vip_sdk::state::Role;
use pictor_vip_sdk::transport::Transport;
use pictor_vip_sdk::units::{format_usdt, group_thousands};
use pictor_vip_sdk::{ix, Keypair, Signer};
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
    let end = span + 3_600;
    for (role, n) in [("creator", o.creators), ("worker", o.workers)] {
        for i in 0..n {
            events.push((
                end,
                format!(r#"{{"type": "claim", "wallet": "{role}-{i:03}", "role": "{role}", "at": "{}"}}"#, at(end)),
            ));
        }
    }
    for role in ["creator", "worker"] {
        events.push((end + 600, format!(r#"{{"type": "round", "role": "{role}", "at": "{}"}}"#, at(end + 600))));
    }
    events.sort_by_key(|(t, _)| *t);
    events.into_iter().map(|(_, line)| line + "\n").collect()
}

fn standings(rows: &[pictor_vip_sdk::profile::LeaderboardEntry]) -> Standings {
    rows.iter().map(|r| (r.wallet, Standing { rank: r.entry.rank, priority: r.entry.priority })).collect()
}

/// Runs the demo and writes its report to `out`; `on_line` reports progress.
pub fn run(o: &DemoOptions, out: &mut dyn Write, on_line: &mut dyn FnMut(usize, usize)) -> Result<SimOutput> {
    let started = std::time::Instant::now();
    let feed = generate(o);
    let lines = feed.lines().count();
    let (mut sim, result) = simulate_with(&feed, on_line, &mut |sim| fund_worker_rewards(sim, DEMO_WORKER_REWARD))?;
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

    let mut boards = HashMap::new();
    for role in Role::ALL {
        let Some((round, rows)) = leaderboard(t, role)? else { continue };
        writeln!(
            s,
            "\n{} leaderboard, round {}: {} holders, top {} flagged priority (cutoff {} points)",
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
        boards.insert(role, standings(&rows));
    }

    // A sample queue: jobs from VIP and non-VIP creators, in arrival order.
    let creators = boards.remove(&Role::Creator).unwrap_or_default();
    let workers_board = boards.remove(&Role::Worker).unwrap_or_default();
    let mut sample: Vec<_> = result
        .members
        .iter()
        .filter(|m| m.role == "creator")
        .map(|m| (m.rank.unwrap_or(u32::MAX), m.wallet.clone()))
        .collect();
    sample.sort();
    let picks: Vec<String> = [sample.len() - 1, 0, 29, 5, sample.len() - 2, 1]
        .iter()
        .map(|&i| sample[i.min(sample.len() - 1)].1.clone())
        .collect();
    let jobs: Vec<QueuedJob> = picks
        .iter()
        .enumerate()
        .map(|(i, w)| QueuedJob {
            id: format!("job-{}", i + 1),
            creator: simulated_wallet(w).0,
            arrival: i as u64,
            needs: JobNeeds {
                gpu_model: None,
                min_vram_gb: [8, 24, 16, 48, 12, 24][i],
                location: Some(REGIONS[i % 3].to_string()),
            },
        })
        .collect();
    let offers: Vec<WorkerOffer> = (0..o.workers)
        .map(|i| {
            let (region, gpu) = worker_profile(i);
            let w = format!("worker-{i:03}");
            WorkerOffer {
                wallet: simulated_wallet(&w).0,
                gpu_model: GPUS[gpu].0.into(),
                vram_gb: GPUS[gpu].1,
                location: region.into(),
            }
        })
        .collect();
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
            let balance = read::member(t, Role::Worker, &row.wallet)?.map_or(0, |m| m.header().reward_balance);
            writeln!(s, "  #{:<3} {:<11} credited {}", row.entry.rank, name(&row.wallet), format_usdt(balance))?;
        }
    }

    writeln!(
        s,
        "\nrender queue (arrival order {}), served as:",
        jobs.iter().map(|j| j.id.as_str()).collect::<Vec<_>>().join(", ")
    )?;
    for j in order_queue(&jobs, &creators) {
        let who = match creators.get(&j.creator) {
            Some(st) if st.priority => format!("priority VIP #{}", st.rank),
            Some(st) => format!("VIP #{}", st.rank),
            None => "no pass".into(),
        };
        let matched = match_worker(&j.needs, &offers, &workers_board).map_or("no worker fits".into(), |w| {
            let st = workers_board.get(&w.wallet).map_or("no pass".into(), |st| {
                if st.priority {
                    format!("priority VIP #{}", st.rank)
                } else {
                    format!("VIP #{}", st.rank)
                }
            });
            format!("{} ({}, {} GB, {}, {st})", name(&w.wallet), w.gpu_model, w.vram_gb, w.location)
        });
        writeln!(
            s,
            "  {} from {} ({who}), needs ≥{} GB in {} → {matched}",
            j.id,
            name(&j.creator),
            j.needs.min_vram_gb,
            j.needs.location.as_deref().unwrap_or("-")
        )?;
    }
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
