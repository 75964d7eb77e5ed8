//! The engine's one error type.
use thiserror::Error;

/// Why a round, or a change to a [`crate::Dispatcher`], was refused. Nothing
/// is half-applied: a refused call changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DispatchError {
    /// Two jobs share an id (each job is one slot of one worker).
    #[error("duplicate job id {0:?}: each job appears once")]
    DuplicateJob(String),
    /// Two workers share a wallet.
    #[error("duplicate worker wallet {0:?}: each worker appears once")]
    DuplicateWorker(String),
    /// A job, worker or standing with a value out of range.
    #[error("{item}: `{field}` {detail}")]
    OutOfRange {
        /// The item (`job "j4"`, `worker "W…"`).
        item: String,
        /// The field.
        field: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// The GPU class table is not usable.
    #[error("gpu_classes: {0}")]
    ClassTable(String),
    /// Standings of a round older than the ones already used.
    #[error(
        "{role} standings of round {given} are older than round {used}, already used: read the latest finalised round"
    )]
    StaleStandings {
        /// `creator` or `worker`.
        role: &'static str,
        /// The round given.
        given: u32,
        /// The round already used.
        used: u32,
    },
    /// No such worker in the dispatcher.
    #[error("no worker {0:?} in the dispatcher")]
    UnknownWorker(String),
    /// The request is not what SPEC §10's interface reads (not JSON, a
    /// wrong type, an unknown field, a duplicate key), with where.
    #[error("{0}")]
    Malformed(String),
}
