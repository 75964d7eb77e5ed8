//! What a member's standing buys in job distribution (SPEC §10), in plain
//! words: the Profile page, `status` and the Profile JSON say it.
use pictor_vip_dispatch::{Lane, DEFAULT_MAX_WAIT_ROUNDS};
use pictor_vip_sdk::profile::RoleStatus;
use pictor_vip_sdk::state::{PassStatus, Role};

/// A member's benefit this round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Benefit {
    /// A creator's render-queue lane (`None` for a worker).
    pub lane: Option<Lane>,
    /// Picked first among equally suited workers (a worker flagged priority).
    pub picked_first: bool,
    /// The sentence.
    pub sentence: String,
}

/// What `s` (a member's status in `role`) buys in the latest finalised round.
pub fn benefit(role: Role, s: &RoleStatus) -> Benefit {
    let rank = s.rank;
    let ranked_later = s.pass == PassStatus::Active && rank.is_none();
    match role {
        Role::Creator => {
            let (lane, sentence) = match rank {
                Some(e) if e.priority => (
                    Lane::Priority,
                    "your jobs are in lane 1 of the render queue (first, by arrival) and get the best GPU class free"
                        .to_string(),
                ),
                Some(e) => (
                    Lane::Holder,
                    format!(
                        "your jobs are in lane 2 of the render queue (after priority creators, by your rank {}) and get the best GPU class free",
                        e.rank
                    ),
                ),
                None => (
                    Lane::Open,
                    format!(
                        "{}your jobs queue in lane 3 of the render queue, by arrival, on the lowest GPU class that fits; a job that waited {DEFAULT_MAX_WAIT_ROUNDS} rounds moves up, right after lane 1",
                        if ranked_later { "until your pass is ranked in a round, " } else { "" }
                    ),
                ),
            };
            Benefit { lane: Some(lane), picked_first: false, sentence }
        }
        Role::Worker => {
            let (picked_first, sentence) = match rank {
                Some(e) if e.priority => (
                    true,
                    format!("you are picked first among equally suited workers (priority, rank {})", e.rank),
                ),
                Some(e) => (false, format!("you are picked after priority workers among equally suited workers, by your rank {}", e.rank)),
                None => (
                    false,
                    format!(
                        "{}you are picked after ranked pass holders among equally suited workers, then by jobs this round and idle time",
                        if ranked_later { "until your pass is ranked in a round, " } else { "" }
                    ),
                ),
            };
            Benefit { lane: None, picked_first, sentence }
        }
    }
}
