//! SPEC §10's "no slot idle that a waiting job could use": a job of lane 2
//! or 3 whose feasible workers are all full is served by moving placed jobs
//! (of lanes 2 and 3, placed this round) along the shortest chain that ends
//! at a worker with a free slot. This is Kuhn's augmenting path, taken in
//! service order, so the jobs served are the most any assignment that keeps
//! lane 1's placements serves, and the earliest in service order among
//! those.
//!
//! The search runs over **groups**, not workers: workers that no hard need
//! of the round can tell apart (one GPU class, model, region and VRAM range,
//! the ranges cut at the round's distinct VRAM minimums) form a group, and
//! jobs with the same hard needs a **type**. A breadth-first search from
//! the new job's feasible groups moves, level by level, to every group some
//! movable job of the level could move to, until it meets a group with a
//! free slot. Three facts keep it cheap: types with the same models and
//! regions differ only by their VRAM minimum, so their feasible groups are
//! nested and a level needs, per such spec, only the lowest minimum among
//! its jobs (one bitset union per spec, not per group); a search that fails
//! leaves a set of full groups no job can leave, which stays so for the rest
//! of the round (slots are only taken, never given back, within a round),
//! so every later job whose feasible groups lie inside such sets waits at
//! once; and a search stops at the first level that holds a free slot.
//!
//! Ties between chains of equal length (the README's "Chains: tie-breaks"):
//! the chain ends in the first group, in group order (class ascending, then
//! model, region and VRAM range ascending), among those with a free slot at
//! the shortest distance; walking back from it, each step comes from the
//! first group in group order at the distance before that can reach it;
//! out of each group moves, among its movable jobs whose hard needs the next
//! group meets, the one latest in service order, and the job coming in
//! takes the slot it leaves; the last moved job takes the end group's best
//! ready worker by §10's order (worker standing, jobs this round, idle
//! since, wallet).
use crate::index::{Index, Placed, Types};
use crate::order::Placement;
use crate::tree::NONE;
use crate::types::{Job, Lane};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A set of groups, one bit each, in group order.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Bits(Vec<u64>);

impl Bits {
    fn empty(n: usize) -> Self {
        Bits(vec![0; n.div_ceil(64)])
    }

    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    /// Sets `lo..hi`.
    fn set_range(&mut self, lo: usize, hi: usize) {
        let mut i = lo;
        while i < hi {
            if i.is_multiple_of(64) && hi - i >= 64 {
                self.0[i / 64] = u64::MAX;
                i += 64;
            } else {
                self.set(i);
                i += 1;
            }
        }
    }

    fn clear(&mut self, i: usize) {
        self.0[i / 64] &= !(1 << (i % 64));
    }

    fn has(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }

    fn or(&mut self, other: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }

    fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    /// `self` without `other`.
    fn minus(&self, other: &Bits) -> Bits {
        Bits(self.0.iter().zip(&other.0).map(|(a, b)| a & !b).collect())
    }

    fn and(&self, other: &Bits) -> Bits {
        Bits(self.0.iter().zip(&other.0).map(|(a, b)| a & b).collect())
    }

    /// The set members, in order.
    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(w, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let bit = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    w * 64 + bit
                })
            })
        })
    }
}

/// A group: workers the round's hard needs cannot tell apart.
struct Group {
    class: usize,
    model: u32,
    region: u32,
    /// How many of the round's VRAM minimums its workers meet.
    range: usize,
    buckets: Vec<usize>,
}

/// The groups in blocks of one class, model and region: each block is a
/// run of groups in group order, by VRAM range ascending, so the groups of
/// a block meeting a VRAM minimum are a suffix of it.
#[derive(Default)]
struct GroupIndex {
    /// Blocks as `[start, end)` runs of group numbers.
    blocks: Vec<(usize, usize)>,
    by_model: HashMap<u32, Vec<usize>>,
    by_region: HashMap<u32, Vec<usize>>,
    by_pair: HashMap<(u32, u32), Vec<usize>>,
}

/// The round's chain state, built at its first chain search.
pub(crate) struct Chains {
    /// The round's distinct VRAM minimums, ascending.
    minimums: Vec<u32>,
    groups: Vec<Group>,
    group_index: GroupIndex,
    group_of_bucket: Vec<u32>,
    /// Slots left per group, and the groups with one.
    free: Vec<u64>,
    has_free: Bits,
    /// Per group: its movable jobs by type, each set by service position.
    jobs: Vec<BTreeMap<u32, BTreeSet<usize>>>,
    /// Per group: where its movable jobs could go (`None`: to compute).
    reach: Vec<Option<Bits>>,
    /// Per spec, while a level is expanded: its type with the lowest VRAM minimum.
    lowest: Vec<u32>,
    /// Each type's feasible groups (computed when first needed).
    feasible: Vec<Option<Bits>>,
    /// Full groups no job can leave: a job whose feasible groups lie here waits.
    dead: Bits,
}

impl Chains {
    /// The state of the round so far: `job_type` and `placed` by service position.
    pub(crate) fn new(
        index: &Index,
        types: &Types,
        job_type: &[u32],
        placed: &[Option<Placed>],
        order: &[(&Job, Placement)],
    ) -> Self {
        let mut minimums: Vec<u32> = (0..types.len()).map(|t| types.needs(t as u32).min_vram_gb).collect();
        minimums.sort_unstable();
        minimums.dedup();
        let range = |vram: u32| minimums.partition_point(|&m| m <= vram);
        // Groups in group order: class, model, region (lowercase names), VRAM range.
        // (class, model name, region name, range) → (model, region, buckets).
        type Keys<'a> = BTreeMap<(usize, &'a str, &'a str, usize), (u32, u32, Vec<usize>)>;
        let mut keys: Keys = BTreeMap::new();
        for (b, bucket) in index.buckets.iter().enumerate() {
            let key = (
                bucket.class,
                index.models.name(bucket.model),
                index.regions.name(bucket.region),
                range(bucket.vram_gb),
            );
            keys.entry(key).or_insert_with(|| (bucket.model, bucket.region, Vec::new())).2.push(b);
        }
        let mut group_of_bucket = vec![NONE; index.buckets.len()];
        let mut groups = Vec::with_capacity(keys.len());
        for ((class, _, _, range), (model, region, buckets)) in keys {
            for &b in &buckets {
                group_of_bucket[b] = groups.len() as u32;
            }
            groups.push(Group { class, model, region, range, buckets });
        }
        let mut group_index = GroupIndex::default();
        for (g, group) in groups.iter().enumerate() {
            let same_block = g > 0 && {
                let before = &groups[g - 1];
                (before.class, before.model, before.region) == (group.class, group.model, group.region)
            };
            if same_block {
                group_index.blocks.last_mut().expect("a block").1 = g + 1;
                continue;
            }
            let block = group_index.blocks.len();
            group_index.blocks.push((g, g + 1));
            group_index.by_model.entry(group.model).or_default().push(block);
            group_index.by_region.entry(group.region).or_default().push(block);
            group_index.by_pair.entry((group.model, group.region)).or_default().push(block);
        }
        let n = groups.len();
        let free: Vec<u64> = groups.iter().map(|g| g.buckets.iter().map(|&b| index.buckets[b].free).sum()).collect();
        let mut has_free = Bits::empty(n);
        for (g, &f) in free.iter().enumerate() {
            if f > 0 {
                has_free.set(g);
            }
        }
        let mut chains = Chains {
            minimums,
            groups,
            group_index,
            group_of_bucket,
            free,
            has_free,
            jobs: vec![BTreeMap::new(); n],
            reach: vec![None; n],
            lowest: vec![NONE; types.specs()],
            feasible: vec![None; types.len()],
            dead: Bits::empty(n),
        };
        for (pos, at) in placed.iter().enumerate() {
            if let Some(at) = at {
                if order[pos].1.lane != Lane::Priority {
                    let g = chains.group_of(index, at.entry);
                    chains.enter(pos, job_type[pos], g);
                }
            }
        }
        chains
    }

    fn group_of(&self, index: &Index, entry: usize) -> usize {
        self.group_of_bucket[index.bucket_of(entry)] as usize
    }

    /// The groups type `t`'s jobs may run in: those of its models and
    /// regions (by the group index) whose VRAM range meets its minimum.
    fn feasible(&mut self, types: &Types, t: u32) -> &Bits {
        if self.feasible[t as usize].is_none() {
            let needs = types.needs(t);
            let mut bits = Bits::empty(self.groups.len());
            // A group meets the minimum iff its VRAM range lies at or above it.
            let range = self.minimums.partition_point(|&m| m < needs.min_vram_gb) + 1;
            let (groups, ix) = (&self.groups, &self.group_index);
            let mut add = |blocks: &[usize]| {
                for &b in blocks {
                    let (start, end) = ix.blocks[b];
                    let first = start + groups[start..end].partition_point(|g| g.range < range);
                    bits.set_range(first, end);
                }
            };
            match (&needs.models, &needs.regions) {
                (None, None) => add(&(0..ix.blocks.len()).collect::<Vec<_>>()),
                (Some(ms), None) => ms.iter().filter_map(|m| ix.by_model.get(m)).for_each(|b| add(b)),
                (None, Some(rs)) => rs.iter().filter_map(|r| ix.by_region.get(r)).for_each(|b| add(b)),
                (Some(ms), Some(rs)) => {
                    for m in ms {
                        rs.iter().filter_map(|r| ix.by_pair.get(&(*m, *r))).for_each(|b| add(b));
                    }
                }
            }
            self.feasible[t as usize] = Some(bits);
        }
        self.feasible[t as usize].as_ref().expect("computed")
    }

    /// Job `pos`, of type `t` (movable), now sits in group `g`.
    fn enter(&mut self, pos: usize, t: u32, g: usize) {
        let jobs = self.jobs[g].entry(t).or_default();
        if jobs.is_empty() {
            self.reach[g] = None;
        }
        jobs.insert(pos);
    }

    /// Job `pos`, of type `t`, leaves group `g`.
    fn leave(&mut self, pos: usize, t: u32, g: usize) {
        let jobs = self.jobs[g].get_mut(&t).expect("the job's type in its group");
        jobs.remove(&pos);
        if jobs.is_empty() {
            self.jobs[g].remove(&t);
            self.reach[g] = None;
        }
    }

    fn take_slot(&mut self, g: usize) {
        self.free[g] -= 1;
        if self.free[g] == 0 {
            self.has_free.clear(g);
        }
    }

    /// A direct placement of job `pos` on worker `entry`.
    pub(crate) fn placed(&mut self, index: &Index, pos: usize, t: u32, entry: usize, movable: bool) {
        let g = self.group_of(index, entry);
        self.take_slot(g);
        if movable {
            self.enter(pos, t, g);
        }
    }

    /// Every group some movable job of the groups `level` could move to.
    /// Two ways give the same set; the cheaper for the level is taken: the
    /// union of the groups' cached reaches (a bitset each), or, per spec,
    /// the feasible groups of its type with the lowest minimum (a look at
    /// each present type, then a bitset per spec).
    fn expand(&mut self, types: &Types, level: &Bits) -> Bits {
        let groups: Vec<usize> = level.iter().collect();
        let words = self.groups.len().div_ceil(64);
        let present: usize = groups.iter().map(|&g| self.jobs[g].len()).sum();
        if present < groups.len() * words {
            return self.union_of_lowest(types, &groups);
        }
        let mut next = Bits::empty(self.groups.len());
        for g in groups {
            next.or(self.reach(types, g));
        }
        next
    }

    /// Where group `g`'s movable jobs could go.
    fn reach(&mut self, types: &Types, g: usize) -> &Bits {
        if self.reach[g].is_none() {
            self.reach[g] = Some(self.union_of_lowest(types, &[g]));
        }
        self.reach[g].as_ref().expect("computed")
    }

    /// The groups the movable jobs of `groups` could move to: per spec
    /// present, the feasible groups of its type with the lowest minimum.
    fn union_of_lowest(&mut self, types: &Types, groups: &[usize]) -> Bits {
        let mut touched = Vec::new();
        for &g in groups {
            for &t in self.jobs[g].keys() {
                let s = types.spec(t) as usize;
                let low = self.lowest[s];
                if low == NONE {
                    touched.push(s);
                }
                if low == NONE || types.needs(t).min_vram_gb < types.needs(low).min_vram_gb {
                    self.lowest[s] = t;
                }
            }
        }
        let mut bits = Bits::empty(self.groups.len());
        for s in touched {
            let t = std::mem::replace(&mut self.lowest[s], NONE);
            bits.or(self.feasible(types, t));
        }
        bits
    }

    /// The job latest in service order of group `from` that may move to group `to`.
    fn mover(&mut self, types: &Types, from: usize, to: usize) -> Option<usize> {
        let present: Vec<u32> = self.jobs[from].keys().copied().collect();
        let fits: Vec<u32> = present.into_iter().filter(|&t| self.feasible(types, t).has(to)).collect();
        fits.into_iter().filter_map(|t| self.jobs[from][&t].last().copied()).max()
    }

    /// Serves job `pos` (its feasible workers all full) by the shortest
    /// chain, if there is one: moves the jobs, takes the end worker's slot,
    /// records the placements. Whether it was served.
    pub(crate) fn serve(
        &mut self,
        index: &mut Index,
        types: &Types,
        pos: usize,
        job_type: &[u32],
        placed: &mut [Option<Placed>],
    ) -> bool {
        let t0 = job_type[pos];
        self.feasible(types, t0);
        let feasible = self.feasible[t0 as usize].as_ref().expect("computed");
        let start = feasible.minus(&self.dead);
        if start.is_empty() {
            return false;
        }
        // Breadth-first over groups; the dead ones are never entered.
        let mut visited = feasible.clone();
        visited.or(&self.dead);
        let mut levels = vec![start];
        let end = loop {
            let next = self.expand(types, levels.last().expect("a level")).minus(&visited);
            if next.is_empty() {
                // Everything reachable is full and keeps its jobs: dead for the round.
                self.dead.or(&visited);
                return false;
            }
            if let Some(end) = next.and(&self.has_free).iter().next() {
                break end;
            }
            visited.or(&next);
            levels.push(next);
        };
        // Back from the end: each step's group, and the job that moves out of it.
        let mut path = vec![end];
        let mut moving = Vec::with_capacity(levels.len());
        for level in levels.iter().rev() {
            let to = *path.last().expect("a group");
            let (from, job) = level
                .iter()
                .find_map(|g| self.mover(types, g, to).map(|job| (g, job)))
                .expect("a group of the level reaches the next");
            path.push(from);
            moving.push(job);
        }
        path.reverse();
        moving.reverse();
        // path[0] is the new job's group; moving[i] goes from path[i] to path[i + 1].
        let end_group = &self.groups[end];
        let end_bucket = end_group
            .buckets
            .iter()
            .copied()
            .filter(|&b| index.buckets[b].free > 0)
            .reduce(|a, b| if index.bucket_before(b, a) { b } else { a })
            .expect("a bucket with a free slot");
        let end_worker = index.best_worker(end_bucket);
        let workers: Vec<usize> = moving.iter().map(|&j| placed[j].expect("a placed job").entry).collect();
        placed[pos] = Some(Placed { entry: workers[0], moved: moving.len() as u32 });
        for (i, &job) in moving.iter().enumerate() {
            let to = workers.get(i + 1).copied().unwrap_or(end_worker);
            placed[job].as_mut().expect("a placed job").entry = to;
            self.leave(job, job_type[job], path[i]);
            self.enter(job, job_type[job], path[i + 1]);
        }
        self.enter(pos, t0, path[0]);
        self.take_slot(end);
        index.take(end_worker);
        true
    }
}
