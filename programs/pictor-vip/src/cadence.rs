//! The round cadence (SPEC §5): when a ranking round may open, the round
//! number it gets and the time its scores are taken. Pure: the clock is an
//! argument. One implementation, used by the program (`open_round`,
//! reports, claims, `update_config`), the SDK's crank and the keeper.
//!
//! With a period P > 0, window k is scheduled at `T_k = offset + k × P`
//! (unix seconds). The crank may open a round only while
//! `T_k ≤ now < T_k + open_window`, and the round's snapshot is `T_k`,
//! whatever second it opens. Each window has its own round number (from the
//! [`RoundAnchor`]), so a round abandoned or missed in window k cannot be
//! opened again at another time: the next chance is window k + 1. Reports
//! that land after `T_k` and before the window's round opens freeze the
//! member's score as of `T_k` under that number, and a pass claimed after
//! `T_k` counts from the next window's round: which second the crank picks
//! inside the window changes nothing.
use crate::state::{RoundAnchor, RoundCadence};

/// A scheduled round: a window of the cadence and the number its round gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScheduledRound {
    /// The round number this window's round gets.
    pub round: u32,
    /// The window's index k.
    pub window: u64,
    /// Its scheduled time `T_k`, unix seconds: the round's snapshot.
    pub snapshot_ts: i64,
    /// The end of its open window (exclusive), unix seconds.
    pub closes_ts: i64,
}

impl ScheduledRound {
    /// Whether the round may open at `now`.
    pub fn is_open_at(&self, now: i64) -> bool {
        (self.snapshot_ts..self.closes_ts).contains(&now)
    }
}

/// The index of the latest window scheduled at or before `ts`, if any
/// (`None` with the cadence off, or before the first window).
pub fn window_at(cadence: &RoundCadence, ts: i64) -> Option<u64> {
    if !cadence.is_on() {
        return None;
    }
    let since = ts.checked_sub(i64::from(cadence.offset_secs))?;
    u64::try_from(since.div_euclid(i64::from(cadence.period_secs))).ok().filter(|_| since >= 0)
}

/// Window `window` with its round number, if the window has one (at or
/// after the anchor's) and the numbers fit.
pub fn scheduled(cadence: &RoundCadence, anchor: &RoundAnchor, window: u64) -> Option<ScheduledRound> {
    if !cadence.is_on() || window < anchor.window {
        return None;
    }
    let round = u32::try_from(window - anchor.window).ok()?.checked_add(anchor.round)?;
    let snapshot_ts = i64::try_from(window)
        .ok()?
        .checked_mul(i64::from(cadence.period_secs))?
        .checked_add(i64::from(cadence.offset_secs))?;
    let closes_ts = snapshot_ts.checked_add(i64::from(cadence.open_window_secs))?;
    Some(ScheduledRound { round, window, snapshot_ts, closes_ts })
}

/// The scheduled round of the window `now` falls in (its time has come,
/// whether or not its open window has passed).
pub fn current(cadence: &RoundCadence, anchor: &RoundAnchor, now: i64) -> Option<ScheduledRound> {
    scheduled(cadence, anchor, window_at(cadence, now)?)
}

/// The scheduled round that may open at `now`, if `now` is inside a
/// window's open part.
pub fn open_at(cadence: &RoundCadence, anchor: &RoundAnchor, now: i64) -> Option<ScheduledRound> {
    current(cadence, anchor, now).filter(|s| s.is_open_at(now))
}

/// The first scheduled round whose time is after `now`.
pub fn next_after(cadence: &RoundCadence, anchor: &RoundAnchor, now: i64) -> Option<ScheduledRound> {
    let window = match window_at(cadence, now) {
        Some(k) => k.checked_add(1)?,
        None => 0,
    };
    scheduled(cadence, anchor, window.max(anchor.window))
}

/// The first round a pass claimed at `now` counts in: the board's next
/// round number with the cadence off; with it on, the first scheduled round
/// whose snapshot is after `now` (a round whose snapshot has passed ranks
/// the holders of that time), and never below the board's next number.
pub fn first_round_of_claim(cadence: &RoundCadence, anchor: &RoundAnchor, next_round: u32, now: i64) -> u32 {
    next_after(cadence, anchor, now).map_or(next_round, |s| s.round.max(next_round))
}

/// The anchor after an `update_config` at `now` that changes the cadence
/// from `old` (anchored at `old_anchor`) to `new`, when the boards' next
/// round numbers are at most `highest_next_round`. Numbering starts at the
/// new cadence's next window (the current one's time has passed), with a
/// number above every round opened so far and every number the old
/// cadence gave (scores frozen under it are never read as the new
/// windows'). `None` if the numbers would not fit.
pub fn reanchor(
    old: &RoundCadence,
    old_anchor: &RoundAnchor,
    new: &RoundCadence,
    highest_next_round: u32,
    now: i64,
) -> Option<RoundAnchor> {
    let mut round = highest_next_round.max(1);
    if let Some(s) = current(old, old_anchor, now) {
        round = round.max(s.round.checked_add(1)?);
    }
    let window = match window_at(new, now) {
        Some(k) => k.checked_add(1)?,
        None => 0,
    };
    Some(RoundAnchor { window, round })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cadence(period_secs: u32, open_window_secs: u32, offset_secs: u32) -> RoundCadence {
        RoundCadence { period_secs, open_window_secs, offset_secs }
    }

    const HOUR: i64 = 3_600;
    const DAY: i64 = 86_400;

    #[test]
    fn a_daily_cadence_opens_from_its_scheduled_time_for_its_open_window() {
        let c = cadence(86_400, 3_600, 3_600);
        let anchor = RoundAnchor { window: 20_000, round: 7 };
        let t = 20_001 * DAY + HOUR;
        let s = open_at(&c, &anchor, t).unwrap();
        assert_eq!(s, ScheduledRound { round: 8, window: 20_001, snapshot_ts: t, closes_ts: t + HOUR });
        assert_eq!(open_at(&c, &anchor, t + HOUR - 1).unwrap().snapshot_ts, t, "the snapshot is the scheduled time");
        assert_eq!(open_at(&c, &anchor, t + HOUR), None, "the open window is over");
        assert_eq!(open_at(&c, &anchor, t - 1), None, "00:59:59 is the end of the previous day's window");
        assert_eq!(current(&c, &anchor, t - 1).unwrap().round, 7);
        assert_eq!(next_after(&c, &anchor, t).unwrap().round, 9);
        assert_eq!(next_after(&c, &anchor, t - 1).unwrap().round, 8);
    }

    #[test]
    fn windows_before_the_anchor_have_no_round_and_the_cadence_off_has_none() {
        let c = cadence(60, 20, 0);
        let anchor = RoundAnchor { window: 100, round: 3 };
        assert_eq!(open_at(&c, &anchor, 99 * 60), None);
        assert_eq!(next_after(&c, &anchor, 10).unwrap(), scheduled(&c, &anchor, 100).unwrap());
        assert_eq!(open_at(&RoundCadence::OFF, &anchor, 100 * 60), None);
        assert_eq!(first_round_of_claim(&RoundCadence::OFF, &anchor, 5, 100 * 60), 5);
        assert_eq!(window_at(&c, -1), None);
    }

    #[test]
    fn a_claim_after_a_windows_time_counts_from_the_next_window() {
        let c = cadence(60, 20, 0);
        let anchor = RoundAnchor { window: 100, round: 1 };
        // At 100 × 60 + 5, window 100's snapshot has passed: the claim counts from round 2.
        assert_eq!(first_round_of_claim(&c, &anchor, 1, 100 * 60 + 5), 2);
        // Just before window 101's time, still round 2.
        assert_eq!(first_round_of_claim(&c, &anchor, 1, 101 * 60 - 1), 2);
        // Never below the board's next number (round 2 opened already).
        assert_eq!(first_round_of_claim(&c, &anchor, 3, 100 * 60 + 5), 3);
    }

    #[test]
    fn reanchoring_numbers_above_every_round_of_the_old_cadence() {
        let old = cadence(60, 20, 0);
        let old_anchor = RoundAnchor { window: 100, round: 1 };
        let now = 150 * 60 + 30; // old window 150, round 51
        let new = cadence(86_400, 3_600, 3_600);
        let a = reanchor(&old, &old_anchor, &new, 12, now).unwrap();
        assert_eq!(a.round, 52);
        assert_eq!(a.window, window_at(&new, now).unwrap() + 1);
        let s = scheduled(&new, &a, a.window).unwrap();
        assert!(s.snapshot_ts > now, "the first new window is in the future");
        // From the cadence off, the boards' numbers are the floor.
        let b = reanchor(&RoundCadence::OFF, &old_anchor, &old, 9, now).unwrap();
        assert_eq!(b, RoundAnchor { window: 151, round: 9 });
    }

    proptest! {
        #[test]
        fn every_second_falls_in_exactly_one_window_and_numbers_grow_by_one(
            period in 1u32..100_000, offset_frac in 0u32..1_000, open_frac in 1u32..=1_000,
            ts in 0i64..4_000_000_000, anchor_round in 1u32..1_000_000,
        ) {
            let offset = (u64::from(period) * u64::from(offset_frac) / 1_000) as u32;
            let open = ((u64::from(period) * u64::from(open_frac) / 1_000) as u32).max(1);
            let c = cadence(period, open, offset);
            let anchor = RoundAnchor { window: 0, round: anchor_round };
            if let Some(s) = current(&c, &anchor, ts) {
                prop_assert!(s.snapshot_ts <= ts && ts < s.snapshot_ts + i64::from(period));
                prop_assert_eq!(s.round as u64, anchor_round as u64 + s.window);
                let n = next_after(&c, &anchor, ts).unwrap();
                prop_assert_eq!(n.round, s.round + 1);
                prop_assert!(n.snapshot_ts > ts);
                prop_assert_eq!(open_at(&c, &anchor, ts).is_some(), ts < s.snapshot_ts + i64::from(open));
            } else {
                prop_assert!(ts < i64::from(offset));
            }
        }
    }
}
