//! What the pass promises (SPEC §10), as properties of random small
//! instances (≤ 12 jobs, ≤ 8 workers), checked against an independent
//! brute-force model of §10 written here from the spec (its own lanes,
//! classes, feasibility and tie-breaks; none of the engine's code), and
//! rule by rule:
//! - no worker exceeds its free slots, and every assignment meets the job's hard needs;
//! - no job later in the service order is assigned a worker slot a job
//!   served before it (an earlier lane, or aged) could have used while that job waits;
//! - a holder's job never gets a lower class than a free feasible one, and a
//!   non-holder's job never a higher class than needed;
//! - among equally suited workers, a priority worker is never passed over
//!   for a lower-tier one;
//! - with a steady load, every job some worker can run is assigned within
//!   `max_wait_rounds` + 2 rounds;
//! - the same input gives the same output (also with jobs and workers listed
//!   in another order), a warm `Dispatcher` gives what a cold round gives,
//!   and the per-job scan baseline agrees.
use pictor_vip_dispatch::scan::dispatch_by_scan;
use pictor_vip_dispatch::*;
use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap};

// ------------------------------------------------------------- the model

#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    Assigned { job: String, worker: String, lane: u8, aged: bool, class: usize },
    Waits { job: String, lane: u8, aged: bool, full: bool },
}

fn same(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

fn meets(j: &Job, w: &Worker) -> bool {
    let n = &j.needs;
    w.vram_gb >= n.min_vram_gb
        && n.gpu_models.as_ref().is_none_or(|l| l.iter().any(|m| same(m, &w.gpu_model)))
        && n.regions.as_ref().is_none_or(|l| l.iter().any(|r| same(r, &w.region)))
}

fn class(table: &[(u32, u64)], w: &Worker) -> usize {
    let mut c = 0;
    for (i, &(v, h)) in table.iter().enumerate() {
        if w.vram_gb >= v && w.hashpower >= h {
            c = i;
        }
    }
    c
}

fn lane(j: &Job, creators: &HashMap<String, Standing>) -> u8 {
    match creators.get(&j.creator) {
        Some(s) if s.priority => 1,
        Some(_) => 2,
        None => 3,
    }
}

/// The service order of SPEC §10, by its own sort key.
fn order<'a>(jobs: &'a [Job], creators: &HashMap<String, Standing>, max_wait: u32) -> Vec<(&'a Job, u8, bool)> {
    let mut v: Vec<(&Job, u8, bool, (u8, u32))> = jobs
        .iter()
        .map(|j| {
            let l = lane(j, creators);
            let aged = l != 1 && j.waited_rounds >= max_wait;
            let group = if l == 1 {
                (0, 0)
            } else if aged {
                (1, 0)
            } else if l == 2 {
                (2, creators[&j.creator].rank)
            } else {
                (3, 0)
            };
            (j, l, aged, group)
        })
        .collect();
    v.sort_by(|a, b| (a.3, a.0.arrival, &a.0.id).cmp(&(b.3, b.0.arrival, &b.0.id)));
    v.into_iter().map(|(j, l, a, _)| (j, l, a)).collect()
}

fn tier(w: &Worker, workers_st: &HashMap<String, Standing>) -> (u8, u32) {
    match workers_st.get(&w.wallet) {
        Some(s) if s.priority => (0, s.rank),
        Some(s) => (1, s.rank),
        None => (2, 0),
    }
}

fn model(case: &Case) -> Vec<Event> {
    let (creators, workers_st) = (&case.creators, &case.worker_standings);
    let mut free: Vec<u32> = case.workers.iter().map(|w| w.free_slots).collect();
    let mut given = vec![0u32; case.workers.len()];
    let mut out = Vec::new();
    for (j, l, aged) in order(&case.jobs, creators, case.max_wait) {
        let feasible: Vec<usize> =
            (0..case.workers.len()).filter(|&i| free[i] > 0 && meets(j, &case.workers[i])).collect();
        if feasible.is_empty() {
            let full = case.workers.iter().any(|w| meets(j, w));
            out.push(Event::Waits { job: j.id.clone(), lane: l, aged, full });
            continue;
        }
        let classes: Vec<usize> = feasible.iter().map(|&i| class(&case.table, &case.workers[i])).collect();
        let target = if l < 3 { *classes.iter().max().unwrap() } else { *classes.iter().min().unwrap() };
        let mut best: Option<usize> = None;
        let better = |a: usize, b: usize| {
            let key = |i: usize| {
                let w = &case.workers[i];
                let far = j.needs.preferred_region.as_ref().is_some_and(|p| !same(p, &w.region));
                (far, tier(w, workers_st), given[i], w.idle_since, w.wallet.clone())
            };
            key(a) < key(b)
        };
        for (&i, &c) in feasible.iter().zip(&classes) {
            if c == target && best.is_none_or(|b| better(i, b)) {
                best = Some(i);
            }
        }
        let i = best.unwrap();
        free[i] -= 1;
        given[i] += 1;
        out.push(Event::Assigned {
            job: j.id.clone(),
            worker: case.workers[i].wallet.clone(),
            lane: l,
            aged,
            class: target,
        });
    }
    out
}

/// The engine's outcome as the model's events, in service order.
fn events(case: &Case, o: &Outcome) -> Vec<Event> {
    let position: HashMap<&str, usize> = order(&case.jobs, &case.creators, case.max_wait)
        .iter()
        .enumerate()
        .map(|(i, (j, _, _))| (j.id.as_str(), i))
        .collect();
    let mut all: Vec<(usize, Event)> = o
        .assignments
        .iter()
        .map(|a| {
            let e = Event::Assigned {
                job: a.job.clone(),
                worker: a.worker.clone(),
                lane: a.lane.number(),
                aged: a.aged,
                class: a.class,
            };
            (position[a.job.as_str()], e)
        })
        .chain(o.waiting.iter().map(|w| {
            let full = w.reason == WaitReason::AllFeasibleWorkersFull;
            (position[w.job.as_str()], Event::Waits { job: w.job.clone(), lane: w.lane.number(), aged: w.aged, full })
        }))
        .collect();
    all.sort_by_key(|(p, _)| *p);
    all.into_iter().map(|(_, e)| e).collect()
}

// ------------------------------------------------------------- instances

#[derive(Debug, Clone)]
struct Case {
    jobs: Vec<Job>,
    workers: Vec<Worker>,
    creators: HashMap<String, Standing>,
    worker_standings: HashMap<String, Standing>,
    table: Vec<(u32, u64)>,
    max_wait: u32,
}

impl Case {
    fn standings(&self) -> Standings {
        Standings {
            creator: RoleStandings { round: None, members: self.creators.clone() },
            worker: RoleStandings { round: None, members: self.worker_standings.clone() },
        }
    }

    fn classes(&self) -> GpuClasses {
        GpuClasses::new(self.table.iter().map(|&(v, h)| ClassMin { min_vram_gb: v, min_hashpower: h }).collect())
            .unwrap()
    }

    fn run(&self) -> Outcome {
        dispatch(
            &self.jobs,
            &self.workers,
            &self.standings(),
            &self.classes(),
            &Options { max_wait_rounds: self.max_wait },
        )
        .unwrap()
    }
}

const MODELS: [&str; 4] = ["RTX 4090", "rtx 4090", "A100", "T4"];
const REGIONS: [&str; 4] = ["eu", "EU", "us", "asia"];

fn name_list(pool: &'static [&'static str]) -> impl Strategy<Value = Option<Vec<String>>> {
    prop_oneof![
        3 => Just(None),
        2 => prop::collection::vec(prop::sample::select(pool), 0..3).prop_map(|v| Some(v.into_iter().map(String::from).collect())),
    ]
}

/// A job's fields: creator index, arrival, rounds waited, models, VRAM, regions, preferred region.
type JobFields = (usize, i64, u32, Option<Vec<String>>, u32, Option<Vec<String>>, Option<String>);

fn job_strategy() -> impl Strategy<Value = JobFields> {
    (
        0..5usize,
        0..4i64,
        0..14u32,
        name_list(&MODELS),
        prop::sample::select(vec![0u32, 8, 16, 24, 48, 81]),
        name_list(&REGIONS),
        prop::option::of(prop::sample::select(&REGIONS[..]).prop_map(String::from)),
    )
}

fn worker_strategy() -> impl Strategy<Value = (usize, u32, u64, usize, u32, i64)> {
    (
        0..MODELS.len(),
        prop::sample::select(vec![8u32, 12, 16, 24, 48, 80]),
        prop::sample::select(vec![0u64, 50, 100, 500]),
        0..REGIONS.len(),
        0..3u32,
        0..3i64,
    )
}

fn standing_strategy() -> impl Strategy<Value = Option<(u32, bool)>> {
    prop::option::of((1..6u32, prop::bool::weighted(0.3)))
}

fn case_strategy() -> impl Strategy<Value = Case> {
    let tables = prop::sample::select(vec![
        vec![(0u32, 0u64), (16, 0), (24, 0), (48, 0)],
        vec![(0, 0), (16, 100), (24, 100), (48, 500)],
        vec![(0, 0)],
        vec![(0, 0), (24, 0), (24, 50)],
    ]);
    (
        prop::collection::vec(job_strategy(), 0..=12),
        prop::collection::vec(worker_strategy(), 0..=8),
        prop::collection::vec(standing_strategy(), 5),
        prop::collection::vec(standing_strategy(), 8),
        tables,
        0..12u32,
    )
        .prop_map(|(jobs, workers, cs, ws, table, max_wait)| {
            let jobs = jobs
                .into_iter()
                .enumerate()
                .map(|(i, (c, arrival, waited_rounds, gpu_models, min_vram_gb, regions, preferred_region))| Job {
                    // Ids that do not sort like their indexes.
                    id: format!("j{}", (i * 7) % 13),
                    creator: format!("c{c}"),
                    arrival,
                    waited_rounds,
                    needs: JobNeeds { gpu_models, min_vram_gb, regions, preferred_region },
                })
                .collect();
            let workers = workers
                .into_iter()
                .enumerate()
                .map(|(i, (m, vram_gb, hashpower, r, free_slots, idle_since))| Worker {
                    wallet: format!("W{}", (i * 5) % 11),
                    gpu_model: MODELS[m].into(),
                    vram_gb,
                    hashpower,
                    region: REGIONS[r].into(),
                    free_slots,
                    idle_since,
                })
                .collect();
            let standings = |v: Vec<Option<(u32, bool)>>, name: &dyn Fn(usize) -> String| {
                v.into_iter()
                    .enumerate()
                    .filter_map(|(i, s)| s.map(|(rank, priority)| (name(i), Standing { rank, priority })))
                    .collect()
            };
            Case {
                jobs,
                workers,
                creators: standings(cs, &|i| format!("c{i}")),
                worker_standings: standings(ws, &|i| format!("W{}", (i * 5) % 11)),
                table,
                max_wait,
            }
        })
}

fn config() -> ProptestConfig {
    ProptestConfig { cases: 2_000, ..ProptestConfig::default() }
}

// ------------------------------------------------------------- the properties

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_engine_gives_exactly_what_the_spec_model_gives(case in case_strategy()) {
        let out = case.run();
        prop_assert_eq!(events(&case, &out), model(&case));
    }

    #[test]
    fn no_worker_exceeds_its_slots_and_every_assignment_meets_the_hard_needs(case in case_strategy()) {
        let out = case.run();
        let mut used: BTreeMap<&str, u32> = BTreeMap::new();
        let jobs: HashMap<&str, &Job> = case.jobs.iter().map(|j| (j.id.as_str(), j)).collect();
        for a in &out.assignments {
            let w = case.workers.iter().find(|w| w.wallet == a.worker).unwrap();
            *used.entry(&w.wallet).or_default() += 1;
            prop_assert!(meets(jobs[a.job.as_str()], w), "{} on {}", a.job, w.wallet);
            prop_assert!(used[w.wallet.as_str()] <= w.free_slots, "{} over its {} slots", w.wallet, w.free_slots);
        }
        prop_assert_eq!(out.assignments.len() + out.waiting.len(), case.jobs.len());
    }

    #[test]
    fn no_later_job_takes_a_slot_an_earlier_waiting_job_could_have_used(case in case_strategy()) {
        let out = case.run();
        let evs = events(&case, &out);
        let jobs: HashMap<&str, &Job> = case.jobs.iter().map(|j| (j.id.as_str(), j)).collect();
        for (i, e) in evs.iter().enumerate() {
            let Event::Waits { job, .. } = e else { continue };
            for later in &evs[i + 1..] {
                if let Event::Assigned { job: other, worker, .. } = later {
                    let w = case.workers.iter().find(|w| &w.wallet == worker).unwrap();
                    prop_assert!(!meets(jobs[job.as_str()], w), "{job} waits while later {other} takes {worker}");
                }
            }
        }
    }

    #[test]
    fn holders_get_the_best_free_class_and_others_the_lowest_sufficient_one(case in case_strategy()) {
        let out = case.run();
        // Replayed in service order, with the slots left at each turn.
        let mut free: HashMap<&str, u32> = case.workers.iter().map(|w| (w.wallet.as_str(), w.free_slots)).collect();
        let jobs: HashMap<&str, &Job> = case.jobs.iter().map(|j| (j.id.as_str(), j)).collect();
        for e in events(&case, &out) {
            let Event::Assigned { job, worker, lane, class: got, .. } = e else { continue };
            let j = jobs[job.as_str()];
            let classes: Vec<usize> = case
                .workers
                .iter()
                .filter(|w| free[w.wallet.as_str()] > 0 && meets(j, w))
                .map(|w| class(&case.table, w))
                .collect();
            if lane < 3 {
                prop_assert_eq!(got, *classes.iter().max().unwrap(), "holder job {} got class {}", job, got);
            } else {
                prop_assert_eq!(got, *classes.iter().min().unwrap(), "job {} got class {}", job, got);
            }
            *free.get_mut(worker.as_str()).unwrap() -= 1;
        }
    }

    #[test]
    fn a_priority_worker_is_never_passed_over_for_a_lower_tier_equal(case in case_strategy()) {
        let out = case.run();
        let mut free: HashMap<&str, u32> = case.workers.iter().map(|w| (w.wallet.as_str(), w.free_slots)).collect();
        let jobs: HashMap<&str, &Job> = case.jobs.iter().map(|j| (j.id.as_str(), j)).collect();
        for e in events(&case, &out) {
            let Event::Assigned { job, worker, class: c, .. } = e else { continue };
            let j = jobs[job.as_str()];
            let far = |w: &Worker| j.needs.preferred_region.as_ref().is_some_and(|p| !same(p, &w.region));
            let chosen = case.workers.iter().find(|w| w.wallet == worker).unwrap();
            for w in &case.workers {
                // Equally suited: feasible, the same class, the same side of the region preference.
                let equal = free[w.wallet.as_str()] > 0 && meets(j, w) && class(&case.table, w) == c && far(w) == far(chosen);
                if equal {
                    prop_assert!(
                        tier(w, &case.worker_standings) >= tier(chosen, &case.worker_standings),
                        "{} ({:?}) passed over for {} ({:?})",
                        w.wallet, tier(w, &case.worker_standings), chosen.wallet, tier(chosen, &case.worker_standings)
                    );
                }
            }
            *free.get_mut(worker.as_str()).unwrap() -= 1;
        }
    }

    #[test]
    fn the_same_input_in_any_order_gives_the_same_output(case in case_strategy(), seed in any::<u64>()) {
        let first = case.run();
        prop_assert_eq!(&first, &case.run());
        let mut shuffled = case.clone();
        let mut s = seed | 1;
        let mut next = move |n: usize| { s ^= s << 13; s ^= s >> 7; s ^= s << 17; (s % n.max(1) as u64) as usize };
        for i in (1..shuffled.jobs.len()).rev() { let k = next(i + 1); shuffled.jobs.swap(i, k); }
        for i in (1..shuffled.workers.len()).rev() { let k = next(i + 1); shuffled.workers.swap(i, k); }
        prop_assert_eq!(&first, &shuffled.run());
    }

    #[test]
    fn the_per_job_scan_baseline_gives_the_same_outcome(case in case_strategy()) {
        let scanned = dispatch_by_scan(&case.jobs, &case.workers, &case.standings(), &case.classes(), &Options { max_wait_rounds: case.max_wait }).unwrap();
        prop_assert_eq!(scanned, case.run());
    }

    #[test]
    fn a_warm_dispatcher_gives_what_a_cold_round_gives_round_after_round(case in case_strategy(), rounds in 1..5usize) {
        let options = Options { max_wait_rounds: case.max_wait };
        let mut d = Dispatcher::new(case.classes(), options);
        d.set_standings(case.standings()).unwrap();
        for w in &case.workers {
            d.upsert_worker(w.clone()).unwrap();
        }
        for j in &case.jobs {
            d.submit(j.clone()).unwrap();
        }
        for round in 0..rounds {
            let queue = d.queue().to_vec();
            let workers: Vec<Worker> = case.workers.iter().map(|w| d.worker(&w.wallet).unwrap()).collect();
            let cold = dispatch(&queue, &workers, &case.standings(), &case.classes(), &options).unwrap();
            let warm = d.round();
            prop_assert_eq!(&warm, &cold, "round {}", round);
            // The queue keeps the waiting jobs, one round older; a slot per job comes back.
            prop_assert_eq!(d.queue().len(), cold.waiting.len());
            for j in d.queue() {
                let before = queue.iter().find(|q| q.id == j.id).unwrap();
                prop_assert_eq!(j.waited_rounds, before.waited_rounds + 1);
            }
            for a in warm.assignments.iter().step_by(2) {
                let now = d.worker(&a.worker).unwrap().free_slots;
                d.set_free_slots(&a.worker, now + 1).unwrap();
            }
        }
    }
}

// ------------------------------------------------------------- steady load

/// A steady load with scarce strong GPUs: each round a lane-2 job (a
/// holder's, which takes the best class), a lane-3 job needing the strongest
/// GPUs every other round, small lane-3 jobs within the small workers'
/// capacity, and now and then a lane-1 job; every job takes its slot for
/// one round. Without aging, the strong-GPU lane-3 jobs would wait forever
/// behind lane 2.
fn steady_load_run(
    small: usize,
    strong: usize,
    max_wait: u32,
    rounds: u32,
    lane1_every: u32,
) -> Vec<(String, u32, Option<u32>)> {
    let classes = GpuClasses::spec_default();
    let mut d = Dispatcher::new(classes, Options { max_wait_rounds: max_wait });
    let mut creators = HashMap::new();
    creators.insert("prio".to_string(), Standing { rank: 1, priority: true });
    creators.insert("holder".to_string(), Standing { rank: 2, priority: false });
    d.set_standings(Standings {
        creator: RoleStandings { round: Some(1), members: creators },
        worker: RoleStandings::default(),
    })
    .unwrap();
    let mut workers = Vec::new();
    for i in 0..small {
        workers.push(Worker {
            wallet: format!("small{i}"),
            gpu_model: "T4".into(),
            vram_gb: 16,
            hashpower: 0,
            region: "eu".into(),
            free_slots: 2,
            idle_since: 0,
        });
    }
    for i in 0..strong {
        workers.push(Worker {
            wallet: format!("strong{i}"),
            gpu_model: "A100".into(),
            vram_gb: 80,
            hashpower: 0,
            region: "us".into(),
            free_slots: 1,
            idle_since: 0,
        });
    }
    let mut arrived: Vec<(String, u32, Option<u32>)> = Vec::new();
    let mut n = 0;
    for round in 0..rounds {
        for w in &workers {
            d.upsert_worker(w.clone()).unwrap();
        }
        let mut submit = |creator: &str, min_vram_gb: u32, d: &mut Dispatcher| {
            let id = format!("job{n:04}");
            n += 1;
            d.submit(Job {
                id: id.clone(),
                creator: creator.into(),
                arrival: i64::from(round),
                waited_rounds: 0,
                needs: JobNeeds { min_vram_gb, ..JobNeeds::default() },
            })
            .unwrap();
            arrived.push((id, round, None));
        };
        submit("holder", 0, &mut d);
        if round % 2 == 0 {
            submit("someone", 48, &mut d);
        }
        for _ in 0..small {
            submit("someone", 0, &mut d);
        }
        if lane1_every > 0 && round % lane1_every == 0 {
            submit("prio", 0, &mut d);
        }
        for a in d.round().assignments {
            let entry = arrived.iter_mut().find(|(id, _, _)| *id == a.job).unwrap();
            entry.2 = Some(round);
        }
    }
    arrived
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn with_a_steady_load_every_runnable_job_is_assigned_within_max_wait_plus_two_rounds(
        small in 1..4usize, strong in 1..3usize, max_wait in 0..6u32, lane1_every in prop::sample::select(vec![0u32, 3, 4]),
    ) {
        let rounds = 40;
        for (id, arrived, assigned) in steady_load_run(small, strong, max_wait, rounds, lane1_every) {
            let bound = max_wait + 2;
            match assigned {
                Some(r) => prop_assert!(r - arrived <= bound, "{} waited {} rounds (max_wait {})", id, r - arrived, max_wait),
                None => prop_assert!(rounds - arrived <= bound, "{} still waits after {} rounds", id, rounds - arrived),
            }
        }
    }
}

#[test]
fn without_aging_a_lane_three_job_for_the_strongest_gpus_would_starve() {
    // The control: with aging out of reach, the strong-GPU job of lane 3 never runs.
    let runs = steady_load_run(2, 1, u32::MAX, 20, 0);
    let starved: Vec<_> = runs.iter().filter(|(_, _, a)| a.is_none()).collect();
    assert!(!starved.is_empty(), "the load does need aging: {runs:?}");
    let aged = steady_load_run(2, 1, 3, 20, 0);
    assert!(aged.iter().filter(|(_, arrived, _)| *arrived < 15).all(|(_, _, a)| a.is_some()));
}
