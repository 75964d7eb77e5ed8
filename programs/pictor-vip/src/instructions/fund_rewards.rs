//! `fund_rewards`: the admin attaches an amount of one SPL token to the
//! next round of a role, shared by its top K ranks (SPEC §9). Admin only:
//! the funds are the network's treasury, and one key (a multisig in
//! production) accounts for them.
use crate::constants::*;
use crate::create::create_pda;
use crate::errors::PictorError;
use crate::events::emit_event;
use crate::events::RewardFunded;
use crate::math::SafeMath;
use crate::state::*;
use anchor_lang::prelude::*;
use anchor_spl::token_2022::spl_token_2022::extension::mint_close_authority::MintCloseAuthority;
use anchor_spl::token_2022::spl_token_2022::extension::{BaseStateWithExtensions, ExtensionType, StateWithExtensions};
use anchor_spl::token_2022::spl_token_2022::state::{Account as TokenAccountState, Mint as MintState};
use anchor_spl::token_interface::{self, Mint, TokenAccount, TokenInterface};

/// Accounts of `fund_rewards`.
#[event_cpi]
#[derive(Accounts)]
#[instruction(role: Role)]
pub struct FundRewards<'info> {
    /// The admin: signs the transfer and pays the vault's rent the first time.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The config.
    #[account(seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ PictorError::NotAdmin)]
    pub config: Box<Account<'info, Config>>,
    /// The role's board (its reward state).
    #[account(mut, seeds = [BOARD_SEED, &role.seed()], bump = board.bump)]
    pub board: Box<Account<'info, Board>>,
    /// The reward token's mint.
    #[account(mint::token_program = token_program)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// The admin's token account the funds come from.
    #[account(mut, token::mint = mint, token::authority = admin, token::token_program = token_program)]
    pub funder_token: Box<InterfaceAccount<'info, TokenAccount>>,
    /// CHECK: the vault PDA `[REWARD_VAULT_SEED, role]`: created here on the
    /// first funding (even at an address someone pre-funded), then checked
    /// against the board.
    #[account(mut, seeds = [REWARD_VAULT_SEED, &role.seed()], bump)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: PDA `[REWARD_AUTHORITY_SEED]`, owner of every vault; holds no data.
    #[account(seeds = [REWARD_AUTHORITY_SEED], bump)]
    pub vault_authority: UncheckedAccount<'info>,
    /// Token program of the mint (classic Token or Token-2022).
    pub token_program: Interface<'info, TokenInterface>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Mint extensions a vault cannot hold safely: someone could take, freeze,
/// tax or block what the vault owes.
pub(crate) const UNSAFE_MINT_EXTENSIONS: [ExtensionType; 7] = [
    ExtensionType::PermanentDelegate,
    ExtensionType::TransferHook,
    ExtensionType::TransferFeeConfig,
    ExtensionType::NonTransferable,
    ExtensionType::DefaultAccountState,
    ExtensionType::Pausable,
    ExtensionType::ConfidentialTransferMint,
];

pub(crate) fn fund_rewards(ctx: Context<FundRewards>, role: Role, amount: u64, top_k: u32) -> Result<()> {
    require!(amount > 0, PictorError::ZeroAmount);
    let a = &ctx.accounts;
    // Checked at every funding: what a mint can do may change with its issuer.
    require_safe_reward_mint(&a.mint.to_account_info())?;
    if a.board.rewards.mint == Pubkey::default() {
        create_vault(a, role, ctx.bumps.vault)?;
        let (mint, token_program, vault, decimals) =
            (a.mint.key(), a.token_program.key(), a.vault.key(), a.mint.decimals);
        let rewards = &mut ctx.accounts.board.rewards;
        rewards.mint = mint;
        rewards.token_program = token_program;
        rewards.vault = vault;
        rewards.decimals = decimals;
    }
    let a = &ctx.accounts;
    require_keys_eq!(a.mint.key(), a.board.rewards.mint, PictorError::RewardMintMismatch);
    require_keys_eq!(a.vault.key(), a.board.rewards.vault, PictorError::RewardVaultMismatch);
    token_interface::transfer_checked(
        CpiContext::new(
            a.token_program.key(),
            token_interface::TransferChecked {
                from: a.funder_token.to_account_info(),
                mint: a.mint.to_account_info(),
                to: a.vault.to_account_info(),
                authority: a.admin.to_account_info(),
            },
        ),
        amount,
        a.mint.decimals,
    )?;
    let board = &mut ctx.accounts.board;
    let rewards = &mut board.rewards;
    // Remainders carried from earlier rounds join this funding.
    let carried = std::mem::take(&mut rewards.carry_base_units);
    rewards.pending_base_units = rewards.pending_base_units.safe_add(amount)?.safe_add(carried)?;
    rewards.pending_top_k = top_k;
    // A statistic: it saturates, never refusing a funding.
    rewards.funded_total_base_units = rewards.funded_total_base_units.saturating_add(amount);
    let pending = rewards.pending_base_units;
    let mint = rewards.mint;
    board.invariant()?;
    require_vault_covers(&ctx.accounts.vault.to_account_info(), board)?;
    emit_event(
        &ctx.accounts.event_authority,
        RewardFunded {
            role,
            mint,
            amount_base_units: amount,
            carried_base_units: carried,
            top_k,
            pending_base_units: pending,
            ts: Clock::get()?.unix_timestamp,
        },
    )?;
    Ok(())
}

/// Creates the role's vault: a token account of the mint, owned by the
/// reward authority PDA, sized for the extensions the mint requires.
#[inline(never)]
fn create_vault(a: &FundRewards, role: Role, bump: u8) -> Result<()> {
    let mint_info = a.mint.to_account_info();
    let space = {
        let data = mint_info.try_borrow_data()?;
        let mint = StateWithExtensions::<MintState>::unpack(&data)?;
        let extensions = mint.get_extension_types()?;
        let required = ExtensionType::get_required_init_account_extensions(&extensions);
        ExtensionType::try_calculate_account_len::<TokenAccountState>(&required)?
    };
    let seeds: &[&[u8]] = &[REWARD_VAULT_SEED, &role.seed(), &[bump]];
    let lamports = Rent::get()?.minimum_balance(space);
    create_pda(
        &a.admin.to_account_info(),
        &a.vault.to_account_info(),
        &a.system_program.to_account_info(),
        seeds,
        space,
        lamports,
        &a.token_program.key(),
    )?;
    token_interface::initialize_account3(CpiContext::new(
        a.token_program.key(),
        token_interface::InitializeAccount3 {
            account: a.vault.to_account_info(),
            mint: mint_info,
            authority: a.vault_authority.to_account_info(),
        },
    ))
}

/// Refuses a reward mint the vault cannot hold safely: one with an
/// extension that lets someone take, freeze, tax or block what the vault
/// owes, or with a close authority (its issuer could close it once its
/// supply is 0 and recreate it at the same address with any of those).
/// Called at every funding and every withdrawal, not only the first.
pub(crate) fn require_safe_reward_mint(mint: &AccountInfo) -> Result<()> {
    let data = mint.try_borrow_data()?;
    let state = StateWithExtensions::<MintState>::unpack(&data)?;
    let extensions = state.get_extension_types()?;
    require!(!extensions.iter().any(|e| UNSAFE_MINT_EXTENSIONS.contains(e)), PictorError::UnsupportedRewardMint);
    let closable =
        state.get_extension::<MintCloseAuthority>().is_ok_and(|m| Option::<Pubkey>::from(m.close_authority).is_some());
    require!(!closable, PictorError::UnsupportedRewardMint);
    Ok(())
}

/// The vault holds at least what the role owes (SPEC §9's invariant),
/// checked where the vault is at hand: funding and withdrawing.
pub(crate) fn require_vault_covers(vault: &AccountInfo, board: &Board) -> Result<()> {
    let held = {
        let data = vault.try_borrow_data()?;
        StateWithExtensions::<TokenAccountState>::unpack(&data)?.base.amount
    };
    let owed = board.rewards.obligations(board.open.as_ref()).ok_or(PictorError::Overflow)?;
    require!(held >= owed, PictorError::RewardVaultShort);
    Ok(())
}
