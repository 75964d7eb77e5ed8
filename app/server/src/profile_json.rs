//! The Profile and the leaderboard as JSON, written once for `pictor-vip
//! status --json`, `leaderboard --json` and the web server's API
//! (`/api/profile/WALLET`, `/api/leaderboard/ROLE`). Every figure is a number
//! in its unit (base units, minutes, days, points); field names say the unit.
use pictor_vip_sdk::pda;
use pictor_vip_sdk::profile::{LeaderboardEntry, Progress, RoleStatus, ScoreBreakdown};
use pictor_vip_sdk::state::{FinalRound, PassStatus, Role};
use pictor_vip_sdk::Pubkey;
use serde_json::{json, Value};

/// Points as a JSON number (a string in the rare case it does not fit an i64).
pub fn points(v: i128) -> Value {
    i64::try_from(v).map_or_else(|_| Value::String(v.to_string()), Value::from)
}

/// A member's status in one role (`null` when the oracle never reported about it).
pub fn status_json(s: &Option<RoleStatus>) -> Value {
    let Some(s) = s else { return Value::Null };
    let progress = match &s.progress {
        Progress::Creator(c) => json!({
            "spent_base_units": c.spent_base_units,
            "required_spent_base_units": c.required_base_units,
        }),
        Progress::Worker(w) => json!({
            "window_first_day_index": w.window_first_day,
            "window_last_day_index": w.window_last_day,
            "window_days": w.window_days,
            "online_days": w.online_days,
            "uptime_minutes": w.total_uptime_minutes,
            "required_uptime_minutes": w.required_uptime_minutes,
            "longest_offline_run_days": w.longest_offline_run_days,
            "max_offline_run_days": w.max_offline_run_days,
        }),
    };
    let score = s.score_breakdown.map(|b| match b {
        ScoreBreakdown::Creator(c) => json!({
            "recharge_points": points(c.recharge_points), "frame_points": points(c.frame_points),
            "ownership_points": points(c.ownership_points), "total_points": points(c.total),
        }),
        ScoreBreakdown::Worker(w) => json!({
            "uptime_points": points(w.uptime_points), "job_points": points(w.job_points),
            "gpu_points": points(w.gpu_points), "gpu_multiplier_bps": w.gpu_multiplier_bps,
            "ownership_points": points(w.ownership_points), "total_points": points(w.total),
        }),
    });
    json!({
        "reward_balance_base_units": s.reward_balance_base_units,
        "reward_mint": s.reward_mint.map(|(m, _)| m.to_string()),
        "reward_decimals": s.reward_mint.map(|(_, d)| d),
        "pass": format!("{:?}", s.pass),
        "eligible": s.progress.eligible(),
        "progress": progress,
        "score_now": score,
        "round": s.finalised_round.as_ref().map(|r| r.round),
        "round_members": s.finalised_round.as_ref().map(|r| r.members),
        "rank": s.rank.map(|e| e.rank),
        "round_score_points": s.rank.map(|e| points(e.score)),
        "priority": s.rank.is_some_and(|e| e.priority),
        "benefit": benefit_json(s),
    })
}

/// What the standing buys in job distribution (SPEC §10).
fn benefit_json(s: &RoleStatus) -> Value {
    let b = crate::benefits::benefit(s.role, s);
    json!({"lane": b.lane.map(|l| l.number()), "picked_first": b.picked_first, "sentence": b.sentence})
}

/// A wallet's Profile in both roles, with the pass mint of each role it holds.
pub fn profile_json(wallet: &Pubkey, creator: &Option<RoleStatus>, worker: &Option<RoleStatus>) -> Value {
    let mut v = json!({ "wallet": wallet.to_string(), "creator": status_json(creator), "worker": status_json(worker) });
    for (role, s) in [(Role::Creator, creator), (Role::Worker, worker)] {
        if let (Some(s), Some(obj)) = (s, v[role.as_str()].as_object_mut()) {
            let mint = (s.pass == PassStatus::Active).then(|| pda::pass_mint(role, wallet).to_string());
            obj.insert("pass_mint".into(), json!(mint));
        }
    }
    v
}

/// The latest finalised round of `role`: its first `limit` rows by rank.
pub fn leaderboard_json(role: Role, round: &FinalRound, rows: &[LeaderboardEntry], limit: usize) -> Value {
    let rows: Vec<_> = rows
        .iter()
        .take(limit)
        .map(|r| json!({"wallet": r.wallet.to_string(), "rank": r.entry.rank, "score_points": points(r.entry.score), "priority": r.entry.priority}))
        .collect();
    json!({
        "role": role.as_str(), "round": round.round, "members": round.members, "priority": round.priority_count,
        "removed": round.removed, "cutoff_score_points": round.cutoff_score.map(points),
        "snapshot_ts": round.snapshot_ts, "finalised_ts": round.finalised_ts, "rows": rows,
    })
}
