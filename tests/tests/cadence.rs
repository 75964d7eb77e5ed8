//! The round cadence (SPEC §5): the crank drives rounds, it does not choose
//! when their scores are taken. A round opens only inside its scheduled
//! window, its snapshot is the window's time whatever second it opens,
//! abandoning it does not buy another time, and facts or claims that land
//! after the window's time count from the next round.
mod common;
use common::*;
use pictor_vip::cadence;
use pictor_vip::constants::SECONDS_PER_DAY;
use pictor_vip::errors::PictorError;
use pictor_vip::instructions::Report;
use pictor_vip::state::{Role, RoundCadence, Rules};
use pictor_vip::time::days_from_civil;
use pictor_vip_sdk::crank::{self, RoundError};
use pictor_vip_sdk::transport::SendError;
use pictor_vip_sdk::{ix, pda};
use solana_keypair::Keypair;
use solana_signer::Signer;

const HOUR: i64 = 3_600;
const MINUTE: i64 = 60;

/// Rounds every hour on the hour, open for 10 minutes; the fixture starts
/// at 12:00, so round 1 is 13:00's.
fn hourly() -> Rules {
    Rules { cadence: RoundCadence { period_secs: 3_600, open_window_secs: 600, offset_secs: 0 }, ..Rules::default() }
}

fn at(f: &mut Fixture, hour: i64, minute: i64) {
    let day = t0() - t0() % SECONDS_PER_DAY;
    f.set_time(day + hour * HOUR + minute * MINUTE);
}

fn open(f: &mut Fixture, role: Role, round: u32) -> Result<(), SendError> {
    let crank = f.crank.insecure_clone();
    f.send(&[ix::open_round(&crank.pubkey(), role, round)], &[&crank])
}

fn abandon(f: &mut Fixture, role: Role, round: u32) -> Result<(), SendError> {
    let crank = f.crank.insecure_clone();
    f.send(&[ix::abandon_round(&crank.pubkey(), role, round)], &[&crank])
}

/// Ranks and finalises the open round (through the SDK's crank).
fn finish(f: &mut Fixture, role: Role) -> crank::RoundOutcome {
    let crank = f.crank.insecure_clone();
    crank::run_round(&mut f.rt, &crank, role, crank::RoundOptions::default(), &mut |_, _| {}).unwrap()
}

fn today_at(hour: i64) -> i64 {
    t0() - t0() % SECONDS_PER_DAY + hour * HOUR
}

#[test]
fn a_round_opens_only_inside_its_window_and_its_snapshot_is_the_windows_time() {
    let mut f = Fixture::with_rules(hourly());
    creators(&mut f, &[1, 2]);
    // 12:30: round 1 is 13:00's; nothing may open before.
    at(&mut f, 12, 30);
    expect_err(open(&mut f, Role::Creator, 1), PictorError::OutsideRoundWindow);
    // 13:10 is past the 10-minute window.
    at(&mut f, 13, 10);
    expect_err(open(&mut f, Role::Creator, 1), PictorError::OutsideRoundWindow);
    // 13:07: round 1, its snapshot 13:00 sharp.
    at(&mut f, 13, 7);
    expect_err(open(&mut f, Role::Creator, 2), PictorError::WrongRound);
    open(&mut f, Role::Creator, 1).unwrap();
    assert_eq!(f.board(Role::Creator).open.unwrap().snapshot_ts, today_at(13));
    let out = finish(&mut f, Role::Creator);
    assert_eq!((out.round, out.members), (1, 2));
    // 14:00's window is round 2's (one number per window).
    at(&mut f, 14, 0);
    open(&mut f, Role::Creator, 2).unwrap();
}

#[test]
fn the_crank_cannot_pick_a_snapshot_just_after_a_month_boundary() {
    // Daily rounds at 01:00 UTC, open for an hour.
    let rules = Rules {
        cadence: RoundCadence { period_secs: 86_400, open_window_secs: 3_600, offset_secs: 3_600 },
        ..Rules::default()
    };
    let mut f = Fixture::with_rules(rules);
    let w = f.holder(5_000 * USDT);
    let aug1 = days_from_civil(2026, 8, 1) * SECONDS_PER_DAY;
    f.set_time(aug1 - 3 * HOUR);
    f.report(&w.pubkey(), Report::Recharge { amount_base_units: 900 * USDT }).unwrap();
    // 00:00:05 on the 1st would zero July's recharge points: not a window.
    f.set_time(aug1 + 5);
    let next = f.board(Role::Creator).next_round;
    expect_err(open(&mut f, Role::Creator, next), PictorError::OutsideRoundWindow);
    // July 31st's 01:00 round already passed; the schedule decides, not the crank.
    let s = cadence::next_after(&f.config().rules.cadence, &f.config().round_anchor, aug1 + 5).unwrap();
    assert_eq!(s.snapshot_ts, aug1 + HOUR);
}

#[test]
fn whichever_second_the_crank_opens_the_round_ranks_the_same_scores() {
    let mut outcomes = Vec::new();
    for open_minute in [0, 9] {
        let mut f = Fixture::with_rules(hourly());
        let ws = creators(&mut f, &[5, 10]);
        // Facts that land after 13:00 (before or after the open) count from the next round.
        at(&mut f, 13, 3);
        f.report(&ws[0].pubkey(), Report::Frames { frames: 100 }).unwrap();
        at(&mut f, 13, open_minute);
        open(&mut f, Role::Creator, 1).unwrap();
        at(&mut f, 13, 9);
        f.report(&ws[1].pubkey(), Report::Frames { frames: 1_000 }).unwrap();
        let out = finish(&mut f, Role::Creator);
        let ranks: Vec<_> = ws
            .iter()
            .map(|w| f.member(Role::Creator, &w.pubkey()).rank_in(out.round).map(|e| (e.rank, e.score)))
            .collect();
        outcomes.push(ranks);
    }
    // 5,000 recharge points + frames + 100, as of 13:00 sharp, both times.
    assert_eq!(outcomes[0], vec![Some((2, 5_105)), Some((1, 5_110))]);
    assert_eq!(outcomes[0], outcomes[1]);
}

#[test]
fn an_abandoned_round_cannot_be_opened_again_in_its_window() {
    let mut f = Fixture::with_rules(hourly());
    creators(&mut f, &[1]);
    at(&mut f, 13, 1);
    open(&mut f, Role::Creator, 1).unwrap();
    abandon(&mut f, Role::Creator, 1).unwrap();
    // Neither its own number nor the next: the window had its round.
    at(&mut f, 13, 5);
    expect_err(open(&mut f, Role::Creator, 1), PictorError::WrongRound);
    expect_err(open(&mut f, Role::Creator, 2), PictorError::WrongRound);
    // The crank's next chance is the next window, at its own time.
    at(&mut f, 14, 2);
    open(&mut f, Role::Creator, 2).unwrap();
    assert_eq!(f.board(Role::Creator).open.unwrap().snapshot_ts, today_at(14));
}

#[test]
fn a_missed_window_costs_only_that_window() {
    let mut f = Fixture::with_rules(hourly());
    creators(&mut f, &[1]);
    // Nobody opened 13:00's round; 14:00's is round 2, and round 1 never exists.
    at(&mut f, 14, 4);
    expect_err(open(&mut f, Role::Creator, 1), PictorError::WrongRound);
    open(&mut f, Role::Creator, 2).unwrap();
    let out = finish(&mut f, Role::Creator);
    assert_eq!(out.round, 2);
}

#[test]
fn a_pass_claimed_after_the_windows_time_joins_the_next_round() {
    let mut f = Fixture::with_rules(hourly());
    creators(&mut f, &[1, 2]);
    let late = f.creator(5_000 * USDT, 5_000 * USDT);
    at(&mut f, 13, 2);
    f.claim(&late, Role::Creator).unwrap();
    assert_eq!(f.member(Role::Creator, &late.pubkey()).header().pass_first_round, 2);
    at(&mut f, 13, 8);
    open(&mut f, Role::Creator, 1).unwrap();
    let board = f.board(Role::Creator);
    assert_eq!((board.active_holders, board.open.unwrap().members), (3, 2));
    finish(&mut f, Role::Creator);
    assert!(f.member(Role::Creator, &late.pubkey()).rank_in(1).is_none());
    // The SDK's crank opens 14:00's round itself.
    at(&mut f, 14, 1);
    let out = finish(&mut f, Role::Creator);
    assert_eq!((out.round, out.members), (2, 3));
}

#[test]
fn a_round_that_overran_the_next_windows_time_costs_that_window() {
    let mut f = Fixture::with_rules(hourly());
    creators(&mut f, &[1]);
    at(&mut f, 13, 5);
    open(&mut f, Role::Creator, 1).unwrap();
    // Still open at 14:00: reports since then froze for round 1, not round 2.
    at(&mut f, 14, 2);
    expect_err(open(&mut f, Role::Creator, 2), PictorError::RoundInProgress);
    finish(&mut f, Role::Creator);
    expect_err(open(&mut f, Role::Creator, 2), PictorError::PreviousRoundOverran);
    at(&mut f, 15, 0);
    open(&mut f, Role::Creator, 3).unwrap();
}

#[test]
fn rules_cannot_change_while_a_scheduled_round_is_due() {
    let mut f = Fixture::with_rules(hourly());
    creators(&mut f, &[1]);
    let admin = f.admin.insecure_clone();
    at(&mut f, 13, 2);
    let change = ix::update_config(&admin.pubkey(), Some(Rules { priority_bps: 5_000, ..hourly() }), None);
    let before = f.snapshot(&[pda::config()]);
    expect_err(f.send(std::slice::from_ref(&change), &[&admin]), PictorError::ScheduledRoundPending);
    assert_eq!(f.snapshot(&[pda::config()]), before);
    // The pass metadata may change; the rules once the round has opened and copied them.
    f.send(&[ix::update_config(&admin.pubkey(), None, Some(pass_metadata()))], &[&admin]).unwrap();
    open(&mut f, Role::Creator, 1).unwrap();
    // The worker role's round is due too: open it as well.
    open(&mut f, Role::Worker, 1).unwrap();
    f.send(&[change], &[&admin]).unwrap();
    assert_eq!(f.board(Role::Creator).open.unwrap().priority_count, 1, "the open round keeps its rules");
}

#[test]
fn a_new_cadence_numbers_its_rounds_above_every_round_so_far_from_its_next_window() {
    let mut f = Fixture::with_rules(hourly());
    creators(&mut f, &[1]);
    at(&mut f, 13, 1);
    finish(&mut f, Role::Creator);
    at(&mut f, 15, 30);
    // Rounds every 30 minutes from now on; 15:30's window has passed its time.
    let admin = f.admin.insecure_clone();
    let half =
        Rules { cadence: RoundCadence { period_secs: 1_800, open_window_secs: 300, offset_secs: 0 }, ..hourly() };
    f.send(&[ix::update_config(&admin.pubkey(), Some(half), None)], &[&admin]).unwrap();
    let anchor = f.config().round_anchor;
    // The old cadence numbered 15:00's window 3: the new numbers start above it.
    assert_eq!(anchor.round, 4);
    at(&mut f, 15, 31);
    expect_err(open(&mut f, Role::Creator, 4), PictorError::OutsideRoundWindow);
    at(&mut f, 16, 2);
    open(&mut f, Role::Creator, 4).unwrap();
    assert_eq!(f.board(Role::Creator).open.unwrap().snapshot_ts, today_at(16));
    // And off again: the crank opens whenever, the next number.
    finish(&mut f, Role::Creator);
    at(&mut f, 16, 6);
    f.send(&[ix::update_config(&admin.pubkey(), Some(Rules::default()), None)], &[&admin]).unwrap();
    open(&mut f, Role::Creator, 5).unwrap();
}

#[test]
fn with_the_cadence_off_rounds_open_at_any_time_as_of_then() {
    let mut f = Fixture::new();
    creators(&mut f, &[1]);
    at(&mut f, 12, 37);
    open(&mut f, Role::Creator, 1).unwrap();
    assert_eq!(f.board(Role::Creator).open.unwrap().snapshot_ts, today_at(12) + 37 * MINUTE);
}

#[test]
fn the_sdks_crank_waits_for_a_window_or_says_when_the_next_opens() {
    let mut f = Fixture::with_rules(hourly());
    creators(&mut f, &[1]);
    at(&mut f, 13, 20);
    let crank_kp: Keypair = f.crank.insecure_clone();
    let err = crank::run_round(&mut f.rt, &crank_kp, Role::Creator, crank::RoundOptions::default(), &mut |_, _| {})
        .unwrap_err();
    assert!(matches!(err, RoundError::OutsideWindow { next_opens_ts: Some(t) } if t == today_at(14)), "{err:?}");
    assert!(err.is_transient());
    at(&mut f, 14, 0);
    let out =
        crank::run_round(&mut f.rt, &crank_kp, Role::Creator, crank::RoundOptions::default(), &mut |_, _| {}).unwrap();
    assert_eq!(out.round, 2);
}
