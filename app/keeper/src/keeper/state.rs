//! What the keeper remembers across restarts that the chain does not hold:
//! which round windows it has judged (so a window missed while no keeper
//! ran is counted once, not at every start), the facts the program refused
//! for good (never sent, nor paid for, again), how far bad feed lines were
//! counted, and when a fact last landed.
//!
//! One small JSON file per cluster and deployment,
//! `STATE_DIR/keeper-GENESIS-PROGRAM.json`, replaced atomically at each
//! change that must not be lost (a window judged, a refusal, a bad line)
//! and at most every few seconds otherwise; `….lock` is held while a keeper
//! runs, so two keepers never share it. Lost or deleted, it is rebuilt:
//! windows are then judged from the chain (from the latest round opened),
//! refusals are paid for once more, and the counters start again.
use crate::statedir::{hex, unhex, write_atomically};
use anyhow::{bail, Context, Result};
use pictor_vip_sdk::state::Role;
use pictor_vip_sdk::Pubkey;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

/// The state file's format version.
const VERSION: u32 = 1;
/// How long a change that may be lost waits before it is written.
const LAZY_SAVE: Duration = Duration::from_secs(5);

/// Per role: the round windows judged so far.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Windows {
    /// Every window that closed at or before this time (unix seconds) is
    /// judged (`None`: none yet; the first look judges from the chain).
    pub judged_through_ts: Option<i64>,
    /// Windows that closed without their round, counted so far.
    pub missed_total: u64,
    /// When the latest of them closed, unix seconds (0: none).
    pub last_missed_ts: i64,
    /// Its round number.
    pub last_missed_round: u32,
}

/// A fact the program refused for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refused {
    /// The member's role.
    pub role: String,
    /// The member's wallet.
    pub wallet: String,
    /// Its sequence number.
    pub seq: u64,
    /// The report's kind, as the feed names it.
    pub kind: String,
    /// Its fingerprint (hex; [`crate::feed::fact_digest`]).
    pub fact: String,
    /// The program's reason.
    pub reason: String,
    /// Where the keeper read it (`FILE:LINE`).
    pub line: String,
    /// When it was refused, unix seconds.
    pub refused_ts: i64,
}

/// What the file holds.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Data {
    /// The format version.
    pub version: u32,
    /// The cluster's genesis hash.
    pub cluster: String,
    /// The program id.
    pub program: String,
    /// Per role (`creator`, `worker`).
    pub windows: BTreeMap<String, Windows>,
    /// Facts refused for good, by `ROLE:WALLET:SEQ`.
    pub refused: BTreeMap<String, Refused>,
    /// Per feed file (`DEVICE:INODE`): bad lines ending at or before this
    /// byte offset are counted already.
    pub bad_lines_counted_to: BTreeMap<String, u64>,
    /// When a fact last landed, unix seconds (0: never).
    pub last_fact_landed_ts: i64,
}

/// The keeper's state: in memory, and its file (if any).
#[derive(Debug)]
pub struct State {
    /// What it holds.
    pub data: Data,
    path: Option<PathBuf>,
    _lock: Option<File>,
    /// A change not written yet, and since when.
    dirty_since: Option<Instant>,
}

/// The state file of `cluster` (genesis hash) and `program` in `dir`.
pub fn path_in(dir: &Path, cluster: &str, program: &Pubkey) -> PathBuf {
    dir.join(format!("keeper-{cluster}-{program}.json"))
}

fn lock_path(path: &Path) -> PathBuf {
    path.with_extension("lock")
}

/// The key of a refusal: `ROLE:WALLET:SEQ` (sequence numbers are a
/// member's, and a wallet may be a member of both roles).
pub fn refusal_key(role: &str, wallet: &str, seq: u64) -> String {
    format!("{role}:{wallet}:{seq}")
}

fn read(path: &Path) -> Result<Option<Data>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let data: Data = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a keeper state file (move it away to start afresh)", path.display()))?;
    if data.version != VERSION {
        bail!("{}: format version {} (this keeper reads {VERSION})", path.display(), data.version);
    }
    Ok(Some(data))
}

impl State {
    /// A state kept in memory only (tests; a keeper without a state
    /// directory forgets at each restart, and says so).
    pub fn in_memory() -> Self {
        State { data: Data { version: VERSION, ..Data::default() }, path: None, _lock: None, dirty_since: None }
    }

    /// Opens (or starts) the state of `cluster` and `program` in `dir`,
    /// holding its lock.
    pub fn open(dir: &Path, cluster: &str, program: &Pubkey) -> Result<Self> {
        let path = path_in(dir, cluster, program);
        let lock = crate::statedir::lock(&lock_path(&path), "keeper")?;
        let data = match read(&path)? {
            Some(d) if d.cluster != cluster || d.program != program.to_string() => {
                bail!("{}: the state of cluster {} and program {}, not this one", path.display(), d.cluster, d.program)
            }
            Some(d) => d,
            None => {
                Data { version: VERSION, cluster: cluster.to_string(), program: program.to_string(), ..Data::default() }
            }
        };
        let mut state = State { data, path: Some(path), _lock: Some(lock), dirty_since: None };
        state.save()?;
        Ok(state)
    }

    /// Reads the state of `cluster` and `program` in `dir` without taking
    /// its lock (a keeper may be running): what `keeper refused` shows.
    pub fn peek(dir: &Path, cluster: &str, program: &Pubkey) -> Result<Data> {
        let path = path_in(dir, cluster, program);
        Ok(read(&path)?.unwrap_or_default())
    }

    /// Where it is kept (`None`: in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The windows of `role`.
    pub fn windows(&mut self, role: Role) -> &mut Windows {
        self.data.windows.entry(role.as_str().to_string()).or_default()
    }

    /// Writes the state now.
    pub fn save(&mut self) -> Result<()> {
        if let Some(path) = &self.path {
            let text = serde_json::to_string_pretty(&self.data).expect("the state serialises");
            write_atomically(path, text.as_bytes())?;
        }
        self.dirty_since = None;
        Ok(())
    }

    /// A change that must survive a crash: written now (an error is
    /// logged: the keeper goes on, and tries again at the next change).
    pub fn changed(&mut self) {
        if let Err(e) = self.save() {
            tracing::error!("the keeper's state could not be written: {e:#}");
            self.dirty_since.get_or_insert_with(Instant::now);
        }
    }

    /// A change that may be lost: written within a few seconds.
    pub fn touched(&mut self) {
        let since = *self.dirty_since.get_or_insert_with(Instant::now);
        if since.elapsed() >= LAZY_SAVE {
            self.changed();
        }
    }

    /// Writes what waits (at a stop).
    pub fn flush(&mut self) {
        if self.dirty_since.is_some() {
            self.changed();
        }
    }

    /// Records a refusal for good.
    pub fn refused(&mut self, r: Refused) {
        self.data.refused.insert(refusal_key(&r.role, &r.wallet, r.seq), r);
        self.changed();
    }

    /// The fingerprints of the facts refused for good.
    pub fn refused_facts(&self) -> impl Iterator<Item = [u8; 32]> + '_ {
        self.data.refused.values().filter_map(|r| unhex(&r.fact))
    }
}

/// Builds the record of a refusal.
#[allow(clippy::too_many_arguments)]
pub fn refusal(
    role: Role,
    wallet: &Pubkey,
    seq: u64,
    kind: &str,
    fact: &[u8; 32],
    reason: &str,
    line: &str,
    refused_ts: i64,
) -> Refused {
    Refused {
        role: role.as_str().to_string(),
        wallet: wallet.to_string(),
        seq,
        kind: kind.to_string(),
        fact: hex(fact),
        reason: reason.to_string(),
        line: line.to_string(),
        refused_ts,
    }
}

/// Forgets the refusal of (`role`, `wallet`, `seq`) in the state of `cluster` and
/// `program` in `dir`, so that the next run sends the fact again (`keeper
/// retry`). Refused while a keeper runs on it (it holds the lock): stop
/// it, retry, start it.
pub fn retry(dir: &Path, cluster: &str, program: &Pubkey, role: Role, wallet: &str, seq: u64) -> Result<Refused> {
    Pubkey::from_str(wallet).map_err(|e| anyhow::anyhow!("WALLET {wallet:?}: not a base58 public key: {e}"))?;
    let path = path_in(dir, cluster, program);
    if !path.exists() {
        bail!("no keeper state at {} (see --state-dir)", path.display());
    }
    let mut state = State::open(dir, cluster, program)
        .context("a keeper is running on this state: stop it, retry, then start it again")?;
    let Some(r) = state.data.refused.remove(&refusal_key(role.as_str(), wallet, seq)) else {
        bail!("the {} {wallet} seq {seq} is not among the refused facts in {}", role.as_str(), path.display());
    };
    state.save()?;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("pictor-keeper-state-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn what_it_holds_survives_a_restart_and_one_keeper_holds_it() {
        let d = dir("restart");
        let program = Pubkey::new_unique();
        let mut s = State::open(&d, "GENESIS", &program).unwrap();
        assert!(State::open(&d, "GENESIS", &program).unwrap_err().to_string().contains("held by another keeper"));
        s.windows(Role::Worker).missed_total = 2;
        let wallet = Pubkey::new_unique();
        s.refused(refusal(Role::Creator, &wallet, 7, "spend", &[1; 32], "SpendingExceedsDeposits", "feed:3", 100));
        drop(s);
        let mut s = State::open(&d, "GENESIS", &program).unwrap();
        assert_eq!(s.windows(Role::Worker).missed_total, 2);
        assert_eq!(s.refused_facts().collect::<Vec<_>>(), [[1; 32]]);
        let peek = State::peek(&d, "GENESIS", &program).unwrap();
        assert_eq!(peek.refused.len(), 1);
        // Retry needs the keeper stopped.
        let running = retry(&d, "GENESIS", &program, Role::Creator, &wallet.to_string(), 7).unwrap_err();
        assert!(format!("{running:#}").contains("stop it"), "{running:#}");
        drop(s);
        let unknown = retry(&d, "GENESIS", &program, Role::Creator, &wallet.to_string(), 8).unwrap_err();
        assert!(unknown.to_string().contains("not among the refused facts"), "{unknown}");
        assert_eq!(
            retry(&d, "GENESIS", &program, Role::Creator, &wallet.to_string(), 7).unwrap().reason,
            "SpendingExceedsDeposits"
        );
        assert!(State::peek(&d, "GENESIS", &program).unwrap().refused.is_empty());
        // Another cluster's file is refused, not mixed.
        let other = path_in(&d, "OTHER", &program);
        std::fs::copy(path_in(&d, "GENESIS", &program), &other).unwrap();
        assert!(State::open(&d, "OTHER", &program).unwrap_err().to_string().contains("not this one"));
        std::fs::write(&other, "{not json").unwrap();
        assert!(State::open(&d, "OTHER", &program).unwrap_err().to_string().contains("not a keeper state file"));
        let _ = std::fs::remove_dir_all(d);
    }
}
