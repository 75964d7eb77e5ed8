//! What the Pictor VIP Pass buys, as an engine a scheduler embeds: job
//! distribution exactly as `SPEC.md` §10 defines it.
//!
//! A round is a function, [`dispatch`]: the waiting jobs, the workers with
//! free slots, the latest finalised standings of both roles and the GPU
//! classes in, the assignments (job → worker, with the lane and the class
//! that decided it) and every job left waiting with its reason out. It is
//! deterministic. [`Dispatcher`] keeps the queue and the worker index
//! between rounds for a scheduler service: it takes new jobs and worker
//! slots, tracks the rounds each job waited, and drops what it assigned.
//!
//! The rules, in service order:
//! - **lanes** (the render queue): lane 1, jobs of *priority* creators, by
//!   arrival; lane 2, other ranked pass holders, by rank then arrival;
//!   lane 3, everyone else, by arrival. A job of lane 2 or 3 that waited
//!   `max_wait_rounds` rounds or more is *aged*: served right after lane 1
//!   (aged jobs by arrival), keeping its lane otherwise;
//! - **GPU classes**: a worker's class is the highest tier of the table
//!   whose VRAM and hashpower minimums its GPU meets;
//! - **matching**: each job takes one slot of one feasible worker (every
//!   hard need met, a slot left this round): a pass holder's job (lanes 1
//!   and 2) the best feasible class, any other job the lowest; within the
//!   class, a worker in the job's preferred region first, then priority
//!   workers by rank, other ranked workers by rank, everyone else; then the
//!   worker given fewer jobs this round, the one idle longest, the wallet;
//! - **no slot idle that a waiting job could use**: a job of lane 2 or 3
//!   whose feasible workers are all full is served by moving placed jobs of
//!   lanes 2 and 3 along the shortest chain that ends at a free slot (lane 1
//!   is never moved, a placed job stays placed), so the jobs served are the
//!   most any assignment keeping lane 1's placements serves, and the
//!   earliest in service order among those (each assignment says how many
//!   placed jobs it moved: [`Assignment::moved`]).
//!
//! No Solana crate is linked: a scheduler embeds this crate without the
//! chain. Standings come from the chain through the SDK
//! (`pictor_vip_sdk::standings`) or from the caller. Wallets, job ids,
//! GPU models and regions are strings; wallets and ids compare as written,
//! GPU models and regions case-insensitively (Unicode lowercase).
#![deny(missing_docs)]

mod chains;
mod classes;
mod dispatcher;
mod error;
pub mod flow;
mod hash;
mod index;
pub mod json;
mod order;
pub mod scan;
mod tree;
mod types;

pub use classes::{ClassMin, GpuClasses, MAX_CLASSES};
pub use dispatcher::Dispatcher;
pub use error::DispatchError;
pub use order::{lane_of, service_order, Placement};
pub use types::*;

use index::Rule;

/// One round of job distribution (SPEC §10): `jobs` served in lane order,
/// each taking one slot of one feasible worker of `workers`, or served by a
/// chain of moves when its feasible workers are full. Returns the
/// assignments and the waiting jobs, both in service order. Refuses (and
/// changes nothing) a duplicate job id or worker wallet, or an empty id or
/// wallet.
pub fn dispatch(
    jobs: &[Job],
    workers: &[Worker],
    standings: &Standings,
    classes: &GpuClasses,
    options: &Options,
) -> Result<Outcome, DispatchError> {
    round(jobs, workers, standings, classes, options, Rule::Chains)
}

fn round(
    jobs: &[Job],
    workers: &[Worker],
    standings: &Standings,
    classes: &GpuClasses,
    options: &Options,
    rule: Rule,
) -> Result<Outcome, DispatchError> {
    order::check_jobs(jobs)?;
    order::check_workers(workers)?;
    let mut index = index::Index::new(classes.clone());
    index.set_standings(&standings.worker);
    for w in workers {
        index.insert(w.clone())?;
    }
    Ok(index.serve(jobs, &standings.creator, options, rule))
}

/// SPEC §10 before "no slot idle that a waiting job could use": the same
/// engine with direct placements only. Not a rule any caller follows: the
/// baseline the benches and the quality figures (jobs served against the
/// most any assignment serves) compare the rule with, on the same input.
pub mod baseline {
    use super::*;

    /// [`dispatch`] without chains: a job whose feasible workers are full waits.
    pub fn greedy(
        jobs: &[Job],
        workers: &[Worker],
        standings: &Standings,
        classes: &GpuClasses,
        options: &Options,
    ) -> Result<Outcome, DispatchError> {
        round(jobs, workers, standings, classes, options, Rule::Greedy)
    }
}
