//! The worker index: workers grouped into buckets of one GPU class, model,
//! region and VRAM, each bucket holding its ready workers ordered by SPEC
//! §10's tie-breaks (worker standing, jobs this round, idle since, wallet).
//! Within each class, tournament trees over the buckets sorted by VRAM (one
//! for the class, one per model, per region and per model and region) give
//! the best ready worker meeting a job's hard needs in a few O(log n)
//! queries: a job costs the size of its own needs, never a look at every
//! bucket, and memory is a constant per bucket (SPEC §10: a round's time and
//! memory are bounded by its input).
use crate::chains::Chains;
use crate::classes::GpuClasses;
use crate::error::DispatchError;
use crate::hash::IdMap;
use crate::order::{check_worker, service_order};
use crate::tree::{pick, MinTree, NONE};
use crate::types::*;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// A ready worker's place in its bucket, lowest first: standing tier
/// (priority 0, ranked 1, others 2), rank, jobs given this round, idle
/// since, wallet; then its index (never compared: wallets are unique).
type Key = (u8, u32, u32, i64, Arc<str>, usize);

/// A worker in the index.
struct Entry {
    worker: Worker,
    wallet: Arc<str>,
    class: usize,
    tier: u8,
    rank: u32,
    /// Slots left.
    free: u32,
    /// Jobs given this round.
    assigned: u32,
    bucket: usize,
}

impl Entry {
    fn key(&self, index: usize) -> Key {
        (self.tier, self.rank, self.assigned, self.worker.idle_since, self.wallet.clone(), index)
    }
}

/// Workers of one class, model, region and VRAM.
pub(crate) struct Bucket {
    pub(crate) class: usize,
    pub(crate) model: u32,
    pub(crate) region: u32,
    pub(crate) vram_gb: u32,
    /// Workers with a slot left, best first.
    ready: BTreeSet<Key>,
    /// Workers in the bucket, with slots or not.
    members: usize,
    /// Slots left, all its workers together.
    pub(crate) free: u64,
    /// Its leaves: (tree, leaf).
    leaves: Vec<(u32, u32)>,
}

/// Names compared case-insensitively (Unicode lowercase), as small ids.
#[derive(Default)]
pub(crate) struct Names {
    ids: HashMap<String, u32>,
    /// Each id's lowercase name.
    names: Vec<String>,
}

impl Names {
    fn intern(&mut self, name: &str) -> u32 {
        let lower = name.to_lowercase();
        if let Some(&id) = self.ids.get(&lower) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(lower.clone());
        self.ids.insert(lower, id);
        id
    }

    fn lookup(&self, name: &str) -> Option<u32> {
        // Most names are written in lowercase already: no copy for those.
        if name.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
            return self.ids.get(name).copied();
        }
        self.ids.get(&name.to_lowercase()).copied()
    }

    /// The known ids of `names`, sorted (unknown names match no worker).
    fn ids(&self, names: &[String]) -> Vec<u32> {
        let mut ids: Vec<u32> = names.iter().filter_map(|n| self.lookup(n)).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The lowercase name of `id`.
    pub(crate) fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }
}

/// A job's hard needs, as the index sees them: known model and region ids,
/// sorted (`None`: any).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Needs {
    pub(crate) models: Option<Vec<u32>>,
    pub(crate) regions: Option<Vec<u32>>,
    pub(crate) min_vram_gb: u32,
}

/// A type's models and regions (`None`: any).
type Spec = (Option<Vec<u32>>, Option<Vec<u32>>);

/// The round's job types: distinct hard needs.
#[derive(Default)]
pub(crate) struct Types {
    needs: Vec<Needs>,
    /// Whether some worker of the pool meets them (once asked).
    can_run: Vec<Option<bool>>,
    /// Each type's models and regions as a number: types of one spec differ
    /// only by their VRAM minimum, so their feasible groups are nested.
    spec: Vec<u32>,
    specs: HashMap<Spec, u32>,
}

impl Types {
    fn add(&mut self, needs: Needs) -> u32 {
        let next = self.specs.len() as u32;
        let spec = *self.specs.entry((needs.models.clone(), needs.regions.clone())).or_insert(next);
        self.spec.push(spec);
        self.needs.push(needs);
        self.can_run.push(None);
        (self.needs.len() - 1) as u32
    }

    /// The spec of type `t`.
    pub(crate) fn spec(&self, t: u32) -> u32 {
        self.spec[t as usize]
    }

    /// How many specs.
    pub(crate) fn specs(&self) -> usize {
        self.specs.len()
    }

    /// The needs of type `t`.
    pub(crate) fn needs(&self, t: u32) -> &Needs {
        &self.needs[t as usize]
    }

    /// How many types.
    pub(crate) fn len(&self) -> usize {
        self.needs.len()
    }
}

/// The trees of each class.
#[derive(Default)]
struct Trees {
    trees: Vec<MinTree>,
    /// Per class: the tree of all its buckets.
    all: Vec<u32>,
    by_model: IdMap<(usize, u32), u32>,
    by_region: IdMap<(usize, u32), u32>,
    by_pair: IdMap<(usize, u32, u32), u32>,
    /// Per class and model: the regions it has buckets in, sorted.
    regions_of: IdMap<(usize, u32), Vec<u32>>,
}

/// Whether bucket a's best ready worker comes before bucket b's.
fn better(buckets: &[Bucket], a: u32, b: u32) -> bool {
    buckets[a as usize].ready.first() < buckets[b as usize].ready.first()
}

impl Trees {
    /// The bucket with the best ready worker among `trees` from `min_vram_gb` on.
    fn best(&self, buckets: &[Bucket], trees: impl Iterator<Item = u32>, min_vram_gb: u32) -> u32 {
        trees.fold(NONE, |acc, t| {
            let b = self.trees[t as usize].best_from(min_vram_gb, |x, y| better(buckets, x, y));
            pick(acc, b, |x, y| better(buckets, x, y))
        })
    }

    /// The trees of class `class` that together hold exactly its buckets of
    /// the models and regions given (`None`: any).
    fn covering<'a>(
        &'a self,
        class: usize,
        models: Option<&'a [u32]>,
        regions: Option<&'a [u32]>,
    ) -> Box<dyn Iterator<Item = u32> + 'a> {
        match (models, regions) {
            (None, None) => Box::new(self.all.get(class).copied().filter(|&t| t != NONE).into_iter()),
            (Some(ms), None) => Box::new(ms.iter().filter_map(move |m| self.by_model.get(&(class, *m)).copied())),
            (None, Some(rs)) => Box::new(rs.iter().filter_map(move |r| self.by_region.get(&(class, *r)).copied())),
            (Some(ms), Some(rs)) => Box::new(ms.iter().flat_map(move |&m| {
                // The shorter of the two lists of regions: the job's, or those the model is in.
                let known = self.regions_of.get(&(class, m)).map_or(&[][..], |v| v.as_slice());
                let pairs: Box<dyn Iterator<Item = u32> + 'a> = if known.len() < rs.len() {
                    Box::new(known.iter().copied().filter(move |r| rs.binary_search(r).is_ok()))
                } else {
                    Box::new(rs.iter().copied())
                };
                pairs.filter_map(move |r| self.by_pair.get(&(class, m, r)).copied())
            })),
        }
    }
}

/// The index; also what one round changes (slots taken, jobs per worker).
pub(crate) struct Index {
    classes: GpuClasses,
    standings: RoleStandings,
    pub(crate) models: Names,
    pub(crate) regions: Names,
    entries: Vec<Option<Entry>>,
    vacant: Vec<usize>,
    by_wallet: HashMap<Arc<str>, usize>,
    pub(crate) buckets: Vec<Bucket>,
    bucket_ids: HashMap<(usize, u32, u32, u32), usize>,
    trees: Trees,
    /// A bucket was added since the trees were built.
    stale: bool,
    /// Workers given a job this round.
    touched: Vec<usize>,
    /// Free slots of all workers.
    ready_slots: u64,
}

/// Which rule a round follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rule {
    /// SPEC §10: direct placements, then chains that move placed jobs.
    Chains,
    /// §10 before its amendment (no chains): the baseline of the benches.
    Greedy,
}

/// Where a job of the round stands: its worker now, how many placed jobs
/// its own placement moved.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Placed {
    pub(crate) entry: usize,
    pub(crate) moved: u32,
}

impl Index {
    pub(crate) fn new(classes: GpuClasses) -> Self {
        Index {
            classes,
            standings: RoleStandings::default(),
            models: Names::default(),
            regions: Names::default(),
            entries: Vec::new(),
            vacant: Vec::new(),
            by_wallet: HashMap::new(),
            buckets: Vec::new(),
            bucket_ids: HashMap::new(),
            trees: Trees::default(),
            stale: true,
            touched: Vec::new(),
            ready_slots: 0,
        }
    }

    fn tier(&self, wallet: &str) -> (u8, u32) {
        match self.standings.get(wallet) {
            Some(s) if s.priority => (0, s.rank),
            Some(s) => (1, s.rank),
            None => (2, 0),
        }
    }

    /// The workers' standings (SPEC §10: priority workers by rank, then other
    /// ranked workers by rank, then everyone else); re-orders every worker.
    pub(crate) fn set_standings(&mut self, standings: &RoleStandings) {
        self.standings = standings.clone();
        for i in 0..self.entries.len() {
            let Some(e) = self.entries[i].as_ref() else { continue };
            let (tier, rank) = self.tier(&e.wallet);
            self.rekey(i, |e| (e.tier, e.rank) = (tier, rank));
        }
    }

    /// Applies `change` to entry `i`, keeping its bucket's order and trees.
    fn rekey(&mut self, i: usize, change: impl FnOnce(&mut Entry)) {
        let e = self.entries[i].as_mut().expect("a live entry");
        let b = e.bucket;
        let bucket = &mut self.buckets[b];
        if e.free > 0 {
            bucket.ready.remove(&e.key(i));
        }
        self.ready_slots -= u64::from(e.free);
        bucket.free -= u64::from(e.free);
        change(e);
        self.ready_slots += u64::from(e.free);
        bucket.free += u64::from(e.free);
        if e.free > 0 {
            bucket.ready.insert(e.key(i));
        }
        self.refresh_bucket(b);
    }

    /// Puts bucket `b`'s best worker and membership into its trees.
    fn refresh_bucket(&mut self, b: usize) {
        if self.stale {
            return;
        }
        let (buckets, trees) = (&self.buckets, &mut self.trees.trees);
        let bucket = &buckets[b];
        let (ready, members) = (!bucket.ready.is_empty(), bucket.members > 0);
        for &(t, leaf) in &bucket.leaves {
            trees[t as usize].set(leaf as usize, ready, members, |x, y| better(buckets, x, y));
        }
    }

    /// Builds the trees anew (after buckets were added).
    fn rebuild_trees(&mut self) {
        // (kind: 0 class, 1 model, 2 region, 3 pair; class; model; region) → (bucket, VRAM) leaves.
        type Leaves = HashMap<(u8, usize, u32, u32), Vec<(u32, u32)>>;
        let mut groups: Leaves = HashMap::new();
        for (b, bucket) in self.buckets.iter().enumerate() {
            let leaf = (b as u32, bucket.vram_gb);
            let c = bucket.class;
            groups.entry((0, c, 0, 0)).or_default().push(leaf);
            groups.entry((1, c, bucket.model, 0)).or_default().push(leaf);
            groups.entry((2, c, bucket.region, 0)).or_default().push(leaf);
            groups.entry((3, c, bucket.model, bucket.region)).or_default().push(leaf);
        }
        let mut t = Trees { all: vec![NONE; self.classes.len()], ..Trees::default() };
        for b in &mut self.buckets {
            b.leaves.clear();
        }
        // Tree ids in a fixed order, so the index does not depend on hash order.
        let mut keys: Vec<_> = groups.keys().copied().collect();
        keys.sort_unstable();
        for key in keys {
            let tree = MinTree::new(groups.remove(&key).expect("a group"));
            let id = t.trees.len() as u32;
            for (leaf, &b) in tree.buckets().iter().enumerate() {
                self.buckets[b as usize].leaves.push((id, leaf as u32));
            }
            match key {
                (0, c, _, _) => t.all[c] = id,
                (1, c, m, _) => _ = t.by_model.insert((c, m), id),
                (2, c, r, _) => _ = t.by_region.insert((c, r), id),
                (_, c, m, r) => {
                    t.by_pair.insert((c, m, r), id);
                    t.regions_of.entry((c, m)).or_default().push(r);
                }
            }
            t.trees.push(tree);
        }
        for regions in t.regions_of.values_mut() {
            regions.sort_unstable();
        }
        self.trees = t;
        self.stale = false;
        for b in 0..self.buckets.len() {
            self.refresh_bucket(b);
        }
    }

    fn bucket(&mut self, class: usize, model: u32, region: u32, vram_gb: u32) -> usize {
        if let Some(&b) = self.bucket_ids.get(&(class, model, region, vram_gb)) {
            return b;
        }
        let b = self.buckets.len();
        self.buckets.push(Bucket {
            class,
            model,
            region,
            vram_gb,
            ready: BTreeSet::new(),
            members: 0,
            free: 0,
            leaves: Vec::new(),
        });
        self.bucket_ids.insert((class, model, region, vram_gb), b);
        self.stale = true;
        b
    }

    /// Adds a worker (refused: an empty or known wallet).
    pub(crate) fn insert(&mut self, worker: Worker) -> Result<(), DispatchError> {
        check_worker(&worker)?;
        if self.by_wallet.contains_key(worker.wallet.as_str()) {
            return Err(DispatchError::DuplicateWorker(worker.wallet));
        }
        let model = self.models.intern(&worker.gpu_model);
        let region = self.regions.intern(&worker.region);
        let class = self.classes.class_of(worker.vram_gb, worker.hashpower);
        let bucket = self.bucket(class, model, region, worker.vram_gb);
        let wallet: Arc<str> = Arc::from(worker.wallet.as_str());
        let (tier, rank) = self.tier(&wallet);
        let free = worker.free_slots;
        let entry = Entry { worker, wallet: wallet.clone(), class, tier, rank, free, assigned: 0, bucket };
        let i = match self.vacant.pop() {
            Some(i) => i,
            None => {
                self.entries.push(None);
                self.entries.len() - 1
            }
        };
        let b = &mut self.buckets[bucket];
        b.members += 1;
        b.free += u64::from(free);
        if free > 0 {
            b.ready.insert(entry.key(i));
        }
        self.ready_slots += u64::from(free);
        self.entries[i] = Some(entry);
        self.by_wallet.insert(wallet, i);
        self.refresh_bucket(bucket);
        Ok(())
    }

    /// Takes a worker out; whether it was there.
    pub(crate) fn remove(&mut self, wallet: &str) -> bool {
        let Some(i) = self.by_wallet.remove(wallet) else { return false };
        let e = self.entries[i].take().expect("a live entry");
        let b = &mut self.buckets[e.bucket];
        if e.free > 0 {
            b.ready.remove(&e.key(i));
        }
        b.members -= 1;
        b.free -= u64::from(e.free);
        self.ready_slots -= u64::from(e.free);
        self.vacant.push(i);
        self.refresh_bucket(e.bucket);
        true
    }

    /// Whether a worker with this wallet is indexed.
    pub(crate) fn contains(&self, wallet: &str) -> bool {
        self.by_wallet.contains_key(wallet)
    }

    /// A worker as indexed, its `free_slots` the slots left now.
    pub(crate) fn worker(&self, wallet: &str) -> Option<Worker> {
        let e = self.entries[*self.by_wallet.get(wallet)?].as_ref()?;
        Some(Worker { free_slots: e.free, ..e.worker.clone() })
    }

    /// Sets a worker's free slots (it finished work, or took some elsewhere).
    pub(crate) fn set_free_slots(&mut self, wallet: &str, free_slots: u32) -> Result<(), DispatchError> {
        let i = *self.by_wallet.get(wallet).ok_or_else(|| DispatchError::UnknownWorker(wallet.to_string()))?;
        self.rekey(i, |e| e.free = free_slots);
        Ok(())
    }

    /// Workers indexed.
    pub(crate) fn len(&self) -> usize {
        self.by_wallet.len()
    }

    /// A job's needs as ids.
    pub(crate) fn needs(&self, needs: &JobNeeds) -> Needs {
        Needs {
            models: needs.gpu_models.as_deref().map(|m| self.models.ids(m)),
            regions: needs.regions.as_deref().map(|r| self.regions.ids(r)),
            min_vram_gb: needs.min_vram_gb,
        }
    }

    /// The bucket with the best ready worker of `class` meeting `needs`, a
    /// worker in region `preferred` first.
    fn best_in_class(&self, class: usize, needs: &Needs, preferred: Option<u32>) -> u32 {
        let (models, regions) = (needs.models.as_deref(), needs.regions.as_deref());
        if let Some(p) = preferred.filter(|p| regions.is_none_or(|r| r.binary_search(p).is_ok())) {
            let near = self.trees.covering(class, models, Some(std::slice::from_ref(&p)));
            let b = self.trees.best(&self.buckets, near, needs.min_vram_gb);
            if b != NONE {
                return b;
            }
        }
        self.trees.best(&self.buckets, self.trees.covering(class, models, regions), needs.min_vram_gb)
    }

    /// SPEC §10's direct placement: the worker a job takes if a feasible one
    /// has a slot left (a holder's job the best class, any other the
    /// lowest; within it, the preferred region, then the worker order).
    fn place(&self, needs: &Needs, preferred: Option<u32>, holder: bool) -> Option<usize> {
        if self.ready_slots == 0 {
            return None;
        }
        let n = self.classes.len();
        (0..n).map(|step| if holder { n - 1 - step } else { step }).find_map(|class| {
            let b = self.best_in_class(class, needs, preferred);
            (b != NONE).then(|| self.best_worker(b as usize))
        })
    }

    /// Bucket `b`'s best ready worker.
    pub(crate) fn best_worker(&self, b: usize) -> usize {
        self.buckets[b].ready.first().expect("a ready worker").5
    }

    /// Whether bucket `b`'s best ready worker comes before bucket `c`'s (both ready).
    pub(crate) fn bucket_before(&self, b: usize, c: usize) -> bool {
        better(&self.buckets, b as u32, c as u32)
    }

    /// Whether some worker of the pool meets `needs`, whatever its slots.
    fn can_run(&self, needs: &Needs) -> bool {
        let (models, regions) = (needs.models.as_deref(), needs.regions.as_deref());
        (0..self.classes.len()).any(|class| {
            self.trees
                .covering(class, models, regions)
                .any(|t| self.trees.trees[t as usize].any_from(needs.min_vram_gb))
        })
    }

    /// One slot of worker `i` goes to a job.
    pub(crate) fn take(&mut self, i: usize) {
        if self.entries[i].as_ref().is_some_and(|e| e.assigned == 0) {
            self.touched.push(i);
        }
        self.rekey(i, |e| {
            e.assigned += 1;
            e.free -= 1;
        });
    }

    /// Entry `i`'s bucket.
    pub(crate) fn bucket_of(&self, i: usize) -> usize {
        self.entries[i].as_ref().expect("a live entry").bucket
    }

    /// Serves `jobs` in service order under `rule`; returns the round's
    /// outcome. The slots taken stay taken; [`Index::end_round`] starts the
    /// next round's count of jobs per worker.
    pub(crate) fn serve(&mut self, jobs: &[Job], creators: &RoleStandings, options: &Options, rule: Rule) -> Outcome {
        if self.stale {
            self.rebuild_trees();
        }
        let order = service_order(jobs, creators, options);
        // Jobs with the same hard needs are one type: its needs, and whether
        // some worker of the pool can run it, are worked out once.
        let mut kinds: HashMap<Needs, u32> = HashMap::new();
        let mut types = Types::default();
        let job_type: Vec<u32> = order
            .iter()
            .map(|(j, _)| {
                let needs = self.needs(&j.needs);
                *kinds.entry(needs).or_insert_with_key(|n| types.add(n.clone()))
            })
            .collect();
        drop(kinds);
        let mut placed: Vec<Option<Placed>> = vec![None; order.len()];
        let mut waits: Vec<Option<WaitReason>> = vec![None; order.len()];
        let mut chains: Option<Chains> = None;
        // Jobs placed this round that a chain may move (lanes 2 and 3).
        let mut movable = 0usize;
        for (pos, (job, p)) in order.iter().enumerate() {
            let may_move = p.lane != Lane::Priority;
            // A preferred region no worker is in prefers nobody.
            let preferred = job.needs.preferred_region.as_deref().and_then(|r| self.regions.lookup(r));
            let t = job_type[pos];
            if let Some(i) = self.place(types.needs(t), preferred, p.lane.holder()) {
                self.take(i);
                placed[pos] = Some(Placed { entry: i, moved: 0 });
                if let Some(c) = chains.as_mut() {
                    c.placed(self, pos, t, i, may_move);
                }
                movable += usize::from(may_move);
                continue;
            }
            // All feasible workers are full: a job of lane 2 or 3 may still
            // be served by moving placed jobs along a chain (SPEC §10).
            if rule == Rule::Chains && may_move && movable > 0 {
                let c = chains.get_or_insert_with(|| Chains::new(self, &types, &job_type, &placed, &order));
                if c.serve(self, &types, pos, &job_type, &mut placed) {
                    movable += 1;
                    continue;
                }
            }
            let runs = match types.can_run[t as usize] {
                Some(runs) => runs,
                None => {
                    let runs = self.can_run(types.needs(t));
                    types.can_run[t as usize] = Some(runs);
                    runs
                }
            };
            waits[pos] = Some(if runs { WaitReason::AllFeasibleWorkersFull } else { WaitReason::NoWorkerCanRun });
        }
        let mut out = Outcome::default();
        for (pos, (job, p)) in order.iter().enumerate() {
            if let Some(at) = placed[pos] {
                let e = self.entries[at.entry].as_ref().expect("a live entry");
                out.assignments.push(Assignment {
                    job: job.id.clone(),
                    worker: e.worker.wallet.clone(),
                    lane: p.lane,
                    aged: p.aged,
                    class: e.class,
                    moved: at.moved,
                });
            } else if let Some(reason) = waits[pos] {
                out.waiting.push(Waiting { job: job.id.clone(), lane: p.lane, aged: p.aged, reason });
            }
        }
        out
    }

    /// Forgets the round's jobs per worker (the next round counts anew).
    pub(crate) fn end_round(&mut self) {
        for i in std::mem::take(&mut self.touched) {
            if self.entries[i].is_some() {
                self.rekey(i, |e| e.assigned = 0);
            }
        }
    }
}
