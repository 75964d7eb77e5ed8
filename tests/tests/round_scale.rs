//! Scale of a ranking round: a complete round over 2,000 holders checked
//! against an independent sort, and the batch sizes that fit a transaction.
mod common;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_lang::{AccountSerialize, Discriminator, Space};
use anchor_spl::token_2022::spl_token_2022::state::Mint;
use common::*;
use pictor_vip::constants::{MAX_RANK_BATCH, MAX_TX_ACCOUNT_LOCKS};
use pictor_vip::state::{member_space, Board, CreatorFacts, CreatorMember, PassStatus, Role, MEMBER_LAYOUT_VERSION};
use pictor_vip::time::month_index;
use pictor_vip_sdk::crank;
use pictor_vip_sdk::pda;
use pictor_vip_sdk::transport::{Transport, PACKET_DATA_SIZE};
use solana_account::Account;
use solana_message::AddressLookupTableAccount;
use solana_message::{v0, VersionedMessage};
use solana_pubkey::Pubkey;
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;

const HOLDERS: usize = 2_000;

fn store<T: AccountSerialize>(f: &mut Fixture, key: Pubkey, value: &T, len: usize) {
    let mut data = Vec::with_capacity(len);
    value.try_serialize(&mut data).unwrap();
    data.resize(len, 0);
    f.rt.set_account(
        &key,
        Account { lamports: 10_000_000, data, owner: pda::program_id(), executable: false, rent_epoch: 0 },
    );
}

/// Size of a v0 transaction ranking `n` members held in a lookup table.
fn v0_size(payer: &Pubkey, crank: &Pubkey, n: usize) -> (usize, usize) {
    let members: Vec<Pubkey> = (0..n).map(|_| Pubkey::new_unique()).collect();
    let table = AddressLookupTableAccount { key: Pubkey::new_unique(), addresses: members.clone() };
    let ixs = crank::rank_batch_instructions(crank, Role::Creator, 1, &members);
    let msg = v0::Message::try_compile(payer, &ixs, &[table], Default::default()).unwrap();
    let locked = msg.account_keys.len()
        + msg.address_table_lookups.iter().map(|l| l.writable_indexes.len() + l.readonly_indexes.len()).sum::<usize>();
    let sigs = usize::from(msg.header.num_required_signatures);
    let tx = VersionedTransaction { signatures: vec![Default::default(); sigs], message: VersionedMessage::V0(msg) };
    (bincode_size(&tx), locked)
}

fn bincode_size(tx: &VersionedTransaction) -> usize {
    // Shortvec signature count + signatures + message.
    let msg = tx.message.serialize().len();
    1 + 64 * tx.signatures.len() + msg
}

fn max_v0_batch(payer: &Pubkey, crank: &Pubkey) -> usize {
    (1..=MAX_RANK_BATCH)
        .take_while(|&n| {
            let (size, locked) = v0_size(payer, crank, n);
            size <= PACKET_DATA_SIZE && locked <= MAX_TX_ACCOUNT_LOCKS
        })
        .last()
        .unwrap()
}

#[test]
fn batch_sizes_meet_the_targets() {
    let payer = Pubkey::new_unique();
    let crank = Pubkey::new_unique();
    let legacy_two_signers = crank::max_rank_batch(&payer, &crank, Role::Creator);
    let legacy_crank_pays = crank::max_rank_batch(&crank, &crank, Role::Creator);
    let lut_two_signers = max_v0_batch(&payer, &crank);
    let lut_crank_pays = max_v0_batch(&crank, &crank);
    // The SDK's bound agrees with this independent one.
    assert_eq!(crank::max_lookup_rank_batch(&payer, &crank, Role::Creator), lut_two_signers);
    assert_eq!(crank::max_lookup_rank_batch(&crank, &crank, Role::Creator), lut_crank_pays.min(MAX_RANK_BATCH));
    println!("rank_batch members per transaction: legacy {legacy_two_signers} (separate fee payer) / {legacy_crank_pays} (crank pays);");
    println!(
        "  with an address lookup table {lut_two_signers} / {lut_crank_pays} (bound: 64 account locks, 1,232 bytes)"
    );
    for n in [1_000u32, 10_000] {
        let txs = |b: usize| n.div_ceil(b as u32) + 2;
        println!(
            "  {n} members: {} transactions legacy, {} with a lookup table (incl. open + finalise)",
            txs(legacy_crank_pays),
            txs(lut_crank_pays)
        );
    }
    // 24: the event authority (events as inner instructions) takes one member's 33 bytes.
    assert!(legacy_two_signers >= 24, "{legacy_two_signers}");
    assert!(lut_two_signers >= 50, "{lut_two_signers}");
}

/// Stores `n` creator holders (serials 1..=n) with pseudo-random facts and
/// returns `(score, serial, wallet)` computed independently of the program.
fn inject_creators(f: &mut Fixture, n: usize) -> Vec<(i128, u64, Pubkey)> {
    let now = f.now();
    let month = month_index(now).unwrap();
    // Deterministic pseudo-random facts with plenty of ties.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut expected: Vec<(i128, u64, Pubkey)> = Vec::with_capacity(n);
    for i in 0..n {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let recharged_usdt = 5_000 + (seed >> 33) % 400;
        let frames = (seed >> 20) % 50;
        let wallet = Pubkey::new_unique();
        let serial = i as u64 + 1;
        let mut member: CreatorMember = bytemuck::Zeroable::zeroed();
        member.header.wallet = wallet;
        member.header.role = Role::Creator as u8;
        member.header.layout_version = MEMBER_LAYOUT_VERSION;
        member.header.bump = Pubkey::find_program_address(&[b"member", &[0], wallet.as_ref()], &pda::program_id()).1;
        member.header.last_seq = 2;
        member.header.set_pass_status(PassStatus::Active);
        member.header.pass_serial = serial as u32;
        member.header.pass_first_round = 1;
        member.header.pass_rent_payer = f.rt.fee_payer();
        member.facts = CreatorFacts {
            deposited_base_units: recharged_usdt * USDT,
            spent_base_units: 5_000 * USDT,
            frames_rendered: frames,
            recharge_month: month,
            month_recharged_base_units: recharged_usdt * USDT + 123,
            reserved: [0; 4],
        };
        let mut data = CreatorMember::DISCRIMINATOR.to_vec();
        data.extend_from_slice(bytemuck::bytes_of(&member));
        assert_eq!(data.len(), member_space(Role::Creator));
        f.rt.set_account(
            &pda::member(Role::Creator, &wallet),
            Account { lamports: 10_000_000, data, owner: pda::program_id(), executable: false, rent_epoch: 0 },
        );
        // The holder's pass mint, supply 1 (the crank checks it before opening a round).
        let mint = Mint { supply: 1, decimals: 0, is_initialized: true, ..Mint::default() };
        let mut data = vec![0; Mint::LEN];
        mint.pack_into_slice(&mut data);
        let account =
            Account { lamports: 10_000_000, data, owner: anchor_spl::token_2022::ID, executable: false, rent_epoch: 0 };
        f.rt.set_account(&pda::pass_mint(Role::Creator, &wallet), account);
        expected.push((i128::from(recharged_usdt + frames + 100), serial, wallet));
    }
    let mut board: Board = f.board(Role::Creator);
    board.passes_issued = n as u64;
    board.active_holders = n as u32;
    store(f, pda::board(Role::Creator), &board, 8 + Board::INIT_SPACE);
    expected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    expected
}

#[test]
fn a_round_over_2000_holders_matches_an_independent_sort() {
    let mut f = Fixture::new();
    let expected = inject_creators(&mut f, HOLDERS);

    let crank_kp = f.crank.insecure_clone();
    let batch = crank::max_lookup_rank_batch(&f.rt.fee_payer(), &crank_kp.pubkey(), Role::Creator);
    let out = crank::run_round(&mut f.rt, &crank_kp, Role::Creator, Default::default(), &mut |_, _| {}).unwrap();
    println!(
        "2,000 holders: {} rank_batch v0 transactions of up to {batch} members, {} lookup-table transactions",
        out.batches, out.table_transactions
    );
    assert_eq!(out.members, 2_000);
    assert_eq!(out.priority, 200);
    assert_eq!(out.batches, HOLDERS.div_ceil(batch));
    // 2,000 members and a board entry per table of 256: 8 tables, extended 20 addresses at a time.
    let tables = crank::role_lookup_tables(&mut f.rt, &crank_kp.pubkey(), Role::Creator).unwrap();
    assert_eq!(tables.len(), 8);
    assert_eq!(tables.iter().map(|t| t.addresses.len()).sum::<usize>(), HOLDERS + 8);

    let ties = expected.windows(2).filter(|w| w[0].0 == w[1].0).count();
    assert!(ties > 100, "the data should exercise the tie-break ({ties} ties)");
    for (i, (score, _, wallet)) in expected.iter().enumerate() {
        let e = f.member(Role::Creator, wallet).rank_in(out.round).unwrap();
        assert_eq!((e.rank as usize, e.score, e.priority), (i + 1, *score, i < 200), "rank {}", i + 1);
    }
    let round = f.board(Role::Creator).finalised.unwrap();
    assert_eq!(round.cutoff_score, Some(expected[199].0));
}

#[test]
fn a_lookup_table_batch_of_the_measured_size_runs_in_the_test_runtime() {
    let mut f = Fixture::new();
    let crank_kp = f.crank.insecure_clone();
    let payer = f.rt.fee_payer();
    let batch = max_v0_batch(&payer, &crank_kp.pubkey());
    let expected = inject_creators(&mut f, batch + 3);
    let out_order: Vec<Pubkey> = expected.iter().map(|(_, _, w)| pda::member(Role::Creator, w)).collect();

    let lut = f.lookup_table(&out_order[..batch]);

    f.send(&[pictor_vip_sdk::ix::open_round(&crank_kp.pubkey(), Role::Creator, 1)], &[&crank_kp]).unwrap();
    let round = f.board(Role::Creator).open.unwrap().round;
    let ixs = crank::rank_batch_instructions(&crank_kp.pubkey(), Role::Creator, round, &out_order[..batch]);
    let size = f.rt.send_v0(&ixs, &[&crank_kp], &[lut]).unwrap();
    println!("executed: {batch} members in one v0 transaction of {size} bytes through a lookup table");
    assert!(size <= PACKET_DATA_SIZE);
    assert_eq!(f.board(Role::Creator).open.unwrap().ranked as usize, batch);
    // One more member would not fit the account-lock limit.
    let (_, locked) = v0_size(&payer, &crank_kp.pubkey(), batch + 1);
    assert!(locked > MAX_TX_ACCOUNT_LOCKS || v0_size(&payer, &crank_kp.pubkey(), batch + 1).0 > PACKET_DATA_SIZE);
    // The rest with a legacy batch, then the round closes with the expected order.
    let rest = pictor_vip_sdk::ix::rank_batch(&crank_kp.pubkey(), Role::Creator, round, &out_order[batch..]);
    f.send(&[rest], &[&crank_kp]).unwrap();
    f.send(&[pictor_vip_sdk::ix::finalise_round(&crank_kp.pubkey(), Role::Creator, round)], &[&crank_kp]).unwrap();
    for (i, (score, _, wallet)) in expected.iter().enumerate() {
        let e = f.member(Role::Creator, wallet).rank_in(round).unwrap();
        assert_eq!((e.rank as usize, e.score), (i + 1, *score));
    }
}
