//! Initialisation, admin-only configuration and the two-step hand-over.
mod common;
use common::*;
use pictor_vip::errors::PictorError;
use pictor_vip::state::{GpuTier, Rules};
use pictor_vip_sdk::{ix, pda};
use solana_keypair::Keypair;
use solana_signer::Signer;

#[test]
fn a_stranger_cannot_initialise_before_the_upgrade_authority() {
    let mut f = Fixture::uninitialised();
    let stranger = Keypair::new();
    f.rt.airdrop(&stranger.pubkey(), 1_000_000_000).unwrap();
    let args = f.init_args(Rules::default(), pass_metadata());
    expect_err(f.send(&[ix::initialize(&stranger.pubkey(), args)], &[&stranger]), PictorError::NotUpgradeAuthority);
    assert!(f.account(&pda::config()).is_none());
    let admin = f.admin.insecure_clone();
    f.send(&[ix::initialize(&admin.pubkey(), f.init_args(Rules::default(), pass_metadata()))], &[&admin]).unwrap();
    let config = f.config();
    assert_eq!(config.admin, admin.pubkey());
    assert_eq!(config.rules, Rules::default());
    assert_eq!(f.board(pictor_vip::state::Role::Worker).next_round, 1);
}

#[test]
fn initialise_twice_fails() {
    let mut f = Fixture::new();
    let admin = f.admin.insecure_clone();
    let args = f.init_args(Rules::default(), pass_metadata());
    assert!(f.send(&[ix::initialize(&admin.pubkey(), args)], &[&admin]).is_err());
}

#[test]
fn admin_only_instructions_refuse_another_signer_and_change_nothing() {
    let mut f = Fixture::new();
    let mallory = Keypair::new();
    let m = mallory.pubkey();
    let before = f.snapshot(&[pda::config()]);
    for ixn in [
        ix::set_paused(&m, true),
        ix::add_oracle(&m, m),
        ix::remove_oracle(&m, f.oracle.pubkey()),
        ix::set_crank(&m, m),
        ix::propose_admin(&m, Some(m)),
        ix::update_config(&m, Some(Rules::default()), None),
    ] {
        expect_err(f.send(&[ixn], &[&mallory]), PictorError::NotAdmin);
    }
    assert_eq!(f.snapshot(&[pda::config()]), before);
}

#[test]
fn admin_hand_over_needs_both_steps() {
    let mut f = Fixture::new();
    let admin = f.admin.insecure_clone();
    let next = Keypair::new();
    // Accepting without a proposal fails.
    expect_err(f.send(&[ix::accept_admin(&next.pubkey())], &[&next]), PictorError::NotPendingAdmin);
    f.send(&[ix::propose_admin(&admin.pubkey(), Some(next.pubkey()))], &[&admin]).unwrap();
    // Proposed is not yet admin.
    assert_eq!(f.config().admin, admin.pubkey());
    expect_err(f.send(&[ix::set_paused(&next.pubkey(), true)], &[&next]), PictorError::NotAdmin);
    // Someone else cannot accept.
    let other = Keypair::new();
    expect_err(f.send(&[ix::accept_admin(&other.pubkey())], &[&other]), PictorError::NotPendingAdmin);
    f.send(&[ix::accept_admin(&next.pubkey())], &[&next]).unwrap();
    let c = f.config();
    assert_eq!((c.admin, c.pending_admin), (next.pubkey(), None));
    expect_err(f.send(&[ix::set_paused(&admin.pubkey(), true)], &[&admin]), PictorError::NotAdmin);
    f.send(&[ix::set_paused(&next.pubkey(), true)], &[&next]).unwrap();
    assert!(f.config().paused);
}

#[test]
fn oracles_are_added_and_removed_by_the_admin() {
    let mut f = Fixture::new();
    let admin = f.admin.insecure_clone();
    let o2 = Keypair::new();
    expect_err(
        f.send(&[ix::add_oracle(&admin.pubkey(), f.oracle.pubkey())], &[&admin]),
        PictorError::OracleAlreadyPresent,
    );
    f.send(&[ix::add_oracle(&admin.pubkey(), o2.pubkey())], &[&admin]).unwrap();
    assert_eq!(f.config().oracles, vec![f.oracle.pubkey(), o2.pubkey()]);
    for _ in 0..6 {
        f.send(&[ix::add_oracle(&admin.pubkey(), Keypair::new().pubkey())], &[&admin]).unwrap();
    }
    expect_err(
        f.send(&[ix::add_oracle(&admin.pubkey(), Keypair::new().pubkey())], &[&admin]),
        PictorError::TooManyOracles,
    );
    f.send(&[ix::remove_oracle(&admin.pubkey(), o2.pubkey())], &[&admin]).unwrap();
    expect_err(f.send(&[ix::remove_oracle(&admin.pubkey(), o2.pubkey())], &[&admin]), PictorError::OracleNotFound);
    assert!(!f.config().oracles.contains(&o2.pubkey()));
}

#[test]
fn each_invalid_config_field_is_refused_with_its_own_error_and_changes_nothing() {
    let mut f = Fixture::new();
    let admin = f.admin.insecure_clone();
    let before = f.snapshot(&[pda::config()]);
    let window = |days: u16| {
        let mut r = Rules::default();
        r.scoring.worker_window_days = days;
        r
    };
    let tiers = |extra: Vec<GpuTier>| {
        let mut r = Rules::default();
        r.scoring.gpu_tiers.extend(extra);
        r
    };
    let tier = |multiplier_bps: u16| GpuTier { min_vram_gb: 1, min_hashpower: 0, multiplier_bps };
    let bad: Vec<(Rules, PictorError)> = vec![
        (Rules { creator_min_spent_base_units: 0, ..Rules::default() }, PictorError::CreatorThresholdZero),
        (Rules { worker_min_daily_uptime_minutes: 0, ..Rules::default() }, PictorError::DailyUptimeOutOfRange),
        (Rules { worker_min_daily_uptime_minutes: 1_441, ..Rules::default() }, PictorError::DailyUptimeOutOfRange),
        (Rules { priority_bps: 0, ..Rules::default() }, PictorError::PriorityBpsOutOfRange),
        (Rules { priority_bps: 10_001, ..Rules::default() }, PictorError::PriorityBpsOutOfRange),
        (window(0), PictorError::WindowOutOfRange),
        (window(61), PictorError::WindowOutOfRange),
        (Rules { worker_max_offline_run_days: 31, ..Rules::default() }, PictorError::OfflineRunExceedsWindow),
        (tiers(vec![tier(0)]), PictorError::GpuMultiplierOutOfRange),
        (tiers(vec![tier(50_001)]), PictorError::GpuMultiplierOutOfRange),
        (tiers(vec![tier(10_000); 5]), PictorError::TooManyGpuTiers),
    ];
    for (rules, error) in bad {
        expect_err(f.send(&[ix::update_config(&admin.pubkey(), Some(rules), None)], &[&admin]), error);
    }
    let meta = |edit: fn(&mut pictor_vip::state::PassMetadata)| {
        let mut m = pass_metadata();
        edit(&mut m);
        m
    };
    let bad_meta: Vec<(pictor_vip::state::PassMetadata, PictorError)> = vec![
        (meta(|m| m.creator_name.clear()), PictorError::PassNameInvalid),
        (meta(|m| m.worker_name = "W".repeat(33)), PictorError::PassNameInvalid),
        (meta(|m| m.symbol.clear()), PictorError::PassSymbolInvalid),
        (meta(|m| m.symbol = "S".repeat(11)), PictorError::PassSymbolInvalid),
        (meta(|m| m.creator_uri = "u".repeat(201)), PictorError::PassUriTooLong),
        (meta(|m| m.worker_uri = "u".repeat(201)), PictorError::PassUriTooLong),
    ];
    for (m, error) in bad_meta {
        expect_err(f.send(&[ix::update_config(&admin.pubkey(), None, Some(m))], &[&admin]), error);
    }
    assert_eq!(f.snapshot(&[pda::config()]), before);
    // The limits themselves are accepted.
    let edge = meta(|m| {
        m.creator_name = "C".repeat(32);
        m.worker_name = "W".repeat(32);
        m.symbol = "S".repeat(10);
        m.creator_uri = "u".repeat(200);
        m.worker_uri = "u".repeat(200);
    });
    f.send(&[ix::update_config(&admin.pubkey(), Some(window(60)), Some(edge.clone()))], &[&admin]).unwrap();
    assert_eq!(f.config().pass_metadata, edge);
    let good = Rules { creator_min_spent_base_units: 1_000 * USDT, ..Rules::default() };
    f.send(&[ix::update_config(&admin.pubkey(), Some(good.clone()), None)], &[&admin]).unwrap();
    assert_eq!(f.config().rules, good);
}

#[test]
fn a_dry_run_tells_what_a_transaction_would_do_and_changes_nothing() {
    use pictor_vip_sdk::transport::Transport;
    let mut f = Fixture::new();
    let admin = f.admin.insecure_clone();
    let before = f.snapshot(&[pda::config()]);
    let sim = f.rt.simulate(&[ix::set_paused(&admin.pubkey(), true)], &[&admin]).unwrap();
    assert!(sim.error.is_none(), "{sim:?}");
    assert!(sim.fee_lamports >= 5_000 && sim.instructions == 2, "a compute-unit limit goes in front: {sim:?}");
    let mallory = Keypair::new();
    let sim = f.rt.simulate(&[ix::set_paused(&mallory.pubkey(), true)], &[&mallory]).unwrap();
    assert!(sim.error.as_ref().is_some_and(|e| e.is(PictorError::NotAdmin)), "{sim:?}");
    assert_eq!(sim.error.unwrap().instruction_index(), Some(0), "numbered as the caller's instructions");
    assert_eq!(f.snapshot(&[pda::config()]), before);
    assert!(!f.config().paused);
}
