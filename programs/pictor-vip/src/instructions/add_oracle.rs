//! `add_oracle`: the admin names another oracle key.
use super::admin_config::*;
use crate::constants::MAX_ORACLES;
use crate::errors::PictorError;
use crate::events::emit_event;
use crate::events::OracleChanged;
use anchor_lang::prelude::*;

pub(crate) fn add_oracle(ctx: Context<AdminConfig>, oracle: Pubkey) -> Result<()> {
    let config = &mut ctx.accounts.config;
    require!(!config.is_oracle(&oracle), PictorError::OracleAlreadyPresent);
    require!(config.oracles.len() < MAX_ORACLES, PictorError::TooManyOracles);
    config.oracles.push(oracle);
    config.invariant()?;
    emit_event(&ctx.accounts.event_authority, OracleChanged { oracle, added: true, ts: now()? })?;
    Ok(())
}
