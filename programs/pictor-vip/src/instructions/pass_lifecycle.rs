//! After the claim: admin revocation and reinstatement, and the
//! permissionless sync of a pass its holder burned.
use crate::constants::*;
use crate::errors::PictorError;
use crate::events::*;
use crate::math::SafeMath;
use crate::state::*;
use anchor_lang::prelude::*;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_spl::associated_token::get_associated_token_address_with_program_id;
use anchor_spl::token_2022::spl_token_2022::extension::{BaseState, StateWithExtensions};
use anchor_spl::token_2022::spl_token_2022::state::{Account as TokenAccount, Mint};
use anchor_spl::token_2022::{self, Token2022};

/// Accounts shared by `revoke` and `sync_pass`: a member and its pass.
#[derive(Accounts)]
pub struct PassAccounts<'info> {
    /// The member's role board.
    #[account(mut, seeds = [BOARD_SEED, &member.role.seed()], bump = board.bump)]
    pub board: Box<Account<'info, Board>>,
    /// The member.
    #[account(mut, seeds = [MEMBER_SEED, &member.role.seed(), member.wallet.as_ref()], bump = member.bump)]
    pub member: Box<Account<'info, Member>>,
    /// CHECK: the member's wallet; only receives the closed mint's rent.
    #[account(mut, address = member.wallet @ PictorError::AccountMismatch)]
    pub wallet: UncheckedAccount<'info>,
    /// CHECK: the pass mint PDA (may no longer exist when no pass is held).
    #[account(mut, seeds = [PASS_MINT_SEED, &member.role.seed(), member.wallet.as_ref()], bump)]
    pub pass_mint: UncheckedAccount<'info>,
    /// CHECK: the wallet's Token-2022 ATA for the mint; address checked.
    #[account(mut, address = get_associated_token_address_with_program_id(&member.wallet, &pass_mint.key(), &token_2022::ID) @ PictorError::AccountMismatch)]
    pub holder_ata: UncheckedAccount<'info>,
    /// CHECK: PDA `[PASS_AUTHORITY_SEED]`: permanent delegate and close authority.
    #[account(seeds = [PASS_AUTHORITY_SEED], bump)]
    pub pass_authority: UncheckedAccount<'info>,
    /// Token-2022.
    pub token_program: Program<'info, Token2022>,
}

/// Accounts of `revoke`.
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

/// Accounts of `sync_pass` (anyone may call it).
#[derive(Accounts)]
pub struct SyncPass<'info> {
    /// The config.
    #[account(seeds = [CONFIG_SEED], bump = config.bump, constraint = !config.paused @ PictorError::Paused)]
    pub config: Box<Account<'info, Config>>,
    /// The member and its pass.
    pub pass: PassAccounts<'info>,
}

/// Accounts of `reinstate`.
#[derive(Accounts)]
pub struct Reinstate<'info> {
    /// The admin.
    pub admin: Signer<'info>,
    /// The config.
    #[account(seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ PictorError::NotAdmin)]
    pub config: Box<Account<'info, Config>>,
    /// The member.
    #[account(mut, seeds = [MEMBER_SEED, &member.role.seed(), member.wallet.as_ref()], bump = member.bump)]
    pub member: Box<Account<'info, Member>>,
}

/// `read` of a Token-2022 account of type `S`, or 0 when the account does not
/// exist (closed, or never created).
fn token_2022_value<S: BaseState + Pack>(info: &AccountInfo, read: fn(&S) -> u64) -> Result<u64> {
    if info.owner != &token_2022::ID || info.data_is_empty() {
        return Ok(0);
    }
    let data = info.try_borrow_data()?;
    Ok(read(&StateWithExtensions::<S>::unpack(&data)?.base))
}

impl<'info> PassAccounts<'info> {
    /// Tokens left in the holder's account (0 if it was closed).
    fn held_amount(&self) -> Result<u64> {
        token_2022_value::<TokenAccount>(&self.holder_ata, |a| a.amount)
    }

    /// Supply of the pass mint (0 if it does not exist).
    fn mint_supply(&self) -> Result<u64> {
        token_2022_value::<Mint>(&self.pass_mint, |m| m.supply)
    }

    /// Burns whatever the holder still has (permanent delegate), then closes
    /// the mint (close authority), returning its rent to the wallet. Returns
    /// whether a token was burned.
    fn burn_and_close(&self, authority_bump: u8) -> Result<bool> {
        let bump = [authority_bump];
        let signer: &[&[&[u8]]] = &[&[PASS_AUTHORITY_SEED, &bump]];
        let program = self.token_program.key();
        let authority = self.pass_authority.to_account_info();
        let amount = self.held_amount()?;
        if amount > 0 {
            token_2022::burn(
                CpiContext::new_with_signer(
                    program,
                    token_2022::Burn {
                        mint: self.pass_mint.to_account_info(),
                        from: self.holder_ata.to_account_info(),
                        authority: authority.clone(),
                    },
                    signer,
                ),
                amount,
            )?;
        }
        if self.pass_mint.owner == &token_2022::ID {
            token_2022::close_account(CpiContext::new_with_signer(
                program,
                token_2022::CloseAccount {
                    account: self.pass_mint.to_account_info(),
                    destination: self.wallet.to_account_info(),
                    authority,
                },
                signer,
            ))?;
        }
        Ok(amount > 0)
    }

    /// Takes an active pass out of the board's holder count.
    fn drop_holder(&mut self) -> Result<()> {
        self.board.active_holders = self.board.active_holders.safe_sub(1)?;
        self.board.invariant()
    }
}

pub(crate) fn revoke(ctx: Context<Revoke>, reason_code: u16) -> Result<()> {
    let bump = ctx.bumps.pass.pass_authority;
    let p = &mut ctx.accounts.pass;
    require!(p.member.pass.status != PassStatus::Revoked, PictorError::AlreadyRevoked);
    p.board.require_no_open_round()?;
    let mut burned = false;
    if p.member.pass.status == PassStatus::Active {
        burned = p.burn_and_close(bump)?;
        p.drop_holder()?;
    }
    p.member.pass.status = PassStatus::Revoked;
    p.member.pass.revoke_reason = reason_code;
    p.member.invariant()?;
    emit!(PassRevoked {
        wallet: p.member.wallet,
        role: p.member.role,
        reason_code,
        burned,
        ts: Clock::get()?.unix_timestamp,
    });
    Ok(())
}

pub(crate) fn sync_pass(ctx: Context<SyncPass>) -> Result<()> {
    let bump = ctx.bumps.pass.pass_authority;
    let p = &mut ctx.accounts.pass;
    require!(p.member.pass.status == PassStatus::Active, PictorError::NoActivePass);
    require!(p.mint_supply()? == 0, PictorError::PassStillHeld);
    p.board.require_no_open_round()?;
    p.burn_and_close(bump)?;
    p.drop_holder()?;
    p.member.pass.status = PassStatus::Burned;
    emit!(PassBurnSynced { wallet: p.member.wallet, role: p.member.role, ts: Clock::get()?.unix_timestamp });
    Ok(())
}

pub(crate) fn reinstate(ctx: Context<Reinstate>) -> Result<()> {
    let member = &mut ctx.accounts.member;
    require!(member.pass.status == PassStatus::Revoked, PictorError::MemberNotRevoked);
    member.pass.status = PassStatus::None;
    emit!(MemberReinstated { wallet: member.wallet, role: member.role, ts: Clock::get()?.unix_timestamp });
    Ok(())
}
