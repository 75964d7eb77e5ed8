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
use anchor_spl::token_2022::spl_token_2022::extension::{BaseState, StateWithExtensions};
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

/// What closing a pass did.
pub(crate) struct Closed {
    /// Whether a token was still held and burned.
    pub burned: bool,
    /// Lamports sent back to the rent payer.
    pub rent_returned_lamports: u64,
    /// The open round the member left unranked (0: none).
    pub removed_from_round: u32,
}

impl<'info> PassAccounts<'info> {
    /// Supply of the pass mint (0 if it does not exist).
    pub(crate) fn mint_supply(&self) -> Result<u64> {
        Ok(token_2022_state::<Mint>(&self.pass_mint)?.map_or(0, |m| m.supply))
    }

    /// Takes an active pass out: burns whatever the holder still has
    /// (permanent delegate), closes the token account and the mint (close
    /// authority) with their rent to the recorded payer, drops the holder
    /// from the board and from an open round at once, and clears the
    /// member's ranks. The caller sets the new status.
    pub(crate) fn close_pass(&mut self, header: &mut MemberHeader, authority_bump: u8) -> Result<Closed> {
        require_keys_eq!(self.rent_payer.key(), header.pass_rent_payer, PictorError::RentPayerMismatch);
        let before = self.rent_payer.lamports();
        let burned = self.burn_and_close(authority_bump)?;
        let rent_returned_lamports = self.rent_payer.lamports().safe_sub(before)?;

        let (counted, ranked, round) = match &self.board.open {
            Some(open) => (header.counts_in_round(open.round), header.rank_in(open.round).is_some(), open.round),
            None => (false, false, 0),
        };
        let board = &mut self.board;
        board.active_holders = board.active_holders.safe_sub(1)?;
        board.remove_from_open_round(counted, ranked)?;
        board.invariant()?;
        header.clear_ranks();
        header.pass_rent_payer = Pubkey::default();
        let removed_from_round = if counted && !ranked { round } else { 0 };
        Ok(Closed { burned, rent_returned_lamports, removed_from_round })
    }

    fn burn_and_close(&self, authority_bump: u8) -> Result<bool> {
        let bump = [authority_bump];
        let signer: &[&[&[u8]]] = &[&[PASS_AUTHORITY_SEED, &bump]];
        let program = self.token_program.key();
        let authority = self.pass_authority.to_account_info();
        let holder = token_2022_state::<TokenAccount>(&self.holder_ata)?;
        let amount = holder.as_ref().map_or(0, |a| a.amount);
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
        // The token account's close authority is the pass authority since the
        // claim: the holder cannot have taken its rent.
        if holder.is_some_and(|a| a.close_authority == COption::Some(self.pass_authority.key())) {
            self.close(self.holder_ata.to_account_info(), signer)?;
        }
        if self.pass_mint.owner == &token_2022::ID {
            self.close(self.pass_mint.to_account_info(), signer)?;
        }
        Ok(amount > 0)
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
