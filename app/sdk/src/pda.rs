//! Program-derived addresses, from the program's own seed constants.
use crate::constants::*;
use crate::state::Role;
use solana_pubkey::Pubkey;

/// The program id.
pub fn program_id() -> Pubkey {
    pictor_vip::ID
}

fn find(seeds: &[&[u8]]) -> Pubkey {
    Pubkey::find_program_address(seeds, &program_id()).0
}

/// Anchor's event authority (`["__event_authority"]`): signs the program's
/// self-CPI that carries each event as an inner instruction.
pub fn event_authority() -> Pubkey {
    pictor_vip::EVENT_AUTHORITY_AND_BUMP.0
}

/// `["config"]`.
pub fn config() -> Pubkey {
    find(&[CONFIG_SEED])
}

/// A role's board (holder counts and rounds).
pub fn board(role: Role) -> Pubkey {
    find(&[BOARD_SEED, &role.seed()])
}

/// A member account.
pub fn member(role: Role, wallet: &Pubkey) -> Pubkey {
    find(&[MEMBER_SEED, &role.seed(), wallet.as_ref()])
}

/// A pass mint.
pub fn pass_mint(role: Role, wallet: &Pubkey) -> Pubkey {
    find(&[PASS_MINT_SEED, &role.seed(), wallet.as_ref()])
}

/// The pass authority (permanent delegate, close and metadata authority).
pub fn pass_authority() -> Pubkey {
    find(&[PASS_AUTHORITY_SEED])
}

/// The wallet's Token-2022 associated token account for its pass of `role`.
pub fn holder_ata(role: Role, wallet: &Pubkey) -> Pubkey {
    anchor_spl::associated_token::get_associated_token_address_with_program_id(
        wallet,
        &pass_mint(role, wallet),
        &anchor_spl::token_2022::ID,
    )
}

/// The reward vault of `role` (a token account PDA).
pub fn reward_vault(role: Role) -> Pubkey {
    find(&[REWARD_VAULT_SEED, &role.seed()])
}

/// The PDA that owns every reward vault.
pub fn reward_authority() -> Pubkey {
    find(&[REWARD_AUTHORITY_SEED])
}

/// A wallet's associated token account for a reward `mint` of `token_program`.
pub fn reward_destination(wallet: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    anchor_spl::associated_token::get_associated_token_address_with_program_id(wallet, mint, token_program)
}

/// The program's ProgramData account (upgradeable loader), whose upgrade
/// authority alone may initialise the config.
pub fn program_data() -> Pubkey {
    Pubkey::find_program_address(&[program_id().as_ref()], &anchor_lang::solana_program::bpf_loader_upgradeable::ID).0
}
