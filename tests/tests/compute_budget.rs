//! Every transaction the SDK sends carries a compute-unit limit from the
//! estimates, and the price the caller sets: the fee the payer is charged
//! shows both.
mod common;
use common::*;
use pictor_vip::instructions::Report;
use pictor_vip_sdk::compute::limit_for;
use pictor_vip_sdk::ix;
use pictor_vip_sdk::transport::Transport;
use solana_pubkey::Pubkey;
use solana_signer::Signer;

fn fee_of(f: &mut Fixture, report: Report, wallet: &Pubkey) -> u64 {
    let payer = f.rt.fee_payer();
    let before = f.account(&payer).unwrap().lamports;
    f.report(wallet, report).unwrap();
    before - f.account(&payer).unwrap().lamports
}

#[test]
fn the_priority_fee_is_the_price_times_the_estimated_limit() {
    let mut f = Fixture::new();
    let w = Pubkey::new_unique();
    f.report(&w, Report::Recharge { amount_base_units: 10 * USDT }).unwrap();
    let base_fee = fee_of(&mut f, Report::Frames { frames: 1 }, &w);
    // 2 signatures (fee payer and oracle), 5,000 lamports each, no price.
    assert_eq!(base_fee, 10_000);
    let price_micro_lamports = 2_000_000; // 2 lamports per compute unit
    f.rt.set_compute_unit_price(price_micro_lamports);
    let fee = fee_of(&mut f, Report::Frames { frames: 1 }, &w);
    let oracle = f.oracle.pubkey();
    let limit = limit_for(&[ix::report(&oracle, &w, 3, t0(), Report::Frames { frames: 1 })]);
    assert_eq!(fee - base_fee, u64::from(limit) * price_micro_lamports / 1_000_000);
    assert!(limit < 100_000, "a report requests its estimate, not the default 1.4 M ({limit})");
}
