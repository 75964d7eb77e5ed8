//! Scheduler helpers (SPEC §7): order a render queue and match a job to a
//! worker, from the latest finalised rounds. Pure functions.
use solana_pubkey::Pubkey;
use std::cmp::Reverse;
use std::collections::HashMap;

/// A member's standing in its role's latest finalised round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Rank, from 1.
    pub rank: u32,
    /// In the priority share.
    pub priority: bool,
}

/// Standings by wallet (build it from [`crate::profile::leaderboard`]).
pub type Standings = HashMap<Pubkey, Standing>;

/// A job waiting in the render queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedJob {
    /// Caller's job id.
    pub id: String,
    /// Creator who submitted it.
    pub creator: Pubkey,
    /// Arrival order (lower arrived first).
    pub arrival: u64,
    /// What the job needs from a worker.
    pub needs: JobNeeds,
}

/// Hard and soft requirements of a job.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobNeeds {
    /// Required GPU model (exact, case-insensitive), if any.
    pub gpu_model: Option<String>,
    /// Minimum VRAM, in GB.
    pub min_vram_gb: u16,
    /// Preferred worker location (soft).
    pub location: Option<String>,
}

/// A worker that can take a job now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerOffer {
    /// Worker wallet.
    pub wallet: Pubkey,
    /// GPU model.
    pub gpu_model: String,
    /// VRAM, in GB.
    pub vram_gb: u16,
    /// Location (region code).
    pub location: String,
}

/// 0: priority VIP, 1: other VIP (then by rank), 2: everyone else.
fn tier(standing: Option<&Standing>) -> (u8, u32) {
    match standing {
        Some(s) if s.priority => (0, s.rank),
        Some(s) => (1, s.rank),
        None => (2, 0),
    }
}

/// The queue in service order: priority VIP creators, then other VIP
/// creators by rank, then everyone else in arrival order (arrival breaks
/// every remaining tie).
pub fn order_queue<'a>(jobs: &'a [QueuedJob], creators: &Standings) -> Vec<&'a QueuedJob> {
    let mut ordered: Vec<&QueuedJob> = jobs.iter().collect();
    ordered.sort_by_key(|j| (tier(creators.get(&j.creator)), j.arrival));
    ordered
}

/// Whether `w` meets the job's hard requirements (model, VRAM).
pub fn can_run(job: &JobNeeds, w: &WorkerOffer) -> bool {
    w.vram_gb >= job.min_vram_gb && job.gpu_model.as_ref().is_none_or(|m| m.eq_ignore_ascii_case(&w.gpu_model))
}

/// The best worker for a job among those that can run it: priority VIP
/// workers first, then other VIPs by rank, then the rest; within a tier a
/// worker in the preferred location first, then more VRAM, then the wallet
/// (for a deterministic answer).
pub fn match_worker<'a>(job: &JobNeeds, workers: &'a [WorkerOffer], standings: &Standings) -> Option<&'a WorkerOffer> {
    workers.iter().filter(|w| can_run(job, w)).min_by_key(|w| {
        let (t, rank) = tier(standings.get(&w.wallet));
        let far = job.location.as_ref().is_some_and(|l| !l.eq_ignore_ascii_case(&w.location));
        (t, far, rank, Reverse(w.vram_gb), w.wallet)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> Pubkey {
        Pubkey::new_from_array([n; 32])
    }

    fn job(id: &str, creator: u8, arrival: u64) -> QueuedJob {
        QueuedJob { id: id.into(), creator: key(creator), arrival, needs: JobNeeds::default() }
    }

    fn offer(n: u8, model: &str, vram_gb: u16, location: &str) -> WorkerOffer {
        WorkerOffer { wallet: key(n), gpu_model: model.into(), vram_gb, location: location.into() }
    }

    fn standings(rows: &[(u8, u32, bool)]) -> Standings {
        rows.iter().map(|&(n, rank, priority)| (key(n), Standing { rank, priority })).collect()
    }

    #[test]
    fn queue_serves_priority_vips_then_vips_by_rank_then_arrival() {
        let jobs = [
            job("plain-early", 9, 1),
            job("vip-rank3", 3, 2),
            job("prio", 1, 5),
            job("vip-rank2", 2, 9),
            job("plain-late", 8, 3),
        ];
        let s = standings(&[(1, 1, true), (2, 2, false), (3, 3, false)]);
        let ids: Vec<_> = order_queue(&jobs, &s).iter().map(|j| j.id.as_str()).collect();
        assert_eq!(ids, ["prio", "vip-rank2", "vip-rank3", "plain-early", "plain-late"]);
    }

    #[test]
    fn queue_without_vips_is_arrival_order() {
        let jobs = [job("b", 1, 2), job("a", 2, 1)];
        let ids: Vec<_> = order_queue(&jobs, &Standings::new()).iter().map(|j| j.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
    }

    #[test]
    fn a_priority_worker_wins_over_a_better_located_plain_one() {
        let workers = [offer(1, "RTX 4090", 24, "eu"), offer(2, "RTX 4090", 24, "us")];
        let needs = JobNeeds { gpu_model: None, min_vram_gb: 16, location: Some("eu".into()) };
        let s = standings(&[(2, 1, true)]);
        assert_eq!(match_worker(&needs, &workers, &s).unwrap().wallet, key(2));
        // Without standings, location decides.
        assert_eq!(match_worker(&needs, &workers, &Standings::new()).unwrap().wallet, key(1));
    }

    #[test]
    fn hard_requirements_exclude_workers_even_priority_ones() {
        let workers = [offer(1, "RTX 3060", 12, "eu"), offer(2, "A100", 80, "us")];
        let s = standings(&[(1, 1, true)]);
        let needs = JobNeeds { gpu_model: None, min_vram_gb: 16, location: None };
        assert_eq!(match_worker(&needs, &workers, &s).unwrap().wallet, key(2));
        let needs = JobNeeds { gpu_model: Some("rtx 3060".into()), min_vram_gb: 0, location: None };
        assert_eq!(match_worker(&needs, &workers, &s).unwrap().wallet, key(1));
        let needs = JobNeeds { gpu_model: Some("H100".into()), min_vram_gb: 0, location: None };
        assert!(match_worker(&needs, &workers, &s).is_none());
    }

    #[test]
    fn among_vips_rank_then_vram_decide() {
        let workers = [offer(1, "A", 24, "eu"), offer(2, "A", 48, "eu"), offer(3, "A", 80, "eu")];
        let s = standings(&[(1, 2, false), (2, 3, false)]);
        let needs = JobNeeds::default();
        assert_eq!(match_worker(&needs, &workers, &s).unwrap().wallet, key(1));
        let s = standings(&[(1, 2, false), (2, 2, false)]);
        assert_eq!(match_worker(&needs, &workers, &s).unwrap().wallet, key(2));
    }
}
