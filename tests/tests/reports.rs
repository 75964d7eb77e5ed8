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
    let r = ix::report(&mallory.pubkey(), &w, 1, Report::Recharge { amount_base_units: 5 });
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
        wallets.iter().map(|w| ix::report(&oracle.pubkey(), w, 1, Report::Frames { frames: 2 })).collect();
    f.send(&ixs, &[&oracle]).unwrap();
    for w in &wallets {
        assert_eq!(creator_facts(&mut f, w).frames_rendered, 2);
    }
    let mut ixs: Vec<_> =
        wallets.iter().map(|w| ix::report(&oracle.pubkey(), w, 2, Report::Frames { frames: 2 })).collect();
    ixs[3] = ix::report(&oracle.pubkey(), &wallets[3], 1, Report::Frames { frames: 2 });
    let err = f.send(&ixs, &[&oracle]).unwrap_err();
    assert!(err.is(PictorError::ReportAlreadyApplied));
    assert_eq!(err.instruction_index(), Some(3));
    for w in &wallets {
        assert_eq!(creator_facts(&mut f, w).frames_rendered, 2, "atomic: nothing applied");
    }
}
