//! No holder can veto what the admin or anyone does to its pass (SPEC §3):
//! revocation and the sync of a burned pass succeed whatever the holder did
//! to its own token account: its CPI guard on, other extensions it can turn
//! on (required transfer memos), a frozen account, a closed account, a zero
//! balance. Each refusal the holder might hope for is tried, with a
//! positive control beside it.
mod common;
use anchor_spl::token_2022::spl_token_2022::extension::cpi_guard::instruction as guard_ix;
use anchor_spl::token_2022::spl_token_2022::extension::memo_transfer::instruction as memo_ix;
use anchor_spl::token_2022::spl_token_2022::extension::{ExtensionType, StateWithExtensions, StateWithExtensionsMut};
use anchor_spl::token_2022::spl_token_2022::instruction as token_ix;
use anchor_spl::token_2022::spl_token_2022::state::{Account as TokenAccount, AccountState, Mint};
use common::*;
use pictor_vip::errors::PictorError;
use pictor_vip::instructions::Report;
use pictor_vip::state::{PassStatus, Role};
use pictor_vip_sdk::transport::Transport;
use pictor_vip_sdk::{crank, ix, pda};
use solana_keypair::Keypair;
use solana_pubkey::Pubkey;
use solana_signer::Signer;

/// A creator holder whose claim `sponsor` paid (or the wallet itself).
fn holder_paid_by(f: &mut Fixture, sponsor: Option<&Keypair>) -> Keypair {
    let w = f.creator(5_000 * USDT, 5_000 * USDT);
    f.rt.airdrop(&w.pubkey(), 1_000_000_000).unwrap();
    let (payer, signers): (Pubkey, Vec<&Keypair>) = match sponsor {
        Some(s) => (s.pubkey(), vec![&w, s]),
        None => (w.pubkey(), vec![&w]),
    };
    f.send(&ix::claim_instructions(&w.pubkey(), &payer, Role::Creator), &signers).unwrap();
    w
}

fn sponsor(f: &mut Fixture) -> Keypair {
    let s = Keypair::new();
    f.rt.airdrop(&s.pubkey(), 1_000_000_000).unwrap();
    s
}

/// The holder turns on its token account's CPI guard: two ordinary
/// instructions, its own signature and a few thousand lamports.
fn enable_cpi_guard(f: &mut Fixture, holder: &Keypair) {
    let ata = pda::holder_ata(Role::Creator, &holder.pubkey());
    let t22 = anchor_spl::token_2022::ID;
    let grow =
        token_ix::reallocate(&t22, &ata, &holder.pubkey(), &holder.pubkey(), &[], &[ExtensionType::CpiGuard]).unwrap();
    let guard = guard_ix::enable_cpi_guard(&t22, &ata, &holder.pubkey(), &[]).unwrap();
    f.send(&[grow, guard], &[holder]).unwrap();
}

fn revoke(f: &mut Fixture, w: &Pubkey, rent_payer: &Pubkey) -> Result<(), pictor_vip_sdk::transport::SendError> {
    let admin = f.admin.insecure_clone();
    f.send(&[ix::revoke(&admin.pubkey(), Role::Creator, w, rent_payer, 9)], &[&admin])
}

fn sync(f: &mut Fixture, w: &Pubkey, rent_payer: &Pubkey) -> Result<(), pictor_vip_sdk::transport::SendError> {
    f.send(&[ix::sync_pass(Role::Creator, w, rent_payer)], &[])
}

fn lamports(f: &mut Fixture, key: &Pubkey) -> u64 {
    f.account(key).map_or(0, |a| a.lamports)
}

fn supply(f: &mut Fixture, w: &Pubkey) -> Option<u64> {
    f.account(&pda::pass_mint(Role::Creator, w))
        .map(|a| StateWithExtensions::<Mint>::unpack(&a.data).unwrap().base.supply)
}

fn holder_account(f: &mut Fixture, w: &Pubkey) -> Option<TokenAccount> {
    f.account(&pda::holder_ata(Role::Creator, w))
        .map(|a| StateWithExtensions::<TokenAccount>::unpack(&a.data).unwrap().base)
}

/// The member is out: revoked (or burned), no holder counted, nobody's rank.
#[track_caller]
fn assert_out(f: &mut Fixture, w: &Pubkey, status: PassStatus) {
    let m = f.member(Role::Creator, w);
    assert_eq!(m.pass_status(), status);
    assert_eq!(f.board(Role::Creator).active_holders, 0);
}

#[test]
fn a_holders_cpi_guard_cannot_block_its_revocation_and_the_accounts_rent_stays_locked() {
    let mut f = Fixture::new();
    let sponsor = sponsor(&mut f);
    let w = holder_paid_by(&mut f, Some(&sponsor));
    // The guard alone is no proof: the close a CPI would do is what it refuses.
    enable_cpi_guard(&mut f, &w);
    let ata = pda::holder_ata(Role::Creator, &w.pubkey());
    // The holder cannot close its account itself either: the pass authority is its close authority.
    let own_close = token_ix::close_account(&anchor_spl::token_2022::ID, &ata, &w.pubkey(), &w.pubkey(), &[]).unwrap();
    assert!(f.send(&[own_close], &[&w]).is_err());

    let sponsor_before = lamports(&mut f, &sponsor.pubkey());
    let mint_rent = lamports(&mut f, &pda::pass_mint(Role::Creator, &w.pubkey()));
    revoke(&mut f, &w.pubkey(), &sponsor.pubkey()).unwrap();
    assert_out(&mut f, &w.pubkey(), PassStatus::Revoked);
    assert_eq!(supply(&mut f, &w.pubkey()), None, "the token burned and the mint closed");
    // The guard kept the token account open: empty, its close authority still
    // the pass authority, so neither the holder nor anyone else takes its rent.
    let left = holder_account(&mut f, &w.pubkey()).expect("the guarded account stays");
    assert_eq!(left.amount, 0);
    assert_eq!(left.close_authority, Some(pda::pass_authority()).into());
    assert_eq!(lamports(&mut f, &sponsor.pubkey()), sponsor_before + mint_rent, "the mint's rent went to its payer");
}

#[test]
fn a_self_paid_holder_with_its_cpi_guard_on_is_revoked_and_both_accounts_close() {
    let mut f = Fixture::new();
    let w = holder_paid_by(&mut f, None);
    enable_cpi_guard(&mut f, &w);
    revoke(&mut f, &w.pubkey(), &w.pubkey()).unwrap();
    assert_out(&mut f, &w.pubkey(), PassStatus::Revoked);
    // The guard allows a close to the owner, who paid.
    assert!(holder_account(&mut f, &w.pubkey()).is_none());
    assert_eq!(supply(&mut f, &w.pubkey()), None);
}

#[test]
fn a_guarded_holder_revoked_mid_round_gets_no_priority_no_rank_and_no_reward() {
    let mut f = Fixture::new();
    let r = reward_mint(&mut f, TOKEN_2022);
    let sponsor = sponsor(&mut f);
    // The cheat ranks first (most frames) and would take the whole funding with K = 1.
    let cheat = holder_paid_by(&mut f, Some(&sponsor));
    f.report(&cheat.pubkey(), Report::Frames { frames: 1_000 }).unwrap();
    let honest = creators(&mut f, &[10]);
    let admin = f.admin.insecure_clone();
    f.send(&[ix::fund_rewards(&admin.pubkey(), Role::Creator, &r.mint, &r.program, &r.funder, 9 * USDT, 1)], &[&admin])
        .unwrap();
    enable_cpi_guard(&mut f, &cheat);
    let crank_kp = f.crank.insecure_clone();
    f.send(&[ix::open_round(&crank_kp.pubkey(), Role::Creator, 1)], &[&crank_kp]).unwrap();
    f.send(
        &[ix::rank_batch(&crank_kp.pubkey(), Role::Creator, 1, &[pda::member(Role::Creator, &cheat.pubkey())])],
        &[&crank_kp],
    )
    .unwrap();
    revoke(&mut f, &cheat.pubkey(), &sponsor.pubkey()).unwrap();
    // The round still finalises, with the honest member, and the cheat's
    // tentative credit went back into the round's carry.
    let out =
        crank::run_round(&mut f.rt, &crank_kp, Role::Creator, crank::RoundOptions::default(), &mut |_, _| {}).unwrap();
    assert_eq!(out.round, 1);
    let board = f.board(Role::Creator);
    assert!(f.member(Role::Creator, &cheat.pubkey()).rank_in(1).is_none(), "nobody's rank");
    assert_eq!(board.finalised.as_ref().unwrap().reward.credited_base_units, 0);
    assert_eq!(board.rewards.carry_base_units, 9 * USDT);
    let payer = f.rt.fee_payer();
    expect_err(
        f.send(&[ix::withdraw_rewards(&cheat.pubkey(), &payer, Role::Creator, &r.mint, &r.program)], &[&cheat]),
        PictorError::NothingToWithdraw,
    );
    // Positive control: the honest member is ranked; the next round pays it.
    assert_eq!(f.member(Role::Creator, &honest[0].pubkey()).rank_in(1).map(|e| e.rank), Some(2));
}

#[test]
fn a_holders_cpi_guard_cannot_block_the_sync_of_its_burned_pass_nor_a_round() {
    let mut f = Fixture::new();
    let sponsor = sponsor(&mut f);
    let w = holder_paid_by(&mut f, Some(&sponsor));
    let other = creators(&mut f, &[1]);
    enable_cpi_guard(&mut f, &w);
    // A burn outside any CPI is the owner's right, guard or not.
    f.burn_pass(Role::Creator, &w);
    // The crank syncs it before its round, and the round runs.
    let crank_kp = f.crank.insecure_clone();
    let out =
        crank::run_round(&mut f.rt, &crank_kp, Role::Creator, crank::RoundOptions::default(), &mut |_, _| {}).unwrap();
    assert_eq!((out.synced, out.sync_failures.len(), out.members), (1, 0, 1));
    assert_out_of(&mut f, &w.pubkey(), PassStatus::Burned);
    assert_eq!(f.member(Role::Creator, &other[0].pubkey()).rank_in(out.round).map(|e| e.rank), Some(1));
    // Synced once: a second sync has nothing to do.
    expect_err(sync(&mut f, &w.pubkey(), &sponsor.pubkey()), PictorError::NoActivePass);
}

#[track_caller]
fn assert_out_of(f: &mut Fixture, w: &Pubkey, status: PassStatus) {
    assert_eq!(f.member(Role::Creator, w).pass_status(), status);
    assert_eq!(supply(f, w), None);
}

#[test]
fn required_transfer_memos_on_the_holders_account_block_nothing() {
    let mut f = Fixture::new();
    let sponsor = sponsor(&mut f);
    let w = holder_paid_by(&mut f, Some(&sponsor));
    let ata = pda::holder_ata(Role::Creator, &w.pubkey());
    let t22 = anchor_spl::token_2022::ID;
    let grow = token_ix::reallocate(&t22, &ata, &w.pubkey(), &w.pubkey(), &[], &[ExtensionType::MemoTransfer]).unwrap();
    let memo = memo_ix::enable_required_transfer_memos(&t22, &ata, &w.pubkey(), &[]).unwrap();
    f.send(&[grow, memo], &[&w]).unwrap();
    revoke(&mut f, &w.pubkey(), &sponsor.pubkey()).unwrap();
    assert_out(&mut f, &w.pubkey(), PassStatus::Revoked);
    assert!(holder_account(&mut f, &w.pubkey()).is_none(), "closed, rent to the sponsor");
}

#[test]
fn a_holder_cannot_freeze_its_pass_and_a_frozen_account_would_not_block_revocation() {
    let mut f = Fixture::new();
    let w = holder_paid_by(&mut f, None);
    let ata = pda::holder_ata(Role::Creator, &w.pubkey());
    let mint = pda::pass_mint(Role::Creator, &w.pubkey());
    let t22 = anchor_spl::token_2022::ID;
    // The pass has no freeze authority: nobody can freeze it.
    let freeze = token_ix::freeze_account(&t22, &ata, &mint, &w.pubkey(), &[]).unwrap();
    assert!(f.send(&[freeze], &[&w]).is_err());
    // Even a frozen account (forced here; no transaction can make one) does not block the revocation.
    let mut account = f.account(&ata).unwrap();
    {
        let mut state = StateWithExtensionsMut::<TokenAccount>::unpack(&mut account.data).unwrap();
        state.base.state = AccountState::Frozen;
        state.pack_base();
    }
    f.rt.set_account(&ata, account);
    revoke(&mut f, &w.pubkey(), &w.pubkey()).unwrap();
    assert_out(&mut f, &w.pubkey(), PassStatus::Revoked);
    assert_eq!(supply(&mut f, &w.pubkey()), Some(1), "a frozen token cannot be burned: the mint stays");
}

#[test]
fn a_closed_or_empty_holder_account_cannot_block_revocation_or_sync() {
    // A zero balance: the holder burned, then the admin revokes before anyone synced.
    let mut f = Fixture::new();
    let w = holder_paid_by(&mut f, None);
    f.burn_pass(Role::Creator, &w);
    revoke(&mut f, &w.pubkey(), &w.pubkey()).unwrap();
    assert_out(&mut f, &w.pubkey(), PassStatus::Revoked);
    assert!(holder_account(&mut f, &w.pubkey()).is_none() && supply(&mut f, &w.pubkey()).is_none());

    // A closed account (forced here: the holder cannot close it): revoke and sync still go through.
    for revoked in [true, false] {
        let mut f = Fixture::new();
        let w = holder_paid_by(&mut f, None);
        if !revoked {
            f.burn_pass(Role::Creator, &w);
        }
        f.rt.set_account(&pda::holder_ata(Role::Creator, &w.pubkey()), solana_account::Account::default());
        if revoked {
            revoke(&mut f, &w.pubkey(), &w.pubkey()).unwrap();
            assert_out(&mut f, &w.pubkey(), PassStatus::Revoked);
        } else {
            sync(&mut f, &w.pubkey(), &w.pubkey()).unwrap();
            assert_out(&mut f, &w.pubkey(), PassStatus::Burned);
            assert_eq!(supply(&mut f, &w.pubkey()), None);
        }
    }
}

#[test]
fn a_wallet_whose_guarded_account_stayed_open_claims_again_into_it() {
    let mut f = Fixture::new();
    let sponsor = sponsor(&mut f);
    let w = holder_paid_by(&mut f, Some(&sponsor));
    enable_cpi_guard(&mut f, &w);
    revoke(&mut f, &w.pubkey(), &sponsor.pubkey()).unwrap();
    let admin = f.admin.insecure_clone();
    f.send(&[ix::reinstate(&admin.pubkey(), Role::Creator, &w.pubkey())], &[&admin]).unwrap();
    // The old account (its close authority the pass authority) takes the new pass.
    f.send(&ix::claim_instructions(&w.pubkey(), &w.pubkey(), Role::Creator), &[&w]).unwrap();
    assert_eq!(holder_account(&mut f, &w.pubkey()).unwrap().amount, 1);
    assert_eq!(supply(&mut f, &w.pubkey()), Some(1));
    assert_eq!(f.member(Role::Creator, &w.pubkey()).pass_status(), PassStatus::Active);
}

#[test]
fn the_revocation_still_refuses_another_rent_recipient_with_the_guard_on() {
    let mut f = Fixture::new();
    let sponsor = sponsor(&mut f);
    let w = holder_paid_by(&mut f, Some(&sponsor));
    enable_cpi_guard(&mut f, &w);
    let keys = [pda::member(Role::Creator, &w.pubkey()), pda::pass_mint(Role::Creator, &w.pubkey())];
    let before = f.snapshot(&keys);
    // The holder would like its own wallet to get the rent back.
    expect_err(revoke(&mut f, &w.pubkey(), &w.pubkey()), PictorError::RentPayerMismatch);
    assert_eq!(f.snapshot(&keys), before, "a refused revocation changes nothing");
    revoke(&mut f, &w.pubkey(), &sponsor.pubkey()).unwrap();
}
