//! A baseline the engine is measured against: SPEC §10's direct matching
//! (before its chains) done the way the SDK's old `scheduler::match_worker`
//! did it, one job at a time over every worker (a filter for the hard
//! needs, then the best by the tie-breaks). It gives the same outcome as
//! [`crate::baseline::greedy`] (property-tested) in O(jobs × workers); the
//! criterion bench runs it beside the engine on the same input.
use crate::classes::GpuClasses;
use crate::error::DispatchError;
use crate::order::{check_jobs, check_workers, service_order};
use crate::types::*;

/// Whether `worker` meets the hard needs (models, VRAM, regions).
pub fn can_run(needs: &JobNeeds, worker: &Worker) -> bool {
    Lowered::of(needs).admits(&worker.gpu_model.to_lowercase(), &worker.region.to_lowercase(), worker.vram_gb)
}

/// A job's hard needs with their names lowercased once.
struct Lowered {
    models: Option<Vec<String>>,
    regions: Option<Vec<String>>,
    min_vram_gb: u32,
}

impl Lowered {
    fn of(needs: &JobNeeds) -> Self {
        let lower = |v: &Vec<String>| v.iter().map(|s| s.to_lowercase()).collect();
        Lowered {
            models: needs.gpu_models.as_ref().map(lower),
            regions: needs.regions.as_ref().map(lower),
            min_vram_gb: needs.min_vram_gb,
        }
    }

    fn admits(&self, model: &str, region: &str, vram_gb: u32) -> bool {
        vram_gb >= self.min_vram_gb
            && self.models.as_ref().is_none_or(|ms| ms.iter().any(|m| m == model))
            && self.regions.as_ref().is_none_or(|rs| rs.iter().any(|r| r == region))
    }
}

/// [`crate::dispatch`] by a scan of every worker for every job (names
/// lowercased once per worker and per job, as a fair baseline).
pub fn dispatch_by_scan(
    jobs: &[Job],
    workers: &[Worker],
    standings: &Standings,
    classes: &GpuClasses,
    options: &Options,
) -> Result<Outcome, DispatchError> {
    check_jobs(jobs)?;
    check_workers(workers)?;
    let class: Vec<usize> = workers.iter().map(|w| classes.class_of(w.vram_gb, w.hashpower)).collect();
    let names: Vec<(String, String)> =
        workers.iter().map(|w| (w.gpu_model.to_lowercase(), w.region.to_lowercase())).collect();
    let tier: Vec<(u8, u32)> = workers
        .iter()
        .map(|w| match standings.worker.get(&w.wallet) {
            Some(s) if s.priority => (0, s.rank),
            Some(s) => (1, s.rank),
            None => (2, 0),
        })
        .collect();
    let mut free: Vec<u32> = workers.iter().map(|w| w.free_slots).collect();
    let mut given = vec![0u32; workers.len()];
    let mut out = Outcome::default();
    for (job, p) in service_order(jobs, &standings.creator, options) {
        let needs = Lowered::of(&job.needs);
        let runs = |i: usize| needs.admits(&names[i].0, &names[i].1, workers[i].vram_gb);
        let feasible: Vec<usize> = (0..workers.len()).filter(|&i| free[i] > 0 && runs(i)).collect();
        let target = if p.lane.holder() {
            feasible.iter().map(|&i| class[i]).max()
        } else {
            feasible.iter().map(|&i| class[i]).min()
        };
        let Some(target) = target else {
            let reason = if (0..workers.len()).any(runs) {
                WaitReason::AllFeasibleWorkersFull
            } else {
                WaitReason::NoWorkerCanRun
            };
            out.waiting.push(Waiting { job: job.id.clone(), lane: p.lane, aged: p.aged, reason });
            continue;
        };
        let pref = job.needs.preferred_region.as_ref().map(|r| r.to_lowercase());
        let best = feasible
            .into_iter()
            .filter(|&i| class[i] == target)
            .min_by_key(|&i| {
                let far = pref.as_ref().is_some_and(|r| *r != names[i].1);
                (far, tier[i], given[i], workers[i].idle_since, &workers[i].wallet)
            })
            .expect("the class has a feasible worker");
        free[best] -= 1;
        given[best] += 1;
        out.assignments.push(Assignment {
            job: job.id.clone(),
            worker: workers[best].wallet.clone(),
            lane: p.lane,
            aged: p.aged,
            class: target,
            moved: 0,
        });
    }
    Ok(out)
}
