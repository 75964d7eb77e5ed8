//! The SDK's Profile: eligibility progress, score now, rank and priority.
mod common;
use common::*;
use pictor_vip::state::{PassStatus, Role};
use pictor_vip_sdk::crank;
use pictor_vip_sdk::profile::{leaderboard, role_status, wallet_profile};
use pictor_vip_sdk::transport::Transport;
use solana_keypair::Keypair;
use solana_signer::Signer;

#[test]
fn a_wallet_without_reports_has_no_profile() {
    let mut f = Fixture::new();
    let stranger = Keypair::new().pubkey();
    assert!(role_status(&mut f.rt, Role::Creator, &stranger).unwrap().is_none());
    let p = wallet_profile(&mut f.rt, &stranger).unwrap();
    assert!(p.creator.is_none() && p.worker.is_none());
}

#[test]
fn a_wallet_profile_is_both_role_statuses_at_one_clock() {
    let mut f = Fixture::new();
    let w = f.creator(4_000 * USDT, 3_200 * USDT);
    let p = wallet_profile(&mut f.rt, &w.pubkey()).unwrap();
    assert_eq!(p.creator, role_status(&mut f.rt, Role::Creator, &w.pubkey()).unwrap());
    assert_eq!(p.creator.unwrap().progress.to_string(), "3,200.00 / 5,000.00 USDT spent");
    assert!(p.worker.is_none(), "no worker reports for this wallet");
    assert_eq!(p.config.rules.creator_min_spent_base_units, 5_000 * USDT);
    assert_eq!(p.now, f.now());
}

#[test]
fn creator_profile_shows_progress_then_score_rank_and_priority() {
    let mut f = Fixture::new();
    let w = f.creator(4_000 * USDT, 3_200 * USDT);
    let s = role_status(&mut f.rt, Role::Creator, &w.pubkey()).unwrap().unwrap();
    assert_eq!(s.progress.to_string(), "3,200.00 / 5,000.00 USDT spent");
    assert!(!s.progress.eligible());
    assert_eq!((s.pass, s.score_now, s.rank), (PassStatus::None, None, None));

    f.report(&w.pubkey(), pictor_vip::instructions::Report::Recharge { amount_base_units: 2_000 * USDT }).unwrap();
    f.report(&w.pubkey(), pictor_vip::instructions::Report::Spend { amount_base_units: 1_800 * USDT }).unwrap();
    f.claim(&w, Role::Creator).unwrap();
    let other = f.holder(5_000 * USDT);
    let crank_kp = f.crank.insecure_clone();
    crank::run_round(&mut f.rt, &crank_kp, Role::Creator, crank::RoundOptions::default(), &mut |_, _| {}).unwrap();

    let s = role_status(&mut f.rt, Role::Creator, &w.pubkey()).unwrap().unwrap();
    assert_eq!(s.progress.to_string(), "5,000.00 / 5,000.00 USDT spent");
    // 6,000 USDT recharged this month + 0 frames + 100.
    assert_eq!((s.pass, s.score_now), (PassStatus::Active, Some(6_100)));
    let e = s.rank.unwrap();
    assert_eq!((e.rank, e.score, e.priority), (1, 6_100, true));
    assert_eq!(s.finalised_round.unwrap().members, 2);
    let o = role_status(&mut f.rt, Role::Creator, &other.pubkey()).unwrap().unwrap();
    assert_eq!((o.rank.unwrap().rank, o.rank.unwrap().priority), (2, false));
    // Next month the recharge points are gone from the score now, not from the finalised round.
    f.advance_days(20);
    let s = role_status(&mut f.rt, Role::Creator, &w.pubkey()).unwrap().unwrap();
    assert_eq!((s.score_now, s.rank.unwrap().score), (Some(100), 6_100));
    let (_, rows) = leaderboard(&mut f.rt, Role::Creator).unwrap().unwrap();
    assert_eq!(rows.iter().map(|r| r.wallet).collect::<Vec<_>>(), vec![w.pubkey(), other.pubkey()]);
}

#[test]
fn worker_profile_shows_the_uptime_window() {
    let mut f = Fixture::new();
    let mut days = [1_067u16; 30];
    days[10..13].fill(0);
    let w = f.worker_with_days(&days);
    let s = role_status(&mut f.rt, Role::Worker, &w.pubkey()).unwrap().unwrap();
    assert_eq!(
        s.progress.to_string(),
        "uptime 27 of 30 days online, 3 offline days in a row (max 3); 28,809 / 28,800 minutes"
    );
    assert!(s.progress.eligible());
    // A day later the oldest day leaves the window and today (unreported) enters: 27,742 < 28,800.
    f.advance_days(1);
    let s = role_status(&mut f.rt, Role::Worker, &w.pubkey()).unwrap().unwrap();
    assert_eq!(
        s.progress.to_string(),
        "uptime 26 of 30 days online, 3 offline days in a row (max 3); 27,742 / 28,800 minutes"
    );
    assert!(!s.progress.eligible());
}

#[test]
fn standings_are_the_latest_finalised_round_and_refresh_only_when_the_board_changes() {
    use pictor_vip_sdk::standings::{refresh, standings};
    let mut f = Fixture::new();
    assert!(standings(&mut f.rt, Role::Creator).unwrap().is_none(), "no round finalised yet");
    let ws = creators(&mut f, &[1, 2, 3]);
    let crank_kp = f.crank.insecure_clone();
    crank::run_round(&mut f.rt, &crank_kp, Role::Creator, crank::RoundOptions::default(), &mut |_, _| {}).unwrap();
    let s = standings(&mut f.rt, Role::Creator).unwrap().unwrap();
    assert_eq!(s.round, 1);
    let top = s.members[&ws[2].pubkey()];
    assert_eq!((top.rank, top.priority), (1, true));
    assert_eq!(s.members[&ws[0].pubkey()].rank, 3);
    // Nothing changed: one board read says so.
    assert_eq!(refresh(&mut f.rt, Role::Creator, Some(&s)).unwrap(), None);
    // A revocation shows at once, before the next round: the member has no standing.
    let admin = f.admin.insecure_clone();
    let payer = f.rt.fee_payer();
    f.send(&[pictor_vip_sdk::ix::revoke(&admin.pubkey(), Role::Creator, &ws[2].pubkey(), &payer, 1)], &[&admin])
        .unwrap();
    let after = refresh(&mut f.rt, Role::Creator, Some(&s)).unwrap().expect("the board changed");
    assert!(!after.members.contains_key(&ws[2].pubkey()));
    assert_eq!(after.round, 1);
    // A newer round replaces them.
    crank::run_round(&mut f.rt, &crank_kp, Role::Creator, crank::RoundOptions::default(), &mut |_, _| {}).unwrap();
    let newer = refresh(&mut f.rt, Role::Creator, Some(&after)).unwrap().unwrap();
    assert_eq!((newer.round, newer.members[&ws[1].pubkey()].rank), (2, 1));
}
