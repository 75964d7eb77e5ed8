//! Accounts, one file each.
pub mod board;
pub mod config;
pub mod member;

pub use board::*;
pub use config::*;
pub use member::*;
