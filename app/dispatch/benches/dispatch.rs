//! The engine at network scale, beside the per-job scan it replaces, on the
//! same inputs, in one run (criterion; then a table of the medians and the
//! ratios):
//!
//! - a round of 10,000 waiting jobs over 5,000 workers (target ≤ 20 ms);
//! - a round of 100,000 jobs over 20,000 workers (target ≤ 300 ms; the scan
//!   is timed once there: it takes seconds);
//! - one new job matched into a warm `Dispatcher` of 5,000 workers
//!   (submit, round, the slot given back; target ≤ 50 µs median).
//!
//! `cargo bench -p pictor-vip-dispatch --bench dispatch` (add `-- --quick`
//! for a shorter run).
use criterion::Criterion;
use pictor_vip_dispatch::scan::dispatch_by_scan;
use pictor_vip_dispatch::*;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// splitmix64: deterministic instances.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const GPUS: [(&str, u32, u64); 10] = [
    ("RTX 3060", 12, 40),
    ("T4", 16, 30),
    ("RTX 4080", 16, 120),
    ("A10", 24, 60),
    ("RTX 3090", 24, 90),
    ("RTX 4090", 24, 165),
    ("RTX A6000", 48, 110),
    ("L40S", 48, 180),
    ("A100", 80, 200),
    ("H100", 80, 300),
];
const REGIONS: [&str; 8] =
    ["eu-west", "eu-central", "us-east", "us-west", "asia-east", "asia-south", "sa-east", "af-south"];

/// A network: `workers` workers (1–4 slots; 30 % ranked holders, a tenth
/// of them priority), 2,000 creators (30 % ranked, a tenth priority), and
/// `jobs` jobs with realistic needs.
fn network(jobs: usize, workers: usize, seed: u64) -> (Vec<Job>, Vec<Worker>, Standings) {
    let mut r = Rng(seed);
    let ws: Vec<Worker> = (0..workers)
        .map(|i| {
            let (model, vram, hash) = GPUS[r.below(GPUS.len() as u64) as usize];
            Worker {
                wallet: format!("worker-{i:06}"),
                gpu_model: model.into(),
                vram_gb: vram,
                hashpower: hash,
                region: REGIONS[r.below(8) as usize].into(),
                free_slots: 1 + r.below(4) as u32,
                idle_since: 1_790_000_000 + r.below(86_400) as i64,
            }
        })
        .collect();
    let mut standings = Standings::default();
    for (role, n, name) in [(0, 2_000, "creator"), (1, workers, "worker")] {
        let mut rank = 0;
        for i in 0..n {
            if r.chance(30) {
                rank += 1;
                let s = Standing { rank, priority: r.chance(10) };
                let members = if role == 0 { &mut standings.creator.members } else { &mut standings.worker.members };
                members.insert(format!("{name}-{i:06}"), s);
            }
        }
    }
    let js: Vec<Job> = (0..jobs)
        .map(|i| {
            let models = r.chance(40).then(|| {
                (0..1 + r.below(3)).map(|_| GPUS[r.below(GPUS.len() as u64) as usize].0.to_string()).collect()
            });
            let regions =
                r.chance(30).then(|| (0..1 + r.below(3)).map(|_| REGIONS[r.below(8) as usize].to_string()).collect());
            Job {
                id: format!("job-{i:07}"),
                creator: format!("creator-{:06}", r.below(2_000)),
                arrival: 1_790_000_000 + r.below(3_600) as i64,
                waited_rounds: r.below(15) as u32,
                needs: JobNeeds {
                    gpu_models: models,
                    min_vram_gb: [0, 0, 8, 16, 24, 48][r.below(6) as usize],
                    regions,
                    preferred_region: r.chance(60).then(|| REGIONS[r.below(8) as usize].to_string()),
                },
            }
        })
        .collect();
    (js, ws, standings)
}

/// Per-iteration times of each benchmark's samples (criterion's own
/// samples, through `iter_custom`).
static SAMPLES: Mutex<BTreeMap<String, Vec<Duration>>> = Mutex::new(BTreeMap::new());

fn record(name: &str, total: Duration, iters: u64) {
    SAMPLES.lock().unwrap().entry(name.to_string()).or_default().push(total / iters.max(1) as u32);
}

fn median(name: &str) -> Option<Duration> {
    let mut v = SAMPLES.lock().unwrap().get(name)?.clone();
    v.sort();
    v.get(v.len() / 2).copied()
}

fn rounds(c: &mut Criterion) {
    let classes = GpuClasses::spec_default();
    let options = Options::default();
    let mut g = c.benchmark_group("round");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    let (jobs, workers, standings) = network(10_000, 5_000, 1);
    let out = dispatch(&jobs, &workers, &standings, &classes, &options).unwrap();
    println!("10,000 jobs over 5,000 workers: {} assigned, {} waiting", out.assignments.len(), out.waiting.len());
    assert_eq!(out, dispatch_by_scan(&jobs, &workers, &standings, &classes, &options).unwrap());
    g.bench_function("engine, 10k jobs / 5k workers", |b| {
        b.iter_custom(|iters| {
            let t = Instant::now();
            for _ in 0..iters {
                black_box(dispatch(&jobs, &workers, &standings, &classes, &options).unwrap());
            }
            let d = t.elapsed();
            record("engine 10k/5k", d, iters);
            d
        })
    });
    g.bench_function("per-job scan, 10k jobs / 5k workers", |b| {
        b.iter_custom(|iters| {
            let t = Instant::now();
            for _ in 0..iters {
                black_box(dispatch_by_scan(&jobs, &workers, &standings, &classes, &options).unwrap());
            }
            let d = t.elapsed();
            record("scan 10k/5k", d, iters);
            d
        })
    });
    let (jobs, workers, standings) = network(100_000, 20_000, 2);
    let out = dispatch(&jobs, &workers, &standings, &classes, &options).unwrap();
    println!("100,000 jobs over 20,000 workers: {} assigned, {} waiting", out.assignments.len(), out.waiting.len());
    g.bench_function("engine, 100k jobs / 20k workers", |b| {
        b.iter_custom(|iters| {
            let t = Instant::now();
            for _ in 0..iters {
                black_box(dispatch(&jobs, &workers, &standings, &classes, &options).unwrap());
            }
            let d = t.elapsed();
            record("engine 100k/20k", d, iters);
            d
        })
    });
    g.finish();
    // The scan at this size takes seconds a run: timed once, outside criterion.
    let t = Instant::now();
    let scanned = dispatch_by_scan(&jobs, &workers, &standings, &classes, &options).unwrap();
    record("scan 100k/20k (one run)", t.elapsed(), 1);
    assert_eq!(out, scanned, "the scan gives the same outcome");
}

fn one_job(c: &mut Criterion) {
    let classes = GpuClasses::spec_default();
    let (_, workers, standings) = network(0, 5_000, 3);
    let mut d = Dispatcher::new(classes.clone(), Options::default());
    d.set_standings(standings.clone()).unwrap();
    for w in &workers {
        d.upsert_worker(w.clone()).unwrap();
    }
    let (jobs, _, _) = network(1_000, 0, 4);
    let mut g = c.benchmark_group("one new job");
    g.sample_size(50);
    let mut n = 0usize;
    g.bench_function("warm dispatcher, 5k workers", |b| {
        b.iter_custom(|iters| {
            let t = Instant::now();
            for _ in 0..iters {
                let mut job = jobs[n % jobs.len()].clone();
                job.id = format!("live-{n}");
                n += 1;
                d.submit(job).unwrap();
                let out = d.round();
                // The slot comes back (the job finished), so the pool stays the same.
                for a in &out.assignments {
                    let free = d.worker(&a.worker).unwrap().free_slots;
                    d.set_free_slots(&a.worker, free + 1).unwrap();
                }
                for w in &out.waiting {
                    d.cancel(&w.job);
                }
                black_box(out);
            }
            let e = t.elapsed();
            record("engine one job", e, iters);
            e
        })
    });
    let mut m = 0usize;
    g.bench_function("per-job scan, 5k workers", |b| {
        b.iter_custom(|iters| {
            let t = Instant::now();
            for _ in 0..iters {
                let job = std::slice::from_ref(&jobs[m % jobs.len()]);
                m += 1;
                black_box(dispatch_by_scan(job, &workers, &standings, &classes, &Options::default()).unwrap());
            }
            let e = t.elapsed();
            record("scan one job", e, iters);
            e
        })
    });
    g.finish();
}

fn report() {
    let show = |d: Option<Duration>| {
        d.map_or("-".to_string(), |d| {
            if d < Duration::from_millis(1) {
                format!("{:.1} µs", d.as_secs_f64() * 1e6)
            } else {
                format!("{:.1} ms", d.as_secs_f64() * 1e3)
            }
        })
    };
    let rows = [
        ("a round, 10,000 jobs / 5,000 workers (≤ 20 ms)", "engine 10k/5k", "scan 10k/5k"),
        ("a round, 100,000 jobs / 20,000 workers (≤ 300 ms)", "engine 100k/20k", "scan 100k/20k (one run)"),
        ("one new job, warm dispatcher of 5,000 workers (≤ 50 µs)", "engine one job", "scan one job"),
    ];
    println!("\n| case | engine (median) | per-job scan (median) | scan / engine |");
    println!("|---|---|---|---|");
    for (name, engine, scan) in rows {
        let (e, s) = (median(engine), median(scan));
        let ratio = match (e, s) {
            (Some(e), Some(s)) => format!("{:.0}×", s.as_secs_f64() / e.as_secs_f64()),
            _ => "-".into(),
        };
        println!("| {name} | {} | {} | {ratio} |", show(e), show(s));
    }
    let per_second = median("engine 10k/5k").map(|d| 10_000.0 / d.as_secs_f64());
    if let Some(p) = per_second {
        println!("\nthroughput: {p:.0} jobs placed per second (10k/5k round)");
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    rounds(&mut c);
    one_job(&mut c);
    c.final_summary();
    report();
}
