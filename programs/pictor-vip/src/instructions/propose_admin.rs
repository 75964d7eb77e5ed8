//! `propose_admin`: step 1 of the admin hand-over (`None` cancels it).
use super::admin_config::*;
use crate::events::emit_event;
use crate::events::AdminProposed;
use anchor_lang::prelude::*;

pub(crate) fn propose_admin(ctx: Context<AdminConfig>, pending: Option<Pubkey>) -> Result<()> {
    let config = &mut ctx.accounts.config;
    config.pending_admin = pending;
    config.invariant()?;
    emit_event(&ctx.accounts.event_authority, AdminProposed { admin: config.admin, pending, ts: now()? })?;
    Ok(())
}
