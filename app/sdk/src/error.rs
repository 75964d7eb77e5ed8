//! The SDK's one error type.
use crate::transport::SendError;
use solana_pubkey::Pubkey;
use thiserror::Error;

/// Why an SDK call failed.
#[derive(Debug, Error)]
pub enum Error {
    /// The cluster did not answer, or answered with an error.
    #[error("{0}")]
    Cluster(String),
    /// An account's data is not what this program writes.
    #[error("account {key}: {detail}")]
    Decode {
        /// The account.
        key: Pubkey,
        /// What is wrong with it.
        detail: String,
    },
    /// The program is not initialised on this cluster.
    #[error("the program is not initialised on this cluster: run `init` first")]
    NotInitialised,
    /// A rule could not be evaluated (e.g. a clock before 1970).
    #[error("{0}")]
    Rule(String),
    /// A transaction was refused or could not be sent.
    #[error(transparent)]
    Send(#[from] SendError),
    /// The in-process runtime failed.
    #[error("in-process runtime: {0}")]
    Runtime(String),
    /// This transport cannot do what was asked.
    #[error("{0}")]
    Unsupported(String),
}

/// `Result` with the SDK's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A rule evaluation that failed with the program's error.
    pub fn rule(e: impl std::fmt::Display) -> Self {
        Error::Rule(e.to_string())
    }

    /// An in-process runtime failure.
    pub fn runtime(e: impl std::fmt::Display) -> Self {
        Error::Runtime(e.to_string())
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Runtime(e.to_string())
    }
}
