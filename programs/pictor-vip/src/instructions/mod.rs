//! One file per instruction family.
pub mod admin;
pub mod claim;
pub mod initialize;
pub mod pass_lifecycle;
pub mod report;
pub mod rounds;

pub use admin::*;
pub use claim::*;
pub use initialize::*;
pub use pass_lifecycle::*;
pub use report::*;
pub use rounds::*;
