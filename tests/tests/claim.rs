//! `claim`, the soulbound pass, revocation, reinstatement and burn sync.
mod common;
use anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent;
use anchor_spl::token_2022::spl_token_2022::extension::{BaseStateWithExtensions, ExtensionType, StateWithExtensions};
use anchor_spl::token_2022::spl_token_2022::instruction as token_ix;
use anchor_spl::token_2022::spl_token_2022::state::{Account as TokenAccount, Mint};
use anchor_spl::token_2022_extensions::spl_token_metadata_interface::state::TokenMetadata;
use common::*;
use pictor_vip::errors::PictorError;
use pictor_vip::instructions::Report;
use pictor_vip::state::{PassStatus, Role};
use pictor_vip_sdk::transport::{SendError, Transport};
use pictor_vip_sdk::{ix, pda};
use solana_keypair::Keypair;
use solana_pubkey::Pubkey;
use solana_signer::Signer;

const TOKEN_2022: Pubkey = anchor_spl::token_2022::ID;

fn balance(f: &mut Fixture, ata: &Pubkey) -> u64 {
    let a = f.account(ata).expect("token account exists");
    StateWithExtensions::<TokenAccount>::unpack(&a.data).unwrap().base.amount
}

fn pass_keys(role: Role, wallet: &Pubkey) -> Vec<Pubkey> {
    vec![pda::member(role, wallet), pda::board(role), pda::pass_mint(role, wallet), pda::holder_ata(role, wallet)]
}

#[test]
fn creator_one_base_unit_short_cannot_claim() {
    let mut f = Fixture::new();
    let w = f.creator(7_000 * USDT, 5_000 * USDT - 1);
    let before = f.snapshot(&pass_keys(Role::Creator, &w.pubkey()));
    expect_err(f.claim(&w, Role::Creator), PictorError::NotEligible);
    assert_eq!(f.snapshot(&pass_keys(Role::Creator, &w.pubkey())), before);
}

#[test]
fn a_wallet_without_reports_cannot_claim() {
    let mut f = Fixture::new();
    let w = Keypair::new();
    expect_err(f.claim(&w, Role::Creator), PictorError::MemberNotFound);
}

#[test]
fn a_claim_signed_by_another_wallet_is_refused() {
    let mut f = Fixture::new();
    let owner = f.creator(5_000 * USDT, 5_000 * USDT);
    let thief = Keypair::new();
    // The thief signs but names the owner's member and mint: seeds bind them to the signer.
    let mut claim = ix::claim(&thief.pubkey(), &f.rt.fee_payer(), Role::Creator);
    claim.accounts[4].pubkey = pda::member(Role::Creator, &owner.pubkey());
    expect_err_named(f.send(&[claim], &[&thief]), "ConstraintSeeds");
    assert_eq!(f.member(Role::Creator, &owner.pubkey()).pass_status(), PassStatus::None);
}

#[test]
fn creator_at_exactly_5000_usdt_claims_one_soulbound_pass() {
    let mut f = Fixture::new();
    let w = f.creator(5_000 * USDT, 5_000 * USDT);
    // The wallet pays for itself here; elsewhere a sponsor pays.
    f.rt.airdrop(&w.pubkey(), 1_000_000_000).unwrap();
    f.send(&[ix::claim(&w.pubkey(), &w.pubkey(), Role::Creator)], &[&w]).unwrap();

    let ata = pda::holder_ata(Role::Creator, &w.pubkey());
    assert_eq!(balance(&mut f, &ata), 1);
    let mint_account = f.account(&pda::pass_mint(Role::Creator, &w.pubkey())).unwrap();
    assert_eq!(mint_account.owner, TOKEN_2022);
    let mint = StateWithExtensions::<Mint>::unpack(&mint_account.data).unwrap();
    assert_eq!((mint.base.supply, mint.base.decimals), (1, 0));
    assert!(mint.base.mint_authority.is_none(), "no second token can ever be minted");
    assert!(mint.base.freeze_authority.is_none());
    let types = mint.get_extension_types().unwrap();
    for e in [
        ExtensionType::NonTransferable,
        ExtensionType::MetadataPointer,
        ExtensionType::TokenMetadata,
        ExtensionType::PermanentDelegate,
        ExtensionType::MintCloseAuthority,
    ] {
        assert!(types.contains(&e), "missing {e:?} in {types:?}");
    }
    let pointer = mint
        .get_extension::<anchor_spl::token_2022::spl_token_2022::extension::metadata_pointer::MetadataPointer>()
        .unwrap();
    assert_eq!(Option::<Pubkey>::from(pointer.metadata_address), Some(pda::pass_mint(Role::Creator, &w.pubkey())));
    let delegate = mint
        .get_extension::<anchor_spl::token_2022::spl_token_2022::extension::permanent_delegate::PermanentDelegate>()
        .unwrap();
    assert_eq!(Option::<Pubkey>::from(delegate.delegate), Some(pda::pass_authority()));
    let meta = mint.get_variable_len_extension::<TokenMetadata>().unwrap();
    assert_eq!((meta.name.as_str(), meta.symbol.as_str()), ("Pictor VIP Creator", "PVIP"));
    assert_eq!(meta.uri, "https://pictor.network/vip/creator.json");
    assert_eq!(meta.additional_metadata, vec![("role".to_string(), "creator".to_string())]);

    let m = f.member(Role::Creator, &w.pubkey());
    assert_eq!((m.pass_status(), m.header().pass_serial, m.header().pass_first_round), (PassStatus::Active, 1, 1));
    let b = f.board(Role::Creator);
    assert_eq!((b.passes_issued, b.active_holders), (1, 1));

    // Soulbound: a transfer to another wallet fails and the balance stays 1.
    let other = Keypair::new();
    let mint_key = pda::pass_mint(Role::Creator, &w.pubkey());
    let payer = f.rt.fee_payer();
    f.send(&[create_associated_token_account_idempotent(&payer, &other.pubkey(), &mint_key, &TOKEN_2022)], &[])
        .unwrap();
    let dest = anchor_spl::associated_token::get_associated_token_address_with_program_id(
        &other.pubkey(),
        &mint_key,
        &TOKEN_2022,
    );
    let transfer = token_ix::transfer_checked(&TOKEN_2022, &ata, &mint_key, &dest, &w.pubkey(), &[], 1, 0).unwrap();
    match f.send(&[transfer], &[&w]) {
        Err(SendError::Program { code: Some(37), .. }) => {} // Token-2022 NonTransferable
        other => panic!("transfer of a soulbound pass must fail with Token-2022 error 37, got {other:?}"),
    }
    assert_eq!(balance(&mut f, &ata), 1);
    assert_eq!(balance(&mut f, &dest), 0);
    // Not even the holder can mint itself a second one (no mint authority).
    let mint_again = token_ix::mint_to(&TOKEN_2022, &mint_key, &ata, &pda::pass_authority(), &[], 1).unwrap();
    assert!(f.send(&[mint_again], &[]).is_err());
}

#[test]
fn claiming_twice_fails_cleanly() {
    let mut f = Fixture::new();
    let w = f.holder(5_000 * USDT);
    let before = f.snapshot(&pass_keys(Role::Creator, &w.pubkey()));
    expect_err(f.claim(&w, Role::Creator), PictorError::PassAlreadyClaimed);
    assert_eq!(f.snapshot(&pass_keys(Role::Creator, &w.pubkey())), before);
}

#[test]
fn worker_with_four_offline_days_in_a_row_cannot_claim() {
    let mut f = Fixture::new();
    let mut days = [1_440u16; 30];
    days[5..9].fill(0);
    let w = f.worker_with_days(&days);
    expect_err(f.claim(&w, Role::Worker), PictorError::NotEligible);
}

#[test]
fn worker_one_minute_short_cannot_claim_and_one_at_28800_can() {
    let mut f = Fixture::new();
    let mut days = [960u16; 30];
    days[0] = 959;
    let short = f.worker_with_days(&days);
    expect_err(f.claim(&short, Role::Worker), PictorError::NotEligible);
    // Three offline days in a row are allowed; 27 × 1,067 = 28,809 ≥ 28,800.
    let mut days = [1_067u16; 30];
    days[10..13].fill(0);
    let ok = f.worker_with_days(&days);
    f.claim(&ok, Role::Worker).unwrap();
    assert_eq!(balance(&mut f, &pda::holder_ata(Role::Worker, &ok.pubkey())), 1);
    let meta_account = f.account(&pda::pass_mint(Role::Worker, &ok.pubkey())).unwrap();
    let mint = StateWithExtensions::<Mint>::unpack(&meta_account.data).unwrap();
    let meta = mint.get_variable_len_extension::<TokenMetadata>().unwrap();
    assert_eq!(meta.additional_metadata[0].1, "worker");
}

#[test]
fn a_wallet_can_hold_both_a_creator_and_a_worker_pass() {
    let mut f = Fixture::new();
    let w = f.eligible_worker();
    f.report(&w.pubkey(), Report::Recharge { amount_base_units: 5_000 * USDT }).unwrap();
    f.report(&w.pubkey(), Report::Spend { amount_base_units: 5_000 * USDT }).unwrap();
    f.claim(&w, Role::Worker).unwrap();
    f.claim(&w, Role::Creator).unwrap();
    assert_ne!(pda::pass_mint(Role::Worker, &w.pubkey()), pda::pass_mint(Role::Creator, &w.pubkey()));
}

#[test]
fn claims_are_refused_while_paused() {
    let mut f = Fixture::new();
    let w = f.creator(5_000 * USDT, 5_000 * USDT);
    let admin = f.admin.insecure_clone();
    f.send(&[ix::set_paused(&admin.pubkey(), true)], &[&admin]).unwrap();
    let before = f.snapshot(&pass_keys(Role::Creator, &w.pubkey()));
    expect_err(f.claim(&w, Role::Creator), PictorError::Paused);
    assert_eq!(f.snapshot(&pass_keys(Role::Creator, &w.pubkey())), before);
    f.send(&[ix::set_paused(&admin.pubkey(), false)], &[&admin]).unwrap();
    f.claim(&w, Role::Creator).unwrap();
}

#[test]
fn a_prefunded_mint_address_does_not_block_the_claim() {
    let mut f = Fixture::new();
    let w = f.creator(5_000 * USDT, 5_000 * USDT);
    f.rt.airdrop(&pda::pass_mint(Role::Creator, &w.pubkey()), 1_000_000).unwrap();
    f.claim(&w, Role::Creator).unwrap();
    assert_eq!(balance(&mut f, &pda::holder_ata(Role::Creator, &w.pubkey())), 1);
}

#[test]
fn revocation_burns_the_pass_and_bars_the_member_until_reinstated() {
    let mut f = Fixture::new();
    let w = f.holder(6_000 * USDT);
    let admin = f.admin.insecure_clone();
    let mallory = Keypair::new();
    expect_err(
        f.send(&[ix::revoke(&mallory.pubkey(), Role::Creator, &w.pubkey(), &f.rt.fee_payer(), 7)], &[&mallory]),
        PictorError::NotAdmin,
    );
    f.send(&[ix::revoke(&admin.pubkey(), Role::Creator, &w.pubkey(), &f.rt.fee_payer(), 7)], &[&admin]).unwrap();
    let m = f.member(Role::Creator, &w.pubkey());
    assert_eq!((m.pass_status(), m.header().revoke_reason), (PassStatus::Revoked, 7));
    assert_eq!(f.board(Role::Creator).active_holders, 0);
    assert!(f.account(&pda::pass_mint(Role::Creator, &w.pubkey())).is_none(), "mint closed");
    assert!(f.account(&pda::holder_ata(Role::Creator, &w.pubkey())).is_none(), "token account closed");

    expect_err(
        f.send(&[ix::revoke(&admin.pubkey(), Role::Creator, &w.pubkey(), &f.rt.fee_payer(), 7)], &[&admin]),
        PictorError::AlreadyRevoked,
    );
    let before = f.snapshot(&pass_keys(Role::Creator, &w.pubkey()));
    expect_err(f.claim(&w, Role::Creator), PictorError::MemberRevoked);
    assert_eq!(f.snapshot(&pass_keys(Role::Creator, &w.pubkey())), before);
    expect_err(
        f.send(&[ix::reinstate(&mallory.pubkey(), Role::Creator, &w.pubkey())], &[&mallory]),
        PictorError::NotAdmin,
    );
    f.send(&[ix::reinstate(&admin.pubkey(), Role::Creator, &w.pubkey())], &[&admin]).unwrap();
    expect_err(
        f.send(&[ix::reinstate(&admin.pubkey(), Role::Creator, &w.pubkey())], &[&admin]),
        PictorError::MemberNotRevoked,
    );
    f.claim(&w, Role::Creator).unwrap();
    assert_eq!(balance(&mut f, &pda::holder_ata(Role::Creator, &w.pubkey())), 1);
    let m = f.member(Role::Creator, &w.pubkey());
    assert_eq!((m.pass_status(), m.header().pass_serial), (PassStatus::Active, 2));
}

#[test]
fn a_pass_the_holder_burns_stops_counting_after_sync() {
    let mut f = Fixture::new();
    let w = f.holder(5_000 * USDT);
    let ata = pda::holder_ata(Role::Creator, &w.pubkey());
    expect_err(
        f.send(&[ix::sync_pass(Role::Creator, &w.pubkey(), &f.rt.fee_payer())], &[]),
        PictorError::PassStillHeld,
    );
    f.burn_pass(Role::Creator, &w);
    // Anyone may sync.
    f.send(&[ix::sync_pass(Role::Creator, &w.pubkey(), &f.rt.fee_payer())], &[]).unwrap();
    assert_eq!(f.member(Role::Creator, &w.pubkey()).pass_status(), PassStatus::Burned);
    assert_eq!(f.board(Role::Creator).active_holders, 0);
    expect_err(f.send(&[ix::sync_pass(Role::Creator, &w.pubkey(), &f.rt.fee_payer())], &[]), PictorError::NoActivePass);
    // Still eligible: may claim a new pass.
    f.claim(&w, Role::Creator).unwrap();
    assert_eq!(balance(&mut f, &ata), 1);
}
