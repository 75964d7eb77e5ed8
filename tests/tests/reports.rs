//! Oracle reports: who may report, sequence numbers, validation, packing.
mod common;
use common::*;
use pictor_vip::errors::PictorError;
use pictor_vip::instructions::Report;
use pictor_vip::state::{Member, Role};
use pictor_vip::time::month_index;
use pictor_vip_sdk::{ix, pda};
use solana_keypair::Keypair;
use solana_pubkey::Pubkey;
use solana_signer::Signer;

fn day(day_index: u32, uptime_minutes: u16) -> Report {
    Report::WorkerDay { day_index, uptime_minutes, frames_completed: 3, jobs_failed: 1 }
}

fn creator_facts(f: &mut Fixture, wallet: &Pubkey) -> pictor_vip::state::CreatorFacts {
    match f.member(Role::Creator, wallet) {
        Member::Creator(c) => c.facts,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_signer_that_is_not_an_oracle_cannot_report() {
    let mut f = Fixture::new();
    let mallory = Keypair::new();
    f.rt.airdrop(&mallory.pubkey(), 1_000_000_000).unwrap();
    let w = Pubkey::new_unique();
    let r = ix::report(&mallory.pubkey(), &w, 1, t0(), Report::Recharge { amount_base_units: 5 });
    expect_err(f.send(&[r], &[&mallory]), PictorError::NotOracle);
    assert!(f.account(&pda::member(Role::Creator, &w)).is_none());
}

#[test]
fn a_replayed_report_is_refused_and_counted_once() {
    let mut f = Fixture::new();
    let w = Pubkey::new_unique();
    f.report_seq(&w, 1, Report::Recharge { amount_base_units: 10 * USDT }).unwrap();
    f.report_seq(&w, 2, Report::Frames { frames: 5 }).unwrap();
    let before = f.snapshot(&[pda::member(Role::Creator, &w)]);
    expect_err(f.report_seq(&w, 2, Report::Frames { frames: 5 }), PictorError::ReportAlreadyApplied);
    expect_err(
        f.report_seq(&w, 1, Report::Recharge { amount_base_units: 10 * USDT }),
        PictorError::ReportAlreadyApplied,
    );
    assert_eq!(f.snapshot(&[pda::member(Role::Creator, &w)]), before);
    let c = creator_facts(&mut f, &w);
    assert_eq!((c.deposited_base_units, c.frames_rendered), (10 * USDT, 5));
    // Gaps are fine: sequence numbers only have to increase.
    f.report_seq(&w, 10, Report::Frames { frames: 1 }).unwrap();
    assert_eq!(f.member(Role::Creator, &w).header().last_seq, 10);
}

#[test]
fn spending_above_deposits_is_refused() {
    let mut f = Fixture::new();
    let w = Pubkey::new_unique();
    f.report(&w, Report::Recharge { amount_base_units: 100 * USDT }).unwrap();
    f.report(&w, Report::Spend { amount_base_units: 60 * USDT }).unwrap();
    let before = f.snapshot(&[pda::member(Role::Creator, &w)]);
    expect_err(f.report(&w, Report::Spend { amount_base_units: 40 * USDT + 1 }), PictorError::SpendingExceedsDeposits);
    assert_eq!(f.snapshot(&[pda::member(Role::Creator, &w)]), before);
    f.report(&w, Report::Spend { amount_base_units: 40 * USDT }).unwrap();
    assert_eq!(creator_facts(&mut f, &w).spent_base_units, 100 * USDT);
}

#[test]
fn an_overflowing_counter_is_refused() {
    let mut f = Fixture::new();
    let w = Pubkey::new_unique();
    f.report(&w, Report::Recharge { amount_base_units: u64::MAX }).unwrap();
    let before = f.snapshot(&[pda::member(Role::Creator, &w)]);
    expect_err(f.report(&w, Report::Recharge { amount_base_units: 1 }), PictorError::Overflow);
    assert_eq!(f.snapshot(&[pda::member(Role::Creator, &w)]), before);
    let worker = Pubkey::new_unique();
    let today = f.today();
    f.report(
        &worker,
        Report::WorkerDay { day_index: today - 1, uptime_minutes: 1, frames_completed: u64::MAX, jobs_failed: 0 },
    )
    .unwrap();
    expect_err(
        f.report(
            &worker,
            Report::WorkerDay { day_index: today - 2, uptime_minutes: 1, frames_completed: 1, jobs_failed: 0 },
        ),
        PictorError::Overflow,
    );
}

#[test]
fn zero_amounts_are_refused() {
    let mut f = Fixture::new();
    let w = Pubkey::new_unique();
    expect_err(f.report(&w, Report::Recharge { amount_base_units: 0 }), PictorError::ZeroAmount);
    expect_err(f.report(&w, Report::Frames { frames: 0 }), PictorError::ZeroAmount);
    assert!(f.account(&pda::member(Role::Creator, &w)).is_none(), "a refused first report creates nothing");
}

#[test]
fn uptime_over_1440_minutes_is_refused() {
    let mut f = Fixture::new();
    let w = Pubkey::new_unique();
    let today = f.today();
    expect_err(f.report(&w, day(today - 1, 1_441)), PictorError::UptimeExceedsDay);
    f.report(&w, day(today - 1, 1_440)).unwrap();
}

#[test]
fn today_and_future_days_are_refused() {
    let mut f = Fixture::new();
    let w = Pubkey::new_unique();
    let today = f.today();
    expect_err(f.report(&w, day(today, 60)), PictorError::DayNotCompleted);
    expect_err(f.report(&w, day(today + 3, 60)), PictorError::DayNotCompleted);
}

#[test]
fn a_day_outside_the_window_is_refused_and_days_may_arrive_out_of_order() {
    let mut f = Fixture::new();
    let w = Pubkey::new_unique();
    let today = f.today();
    expect_err(f.report(&w, day(today - 31, 60)), PictorError::DayOutsideWindow);
    f.report(&w, day(today - 2, 60)).unwrap();
    f.report(&w, day(today - 30, 60)).unwrap();
    f.report(&w, day(today - 1, 60)).unwrap();
}

#[test]
fn a_day_reported_twice_is_refused() {
    let mut f = Fixture::new();
    let w = Pubkey::new_unique();
    let today = f.today();
    f.report(&w, day(today - 1, 600)).unwrap();
    let before = f.snapshot(&[pda::member(Role::Worker, &w)]);
    expect_err(f.report(&w, day(today - 1, 700)), PictorError::DayAlreadyReported);
    assert_eq!(f.snapshot(&[pda::member(Role::Worker, &w)]), before);
    // 60 days later (the ring's length) the slot is reused for a new day without confusion.
    f.advance_days(60);
    let today = f.today();
    f.report(&w, day(today - 1, 700)).unwrap();
    match f.member(Role::Worker, &w) {
        Member::Worker(m) => {
            let wf = m.facts;
            assert_eq!(wf.uptime_on(today - 1), Some(700));
            assert_eq!(wf.lifetime_uptime_minutes, 1_300);
            assert_eq!((wf.frames_completed, wf.jobs_failed), (6, 2));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn gpu_reports_replace_the_previous_gpu_and_long_names_are_refused() {
    let mut f = Fixture::new();
    let w = Pubkey::new_unique();
    expect_err(
        f.report(&w, Report::Gpu { model: "X".repeat(33), vram_gb: 24, hashpower: 1 }),
        PictorError::GpuModelTooLong,
    );
    f.report(&w, Report::Gpu { model: "RTX 3090".into(), vram_gb: 24, hashpower: 100 }).unwrap();
    f.report(&w, Report::Gpu { model: "RTX 4090".into(), vram_gb: 24, hashpower: 165 }).unwrap();
    match f.member(Role::Worker, &w) {
        Member::Worker(m) => assert_eq!((m.facts.gpu_model(), m.facts.gpu().unwrap().hashpower), ("RTX 4090", 165)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn reports_are_refused_while_paused() {
    let mut f = Fixture::new();
    let admin = f.admin.insecure_clone();
    f.send(&[ix::set_paused(&admin.pubkey(), true)], &[&admin]).unwrap();
    let w = Pubkey::new_unique();
    expect_err(f.report_seq(&w, 1, Report::Frames { frames: 1 }), PictorError::Paused);
    assert!(f.account(&pda::member(Role::Creator, &w)).is_none(), "nothing created while paused");
    f.send(&[ix::set_paused(&admin.pubkey(), false)], &[&admin]).unwrap();
    f.report_seq(&w, 1, Report::Frames { frames: 1 }).unwrap();
    f.send(&[ix::set_paused(&admin.pubkey(), true)], &[&admin]).unwrap();
    let before = f.snapshot(&[pda::member(Role::Creator, &w)]);
    expect_err(f.report_seq(&w, 2, Report::Frames { frames: 1 }), PictorError::Paused);
    assert_eq!(f.snapshot(&[pda::member(Role::Creator, &w)]), before);
    f.send(&[ix::set_paused(&admin.pubkey(), false)], &[&admin]).unwrap();
    f.report_seq(&w, 2, Report::Frames { frames: 1 }).unwrap();
}

#[test]
fn monthly_recharges_reset_in_a_new_utc_month() {
    let mut f = Fixture::new();
    let w = Pubkey::new_unique();
    f.report(&w, Report::Recharge { amount_base_units: 7 * USDT }).unwrap();
    f.advance_days(20); // 2026-08-04
    f.report(&w, Report::Recharge { amount_base_units: 2 * USDT }).unwrap();
    let c = creator_facts(&mut f, &w);
    let now = f.now();
    assert_eq!(c.recharge_month, month_index(now).unwrap());
    assert_eq!((c.month_recharged_base_units, c.deposited_base_units), (2 * USDT, 9 * USDT));
}

#[test]
fn many_reports_fit_one_transaction_and_one_bad_report_fails_it_whole() {
    let mut f = Fixture::new();
    let oracle = f.oracle.insecure_clone();
    let wallets: Vec<Pubkey> = (0..6).map(|_| Pubkey::new_unique()).collect();
    let ixs: Vec<_> =
        wallets.iter().map(|w| ix::report(&oracle.pubkey(), w, 1, t0(), Report::Frames { frames: 2 })).collect();
    f.send(&ixs, &[&oracle]).unwrap();
    for w in &wallets {
        assert_eq!(creator_facts(&mut f, w).frames_rendered, 2);
    }
    let mut ixs: Vec<_> =
        wallets.iter().map(|w| ix::report(&oracle.pubkey(), w, 2, t0(), Report::Frames { frames: 2 })).collect();
    ixs[3] = ix::report(&oracle.pubkey(), &wallets[3], 1, t0(), Report::Frames { frames: 2 });
    let err = f.send(&ixs, &[&oracle]).unwrap_err();
    assert!(err.is(PictorError::ReportAlreadyApplied));
    assert_eq!(err.instruction_index(), Some(3));
    for w in &wallets {
        assert_eq!(creator_facts(&mut f, w).frames_rendered, 2, "atomic: nothing applied");
    }
}

/// 23:59:58 UTC on 2026-07-31.
fn just_before_august() -> i64 {
    pictor_vip::time::days_from_civil(2026, 8, 1) * 86_400 - 2
}

#[test]
fn a_recharge_at_23_59_58_on_the_31st_that_lands_after_midnight_counts_in_the_old_month() {
    let mut f = Fixture::new();
    let w = Pubkey::new_unique();
    let fact = just_before_august();
    f.set_time(fact + 5); // lands at 00:00:03 on 1 August
    f.report_at(&w, 1, fact, Report::Recharge { amount_base_units: 300 * USDT }).unwrap();
    let c = creator_facts(&mut f, &w);
    assert_eq!(c.recharge_month, month_index(fact).unwrap());
    assert_ne!(c.recharge_month, month_index(fact + 5).unwrap());
    // Scored in August, a July recharge gives no recharge points.
    assert_eq!(pictor_vip::scoring::creator_score(&c, fact + 5).unwrap().recharge_points, 0);
    assert_eq!(pictor_vip::scoring::creator_score(&c, fact).unwrap().recharge_points, 300);
}

#[test]
fn a_backlog_replayed_after_an_outage_scores_as_it_happened() {
    let mut f = Fixture::new();
    let w = Pubkey::new_unique();
    let july = just_before_august() - 10 * 86_400;
    // The oracle was down for eleven days; it replays July's facts in August.
    f.set_time(just_before_august() + 86_400);
    f.report_at(&w, 1, july, Report::Recharge { amount_base_units: 100 * USDT }).unwrap();
    f.report_at(&w, 2, july + 60, Report::Recharge { amount_base_units: 50 * USDT }).unwrap();
    let c = creator_facts(&mut f, &w);
    assert_eq!((c.recharge_month, c.month_recharged_base_units), (month_index(july).unwrap(), 150 * USDT));
    assert_eq!(f.member(Role::Creator, &w).header().last_fact_ts, july + 60);
    // A recharge that happened in August starts August's total.
    f.report_at(&w, 3, just_before_august() + 100, Report::Recharge { amount_base_units: 7 * USDT }).unwrap();
    let c = creator_facts(&mut f, &w);
    assert_eq!((c.month_recharged_base_units, c.deposited_base_units), (7 * USDT, 157 * USDT));
}

#[test]
fn a_fact_time_beyond_the_clock_plus_the_skew_is_refused_until_the_clock_catches_up() {
    let mut f = Fixture::new();
    let w = Pubkey::new_unique();
    let now = f.now();
    let skew = i64::from(f.config().rules.max_fact_skew_secs);
    assert_eq!(skew, 600);
    expect_err(f.report_at(&w, 1, now + skew + 1, Report::Frames { frames: 1 }), PictorError::FactTimeInFuture);
    assert!(f.account(&pda::member(Role::Creator, &w)).is_none());
    f.report_at(&w, 1, now + skew, Report::Frames { frames: 1 }).unwrap();
    // The same refused fact lands once the cluster clock has moved on.
    f.set_time(now + 60);
    f.report_at(&w, 2, now + skew + 1, Report::Frames { frames: 1 }).unwrap();
}

#[test]
fn a_fact_earlier_than_the_members_previous_fact_is_refused() {
    let mut f = Fixture::new();
    let w = Pubkey::new_unique();
    let now = f.now();
    f.report_at(&w, 1, now - 100, Report::Frames { frames: 1 }).unwrap();
    let before = f.snapshot(&[pda::member(Role::Creator, &w)]);
    expect_err(f.report_at(&w, 2, now - 101, Report::Frames { frames: 1 }), PictorError::FactTimeBeforePrevious);
    assert_eq!(f.snapshot(&[pda::member(Role::Creator, &w)]), before);
    // Equal fact times are fine (two facts of the same second).
    f.report_at(&w, 2, now - 100, Report::Frames { frames: 1 }).unwrap();
}

#[test]
fn a_worker_day_must_be_over_by_its_fact_time() {
    let mut f = Fixture::new();
    let w = Pubkey::new_unique();
    let today = f.today();
    let midnight = i64::from(today) * 86_400;
    // The cluster is a day ahead; the day reported is yesterday, but the fact says it was not over yet.
    f.set_time(midnight + 86_400);
    expect_err(f.report_at(&w, 1, midnight - 1, day(today - 1, 600)), PictorError::DayNotCompleted);
    f.report_at(&w, 1, midnight, day(today - 1, 600)).unwrap();
    // A day the cluster sees as today but the fact time (within the skew) says is over: accepted.
    let mut f = Fixture::new();
    f.set_time(midnight + 86_400 - 30);
    f.report_at(&w, 1, midnight + 86_400 + 5, day(today, 900)).unwrap();
}

#[test]
fn the_fact_skew_is_configurable_within_a_day() {
    let mut f = Fixture::new();
    let admin = f.admin.insecure_clone();
    let bad = pictor_vip::state::Rules { max_fact_skew_secs: 86_401, ..Default::default() };
    expect_err(
        f.send(&[ix::update_config(&admin.pubkey(), Some(bad), None)], &[&admin]),
        PictorError::FactSkewOutOfRange,
    );
    let strict = pictor_vip::state::Rules { max_fact_skew_secs: 0, ..Default::default() };
    f.send(&[ix::update_config(&admin.pubkey(), Some(strict), None)], &[&admin]).unwrap();
    let w = Pubkey::new_unique();
    let now = f.now();
    expect_err(f.report_at(&w, 1, now + 1, Report::Frames { frames: 1 }), PictorError::FactTimeInFuture);
    f.report_at(&w, 1, now, Report::Frames { frames: 1 }).unwrap();
}
