//! The accounts of a member and its pass, shared by `revoke` and
//! `sync_pass`, and closing a pass with its rent back to whoever paid it.
use crate::constants::*;
use crate::errors::PictorError;
use crate::math::SafeMath;
use crate::state::*;
use anchor_lang::prelude::*;
use anchor_lang::solana_program::program_option::COption;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_spl::associated_token::get_associated_token_address_with_program_id;
use anchor_spl::token_2022::spl_token_2022::extension::cpi_guard::CpiGuard;
use anchor_spl::token_2022::spl_token_2022::extension::{BaseState, BaseStateWithExtensions, StateWithExtensions};
use anchor_spl::token_2022::spl_token_2022::state::{Account as TokenAccount, Mint};
use anchor_spl::token_2022::{self, Token2022};

/// A member and its pass.
#[derive(Accounts)]
#[instruction(role: Role)]
pub struct PassAccounts<'info> {
    /// The member's role board.
    #[account(mut, seeds = [BOARD_SEED, &role.seed()], bump = board.bump)]
    pub board: Box<Account<'info, Board>>,
    /// CHECK: the member PDA `[MEMBER_SEED, role, wallet]`, loaded in place
    /// by `load_member_mut` (owner, size, discriminator, layout checked).
    #[account(mut, seeds = [MEMBER_SEED, &role.seed(), wallet.key().as_ref()], bump)]
    pub member: UncheckedAccount<'info>,
    /// CHECK: the member's wallet: only derives the member, mint and token
    /// account addresses.
    pub wallet: UncheckedAccount<'info>,
    /// CHECK: receives the closed mint's and token account's rent; must be
    /// the payer recorded at claim (checked when a pass is closed).
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
    /// CHECK: the pass mint PDA (may no longer exist when no pass is held).
    #[account(mut, seeds = [PASS_MINT_SEED, &role.seed(), wallet.key().as_ref()], bump)]
    pub pass_mint: UncheckedAccount<'info>,
    /// CHECK: the wallet's Token-2022 ATA for the mint; address checked.
    #[account(mut, address = get_associated_token_address_with_program_id(&wallet.key(), &pass_mint.key(), &token_2022::ID) @ PictorError::AccountMismatch)]
    pub holder_ata: UncheckedAccount<'info>,
    /// CHECK: PDA `[PASS_AUTHORITY_SEED]`: permanent delegate and close authority.
    #[account(seeds = [PASS_AUTHORITY_SEED], bump)]
    pub pass_authority: UncheckedAccount<'info>,
    /// Token-2022.
    pub token_program: Program<'info, Token2022>,
}

/// The base state of a Token-2022 account of type `S`, or `None` when the
/// account does not exist (closed, or never created).
fn token_2022_state<S: BaseState + Pack>(info: &AccountInfo) -> Result<Option<S>> {
    if info.owner != &token_2022::ID || info.data_is_empty() {
        return Ok(None);
    }
    let data = info.try_borrow_data()?;
    Ok(Some(StateWithExtensions::<S>::unpack(&data)?.base))
}

/// What the program may do to the holder's token account without the
/// holder's cooperation.
struct HolderAccount {
    /// Tokens it holds.
    amount: u64,
    /// It is frozen (cannot happen: the pass mint has no freeze authority;
    /// checked anyway, since a burn of a frozen account would fail).
    frozen: bool,
    /// Its close authority is the pass authority (set at claim).
    closable_by_program: bool,
    /// Its CPI guard is on: a close by CPI may only send the rent to the owner.
    cpi_guarded: bool,
    /// Its owner.
    owner: Pubkey,
}

impl HolderAccount {
    fn read(info: &AccountInfo, pass_authority: &Pubkey) -> Result<Option<Self>> {
        if info.owner != &token_2022::ID || info.data_is_empty() {
            return Ok(None);
        }
        let data = info.try_borrow_data()?;
        let account = StateWithExtensions::<TokenAccount>::unpack(&data)?;
        let cpi_guarded = account.get_extension::<CpiGuard>().is_ok_and(|g| bool::from(g.lock_cpi));
        Ok(Some(HolderAccount {
            amount: account.base.amount,
            frozen: account.base.is_frozen(),
            closable_by_program: account.base.close_authority == COption::Some(*pass_authority),
            cpi_guarded,
            owner: account.base.owner,
        }))
    }
}

/// What closing a pass did.
pub(crate) struct Closed {
    /// Whether a token was still held and burned.
    pub burned: bool,
    /// Lamports sent back to the rent payer.
    pub rent_returned_lamports: u64,
    /// The open round the member left unranked (0: none).
    pub removed_from_round: u32,
    /// Whether the holder's token account was closed.
    pub holder_account_closed: bool,
    /// Whether the pass mint was closed.
    pub mint_closed: bool,
    /// The latest finalised round's credit that joined the balance, in base units.
    pub settled_base_units: u64,
    /// The open round's tentative credit taken back, in base units.
    pub voided_base_units: u64,
}

impl<'info> PassAccounts<'info> {
    /// Supply of the pass mint (0 if it does not exist).
    pub(crate) fn mint_supply(&self) -> Result<u64> {
        Ok(token_2022_state::<Mint>(&self.pass_mint)?.map_or(0, |m| m.supply))
    }

    /// Takes an active pass out, whatever the holder did to its token
    /// account: settles the member's reward credits (the latest finalised
    /// round's joins the balance, the open round's is taken back), drops
    /// the holder from the board and from an open round at once, clears
    /// the member's ranks, and cleans up the tokens as far as nobody can
    /// refuse: burns what the holder still has (permanent delegate, which
    /// no CPI guard blocks), closes the token account (its close authority
    /// is the pass authority) unless its CPI guard would refuse the rent
    /// going to a payer other than the holder, and closes the mint once its
    /// supply is 0, rent to the recorded payer. No step depends on a CPI the
    /// holder can refuse. The caller sets the new status.
    pub(crate) fn close_pass(&mut self, header: &mut MemberHeader, authority_bump: u8) -> Result<Closed> {
        require_keys_eq!(self.rent_payer.key(), header.pass_rent_payer, PictorError::RentPayerMismatch);
        let settled_base_units =
            header.settle_credits(self.board.finalised.as_ref(), self.board.open_round_number())?;
        let voided_base_units = match self.board.open.as_mut() {
            Some(open) => {
                let voided = header.void_open_credit(open);
                open.reward.credited_base_units = open.reward.credited_base_units.safe_sub(voided)?;
                voided
            }
            None => 0,
        };

        let before = self.rent_payer.lamports();
        let (burned, holder_account_closed, mint_closed) = self.burn_and_close(authority_bump)?;
        let rent_returned_lamports = self.rent_payer.lamports().safe_sub(before)?;

        let (counted, ranked, round) = match &self.board.open {
            Some(open) => (header.counts_in_round(open.round), header.rank_in(open.round).is_some(), open.round),
            None => (false, false, 0),
        };
        let board = &mut self.board;
        board.remove_holder(header.pass_first_round)?;
        board.remove_from_open_round(counted, ranked)?;
        board.invariant()?;
        header.clear_ranks();
        header.pass_rent_payer = Pubkey::default();
        let removed_from_round = if counted && !ranked { round } else { 0 };
        Ok(Closed {
            burned,
            rent_returned_lamports,
            removed_from_round,
            holder_account_closed,
            mint_closed,
            settled_base_units,
            voided_base_units,
        })
    }

    /// Burns, then closes what can be closed; returns (burned, token
    /// account closed, mint closed).
    fn burn_and_close(&self, authority_bump: u8) -> Result<(bool, bool, bool)> {
        let bump = [authority_bump];
        let signer: &[&[&[u8]]] = &[&[PASS_AUTHORITY_SEED, &bump]];
        let program = self.token_program.key();
        let authority = self.pass_authority.to_account_info();
        let holder = HolderAccount::read(&self.holder_ata, &self.pass_authority.key())?;
        let mut left = holder.as_ref().map_or(0, |a| a.amount);
        let burned = holder.as_ref().is_some_and(|a| a.amount > 0 && !a.frozen);
        if burned {
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
                left,
            )?;
            left = 0;
        }
        // The token account's close authority is the pass authority since the
        // claim: the holder cannot have taken its rent. A CPI guard lets a
        // CPI close it only to its owner: then it stays (empty, closable by
        // nobody else) unless the owner is the payer.
        let holder_account_closed = holder.is_some_and(|a| {
            left == 0 && a.closable_by_program && (!a.cpi_guarded || a.owner == self.rent_payer.key())
        });
        if holder_account_closed {
            self.close(self.holder_ata.to_account_info(), signer)?;
        }
        let mint_closed = self.pass_mint.owner == &token_2022::ID && self.mint_supply()? == 0;
        if mint_closed {
            self.close(self.pass_mint.to_account_info(), signer)?;
        }
        Ok((burned, holder_account_closed, mint_closed))
    }

    fn close(&self, account: AccountInfo<'info>, signer: &[&[&[u8]]]) -> Result<()> {
        token_2022::close_account(CpiContext::new_with_signer(
            self.token_program.key(),
            token_2022::CloseAccount {
                account,
                destination: self.rent_payer.to_account_info(),
                authority: self.pass_authority.to_account_info(),
            },
            signer,
        ))
    }
}
