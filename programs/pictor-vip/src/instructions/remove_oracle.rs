//! `remove_oracle`: the admin withdraws an oracle key.
use super::admin_config::*;
use crate::errors::PictorError;
use crate::events::emit_event;
use crate::events::OracleChanged;
use anchor_lang::prelude::*;

pub(crate) fn remove_oracle(ctx: Context<AdminConfig>, oracle: Pubkey) -> Result<()> {
    let config = &mut ctx.accounts.config;
    let before = config.oracles.len();
    config.oracles.retain(|k| *k != oracle);
    require!(config.oracles.len() < before, PictorError::OracleNotFound);
    // Checked by the invariant too; said here so the admin knows what to do.
    require!(usize::from(config.rules.oracle_quorum) <= config.oracles.len(), PictorError::OracleQuorumExceedsOracles);
    config.invariant()?;
    emit_event(&ctx.accounts.event_authority, OracleChanged { oracle, added: false, ts: now()? })?;
    Ok(())
}
