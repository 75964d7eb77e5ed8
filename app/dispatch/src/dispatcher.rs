//! The engine for a scheduler service: the queue and the worker index kept
//! between rounds.
use crate::classes::GpuClasses;
use crate::error::DispatchError;
use crate::index::{Index, Rule};
use crate::order::{check_job, check_worker};
use crate::types::*;
use std::collections::HashSet;

/// Job distribution across rounds. Keeps the waiting jobs (counting the
/// rounds each waited), the workers and their free slots (a job given to a
/// worker takes a slot until the caller gives it back with
/// [`Dispatcher::set_free_slots`] or [`Dispatcher::upsert_worker`]), and the
/// standings. Each [`Dispatcher::round`] is [`crate::dispatch`] over that
/// state: it drops the jobs it assigned. The worker index stays warm: a
/// round costs what its jobs cost, not a rebuild.
pub struct Dispatcher {
    index: Index,
    options: Options,
    creators: RoleStandings,
    /// The rounds of the standings in use (creator, worker).
    rounds_used: (Option<u32>, Option<u32>),
    queue: Vec<Job>,
    queued: HashSet<String>,
}

impl Dispatcher {
    /// An empty dispatcher over `classes`.
    pub fn new(classes: GpuClasses, options: Options) -> Self {
        Dispatcher {
            index: Index::new(classes),
            options,
            creators: RoleStandings::default(),
            rounds_used: (None, None),
            queue: Vec::new(),
            queued: HashSet::new(),
        }
    }

    /// Uses `standings` from the next round on. Refused (nothing changes) if
    /// either role's round is older than the one already in use.
    pub fn set_standings(&mut self, standings: Standings) -> Result<(), DispatchError> {
        let stale = |role: &'static str, given: Option<u32>, used: Option<u32>| match (given, used) {
            (Some(given), Some(used)) if given < used => Err(DispatchError::StaleStandings { role, given, used }),
            _ => Ok(()),
        };
        stale("creator", standings.creator.round, self.rounds_used.0)?;
        stale("worker", standings.worker.round, self.rounds_used.1)?;
        self.rounds_used =
            (standings.creator.round.or(self.rounds_used.0), standings.worker.round.or(self.rounds_used.1));
        self.index.set_standings(&standings.worker);
        self.creators = standings.creator;
        Ok(())
    }

    /// Adds a worker, or replaces the one with its wallet (its GPU, region,
    /// free slots and idle time as given now).
    pub fn upsert_worker(&mut self, worker: Worker) -> Result<(), DispatchError> {
        check_worker(&worker)?;
        self.index.remove(&worker.wallet);
        self.index.insert(worker)
    }

    /// Takes a worker out of the pool; whether it was in.
    pub fn remove_worker(&mut self, wallet: &str) -> bool {
        self.index.remove(wallet)
    }

    /// Sets a worker's free slots (it finished jobs, or took work elsewhere).
    pub fn set_free_slots(&mut self, wallet: &str, free_slots: u32) -> Result<(), DispatchError> {
        self.index.set_free_slots(wallet, free_slots)
    }

    /// A worker as the dispatcher holds it, `free_slots` the slots left now.
    pub fn worker(&self, wallet: &str) -> Option<Worker> {
        self.index.worker(wallet)
    }

    /// Workers in the pool.
    pub fn workers(&self) -> usize {
        self.index.len()
    }

    /// Queues a job for the next round (refused: an id already queued, an
    /// empty id or creator).
    pub fn submit(&mut self, job: Job) -> Result<(), DispatchError> {
        check_job(&job)?;
        if self.queued.contains(&job.id) {
            return Err(DispatchError::DuplicateJob(job.id));
        }
        self.queued.insert(job.id.clone());
        self.queue.push(job);
        Ok(())
    }

    /// Takes a queued job back; whether it was queued.
    pub fn cancel(&mut self, id: &str) -> bool {
        if !self.queued.remove(id) {
            return false;
        }
        self.queue.retain(|j| j.id != id);
        true
    }

    /// The jobs waiting, with the rounds each has waited.
    pub fn queue(&self) -> &[Job] {
        &self.queue
    }

    /// One round of distribution over the queue: assigned jobs leave the
    /// queue (their slots stay taken), the others wait one round more.
    pub fn round(&mut self) -> Outcome {
        let outcome = self.index.serve(&self.queue, &self.creators, &self.options, Rule::Chains);
        self.index.end_round();
        if !outcome.assignments.is_empty() {
            let assigned: HashSet<&str> = outcome.assignments.iter().map(|a| a.job.as_str()).collect();
            self.queue.retain(|j| !assigned.contains(j.id.as_str()));
            for a in &outcome.assignments {
                self.queued.remove(&a.job);
            }
        }
        for job in &mut self.queue {
            job.waited_rounds = job.waited_rounds.saturating_add(1);
        }
        outcome
    }

    /// The worker with this wallet is in the pool.
    pub fn has_worker(&self, wallet: &str) -> bool {
        self.index.contains(wallet)
    }
}
