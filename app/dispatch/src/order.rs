//! The render queue (SPEC §10): lanes, aging and the service order.
use crate::error::DispatchError;
use crate::types::{Job, Lane, Options, RoleStandings, Worker};
use std::collections::HashSet;

/// Where a job stands in a round: its lane, whether it is aged, and its
/// place in the service order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// Its lane.
    pub lane: Lane,
    /// Aged: a job of lane 2 or 3 that waited `max_wait_rounds` or more.
    pub aged: bool,
    /// The service group: 0 lane 1, 1 aged, 2 the rest of lane 2, 3 the rest of lane 3.
    group: u8,
    /// The creator's rank (the rest of lane 2 only; 0 otherwise).
    rank: u32,
}

/// The lane of a job, from its creator's standing: priority creators in
/// lane 1, other ranked pass holders in lane 2, everyone else in lane 3.
pub fn lane_of(job: &Job, creators: &RoleStandings) -> Lane {
    match creators.get(&job.creator) {
        Some(s) if s.priority => Lane::Priority,
        Some(_) => Lane::Holder,
        None => Lane::Open,
    }
}

fn placement(job: &Job, creators: &RoleStandings, options: &Options) -> Placement {
    let lane = lane_of(job, creators);
    let aged = lane != Lane::Priority && job.waited_rounds >= options.max_wait_rounds;
    let (group, rank) = match (lane, aged) {
        (Lane::Priority, _) => (0, 0),
        (_, true) => (1, 0),
        (Lane::Holder, false) => (2, creators.get(&job.creator).map_or(0, |s| s.rank)),
        (Lane::Open, false) => (3, 0),
    };
    Placement { lane, aged, group, rank }
}

/// The jobs in service order: lane 1 by arrival; then aged jobs of lanes 2
/// and 3 by arrival; then the rest of lane 2 by rank, then arrival; then
/// the rest of lane 3 by arrival. Every remaining tie: arrival, then job id.
pub fn service_order<'a>(jobs: &'a [Job], creators: &RoleStandings, options: &Options) -> Vec<(&'a Job, Placement)> {
    let mut ordered: Vec<(&Job, Placement)> = jobs.iter().map(|j| (j, placement(j, creators, options))).collect();
    ordered
        .sort_by(|(a, pa), (b, pb)| (pa.group, pa.rank, a.arrival, &a.id).cmp(&(pb.group, pb.rank, b.arrival, &b.id)));
    ordered
}

/// Refuses jobs a round cannot serve: an empty id or creator, a duplicate id.
pub(crate) fn check_jobs(jobs: &[Job]) -> Result<(), DispatchError> {
    let mut seen = HashSet::with_capacity(jobs.len());
    for job in jobs {
        check_job(job)?;
        if !seen.insert(job.id.as_str()) {
            return Err(DispatchError::DuplicateJob(job.id.clone()));
        }
    }
    Ok(())
}

/// Refuses workers a round cannot use: an empty wallet, a duplicate wallet.
pub(crate) fn check_workers(workers: &[Worker]) -> Result<(), DispatchError> {
    let mut seen = HashSet::with_capacity(workers.len());
    for w in workers {
        check_worker(w)?;
        if !seen.insert(w.wallet.as_str()) {
            return Err(DispatchError::DuplicateWorker(w.wallet.clone()));
        }
    }
    Ok(())
}

/// Refuses a worker's empty wallet.
pub(crate) fn check_worker(worker: &Worker) -> Result<(), DispatchError> {
    if worker.wallet.is_empty() {
        return Err(DispatchError::OutOfRange { item: "a worker".into(), field: "wallet", detail: "is empty".into() });
    }
    Ok(())
}

/// Refuses one job's empty id or creator.
pub(crate) fn check_job(job: &Job) -> Result<(), DispatchError> {
    let empty = |field: &'static str| DispatchError::OutOfRange {
        item: format!("job {:?}", job.id),
        field,
        detail: "is empty".into(),
    };
    if job.id.is_empty() {
        return Err(empty("id"));
    }
    if job.creator.is_empty() {
        return Err(empty("creator"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{JobNeeds, Standing};

    fn job(id: &str, creator: &str, arrival: i64, waited_rounds: u32) -> Job {
        Job { id: id.into(), creator: creator.into(), arrival, waited_rounds, needs: JobNeeds::default() }
    }

    #[test]
    fn lanes_then_aging_then_rank_then_arrival_then_id() {
        let mut creators = RoleStandings::default();
        creators.members.insert("P".into(), Standing { rank: 2, priority: true });
        creators.members.insert("H3".into(), Standing { rank: 3, priority: false });
        creators.members.insert("H9".into(), Standing { rank: 9, priority: false });
        let jobs = [
            job("open-old-aged", "x", 1, 10),
            job("h9-early", "H9", 2, 0),
            job("h3-late", "H3", 9, 0),
            job("prio-b", "P", 5, 0),
            job("prio-a", "P", 5, 50),
            job("h9-aged", "H9", 3, 12),
            job("open", "y", 0, 9),
        ];
        let order: Vec<_> =
            service_order(&jobs, &creators, &Options::default()).iter().map(|(j, _)| j.id.as_str()).collect();
        assert_eq!(order, ["prio-a", "prio-b", "open-old-aged", "h9-aged", "h3-late", "h9-early", "open"]);
        let placements: Vec<_> = service_order(&jobs, &creators, &Options::default())
            .iter()
            .map(|(_, p)| (p.lane.number(), p.aged))
            .collect();
        assert_eq!(placements, [(1, false), (1, false), (3, true), (2, true), (2, false), (2, false), (3, false)]);
    }

    #[test]
    fn with_max_wait_zero_every_job_but_lane_one_is_aged() {
        let jobs = [job("a", "x", 2, 0), job("b", "y", 1, 0)];
        let o = service_order(&jobs, &RoleStandings::default(), &Options { max_wait_rounds: 0 });
        assert!(o.iter().all(|(_, p)| p.aged));
        assert_eq!(o[0].0.id, "b");
    }

    #[test]
    fn duplicate_or_empty_ids_are_refused() {
        assert_eq!(
            check_jobs(&[job("a", "x", 0, 0), job("a", "y", 1, 0)]),
            Err(DispatchError::DuplicateJob("a".into()))
        );
        assert!(matches!(check_jobs(&[job("", "x", 0, 0)]), Err(DispatchError::OutOfRange { field: "id", .. })));
        assert!(matches!(check_jobs(&[job("a", "", 0, 0)]), Err(DispatchError::OutOfRange { field: "creator", .. })));
    }
}
