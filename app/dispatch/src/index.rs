//! The worker index: workers grouped into buckets of one GPU class, model,
//! region and VRAM, each bucket holding its ready workers ordered by SPEC
//! §10's tie-breaks (worker standing, jobs this round, idle since, wallet).
//! A job's hard needs select buckets (cached per distinct needs), so a job
//! costs a look at the first worker of the buckets it may use, not a scan
//! of every worker.
use crate::classes::GpuClasses;
use crate::error::DispatchError;
use crate::order::{check_worker, service_order};
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
struct Bucket {
    model: u32,
    region: u32,
    vram_gb: u32,
    /// Workers with a slot left, best first.
    ready: BTreeSet<Key>,
    /// Workers in the bucket, with slots or not.
    members: usize,
}

/// Names compared case-insensitively (Unicode lowercase), as small ids.
#[derive(Default)]
struct Names(HashMap<String, u32>);

impl Names {
    fn intern(&mut self, name: &str) -> u32 {
        let next = self.0.len() as u32;
        *self.0.entry(name.to_lowercase()).or_insert(next)
    }

    fn lookup(&self, name: &str) -> Option<u32> {
        self.0.get(&name.to_lowercase()).copied()
    }

    /// The known ids of `names`, sorted (unknown names match no worker).
    fn ids(&self, names: &[String]) -> Vec<u32> {
        let mut ids: Vec<u32> = names.iter().filter_map(|n| self.lookup(n)).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// A job's hard needs, as the index sees them.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Needs {
    models: Option<Vec<u32>>,
    regions: Option<Vec<u32>>,
    min_vram_gb: u32,
}

/// The buckets a job's hard needs select, per class.
type Selection = Arc<Vec<Vec<usize>>>;

/// The index; also what one round changes (slots taken, jobs per worker).
pub(crate) struct Index {
    classes: GpuClasses,
    standings: RoleStandings,
    models: Names,
    regions: Names,
    entries: Vec<Option<Entry>>,
    vacant: Vec<usize>,
    by_wallet: HashMap<Arc<str>, usize>,
    buckets: Vec<Bucket>,
    bucket_ids: HashMap<(usize, u32, u32, u32), usize>,
    /// Bucket ids of each class.
    by_class: Vec<Vec<usize>>,
    /// Selections by needs; cleared when a bucket is added.
    selections: HashMap<Needs, Selection>,
    /// Workers given a job this round.
    touched: Vec<usize>,
    /// Free slots of all workers.
    ready_slots: u64,
}

impl Index {
    pub(crate) fn new(classes: GpuClasses) -> Self {
        let by_class = vec![Vec::new(); classes.len()];
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
            by_class,
            selections: HashMap::new(),
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

    /// Applies `change` to entry `i`, keeping its bucket's order.
    fn rekey(&mut self, i: usize, change: impl FnOnce(&mut Entry)) {
        let e = self.entries[i].as_mut().expect("a live entry");
        let bucket = &mut self.buckets[e.bucket];
        if e.free > 0 {
            bucket.ready.remove(&e.key(i));
        }
        self.ready_slots -= u64::from(e.free);
        change(e);
        self.ready_slots += u64::from(e.free);
        if e.free > 0 {
            bucket.ready.insert(e.key(i));
        }
    }

    fn bucket(&mut self, class: usize, model: u32, region: u32, vram_gb: u32) -> usize {
        if let Some(&b) = self.bucket_ids.get(&(class, model, region, vram_gb)) {
            return b;
        }
        let b = self.buckets.len();
        self.buckets.push(Bucket { model, region, vram_gb, ready: BTreeSet::new(), members: 0 });
        self.bucket_ids.insert((class, model, region, vram_gb), b);
        self.by_class[class].push(b);
        self.selections.clear();
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
        if free > 0 {
            b.ready.insert(entry.key(i));
        }
        self.ready_slots += u64::from(free);
        self.entries[i] = Some(entry);
        self.by_wallet.insert(wallet, i);
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
        self.ready_slots -= u64::from(e.free);
        self.vacant.push(i);
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

    fn selection(&mut self, needs: &JobNeeds) -> Selection {
        let key = Needs {
            models: needs.gpu_models.as_deref().map(|m| self.models.ids(m)),
            regions: needs.regions.as_deref().map(|r| self.regions.ids(r)),
            min_vram_gb: needs.min_vram_gb,
        };
        if let Some(s) = self.selections.get(&key) {
            return s.clone();
        }
        let fits = |b: &Bucket| {
            b.vram_gb >= key.min_vram_gb
                && key.models.as_ref().is_none_or(|m| m.binary_search(&b.model).is_ok())
                && key.regions.as_ref().is_none_or(|r| r.binary_search(&b.region).is_ok())
        };
        let per_class: Vec<Vec<usize>> =
            self.by_class.iter().map(|ids| ids.iter().copied().filter(|&b| fits(&self.buckets[b])).collect()).collect();
        let s = Arc::new(per_class);
        self.selections.insert(key, s.clone());
        s
    }

    /// Gives one job a slot (SPEC §10's matching), or says why it waits.
    fn place(&mut self, needs: &JobNeeds, holder: bool) -> Result<(String, usize), WaitReason> {
        let selection = self.selection(needs);
        // A preferred region no worker is in prefers nobody.
        let preferred = needs.preferred_region.as_deref().map(|r| self.regions.lookup(r).unwrap_or(u32::MAX));
        if self.ready_slots > 0 {
            let n = self.classes.len();
            for step in 0..n {
                // A holder's job takes the best feasible class, any other the lowest.
                let class = if holder { n - 1 - step } else { step };
                let mut best: Option<(bool, &Key)> = None;
                for &b in &selection[class] {
                    let bucket = &self.buckets[b];
                    if let Some(key) = bucket.ready.first() {
                        let candidate = (preferred.is_some_and(|p| p != bucket.region), key);
                        if best.is_none_or(|best| candidate < best) {
                            best = Some(candidate);
                        }
                    }
                }
                if let Some(i) = best.map(|(_, key)| key.5) {
                    return Ok(self.take(i));
                }
            }
        }
        let can_run = selection.iter().flatten().any(|&b| self.buckets[b].members > 0);
        Err(if can_run { WaitReason::AllFeasibleWorkersFull } else { WaitReason::NoWorkerCanRun })
    }

    /// One slot of worker `i` goes to a job.
    fn take(&mut self, i: usize) -> (String, usize) {
        if self.entries[i].as_ref().is_some_and(|e| e.assigned == 0) {
            self.touched.push(i);
        }
        self.rekey(i, |e| {
            e.assigned += 1;
            e.free -= 1;
        });
        let e = self.entries[i].as_ref().expect("a live entry");
        (e.worker.wallet.clone(), e.class)
    }

    /// Serves `jobs` in service order; returns the round's outcome. The
    /// slots taken stay taken; [`Index::end_round`] starts the next round's
    /// count of jobs per worker.
    pub(crate) fn serve(&mut self, jobs: &[Job], creators: &RoleStandings, options: &Options) -> Outcome {
        let mut out = Outcome::default();
        for (job, p) in service_order(jobs, creators, options) {
            match self.place(&job.needs, p.lane.holder()) {
                Ok((worker, class)) => {
                    out.assignments.push(Assignment { job: job.id.clone(), worker, lane: p.lane, aged: p.aged, class })
                }
                Err(reason) => out.waiting.push(Waiting { job: job.id.clone(), lane: p.lane, aged: p.aged, reason }),
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
