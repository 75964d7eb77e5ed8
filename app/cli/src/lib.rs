//! The `pictor-vip` command's library: every command ([`commands`]), the
//! in-process simulation and the demo, job distribution over the chain's
//! standings ([`scheduling`], the engine being `pictor-vip-dispatch`), the
//! Profile server (`serve`) and the Profile as JSON it shares with
//! `status --json`. The bot, the keeper and the co-signer are
//! `pictor-vip-keeper`'s. The binary (`main.rs`) is a thin clap layer over
//! these modules.
#![deny(missing_docs)]

pub mod args;
pub mod benefits;
pub mod cluster;
pub mod commands;
pub mod demo;
#[cfg(feature = "localnet")]
pub mod localnet;
pub mod logs;
pub mod operator;
pub mod profile_json;
pub mod quiet;
pub mod scheduling;
pub mod serve;
pub mod simulate;
