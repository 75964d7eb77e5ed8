//! Rust SDK of the Pictor VIP Pass program.
//!
//! Built on the program crate: the rules (eligibility, scoring, ranking
//! order) and the seeds are the program's own, re-exported here, never
//! copied. On top: PDAs ([`pda`]), instruction builders ([`ix`]), typed
//! reads ([`read`]), the Profile a wallet asks for ([`profile`]), the crank
//! that drives rounds ([`crank`]), the standings a scheduler reads
//! ([`standings`]; the job distribution engine is `pictor-vip-dispatch`), USDT
//! amounts ([`units`]), and one [`transport::Transport`] trait with two
//! implementations: an in-process runtime and a JSON-RPC cluster.
#![deny(missing_docs)]

pub mod compute;
pub mod crank;
pub mod error;
pub mod events;
pub mod holder;
pub mod ix;
pub mod pda;
pub mod profile;
pub mod read;
pub mod redact;
pub mod standings;
pub mod transport;
pub mod units;

pub use error::{Error, Result};
pub use pictor_vip::{self as program, cadence, constants, eligibility, errors, ranking, scoring, state, time};
pub use solana_account::Account;
pub use solana_instruction::Instruction;
pub use solana_keypair::Keypair;
pub use solana_pubkey::Pubkey;
pub use solana_signer::Signer;
