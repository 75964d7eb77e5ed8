//! What a co-signer signed, kept so that it never signs two different facts
//! for one (wallet, sequence number), even across restarts (SPEC §6).
//!
//! `STATE_DIR/signed.jsonl`: one line per fact signed, `{"wallet", "seq",
//! "fact"}` (the fact's SHA-256, hex), appended and flushed to disk
//! (`fsync`) **before** the signature leaves the service. A crash in the
//! middle of a write leaves at most a last line without its newline: that
//! fact's signature never left, so the torn line is dropped at the next
//! start. A complete line that does not read is damage: the co-signer
//! refuses to start and names the line. `STATE_DIR/lock` is held (`flock`)
//! while the service runs, so two co-signers never share a ledger.
use anyhow::{Context, Result};
use pictor_vip_sdk::Pubkey;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// One line of the ledger.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    wallet: String,
    seq: u64,
    fact: String,
}

/// The ledger: in memory, and its file.
pub struct Ledger {
    signed: HashMap<(Pubkey, u64), [u8; 32]>,
    file: Option<File>,
    path: Option<PathBuf>,
    _lock: Option<File>,
}

impl Ledger {
    /// A ledger kept in memory only (no `--state-dir`: tests, or an
    /// operator who accepts that a restart forgets; the README says why not).
    pub fn in_memory() -> Self {
        Ledger { signed: HashMap::new(), file: None, path: None, _lock: None }
    }

    /// Opens (or creates) the ledger of `dir`, holding its lock.
    pub fn open(dir: &Path) -> Result<Self> {
        let lock = crate::statedir::lock(&dir.join("lock"), "co-signer")
            .with_context(|| format!("{} is in use", dir.display()))?;
        let path = dir.join("signed.jsonl");
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        let mut text = String::new();
        file.read_to_string(&mut text).with_context(|| format!("reading {}", path.display()))?;
        let complete = text.rfind('\n').map_or(0, |i| i + 1);
        if complete < text.len() {
            // A torn last line: its signature never left. Drop it.
            tracing::warn!("{}: dropping a torn last line (a crash while writing it)", path.display());
            file.set_len(complete as u64)?;
            file.sync_all()?;
        }
        file.seek(SeekFrom::End(0))?;
        let mut signed = HashMap::new();
        for (n, line) in text[..complete].lines().enumerate() {
            let parsed: Line = serde_json::from_str(line)
                .with_context(|| format!("{}:{}: a damaged ledger line", path.display(), n + 1))?;
            let wallet = Pubkey::from_str(&parsed.wallet)
                .map_err(|e| anyhow::anyhow!("{}:{}: wallet: {e}", path.display(), n + 1))?;
            let digest = crate::statedir::unhex(&parsed.fact)
                .with_context(|| format!("{}:{}: fact: not 32 bytes of hex", path.display(), n + 1))?;
            signed.insert((wallet, parsed.seq), digest);
        }
        // The directory entry of a new file reaches the disk too.
        File::open(dir)?.sync_all()?;
        Ok(Ledger { signed, file: Some(file), path: Some(path), _lock: Some(lock) })
    }

    /// The fact signed for (wallet, seq), if any.
    pub fn signed(&self, wallet: &Pubkey, seq: u64) -> Option<[u8; 32]> {
        self.signed.get(&(*wallet, seq)).copied()
    }

    /// How many facts it holds.
    pub fn len(&self) -> usize {
        self.signed.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.signed.is_empty()
    }

    /// Records `facts` (wallet, seq, digest) on disk, then in memory; only
    /// then may their signature leave. Facts already recorded are not
    /// written again.
    pub fn record(&mut self, facts: &[(Pubkey, u64, [u8; 32])]) -> Result<()> {
        let new: Vec<_> = facts.iter().filter(|(w, s, _)| !self.signed.contains_key(&(*w, *s))).collect();
        if new.is_empty() {
            return Ok(());
        }
        if let Some(file) = self.file.as_mut() {
            let mut text = String::new();
            for (wallet, seq, digest) in &new {
                let fact = crate::statedir::hex(digest);
                text += &serde_json::to_string(&Line { wallet: wallet.to_string(), seq: *seq, fact })?;
                text.push('\n');
            }
            let path = self.path.as_ref().map_or(String::new(), |p| p.display().to_string());
            file.write_all(text.as_bytes()).with_context(|| format!("writing {path}"))?;
            file.sync_data().with_context(|| format!("flushing {path} to disk"))?;
        }
        for (wallet, seq, digest) in new {
            self.signed.insert((*wallet, *seq), *digest);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_was_signed_survives_a_restart_and_a_torn_line_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (Pubkey::new_unique(), Pubkey::new_unique());
        {
            let mut l = Ledger::open(dir.path()).unwrap();
            l.record(&[(a, 1, [7; 32]), (b, 4, [9; 32])]).unwrap();
            // A second process may not open it while this one holds it.
            assert!(Ledger::open(dir.path()).err().unwrap().to_string().contains("in use"));
        }
        // A crash in the middle of the next write.
        let path = dir.path().join("signed.jsonl");
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(format!("{{\"wallet\":\"{a}\",\"seq\":2,\"fa").as_bytes()).unwrap();
        drop(f);
        let l = Ledger::open(dir.path()).unwrap();
        assert_eq!((l.signed(&a, 1), l.signed(&b, 4), l.signed(&a, 2)), (Some([7; 32]), Some([9; 32]), None));
        assert_eq!(l.len(), 2);
        assert!(std::fs::read_to_string(&path).unwrap().ends_with('\n'), "the torn line is gone");
        drop(l);
        // Damage in a complete line stops the start, naming the line.
        std::fs::write(&path, "{\"wallet\":\"x\"}\n").unwrap();
        let e = Ledger::open(dir.path()).err().unwrap();
        assert!(format!("{e:#}").contains("signed.jsonl:1"), "{e:#}");
    }
}
