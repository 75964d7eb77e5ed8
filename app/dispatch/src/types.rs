//! The engine's inputs and outputs.
use std::collections::HashMap;

/// A render job: one slot of one worker (a render split into chunks is
/// several jobs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The caller's id, unique.
    pub id: String,
    /// The creator's wallet, as the standings write it.
    pub creator: String,
    /// When the job arrived, unix seconds.
    pub arrival: i64,
    /// Rounds it has waited so far.
    pub waited_rounds: u32,
    /// What it needs from a worker.
    pub needs: JobNeeds,
}

/// A job's needs: hard (models, VRAM, regions) and soft (a preferred region).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobNeeds {
    /// GPU models allowed (case-insensitive); `None`: any. An empty list
    /// allows none.
    pub gpu_models: Option<Vec<String>>,
    /// Minimum VRAM, in GB.
    pub min_vram_gb: u32,
    /// Regions allowed (case-insensitive); `None`: any. An empty list allows none.
    pub regions: Option<Vec<String>>,
    /// A region preferred among equally good workers (case-insensitive).
    pub preferred_region: Option<String>,
}

/// A worker offering GPU slots (also SPEC §10's JSON form of a worker:
/// every field required, an unknown one refused).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Worker {
    /// Its wallet, as the standings write it; unique.
    pub wallet: String,
    /// GPU model.
    pub gpu_model: String,
    /// VRAM, in GB.
    pub vram_gb: u32,
    /// Hashpower, in the oracle's units.
    pub hashpower: u64,
    /// Region.
    pub region: String,
    /// Jobs it can take now (0 or more).
    pub free_slots: u32,
    /// When it last finished work, unix seconds (earlier: idle longer).
    pub idle_since: i64,
}

/// A member's place in its role's latest finalised round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Rank, from 1.
    pub rank: u32,
    /// Flagged priority in that round.
    pub priority: bool,
}

/// One role's standings: the latest finalised round's ranked pass holders.
/// A member whose pass was revoked or burned has none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleStandings {
    /// The round they come from, when known (a [`crate::Dispatcher`] refuses
    /// an older round than one it used).
    pub round: Option<u32>,
    /// By wallet, as written.
    pub members: HashMap<String, Standing>,
}

impl RoleStandings {
    /// The standing of `wallet`, if it has one.
    pub fn get(&self, wallet: &str) -> Option<Standing> {
        self.members.get(wallet).copied()
    }
}

/// Both roles' standings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Standings {
    /// Creators: decide the render-queue lane.
    pub creator: RoleStandings,
    /// Workers: decide who is picked first among equally suited workers.
    pub worker: RoleStandings,
}

/// How rounds run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Rounds after which a job of lane 2 or 3 is aged (served right after
    /// lane 1). SPEC §10 default: 10.
    pub max_wait_rounds: u32,
}

/// The default `max_wait_rounds` (SPEC §10, an interpretation).
pub const DEFAULT_MAX_WAIT_ROUNDS: u32 = 10;

impl Default for Options {
    fn default() -> Self {
        Options { max_wait_rounds: DEFAULT_MAX_WAIT_ROUNDS }
    }
}

/// A render-queue lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lane {
    /// Lane 1: jobs of creators flagged priority.
    Priority = 1,
    /// Lane 2: jobs of other ranked pass holders.
    Holder = 2,
    /// Lane 3: everyone else.
    Open = 3,
}

impl Lane {
    /// 1, 2 or 3.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// Whether the job's creator holds a pass (lanes 1 and 2): it gets the best GPU class.
    pub fn holder(self) -> bool {
        self != Lane::Open
    }
}

/// A job given to a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The job's id.
    pub job: String,
    /// The worker's wallet.
    pub worker: String,
    /// The job's lane.
    pub lane: Lane,
    /// Whether it was served as aged.
    pub aged: bool,
    /// The worker's GPU class (0: the table's first tier).
    pub class: usize,
    /// How many placed jobs its placement moved (SPEC §10's chain; 0 for a
    /// direct placement). A job a later chain moves keeps its own count;
    /// its `worker` and `class` are where it ends.
    pub moved: u32,
}

/// Why a job waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WaitReason {
    /// No worker in the pool meets its hard needs, whatever its slots.
    NoWorkerCanRun,
    /// Every worker that can run it is full this round.
    AllFeasibleWorkersFull,
}

impl WaitReason {
    /// The interface's name: `no_worker_can_run`, `all_feasible_workers_full`.
    pub fn as_str(self) -> &'static str {
        match self {
            WaitReason::NoWorkerCanRun => "no_worker_can_run",
            WaitReason::AllFeasibleWorkersFull => "all_feasible_workers_full",
        }
    }
}

/// A job left waiting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// The job's id.
    pub job: String,
    /// Its lane.
    pub lane: Lane,
    /// Whether it is aged.
    pub aged: bool,
    /// Why it waits.
    pub reason: WaitReason,
}

/// What a round did, in service order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Jobs given to workers.
    pub assignments: Vec<Assignment>,
    /// Jobs left waiting, with their reasons.
    pub waiting: Vec<Waiting>,
}
