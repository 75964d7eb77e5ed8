//! The feed (SPEC §8): JSON Lines, one event per line, in time order.
//! Parsing is strict: a malformed line is refused with a message naming the
//! field, and never half-applied.
use pictor_vip_sdk::ix::Report;
use pictor_vip_sdk::state::Role;
use pictor_vip_sdk::units::parse_usdt;
use serde::Deserialize;
use std::fmt;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

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

/// A fact's fingerprint: the SHA-256 of the Borsh encoding of (wallet,
/// sequence number, fact time, report). The co-signer's ledger keeps it for
/// what it signed, the keeper's state for what the program refused.
pub fn fact_digest(wallet: &pictor_vip_sdk::Pubkey, seq: u64, fact_ts: i64, report: &Report) -> [u8; 32] {
    use anchor_lang::AnchorSerialize;
    let mut bytes = Vec::new();
    (wallet, seq, fact_ts, report).serialize(&mut bytes).expect("borsh into a Vec");
    solana_sha256_hasher::hashv(&[&bytes]).to_bytes()
}

/// Parses an RFC 3339 timestamp ("2026-07-03T00:01:00Z", fractions and
/// numeric offsets accepted) into unix seconds.
pub fn parse_rfc3339(s: &str) -> Result<i64, String> {
    OffsetDateTime::parse(s, &Rfc3339)
        .map(|t| t.unix_timestamp())
        .map_err(|e| format!("`at` {s:?} is not an RFC 3339 time like 2026-07-03T00:01:00Z ({e})"))
}

/// The feed's `at` of a unix time (what [`parse_rfc3339`] reads back) and
/// `day` of a UTC day index (what [`parse_day`] reads back).
pub use pictor_vip_sdk::units::{format_day, format_rfc3339};

/// Parses "YYYY-MM-DD" into a UTC day index.
pub fn parse_day(s: &str) -> Result<u32, String> {
    let bad = |e: &dyn fmt::Display| format!("`day` {s:?} is not a date like 2026-07-03 ({e})");
    let format = time::format_description::parse_borrowed::<2>("[year]-[month]-[day]").map_err(|e| bad(&e))?;
    let date = time::Date::parse(s, &format).map_err(|e| bad(&e))?;
    // Julian day 2,440,588 is 1970-01-01.
    u32::try_from(i64::from(date.to_julian_day()) - 2_440_588).map_err(|e| bad(&e))
}

/// The `type` of a line, read first to pick the line's own type.
#[derive(Deserialize)]
struct Tag {
    #[serde(rename = "type")]
    kind: String,
}

/// A role as the feed writes it.
#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum RoleName {
    Creator,
    Worker,
}

impl From<RoleName> for Role {
    fn from(r: RoleName) -> Role {
        match r {
            RoleName::Creator => Role::Creator,
            RoleName::Worker => Role::Worker,
        }
    }
}

/// `recharge` and `spend` lines.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UsdtLine {
    #[serde(rename = "type")]
    _kind: String,
    at: String,
    wallet: String,
    seq: u64,
    usdt: String,
}

/// `frames` lines.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FramesLine {
    #[serde(rename = "type")]
    _kind: String,
    at: String,
    wallet: String,
    seq: u64,
    frames: u64,
}

/// `worker_day` lines.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkerDayLine {
    #[serde(rename = "type")]
    _kind: String,
    at: String,
    wallet: String,
    seq: u64,
    day: String,
    uptime_minutes: u16,
    frames_completed: u64,
    jobs_failed: u64,
}

/// `gpu` lines.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GpuLine {
    #[serde(rename = "type")]
    _kind: String,
    at: String,
    wallet: String,
    seq: u64,
    model: String,
    vram_gb: u16,
    hashpower: u64,
}

/// `claim` lines.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimLine {
    #[serde(rename = "type")]
    _kind: String,
    at: String,
    wallet: String,
    role: RoleName,
}

/// `round` lines.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoundLine {
    #[serde(rename = "type")]
    _kind: String,
    at: String,
    role: RoleName,
}

/// Deserializes `text` as `T`, naming the field at fault.
fn typed<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let inner = inner.to_string();
        let inner = inner.split(" at line ").next().unwrap_or(&inner).to_string();
        if path == "." {
            inner
        } else {
            format!("`{path}`: {inner}")
        }
    })
}

/// An oracle line's wallet and sequence number, checked.
fn oracle(wallet: String, seq: u64, report: Report) -> Result<Event, String> {
    if wallet.is_empty() {
        return Err("`wallet` is empty".into());
    }
    if seq == 0 {
        return Err("`seq` must be at least 1".into());
    }
    Ok(Event::Oracle { wallet, seq, report })
}

/// The `type`s a feed line may have.
pub const EVENT_TYPES: [&str; 7] = ["recharge", "spend", "frames", "worker_day", "gpu", "claim", "round"];

/// The `type` of a JSON object line when it is a string that is not one of
/// [`EVENT_TYPES`] (a line of a kind this version does not know).
pub fn unknown_type(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let kind = value.get("type")?.as_str()?;
    (!EVENT_TYPES.contains(&kind)).then(|| kind.to_string())
}

/// Parses one line (without the time-order check, which needs the previous line).
pub fn parse_line(number: usize, text: &str) -> Result<Line, LineError> {
    parse_fields(text)
        .map(|(at, event)| Line { number, at, event })
        .map_err(|message| LineError { line: number, message })
}

fn parse_fields(text: &str) -> Result<(i64, Event), String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    if !value.is_object() {
        return Err("not a JSON object".into());
    }
    let kind = typed::<Tag>(text)?.kind;
    let usdt = |s: &str| parse_usdt(s).map_err(|e| format!("`usdt`: {e}"));
    let (at, event) = match kind.as_str() {
        "recharge" | "spend" => {
            let l: UsdtLine = typed(text)?;
            let amount_base_units = usdt(&l.usdt)?;
            let report = if kind == "recharge" {
                Report::Recharge { amount_base_units }
            } else {
                Report::Spend { amount_base_units }
            };
            (l.at, oracle(l.wallet, l.seq, report)?)
        }
        "frames" => {
            let l: FramesLine = typed(text)?;
            (l.at, oracle(l.wallet, l.seq, Report::Frames { frames: l.frames })?)
        }
        "worker_day" => {
            let l: WorkerDayLine = typed(text)?;
            let report = Report::WorkerDay {
                day_index: parse_day(&l.day)?,
                uptime_minutes: l.uptime_minutes,
                frames_completed: l.frames_completed,
                jobs_failed: l.jobs_failed,
            };
            (l.at, oracle(l.wallet, l.seq, report)?)
        }
        "gpu" => {
            let l: GpuLine = typed(text)?;
            let report = Report::Gpu { model: l.model, vram_gb: l.vram_gb, hashpower: l.hashpower };
            (l.at, oracle(l.wallet, l.seq, report)?)
        }
        "claim" => {
            let l: ClaimLine = typed(text)?;
            (l.at, Event::Claim { wallet: l.wallet, role: l.role.into() })
        }
        "round" => {
            let l: RoundLine = typed(text)?;
            (l.at, Event::Round { role: l.role.into() })
        }
        other => return Err(format!("unknown event type {other:?}")),
    };
    Ok((parse_rfc3339(&at)?, event))
}

/// Parses a whole feed: every line is either a [`Line`] or a [`LineError`]
/// (malformed, or earlier than the line before). Blank lines are skipped.
pub fn parse_feed(text: &str) -> Vec<Result<Line, LineError>> {
    parse_feed_bytes(text.as_bytes())
}

/// [`parse_feed`] of bytes as read from a file: a line that is not UTF-8 is
/// refused by its number (SPEC §8), the others read on.
pub fn parse_feed_bytes(bytes: &[u8]) -> Vec<Result<Line, LineError>> {
    let mut out = Vec::new();
    let mut last_at: Option<i64> = None;
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    for (i, raw) in body.split(|b| *b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let raw = match std::str::from_utf8(raw) {
            Ok(text) => text,
            Err(e) => {
                out.push(Err(LineError {
                    line: i + 1,
                    message: format!("not UTF-8 text (an invalid byte at column {})", e.valid_up_to() + 1),
                }));
                continue;
            }
        };
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

    #[test]
    fn times_and_days_format_as_the_parser_reads_them() {
        for t in [0, 1_785_542_399, 1_785_542_400, 1_798_761_599, 4_102_444_800 + 3_661] {
            assert_eq!(parse_rfc3339(&format_rfc3339(t)), Ok(t), "{}", format_rfc3339(t));
        }
        assert_eq!(format_rfc3339(1_785_542_399), "2026-07-31T23:59:59Z");
        for day in [0i64, 20_605, 20_727, 47_482] {
            assert_eq!(parse_day(&format_day(day)).map(i64::from), Ok(day));
        }
        assert_eq!(format_day(20_605), "2026-06-01");
    }

    fn err(text: &str) -> String {
        parse_line(7, text).unwrap_err().message
    }

    #[test]
    fn a_line_of_an_unknown_kind_is_told_from_a_malformed_one() {
        let unknown = r#"{"type":"teleport","at":"2026-07-03T00:00:00Z"}"#;
        assert_eq!(unknown_type(unknown).as_deref(), Some("teleport"));
        assert_eq!(err(unknown), r#"unknown event type "teleport""#);
        for known in EVENT_TYPES {
            assert_eq!(unknown_type(&format!(r#"{{"type":"{known}"}}"#)), None, "{known}");
        }
        for malformed in ["{", "[]", r#"{"type":7}"#, r#"{"at":"2026-07-03T00:00:00Z"}"#] {
            assert_eq!(unknown_type(malformed), None, "{malformed}");
        }
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
            (
                format!(r#"{{"type":"frames",{base},"frames":-1}}"#),
                "`frames`: invalid value: integer `-1`, expected u64",
            ),
            (format!(r#"{{"type":"frames",{base},"frames":1.5}}"#), "`frames`: invalid type: floating point"),
            (format!(r#"{{"type":"frames",{base},"frames":"3"}}"#), "`frames`: invalid type: string"),
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
                "`wallet`: invalid type: integer `7`, expected a string",
            ),
            (format!(r#"{{"type":"recharge",{base},"usdt":"1.1234567"}}"#), "more than 6 decimals"),
            (format!(r#"{{"type":"recharge",{base},"usdt":5000}}"#), "`usdt`: invalid type: integer"),
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
                "`uptime_minutes`: invalid value: integer `70000`, expected u16",
            ),
            (
                format!(r#"{{"type":"gpu",{base},"model":"A","vram_gb":70000,"hashpower":1}}"#),
                "`vram_gb`: invalid value",
            ),
            (
                r#"{"type":"claim","at":"2026-07-04T00:03:00Z","wallet":"w","role":"admin"}"#.into(),
                "`role`: unknown variant `admin`, expected `creator` or `worker`",
            ),
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
        // RFC 3339 allows a space for the `T`; an offset is required.
        assert_eq!(parse_rfc3339("2026-07-03 00:01:00Z").unwrap(), z);
        assert!(parse_rfc3339("2026-07-03T00:01:00").is_err());
        assert!(parse_rfc3339("2026-07-03T24:01:00Z").is_err());
        assert!(parse_rfc3339("2026-02-30T00:00:00Z").is_err());
        assert_eq!(parse_day("2028-02-29").unwrap() + 1, parse_day("2028-03-01").unwrap());
        assert!(parse_day("2027-02-29").is_err());
    }
}
