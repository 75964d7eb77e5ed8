//! USDT amounts: 6 decimals. Parsing is exact (no floats).
use crate::constants::USDT_BASE_UNITS_PER_USDT;
use thiserror::Error;

/// Why a USDT decimal string was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum UsdtParseError {
    /// Empty string.
    #[error("empty USDT amount")]
    Empty,
    /// Not digits with at most one '.'.
    #[error("USDT amount {0:?} is not a plain decimal number")]
    NotDecimal(String),
    /// More than 6 decimals.
    #[error("USDT amount {0:?} has more than 6 decimals")]
    TooManyDecimals(String),
    /// Above u64 base units.
    #[error("USDT amount {0:?} is too large")]
    TooLarge(String),
}

/// Parses a decimal USDT string ("5000", "5200.25", "0.000001") into base units.
pub fn parse_usdt(s: &str) -> Result<u64, UsdtParseError> {
    if s.is_empty() {
        return Err(UsdtParseError::Empty);
    }
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || (s.contains('.') && frac.is_empty()) {
        return Err(UsdtParseError::NotDecimal(s.into()));
    }
    if frac.len() > 6 {
        return Err(UsdtParseError::TooManyDecimals(s.into()));
    }
    let too_large = || UsdtParseError::TooLarge(s.into());
    let whole: u64 = whole.parse().map_err(|_| too_large())?;
    let frac_units: u64 = format!("{frac:0<6}").parse().map_err(|_| too_large())?;
    whole.checked_mul(USDT_BASE_UNITS_PER_USDT).and_then(|w| w.checked_add(frac_units)).ok_or_else(too_large)
}

/// Parses a decimal amount of a token with `decimals` decimals ("12.5")
/// into base units, exactly.
pub fn parse_token_amount(s: &str, decimals: u8) -> Result<u64, String> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || (s.contains('.') && !digits(frac)) {
        return Err(format!("amount {s:?} is not a plain decimal number"));
    }
    if frac.len() > usize::from(decimals) {
        return Err(format!("amount {s:?} has more than {decimals} decimals"));
    }
    let scale = 10u64.checked_pow(u32::from(decimals)).ok_or_else(|| format!("{decimals} decimals is too many"))?;
    let too_large = || format!("amount {s:?} is too large");
    let whole: u64 = whole.parse().map_err(|_| too_large())?;
    let frac_units: u64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<width$}", width = usize::from(decimals)).parse().map_err(|_| too_large())?
    };
    whole.checked_mul(scale).and_then(|w| w.checked_add(frac_units)).ok_or_else(too_large)
}

/// Formats base units of a token with `decimals` decimals exactly ("12.5", "3").
pub fn format_token_amount(base_units: u64, decimals: u8) -> String {
    let scale = 10u64.pow(u32::from(decimals.min(19)));
    let (whole, frac) = (base_units / scale, base_units % scale);
    if frac == 0 {
        group_thousands(whole)
    } else {
        let frac = format!("{frac:0width$}", width = usize::from(decimals));
        format!("{}.{}", group_thousands(whole), frac.trim_end_matches('0'))
    }
}

/// Formats base units as "5,000.00 USDT" (2 decimals, rounded down; thousands separators).
pub fn format_usdt(base_units: u64) -> String {
    let whole = base_units / USDT_BASE_UNITS_PER_USDT;
    let cents = (base_units % USDT_BASE_UNITS_PER_USDT) / 10_000;
    format!("{}.{cents:02} USDT", group_thousands(whole))
}

/// Formats base units as an exact plain decimal: "5000", "0.000001", "12.5"
/// (what [`parse_usdt`] reads back).
pub fn format_usdt_plain(base_units: u64) -> String {
    let whole = base_units / USDT_BASE_UNITS_PER_USDT;
    let frac = base_units % USDT_BASE_UNITS_PER_USDT;
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{}", format!("{frac:06}").trim_end_matches('0'))
    }
}

/// "1234567" → "1,234,567".
pub fn group_thousands(n: impl ToString) -> String {
    let s = n.to_string();
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// A UTC day index as "YYYY-MM-DD" (the feed's `day`).
pub fn format_day(day: i64) -> String {
    let (y, m, d) = crate::time::civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A unix time as RFC 3339, UTC, whole seconds ("2026-07-03T00:01:00Z", the feed's `at`).
pub fn format_rfc3339(unix: i64) -> String {
    let s = unix.rem_euclid(86_400);
    format!("{}T{:02}:{:02}:{:02}Z", format_day(unix.div_euclid(86_400)), s / 3_600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_amounts_parse_exactly_for_any_decimals() {
        assert_eq!(parse_token_amount("12.5", 6).unwrap(), 12_500_000);
        assert_eq!(parse_token_amount("3", 0).unwrap(), 3);
        assert_eq!(parse_token_amount("0.000000001", 9).unwrap(), 1);
        assert!(parse_token_amount("1.5", 0).is_err());
        assert!(parse_token_amount("-1", 6).is_err());
        assert!(parse_token_amount("1.", 6).is_err());
        assert!(parse_token_amount("18446744073709.551616", 6).is_err());
        assert_eq!(format_token_amount(12_500_000, 6), "12.5");
        assert_eq!(format_token_amount(5_000_000_000, 6), "5,000");
    }

    #[test]
    fn plain_usdt_round_trips() {
        for v in [0, 1, 5_000_000_000, 12_500_000, 123_456_789, u64::MAX] {
            assert_eq!(parse_usdt(&format_usdt_plain(v)).unwrap(), v, "{v}");
        }
        assert_eq!(format_usdt_plain(5_000_000_000), "5000");
        assert_eq!(format_usdt_plain(12_500_000), "12.5");
    }

    #[test]
    fn parses_whole_and_fractional_amounts_exactly() {
        assert_eq!(parse_usdt("5000"), Ok(5_000_000_000));
        assert_eq!(parse_usdt("4999.999999"), Ok(4_999_999_999));
        assert_eq!(parse_usdt("5200.25"), Ok(5_200_250_000));
        assert_eq!(parse_usdt("0.000001"), Ok(1));
    }

    #[test]
    fn refuses_malformed_amounts() {
        assert_eq!(parse_usdt(""), Err(UsdtParseError::Empty));
        for bad in ["-1", "1e3", "1.", ".5", "1.2.3", " 1", "1,000", "abc"] {
            assert!(matches!(parse_usdt(bad), Err(UsdtParseError::NotDecimal(_))), "{bad}");
        }
        assert!(matches!(parse_usdt("1.0000001"), Err(UsdtParseError::TooManyDecimals(_))));
        assert!(matches!(parse_usdt("18446744073710"), Err(UsdtParseError::TooLarge(_))));
    }

    #[test]
    fn formats_with_separators_and_two_decimals() {
        assert_eq!(format_usdt(3_200_000_000), "3,200.00 USDT");
        assert_eq!(format_usdt(5_200_259_999), "5,200.25 USDT");
        assert_eq!(format_usdt(0), "0.00 USDT");
        assert_eq!(group_thousands(-1234567i64), "-1,234,567");
    }
}
