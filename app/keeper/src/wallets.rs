//! Wallets in a feed: a base58 public key, or (in `simulate` and `demo`) a
//! label from which a deterministic test keypair is derived.
use pictor_vip_sdk::{Keypair, Pubkey, Signer};
use solana_sha256_hasher::hashv;
use std::str::FromStr;

/// The deterministic test keypair of a label (domain-separated SHA-256 seed).
pub fn label_keypair(domain: &str, label: &str) -> Keypair {
    Keypair::new_from_array(hashv(&[b"pictor-vip:", domain.as_bytes(), b":", label.as_bytes()]).to_bytes())
}

/// The key a feed's `wallet` names: itself if it is a base58 public key.
pub fn parse_key(wallet: &str) -> Option<Pubkey> {
    Pubkey::from_str(wallet).ok()
}

/// Resolves feed wallets for the simulation: keys as they are, labels to
/// their derived keypairs (which can sign claims).
pub fn simulated_wallet(wallet: &str) -> (Pubkey, Option<Keypair>) {
    match parse_key(wallet) {
        Some(key) => (key, None),
        None => {
            let kp = label_keypair("wallet", wallet);
            (kp.pubkey(), Some(kp))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_derive_stable_distinct_keys_and_keys_pass_through() {
        assert_eq!(simulated_wallet("alice").0, simulated_wallet("alice").0);
        assert_ne!(simulated_wallet("alice").0, simulated_wallet("bob").0);
        assert_ne!(label_keypair("wallet", "x").pubkey(), label_keypair("oracle", "x").pubkey());
        let key = Pubkey::new_unique();
        let (k, kp) = simulated_wallet(&key.to_string());
        assert_eq!((k, kp.is_none()), (key, true));
    }
}
