//! The oracle quorum (SPEC §6): a report applies only when
//! `rules.oracle_quorum` distinct configured oracle keys sign its
//! transaction, so one leaked key cannot make anyone a VIP. Each refusal has
//! its own error and changes nothing; the admin sets the quorum within
//! bounds.
mod common;
use common::*;
use pictor_vip::errors::PictorError;
use pictor_vip::instructions::Report;
use pictor_vip::state::{Role, Rules};
use pictor_vip_sdk::transport::SendError;
use pictor_vip_sdk::{ix, pda};
use solana_instruction::AccountMeta;
use solana_keypair::Keypair;
use solana_pubkey::Pubkey;
use solana_signer::Signer;

/// A deployment with three oracle keys (the fixture's first) and quorum `q`.
fn with_quorum(q: u8) -> (Fixture, Vec<Keypair>) {
    let mut f = Fixture::new();
    let admin = f.admin.insecure_clone();
    let mut oracles = vec![f.oracle.insecure_clone()];
    for _ in 0..2 {
        let k = Keypair::new();
        f.rt.airdrop(&k.pubkey(), 1_000_000_000).unwrap();
        f.send(&[ix::add_oracle(&admin.pubkey(), k.pubkey())], &[&admin]).unwrap();
        oracles.push(k);
    }
    let rules = Rules { oracle_quorum: q, ..Rules::default() };
    f.send(&[ix::update_config(&admin.pubkey(), Some(rules), None)], &[&admin]).unwrap();
    (f, oracles)
}

fn spend(f: &mut Fixture, signers: &[&Keypair], wallet: &Pubkey, seq: u64) -> Result<(), SendError> {
    let keys: Vec<Pubkey> = signers.iter().map(|k| k.pubkey()).collect();
    let now = f.now();
    let recharge = ix::report_signed(&keys, wallet, seq, now, Report::Recharge { amount_base_units: 6_000 * USDT });
    let spend = ix::report_signed(&keys, wallet, seq + 1, now, Report::Spend { amount_base_units: 6_000 * USDT });
    f.send(&[recharge, spend], signers)
}

#[test]
fn one_leaked_oracle_key_cannot_make_anyone_a_vip_at_quorum_two() {
    let (mut f, oracles) = with_quorum(2);
    let thief = Keypair::new();
    expect_err(spend(&mut f, &[&oracles[0]], &thief.pubkey(), 1), PictorError::OracleQuorumNotMet);
    assert!(f.account(&pda::member(Role::Creator, &thief.pubkey())).is_none(), "nothing created");
    expect_err(f.claim(&thief, Role::Creator), PictorError::MemberNotFound);
    // Positive control: two oracles together report, and the wallet may claim.
    spend(&mut f, &[&oracles[0], &oracles[2]], &thief.pubkey(), 1).unwrap();
    f.claim(&thief, Role::Creator).unwrap();
}

#[test]
fn an_oracle_named_twice_counts_once_and_is_refused() {
    let (mut f, oracles) = with_quorum(2);
    let w = Pubkey::new_unique();
    expect_err(spend(&mut f, &[&oracles[1], &oracles[1]], &w, 1), PictorError::DuplicateOracleSigner);
    // The primary named again among the co-signers, too.
    let mut ixn = ix::report_signed(&[oracles[0].pubkey()], &w, 1, f.now(), Report::Frames { frames: 1 });
    ixn.accounts.push(AccountMeta::new_readonly(oracles[0].pubkey(), true));
    expect_err(f.send(&[ixn], &[&oracles[0]]), PictorError::DuplicateOracleSigner);
    assert!(f.account(&pda::member(Role::Creator, &w)).is_none());
}

#[test]
fn a_signer_that_is_not_an_oracle_is_refused_even_beside_enough_oracles() {
    let (mut f, oracles) = with_quorum(2);
    let stranger = Keypair::new();
    let w = Pubkey::new_unique();
    expect_err(spend(&mut f, &[&oracles[0], &stranger], &w, 1), PictorError::NotOracle);
    expect_err(spend(&mut f, &[&oracles[0], &oracles[1], &stranger], &w, 1), PictorError::NotOracle);
    // As the first signer, the account constraint refuses it.
    expect_err(spend(&mut f, &[&stranger, &oracles[0]], &w, 1), PictorError::NotOracle);
    assert!(f.account(&pda::member(Role::Creator, &w)).is_none());
    spend(&mut f, &[&oracles[0], &oracles[1], &oracles[2]], &w, 1).unwrap();
}

#[test]
fn an_oracle_named_without_its_signature_is_refused() {
    let (mut f, oracles) = with_quorum(2);
    let w = Pubkey::new_unique();
    let mut ixn = ix::report_signed(&[oracles[0].pubkey()], &w, 1, f.now(), Report::Frames { frames: 1 });
    ixn.accounts.push(AccountMeta::new_readonly(oracles[1].pubkey(), false));
    expect_err(f.send(&[ixn], &[&oracles[0]]), PictorError::OracleSignatureMissing);
    assert!(f.account(&pda::member(Role::Creator, &w)).is_none());
}

#[test]
fn a_refused_report_changes_nothing_of_a_member_that_exists() {
    let (mut f, oracles) = with_quorum(3);
    let w = Pubkey::new_unique();
    spend(&mut f, &[&oracles[0], &oracles[1], &oracles[2]], &w, 1).unwrap();
    let before = f.snapshot(&[pda::member(Role::Creator, &w)]);
    expect_err(spend(&mut f, &[&oracles[0], &oracles[1]], &w, 3), PictorError::OracleQuorumNotMet);
    assert_eq!(f.snapshot(&[pda::member(Role::Creator, &w)]), before);
}

#[test]
fn the_quorum_stays_within_one_and_the_oracle_keys() {
    let (mut f, oracles) = with_quorum(3);
    let admin = f.admin.insecure_clone();
    let rules = |q| Some(Rules { oracle_quorum: q, ..Rules::default() });
    let config = pda::config();
    let before = f.snapshot(&[config]);
    expect_err(
        f.send(&[ix::update_config(&admin.pubkey(), rules(0), None)], &[&admin]),
        PictorError::OracleQuorumOutOfRange,
    );
    expect_err(
        f.send(&[ix::update_config(&admin.pubkey(), rules(9), None)], &[&admin]),
        PictorError::OracleQuorumOutOfRange,
    );
    expect_err(
        f.send(&[ix::update_config(&admin.pubkey(), rules(4), None)], &[&admin]),
        PictorError::OracleQuorumExceedsOracles,
    );
    // With 3 keys and a quorum of 3, none may go.
    expect_err(
        f.send(&[ix::remove_oracle(&admin.pubkey(), oracles[2].pubkey())], &[&admin]),
        PictorError::OracleQuorumExceedsOracles,
    );
    assert_eq!(f.snapshot(&[config]), before);
    // Lowered to 2, one may go; only the admin changes it.
    let mallory = Keypair::new();
    expect_err(f.send(&[ix::update_config(&mallory.pubkey(), rules(2), None)], &[&mallory]), PictorError::NotAdmin);
    f.send(&[ix::update_config(&admin.pubkey(), rules(2), None)], &[&admin]).unwrap();
    f.send(&[ix::remove_oracle(&admin.pubkey(), oracles[2].pubkey())], &[&admin]).unwrap();
    assert_eq!((f.config().rules.oracle_quorum, f.config().oracles.len()), (2, 2));
    // A removed key no longer counts towards the quorum.
    let w = Pubkey::new_unique();
    expect_err(spend(&mut f, &[&oracles[0], &oracles[2]], &w, 1), PictorError::NotOracle);
    spend(&mut f, &[&oracles[0], &oracles[1]], &w, 1).unwrap();
}

#[test]
fn initialising_needs_as_many_oracle_keys_as_the_quorum() {
    let mut f = Fixture::uninitialised();
    let admin = f.admin.insecure_clone();
    let args = f.init_args(Rules { oracle_quorum: 2, ..Rules::default() }, pass_metadata());
    expect_err(f.send(&[ix::initialize(&admin.pubkey(), args)], &[&admin]), PictorError::OracleQuorumExceedsOracles);
    assert!(f.account(&pda::config()).is_none());
}
