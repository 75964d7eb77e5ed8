//! `revoke`: the admin takes a member's pass away for fraud (SPEC §3). It
//! takes effect at once, even while a round is open: the member is nobody's
//! priority from this instruction on, and the open round still finalises.
//! Nothing the holder did to its token account can block it (see
//! `PassAccounts::close_pass`).
use super::pass_accounts::*;
use crate::constants::*;
use crate::errors::PictorError;
use crate::events::{emit_event, emit_member_settled};
use crate::events::{PassRevoked, RewardForfeited};
use crate::math::SafeMath;
use crate::state::*;
use anchor_lang::prelude::*;

/// Accounts of `revoke`.
// No `#[instruction]` here: it would consume the role before the nested
// `PassAccounts` reads it from the same instruction data.
#[event_cpi]
#[derive(Accounts)]
pub struct Revoke<'info> {
    /// The admin.
    pub admin: Signer<'info>,
    /// The config.
    #[account(seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ PictorError::NotAdmin)]
    pub config: Box<Account<'info, Config>>,
    /// The member and its pass.
    pub pass: PassAccounts<'info>,
}

pub(crate) fn revoke(ctx: Context<Revoke>, role: Role, reason_code: u16) -> Result<()> {
    let bump = ctx.bumps.pass.pass_authority;
    let now = Clock::get()?.unix_timestamp;
    let events = &ctx.accounts.event_authority;
    let p = &mut ctx.accounts.pass;
    let info = p.member.to_account_info();
    let mut member = load_member_mut(&info, role)?;
    let header = member.header_mut();
    let status = header.pass_status();
    require!(status != PassStatus::Revoked, PictorError::AlreadyRevoked);
    let closed = match status {
        PassStatus::Active => Some(p.close_pass(header, bump)?),
        _ => None,
    };
    header.set_pass_status(PassStatus::Revoked);
    header.revoke_reason = reason_code;
    header.clear_ranks();
    let wallet = header.wallet;
    let settled = closed.as_ref().map_or(0, |c| c.settled_base_units);
    emit_member_settled(events, role, p.board.finalised_round(), settled, now)?;
    // Fraud forfeits the unwithdrawn reward: it returns to the vault's carry.
    let forfeited = std::mem::take(&mut header.reward_balance);
    if forfeited > 0 {
        let rewards = &mut p.board.rewards;
        rewards.liability_base_units = rewards.liability_base_units.safe_sub(forfeited)?;
        rewards.carry_base_units = rewards.carry_base_units.safe_add(forfeited)?;
        p.board.invariant()?;
        let mint = p.board.rewards.mint;
        emit_event(events, RewardForfeited { wallet, role, amount_base_units: forfeited, mint, ts: now })?;
    }
    member.invariant()?;
    emit_event(
        events,
        PassRevoked {
            wallet,
            role,
            reason_code,
            burned: closed.as_ref().is_some_and(|c| c.burned),
            rent_returned_lamports: closed.as_ref().map_or(0, |c| c.rent_returned_lamports),
            removed_from_round: closed.as_ref().map_or(0, |c| c.removed_from_round),
            holder_account_closed: closed.as_ref().is_some_and(|c| c.holder_account_closed),
            mint_closed: closed.as_ref().is_some_and(|c| c.mint_closed),
            reward_voided_base_units: closed.as_ref().map_or(0, |c| c.voided_base_units),
            ts: now,
        },
    )?;
    Ok(())
}
