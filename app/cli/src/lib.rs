//! The `pictor-vip` command's library: every command ([`commands`]), the
//! in-process simulation and the demo. The bot, the keeper and the
//! co-signer are `pictor-vip-keeper`'s; the Profile server, the Profile as
//! JSON and job distribution over the chain's standings are
//! `pictor-vip-server`'s. The binary (`main.rs`) is a thin clap layer over
//! these modules.
#![deny(missing_docs)]

pub mod args;
pub mod cluster;
pub mod commands;
pub mod demo;
#[cfg(feature = "localnet")]
pub mod localnet;
pub mod logs;
pub mod operator;
pub mod quiet;
pub mod simulate;
