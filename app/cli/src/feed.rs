//! The feed (SPEC §8): JSON Lines, one event per line, in time order.
//! Parsing is strict: a malformed line is refused with a message naming the
//! field, and never half-applied.
use pictor_vip_sdk::ix::Report;
use pictor_vip_sdk::state::Role;
use pictor_vip_sdk::time::days_from_civil;
use pictor_vip_sdk::units::parse_usdt;
use serde_json::{Map, Value};
use std::fmt;

/// One event of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// An oracle fact about `wallet`, with its per-member sequence number.
    Oracle {
        /// Wallet as written (base58 key or label).
        wallet: String,
        /// Per-member sequence number.
        seq: u64,
        /// The fact.
        report: Report,
    },
    /// The wallet claims its pass.
    Claim {
        /// Wallet as written.
        wallet: String,
        /// Role claimed.
        role: Role,
    },
    /// The crank runs a ranking round.
    Round {
        /// Role ranked.
        role: Role,
    },
}

impl Event {
    /// `(wallet, role)` this event makes a member of, if any.
    pub fn member(&self) -> Option<(&str, Role)> {
        match self {
            Event::Oracle { wallet, report, .. } => Some((wallet, report.role())),
            Event::Claim { wallet, role } => Some((wallet, *role)),
            Event::Round { .. } => None,
        }
    }
}

/// A parsed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Line number, from 1.
    pub number: usize,
    /// When the event happens, unix seconds.
    pub at: i64,
    /// The event.
    pub event: Event,
}

/// Why a line was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// Line number, from 1.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for LineError {}

/// Parses an RFC 3339 timestamp ("2026-07-03T00:01:00Z", fractions and
/// numeric offsets accepted) into unix seconds.
pub fn parse_rfc3339(s: &str) -> Result<i64, String> {
    let bad = || format!("`at` {s:?} is not an RFC 3339 time like 2026-07-03T00:01:00Z");
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Result<i64, String> {
        let part = s.get(r).ok_or_else(bad)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad());
        }
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && (rest.starts_with('+') || rest.starts_with('-')) && &rest[3..4] == ":" => {
            let h: i64 = rest[1..3].parse().map_err(|_| bad())?;
            let m: i64 = rest[4..6].parse().map_err(|_| bad())?;
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            sign * (h * 3_600 + m * 60)
        }
        _ => return Err(bad()),
    };
    check_date(year, month, day).map_err(|_| bad())?;
    if hour > 23 || minute > 59 || second > 59 {
        return Err(bad());
    }
    Ok(days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second - offset)
}

fn check_date(year: i64, month: i64, day: i64) -> Result<(), ()> {
    if !(1..=12).contains(&month) || day < 1 {
        return Err(());
    }
    // The first of the next month minus the first of this one.
    let (ny, nm) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    let len = days_from_civil(ny, nm, 1) - days_from_civil(year, month, 1);
    if day > len {
        return Err(());
    }
    Ok(())
}

/// Parses "YYYY-MM-DD" into a UTC day index.
pub fn parse_day(s: &str) -> Result<u32, String> {
    let bad = || format!("`day` {s:?} is not a date like 2026-07-03");
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return Err(bad());
    }
    let n: Vec<i64> = parts.iter().map(|p| p.parse::<i64>().map_err(|_| bad())).collect::<Result<_, _>>()?;
    check_date(n[0], n[1], n[2]).map_err(|_| bad())?;
    u32::try_from(days_from_civil(n[0], n[1], n[2])).map_err(|_| bad())
}

struct Fields<'a> {
    obj: &'a Map<String, Value>,
    used: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    fn get(&mut self, key: &'static str) -> Result<&'a Value, String> {
        self.used.push(key);
        self.obj.get(key).ok_or_else(|| format!("missing field `{key}`"))
    }

    fn str(&mut self, key: &'static str) -> Result<&'a str, String> {
        self.get(key)?.as_str().ok_or_else(|| format!("`{key}` must be a string"))
    }

    fn uint<T: TryFrom<u64>>(&mut self, key: &'static str) -> Result<T, String> {
        let v = self.get(key)?;
        let n = v.as_u64().ok_or_else(|| format!("`{key}` must be a non-negative integer, got {v}"))?;
        T::try_from(n).map_err(|_| format!("`{key}` {n} is out of range"))
    }

    fn role(&mut self) -> Result<Role, String> {
        match self.str("role")? {
            "creator" => Ok(Role::Creator),
            "worker" => Ok(Role::Worker),
            other => Err(format!("`role` must be \"creator\" or \"worker\", got {other:?}")),
        }
    }

    fn finish(self) -> Result<(), String> {
        match self.obj.keys().find(|k| !self.used.contains(&k.as_str())) {
            Some(k) => Err(format!("unknown field `{k}`")),
            None => Ok(()),
        }
    }
}

/// Parses one line (without the time-order check, which needs the previous line).
pub fn parse_line(number: usize, text: &str) -> Result<Line, LineError> {
    parse_fields(text)
        .map(|(at, event)| Line { number, at, event })
        .map_err(|message| LineError { line: number, message })
}

fn parse_fields(text: &str) -> Result<(i64, Event), String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let obj = value.as_object().ok_or("not a JSON object")?;
    let mut f = Fields { obj, used: Vec::new() };
    let kind = f.str("type")?;
    let at = parse_rfc3339(f.str("at")?)?;
    let oracle = |f: &mut Fields, report: Report| -> Result<Event, String> {
        let wallet = f.str("wallet")?.to_string();
        if wallet.is_empty() {
            return Err("`wallet` is empty".into());
        }
        let seq = f.uint("seq")?;
        if seq == 0 {
            return Err("`seq` must be at least 1".into());
        }
        Ok(Event::Oracle { wallet, seq, report })
    };
    let usdt = |f: &mut Fields| -> Result<u64, String> { parse_usdt(f.str("usdt")?).map_err(|e| e.to_string()) };
    let event = match kind {
        "recharge" => {
            let r = Report::Recharge { amount_base_units: usdt(&mut f)? };
            oracle(&mut f, r)?
        }
        "spend" => {
            let r = Report::Spend { amount_base_units: usdt(&mut f)? };
            oracle(&mut f, r)?
        }
        "frames" => {
            let r = Report::Frames { frames: f.uint("frames")? };
            oracle(&mut f, r)?
        }
        "worker_day" => {
            let r = Report::WorkerDay {
                day_index: parse_day(f.str("day")?)?,
                uptime_minutes: f.uint("uptime_minutes")?,
                frames_completed: f.uint("frames_completed")?,
                jobs_failed: f.uint("jobs_failed")?,
            };
            oracle(&mut f, r)?
        }
        "gpu" => {
            let r = Report::Gpu {
                model: f.str("model")?.to_string(),
                vram_gb: f.uint("vram_gb")?,
                hashpower: f.uint("hashpower")?,
            };
            oracle(&mut f, r)?
        }
        "claim" => {
            let wallet = f.str("wallet")?.to_string();
            Event::Claim { wallet, role: f.role()? }
        }
        "round" => Event::Round { role: f.role()? },
        other => return Err(format!("unknown event type {other:?}")),
    };
    f.finish()?;
    Ok((at, event))
}

/// Parses a whole feed: every line is either a [`Line`] or a [`LineError`]
/// (malformed, or earlier than the line before). Blank lines are skipped.
pub fn parse_feed(text: &str) -> Vec<Result<Line, LineError>> {
    let mut out = Vec::new();
    let mut last_at: Option<i64> = None;
    for (i, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let parsed = parse_line(i + 1, raw).and_then(|line| match last_at {
            Some(prev) if line.at < prev => Err(LineError {
                line: line.number,
                message: format!("`at` is earlier than the line before ({} < {})", line.at, prev),
            }),
            _ => Ok(line),
        });
        if let Ok(line) = &parsed {
            last_at = Some(line.at);
        }
        out.push(parsed);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse_line(7, text).unwrap_err().message
    }

    #[test]
    fn parses_every_event_type() {
        let l = parse_line(
            1,
            r#"{"type": "recharge", "at": "2026-07-03T00:01:00Z", "wallet": "alice", "seq": 1, "usdt": "5200.25"}"#,
        )
        .unwrap();
        assert_eq!(l.at, 20_637 * 86_400 + 60);
        assert_eq!(
            l.event,
            Event::Oracle {
                wallet: "alice".into(),
                seq: 1,
                report: Report::Recharge { amount_base_units: 5_200_250_000 }
            }
        );
        let l = parse_line(2, r#"{"type":"worker_day","at":"2026-07-04T00:03:00Z","wallet":"w","seq":3,"day":"2026-07-03","uptime_minutes":1441,"frames_completed":2,"jobs_failed":1}"#).unwrap();
        assert_eq!(
            l.event,
            Event::Oracle {
                wallet: "w".into(),
                seq: 3,
                report: Report::WorkerDay {
                    day_index: 20_637,
                    uptime_minutes: 1_441,
                    frames_completed: 2,
                    jobs_failed: 1
                }
            }
        );
        let l = parse_line(3, r#"{"type":"gpu","at":"2026-07-04T00:03:00Z","wallet":"w","seq":4,"model":"RTX 4090","vram_gb":24,"hashpower":100}"#).unwrap();
        assert_eq!(l.event.member(), Some(("w", Role::Worker)));
        assert_eq!(
            parse_line(4, r#"{"type":"claim","at":"2026-07-04T00:03:00Z","wallet":"w","role":"worker"}"#)
                .unwrap()
                .event,
            Event::Claim { wallet: "w".into(), role: Role::Worker }
        );
        assert_eq!(
            parse_line(5, r#"{"type":"round","at":"2026-07-04T00:03:00Z","role":"creator"}"#).unwrap().event,
            Event::Round { role: Role::Creator }
        );
        assert!(matches!(
            parse_line(6, r#"{"type":"spend","at":"2026-07-04T00:03:00Z","wallet":"w","seq":4,"usdt":"1"}"#)
                .unwrap()
                .event,
            Event::Oracle { .. }
        ));
        assert!(matches!(
            parse_line(6, r#"{"type":"frames","at":"2026-07-04T00:03:00Z","wallet":"w","seq":4,"frames":9}"#)
                .unwrap()
                .event,
            Event::Oracle { .. }
        ));
    }

    #[test]
    fn refuses_every_malformed_case_with_a_specific_message() {
        let base = r#""at":"2026-07-04T00:03:00Z","wallet":"w","seq":1"#;
        let cases: Vec<(String, &str)> = vec![
            ("not json".into(), "not JSON"),
            ("[1,2]".into(), "not a JSON object"),
            (r#"{"at":"2026-07-04T00:03:00Z"}"#.into(), "missing field `type`"),
            (r#"{"type":"frames","wallet":"w","seq":1,"frames":1}"#.into(), "missing field `at`"),
            (format!(r#"{{"type":"mint",{base}}}"#), "unknown event type"),
            (r#"{"type":"frames","at":"2026-13-04T00:03:00Z","wallet":"w","seq":1,"frames":1}"#.into(), "RFC 3339"),
            (r#"{"type":"frames","at":"2026-02-30T00:03:00Z","wallet":"w","seq":1,"frames":1}"#.into(), "RFC 3339"),
            (r#"{"type":"frames","at":"yesterday","wallet":"w","seq":1,"frames":1}"#.into(), "RFC 3339"),
            (format!(r#"{{"type":"frames",{base}}}"#), "missing field `frames`"),
            (format!(r#"{{"type":"frames",{base},"frames":-1}}"#), "non-negative integer"),
            (format!(r#"{{"type":"frames",{base},"frames":1.5}}"#), "non-negative integer"),
            (format!(r#"{{"type":"frames",{base},"frames":"3"}}"#), "non-negative integer"),
            (format!(r#"{{"type":"frames",{base},"frames":1,"extra":true}}"#), "unknown field `extra`"),
            (
                r#"{"type":"frames","at":"2026-07-04T00:03:00Z","wallet":"w","seq":0,"frames":1}"#.into(),
                "`seq` must be at least 1",
            ),
            (
                r#"{"type":"frames","at":"2026-07-04T00:03:00Z","wallet":"","seq":1,"frames":1}"#.into(),
                "`wallet` is empty",
            ),
            (
                r#"{"type":"frames","at":"2026-07-04T00:03:00Z","wallet":7,"seq":1,"frames":1}"#.into(),
                "`wallet` must be a string",
            ),
            (format!(r#"{{"type":"recharge",{base},"usdt":"1.1234567"}}"#), "more than 6 decimals"),
            (format!(r#"{{"type":"recharge",{base},"usdt":5000}}"#), "`usdt` must be a string"),
            (format!(r#"{{"type":"recharge",{base},"usdt":"-5"}}"#), "not a plain decimal"),
            (
                format!(
                    r#"{{"type":"worker_day",{base},"day":"2026-7-3","uptime_minutes":1,"frames_completed":0,"jobs_failed":0}}"#
                ),
                "not a date",
            ),
            (
                format!(
                    r#"{{"type":"worker_day",{base},"day":"2026-07-03","uptime_minutes":70000,"frames_completed":0,"jobs_failed":0}}"#
                ),
                "out of range",
            ),
            (format!(r#"{{"type":"gpu",{base},"model":"A","vram_gb":70000,"hashpower":1}}"#), "out of range"),
            (r#"{"type":"claim","at":"2026-07-04T00:03:00Z","wallet":"w","role":"admin"}"#.into(), "`role` must be"),
            (r#"{"type":"round","at":"2026-07-04T00:03:00Z"}"#.into(), "missing field `role`"),
        ];
        for (text, expected) in cases {
            let message = err(&text);
            assert!(message.contains(expected), "{text}\n  → {message}\n  expected to contain {expected:?}");
        }
    }

    #[test]
    fn a_line_earlier_than_the_one_before_is_refused_by_number() {
        let feed = [
            r#"{"type":"round","at":"2026-07-04T00:03:00Z","role":"creator"}"#,
            "",
            r#"{"type":"round","at":"2026-07-04T00:02:59Z","role":"creator"}"#,
            r#"{"type":"round","at":"2026-07-04T00:03:00Z","role":"creator"}"#,
        ]
        .join("\n");
        let parsed = parse_feed(&feed);
        assert_eq!(parsed.len(), 3);
        assert!(parsed[0].is_ok() && parsed[2].is_ok());
        let e = parsed[1].as_ref().unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("earlier"), "{e}");
    }

    #[test]
    fn rfc3339_offsets_and_fractions() {
        let z = parse_rfc3339("2026-07-03T00:01:00Z").unwrap();
        assert_eq!(parse_rfc3339("2026-07-03T02:01:00+02:00").unwrap(), z);
        assert_eq!(parse_rfc3339("2026-07-03T00:01:00.999Z").unwrap(), z);
        assert!(parse_rfc3339("2026-07-03 00:01:00Z").is_err());
        assert!(parse_rfc3339("2026-07-03T24:01:00Z").is_err());
        assert_eq!(parse_day("2028-02-29").unwrap() + 1, parse_day("2028-03-01").unwrap());
        assert!(parse_day("2027-02-29").is_err());
    }
}
