//! `--url` and `--keypair`, as the Solana CLI resolves them
//! (`solana-cli-config`): the flag, else the Solana CLI config file
//! (`~/.config/solana/cli/config.yml`), else the default; URL monikers
//! (`mainnet-beta`, `devnet`, `testnet`, `localhost` and their initials).
//! Commands that only read need no keypair at all.
use anyhow::Result;
use pictor_vip_sdk::transport::Rpc;
use pictor_vip_sdk::Keypair;
use solana_cli_config::{Config, ConfigInput, CONFIG_FILE};
use std::path::{Path, PathBuf};

/// The cluster URL and keypair path the flags and the config file give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// RPC URL (monikers expanded).
    pub url: String,
    /// Keypair path.
    pub keypair_path: PathBuf,
    /// Whether the keypair path was given (flag or config file) rather than the default.
    pub keypair_explicit: bool,
}

/// Resolves `--url` and `--keypair` against the Solana CLI config file.
pub fn settings(url: Option<&str>, keypair: Option<&Path>) -> Settings {
    let config = CONFIG_FILE.as_ref().and_then(|f| Config::load(f).ok());
    let (cfg_url, cfg_keypair) = match &config {
        Some(c) => (c.json_rpc_url.clone(), c.keypair_path.clone()),
        None => (String::new(), String::new()),
    };
    let (_, url) = ConfigInput::compute_json_rpc_url_setting(url.unwrap_or(""), &cfg_url);
    let cmd_keypair = keypair.map(|p| p.display().to_string()).unwrap_or_default();
    let (kind, keypair_path) = ConfigInput::compute_keypair_path_setting(&cmd_keypair, &cfg_keypair);
    Settings {
        url,
        keypair_path: PathBuf::from(keypair_path),
        keypair_explicit: matches!(kind, solana_cli_config::SettingType::Explicit),
    }
}

pub use pictor_vip_keeper::keys::read_keypair;

/// Connects to the cluster. The keypair (the fee payer and signer) is read
/// when there is one; a command that only reads works without it.
pub fn connect(url: Option<&str>, keypair: Option<&Path>) -> Result<(Rpc, Option<Keypair>)> {
    let s = settings(url, keypair);
    let signer = match read_keypair(&s.keypair_path) {
        Ok(k) => Some(k),
        // A keypair named on the command line must be readable.
        Err(e) if keypair.is_some() => return Err(e),
        Err(_) => None,
    };
    // Reads need a fee payer only in name: a throwaway key, never used to sign.
    let payer = signer.as_ref().map_or_else(Keypair::new, |k| k.insecure_clone());
    Ok((Rpc::new(&s.url, payer), signer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monikers_and_flags_resolve_as_the_solana_cli_does() {
        assert_eq!(settings(Some("devnet"), None).url, "https://api.devnet.solana.com");
        assert_eq!(settings(Some("l"), None).url, "http://localhost:8899");
        assert_eq!(settings(Some("http://127.0.0.1:9000"), None).url, "http://127.0.0.1:9000");
        let s = settings(None, Some(Path::new("/tmp/k.json")));
        assert_eq!((s.keypair_path, s.keypair_explicit), (PathBuf::from("/tmp/k.json"), true));
    }

    #[test]
    fn a_missing_default_keypair_is_no_error_for_reads() {
        let (_, signer) = connect(Some("http://127.0.0.1:1"), None).unwrap();
        // No keypair on this machine's default path (or one): either way, no error.
        let _ = signer;
        assert!(connect(Some("http://127.0.0.1:1"), Some(Path::new("/nonexistent/k.json"))).is_err());
    }
}
