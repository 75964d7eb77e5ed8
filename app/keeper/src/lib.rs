//! The keeper of the Pictor VIP Pass and its co-signer: the long-running
//! services an oracle operator runs (SPEC §6, §7), as a library that
//! `pictor-vip keeper` and `pictor-vip cosigner` are thin calls into.
//!
//! - [`bot`]: applies a feed of oracle facts (SPEC §8, [`feed`]) in packed
//!   report transactions, many in flight, with retries safe to repeat, and
//!   drives the rounds of `round` lines; also what `pictor-vip feed` and the
//!   in-process `simulate` and `demo` run;
//! - [`keeper`]: the bot and the crank as a service: follows the feed as it
//!   is written, opens and ranks every round in its cadence window, asks
//!   the co-signers for their signatures, serves its metrics and health;
//! - [`cosigner`]: an oracle key held apart, by its own operator, that
//!   signs a report only when every fact equals one of its own feed.
//!
//! Who runs it: the oracle operator (the keeper, with the fee payer, the
//! first oracle key and the crank key) and each co-signer operator (one
//! oracle key each, its own feed). Neither needs the in-process runtime.
#![deny(missing_docs)]

pub mod bot;
pub mod cosigner;
pub mod feed;
pub mod keeper;
pub mod keys;
pub use pictor_vip_sdk::redact;
pub mod statedir;
#[cfg(test)]
mod testing;
pub mod wallets;
