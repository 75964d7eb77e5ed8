//! `withdraw_rewards`: a wallet withdraws its whole reward balance of a role
//! to its own token account (created if missing, paid by the caller). The
//! balance is debited before the transfer.
use super::fund_rewards::{require_safe_reward_mint, require_vault_covers};
use crate::constants::*;
use crate::errors::PictorError;
use crate::events::RewardWithdrawn;
use crate::events::{emit_event, emit_member_settled};
use crate::math::SafeMath;
use crate::state::*;
use anchor_lang::prelude::*;
use anchor_spl::associated_token::{self, get_associated_token_address_with_program_id, AssociatedToken};
use anchor_spl::token_interface::{self, Mint, TokenInterface};

/// Accounts of `withdraw_rewards`.
#[event_cpi]
#[derive(Accounts)]
#[instruction(role: Role)]
pub struct WithdrawRewards<'info> {
    /// The member's wallet.
    pub wallet: Signer<'info>,
    /// Pays the token account's rent if it has to be created.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The role's board (its reward state).
    #[account(
        mut, seeds = [BOARD_SEED, &role.seed()], bump = board.bump,
        constraint = board.rewards.mint != Pubkey::default() @ PictorError::NoRewardsYet,
    )]
    pub board: Box<Account<'info, Board>>,
    /// CHECK: the member PDA `[MEMBER_SEED, role, wallet]`, loaded in place.
    #[account(mut, seeds = [MEMBER_SEED, &role.seed(), wallet.key().as_ref()], bump)]
    pub member: UncheckedAccount<'info>,
    /// The reward token's mint.
    #[account(address = board.rewards.mint @ PictorError::RewardMintMismatch)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// CHECK: the role's vault (address checked against the board; the
    /// token program checks the rest in the transfer).
    #[account(mut, address = board.rewards.vault @ PictorError::RewardVaultMismatch)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: PDA `[REWARD_AUTHORITY_SEED]`, owner of the vault; signs the transfer.
    #[account(seeds = [REWARD_AUTHORITY_SEED], bump)]
    pub vault_authority: UncheckedAccount<'info>,
    /// CHECK: the wallet's associated token account for the mint, created
    /// (idempotently) by the ATA program; address checked.
    #[account(mut, address = get_associated_token_address_with_program_id(&wallet.key(), &mint.key(), &token_program.key()) @ PictorError::AccountMismatch)]
    pub destination: UncheckedAccount<'info>,
    /// The mint's token program (the one the board records).
    #[account(address = board.rewards.token_program @ PictorError::RewardMintMismatch)]
    pub token_program: Interface<'info, TokenInterface>,
    /// Associated token account program.
    pub associated_token_program: Program<'info, AssociatedToken>,
    /// System program.
    pub system_program: Program<'info, System>,
}

pub(crate) fn withdraw_rewards(ctx: Context<WithdrawRewards>, role: Role) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    require_safe_reward_mint(&ctx.accounts.mint.to_account_info())?;
    let info = ctx.accounts.member.to_account_info();
    // The latest finalised round's credit joins the balance, then the whole
    // balance is debited first: whatever happens after, it cannot be paid twice.
    let (wallet, amount, settled) = {
        let board = &ctx.accounts.board;
        let mut member = load_member_mut(&info, role)?;
        let header = member.header_mut();
        let settled = header.settle_credits(board.finalised.as_ref(), board.open_round_number())?;
        let amount = std::mem::take(&mut header.reward_balance);
        require!(amount > 0, PictorError::NothingToWithdraw);
        (header.wallet, amount, settled)
    };
    let rewards = &mut ctx.accounts.board.rewards;
    rewards.liability_base_units = rewards.liability_base_units.safe_sub(amount)?;
    // A statistic: it saturates, never refusing a withdrawal.
    rewards.withdrawn_total_base_units = rewards.withdrawn_total_base_units.saturating_add(amount);
    let a = &ctx.accounts;
    associated_token::create_idempotent(CpiContext::new(
        a.associated_token_program.key(),
        associated_token::Create {
            payer: a.payer.to_account_info(),
            associated_token: a.destination.to_account_info(),
            authority: a.wallet.to_account_info(),
            mint: a.mint.to_account_info(),
            system_program: a.system_program.to_account_info(),
            token_program: a.token_program.to_account_info(),
        },
    ))?;
    let bump = [ctx.bumps.vault_authority];
    let signer: &[&[&[u8]]] = &[&[REWARD_AUTHORITY_SEED, &bump]];
    token_interface::transfer_checked(
        CpiContext::new_with_signer(
            a.token_program.key(),
            token_interface::TransferChecked {
                from: a.vault.to_account_info(),
                mint: a.mint.to_account_info(),
                to: a.destination.to_account_info(),
                authority: a.vault_authority.to_account_info(),
            },
            signer,
        ),
        amount,
        a.mint.decimals,
    )?;
    a.board.invariant()?;
    require_vault_covers(&a.vault.to_account_info(), &a.board)?;
    load_member_mut(&info, role)?.invariant()?;
    emit_member_settled(&ctx.accounts.event_authority, role, a.board.finalised_round(), settled, now)?;
    emit_event(
        &ctx.accounts.event_authority,
        RewardWithdrawn {
            wallet,
            role,
            amount_base_units: amount,
            destination: a.destination.key(),
            mint: a.mint.key(),
            ts: now,
        },
    )?;
    Ok(())
}
