//! `sync_pass`: anyone records that a holder burned its own pass. The
//! member stops counting at once, as after a revocation, keeps the reward
//! credits of finalised rounds (a tentative credit of the open round is
//! taken back), and the mint and token account rent goes back to whoever
//! paid the claim. Nothing the holder did to its token account can block
//! it (see `PassAccounts::close_pass`).
use super::pass_accounts::*;
use crate::constants::*;
use crate::errors::PictorError;
use crate::events::PassBurnSynced;
use crate::events::{emit_event, emit_member_settled};
use crate::state::*;
use anchor_lang::prelude::*;

/// Accounts of `sync_pass` (anyone may call it).
// No `#[instruction]` here: it would consume the role before the nested
// `PassAccounts` reads it from the same instruction data.
#[event_cpi]
#[derive(Accounts)]
pub struct SyncPass<'info> {
    /// The config.
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    /// The member and its pass.
    pub pass: PassAccounts<'info>,
}

pub(crate) fn sync_pass(ctx: Context<SyncPass>, role: Role) -> Result<()> {
    let bump = ctx.bumps.pass.pass_authority;
    let now = Clock::get()?.unix_timestamp;
    let events = &ctx.accounts.event_authority;
    let p = &mut ctx.accounts.pass;
    let info = p.member.to_account_info();
    let mut member = load_member_mut(&info, role)?;
    let header = member.header_mut();
    require!(header.pass_status() == PassStatus::Active, PictorError::NoActivePass);
    require!(p.mint_supply()? == 0, PictorError::PassStillHeld);
    let closed = p.close_pass(header, bump)?;
    header.set_pass_status(PassStatus::Burned);
    let wallet = header.wallet;
    member.invariant()?;
    emit_member_settled(events, role, p.board.finalised_round(), closed.settled_base_units, now)?;
    emit_event(
        events,
        PassBurnSynced {
            wallet,
            role,
            rent_returned_lamports: closed.rent_returned_lamports,
            removed_from_round: closed.removed_from_round,
            holder_account_closed: closed.holder_account_closed,
            mint_closed: closed.mint_closed,
            reward_voided_base_units: closed.voided_base_units,
            ts: now,
        },
    )?;
    Ok(())
}
