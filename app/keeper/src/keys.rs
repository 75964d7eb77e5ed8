//! The keys a keeper signs with, read from keypair files (a JSON array of
//! 64 bytes, as `solana-keygen` writes).
use anyhow::{anyhow, Result};
use pictor_vip_sdk::Keypair;
use std::path::{Path, PathBuf};

/// Reads a keypair file.
pub fn read_keypair(path: &Path) -> Result<Keypair> {
    solana_keypair::read_keypair_file(path).map_err(|e| anyhow!("reading keypair {}: {e}", path.display()))
}

/// The bot's keys: the oracle keypairs (default: `default`, the command's
/// own keypair) and the crank keypairs (default: the first oracle's);
/// never empty.
pub fn bot_keys(
    default: Option<&Keypair>,
    oracle_paths: &[PathBuf],
    crank_paths: &[PathBuf],
) -> Result<(Vec<Keypair>, Vec<Keypair>)> {
    let oracles: Vec<Keypair> = if oracle_paths.is_empty() {
        let signer = default.ok_or_else(|| {
            anyhow!("this command signs reports: pass --oracle-keypair or --keypair (or set keypair_path in the Solana CLI config)")
        })?;
        vec![signer.insecure_clone()]
    } else {
        oracle_paths.iter().map(|p| read_keypair(p)).collect::<Result<_>>()?
    };
    let cranks: Vec<Keypair> = if crank_paths.is_empty() {
        vec![oracles[0].insecure_clone()]
    } else {
        crank_paths.iter().map(|p| read_keypair(p)).collect::<Result<_>>()?
    };
    Ok((oracles, cranks))
}
