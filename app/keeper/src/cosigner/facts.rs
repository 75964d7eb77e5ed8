//! A co-signer's own copy of the facts: its feed (SPEC §8's format, from its
//! operator's own source), followed as it grows and rotates the way the
//! keeper follows its own ([`crate::keeper::tail`]), indexed by (wallet,
//! sequence number).
use super::check::Fact;
use crate::feed::{parse_line, unknown_type, Event};
use crate::keeper::tail::{self, LineSource, TailLine};
use pictor_vip_sdk::Pubkey;
use std::collections::HashMap;
use std::str::FromStr;

/// What the index holds for a (wallet, sequence number).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Fact(Fact),
    /// The feed holds two different facts for it: neither is signed.
    Conflict,
}

/// What a lookup finds.
#[derive(Debug, PartialEq, Eq)]
pub enum Found<'a> {
    /// No such fact (yet).
    Missing,
    /// The feed's fact.
    Fact(&'a Fact),
    /// Two different facts in the feed.
    Conflict,
}

/// Lines the index refused, by reason (the metrics' labels).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BadLines {
    /// Not a valid line of §8.
    pub malformed: u64,
    /// Of a type §8 does not know.
    pub unknown_type: u64,
    /// An oracle fact whose wallet is not a base58 key.
    pub not_a_key: u64,
    /// A second, different fact for a (wallet, seq) the feed already has.
    pub conflicting: u64,
}

/// The feed's facts by (wallet, sequence number).
#[derive(Debug, Default)]
pub struct FactIndex {
    facts: HashMap<(Pubkey, u64), Entry>,
    /// The newest fact time read, unix seconds.
    pub newest_fact_ts: Option<i64>,
    /// Lines refused.
    pub bad: BadLines,
    /// Lines read.
    pub lines: u64,
}

impl FactIndex {
    /// The fact of (wallet, seq).
    pub fn get(&self, wallet: &Pubkey, seq: u64) -> Found<'_> {
        match self.facts.get(&(*wallet, seq)) {
            None => Found::Missing,
            Some(Entry::Fact(f)) => Found::Fact(f),
            Some(Entry::Conflict) => Found::Conflict,
        }
    }

    /// Facts indexed (conflicts included).
    pub fn len(&self) -> usize {
        self.facts.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    /// Reads one line of the feed (`label`: where it came from, for the log).
    pub fn add(&mut self, line: &TailLine) {
        if line.text.trim().is_empty() {
            return;
        }
        self.lines += 1;
        let label = format!("{}:{}", line.source, line.number);
        let parsed = match parse_line(line.number, &line.text) {
            Ok(parsed) => parsed,
            Err(e) => {
                if unknown_type(&line.text).is_some() {
                    self.bad.unknown_type += 1;
                } else {
                    self.bad.malformed += 1;
                }
                tracing::warn!("{label}: skipped: {}", e.message);
                return;
            }
        };
        let Event::Oracle { wallet, seq, report } = parsed.event else { return };
        let Ok(key) = Pubkey::from_str(&wallet) else {
            self.bad.not_a_key += 1;
            tracing::warn!("{label}: skipped: wallet {wallet:?} is not a base58 public key");
            return;
        };
        self.newest_fact_ts = Some(self.newest_fact_ts.map_or(parsed.at, |t| t.max(parsed.at)));
        let fact = Fact { wallet: key, seq, fact_ts: parsed.at, report };
        match self.facts.get(&(key, seq)) {
            None => {
                self.facts.insert((key, seq), Entry::Fact(fact));
            }
            Some(Entry::Fact(known)) if *known == fact => {}
            Some(Entry::Conflict) => {}
            Some(Entry::Fact(_)) => {
                self.bad.conflicting += 1;
                tracing::error!(
                    "{label}: a second, different fact for {key} seq {seq}: neither is signed until the feed is mended"
                );
                self.facts.insert((key, seq), Entry::Conflict);
            }
        }
    }
}

/// The feed a co-signer follows: `FILE` (its rotated predecessors first), or
/// standard input.
pub fn source(feed: &str) -> (Vec<TailLine>, Box<dyn LineSource + Send>) {
    if feed == "-" {
        return (Vec::new(), Box::new(tail::Stdin::start()));
    }
    let path = std::path::PathBuf::from(feed);
    let mut first = Vec::new();
    for p in crate::keeper::predecessors(&path) {
        match tail::read_all(&p, &p.display().to_string()) {
            Ok(lines) => first.extend(lines),
            Err(e) => tracing::warn!("cannot read {}: {e}", p.display()),
        }
    }
    (first, Box::new(tail::Tail::new(&path)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pictor_vip_sdk::ix::Report;

    fn line(n: usize, text: &str) -> TailLine {
        TailLine::new("feed", n, text)
    }

    #[test]
    fn facts_are_indexed_by_wallet_and_sequence_and_a_conflict_is_signed_for_neither() {
        let w = Pubkey::new_unique();
        let mut ix = FactIndex::default();
        ix.add(&line(
            1,
            &format!(r#"{{"type":"frames","at":"2026-12-01T00:00:00Z","wallet":"{w}","seq":1,"frames":5}}"#),
        ));
        ix.add(&line(
            2,
            &format!(r#"{{"type":"frames","at":"2026-12-01T00:00:00Z","wallet":"{w}","seq":1,"frames":5}}"#),
        ));
        ix.add(&line(
            3,
            &format!(r#"{{"type":"spend","at":"2026-12-01T00:00:01Z","wallet":"{w}","seq":2,"usdt":"1"}}"#),
        ));
        ix.add(&line(
            4,
            &format!(r#"{{"type":"spend","at":"2026-12-01T00:00:01Z","wallet":"{w}","seq":2,"usdt":"2"}}"#),
        ));
        ix.add(&line(5, r#"{"type":"frames","at":"2026-12-01T00:00:00Z","wallet":"alice","seq":1,"frames":5}"#));
        ix.add(&line(6, "not json"));
        ix.add(&line(7, r#"{"type":"teleport","at":"2026-12-01T00:00:00Z"}"#));
        let Found::Fact(f) = ix.get(&w, 1) else { panic!("seq 1 indexed") };
        assert_eq!((f.fact_ts, &f.report), (1_796_083_200, &Report::Frames { frames: 5 }));
        assert_eq!(ix.get(&w, 2), Found::Conflict);
        assert_eq!(ix.get(&w, 3), Found::Missing);
        assert_eq!(ix.bad, BadLines { malformed: 1, unknown_type: 1, not_a_key: 1, conflicting: 1 });
        assert_eq!((ix.len(), ix.lines, ix.newest_fact_ts), (2, 7, Some(1_796_083_201)));
    }
}
