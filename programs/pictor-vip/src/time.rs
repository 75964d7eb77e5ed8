//! UTC calendar arithmetic on unix timestamps (integers only).
use crate::constants::SECONDS_PER_DAY;
use crate::errors::PictorError;
use anchor_lang::prelude::*;

/// UTC day index of a unix timestamp (seconds): `ts / 86,400`.
pub fn day_index(unix_timestamp: i64) -> Result<u32> {
    require!(unix_timestamp >= 0, PictorError::InvalidClock);
    u32::try_from(unix_timestamp / SECONDS_PER_DAY).map_err(|_| PictorError::InvalidClock.into())
}

/// UTC calendar month of a unix timestamp as `year * 12 + (month - 1)`.
pub fn month_index(unix_timestamp: i64) -> Result<u32> {
    let days = i64::from(day_index(unix_timestamp)?);
    let (year, month, _) = civil_from_days(days);
    u32::try_from(year * 12 + (month - 1)).map_err(|_| PictorError::InvalidClock.into())
}

/// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(year, month 1..=12, day 1..=31)` of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_index_floors_to_utc_midnight() {
        assert_eq!(day_index(0).unwrap(), 0);
        assert_eq!(day_index(86_399).unwrap(), 0);
        assert_eq!(day_index(86_400).unwrap(), 1);
        assert!(day_index(-1).is_err());
    }

    #[test]
    fn civil_round_trips_and_matches_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2026, 7, 3), 20_637);
        assert_eq!(civil_from_days(20_637), (2026, 7, 3));
        for d in -1_000..200_000 {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }

    #[test]
    fn month_changes_exactly_at_utc_midnight_of_the_first() {
        let aug1 = days_from_civil(2026, 8, 1) * SECONDS_PER_DAY;
        assert_eq!(month_index(aug1 - 1).unwrap(), 2026 * 12 + 6);
        assert_eq!(month_index(aug1).unwrap(), 2026 * 12 + 7);
        let jan1 = days_from_civil(2027, 1, 1) * SECONDS_PER_DAY;
        assert_eq!(month_index(jan1 - 1).unwrap() + 1, month_index(jan1).unwrap());
    }
}
