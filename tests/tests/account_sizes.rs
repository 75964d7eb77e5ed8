//! Account sizes and rent, measured on accounts the program really creates.
mod common;
use common::*;
use pictor_vip::instructions::Report;
use pictor_vip::state::{Board, Config, Member, Role};
use pictor_vip_sdk::pda;
use solana_signer::Signer;

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
        ("member, creator", pda::member(Role::Creator, &creator.pubkey()), Member::space(Role::Creator)),
        ("member, worker", pda::member(Role::Worker, &worker.pubkey()), Member::space(Role::Worker)),
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
}
