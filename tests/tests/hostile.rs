//! A hostile public: lamports planted at addresses before their accounts
//! exist, sponsors farmed for rent, holders closing what is not theirs,
//! sequence number 0, a second `initialize`.
mod common;
use anchor_spl::token_2022::spl_token_2022::instruction as token_ix;
use common::*;
use pictor_vip::errors::PictorError;
use pictor_vip::instructions::Report;
use pictor_vip::state::{member_space, PassStatus, Role, Rules};
use pictor_vip_sdk::{ix, pda};
use solana_keypair::Keypair;
use solana_pubkey::Pubkey;
use solana_signer::Signer;

/// More than the rent-exempt minimum of an empty account (890,880 lamports):
/// enough to make a plain `create_account` fail.
const PLANTED: u64 = 1_000_000;

#[test]
fn lamports_planted_at_the_config_and_board_addresses_do_not_block_initialisation() {
    let mut f = Fixture::uninitialised();
    for key in [pda::config(), pda::board(Role::Creator), pda::board(Role::Worker)] {
        f.rt.airdrop(&key, PLANTED).unwrap();
    }
    let admin = f.admin.insecure_clone();
    f.send(&[ix::initialize(&admin.pubkey(), f.init_args(Rules::default(), pass_metadata()))], &[&admin]).unwrap();
    assert_eq!(f.config().admin, admin.pubkey());
    assert_eq!(f.board(Role::Worker).next_round, 1);
    for key in [pda::config(), pda::board(Role::Creator), pda::board(Role::Worker)] {
        let a = f.account(&key).unwrap();
        assert_eq!(a.owner, pda::program_id());
        let rent = f.rt.rent_exempt_minimum(a.data.len()).unwrap();
        assert_eq!(a.lamports, rent.max(PLANTED), "planted lamports stay and count towards the rent");
    }
    // The deployment works on from there.
    let w = f.creator(5_000 * USDT, 5_000 * USDT);
    f.claim(&w, Role::Creator).unwrap();
}

#[test]
fn a_second_initialisation_is_refused_and_changes_nothing() {
    let mut f = Fixture::new();
    let admin = f.admin.insecure_clone();
    let keys = [pda::config(), pda::board(Role::Creator), pda::board(Role::Worker)];
    let before = f.snapshot(&keys);
    expect_err(
        f.send(&[ix::initialize(&admin.pubkey(), f.init_args(Rules::default(), pass_metadata()))], &[&admin]),
        PictorError::AlreadyInitialized,
    );
    assert_eq!(f.snapshot(&keys), before);
}

#[test]
fn lamports_planted_at_a_member_address_do_not_block_its_first_report() {
    let mut f = Fixture::new();
    for role in Role::ALL {
        let w = Pubkey::new_unique();
        f.rt.airdrop(&pda::member(role, &w), PLANTED).unwrap();
        let report = match role {
            Role::Creator => Report::Recharge { amount_base_units: 7 * USDT },
            Role::Worker => Report::Gpu { model: "RTX 4090".into(), vram_gb: 24, hashpower: 1 },
        };
        f.report(&w, report).unwrap();
        let a = f.account(&pda::member(role, &w)).unwrap();
        assert_eq!((a.owner, a.data.len()), (pda::program_id(), member_space(role)));
        assert_eq!(f.member(role, &w).header().last_seq, 1);
    }
}

#[test]
fn sequence_number_zero_has_its_own_error_and_creates_nothing() {
    let mut f = Fixture::new();
    let w = Pubkey::new_unique();
    expect_err(f.report_seq(&w, 0, Report::Frames { frames: 1 }), PictorError::SequenceZero);
    assert!(f.account(&pda::member(Role::Creator, &w)).is_none());
    f.report_seq(&w, 1, Report::Frames { frames: 1 }).unwrap();
    let before = f.snapshot(&[pda::member(Role::Creator, &w)]);
    expect_err(f.report_seq(&w, 0, Report::Frames { frames: 1 }), PictorError::SequenceZero);
    assert_eq!(f.snapshot(&[pda::member(Role::Creator, &w)]), before);
}

/// A wallet whose claims a sponsor pays.
fn sponsored(f: &mut Fixture) -> (Keypair, Keypair) {
    let wallet = f.creator(5_000 * USDT, 5_000 * USDT);
    let sponsor = Keypair::new();
    f.rt.airdrop(&sponsor.pubkey(), 1_000_000_000).unwrap();
    (wallet, sponsor)
}

fn sponsored_claim(f: &mut Fixture, wallet: &Keypair, sponsor: &Keypair) {
    f.send(&[ix::claim(&wallet.pubkey(), &sponsor.pubkey(), Role::Creator)], &[wallet, sponsor]).unwrap();
}

fn lamports(f: &mut Fixture, key: &Pubkey) -> u64 {
    f.account(key).map_or(0, |a| a.lamports)
}

#[test]
fn a_wallet_cannot_farm_its_sponsors_rent_by_claiming_burning_and_syncing() {
    let mut f = Fixture::new();
    let (wallet, sponsor) = sponsored(&mut f);
    let start = lamports(&mut f, &sponsor.pubkey());
    for round in 0..3 {
        sponsored_claim(&mut f, &wallet, &sponsor);
        let mint = pda::pass_mint(Role::Creator, &wallet.pubkey());
        let ata = pda::holder_ata(Role::Creator, &wallet.pubkey());
        let locked = lamports(&mut f, &mint) + lamports(&mut f, &ata);
        assert_eq!(lamports(&mut f, &sponsor.pubkey()), start - locked, "claim {round}: the sponsor paid the rent");
        f.burn_pass(Role::Creator, &wallet);
        // The holder cannot close its token account to take the rent.
        let close = token_ix::close_account(&anchor_spl::token_2022::ID, &ata, &wallet.pubkey(), &wallet.pubkey(), &[])
            .unwrap();
        assert!(f.send(&[close], &[&wallet]).is_err(), "only the pass authority may close the pass account");
        let wallet_before = lamports(&mut f, &wallet.pubkey());
        f.send(&[ix::sync_pass(Role::Creator, &wallet.pubkey(), &sponsor.pubkey())], &[]).unwrap();
        assert_eq!(lamports(&mut f, &sponsor.pubkey()), start, "sync {round}: every lamport back to the sponsor");
        assert_eq!(lamports(&mut f, &wallet.pubkey()), wallet_before, "the wallet keeps nothing");
        assert!(f.account(&mint).is_none() && f.account(&ata).is_none());
    }
}

#[test]
fn revocation_returns_the_rent_to_the_payer_and_only_to_it() {
    let mut f = Fixture::new();
    let (wallet, sponsor) = sponsored(&mut f);
    let start = lamports(&mut f, &sponsor.pubkey());
    sponsored_claim(&mut f, &wallet, &sponsor);
    let admin = f.admin.insecure_clone();
    let thief = Pubkey::new_unique();
    let keys = vec![pda::member(Role::Creator, &wallet.pubkey()), pda::pass_mint(Role::Creator, &wallet.pubkey())];
    let before = f.snapshot(&keys);
    expect_err(
        f.send(&[ix::revoke(&admin.pubkey(), Role::Creator, &wallet.pubkey(), &thief, 4)], &[&admin]),
        PictorError::RentPayerMismatch,
    );
    assert_eq!(f.snapshot(&keys), before);
    f.send(&[ix::revoke(&admin.pubkey(), Role::Creator, &wallet.pubkey(), &sponsor.pubkey(), 4)], &[&admin]).unwrap();
    assert_eq!(lamports(&mut f, &sponsor.pubkey()), start);
    assert_eq!(lamports(&mut f, &thief), 0);
    let m = f.member(Role::Creator, &wallet.pubkey());
    assert_eq!((m.pass_status(), m.header().pass_rent_payer), (PassStatus::Revoked, Pubkey::default()));
}

#[test]
fn a_sync_naming_another_rent_recipient_is_refused() {
    let mut f = Fixture::new();
    let (wallet, sponsor) = sponsored(&mut f);
    sponsored_claim(&mut f, &wallet, &sponsor);
    f.burn_pass(Role::Creator, &wallet);
    expect_err(
        f.send(&[ix::sync_pass(Role::Creator, &wallet.pubkey(), &wallet.pubkey())], &[]),
        PictorError::RentPayerMismatch,
    );
    assert_eq!(f.member(Role::Creator, &wallet.pubkey()).pass_status(), PassStatus::Active);
}

#[test]
fn a_member_address_owned_by_another_program_is_refused_as_not_creatable() {
    let mut f = Fixture::new();
    let w = Pubkey::new_unique();
    let key = pda::member(Role::Creator, &w);
    // No transaction can do this to a PDA of this program; the refusal is checked anyway.
    let foreign = solana_account::Account {
        lamports: 2_000_000,
        data: vec![0; 165],
        owner: anchor_spl::token_2022::ID,
        executable: false,
        rent_epoch: 0,
    };
    f.rt.set_account(&key, foreign);
    let before = f.snapshot(&[key]);
    expect_err(f.report(&w, Report::Frames { frames: 1 }), PictorError::AccountNotCreatable);
    assert_eq!(f.snapshot(&[key]), before);
    // Positive control: a system-owned address with lamports planted is created.
    let other = Pubkey::new_unique();
    f.rt.airdrop(&pda::member(Role::Creator, &other), PLANTED).unwrap();
    f.report(&other, Report::Frames { frames: 1 }).unwrap();
}
