//! `claim`: the wallet mints its soulbound pass once eligible (SPEC §3).
use crate::constants::*;
use crate::eligibility::{creator_eligibility, worker_eligibility};
use crate::errors::PictorError;
use crate::events::PassClaimed;
use crate::math::SafeMath;
use crate::state::*;
use anchor_lang::prelude::*;
use anchor_lang::system_program;
use anchor_spl::associated_token::{self, get_associated_token_address_with_program_id, AssociatedToken};
use anchor_spl::token_2022::spl_token_2022::extension::ExtensionType;
use anchor_spl::token_2022::spl_token_2022::instruction::AuthorityType;
use anchor_spl::token_2022::spl_token_2022::state::Mint;
use anchor_spl::token_2022::{self, Token2022};
use anchor_spl::token_2022_extensions as ext;
use anchor_spl::token_2022_extensions::spl_pod::optional_keys::OptionalNonZeroPubkey;
use anchor_spl::token_2022_extensions::spl_token_metadata_interface::state::{Field, TokenMetadata};

/// Accounts of `claim`.
#[derive(Accounts)]
#[instruction(role: Role)]
pub struct Claim<'info> {
    /// The member's wallet: must sign its own claim.
    pub wallet: Signer<'info>,
    /// Pays the mint and token account rent (the wallet itself or a sponsor).
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The config.
    #[account(seeds = [CONFIG_SEED], bump = config.bump, constraint = !config.paused @ PictorError::Paused)]
    pub config: Box<Account<'info, Config>>,
    /// The role's board (serial and holder count).
    #[account(mut, seeds = [BOARD_SEED, &role.seed()], bump = board.bump)]
    pub board: Box<Account<'info, Board>>,
    /// The member: exists once the oracle has reported about it.
    #[account(mut, seeds = [MEMBER_SEED, &role.seed(), wallet.key().as_ref()], bump = member.bump)]
    pub member: Box<Account<'info, Member>>,
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
    match a.member.pass.status {
        PassStatus::Active => return err!(PictorError::PassAlreadyClaimed),
        PassStatus::Revoked => return err!(PictorError::MemberRevoked),
        PassStatus::None | PassStatus::Burned => {}
    }
    let eligible = match &a.member.facts {
        Facts::Creator(c) => creator_eligibility(c, &a.config.rules).eligible,
        Facts::Worker(w) => worker_eligibility(w, &a.config.rules, now)?.eligible,
    };
    require!(eligible, PictorError::NotEligible);

    mint_pass(a, role, ctx.bumps.pass_mint)?;

    let board = &mut ctx.accounts.board;
    let serial = board.passes_issued.safe_add(1)?;
    board.passes_issued = serial;
    board.active_holders = board.active_holders.safe_add(1)?;
    let member = &mut ctx.accounts.member;
    member.pass = PassState {
        status: PassStatus::Active,
        serial,
        claimed_ts: now,
        first_round: board.next_round,
        revoke_reason: member.pass.revoke_reason,
    };
    board.invariant()?;
    member.invariant()?;
    emit!(PassClaimed {
        wallet: member.wallet,
        role,
        mint: ctx.accounts.pass_mint.key(),
        serial,
        first_round: board.next_round,
        ts: now,
    });
    Ok(())
}

/// Builds the soulbound mint, mints the one token and drops the mint authority.
fn mint_pass(a: &Claim, role: Role, mint_bump: u8) -> Result<()> {
    let wallet = a.wallet.key();
    let mint_seeds: &[&[u8]] = &[PASS_MINT_SEED, &role.seed(), wallet.as_ref(), &[mint_bump]];
    let authority_seeds: &[&[u8]] = &[PASS_AUTHORITY_SEED, &[a.config.pass_authority_bump]];
    let authority = a.pass_authority.key();
    let mint = a.pass_mint.to_account_info();
    let token_program = a.token_program.to_account_info();
    let token_program_id = a.token_program.key();
    let (name, uri) = a.config.pass_metadata.for_role(role);
    let symbol = a.config.pass_metadata.symbol.clone();

    let metadata = TokenMetadata {
        update_authority: OptionalNonZeroPubkey(authority),
        mint: mint.key(),
        name: name.to_string(),
        symbol: symbol.clone(),
        uri: uri.to_string(),
        additional_metadata: vec![(METADATA_ROLE_KEY.to_string(), role.as_str().to_string())],
    };
    let base_len = ExtensionType::try_calculate_account_len::<Mint>(&PASS_MINT_EXTENSIONS)?;
    let full_len = base_len + metadata.tlv_size_of()?;
    let lamports = Rent::get()?.minimum_balance(full_len);
    create_pda_account(a, &mint, mint_seeds, lamports, base_len as u64)?;

    ext::non_transferable_mint_initialize(CpiContext::new(
        token_program_id,
        ext::NonTransferableMintInitialize { token_program_id: token_program.clone(), mint: mint.clone() },
    ))?;
    ext::metadata_pointer_initialize(
        CpiContext::new(
            token_program_id,
            ext::MetadataPointerInitialize { token_program_id: token_program.clone(), mint: mint.clone() },
        ),
        Some(authority),
        Some(mint.key()),
    )?;
    ext::permanent_delegate_initialize(
        CpiContext::new(
            token_program_id,
            ext::PermanentDelegateInitialize { token_program_id: token_program.clone(), mint: mint.clone() },
        ),
        &authority,
    )?;
    ext::mint_close_authority_initialize(
        CpiContext::new(
            token_program_id,
            ext::MintCloseAuthorityInitialize { token_program_id: token_program.clone(), mint: mint.clone() },
        ),
        Some(&authority),
    )?;
    token_2022::initialize_mint2(
        CpiContext::new(token_program_id, token_2022::InitializeMint2 { mint: mint.clone() }),
        0,
        &authority,
        None,
    )?;
    let signer: &[&[&[u8]]] = &[authority_seeds];
    ext::token_metadata_initialize(
        CpiContext::new_with_signer(
            token_program_id,
            ext::TokenMetadataInitialize {
                program_id: token_program.clone(),
                metadata: mint.clone(),
                update_authority: a.pass_authority.to_account_info(),
                mint_authority: a.pass_authority.to_account_info(),
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
            token_program_id,
            ext::TokenMetadataUpdateField {
                program_id: token_program.clone(),
                metadata: mint.clone(),
                update_authority: a.pass_authority.to_account_info(),
            },
            signer,
        ),
        Field::Key(METADATA_ROLE_KEY.to_string()),
        role.as_str().to_string(),
    )?;
    associated_token::create_idempotent(CpiContext::new(
        a.associated_token_program.key(),
        associated_token::Create {
            payer: a.payer.to_account_info(),
            associated_token: a.holder_ata.to_account_info(),
            authority: a.wallet.to_account_info(),
            mint: mint.clone(),
            system_program: a.system_program.to_account_info(),
            token_program: token_program.clone(),
        },
    ))?;
    token_2022::mint_to(
        CpiContext::new_with_signer(
            token_program_id,
            token_2022::MintTo {
                mint: mint.clone(),
                to: a.holder_ata.to_account_info(),
                authority: a.pass_authority.to_account_info(),
            },
            signer,
        ),
        1,
    )?;
    token_2022::set_authority(
        CpiContext::new_with_signer(
            token_program_id,
            token_2022::SetAuthority { current_authority: a.pass_authority.to_account_info(), account_or_mint: mint },
            signer,
        ),
        AuthorityType::MintTokens,
        None,
    )
}

/// Creates a PDA account owned by Token-2022. Anyone can send lamports to a
/// PDA's address before it exists; `create_account` would then fail forever,
/// so a pre-funded address is topped up, allocated and assigned instead.
fn create_pda_account<'info>(
    a: &Claim<'info>,
    target: &AccountInfo<'info>,
    seeds: &[&[u8]],
    lamports: u64,
    space: u64,
) -> Result<()> {
    let system_id = a.system_program.key();
    let payer = a.payer.to_account_info();
    let owner = a.token_program.key();
    let signer: &[&[&[u8]]] = &[seeds];
    let current = target.lamports();
    if current == 0 {
        let accounts = system_program::CreateAccount { from: payer, to: target.clone() };
        return system_program::create_account(
            CpiContext::new_with_signer(system_id, accounts, signer),
            lamports,
            space,
            &owner,
        );
    }
    if current < lamports {
        let accounts = system_program::Transfer { from: payer, to: target.clone() };
        system_program::transfer(CpiContext::new(system_id, accounts), lamports - current)?;
    }
    let accounts = system_program::Allocate { account_to_allocate: target.clone() };
    system_program::allocate(CpiContext::new_with_signer(system_id, accounts, signer), space)?;
    let accounts = system_program::Assign { account_to_assign: target.clone() };
    system_program::assign(CpiContext::new_with_signer(system_id, accounts, signer), &owner)
}
