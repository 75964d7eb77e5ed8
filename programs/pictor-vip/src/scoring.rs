//! Priority scores (SPEC §4). Pure: the time of computation is an argument.
//! Scores are `i128`: every counter the reports accept is a `u64`, so no sum
//! or product below can overflow.
use crate::constants::*;
use crate::eligibility::window_uptime_minutes;
use crate::state::{CreatorFacts, FactsRef, GpuClass, GpuTier, ScoringParams, WorkerFacts};
use crate::time::{day_index, month_index};
use anchor_lang::prelude::*;

/// A creator's score, by criterion, in points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CreatorScore {
    /// Whole USDT recharged in the current UTC month.
    pub recharge_points: i128,
    /// Frames rendered successfully, lifetime.
    pub frame_points: i128,
    /// Pass ownership.
    pub ownership_points: i128,
    /// Sum of the above.
    pub total: i128,
}

/// A worker's score, by criterion, in points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkerScore {
    /// Average whole hours online per day over the window (0–24).
    pub uptime_points: i128,
    /// 5 per frame completed − 10 per failed job, lifetime.
    pub job_points: i128,
    /// 10 per 100 h of lifetime uptime × GPU tier multiplier, rounded down.
    pub gpu_points: i128,
    /// Multiplier used, in bps.
    pub gpu_multiplier_bps: u16,
    /// Pass ownership.
    pub ownership_points: i128,
    /// Sum of the above.
    pub total: i128,
}

/// Creator score as of `at` (unix seconds).
pub fn creator_score(facts: &CreatorFacts, at: i64) -> Result<CreatorScore> {
    let month_recharged = if facts.recharge_month == month_index(at)? { facts.month_recharged_base_units } else { 0 };
    let recharge_points = i128::from(month_recharged / USDT_BASE_UNITS_PER_USDT);
    let frame_points = i128::from(facts.frames_rendered);
    Ok(CreatorScore {
        recharge_points,
        frame_points,
        ownership_points: OWNERSHIP_POINTS,
        total: recharge_points + frame_points + OWNERSHIP_POINTS,
    })
}

/// The best multiplier among tiers whose VRAM and hashpower minimums `gpu`
/// meets; the base (1.0×) without a GPU report or a matching tier.
pub fn gpu_multiplier_bps(gpu: Option<GpuClass>, tiers: &[GpuTier]) -> u16 {
    gpu.and_then(|g| {
        tiers
            .iter()
            .filter(|t| g.vram_gb >= t.min_vram_gb && g.hashpower >= t.min_hashpower)
            .map(|t| t.multiplier_bps)
            .max()
    })
    .unwrap_or(BASE_GPU_MULTIPLIER_BPS)
}

/// Worker score as of `at` (unix seconds).
pub fn worker_score(facts: &WorkerFacts, at: i64, params: &ScoringParams) -> Result<WorkerScore> {
    let window = params.worker_window_days;
    let window_minutes = window_uptime_minutes(facts, day_index(at)?, window);
    let uptime_points = i128::from(window_minutes / (u64::from(window) * 60));
    let job_points = POINTS_PER_FRAME_COMPLETED * i128::from(facts.frames_completed)
        + POINTS_PER_FAILED_JOB * i128::from(facts.jobs_failed);
    let multiplier = gpu_multiplier_bps(facts.gpu(), &params.gpu_tiers);
    let steps = u128::from(facts.lifetime_uptime_minutes / GPU_STEP_UPTIME_MINUTES);
    let gpu_points = steps * u128::from(GPU_POINTS_PER_STEP) * u128::from(multiplier) / u128::from(BPS_DENOMINATOR);
    // steps ≤ u64::MAX / 6,000, so gpu_points < 2^64 × 50: fits i128.
    let gpu_points = gpu_points as i128;
    Ok(WorkerScore {
        uptime_points,
        job_points,
        gpu_points,
        gpu_multiplier_bps: multiplier,
        ownership_points: OWNERSHIP_POINTS,
        total: uptime_points + job_points + gpu_points + OWNERSHIP_POINTS,
    })
}

/// Total score of a pass holder as of `at` (unix seconds).
pub fn score(facts: FactsRef, at: i64, params: &ScoringParams) -> Result<i128> {
    Ok(match facts {
        FactsRef::Creator(c) => creator_score(c, at)?.total,
        FactsRef::Worker(w) => worker_score(w, at, params)?.total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::default_gpu_tiers;
    use crate::time::days_from_civil;
    use proptest::prelude::*;

    fn params() -> ScoringParams {
        ScoringParams { worker_window_days: 30, gpu_tiers: default_gpu_tiers() }
    }

    fn ts(y: i64, m: i64, d: i64) -> i64 {
        days_from_civil(y, m, d) * SECONDS_PER_DAY
    }

    fn gpu(vram_gb: u16, hashpower: u64) -> GpuClass {
        GpuClass { vram_gb, hashpower }
    }

    fn worker_with_gpu(vram_gb: u16, hashpower: u64) -> WorkerFacts {
        let mut w = WorkerFacts::default();
        w.set_gpu("test", vram_gb, hashpower).unwrap();
        w
    }

    #[test]
    fn monthly_recharge_resets_at_the_utc_month_boundary() {
        let july = month_index(ts(2026, 7, 15)).unwrap();
        let c = CreatorFacts { month_recharged_base_units: 1_234_999_999, recharge_month: july, ..Default::default() };
        assert_eq!(creator_score(&c, ts(2026, 8, 1) - 1).unwrap().recharge_points, 1_234);
        assert_eq!(creator_score(&c, ts(2026, 8, 1)).unwrap().recharge_points, 0);
    }

    #[test]
    fn creator_score_sums_recharge_frames_and_ownership() {
        let at = ts(2026, 7, 3);
        let c = CreatorFacts {
            deposited_base_units: 5_200_250_000,
            spent_base_units: 5_100_000_000,
            frames_rendered: 300,
            recharge_month: month_index(at).unwrap(),
            month_recharged_base_units: 5_200_250_000,
            ..Default::default()
        };
        assert_eq!(creator_score(&c, at).unwrap().total, 5_200 + 300 + 100);
    }

    #[test]
    fn uptime_points_are_the_floor_of_average_hours() {
        let today = day_index(ts(2026, 9, 1)).unwrap();
        let mut w = WorkerFacts::default();
        for (i, d) in (today - 30..today).enumerate() {
            // 29 days of 1,019 min and one of 1,020: average 16.99… h → 16.
            let m = if i == 0 { 1_020 } else { 1_019 };
            w.set_uptime(d, m);
        }
        assert_eq!(worker_score(&w, ts(2026, 9, 1), &params()).unwrap().uptime_points, 16);
        w.set_uptime(today - 1, 1_049); // +30 min: 30,600 = 17 h × 30 × 60
        assert_eq!(worker_score(&w, ts(2026, 9, 1), &params()).unwrap().uptime_points, 17);
    }

    #[test]
    fn failed_jobs_can_make_a_score_negative() {
        let w = WorkerFacts { frames_completed: 1, jobs_failed: 20, ..WorkerFacts::default() };
        let s = worker_score(&w, ts(2026, 9, 1), &params()).unwrap();
        assert_eq!(s.job_points, 5 - 200);
        assert_eq!(s.total, -95);
    }

    #[test]
    fn gpu_points_round_down_after_the_multiplier() {
        // 3 steps of 100 h × 10 × 1.25 = 37.5 → 37.
        let w = WorkerFacts { lifetime_uptime_minutes: 18_000 + 5_999, ..worker_with_gpu(16, 0) };
        let s = worker_score(&w, ts(2026, 9, 1), &params()).unwrap();
        assert_eq!((s.gpu_multiplier_bps, s.gpu_points), (12_500, 37));
    }

    #[test]
    fn best_tier_whose_both_minimums_are_met_applies() {
        let tiers = vec![
            GpuTier { min_vram_gb: 0, min_hashpower: 0, multiplier_bps: 10_000 },
            GpuTier { min_vram_gb: 24, min_hashpower: 500, multiplier_bps: 15_000 },
            GpuTier { min_vram_gb: 16, min_hashpower: 0, multiplier_bps: 12_500 },
        ];
        assert_eq!(gpu_multiplier_bps(Some(gpu(24, 499)), &tiers), 12_500);
        assert_eq!(gpu_multiplier_bps(Some(gpu(24, 500)), &tiers), 15_000);
        assert_eq!(gpu_multiplier_bps(Some(gpu(8, 0)), &tiers), 10_000);
        assert_eq!(gpu_multiplier_bps(None, &tiers), BASE_GPU_MULTIPLIER_BPS);
        assert_eq!(gpu_multiplier_bps(Some(gpu(80, 0)), &default_gpu_tiers()), 20_000);
        assert_eq!(gpu_multiplier_bps(Some(gpu(8, 0)), &[]), BASE_GPU_MULTIPLIER_BPS);
    }

    proptest! {
        #[test]
        fn ownership_adds_exactly_100(frames in any::<u64>(), recharged in any::<u64>()) {
            let at = ts(2026, 7, 3);
            let c = CreatorFacts { frames_rendered: frames, month_recharged_base_units: recharged,
                recharge_month: month_index(at).unwrap(), ..Default::default() };
            let s = creator_score(&c, at).unwrap();
            prop_assert_eq!(s.total - s.recharge_points - s.frame_points, 100);
        }

        #[test]
        fn no_overflow_for_any_accepted_counters(
            lifetime in any::<u64>(), frames in any::<u64>(), failed in any::<u64>(),
            vram in any::<u16>(), hash in any::<u64>(), minutes in 0u16..=1_440,
        ) {
            let at = ts(2026, 9, 1);
            let mut w = WorkerFacts { lifetime_uptime_minutes: lifetime, frames_completed: frames,
                jobs_failed: failed, ..worker_with_gpu(vram, hash) };
            let today = day_index(at).unwrap();
            for d in today - 30..today {
                w.set_uptime(d, minutes);
            }
            let mut p = params();
            p.gpu_tiers.push(GpuTier { min_vram_gb: 0, min_hashpower: 0, multiplier_bps: MAX_GPU_MULTIPLIER_BPS });
            let s = worker_score(&w, at, &p).unwrap();
            prop_assert!(s.uptime_points <= 24);
            prop_assert_eq!(s.uptime_points, i128::from(minutes / 60));
            prop_assert_eq!(s.gpu_points, i128::from(lifetime / 6_000) * 10 * 5);
            prop_assert_eq!(s.total, s.uptime_points + s.job_points + s.gpu_points + 100);
        }

        #[test]
        fn gpu_points_never_exceed_the_unrounded_product(lifetime in 0u64..10_000_000_000, vram in 0u16..100) {
            let w = WorkerFacts { lifetime_uptime_minutes: lifetime, ..worker_with_gpu(vram, 0) };
            let s = worker_score(&w, ts(2026, 9, 1), &params()).unwrap();
            let exact_times_bps = i128::from(lifetime / 6_000) * 10 * i128::from(s.gpu_multiplier_bps);
            prop_assert!(s.gpu_points * 10_000 <= exact_times_bps);
            prop_assert!(exact_times_bps - s.gpu_points * 10_000 < 10_000);
        }
    }
}
