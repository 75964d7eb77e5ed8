//! `accept_admin`: step 2 of the admin hand-over, signed by the proposed key.
use super::admin_config::now;
use crate::constants::*;
use crate::errors::PictorError;
use crate::events::emit_event;
use crate::events::AdminAccepted;
use crate::state::*;
use anchor_lang::prelude::*;

/// Accounts of `accept_admin`.
#[event_cpi]
#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    /// The proposed admin.
    pub pending_admin: Signer<'info>,
    /// The config.
    #[account(
        mut, seeds = [CONFIG_SEED], bump = config.bump,
        constraint = config.pending_admin == Some(pending_admin.key()) @ PictorError::NotPendingAdmin,
    )]
    pub config: Box<Account<'info, Config>>,
}

pub(crate) fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
    let config = &mut ctx.accounts.config;
    let new = ctx.accounts.pending_admin.key();
    let old = std::mem::replace(&mut config.admin, new);
    config.pending_admin = None;
    config.invariant()?;
    emit_event(&ctx.accounts.event_authority, AdminAccepted { old, new, ts: now()? })?;
    Ok(())
}
