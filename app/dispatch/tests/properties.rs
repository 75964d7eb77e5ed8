//! What the pass promises (SPEC §10, amended: "no slot idle that a waiting
//! job could use"), as properties of random instances, checked against an
//! independent model of §10 written here from the spec (its own lanes,
//! classes, feasibility, tie-breaks and chain search over workers, none of
//! the engine's code), against an independent max-flow, and rule by rule:
//! - the engine gives exactly what the model gives, chains and their
//!   documented tie-breaks included; the baseline without chains gives
//!   exactly what §10 gave before its amendment, and so does the per-job scan;
//! - no worker exceeds its free slots, and every assignment meets the job's hard needs;
//! - the jobs served are as many as an independent max-flow serves with lane
//!   1's placements kept (a brute force on small instances), and the
//!   earliest in service order: no waiting job could be served together
//!   with every job served before it;
//! - lane 1's assignments are those of the same round without chains, and
//!   none of them is moved;
//! - no placed job is dropped: a longer prefix of the service order serves
//!   every job a shorter one served; `moved` is 0 exactly for the jobs that
//!   found a free feasible slot at their turn;
//! - no job later in the service order is assigned a worker slot a job
//!   served before it could have used while that job waits;
//! - a holder's job placed directly takes the best free class, a
//!   non-holder's the lowest sufficient one; among equally suited workers,
//!   a priority worker is never passed over for a lower-tier one;
//! - with a steady load, every job some worker can run is assigned within
//!   `max_wait_rounds` + 2 rounds (and without aging one starves);
//! - the same input gives the same output (also with jobs and workers listed
//!   in another order), and a warm `Dispatcher` gives what a cold round gives.
use pictor_vip_dispatch::scan::dispatch_by_scan;
use pictor_vip_dispatch::*;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

// ------------------------------------------------------------- the model

#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    Assigned { job: String, worker: String, lane: u8, aged: bool, class: usize, moved: u32 },
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

/// The model's round: SPEC §10 in service order; with `chains`, a job of
/// lane 2 or 3 whose feasible workers are full takes the shortest chain of
/// moves, by the README's tie-breaks, found by a plain breadth-first search
/// over groups of workers.
fn model_round(case: &Case, chains: bool) -> Vec<Event> {
    let (creators, workers_st) = (&case.creators, &case.worker_standings);
    let ws = &case.workers;
    let jobs = order(&case.jobs, creators, case.max_wait);
    let mut free: Vec<u32> = ws.iter().map(|w| w.free_slots).collect();
    let mut given = vec![0u32; ws.len()];
    // Per service position: (worker, moved) once placed.
    let mut at: Vec<Option<(usize, u32)>> = vec![None; jobs.len()];
    // Groups: what the round's hard needs cannot tell apart, in group order.
    let mut minimums: Vec<u32> = case.jobs.iter().map(|j| j.needs.min_vram_gb).collect();
    minimums.sort();
    minimums.dedup();
    let group_key = |w: &Worker| {
        (
            class(&case.table, w),
            w.gpu_model.to_lowercase(),
            w.region.to_lowercase(),
            minimums.iter().filter(|&&m| m <= w.vram_gb).count(),
        )
    };
    let keys: BTreeSet<_> = ws.iter().map(group_key).collect();
    let keys: Vec<_> = keys.into_iter().collect();
    let group: Vec<usize> = ws.iter().map(|w| keys.binary_search(&group_key(w)).unwrap()).collect();
    let worker_key =
        |i: usize, given: &[u32]| (tier(&ws[i], workers_st), given[i], ws[i].idle_since, ws[i].wallet.clone());
    let mut out = Vec::new();
    for (p, &(j, l, aged)) in jobs.iter().enumerate() {
        let feasible: Vec<usize> = (0..ws.len()).filter(|&i| free[i] > 0 && meets(j, &ws[i])).collect();
        if !feasible.is_empty() {
            let classes: Vec<usize> = feasible.iter().map(|&i| class(&case.table, &ws[i])).collect();
            let target = if l < 3 { *classes.iter().max().unwrap() } else { *classes.iter().min().unwrap() };
            let far = |i: usize| j.needs.preferred_region.as_ref().is_some_and(|r| !same(r, &ws[i].region));
            let best = feasible
                .iter()
                .zip(&classes)
                .filter(|(_, &c)| c == target)
                .map(|(&i, _)| i)
                .min_by_key(|&i| (far(i), worker_key(i, &given)))
                .unwrap();
            free[best] -= 1;
            given[best] += 1;
            at[p] = Some((best, 0));
            continue;
        }
        if chains && l != 1 {
            if let Some(found) = model_chain(&jobs, &at, p, ws, &group, keys.len(), &free) {
                let (path, moving) = found;
                let end = *path.last().unwrap();
                let end_worker = (0..ws.len())
                    .filter(|&i| group[i] == end && free[i] > 0)
                    .min_by_key(|&i| worker_key(i, &given))
                    .unwrap();
                let workers: Vec<usize> = moving.iter().map(|&m| at[m].unwrap().0).collect();
                at[p] = Some((workers[0], moving.len() as u32));
                for (k, &m) in moving.iter().enumerate() {
                    let to = workers.get(k + 1).copied().unwrap_or(end_worker);
                    at[m].as_mut().unwrap().0 = to;
                }
                free[end_worker] -= 1;
                given[end_worker] += 1;
                continue;
            }
        }
        let full = ws.iter().any(|w| meets(j, w));
        out.push((p, Event::Waits { job: j.id.clone(), lane: l, aged, full }));
    }
    for (p, &(j, l, aged)) in jobs.iter().enumerate() {
        if let Some((i, moved)) = at[p] {
            let e = Event::Assigned {
                job: j.id.clone(),
                worker: ws[i].wallet.clone(),
                lane: l,
                aged,
                class: class(&case.table, &ws[i]),
                moved,
            };
            out.push((p, e));
        }
    }
    out.sort_by_key(|(p, _)| *p);
    out.into_iter().map(|(_, e)| e).collect()
}

/// The shortest chain for job `p`: the groups from its own to one with a
/// free slot, and the jobs that move (job `moving[k]` from `path[k]` to
/// `path[k + 1]`), or `None`. Groups are numbered in group order.
fn model_chain(
    jobs: &[(&Job, u8, bool)],
    at: &[Option<(usize, u32)>],
    p: usize,
    ws: &[Worker],
    group: &[usize],
    groups: usize,
    free: &[u32],
) -> Option<(Vec<usize>, Vec<usize>)> {
    let members = |g: usize| (0..ws.len()).filter(|&i| group[i] == g).collect::<Vec<_>>();
    let has_free = |g: usize| members(g).iter().any(|&i| free[i] > 0);
    // The round's needs cannot tell a group's workers apart: one meets a job iff all do.
    let fits = |j: &Job, g: usize| members(g).iter().any(|&i| meets(j, &ws[i]));
    // The job latest in service order that may move from group `from` to `to`.
    let can_move = |from: usize, to: usize| {
        (0..jobs.len())
            .filter(|&q| jobs[q].1 != 1 && at[q].is_some_and(|(i, _)| group[i] == from) && fits(jobs[q].0, to))
            .max()
    };
    let mut levels: Vec<Vec<usize>> = vec![(0..groups).filter(|&g| fits(jobs[p].0, g)).collect()];
    let mut visited: HashSet<usize> = levels[0].iter().copied().collect();
    loop {
        let last = levels.last().unwrap();
        let next: Vec<usize> =
            (0..groups).filter(|g| !visited.contains(g) && last.iter().any(|&f| can_move(f, *g).is_some())).collect();
        if next.is_empty() {
            return None;
        }
        if let Some(&end) = next.iter().find(|&&g| has_free(g)) {
            let (mut path, mut moving) = (vec![end], Vec::new());
            for level in levels.iter().rev() {
                let to = *path.last().unwrap();
                let from = *level.iter().find(|&&f| can_move(f, to).is_some()).unwrap();
                moving.push(can_move(from, to).unwrap());
                path.push(from);
            }
            path.reverse();
            moving.reverse();
            return Some((path, moving));
        }
        visited.extend(&next);
        levels.push(next);
    }
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
                moved: a.moved,
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

    fn options(&self) -> Options {
        Options { max_wait_rounds: self.max_wait }
    }

    fn run(&self) -> Outcome {
        dispatch(&self.jobs, &self.workers, &self.standings(), &self.classes(), &self.options()).unwrap()
    }

    /// The same round under §10 before its amendment (no chains).
    fn run_greedy(&self) -> Outcome {
        baseline::greedy(&self.jobs, &self.workers, &self.standings(), &self.classes(), &self.options()).unwrap()
    }

    /// The jobs in service order.
    fn in_order(&self) -> Vec<(&Job, u8, bool)> {
        order(&self.jobs, &self.creators, self.max_wait)
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

fn worker_strategy() -> impl Strategy<Value = WorkerFields> {
    (
        0..MODELS.len(),
        prop::sample::select(vec![8u32, 12, 16, 24, 48, 80]),
        prop::sample::select(vec![0u64, 50, 100, 500]),
        0..REGIONS.len(),
        0..3u32,
        0..3i64,
    )
}

/// A worker's fields: model index, VRAM, hashpower, region index, free slots, idle since.
type WorkerFields = (usize, u32, u64, usize, u32, i64);

fn jobs_of(fields: Vec<JobFields>, id: impl Fn(usize) -> String) -> Vec<Job> {
    fields
        .into_iter()
        .enumerate()
        .map(|(i, (c, arrival, waited_rounds, gpu_models, min_vram_gb, regions, preferred_region))| Job {
            id: id(i),
            creator: format!("c{c}"),
            arrival,
            waited_rounds,
            needs: JobNeeds { gpu_models, min_vram_gb, regions, preferred_region },
        })
        .collect()
}

/// Workers of `fields`, their slots multiplied by `slots`.
fn workers_of(fields: Vec<WorkerFields>, wallet: impl Fn(usize) -> String, slots: u32) -> Vec<Worker> {
    fields
        .into_iter()
        .enumerate()
        .map(|(i, (m, vram_gb, hashpower, r, free_slots, idle_since))| Worker {
            wallet: wallet(i),
            gpu_model: MODELS[m].into(),
            vram_gb,
            hashpower,
            region: REGIONS[r].into(),
            free_slots: free_slots * slots,
            idle_since,
        })
        .collect()
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
            // Ids that do not sort like their indexes.
            let jobs = jobs_of(jobs, |i| format!("j{}", (i * 7) % 13));
            let workers = workers_of(workers, |i| format!("W{}", (i * 5) % 11), 1);
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

/// Rounds large enough to need chains: up to 90 jobs over up to 24
/// workers, the slots about as many as the jobs, needs often narrow.
fn big_case_strategy() -> impl Strategy<Value = Case> {
    (case_strategy(), prop::collection::vec(job_strategy(), 10..90), prop::collection::vec(worker_strategy(), 3..24))
        .prop_map(|(mut case, jobs, workers)| {
            case.jobs = jobs_of(jobs, |i| format!("j{}", (i * 37) % 101));
            case.workers = workers_of(workers, |i| format!("W{}", (i * 5) % 29), 2);
            case
        })
}

fn config() -> ProptestConfig {
    ProptestConfig { cases: 2_000, ..ProptestConfig::default() }
}

// ------------------------------------------------------------- max-flow

/// Worker slots left once lane 1's placements of `out` are kept.
fn slots_after_lane_one(case: &Case, out: &Outcome) -> Vec<u32> {
    case.workers
        .iter()
        .map(|w| {
            let lane_one = out.assignments.iter().filter(|a| a.lane == Lane::Priority && a.worker == w.wallet).count();
            w.free_slots - lane_one as u32
        })
        .collect()
}

/// The most of `jobs` (indexes into the case's jobs) the slots `cap` take:
/// augmenting paths over single workers (Kuhn with capacities).
fn max_matching(case: &Case, jobs: &[usize], cap: &[u32]) -> usize {
    fn augment(case: &Case, j: usize, cap: &[u32], holds: &mut [Vec<usize>], seen: &mut [bool]) -> bool {
        for w in 0..case.workers.len() {
            if seen[w] || !meets(&case.jobs[j], &case.workers[w]) {
                continue;
            }
            seen[w] = true;
            if (holds[w].len() as u32) < cap[w] {
                holds[w].push(j);
                return true;
            }
            for k in 0..holds[w].len() {
                let other = holds[w][k];
                if augment(case, other, cap, holds, seen) {
                    holds[w][k] = j;
                    return true;
                }
            }
        }
        false
    }
    let mut holds = vec![Vec::new(); case.workers.len()];
    jobs.iter().filter(|&&j| augment(case, j, cap, &mut holds, &mut vec![false; case.workers.len()])).count()
}

/// The most of `jobs` the slots `cap` take, by trying every assignment.
fn brute_force(case: &Case, jobs: &[usize], cap: &mut [u32]) -> usize {
    let Some((&j, rest)) = jobs.split_first() else { return 0 };
    let mut best = brute_force(case, rest, cap);
    for w in 0..case.workers.len() {
        if cap[w] > 0 && meets(&case.jobs[j], &case.workers[w]) {
            cap[w] -= 1;
            best = best.max(1 + brute_force(case, rest, cap));
            cap[w] += 1;
        }
    }
    best
}

/// The case's jobs not in lane 1, as indexes, in service order.
fn not_lane_one(case: &Case) -> Vec<usize> {
    let index: HashMap<&str, usize> = case.jobs.iter().enumerate().map(|(i, j)| (j.id.as_str(), i)).collect();
    case.in_order().iter().filter(|(_, l, _)| *l != 1).map(|(j, _, _)| index[j.id.as_str()]).collect()
}

/// The round restricted to the first `k` jobs of its service order, the
/// others kept as jobs no worker can run (so the round's VRAM minimums, and
/// with them its groups, stay the same): the state of the round after its
/// `k`-th job.
fn prefix(case: &Case, k: usize) -> Case {
    let mut c = case.clone();
    c.jobs = case
        .in_order()
        .iter()
        .enumerate()
        .map(|(i, (j, _, _))| {
            let mut j = (*j).clone();
            if i >= k {
                j.needs.gpu_models = Some(Vec::new());
            }
            j
        })
        .collect();
    c
}

// ------------------------------------------------------------- the properties

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_engine_gives_exactly_what_the_spec_model_gives(case in case_strategy()) {
        let out = case.run();
        prop_assert_eq!(events(&case, &out), model_round(&case, true));
    }

    #[test]
    fn without_chains_the_baseline_gives_what_section_ten_gave_before_its_amendment(case in case_strategy()) {
        prop_assert_eq!(events(&case, &case.run_greedy()), model_round(&case, false));
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
    fn the_jobs_served_are_the_most_any_assignment_keeping_lane_one_serves(case in case_strategy()) {
        let out = case.run();
        let served = out.assignments.iter().filter(|a| a.lane != Lane::Priority).count();
        let rest = not_lane_one(&case);
        let mut cap = slots_after_lane_one(&case, &out);
        prop_assert_eq!(served, max_matching(&case, &rest, &cap), "against the max-flow");
        if rest.len() <= 7 {
            prop_assert_eq!(served, brute_force(&case, &rest, &mut cap), "against every assignment");
        }
    }

    #[test]
    fn lane_one_gets_exactly_its_placements_without_chains_and_is_never_moved(case in case_strategy()) {
        let lane_one = |o: &Outcome| o.assignments.iter().filter(|a| a.lane == Lane::Priority).cloned().collect::<Vec<_>>();
        let (rule, greedy) = (case.run(), case.run_greedy());
        prop_assert_eq!(lane_one(&rule), lane_one(&greedy));
        prop_assert!(lane_one(&rule).iter().all(|a| a.moved == 0));
        let waiting = |o: &Outcome| o.waiting.iter().filter(|w| w.lane == Lane::Priority).cloned().collect::<Vec<_>>();
        prop_assert_eq!(waiting(&rule), waiting(&greedy));
    }

    #[test]
    fn no_placed_job_is_dropped_and_moved_is_zero_exactly_for_direct_placements(case in case_strategy()) {
        let jobs = case.in_order();
        let full = case.run();
        let mut served_before: HashSet<String> = HashSet::new();
        for (k, (job, _, _)) in jobs.iter().enumerate() {
            let before = prefix(&case, k).run();
            let after = prefix(&case, k + 1).run();
            let served: HashSet<String> = after.assignments.iter().map(|a| a.job.clone()).collect();
            prop_assert!(served_before.is_subset(&served), "job {} dropped a placed job", job.id);
            // Whether a feasible worker had a slot left when job k's turn came.
            let mut left: HashMap<&str, u32> = case.workers.iter().map(|w| (w.wallet.as_str(), w.free_slots)).collect();
            for a in &before.assignments {
                *left.get_mut(a.worker.as_str()).unwrap() -= 1;
            }
            let direct = case.workers.iter().any(|w| left[w.wallet.as_str()] > 0 && meets(job, w));
            if let Some(a) = full.assignments.iter().find(|a| a.job == job.id) {
                prop_assert_eq!(a.moved == 0, direct, "job {} moved {}", a.job, a.moved);
            }
            served_before = served;
        }
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
        // Direct placements, replayed in service order with the slots left
        // at each turn (without chains every placement is direct and final;
        // the engine's are checked against the model above).
        let out = case.run_greedy();
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
        let out = case.run_greedy();
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
    fn the_per_job_scan_baseline_gives_what_the_baseline_without_chains_gives(case in case_strategy()) {
        let scanned = dispatch_by_scan(&case.jobs, &case.workers, &case.standings(), &case.classes(), &case.options()).unwrap();
        prop_assert_eq!(scanned, case.run_greedy());
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
            // The queue keeps the waiting jobs, one round older; a slot per two jobs comes back.
            prop_assert_eq!(d.queue().len(), cold.waiting.len());
            for j in d.queue() {
                let before = queue.iter().find(|q| q.id == j.id).unwrap();
                prop_assert_eq!(j.waited_rounds, before.waited_rounds + 1);
            }
            for a in warm.assignments.iter().step_by(2) {
                let now = d.worker(&a.worker).unwrap().free_slots;
                d.set_free_slots(&a.worker, now + 1).unwrap();
            }
            // New jobs arrive for the next round.
            for j in &case.jobs {
                d.submit(Job { id: format!("{}-r{round}", j.id), ..j.clone() }).unwrap();
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn in_rounds_that_need_chains_the_engine_is_the_model_and_the_max_flow(case in big_case_strategy()) {
        let out = case.run();
        prop_assert_eq!(events(&case, &out), model_round(&case, true));
        let served = out.assignments.iter().filter(|a| a.lane != Lane::Priority).count();
        prop_assert_eq!(served, max_matching(&case, &not_lane_one(&case), &slots_after_lane_one(&case, &out)));
        // The crate's own max-flow (merged needs and workers) agrees.
        let m = flow::max_served(&case.jobs, &case.workers, &flow::lane_one_of(&out)).unwrap();
        prop_assert_eq!(m.keeping_lane_one, out.assignments.len());
        let all: Vec<usize> = (0..case.jobs.len()).collect();
        let caps: Vec<u32> = case.workers.iter().map(|w| w.free_slots).collect();
        prop_assert_eq!(m.any, max_matching(&case, &all, &caps));
    }

    #[test]
    fn in_rounds_that_need_chains_the_served_set_is_the_earliest_in_service_order(case in big_case_strategy()) {
        let out = case.run();
        let served: HashSet<&str> = out.assignments.iter().map(|a| a.job.as_str()).collect();
        let cap = slots_after_lane_one(&case, &out);
        let rest = not_lane_one(&case);
        for (k, &j) in rest.iter().enumerate() {
            if served.contains(case.jobs[j].id.as_str()) {
                continue;
            }
            // Job j with every job served before it: they cannot all be served.
            let mut with: Vec<usize> =
                rest[..k].iter().copied().filter(|&i| served.contains(case.jobs[i].id.as_str())).collect();
            with.push(j);
            prop_assert!(max_matching(&case, &with, &cap) < with.len(), "{} waits though it fits beside every earlier job", case.jobs[j].id);
        }
    }

    #[test]
    fn in_rounds_that_need_chains_lane_one_is_untouched(case in big_case_strategy()) {
        let lane_one = |o: &Outcome| o.assignments.iter().filter(|a| a.lane == Lane::Priority).cloned().collect::<Vec<_>>();
        prop_assert_eq!(lane_one(&case.run()), lane_one(&case.run_greedy()));
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
        // Two loads: one chains alone keep moving, one only aging serves (see the control below).
        let runs = steady_load_run(small, strong, max_wait, rounds, lane1_every).into_iter().chain(contested_run(max_wait, rounds));
        for (id, arrived, assigned) in runs {
            let bound = max_wait + 2;
            match assigned {
                Some(r) => prop_assert!(r - arrived <= bound, "{} waited {} rounds (max_wait {})", id, r - arrived, max_wait),
                None => prop_assert!(rounds - arrived <= bound, "{} still waits after {} rounds", id, rounds - arrived),
            }
        }
    }
}

/// The control of aging under chains: one strong GPU with one slot, a pass
/// holder's job only it can run every round, and at round 0 one job of
/// lane 3 only it can run. No chain can help (no job can move anywhere):
/// only aging serves the lane-3 job before the holder's.
fn contested_run(max_wait: u32, rounds: u32) -> Vec<(String, u32, Option<u32>)> {
    let mut d = Dispatcher::new(GpuClasses::spec_default(), Options { max_wait_rounds: max_wait });
    let creators = HashMap::from([("holder".to_string(), Standing { rank: 1, priority: false })]);
    let standings = RoleStandings { round: Some(1), members: creators };
    d.set_standings(Standings { creator: standings, worker: RoleStandings::default() }).unwrap();
    let strong = Worker {
        wallet: "strong".into(),
        gpu_model: "A100".into(),
        vram_gb: 80,
        hashpower: 0,
        region: "us".into(),
        free_slots: 1,
        idle_since: 0,
    };
    let mut arrived: Vec<(String, u32, Option<u32>)> = Vec::new();
    for round in 0..rounds {
        d.upsert_worker(strong.clone()).unwrap();
        let mut submit = |creator: &str, d: &mut Dispatcher| {
            let id = format!("{creator}{round:03}");
            let needs = JobNeeds { min_vram_gb: 48, ..JobNeeds::default() };
            d.submit(Job {
                id: id.clone(),
                creator: creator.into(),
                arrival: i64::from(round),
                waited_rounds: 0,
                needs,
            })
            .unwrap();
            arrived.push((id, round, None));
        };
        submit("holder", &mut d);
        if round == 0 {
            submit("someone", &mut d);
        }
        for a in d.round().assignments {
            arrived.iter_mut().find(|(id, _, _)| *id == a.job).unwrap().2 = Some(round);
        }
    }
    arrived
}

#[test]
fn without_aging_a_lane_three_job_for_the_strongest_gpus_would_starve() {
    // The control: with aging out of reach, the strong-GPU job of lane 3 never runs.
    let runs = contested_run(u32::MAX, 20);
    let starved: Vec<_> = runs.iter().filter(|(_, _, a)| a.is_none()).map(|(id, _, _)| id.as_str()).collect();
    assert_eq!(starved, ["someone000"], "only the lane-3 job starves, and the load needs aging: {runs:?}");
    // With aging, every job is served within max_wait + 2 rounds.
    let max_wait = 3;
    for (id, arrived, assigned) in contested_run(max_wait, 20) {
        if arrived < 15 {
            let r = assigned.unwrap_or_else(|| panic!("{id} never served"));
            assert!(r - arrived <= max_wait + 2, "{id} waited {} rounds", r - arrived);
        }
    }
}
