//! `reinstate`: the admin lifts a revocation; the member may claim again
//! once eligible (a new pass, counting from the next round).
use crate::constants::*;
use crate::errors::PictorError;
use crate::events::emit_event;
use crate::events::MemberReinstated;
use crate::state::*;
use anchor_lang::prelude::*;

/// Accounts of `reinstate`.
#[event_cpi]
#[derive(Accounts)]
#[instruction(role: Role)]
pub struct Reinstate<'info> {
    /// The admin.
    pub admin: Signer<'info>,
    /// The config.
    #[account(seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ PictorError::NotAdmin)]
    pub config: Box<Account<'info, Config>>,
    /// CHECK: the member's wallet: derives the member address.
    pub wallet: UncheckedAccount<'info>,
    /// CHECK: the member PDA `[MEMBER_SEED, role, wallet]`, loaded in place.
    #[account(mut, seeds = [MEMBER_SEED, &role.seed(), wallet.key().as_ref()], bump)]
    pub member: UncheckedAccount<'info>,
}

pub(crate) fn reinstate(ctx: Context<Reinstate>, role: Role) -> Result<()> {
    let info = ctx.accounts.member.to_account_info();
    let mut member = load_member_mut(&info, role)?;
    let header = member.header_mut();
    require!(header.pass_status() == PassStatus::Revoked, PictorError::MemberNotRevoked);
    header.set_pass_status(PassStatus::None);
    let wallet = header.wallet;
    member.invariant()?;
    emit_event(&ctx.accounts.event_authority, MemberReinstated { wallet, role, ts: Clock::get()?.unix_timestamp })?;
    Ok(())
}
