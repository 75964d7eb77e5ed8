//! `claim`: the wallet mints its soulbound pass once eligible (SPEC §3).
use crate::cadence;
use crate::constants::*;
use crate::create::create_pda;
use crate::eligibility::{creator_eligibility, worker_eligibility};
use crate::errors::PictorError;
use crate::events::emit_event;
use crate::events::PassClaimed;
use crate::math::SafeMath;
use crate::state::*;
use anchor_lang::prelude::*;
use anchor_lang::solana_program::program_option::COption;
use anchor_spl::associated_token::{self, get_associated_token_address_with_program_id, AssociatedToken};
use anchor_spl::token_2022::spl_token_2022::extension::{ExtensionType, StateWithExtensions};
use anchor_spl::token_2022::spl_token_2022::instruction::AuthorityType;
use anchor_spl::token_2022::spl_token_2022::state::Account as TokenAccount;
use anchor_spl::token_2022::spl_token_2022::state::Mint;
use anchor_spl::token_2022::{self, Token2022};
use anchor_spl::token_2022_extensions as ext;
use anchor_spl::token_2022_extensions::spl_pod::optional_keys::OptionalNonZeroPubkey;
use anchor_spl::token_2022_extensions::spl_token_metadata_interface::state::{Field, TokenMetadata};

/// Accounts of `claim`.
#[event_cpi]
#[derive(Accounts)]
#[instruction(role: Role)]
pub struct Claim<'info> {
    /// The member's wallet: must sign its own claim.
    pub wallet: Signer<'info>,
    /// Pays the mint and token account rent (the wallet itself or a sponsor).
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The config.
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    /// The role's board (serial and holder count).
    #[account(mut, seeds = [BOARD_SEED, &role.seed()], bump = board.bump)]
    pub board: Box<Account<'info, Board>>,
    /// CHECK: the member PDA `[MEMBER_SEED, role, wallet]` (exists once the
    /// oracle has reported about it), loaded in place by `load_member_mut`.
    #[account(mut, seeds = [MEMBER_SEED, &role.seed(), wallet.key().as_ref()], bump)]
    pub member: UncheckedAccount<'info>,
    /// CHECK: the pass mint PDA `[PASS_MINT_SEED, role, wallet]`, created here.
    #[account(mut, seeds = [PASS_MINT_SEED, &role.seed(), wallet.key().as_ref()], bump)]
    pub pass_mint: UncheckedAccount<'info>,
    /// CHECK: the wallet's Token-2022 associated token account for the pass,
    /// created (idempotently) by the ATA program; address checked here.
    #[account(mut, address = get_associated_token_address_with_program_id(&wallet.key(), &pass_mint.key(), &token_2022::ID) @ PictorError::AccountMismatch)]
    pub holder_ata: UncheckedAccount<'info>,
    /// CHECK: PDA `[PASS_AUTHORITY_SEED]`: mint authority during the claim,
    /// then permanent delegate, close and metadata authority; holds no data.
    #[account(seeds = [PASS_AUTHORITY_SEED], bump = config.pass_authority_bump)]
    pub pass_authority: UncheckedAccount<'info>,
    /// Token-2022.
    pub token_program: Program<'info, Token2022>,
    /// Associated token account program.
    pub associated_token_program: Program<'info, AssociatedToken>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Extensions sized into the mint account up front (metadata is appended by
/// Token-2022 itself, funded in advance).
pub const PASS_MINT_EXTENSIONS: [ExtensionType; 4] = [
    ExtensionType::NonTransferable,
    ExtensionType::MetadataPointer,
    ExtensionType::PermanentDelegate,
    ExtensionType::MintCloseAuthority,
];

pub(crate) fn claim(ctx: Context<Claim>, role: Role) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let member_info = a.member.to_account_info();
    {
        let member = load_member_mut(&member_info, role)?;
        match member.header().pass_status() {
            PassStatus::Active => return err!(PictorError::PassAlreadyClaimed),
            PassStatus::Revoked => return err!(PictorError::MemberRevoked),
            PassStatus::None | PassStatus::Burned => {}
        }
        let eligible = match member.facts() {
            FactsRef::Creator(c) => creator_eligibility(c, &a.config.rules).eligible,
            FactsRef::Worker(w) => worker_eligibility(w, &a.config.rules, now)?.eligible,
        };
        require!(eligible, PictorError::NotEligible);
    }

    let mint_bump = ctx.bumps.pass_mint;
    create_mint_account(a, role, mint_bump)?;
    init_mint_extensions(a)?;
    init_metadata(a, role)?;
    create_holder_account(a)?;
    mint_and_seal(a)?;

    let config = &ctx.accounts.config;
    let board = &mut ctx.accounts.board;
    let serial = board.passes_issued.safe_add(1)?;
    board.passes_issued = serial;
    // A round whose snapshot has passed ranks the holders of that time.
    let first_round = cadence::first_round_of_claim(&config.rules.cadence, &config.round_anchor, board.next_round, now);
    board.add_holder(first_round)?;
    board.invariant_under(config, now)?;
    let mut member = load_member_mut(&member_info, role)?;
    let header = member.header_mut();
    header.set_pass_status(PassStatus::Active);
    header.pass_serial = u32::try_from(serial).map_err(|_| PictorError::Overflow)?;
    header.pass_first_round = first_round;
    header.pass_rent_payer = ctx.accounts.payer.key();
    member.invariant()?;
    emit_event(
        &ctx.accounts.event_authority,
        PassClaimed {
            wallet: ctx.accounts.wallet.key(),
            role,
            mint: ctx.accounts.pass_mint.key(),
            serial,
            first_round,
            payer: ctx.accounts.payer.key(),
            ts: now,
        },
    )?;
    Ok(())
}

/// The pass's Token-2022 metadata for `role`.
fn pass_metadata(a: &Claim, role: Role) -> TokenMetadata {
    let (name, uri) = a.config.pass_metadata.for_role(role);
    TokenMetadata {
        update_authority: OptionalNonZeroPubkey(a.pass_authority.key()),
        mint: a.pass_mint.key(),
        name: name.to_string(),
        symbol: a.config.pass_metadata.symbol.clone(),
        uri: uri.to_string(),
        additional_metadata: vec![(METADATA_ROLE_KEY.to_string(), role.as_str().to_string())],
    }
}

fn authority_seeds(a: &Claim) -> [u8; 1] {
    [a.config.pass_authority_bump]
}

/// Step 1: the mint account, sized for the fixed extensions and funded for
/// the metadata Token-2022 appends later. Pre-funded addresses are fine.
#[inline(never)]
fn create_mint_account(a: &Claim, role: Role, mint_bump: u8) -> Result<()> {
    let wallet = a.wallet.key();
    let bump = [mint_bump];
    let mint_seeds: &[&[u8]] = &[PASS_MINT_SEED, &role.seed(), wallet.as_ref(), &bump];
    let base_len = ExtensionType::try_calculate_account_len::<Mint>(&PASS_MINT_EXTENSIONS)?;
    let full_len = base_len + pass_metadata(a, role).tlv_size_of()?;
    let lamports = Rent::get()?.minimum_balance(full_len);
    create_pda(
        &a.payer.to_account_info(),
        &a.pass_mint.to_account_info(),
        &a.system_program.to_account_info(),
        mint_seeds,
        base_len,
        lamports,
        &a.token_program.key(),
    )
}

/// Step 2: NonTransferable, MetadataPointer (to itself), PermanentDelegate
/// and MintCloseAuthority (both the pass authority PDA), then the mint.
#[inline(never)]
fn init_mint_extensions(a: &Claim) -> Result<()> {
    let authority = a.pass_authority.key();
    let mint = a.pass_mint.to_account_info();
    let token_program = a.token_program.to_account_info();
    let id = a.token_program.key();
    ext::non_transferable_mint_initialize(CpiContext::new(
        id,
        ext::NonTransferableMintInitialize { token_program_id: token_program.clone(), mint: mint.clone() },
    ))?;
    ext::metadata_pointer_initialize(
        CpiContext::new(
            id,
            ext::MetadataPointerInitialize { token_program_id: token_program.clone(), mint: mint.clone() },
        ),
        Some(authority),
        Some(mint.key()),
    )?;
    ext::permanent_delegate_initialize(
        CpiContext::new(
            id,
            ext::PermanentDelegateInitialize { token_program_id: token_program.clone(), mint: mint.clone() },
        ),
        &authority,
    )?;
    ext::mint_close_authority_initialize(
        CpiContext::new(
            id,
            ext::MintCloseAuthorityInitialize { token_program_id: token_program.clone(), mint: mint.clone() },
        ),
        Some(&authority),
    )?;
    token_2022::initialize_mint2(CpiContext::new(id, token_2022::InitializeMint2 { mint }), 0, &authority, None)
}

/// Step 3: TokenMetadata (name, symbol, URI) and the `role` field.
#[inline(never)]
fn init_metadata(a: &Claim, role: Role) -> Result<()> {
    let bump = authority_seeds(a);
    let signer: &[&[&[u8]]] = &[&[PASS_AUTHORITY_SEED, &bump]];
    let mint = a.pass_mint.to_account_info();
    let token_program = a.token_program.to_account_info();
    let id = a.token_program.key();
    let authority = a.pass_authority.to_account_info();
    let metadata = pass_metadata(a, role);
    ext::token_metadata_initialize(
        CpiContext::new_with_signer(
            id,
            ext::TokenMetadataInitialize {
                program_id: token_program.clone(),
                metadata: mint.clone(),
                update_authority: authority.clone(),
                mint_authority: authority.clone(),
                mint: mint.clone(),
            },
            signer,
        ),
        metadata.name,
        metadata.symbol,
        metadata.uri,
    )?;
    ext::token_metadata_update_field(
        CpiContext::new_with_signer(
            id,
            ext::TokenMetadataUpdateField { program_id: token_program, metadata: mint, update_authority: authority },
            signer,
        ),
        Field::Key(METADATA_ROLE_KEY.to_string()),
        role.as_str().to_string(),
    )
}

/// Step 4: the wallet's associated token account, whose close authority
/// becomes the pass authority PDA (the wallet signs as owner): the holder
/// can burn its pass but not pocket the token account's rent, which goes
/// back to the claim's payer when the program closes the pass. An account
/// left from an earlier pass (its holder's CPI guard kept it open when that
/// pass was closed) already has that close authority and is used as it is.
#[inline(never)]
fn create_holder_account(a: &Claim) -> Result<()> {
    if holder_close_authority(&a.holder_ata)? == Some(COption::Some(a.pass_authority.key())) {
        return Ok(());
    }
    let token_program = a.token_program.to_account_info();
    associated_token::create_idempotent(CpiContext::new(
        a.associated_token_program.key(),
        associated_token::Create {
            payer: a.payer.to_account_info(),
            associated_token: a.holder_ata.to_account_info(),
            authority: a.wallet.to_account_info(),
            mint: a.pass_mint.to_account_info(),
            system_program: a.system_program.to_account_info(),
            token_program: token_program.clone(),
        },
    ))?;
    token_2022::set_authority(
        CpiContext::new(
            a.token_program.key(),
            token_2022::SetAuthority {
                current_authority: a.wallet.to_account_info(),
                account_or_mint: a.holder_ata.to_account_info(),
            },
        ),
        AuthorityType::CloseAccount,
        Some(a.pass_authority.key()),
    )
}

/// The close authority of an existing holder token account (`None`: no account yet).
fn holder_close_authority(info: &AccountInfo) -> Result<Option<COption<Pubkey>>> {
    if info.owner != &token_2022::ID || info.data_is_empty() {
        return Ok(None);
    }
    let data = info.try_borrow_data()?;
    Ok(Some(StateWithExtensions::<TokenAccount>::unpack(&data)?.base.close_authority))
}

/// Step 5: mints the one token, then drops the mint authority for good.
#[inline(never)]
fn mint_and_seal(a: &Claim) -> Result<()> {
    let bump = authority_seeds(a);
    let signer: &[&[&[u8]]] = &[&[PASS_AUTHORITY_SEED, &bump]];
    let id = a.token_program.key();
    let mint = a.pass_mint.to_account_info();
    let authority = a.pass_authority.to_account_info();
    token_2022::mint_to(
        CpiContext::new_with_signer(
            id,
            token_2022::MintTo { mint: mint.clone(), to: a.holder_ata.to_account_info(), authority: authority.clone() },
            signer,
        ),
        1,
    )?;
    token_2022::set_authority(
        CpiContext::new_with_signer(
            id,
            token_2022::SetAuthority { current_authority: authority, account_or_mint: mint },
            signer,
        ),
        AuthorityType::MintTokens,
        None,
    )
}
