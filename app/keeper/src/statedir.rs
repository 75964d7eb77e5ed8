//! What the keeper and the co-signer keep on disk: an exclusive lock on
//! their state, files replaced atomically, digests in hex.
use anyhow::{bail, Context, Result};
use std::fs::File;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

/// The default state directory: systemd's `$STATE_DIRECTORY` (the unit's
/// `StateDirectory=`), else `$XDG_STATE_HOME/pictor-vip`, else
/// `~/.local/state/pictor-vip`.
pub fn default_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("STATE_DIRECTORY").filter(|d| !d.is_empty()) {
        // systemd may list several, separated by colons: the first is ours.
        let first = d.to_string_lossy().split(':').next().unwrap_or_default().to_string();
        return Some(PathBuf::from(first));
    }
    if let Some(d) = std::env::var_os("XDG_STATE_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("pictor-vip"));
    }
    std::env::var_os("HOME").filter(|d| !d.is_empty()).map(|h| PathBuf::from(h).join(".local/state/pictor-vip"))
}

/// Takes the exclusive lock `path` (created if need be), held until the
/// returned file is dropped; `what` names the holder in the error when
/// another process holds it.
pub fn lock(path: &Path, what: &str) -> Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating the state directory {}", dir.display()))?;
    }
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    // SAFETY: flock on a file descriptor this process owns.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        bail!("{} is held by another {what} (its lock {} is taken)", path.display(), path.display());
    }
    Ok(file)
}

/// Replaces `path` with `bytes` atomically: a crash leaves the old file or
/// the new one, never a mix (written beside it, flushed, renamed, the
/// directory flushed).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    f.write_all(bytes).with_context(|| format!("writing {}", tmp.display()))?;
    f.sync_data().with_context(|| format!("flushing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
    if let Some(dir) = path.parent() {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// 32 bytes as 64 lowercase hex digits.
pub fn hex(bytes: &[u8; 32]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 64 hex digits as 32 bytes.
pub fn unhex(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_is_held_once_and_hex_reads_back() {
        let dir = std::env::temp_dir().join(format!("pictor-statedir-{}", std::process::id()));
        let path = dir.join("x.lock");
        let held = lock(&path, "keeper").unwrap();
        let again = lock(&path, "keeper").unwrap_err().to_string();
        assert!(again.contains("held by another keeper"), "{again}");
        drop(held);
        lock(&path, "keeper").unwrap();
        let d = [0xabu8; 32];
        assert_eq!(unhex(&hex(&d)), Some(d));
        assert_eq!(unhex("zz"), None);
        write_atomically(&dir.join("f.json"), b"one").unwrap();
        write_atomically(&dir.join("f.json"), b"two").unwrap();
        assert_eq!(std::fs::read(dir.join("f.json")).unwrap(), b"two");
        let _ = std::fs::remove_dir_all(dir);
    }
}
