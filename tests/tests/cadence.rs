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

// ------------------------------------------------------------------------
// One line of round numbers through every cadence change (SPEC §5): a round
// never reuses a window that froze scores or counted late holders. Each
// scenario funds a reward for the top rank of the next creator round and
// checks the order, the payee and that the round finalises.

fn cadence_rules(c: RoundCadence) -> Rules {
    Rules { cadence: c, ..Rules::default() }
}

fn set_rules(f: &mut Fixture, rules: Rules) -> Result<(), SendError> {
    let admin = f.admin.insecure_clone();
    f.send(&[ix::update_config(&admin.pubkey(), Some(rules), None)], &[&admin])
}

/// Funds 9 USDT-like units for the top rank of the next creator round.
fn fund_top_one(f: &mut Fixture) {
    let r = reward_mint(f, TOKEN);
    let admin = f.admin.insecure_clone();
    f.send(&[ix::fund_rewards(&admin.pubkey(), Role::Creator, &r.mint, &r.program, &r.funder, 9 * USDT, 1)], &[&admin])
        .unwrap();
}

/// The finalised round's `(rank, score)` of each wallet, and what each may withdraw.
fn standings(f: &mut Fixture, round: u32, ws: &[&Keypair]) -> Vec<(Option<(u32, i128)>, u64)> {
    let finalised = f.board(Role::Creator).finalised;
    assert_eq!(finalised.as_ref().map(|r| r.round), Some(round), "round {round} is the latest finalised");
    ws.iter()
        .map(|w| {
            let m = f.member(Role::Creator, &w.pubkey());
            (m.rank_in(round).map(|e| (e.rank, e.score)), m.header().withdrawable(finalised.as_ref()))
        })
        .collect()
}

#[test]
fn a_round_opened_after_the_cadence_is_turned_off_never_reuses_a_missed_windows_frozen_scores() {
    let mut f = Fixture::with_rules(hourly());
    let ws = creators(&mut f, &[10, 20]);
    fund_top_one(&mut f);
    // 13:05, inside round 1's window, not opened: ws[0]'s round-1 score (5,110) freezes.
    at(&mut f, 13, 5);
    f.report(&ws[0].pubkey(), Report::Frames { frames: 1_000 }).unwrap();
    assert_eq!(f.member(Role::Creator, &ws[0].pubkey()).header().frozen_score(1), Some(5_110));
    // The window closes unopened; the admin turns the cadence off.
    at(&mut f, 13, 30);
    set_rules(&mut f, Rules::default()).unwrap();
    assert_eq!(f.board(Role::Creator).next_round, 2, "round 1's number is spent with its window");
    expect_err(open(&mut f, Role::Creator, 1), PictorError::WrongRound);
    // The crank's next round ranks everyone as of its own time: ws[0] 6,110 first.
    at(&mut f, 13, 40);
    let out = finish(&mut f, Role::Creator);
    assert_eq!((out.round, out.members), (2, 2));
    let got = standings(&mut f, 2, &[&ws[0], &ws[1]]);
    assert_eq!(got, vec![(Some((1, 6_110)), 9 * USDT), (Some((2, 5_120)), 0)]);
}

#[test]
fn turning_the_cadence_off_and_on_again_numbers_the_new_windows_above_the_missed_one() {
    let mut f = Fixture::with_rules(hourly());
    let ws = creators(&mut f, &[10, 20]);
    fund_top_one(&mut f);
    at(&mut f, 13, 5);
    f.report(&ws[0].pubkey(), Report::Frames { frames: 1_000 }).unwrap();
    at(&mut f, 13, 30);
    set_rules(&mut f, Rules::default()).unwrap();
    at(&mut f, 13, 35);
    set_rules(&mut f, hourly()).unwrap();
    // 14:00's window is round 2, never round 1 again.
    let anchor = f.config().round_anchor;
    let s = cadence::scheduled(&hourly().cadence, &anchor, anchor.window).unwrap();
    assert_eq!((s.round, s.snapshot_ts), (2, today_at(14)));
    at(&mut f, 14, 2);
    expect_err(open(&mut f, Role::Creator, 1), PictorError::WrongRound);
    let out = finish(&mut f, Role::Creator);
    assert_eq!((out.round, out.members), (2, 2));
    let got = standings(&mut f, 2, &[&ws[0], &ws[1]]);
    assert_eq!(got, vec![(Some((1, 6_110)), 9 * USDT), (Some((2, 5_120)), 0)]);
}

#[test]
fn late_holders_of_two_missed_windows_all_count_in_the_round_after_the_cadence_is_turned_off() {
    let mut f = Fixture::with_rules(hourly());
    let early = creators(&mut f, &[10, 20]);
    fund_top_one(&mut f);
    // 13:00's window passes unopened; a pass claimed at 13:20 counts from round 2.
    at(&mut f, 13, 20);
    let c = f.creator(5_000 * USDT, 5_000 * USDT);
    f.report(&c.pubkey(), Report::Frames { frames: 30 }).unwrap();
    f.claim(&c, Role::Creator).unwrap();
    // 14:00's passes too; a pass claimed at 14:20 counts from round 3.
    at(&mut f, 14, 20);
    let d = f.creator(5_000 * USDT, 5_000 * USDT);
    f.report(&d.pubkey(), Report::Frames { frames: 40 }).unwrap();
    f.claim(&d, Role::Creator).unwrap();
    assert_eq!(f.member(Role::Creator, &c.pubkey()).header().pass_first_round, 2);
    assert_eq!(f.member(Role::Creator, &d.pubkey()).header().pass_first_round, 3);
    at(&mut f, 14, 30);
    set_rules(&mut f, Rules::default()).unwrap();
    // Round 3 at the lowest: every holder counts in it, and it finalises.
    assert_eq!(f.board(Role::Creator).next_round, 3);
    expect_err(open(&mut f, Role::Creator, 1), PictorError::WrongRound);
    let out = finish(&mut f, Role::Creator);
    assert_eq!((out.round, out.members), (3, 4));
    let got = standings(&mut f, 3, &[&d, &c, &early[1], &early[0]]);
    assert_eq!(
        got,
        vec![(Some((1, 5_140)), 9 * USDT), (Some((2, 5_130)), 0), (Some((3, 5_120)), 0), (Some((4, 5_110)), 0),]
    );
}

#[test]
fn an_open_window_widened_after_it_closed_never_reopens_its_round() {
    let mut f = Fixture::with_rules(hourly());
    let ws = creators(&mut f, &[10, 20]);
    fund_top_one(&mut f);
    // 13:20: round 1's open part (13:00–13:10) is over, nothing froze.
    at(&mut f, 13, 20);
    f.report(&ws[0].pubkey(), Report::Frames { frames: 1_000 }).unwrap();
    // Widening the open part to 30 minutes would make round 1 due again
    // with that fact in it: judged under the new rules too, refused.
    let wide = cadence_rules(RoundCadence { period_secs: 3_600, open_window_secs: 1_800, offset_secs: 0 });
    at(&mut f, 13, 25);
    let before = f.snapshot(&[pda::config(), pda::board(Role::Creator), pda::board(Role::Worker)]);
    expect_err(set_rules(&mut f, wide.clone()), PictorError::ScheduledRoundPending);
    assert_eq!(f.snapshot(&[pda::config(), pda::board(Role::Creator), pda::board(Role::Worker)]), before);
    expect_err(open(&mut f, Role::Creator, 1), PictorError::OutsideRoundWindow);
    // Once the wider part is over too, the change is a reschedule: round 1
    // is spent, 14:00's window is round 2.
    at(&mut f, 13, 35);
    set_rules(&mut f, wide).unwrap();
    assert_eq!(f.config().round_anchor.round, 2);
    at(&mut f, 14, 20);
    let out = finish(&mut f, Role::Creator);
    assert_eq!((out.round, out.members), (2, 2));
    assert_eq!(f.board(Role::Creator).finalised.unwrap().snapshot_ts, today_at(14));
    let got = standings(&mut f, 2, &[&ws[0], &ws[1]]);
    assert_eq!(got, vec![(Some((1, 6_110)), 9 * USDT), (Some((2, 5_120)), 0)]);
}

#[test]
fn narrowing_or_widening_the_open_window_while_a_round_is_due_is_refused_under_either_rules() {
    let mut f = Fixture::with_rules(hourly());
    creators(&mut f, &[1]);
    // 13:08: round 1 is due under the 10-minute window; a 5-minute one
    // would close it, but the old rules still have it due.
    at(&mut f, 13, 8);
    let narrow = cadence_rules(RoundCadence { period_secs: 3_600, open_window_secs: 300, offset_secs: 0 });
    expect_err(set_rules(&mut f, narrow), PictorError::ScheduledRoundPending);
    // A new period is judged under the old rules only (it starts at its next window).
    at(&mut f, 13, 12);
    let half = cadence_rules(RoundCadence { period_secs: 1_800, open_window_secs: 600, offset_secs: 0 });
    set_rules(&mut f, half).unwrap();
    let anchor = f.config().round_anchor;
    assert_eq!(anchor.round, 2);
    assert_eq!(
        cadence::scheduled(&f.config().rules.cadence, &anchor, anchor.window).unwrap().snapshot_ts,
        today_at(13) + 30 * MINUTE
    );
    assert_eq!(f.board(Role::Creator).next_round, 2);
    assert_eq!(f.board(Role::Worker).next_round, 2, "both roles' lines are raised");
}
