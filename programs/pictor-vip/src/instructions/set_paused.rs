//! `set_paused`: the admin pauses or unpauses reports, claims, syncs and rounds.
use super::admin_config::*;
use crate::events::emit_event;
use crate::events::PausedSet;
use anchor_lang::prelude::*;

pub(crate) fn set_paused(ctx: Context<AdminConfig>, paused: bool) -> Result<()> {
    let config = &mut ctx.accounts.config;
    config.paused = paused;
    config.invariant()?;
    emit_event(&ctx.accounts.event_authority, PausedSet { paused, ts: now()? })?;
    Ok(())
}
