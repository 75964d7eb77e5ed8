//! Ranking order and the priority share (SPEC §5): one implementation, used
//! by the program to verify a round and by the crank to build it.
use crate::constants::BPS_DENOMINATOR;
use crate::state::OrderKey;
use core::cmp::Ordering;

/// Round order: higher score first; equal scores, earlier pass (lower serial) first.
pub fn order(a: &OrderKey, b: &OrderKey) -> Ordering {
    b.score.cmp(&a.score).then(a.pass_serial.cmp(&b.pass_serial))
}

/// Whether `next` may follow `prev` in a round (strictly after it).
pub fn follows(prev: &OrderKey, next: &OrderKey) -> bool {
    order(prev, next) == Ordering::Less
}

/// How many of `members` holders are flagged priority: ⌈members × bps / 10,000⌉,
/// and at least one when there is any holder.
pub fn priority_count(members: u32, priority_bps: u16) -> u32 {
    if members == 0 {
        return 0;
    }
    let scaled = u64::from(members) * u64::from(priority_bps);
    let count = scaled.div_ceil(BPS_DENOMINATOR).clamp(1, u64::from(members));
    // count ≤ members, a u32.
    count as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(score: i128, pass_serial: u64) -> OrderKey {
        OrderKey { score, pass_serial }
    }

    #[test]
    fn ten_percent_is_rounded_up_with_at_least_one() {
        assert_eq!(priority_count(0, 1_000), 0);
        assert_eq!(priority_count(1, 1_000), 1);
        assert_eq!(priority_count(5, 1_000), 1);
        assert_eq!(priority_count(10, 1_000), 1);
        assert_eq!(priority_count(11, 1_000), 2);
        assert_eq!(priority_count(2_000, 1_000), 200);
        assert_eq!(priority_count(7, 10_000), 7);
    }

    #[test]
    fn higher_score_first_then_earlier_pass() {
        assert!(follows(&key(10, 5), &key(9, 1)));
        assert!(follows(&key(10, 1), &key(10, 2)));
        assert!(!follows(&key(10, 2), &key(10, 1)));
        assert!(!follows(&key(10, 2), &key(10, 2)), "a repeat never follows itself");
        assert!(!follows(&key(-5, 1), &key(0, 9)));
    }

    proptest! {
        #[test]
        fn a_sorted_list_is_accepted_pairwise_and_nothing_else(mut v in prop::collection::vec((-50i128..50, 0u64..1_000), 1..60)) {
            v.sort_by_key(|&(_, s)| s);
            v.dedup_by_key(|&mut (_, s)| s);
            let mut keys: Vec<_> = v.iter().map(|&(sc, s)| key(sc, s)).collect();
            keys.sort_by(order);
            prop_assert!(keys.windows(2).all(|w| follows(&w[0], &w[1])));
            if keys.len() > 1 {
                keys.swap(0, 1);
                prop_assert!(!keys.windows(2).all(|w| follows(&w[0], &w[1])));
            }
        }

        #[test]
        fn priority_count_is_the_ceiling(members in 1u32..100_000, bps in 1u16..=10_000) {
            let p = u64::from(priority_count(members, bps));
            prop_assert!(p * 10_000 >= u64::from(members) * u64::from(bps));
            prop_assert!(p == 1 || (p - 1) * 10_000 < u64::from(members) * u64::from(bps));
        }
    }
}
