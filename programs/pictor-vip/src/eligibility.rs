//! Who may claim a pass (SPEC §2). Pure: the clock is an argument.
use crate::state::{CreatorFacts, Rules, WorkerFacts};
use crate::time::day_index;
use anchor_lang::prelude::*;

/// A creator's progress towards the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CreatorEligibility {
    /// Lifetime spending, in USDT base units.
    pub spent_base_units: u64,
    /// Threshold, in USDT base units.
    pub required_base_units: u64,
    /// `spent >= required`.
    pub eligible: bool,
}

/// Evaluates a creator against the rules.
pub fn creator_eligibility(facts: &CreatorFacts, rules: &Rules) -> CreatorEligibility {
    CreatorEligibility {
        spent_base_units: facts.spent_base_units,
        required_base_units: rules.creator_min_spent_base_units,
        eligible: facts.spent_base_units >= rules.creator_min_spent_base_units,
    }
}

/// A worker's progress over the window of completed days before `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkerEligibility {
    /// First day index of the window (inclusive).
    pub window_first_day: u32,
    /// Last day index of the window (inclusive): yesterday.
    pub window_last_day: u32,
    /// Window length, in days.
    pub window_days: u16,
    /// Minutes online over the window (unreported days count 0).
    pub total_uptime_minutes: u64,
    /// Minutes required: window days × minimum daily average.
    pub required_uptime_minutes: u64,
    /// Days in the window with more than 0 minutes online.
    pub online_days: u16,
    /// Longest run of consecutive offline (0-minute or unreported) days in the window.
    pub longest_offline_run_days: u16,
    /// Longest run allowed.
    pub max_offline_run_days: u16,
    /// Both conditions hold.
    pub eligible: bool,
}

/// Evaluates a worker at time `now` (unix seconds). The window is the
/// `worker_window_days` completed UTC days before `now`'s day.
pub fn worker_eligibility(facts: &WorkerFacts, rules: &Rules, now: i64) -> Result<WorkerEligibility> {
    let window_days = rules.scoring.worker_window_days;
    let (first, last) = window_bounds(day_index(now)?, window_days);
    let mut total: u64 = 0;
    let mut online_days: u16 = 0;
    let mut run: u16 = 0;
    let mut longest: u16 = 0;
    for day in first..=last {
        let minutes = facts.uptime_on(day).unwrap_or(0);
        total += u64::from(minutes);
        if minutes == 0 {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
            online_days += 1;
        }
    }
    let required = u64::from(window_days) * u64::from(rules.worker_min_daily_uptime_minutes);
    Ok(WorkerEligibility {
        window_first_day: first,
        window_last_day: last,
        window_days,
        total_uptime_minutes: total,
        required_uptime_minutes: required,
        online_days,
        longest_offline_run_days: longest,
        max_offline_run_days: rules.worker_max_offline_run_days,
        eligible: total >= required && longest <= rules.worker_max_offline_run_days,
    })
}

/// `(first, last)` day indexes of the `window_days` completed days before `today`.
/// Days before the epoch do not exist, so an early clock shortens the window.
pub fn window_bounds(today: u32, window_days: u16) -> (u32, u32) {
    let last = today.saturating_sub(1);
    (today.saturating_sub(u32::from(window_days)), last)
}

/// Minutes online over the window before `today`.
pub fn window_uptime_minutes(facts: &WorkerFacts, today: u32, window_days: u16) -> u64 {
    if today == 0 {
        return 0;
    }
    let (first, last) = window_bounds(today, window_days);
    (first..=last).map(|d| u64::from(facts.uptime_on(d).unwrap_or(0))).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constants::*;

    const TODAY: u32 = 20_700;
    const NOW: i64 = TODAY as i64 * SECONDS_PER_DAY + 3_600;

    fn worker(days: &[(u32, u16)]) -> WorkerFacts {
        let mut f = WorkerFacts::default();
        for &(d, m) in days {
            f.set_uptime(d, m);
        }
        f
    }

    /// The 30 days before TODAY, each with `m` minutes.
    fn full_window(m: u16) -> Vec<(u32, u16)> {
        (TODAY - 30..TODAY).map(|d| (d, m)).collect()
    }

    fn creator(spent: u64) -> CreatorFacts {
        CreatorFacts { deposited_base_units: spent, spent_base_units: spent, ..Default::default() }
    }

    #[test]
    fn creator_one_base_unit_short_is_not_eligible() {
        let r = Rules::default();
        assert!(!creator_eligibility(&creator(4_999_999_999), &r).eligible);
    }

    #[test]
    fn creator_at_exactly_5000_usdt_is_eligible() {
        let r = Rules::default();
        let e = creator_eligibility(&creator(5_000_000_000), &r);
        assert!(e.eligible);
        assert_eq!(e.required_base_units, 5_000_000_000);
    }

    #[test]
    fn worker_one_minute_short_of_28800_is_not_eligible() {
        let mut days = full_window(960);
        days[7].1 = 959;
        let e = worker_eligibility(&worker(&days), &Rules::default(), NOW).unwrap();
        assert_eq!(e.total_uptime_minutes, 28_799);
        assert!(!e.eligible);
    }

    #[test]
    fn worker_at_exactly_28800_minutes_is_eligible() {
        let e = worker_eligibility(&worker(&full_window(960)), &Rules::default(), NOW).unwrap();
        assert_eq!(e.total_uptime_minutes, 28_800);
        assert_eq!(e.required_uptime_minutes, 28_800);
        assert!(e.eligible);
    }

    #[test]
    fn worker_with_three_offline_days_in_a_row_is_eligible() {
        let mut days = full_window(1_100);
        for d in &mut days[10..13] {
            d.1 = 0;
        }
        let e = worker_eligibility(&worker(&days), &Rules::default(), NOW).unwrap();
        assert_eq!(e.longest_offline_run_days, 3);
        assert!(e.eligible, "{e:?}");
    }

    #[test]
    fn worker_with_four_offline_days_in_a_row_is_not_eligible() {
        let mut days = full_window(1_440);
        for d in &mut days[10..14] {
            d.1 = 0;
        }
        let e = worker_eligibility(&worker(&days), &Rules::default(), NOW).unwrap();
        assert_eq!(e.longest_offline_run_days, 4);
        assert!(e.total_uptime_minutes >= e.required_uptime_minutes);
        assert!(!e.eligible);
    }

    #[test]
    fn unreported_days_count_as_offline_with_zero_minutes() {
        // 26 reported days at 1,440 min = 37,440 ≥ 28,800, but 4 unreported in a row.
        let days: Vec<_> =
            full_window(1_440).into_iter().filter(|(d, _)| !(TODAY - 20..TODAY - 16).contains(d)).collect();
        let e = worker_eligibility(&worker(&days), &Rules::default(), NOW).unwrap();
        assert_eq!(e.online_days, 26);
        assert_eq!(e.longest_offline_run_days, 4);
        assert!(!e.eligible);
    }

    #[test]
    fn today_never_counts_and_the_window_slides() {
        let mut days = full_window(960);
        days.push((TODAY, 1_440)); // today: outside the window
        let f = worker(&days);
        assert!(worker_eligibility(&f, &Rules::default(), NOW).unwrap().eligible);
        // Tomorrow the oldest day leaves the window and today's 1,440 enter: still 960×29+1,440.
        let tomorrow = NOW + SECONDS_PER_DAY;
        let e = worker_eligibility(&f, &Rules::default(), tomorrow).unwrap();
        assert_eq!(e.total_uptime_minutes, 960 * 29 + 1_440);
        // Two days on, one unreported day enters (yesterday): 960×28+1,440+0 < 28,800.
        let e = worker_eligibility(&f, &Rules::default(), tomorrow + SECONDS_PER_DAY).unwrap();
        assert_eq!(e.total_uptime_minutes, 960 * 28 + 1_440);
        assert!(!e.eligible);
    }

    #[test]
    fn thresholds_come_from_the_rules() {
        let mut r = Rules { worker_min_daily_uptime_minutes: 600, worker_max_offline_run_days: 4, ..Rules::default() };
        let mut days = full_window(1_000);
        for d in &mut days[0..4] {
            d.1 = 0;
        }
        assert!(worker_eligibility(&worker(&days), &r, NOW).unwrap().eligible);
        r.creator_min_spent_base_units = 10;
        assert!(creator_eligibility(&creator(10), &r).eligible);
    }
}
