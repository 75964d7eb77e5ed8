//! How the command line reads the same way in every command: the cluster
//! (`--url`, `--url-file`, `$PICTOR_VIP_URL`), the role before the wallet,
//! files as named flags taking `-` for standard input, and the old forms
//! that still work with a warning.
use anyhow::{anyhow, bail, Context as _, Result};
use pictor_vip_sdk::state::Role;
use pictor_vip_sdk::Pubkey;
use std::path::Path;
use std::str::FromStr;

/// The environment variable that may hold the RPC URL (a systemd unit's
/// `Environment=`/`EnvironmentFile=`), so that a URL holding an API key is
/// not on the command line.
pub const URL_ENV: &str = "PICTOR_VIP_URL";

/// The RPC URL to use, if one is given: `--url`, else the first line of
/// `--url-file`, else `$PICTOR_VIP_URL` (`None`: the Solana CLI config's).
/// Both flags at once is an error.
pub fn url(flag: Option<&str>, file: Option<&Path>) -> Result<Option<String>> {
    match (flag, file) {
        (Some(_), Some(_)) => bail!("give the cluster with --url or --url-file, not both"),
        (Some(u), None) => Ok(Some(u.to_string())),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("--url-file {}", path.display()))?;
            let line = text.lines().map(str::trim).find(|l| !l.is_empty());
            let url = line.ok_or_else(|| anyhow!("--url-file {}: the file holds no URL", path.display()))?;
            Ok(Some(url.to_string()))
        }
        (None, None) => Ok(std::env::var(URL_ENV).ok().filter(|u| !u.trim().is_empty())),
    }
}

/// A role as the command line writes it.
pub fn role(text: &str) -> Option<Role> {
    match text.to_ascii_lowercase().as_str() {
        "creator" => Some(Role::Creator),
        "worker" => Some(Role::Worker),
        _ => None,
    }
}

/// `ROLE WALLET`, the order of every command that takes both. The old
/// order of `revoke` and `reinstate` (`WALLET ROLE`) still works, with a
/// warning naming the new form.
pub fn role_and_wallet(command: &str, first: &str, second: &str) -> Result<(Role, Pubkey)> {
    let wallet = |text: &str| {
        Pubkey::from_str(text)
            .map_err(|_| anyhow!("WALLET {text:?} is not a base58 public key (`{command} ROLE WALLET`)"))
    };
    if let Some(r) = role(first) {
        return Ok((r, wallet(second)?));
    }
    if let Some(r) = role(second) {
        let w = wallet(first)?;
        eprintln!(
            "warning: `{command} WALLET ROLE` is the old order: write `{command} {} {w}` (ROLE WALLET, as every command)",
            r.as_str()
        );
        return Ok((r, w));
    }
    bail!("ROLE must be creator or worker (`{command} ROLE WALLET`), not {first:?}")
}

/// The file a command reads: its flag, or the old positional form (which
/// warns, naming the flag). One of them is required.
pub fn input(command: &str, flag: &str, given: Option<String>, positional: Option<String>) -> Result<String> {
    match (given, positional) {
        (Some(_), Some(_)) => bail!("give the file once: `{command} {flag} FILE`"),
        (Some(f), None) => Ok(f),
        (None, Some(f)) => {
            eprintln!("warning: `{command} FILE` is the old form: write `{command} {flag} {f}`");
            Ok(f)
        }
        (None, None) => bail!("`{command}` needs {flag} FILE (or {flag} - for standard input)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_comes_first_and_the_old_order_still_reads() {
        let w = Pubkey::new_unique();
        assert_eq!(role_and_wallet("revoke", "worker", &w.to_string()).unwrap(), (Role::Worker, w));
        assert_eq!(role_and_wallet("revoke", &w.to_string(), "Creator").unwrap(), (Role::Creator, w));
        let e = role_and_wallet("revoke", "boss", &w.to_string()).unwrap_err().to_string();
        assert!(e.contains("ROLE must be creator or worker"), "{e}");
        let e = role_and_wallet("revoke", "worker", "nope").unwrap_err().to_string();
        assert!(e.contains("not a base58 public key"), "{e}");
    }

    #[test]
    fn the_url_comes_from_the_flag_the_file_or_the_environment() {
        let dir = std::env::temp_dir().join(format!("pictor-args-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("url");
        std::fs::write(&file, "\n  https://rpc.example.com/?api-key=K  \n").unwrap();
        assert_eq!(url(None, Some(&file)).unwrap().as_deref(), Some("https://rpc.example.com/?api-key=K"));
        assert_eq!(url(Some("l"), None).unwrap().as_deref(), Some("l"));
        assert!(url(Some("l"), Some(&file)).unwrap_err().to_string().contains("not both"));
        std::fs::write(&file, "\n").unwrap();
        assert!(url(None, Some(&file)).unwrap_err().to_string().contains("holds no URL"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_file_is_a_flag_and_the_old_positional_form_warns() {
        assert_eq!(input("feed", "--feed", Some("a".into()), None).unwrap(), "a");
        assert_eq!(input("feed", "--feed", None, Some("b".into())).unwrap(), "b");
        assert!(input("feed", "--feed", None, None).unwrap_err().to_string().contains("--feed - for standard input"));
        assert!(input("feed", "--feed", Some("a".into()), Some("b".into())).is_err());
    }
}
