//! `--url` and `--keypair`, following the Solana CLI: monikers, and the
//! Solana CLI config file (`~/.config/solana/cli/config.yml`) as default.
use anyhow::{anyhow, Context, Result};
use pictor_vip_sdk::transport::Rpc;
use pictor_vip_sdk::Keypair;
use std::path::{Path, PathBuf};

/// `json_rpc_url` and `keypair_path` read from a Solana CLI config file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SolanaConfig {
    /// RPC URL.
    pub json_rpc_url: Option<String>,
    /// Default keypair path.
    pub keypair_path: Option<PathBuf>,
}

/// The Solana CLI config path (`$HOME/.config/solana/cli/config.yml`).
pub fn default_config_path() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| Path::new(&h).join(".config/solana/cli/config.yml"))
}

/// Reads the two keys this tool uses from a Solana CLI config (flat YAML).
pub fn parse_config(text: &str) -> SolanaConfig {
    let mut c = SolanaConfig::default();
    for line in text.lines() {
        let Some((k, v)) = line.split_once(':') else { continue };
        let v = v.trim().trim_matches(|ch| ch == '"' || ch == '\'').to_string();
        match k.trim() {
            "json_rpc_url" if !v.is_empty() => c.json_rpc_url = Some(v),
            "keypair_path" if !v.is_empty() => c.keypair_path = Some(PathBuf::from(v)),
            _ => {}
        }
    }
    c
}

/// Expands the Solana CLI monikers (`mainnet-beta`, `devnet`, `testnet`, `localhost` and their initials).
pub fn resolve_url(url: &str) -> String {
    match url {
        "m" | "mainnet-beta" => "https://api.mainnet-beta.solana.com",
        "d" | "devnet" => "https://api.devnet.solana.com",
        "t" | "testnet" => "https://api.testnet.solana.com",
        "l" | "localhost" => "http://localhost:8899",
        other => other,
    }
    .to_string()
}

/// Reads a keypair file (a JSON array of 64 bytes, as `solana-keygen` writes).
pub fn read_keypair(path: &Path) -> Result<Keypair> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading keypair {}", path.display()))?;
    let bytes: Vec<u8> =
        serde_json::from_str(&text).with_context(|| format!("keypair {} is not a JSON byte array", path.display()))?;
    Keypair::try_from(bytes.as_slice()).map_err(|e| anyhow!("keypair {}: {e}", path.display()))
}

/// Connects as the Solana CLI would: flags first, then the config file, then
/// defaults. Returns the transport (paying with the keypair) and the keypair.
pub fn connect(url: Option<&str>, keypair: Option<&Path>) -> Result<(Rpc, Keypair)> {
    let config = default_config_path()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .map(|t| parse_config(&t))
        .unwrap_or_default();
    let url = resolve_url(url.or(config.json_rpc_url.as_deref()).unwrap_or("http://localhost:8899"));
    let keypair_path = keypair
        .map(Path::to_path_buf)
        .or(config.keypair_path)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".config/solana/id.json")))
        .ok_or_else(|| anyhow!("no keypair: pass --keypair"))?;
    let signer = read_keypair(&keypair_path)?;
    Ok((Rpc::new(&url, signer.insecure_clone()), signer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_solana_cli_config_and_monikers() {
        let c = parse_config("---\njson_rpc_url: \"https://api.devnet.solana.com\"\nwebsocket_url: ''\nkeypair_path: /home/me/.config/solana/id.json\ncommitment: confirmed\n");
        assert_eq!(c.json_rpc_url.as_deref(), Some("https://api.devnet.solana.com"));
        assert_eq!(c.keypair_path, Some(PathBuf::from("/home/me/.config/solana/id.json")));
        assert_eq!(resolve_url("d"), "https://api.devnet.solana.com");
        assert_eq!(resolve_url("http://127.0.0.1:8899"), "http://127.0.0.1:8899");
    }
}
