//! Account sizes and rent, measured on accounts the program really creates.
mod common;
use common::*;
use pictor_vip::instructions::Report;
use pictor_vip::state::{member_space, Board, Config, Role};
use pictor_vip_sdk::pda;
use solana_signer::Signer;

/// Rent-exempt minimum of a tracked worker before the zero-copy layout, lamports.
const WORKER_RENT_BEFORE: u64 = 5_505_360;
/// Target for a tracked worker (issue: real VM), lamports.
const WORKER_RENT_TARGET: u64 = 3_400_000;
/// Target for a tracked creator (fact time and reward balance included), lamports.
const CREATOR_RENT_TARGET: u64 = 2_300_000;

#[test]
fn account_sizes_and_rent_are_as_documented() {
    let mut f = Fixture::new();
    let creator = f.holder(5_000 * USDT);
    let worker = f.eligible_worker();
    f.claim(&worker, Role::Worker).unwrap();
    f.report(&worker.pubkey(), Report::Gpu { model: "M".repeat(32), vram_gb: 24, hashpower: 1 }).unwrap();
    let rows = [
        ("config", pda::config(), 8 + <Config as anchor_lang::Space>::INIT_SPACE),
        ("board (per role)", pda::board(Role::Creator), 8 + <Board as anchor_lang::Space>::INIT_SPACE),
        ("member, creator", pda::member(Role::Creator, &creator.pubkey()), member_space(Role::Creator)),
        ("member, worker", pda::member(Role::Worker, &worker.pubkey()), member_space(Role::Worker)),
        ("pass mint (Token-2022)", pda::pass_mint(Role::Creator, &creator.pubkey()), 0),
        ("holder token account", pda::holder_ata(Role::Creator, &creator.pubkey()), 0),
    ];
    for (name, key, expected) in rows {
        let a = f.account(&key).unwrap();
        println!("| {name} | {} bytes | {} lamports |", a.data.len(), a.lamports);
        if expected > 0 {
            assert_eq!(a.data.len(), expected, "{name}");
        }
    }
    let worker_rent = f.account(&pda::member(Role::Worker, &worker.pubkey())).unwrap().lamports;
    let creator_rent = f.account(&pda::member(Role::Creator, &creator.pubkey())).unwrap().lamports;
    assert!(worker_rent <= WORKER_RENT_TARGET, "worker member rent {worker_rent} lamports");
    assert!(creator_rent <= CREATOR_RENT_TARGET, "creator member rent {creator_rent} lamports");
    println!(
        "100,000 tracked workers lock {} SOL in rent (was {} SOL)",
        format_sol(100_000 * worker_rent),
        format_sol(100_000 * WORKER_RENT_BEFORE)
    );
}

fn format_sol(lamports: u64) -> String {
    format!("{}.{:09}", lamports / 1_000_000_000, lamports % 1_000_000_000)
}
