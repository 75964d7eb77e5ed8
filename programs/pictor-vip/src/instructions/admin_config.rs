//! The accounts every admin-only config change takes.
use crate::constants::*;
use crate::errors::PictorError;
use crate::state::*;
use anchor_lang::prelude::*;

/// Accounts of every admin-only config change.
#[event_cpi]
#[derive(Accounts)]
pub struct AdminConfig<'info> {
    /// The admin.
    pub admin: Signer<'info>,
    /// The config.
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ PictorError::NotAdmin)]
    pub config: Box<Account<'info, Config>>,
}

/// The cluster clock, unix seconds.
pub(crate) fn now() -> Result<i64> {
    Ok(Clock::get()?.unix_timestamp)
}
