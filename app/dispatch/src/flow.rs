//! How good a round is: the most jobs any feasible assignment of the round
//! serves, by a max-flow (Dinic) from jobs to worker slots, with jobs of the
//! same hard needs and workers of the same model, region and VRAM merged
//! (their capacities summed), so a network-scale round is a graph of a few
//! thousand nodes. Written apart from the engine (its own lowercase
//! matching, no index, no chain): the bench, the demo and the README
//! compare the engine's assignments with it ("jobs served as a share of the
//! maximum"), SPEC §10's target being 100 % of the maximum that keeps lane
//! 1's placements.
use crate::error::DispatchError;
use crate::types::*;
use std::collections::{BTreeMap, HashMap, VecDeque};

/// The most jobs a round can serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxServed {
    /// By any feasible assignment of all its jobs.
    pub any: usize,
    /// By any feasible assignment that keeps lane 1's placements (those of
    /// `lane_one`: job → worker) and serves the other jobs where it can.
    pub keeping_lane_one: usize,
}

/// The most jobs of `jobs` that `workers`' free slots can take, and the
/// most with the lane-1 placements `lane_one` (job id → worker wallet,
/// from the engine's outcome) kept. `lane_one` names jobs of lane 1 and
/// workers of the round.
pub fn max_served(
    jobs: &[Job],
    workers: &[Worker],
    lane_one: &HashMap<&str, &str>,
) -> Result<MaxServed, DispatchError> {
    let any = max_flow(jobs.iter(), workers, &HashMap::new());
    let mut used: HashMap<&str, u64> = HashMap::new();
    for (job, worker) in lane_one {
        if !jobs.iter().any(|j| j.id == *job) || !workers.iter().any(|w| w.wallet == *worker) {
            return Err(DispatchError::Malformed(format!("lane-1 placement {job} → {worker}: not of this round")));
        }
        *used.entry(*worker).or_default() += 1;
    }
    let rest = jobs.iter().filter(|j| !lane_one.contains_key(j.id.as_str()));
    let keeping_lane_one = lane_one.len() + max_flow(rest, workers, &used);
    Ok(MaxServed { any, keeping_lane_one })
}

/// The lane-1 placements of an outcome, for [`max_served`].
pub fn lane_one_of(outcome: &Outcome) -> HashMap<&str, &str> {
    outcome
        .assignments
        .iter()
        .filter(|a| a.lane == Lane::Priority)
        .map(|a| (a.job.as_str(), a.worker.as_str()))
        .collect()
}

/// Hard needs, lowercased.
type Need = (Option<Vec<String>>, Option<Vec<String>>, u32);

fn lower(list: &Option<Vec<String>>) -> Option<Vec<String>> {
    list.as_ref().map(|l| {
        let mut v: Vec<String> = l.iter().map(|s| s.to_lowercase()).collect();
        v.sort();
        v.dedup();
        v
    })
}

/// The largest number of `jobs` the workers' free slots (less `used`) can take.
fn max_flow<'a>(jobs: impl Iterator<Item = &'a Job>, workers: &[Worker], used: &HashMap<&str, u64>) -> usize {
    let mut needs: BTreeMap<Need, u64> = BTreeMap::new();
    for j in jobs {
        let n = &j.needs;
        *needs.entry((lower(&n.gpu_models), lower(&n.regions), n.min_vram_gb)).or_default() += 1;
    }
    let mut slots: BTreeMap<(String, String, u32), u64> = BTreeMap::new();
    for w in workers {
        let free = u64::from(w.free_slots).saturating_sub(used.get(w.wallet.as_str()).copied().unwrap_or(0));
        *slots.entry((w.gpu_model.to_lowercase(), w.region.to_lowercase(), w.vram_gb)).or_default() += free;
    }
    let (needs, slots): (Vec<_>, Vec<_>) = (needs.into_iter().collect(), slots.into_iter().collect());
    // Nodes: 0 source, 1 sink, the needs, the slots.
    let mut g = Dinic::new(2 + needs.len() + slots.len());
    for (i, (_, count)) in needs.iter().enumerate() {
        g.edge(0, 2 + i, *count);
    }
    for (k, (_, free)) in slots.iter().enumerate() {
        g.edge(2 + needs.len() + k, 1, *free);
    }
    for (i, ((models, regions, min_vram), count)) in needs.iter().enumerate() {
        for (k, ((model, region, vram), _)) in slots.iter().enumerate() {
            let fits = vram >= min_vram
                && models.as_ref().is_none_or(|m| m.binary_search(model).is_ok())
                && regions.as_ref().is_none_or(|r| r.binary_search(region).is_ok());
            if fits {
                g.edge(2 + i, 2 + needs.len() + k, *count);
            }
        }
    }
    g.run(0, 1) as usize
}

/// Dinic's max-flow.
struct Dinic {
    /// Per node: edge ids.
    out: Vec<Vec<usize>>,
    /// Edge id → (to, capacity left); edge e ^ 1 is its reverse.
    edges: Vec<(usize, u64)>,
    level: Vec<i32>,
    next: Vec<usize>,
}

impl Dinic {
    fn new(nodes: usize) -> Self {
        Dinic { out: vec![Vec::new(); nodes], edges: Vec::new(), level: vec![0; nodes], next: vec![0; nodes] }
    }

    fn edge(&mut self, from: usize, to: usize, cap: u64) {
        self.out[from].push(self.edges.len());
        self.edges.push((to, cap));
        self.out[to].push(self.edges.len());
        self.edges.push((from, 0));
    }

    fn levels(&mut self, s: usize, t: usize) -> bool {
        self.level.iter_mut().for_each(|l| *l = -1);
        self.level[s] = 0;
        let mut queue = VecDeque::from([s]);
        while let Some(u) = queue.pop_front() {
            for &e in &self.out[u] {
                let (v, cap) = self.edges[e];
                if cap > 0 && self.level[v] < 0 {
                    self.level[v] = self.level[u] + 1;
                    queue.push_back(v);
                }
            }
        }
        self.level[t] >= 0
    }

    fn push(&mut self, u: usize, t: usize, limit: u64) -> u64 {
        if u == t {
            return limit;
        }
        while self.next[u] < self.out[u].len() {
            let e = self.out[u][self.next[u]];
            let (v, cap) = self.edges[e];
            if cap > 0 && self.level[v] == self.level[u] + 1 {
                let pushed = self.push(v, t, limit.min(cap));
                if pushed > 0 {
                    self.edges[e].1 -= pushed;
                    self.edges[e ^ 1].1 += pushed;
                    return pushed;
                }
            }
            self.next[u] += 1;
        }
        0
    }

    fn run(&mut self, s: usize, t: usize) -> u64 {
        let mut flow = 0;
        while self.levels(s, t) {
            self.next.iter_mut().for_each(|n| *n = 0);
            loop {
                let pushed = self.push(s, t, u64::MAX);
                if pushed == 0 {
                    break;
                }
                flow += pushed;
            }
        }
        flow
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: &str, vram: u32, models: Option<&[&str]>) -> Job {
        Job {
            id: id.into(),
            creator: "c".into(),
            arrival: 0,
            waited_rounds: 0,
            needs: JobNeeds {
                gpu_models: models.map(|m| m.iter().map(|s| s.to_string()).collect()),
                min_vram_gb: vram,
                ..JobNeeds::default()
            },
        }
    }

    fn worker(wallet: &str, model: &str, vram: u32, slots: u32) -> Worker {
        Worker {
            wallet: wallet.into(),
            gpu_model: model.into(),
            vram_gb: vram,
            hashpower: 0,
            region: "eu".into(),
            free_slots: slots,
            idle_since: 0,
        }
    }

    #[test]
    fn the_maximum_counts_a_rearrangement_the_greedy_would_miss() {
        // A 24 GB job and a 48 GB job over one 24 GB and one 48 GB slot: both.
        let jobs = [job("small", 24, None), job("big", 48, None), job("none", 100, None)];
        let workers = [worker("w24", "A10", 24, 1), worker("w48", "A6000", 48, 1)];
        let m = max_served(&jobs, &workers, &HashMap::new()).unwrap();
        assert_eq!(m, MaxServed { any: 2, keeping_lane_one: 2 });
        // Keeping "small" on the 48 GB card leaves "big" out.
        let lane_one = HashMap::from([("small", "w48")]);
        assert_eq!(max_served(&jobs, &workers, &lane_one).unwrap().keeping_lane_one, 1);
        // Models compare case-insensitively.
        let picky = [job("p", 0, Some(&["a10"]))];
        assert_eq!(max_served(&picky, &workers, &HashMap::new()).unwrap().any, 1);
        assert!(max_served(&jobs, &workers, &HashMap::from([("ghost", "w24")])).is_err());
    }
}
