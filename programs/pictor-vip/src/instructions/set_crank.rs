//! `set_crank`: the admin replaces the crank key.
use super::admin_config::*;
use crate::events::emit_event;
use crate::events::CrankSet;
use anchor_lang::prelude::*;

pub(crate) fn set_crank(ctx: Context<AdminConfig>, crank: Pubkey) -> Result<()> {
    let config = &mut ctx.accounts.config;
    let old = std::mem::replace(&mut config.crank, crank);
    config.invariant()?;
    emit_event(&ctx.accounts.event_authority, CrankSet { old, new: crank, ts: now()? })?;
    Ok(())
}
