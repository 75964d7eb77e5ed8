//! Ranking rounds: the crank drives, the program verifies (SPEC §5).
mod common;
use anchor_lang::Discriminator;
use common::*;
use pictor_vip::errors::PictorError;
use pictor_vip::instructions::Report;
use pictor_vip::state::{GpuTier, OpenRound, PassStatus, Role, Rules};
use pictor_vip_sdk::crank::{self, round_order};
use pictor_vip_sdk::profile::leaderboard;
use pictor_vip_sdk::transport::{SendError, Transport};
use pictor_vip_sdk::{ix, pda};
use solana_keypair::Keypair;
use solana_pubkey::Pubkey;
use solana_signer::Signer;

fn open(f: &mut Fixture, role: Role) -> OpenRound {
    let crank = f.crank.insecure_clone();
    let next = f.board(role).next_round;
    f.send(&[ix::open_round(&crank.pubkey(), role, next)], &[&crank]).unwrap();
    f.board(role).open.unwrap()
}

/// Member addresses in the order the program must accept.
fn order(f: &mut Fixture, role: Role, open: &OpenRound) -> Vec<Pubkey> {
    round_order(&mut f.rt, role, open).unwrap().into_iter().map(|(k, _, _)| k).collect()
}

fn rank(
    f: &mut Fixture,
    role: Role,
    round: u32,
    members: &[Pubkey],
) -> Result<(), pictor_vip_sdk::transport::SendError> {
    let crank = f.crank.insecure_clone();
    f.send(&[ix::rank_batch(&crank.pubkey(), role, round, members)], &[&crank])
}

fn finalise(f: &mut Fixture, role: Role, round: u32) -> Result<(), pictor_vip_sdk::transport::SendError> {
    let crank = f.crank.insecure_clone();
    f.send(&[ix::finalise_round(&crank.pubkey(), role, round)], &[&crank])
}

fn run(f: &mut Fixture, role: Role, batch: usize) -> crank::RoundOutcome {
    let crank = f.crank.insecure_clone();
    let options = crank::RoundOptions { batch_size: batch, ..Default::default() };
    crank::run_round(&mut f.rt, &crank, role, options, &mut |_, _| {}).unwrap()
}

fn member_key(role: Role, w: &Keypair) -> Pubkey {
    pda::member(role, &w.pubkey())
}

// ---- refusals first ----

#[test]
fn a_signer_that_is_not_the_crank_cannot_drive_a_round() {
    let mut f = Fixture::new();
    let ws = creators(&mut f, &[1, 2]);
    let mallory = Keypair::new();
    let m = mallory.pubkey();
    expect_err(f.send(&[ix::open_round(&m, Role::Creator, 1)], &[&mallory]), PictorError::NotCrank);
    let o = open(&mut f, Role::Creator);
    let keys = order(&mut f, Role::Creator, &o);
    let before = f.snapshot(&[pda::board(Role::Creator), member_key(Role::Creator, &ws[0])]);
    expect_err(f.send(&[ix::rank_batch(&m, Role::Creator, o.round, &keys)], &[&mallory]), PictorError::NotCrank);
    expect_err(f.send(&[ix::abandon_round(&m, Role::Creator, o.round)], &[&mallory]), PictorError::NotCrank);
    assert_eq!(f.snapshot(&[pda::board(Role::Creator), member_key(Role::Creator, &ws[0])]), before);
    rank(&mut f, Role::Creator, o.round, &keys).unwrap();
    expect_err(f.send(&[ix::finalise_round(&m, Role::Creator, o.round)], &[&mallory]), PictorError::NotCrank);
    finalise(&mut f, Role::Creator, o.round).unwrap();
}

#[test]
fn a_misordered_batch_is_refused_and_changes_nothing() {
    let mut f = Fixture::new();
    creators(&mut f, &[10, 30, 20]);
    let o = open(&mut f, Role::Creator);
    let mut keys = order(&mut f, Role::Creator, &o);
    keys.swap(1, 2);
    let before = f.snapshot(&[vec![pda::board(Role::Creator)], keys.clone()].concat());
    expect_err(rank(&mut f, Role::Creator, o.round, &keys), PictorError::OrderViolation);
    assert_eq!(f.snapshot(&[vec![pda::board(Role::Creator)], keys.clone()].concat()), before);
    // Misordered across batches too.
    let good = order(&mut f, Role::Creator, &o);
    rank(&mut f, Role::Creator, o.round, &good[2..]).unwrap();
    expect_err(rank(&mut f, Role::Creator, o.round, &good[..2]), PictorError::OrderViolation);
}

#[test]
fn a_skipped_member_blocks_finalisation_and_cannot_be_slipped_in_later() {
    let mut f = Fixture::new();
    creators(&mut f, &[10, 30, 20]);
    let o = open(&mut f, Role::Creator);
    let keys = order(&mut f, Role::Creator, &o);
    rank(&mut f, Role::Creator, o.round, &[keys[0], keys[2]]).unwrap();
    expect_err(finalise(&mut f, Role::Creator, o.round), PictorError::RoundIncomplete);
    expect_err(rank(&mut f, Role::Creator, o.round, &[keys[1]]), PictorError::OrderViolation);
    assert!(f.board(Role::Creator).finalised.is_none());
}

#[test]
fn finalising_before_every_holder_is_ranked_is_refused() {
    let mut f = Fixture::new();
    creators(&mut f, &[1, 2, 3]);
    let o = open(&mut f, Role::Creator);
    expect_err(finalise(&mut f, Role::Creator, o.round), PictorError::RoundIncomplete);
    let keys = order(&mut f, Role::Creator, &o);
    rank(&mut f, Role::Creator, o.round, &keys[..2]).unwrap();
    expect_err(finalise(&mut f, Role::Creator, o.round), PictorError::RoundIncomplete);
    rank(&mut f, Role::Creator, o.round, &keys[2..]).unwrap();
    finalise(&mut f, Role::Creator, o.round).unwrap();
}

#[test]
fn a_repeated_member_is_refused() {
    let mut f = Fixture::new();
    creators(&mut f, &[1, 2, 3]);
    let o = open(&mut f, Role::Creator);
    let keys = order(&mut f, Role::Creator, &o);
    expect_err(rank(&mut f, Role::Creator, o.round, &[keys[0], keys[0]]), PictorError::AlreadyRanked);
    rank(&mut f, Role::Creator, o.round, &keys[..1]).unwrap();
    expect_err(rank(&mut f, Role::Creator, o.round, &[keys[0]]), PictorError::AlreadyRanked);
}

#[test]
fn a_member_of_the_other_role_or_without_a_pass_is_refused() {
    let mut f = Fixture::new();
    creators(&mut f, &[1]);
    let worker = f.eligible_worker();
    f.claim(&worker, Role::Worker).unwrap();
    let no_pass = f.creator(10 * USDT, 0);
    let o = open(&mut f, Role::Creator);
    expect_err(rank(&mut f, Role::Creator, o.round, &[member_key(Role::Worker, &worker)]), PictorError::WrongRole);
    expect_err(
        rank(&mut f, Role::Creator, o.round, &[member_key(Role::Creator, &no_pass)]),
        PictorError::NotRoundMember,
    );
    // A non-member account (the config) is refused by its discriminator.
    assert!(rank(&mut f, Role::Creator, o.round, &[pda::config()]).is_err());
}

#[test]
fn a_stale_round_number_or_an_oversized_batch_is_refused() {
    let mut f = Fixture::new();
    creators(&mut f, &[1, 2]);
    let o = open(&mut f, Role::Creator);
    let keys = order(&mut f, Role::Creator, &o);
    expect_err(rank(&mut f, Role::Creator, o.round + 1, &keys), PictorError::WrongRound);
    let extra = [keys.clone(), vec![keys[0]]].concat();
    expect_err(rank(&mut f, Role::Creator, o.round, &extra), PictorError::BatchTooLarge);
    expect_err(rank(&mut f, Role::Creator, o.round, &[]), PictorError::BatchTooLarge);
    let crank = f.crank.insecure_clone();
    let next = f.board(Role::Creator).next_round;
    expect_err(
        f.send(&[ix::open_round(&crank.pubkey(), Role::Creator, next)], &[&crank]),
        PictorError::RoundInProgress,
    );
}

#[test]
fn a_member_revoked_before_its_turn_leaves_the_open_round_at_once_and_the_round_finalises() {
    let mut f = Fixture::new();
    // Scores 5,101 / 5,102 / … : ws[9] ranks first and is the one priority holder of 10.
    let ws = creators(&mut f, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    let o = open(&mut f, Role::Creator);
    assert_eq!((o.members, o.priority_count), (10, 1));
    let admin = f.admin.insecure_clone();
    // Revoke the top member while the round is open, before it is ranked.
    f.send(&[ix::revoke(&admin.pubkey(), Role::Creator, &ws[9].pubkey(), &f.rt.fee_payer(), 3)], &[&admin]).unwrap();
    let open_now = f.board(Role::Creator).open.unwrap();
    assert_eq!((open_now.members, open_now.removed, open_now.priority_count), (9, 1, 1));
    // The crank cannot rank it any more; the rest rank and the round finalises.
    let revoked_key = member_key(Role::Creator, &ws[9]);
    expect_err(rank(&mut f, Role::Creator, o.round, &[revoked_key]), PictorError::NotRoundMember);
    let keys = order(&mut f, Role::Creator, &o);
    assert_eq!(keys.len(), 9);
    rank(&mut f, Role::Creator, o.round, &keys).unwrap();
    finalise(&mut f, Role::Creator, o.round).unwrap();
    let done = f.board(Role::Creator).finalised.unwrap();
    assert_eq!((done.members, done.priority_count, done.removed), (9, 1, 1));
    // The next best member got the round's one priority flag; the revoked one is nobody's rank.
    let top = f.member(Role::Creator, &ws[8].pubkey()).rank_in(o.round).unwrap();
    assert_eq!((top.rank, top.priority), (1, true));
    assert!(f.member(Role::Creator, &ws[9].pubkey()).rank_in(o.round).is_none());
}

#[test]
fn a_priority_member_revoked_after_its_rank_loses_priority_at_once_in_every_reader() {
    let mut f = Fixture::new();
    let ws = creators(&mut f, &[1, 2, 3, 4, 5]);
    run(&mut f, Role::Creator, 10);
    let done = f.board(Role::Creator).finalised.unwrap().round;
    let top = f.member(Role::Creator, &ws[4].pubkey()).rank_in(done).unwrap();
    assert_eq!((top.rank, top.priority), (1, true));
    // A second round opens and ranks the top member, then the admin revokes it mid-round.
    let o = open(&mut f, Role::Creator);
    let keys = order(&mut f, Role::Creator, &o);
    rank(&mut f, Role::Creator, o.round, &keys[..1]).unwrap();
    let admin = f.admin.insecure_clone();
    f.send(&[ix::revoke(&admin.pubkey(), Role::Creator, &ws[4].pubkey(), &f.rt.fee_payer(), 9)], &[&admin]).unwrap();
    // At once: no rank in the finalised round, none in the open one, not on the leaderboard.
    let m = f.member(Role::Creator, &ws[4].pubkey());
    assert!(m.rank_in(done).is_none() && m.rank_in(o.round).is_none());
    let (_, rows) = leaderboard(&mut f.rt, Role::Creator).unwrap().unwrap();
    assert!(rows.iter().all(|r| r.wallet != ws[4].pubkey()));
    assert!(rows.iter().all(|r| !r.entry.priority), "nobody inherits the revoked member's priority");
    let status = pictor_vip_sdk::profile::role_status(&mut f.rt, Role::Creator, &ws[4].pubkey()).unwrap().unwrap();
    assert_eq!((status.pass, status.rank), (PassStatus::Revoked, None));
    // The open round still finalises with the member's place counted.
    rank(&mut f, Role::Creator, o.round, &keys[1..]).unwrap();
    finalise(&mut f, Role::Creator, o.round).unwrap();
    let (_, rows) = leaderboard(&mut f.rt, Role::Creator).unwrap().unwrap();
    assert_eq!(rows.iter().map(|r| r.entry.rank).collect::<Vec<_>>(), vec![2, 3, 4, 5]);
}

#[test]
fn a_pass_burned_and_synced_mid_round_leaves_the_round_like_a_revocation() {
    let mut f = Fixture::new();
    let ws = creators(&mut f, &[1, 2, 3]);
    let o = open(&mut f, Role::Creator);
    f.burn_pass(Role::Creator, &ws[0]);
    f.send(&[ix::sync_pass(Role::Creator, &ws[0].pubkey(), &f.rt.fee_payer())], &[]).unwrap();
    assert_eq!(f.board(Role::Creator).open.unwrap().members, 2);
    let keys = order(&mut f, Role::Creator, &o);
    rank(&mut f, Role::Creator, o.round, &keys).unwrap();
    finalise(&mut f, Role::Creator, o.round).unwrap();
    assert!(f.member(Role::Creator, &ws[0].pubkey()).rank_in(o.round).is_none());
}

#[test]
fn rounds_cannot_open_while_paused() {
    let mut f = Fixture::new();
    creators(&mut f, &[1]);
    let admin = f.admin.insecure_clone();
    f.send(&[ix::set_paused(&admin.pubkey(), true)], &[&admin]).unwrap();
    let crank = f.crank.insecure_clone();
    expect_err(f.send(&[ix::open_round(&crank.pubkey(), Role::Creator, 1)], &[&crank]), PictorError::Paused);
}

// ---- the rules ----

#[test]
fn a_round_ranks_every_holder_by_score_and_flags_the_top_ten_percent_rounded_up() {
    let mut f = Fixture::new();
    let frames = [5u64, 900, 40, 40, 0, 7_000, 12, 300, 299, 1, 64];
    let ws = creators(&mut f, &frames);
    let out = run(&mut f, Role::Creator, 4);
    assert_eq!((out.members, out.priority, out.batches), (11, 2, 3));
    // Independent expectation: score = 5,000 + frames + 100; ties → earlier claim first.
    let mut expected: Vec<(i128, usize)> = frames.iter().enumerate().map(|(i, &n)| (5_100 + n as i128, i)).collect();
    expected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let round = f.board(Role::Creator).finalised.unwrap();
    assert_eq!((round.members, round.priority_count, round.cutoff_score), (11, 2, Some(6_000)));
    for (rank0, (score, i)) in expected.iter().enumerate() {
        let e = f.member(Role::Creator, &ws[*i].pubkey()).rank_in(round.round).unwrap();
        assert_eq!((e.rank as usize, e.score, e.priority), (rank0 + 1, *score, rank0 < 2), "wallet #{i}");
    }
    let (_, rows) = leaderboard(&mut f.rt, Role::Creator).unwrap().unwrap();
    assert_eq!(rows.len(), 11);
    assert_eq!(rows[0].wallet, ws[5].pubkey());
    assert!(rows.windows(2).all(|w| w[0].entry.rank + 1 == w[1].entry.rank));
}

#[test]
fn worker_round_uses_uptime_jobs_gpu_tier_and_ownership() {
    let mut f = Fixture::new();
    // a: 30 × 960 min, no GPU: uptime 16, jobs 0, GPU ⌊28,800/6,000⌋ = 4 steps → 40 × 1.0, +100 = 156
    let a = f.eligible_worker();
    // b: 30 × 1,440 min, a 24 GB GPU (1.5×): uptime 24, GPU 7 steps → 70 × 1.5 = 105, +100 = 229
    let b = f.worker_with_days(&[1_440; 30]);
    f.report(&b.pubkey(), Report::Gpu { model: "RTX 4090".into(), vram_gb: 24, hashpower: 1 }).unwrap();
    // c: 30 × 1,000 min, 60 frames, 30 failures: uptime ⌊30,000/1,800⌋ = 16,
    //    jobs 5×60 − 10×30 = 0, GPU 5 steps → 50, +100 = 166
    let c = Keypair::new();
    let today = f.today();
    for (i, d) in (today - 30..today).enumerate() {
        let failed = if i == 29 { 30 } else { 0 };
        let r = Report::WorkerDay { day_index: d, uptime_minutes: 1_000, frames_completed: 2, jobs_failed: failed };
        f.report_seq(&c.pubkey(), i as u64 + 1, r).unwrap();
    }
    for w in [&a, &b, &c] {
        f.claim(w, Role::Worker).unwrap();
    }
    run(&mut f, Role::Worker, 10);
    let round = f.board(Role::Worker).finalised.unwrap().round;
    let got: Vec<_> =
        [&a, &b, &c].iter().map(|w| f.member(Role::Worker, &w.pubkey()).rank_in(round).unwrap()).collect();
    assert_eq!(got.iter().map(|e| e.score).collect::<Vec<_>>(), vec![156, 229, 166]);
    assert_eq!(got.iter().map(|e| e.rank).collect::<Vec<_>>(), vec![3, 1, 2]);
    assert_eq!(got.iter().map(|e| e.priority).collect::<Vec<_>>(), vec![false, true, false]);
}

#[test]
fn a_report_arriving_mid_round_counts_from_the_next_round() {
    let mut f = Fixture::new();
    let ws = creators(&mut f, &[100, 200]);
    let o = open(&mut f, Role::Creator);
    // ws[0] overtakes ws[1] after the snapshot; the open round must not see it.
    f.report(&ws[0].pubkey(), Report::Frames { frames: 1_000 }).unwrap();
    assert!(f.member(Role::Creator, &ws[0].pubkey()).header().frozen_score(o.round).is_some());
    let keys = order(&mut f, Role::Creator, &o);
    assert_eq!(keys[0], member_key(Role::Creator, &ws[1]));
    rank(&mut f, Role::Creator, o.round, &keys).unwrap();
    finalise(&mut f, Role::Creator, o.round).unwrap();
    let e = f.member(Role::Creator, &ws[0].pubkey()).rank_in(o.round).unwrap();
    assert_eq!((e.rank, e.score), (2, 5_200));
    // The fact was kept: the next round sees it.
    run(&mut f, Role::Creator, 10);
    let next = f.board(Role::Creator).finalised.unwrap().round;
    let e = f.member(Role::Creator, &ws[0].pubkey()).rank_in(next).unwrap();
    assert_eq!((e.rank, e.score), (1, 6_200));
}

#[test]
fn a_pass_claimed_mid_round_joins_the_next_round() {
    let mut f = Fixture::new();
    creators(&mut f, &[1, 2]);
    let o = open(&mut f, Role::Creator);
    let late = f.holder(9_000 * USDT);
    assert_eq!(f.member(Role::Creator, &late.pubkey()).header().pass_first_round, o.round + 1);
    expect_err(rank(&mut f, Role::Creator, o.round, &[member_key(Role::Creator, &late)]), PictorError::NotRoundMember);
    let out = run(&mut f, Role::Creator, 10);
    assert_eq!((out.round, out.members, out.resumed), (o.round, 2, true));
    let next = run(&mut f, Role::Creator, 10);
    assert_eq!(next.members, 3);
    assert_eq!(f.member(Role::Creator, &late.pubkey()).rank_in(next.round).unwrap().rank, 1);
}

#[test]
fn a_crank_that_died_mid_round_resumes_where_it_stopped() {
    let mut f = Fixture::new();
    creators(&mut f, &[5, 4, 3, 2, 1]);
    let o = open(&mut f, Role::Creator);
    let keys = order(&mut f, Role::Creator, &o);
    rank(&mut f, Role::Creator, o.round, &keys[..2]).unwrap();
    // "Crash"; a new crank run picks up the open round.
    let out = run(&mut f, Role::Creator, 2);
    assert_eq!((out.round, out.resumed, out.batches, out.members), (o.round, true, 2, 5));
    assert_eq!(f.board(Role::Creator).finalised.unwrap().round, o.round);
}

#[test]
fn an_abandoned_round_is_replaced_by_a_new_number() {
    let mut f = Fixture::new();
    creators(&mut f, &[5, 4, 3]);
    let o = open(&mut f, Role::Creator);
    let keys = order(&mut f, Role::Creator, &o);
    rank(&mut f, Role::Creator, o.round, &keys[..1]).unwrap();
    let crank = f.crank.insecure_clone();
    f.send(&[ix::abandon_round(&crank.pubkey(), Role::Creator, o.round)], &[&crank]).unwrap();
    assert!(f.board(Role::Creator).open.is_none());
    expect_err(rank(&mut f, Role::Creator, o.round, &keys[1..]), PictorError::NoOpenRound);
    let out = run(&mut f, Role::Creator, 10);
    assert_eq!((out.round, out.members, out.resumed), (o.round + 1, 3, false));
}

#[test]
fn the_latest_finalised_round_stays_readable_while_a_new_one_runs() {
    let mut f = Fixture::new();
    let ws = creators(&mut f, &[10, 20]);
    let first = run(&mut f, Role::Creator, 10);
    f.report(&ws[0].pubkey(), Report::Frames { frames: 100 }).unwrap();
    let o = open(&mut f, Role::Creator);
    let keys = order(&mut f, Role::Creator, &o);
    rank(&mut f, Role::Creator, o.round, &keys[..1]).unwrap();
    // Mid-round: the scheduler still reads round `first` for both members.
    let b = f.board(Role::Creator);
    assert_eq!(b.finalised.as_ref().unwrap().round, first.round);
    for (w, rank_expected) in [(&ws[0], 2), (&ws[1], 1)] {
        let m = f.member(Role::Creator, &w.pubkey());
        assert_eq!(m.rank_in(first.round).unwrap().rank, rank_expected);
    }
    rank(&mut f, Role::Creator, o.round, &keys[1..]).unwrap();
    finalise(&mut f, Role::Creator, o.round).unwrap();
    let m = f.member(Role::Creator, &ws[0].pubkey());
    assert_eq!(m.rank_in(o.round).unwrap().rank, 1);
}

#[test]
fn an_empty_role_finalises_an_empty_round() {
    let mut f = Fixture::new();
    let out = run(&mut f, Role::Worker, 10);
    assert_eq!((out.members, out.priority, out.batches), (0, 0, 0));
    let r = f.board(Role::Worker).finalised.unwrap();
    assert_eq!((r.members, r.cutoff_score), (0, None));
}

#[test]
fn a_burned_pass_synced_after_a_round_leaves_the_next_one() {
    let mut f = Fixture::new();
    let ws = creators(&mut f, &[1, 2, 3]);
    run(&mut f, Role::Creator, 10);
    f.burn_pass(Role::Creator, &ws[1]);
    f.send(&[ix::sync_pass(Role::Creator, &ws[1].pubkey(), &f.rt.fee_payer())], &[]).unwrap();
    assert_eq!(f.member(Role::Creator, &ws[1].pubkey()).pass_status(), PassStatus::Burned);
    assert_eq!(run(&mut f, Role::Creator, 10).members, 2);
}

#[test]
fn the_crank_syncs_a_burned_pass_before_it_opens_a_round() {
    let mut f = Fixture::new();
    let ws = creators(&mut f, &[1, 2, 3]);
    f.burn_pass(Role::Creator, &ws[2]);
    // Nobody called sync_pass: the crank does it before opening.
    let out = run(&mut f, Role::Creator, 10);
    assert_eq!(out.members, 2);
    assert_eq!(f.member(Role::Creator, &ws[2].pubkey()).pass_status(), PassStatus::Burned);
    assert!(f.member(Role::Creator, &ws[2].pubkey()).rank_in(out.round).is_none());
}

#[test]
fn gpu_tiers_and_priority_share_come_from_the_config_frozen_at_open() {
    let mut rules = Rules { priority_bps: 5_000, ..Rules::default() };
    rules.scoring.gpu_tiers = vec![
        GpuTier { min_vram_gb: 0, min_hashpower: 0, multiplier_bps: 10_000 },
        GpuTier { min_vram_gb: 8, min_hashpower: 0, multiplier_bps: 30_000 },
    ];
    let mut f = Fixture::with_rules(rules);
    let w = f.worker_with_days(&[1_440; 30]);
    f.report(&w.pubkey(), Report::Gpu { model: "T4".into(), vram_gb: 16, hashpower: 0 }).unwrap();
    f.claim(&w, Role::Worker).unwrap();
    let o = open(&mut f, Role::Worker);
    // A config change while the round is open does not move it.
    let admin = f.admin.insecure_clone();
    f.send(&[ix::update_config(&admin.pubkey(), Some(Rules::default()), None)], &[&admin]).unwrap();
    let keys = order(&mut f, Role::Worker, &o);
    rank(&mut f, Role::Worker, o.round, &keys).unwrap();
    finalise(&mut f, Role::Worker, o.round).unwrap();
    // 24 + ⌊43,200/6,000⌋ × 10 × 3.0 + 100 = 24 + 210 + 100
    assert_eq!(f.member(Role::Worker, &w.pubkey()).rank_in(o.round).unwrap().score, 334);
}

#[test]
fn the_crank_keeps_its_lookup_tables_across_rounds_and_extends_them_for_new_holders() {
    let mut f = Fixture::new();
    creators(&mut f, &[1, 2, 3]);
    let first = run(&mut f, Role::Creator, 0);
    // One table: created, then extended with the board and the three members.
    assert_eq!(first.table_transactions, 2);
    let crank_key = f.crank.pubkey();
    let tables = crank::role_lookup_tables(&mut f.rt, &crank_key, Role::Creator).unwrap();
    assert_eq!(tables.len(), 1);
    assert_eq!(tables[0].addresses[0], pda::board(Role::Creator));
    // Same holders: no table transaction at all.
    assert_eq!(run(&mut f, Role::Creator, 0).table_transactions, 0);
    // A new holder: one extension of the same table.
    creators(&mut f, &[4]);
    let third = run(&mut f, Role::Creator, 0);
    assert_eq!((third.members, third.table_transactions), (4, 1));
    let tables = crank::role_lookup_tables(&mut f.rt, &crank_key, Role::Creator).unwrap();
    assert_eq!((tables.len(), tables[0].addresses.len()), (1, 5));
    // The worker role keeps tables of its own.
    assert!(crank::role_lookup_tables(&mut f.rt, &crank_key, Role::Worker).unwrap().is_empty());
}

#[test]
fn a_round_runs_the_same_with_legacy_transactions() {
    let mut f = Fixture::new();
    let ws = creators(&mut f, &[5, 1, 3]);
    let crank_kp = f.crank.insecure_clone();
    let options = crank::RoundOptions { batch_size: 2, lookup_tables: false, ..Default::default() };
    let out = crank::run_round(&mut f.rt, &crank_kp, Role::Creator, options, &mut |_, _| {}).unwrap();
    assert_eq!((out.batches, out.table_transactions), (2, 0));
    let ranks: Vec<u32> =
        ws.iter().map(|w| f.member(Role::Creator, &w.pubkey()).rank_in(out.round).unwrap().rank).collect();
    assert_eq!(ranks, vec![1, 3, 2]);
}

#[test]
fn the_crank_resumes_a_round_whose_ranked_member_was_revoked_meanwhile() {
    let mut f = Fixture::new();
    let ws = creators(&mut f, &[1, 2, 3, 4]);
    let o = open(&mut f, Role::Creator);
    let keys = order(&mut f, Role::Creator, &o);
    rank(&mut f, Role::Creator, o.round, &keys[..2]).unwrap();
    // The crank "crashes"; the admin revokes the top member, already ranked.
    let admin = f.admin.insecure_clone();
    f.send(&[ix::revoke(&admin.pubkey(), Role::Creator, &ws[3].pubkey(), &f.rt.fee_payer(), 5)], &[&admin]).unwrap();
    let out = run(&mut f, Role::Creator, 10);
    assert_eq!((out.round, out.resumed, out.members), (o.round, true, 4), "resumed, not started over");
    let ranks: Vec<Option<u32>> =
        ws.iter().map(|w| f.member(Role::Creator, &w.pubkey()).rank_in(o.round).map(|e| e.rank)).collect();
    assert_eq!(ranks, vec![Some(4), Some(3), Some(2), None]);
}

/// A transport whose `sync_pass` of one wallet always fails, as a holder's
/// CPI guard used to make it fail.
struct RefusingSyncOf<'a> {
    inner: &'a mut pictor_vip_sdk::transport::InProcess,
    member: Pubkey,
}

impl Transport for RefusingSyncOf<'_> {
    fn fee_payer(&self) -> Pubkey {
        self.inner.fee_payer()
    }
    fn get_account(&mut self, key: &Pubkey) -> pictor_vip_sdk::Result<Option<solana_account::Account>> {
        self.inner.get_account(key)
    }
    fn program_accounts(&mut self, d: &[u8]) -> pictor_vip_sdk::Result<Vec<(Pubkey, solana_account::Account)>> {
        self.inner.program_accounts(d)
    }
    fn now(&mut self) -> pictor_vip_sdk::Result<i64> {
        self.inner.now()
    }
    fn send(&mut self, ixs: &[solana_instruction::Instruction], signers: &[&Keypair]) -> Result<(), SendError> {
        let sync = pictor_vip::instruction::SyncPass::DISCRIMINATOR;
        if ixs.iter().any(|i| i.data.starts_with(sync) && i.accounts.iter().any(|m| m.pubkey == self.member)) {
            return Err(SendError::Program {
                index: 0,
                code: Some(44),
                name: "Custom(44)".into(),
                message: "close blocked by the holder's CPI guard".into(),
            });
        }
        self.inner.send(ixs, signers)
    }
    fn set_compute_unit_price(&mut self, micro_lamports: u64) {
        self.inner.set_compute_unit_price(micro_lamports)
    }
    fn send_v0(
        &mut self,
        ixs: &[solana_instruction::Instruction],
        signers: &[&Keypair],
        tables: &[pictor_vip_sdk::transport::AddressLookupTableAccount],
    ) -> Result<usize, SendError> {
        self.inner.send_v0(ixs, signers, tables)
    }
    fn slot(&mut self) -> pictor_vip_sdk::Result<u64> {
        self.inner.slot()
    }
    fn wait_for_slot(&mut self, slot: u64) -> pictor_vip_sdk::Result<()> {
        self.inner.wait_for_slot(slot)
    }
    fn fees_paid_lamports(&self) -> u64 {
        self.inner.fees_paid_lamports()
    }
    fn lookup_tables(
        &mut self,
        authority: &Pubkey,
    ) -> pictor_vip_sdk::Result<Vec<pictor_vip_sdk::transport::LookupTable>> {
        self.inner.lookup_tables(authority)
    }
}

#[test]
fn one_members_failing_sync_never_stops_the_round_for_everyone() {
    let mut f = Fixture::new();
    let ws = creators(&mut f, &[1, 2, 3]);
    f.burn_pass(Role::Creator, &ws[0]);
    f.burn_pass(Role::Creator, &ws[2]);
    let crank_kp = f.crank.insecure_clone();
    let mut t = RefusingSyncOf { inner: &mut f.rt, member: pda::member(Role::Creator, &ws[2].pubkey()) };
    let out =
        crank::run_round(&mut t, &crank_kp, Role::Creator, crank::RoundOptions::default(), &mut |_, _| {}).unwrap();
    // Reported, and the round went on: ws[0] synced, ws[2] still counts
    // (burned but not synced: its pass is active for the program until someone syncs it).
    assert_eq!(out.synced, 1);
    assert_eq!(out.sync_failures.iter().map(|(w, _)| *w).collect::<Vec<_>>(), vec![ws[2].pubkey()]);
    assert!(out.sync_failures[0].1.contains("CPI guard"), "{:?}", out.sync_failures);
    assert_eq!(out.members, 2);
    assert_eq!(f.board(Role::Creator).finalised.unwrap().round, out.round);
    assert_eq!(f.member(Role::Creator, &ws[2].pubkey()).rank_in(out.round).map(|e| e.rank), Some(1));
    // Anyone's later sync takes it out at once.
    f.send(&[ix::sync_pass(Role::Creator, &ws[2].pubkey(), &f.rt.fee_payer())], &[]).unwrap();
    assert!(f.member(Role::Creator, &ws[2].pubkey()).rank_in(out.round).is_none());
}
