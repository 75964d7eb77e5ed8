//! Admin-only configuration: rules, pause, oracle and crank keys, two-step
//! admin hand-over.
use crate::constants::*;
use crate::errors::PictorError;
use crate::events::*;
use crate::state::*;
use anchor_lang::prelude::*;

/// Accounts of every admin-only config change.
#[derive(Accounts)]
pub struct AdminConfig<'info> {
    /// The admin.
    pub admin: Signer<'info>,
    /// The config.
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ PictorError::NotAdmin)]
    pub config: Box<Account<'info, Config>>,
}

/// Accounts of `accept_admin`.
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

fn now() -> Result<i64> {
    Ok(Clock::get()?.unix_timestamp)
}

pub(crate) fn update_config(
    ctx: Context<AdminConfig>,
    rules: Option<Rules>,
    pass_metadata: Option<PassMetadata>,
) -> Result<()> {
    let config = &mut ctx.accounts.config;
    let pass_metadata_changed = pass_metadata.is_some();
    if let Some(rules) = rules {
        config.rules = rules;
    }
    if let Some(meta) = pass_metadata {
        config.pass_metadata = meta;
    }
    config.invariant()?;
    emit!(ConfigUpdated { admin: config.admin, rules: config.rules.clone(), pass_metadata_changed, ts: now()? });
    Ok(())
}

pub(crate) fn set_paused(ctx: Context<AdminConfig>, paused: bool) -> Result<()> {
    ctx.accounts.config.paused = paused;
    emit!(PausedSet { paused, ts: now()? });
    Ok(())
}

pub(crate) fn add_oracle(ctx: Context<AdminConfig>, oracle: Pubkey) -> Result<()> {
    let config = &mut ctx.accounts.config;
    require!(!config.is_oracle(&oracle), PictorError::OracleAlreadyPresent);
    require!(config.oracles.len() < MAX_ORACLES, PictorError::TooManyOracles);
    config.oracles.push(oracle);
    config.invariant()?;
    emit!(OracleChanged { oracle, added: true, ts: now()? });
    Ok(())
}

pub(crate) fn remove_oracle(ctx: Context<AdminConfig>, oracle: Pubkey) -> Result<()> {
    let config = &mut ctx.accounts.config;
    let before = config.oracles.len();
    config.oracles.retain(|k| *k != oracle);
    require!(config.oracles.len() < before, PictorError::OracleNotFound);
    emit!(OracleChanged { oracle, added: false, ts: now()? });
    Ok(())
}

pub(crate) fn set_crank(ctx: Context<AdminConfig>, crank: Pubkey) -> Result<()> {
    let config = &mut ctx.accounts.config;
    let old = std::mem::replace(&mut config.crank, crank);
    emit!(CrankSet { old, new: crank, ts: now()? });
    Ok(())
}

pub(crate) fn propose_admin(ctx: Context<AdminConfig>, pending: Option<Pubkey>) -> Result<()> {
    let config = &mut ctx.accounts.config;
    config.pending_admin = pending;
    emit!(AdminProposed { admin: config.admin, pending, ts: now()? });
    Ok(())
}

pub(crate) fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
    let config = &mut ctx.accounts.config;
    let new = ctx.accounts.pending_admin.key();
    let old = std::mem::replace(&mut config.admin, new);
    config.pending_admin = None;
    emit!(AdminAccepted { old, new, ts: now()? });
    Ok(())
}
