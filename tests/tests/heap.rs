//! The heap every instruction uses, measured against the SBF budget.
//!
//! The SBF heap is a 32 KiB bump allocator that never frees. This test
//! binary installs a counting global allocator, switched on only inside a
//! shim around the program's native entry, and paused during every syscall
//! stub (CPIs run the callee in an in-process VM whose allocations are not
//! the program's). To the program's own allocations it adds what the SBF
//! entrypoint allocates before the program runs: 48 bytes per account (the
//! `Vec<AccountInfo>`) and 72 bytes per unique account (two `Rc`s), as in
//! `solana-program-entrypoint`'s `deserialize`.
//!
//! Budget: every instruction ≤ 28 KiB at its largest input, 4 KiB of margin.
mod common;
use anchor_lang::Discriminator;
use common::*;
use pictor_vip::constants::*;
use pictor_vip::instruction as ixdata;
use pictor_vip::instructions::{InitializeArgs, Report};
use pictor_vip::state::{
    default_gpu_tiers, member_space, GpuTier, PassMetadata, PassStatus, Role, RoundCadence, Rules, WorkerFacts,
    WorkerMember, MEMBER_LAYOUT_VERSION,
};
use pictor_vip_sdk::transport::{native_entry, transaction_size, unsigned_transaction, Transport, PACKET_DATA_SIZE};
use pictor_vip_sdk::{crank, ix, pda};
use solana_account::Account;
use solana_keypair::Keypair;
use solana_pubkey::Pubkey;
use solana_signer::Signer;
use std::sync::{Mutex, MutexGuard, Once};

/// The budget each instruction must stay within, in bytes.
const HEAP_BUDGET_BYTES: usize = 28 * 1024;

mod meter {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! {
        static ON: Cell<bool> = const { Cell::new(false) };
        static BYTES: Cell<usize> = const { Cell::new(0) };
    }

    /// Counts, while switched on in this thread, every byte allocated, as a
    /// bump allocator would: sizes rounded up to their alignment, a
    /// `realloc` as a fresh allocation, nothing given back on free.
    pub struct Meter;

    fn count(size: usize, align: usize) {
        if ON.with(Cell::get) {
            BYTES.with(|b| b.set(b.get() + size.next_multiple_of(align)));
        }
    }

    unsafe impl GlobalAlloc for Meter {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            count(layout.size(), layout.align());
            unsafe { System.alloc(layout) }
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            count(layout.size(), layout.align());
            unsafe { System.alloc_zeroed(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            count(new_size, layout.align());
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    /// Runs `f` with counting on; returns its result and the bytes counted.
    pub fn measure<T>(f: impl FnOnce() -> T) -> (T, usize) {
        let (was_on, was_bytes) = (ON.with(|c| c.replace(true)), BYTES.with(|b| b.replace(0)));
        let out = f();
        let bytes = BYTES.with(|b| b.replace(was_bytes));
        ON.with(|c| c.set(was_on));
        (out, bytes)
    }

    /// Runs `f` with counting off (a syscall: its allocations are the host's).
    pub fn paused<T>(f: impl FnOnce() -> T) -> T {
        let was_on = ON.with(|c| c.replace(false));
        let out = f();
        ON.with(|c| c.set(was_on));
        out
    }
}

#[global_allocator]
static METER: meter::Meter = meter::Meter;

/// Syscall stubs that pause the meter around the ones program-test installed.
struct PausingStubs(Box<dyn solana_sysvar::program_stubs::SyscallStubs>);

use solana_account_info::AccountInfo;
use solana_instruction::Instruction;
use solana_program_error::ProgramResult;

impl solana_sysvar::program_stubs::SyscallStubs for PausingStubs {
    fn sol_log(&self, message: &str) {
        meter::paused(|| self.0.sol_log(message))
    }
    fn sol_log_compute_units(&self) {
        meter::paused(|| self.0.sol_log_compute_units())
    }
    fn sol_remaining_compute_units(&self) -> u64 {
        meter::paused(|| self.0.sol_remaining_compute_units())
    }
    fn sol_invoke_signed(&self, ix: &Instruction, infos: &[AccountInfo], seeds: &[&[&[u8]]]) -> ProgramResult {
        meter::paused(|| self.0.sol_invoke_signed(ix, infos, seeds))
    }
    fn sol_get_sysvar(&self, id: *const u8, var: *mut u8, offset: u64, length: u64) -> u64 {
        meter::paused(|| self.0.sol_get_sysvar(id, var, offset, length))
    }
    fn sol_get_clock_sysvar(&self, var: *mut u8) -> u64 {
        meter::paused(|| self.0.sol_get_clock_sysvar(var))
    }
    fn sol_get_epoch_schedule_sysvar(&self, var: *mut u8) -> u64 {
        meter::paused(|| self.0.sol_get_epoch_schedule_sysvar(var))
    }
    fn sol_get_fees_sysvar(&self, var: *mut u8) -> u64 {
        meter::paused(|| self.0.sol_get_fees_sysvar(var))
    }
    fn sol_get_rent_sysvar(&self, var: *mut u8) -> u64 {
        meter::paused(|| self.0.sol_get_rent_sysvar(var))
    }
    fn sol_get_epoch_rewards_sysvar(&self, var: *mut u8) -> u64 {
        meter::paused(|| self.0.sol_get_epoch_rewards_sysvar(var))
    }
    fn sol_get_last_restart_slot(&self, var: *mut u8) -> u64 {
        meter::paused(|| self.0.sol_get_last_restart_slot(var))
    }
    fn sol_get_epoch_stake(&self, vote: *const u8) -> u64 {
        meter::paused(|| self.0.sol_get_epoch_stake(vote))
    }
    unsafe fn sol_memcpy(&self, dst: *mut u8, src: *const u8, n: usize) {
        meter::paused(|| unsafe { self.0.sol_memcpy(dst, src, n) })
    }
    unsafe fn sol_memmove(&self, dst: *mut u8, src: *const u8, n: usize) {
        meter::paused(|| unsafe { self.0.sol_memmove(dst, src, n) })
    }
    unsafe fn sol_memcmp(&self, s1: *const u8, s2: *const u8, n: usize, result: *mut i32) {
        meter::paused(|| unsafe { self.0.sol_memcmp(s1, s2, n, result) })
    }
    unsafe fn sol_memset(&self, s: *mut u8, c: u8, n: usize) {
        meter::paused(|| unsafe { self.0.sol_memset(s, c, n) })
    }
    fn sol_get_return_data(&self) -> Option<(Pubkey, Vec<u8>)> {
        meter::paused(|| self.0.sol_get_return_data())
    }
    fn sol_set_return_data(&self, data: &[u8]) {
        meter::paused(|| self.0.sol_set_return_data(data))
    }
    fn sol_log_data(&self, fields: &[&[u8]]) {
        meter::paused(|| self.0.sol_log_data(fields))
    }
    fn sol_get_processed_sibling_instruction(&self, index: usize) -> Option<Instruction> {
        meter::paused(|| self.0.sol_get_processed_sibling_instruction(index))
    }
    fn sol_get_stack_height(&self) -> u64 {
        meter::paused(|| self.0.sol_get_stack_height())
    }
}

/// One metered instruction.
#[derive(Debug, Clone, Copy)]
struct Measured {
    discriminator: [u8; 8],
    accounts: usize,
    unique_accounts: usize,
    /// The program's own allocations, in bytes.
    program_bytes: usize,
    /// The failing instruction returned an error.
    failed: bool,
}

impl Measured {
    /// What the SBF entrypoint allocates before the program runs, in bytes.
    fn entrypoint_bytes(&self) -> usize {
        48 * self.accounts + 72 * self.unique_accounts
    }

    fn total_bytes(&self) -> usize {
        self.program_bytes + self.entrypoint_bytes()
    }
}

static MEASURED: Mutex<Vec<Measured>> = Mutex::new(Vec::new());
/// The meter and its records are process-wide: one test at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// The program's native entry, metered.
fn metered_entry(
    program_id: &Pubkey,
    accounts: &[anchor_lang::prelude::AccountInfo],
    data: &[u8],
) -> anchor_lang::solana_program::entrypoint::ProgramResult {
    let (result, program_bytes) = meter::measure(|| native_entry(program_id, accounts, data));
    let mut keys: Vec<&Pubkey> = accounts.iter().map(|a| a.key).collect();
    keys.sort();
    keys.dedup();
    let mut discriminator = [0; 8];
    discriminator.copy_from_slice(&data[..8]);
    MEASURED.lock().unwrap().push(Measured {
        discriminator,
        accounts: accounts.len(),
        unique_accounts: keys.len(),
        program_bytes,
        failed: result.is_err(),
    });
    result
}

/// A fixture whose program is metered; returns it with the test's lock held.
fn metered() -> (Fixture, MutexGuard<'static, ()>) {
    let guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let f = Fixture::uninitialised_with_entry(solana_program_test::processor!(metered_entry));
    // program-test installs its stubs when the first runtime starts; wrap them once, after.
    static WRAP: Once = Once::new();
    WRAP.call_once(|| {
        let inner = solana_sysvar::program_stubs::set_syscall_stubs(Box::new(PausingStubs(Box::new(NoStubs))));
        solana_sysvar::program_stubs::set_syscall_stubs(Box::new(PausingStubs(inner)));
    });
    MEASURED.lock().unwrap().clear();
    (f, guard)
}

struct NoStubs;
impl solana_sysvar::program_stubs::SyscallStubs for NoStubs {}

/// Every successful measurement of instruction `D` so far.
fn measured<D: Discriminator>() -> Vec<Measured> {
    MEASURED.lock().unwrap().iter().filter(|m| m.discriminator == D::DISCRIMINATOR && !m.failed).copied().collect()
}

/// The largest successful measurement of `D`, printed as a table row and
/// checked against the budget.
#[track_caller]
fn check<D: Discriminator>(name: &str) -> Measured {
    let all = measured::<D>();
    let m = *all.iter().max_by_key(|m| m.total_bytes()).unwrap_or_else(|| panic!("{name} was never measured"));
    println!("| {name} | {} | {} | {} | {} |", m.accounts, m.program_bytes, m.entrypoint_bytes(), m.total_bytes());
    assert!(
        m.total_bytes() <= HEAP_BUDGET_BYTES,
        "{name}: {} bytes of heap, budget {HEAP_BUDGET_BYTES}",
        m.total_bytes()
    );
    m
}

fn largest_metadata() -> PassMetadata {
    PassMetadata {
        creator_name: "C".repeat(MAX_PASS_NAME_LEN),
        worker_name: "W".repeat(MAX_PASS_NAME_LEN),
        symbol: "S".repeat(MAX_PASS_SYMBOL_LEN),
        creator_uri: "u".repeat(MAX_PASS_URI_LEN),
        worker_uri: "v".repeat(MAX_PASS_URI_LEN),
    }
}

fn largest_rules() -> Rules {
    let mut rules = Rules::default();
    rules.scoring.worker_window_days = MAX_WORKER_WINDOW_DAYS;
    rules.worker_max_offline_run_days = MAX_WORKER_WINDOW_DAYS;
    let mut tiers = default_gpu_tiers();
    while tiers.len() < MAX_GPU_TIERS {
        tiers.push(GpuTier { min_vram_gb: 80, min_hashpower: u64::MAX, multiplier_bps: MAX_GPU_MULTIPLIER_BPS });
    }
    rules.scoring.gpu_tiers = tiers;
    rules
}

#[test]
fn the_meter_counts_a_known_allocation_and_not_a_paused_one() {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (v, bytes) = meter::measure(|| Vec::<u8>::with_capacity(1_000));
    assert_eq!((v.capacity(), bytes), (1_000, 1_000));
    let (_, bytes) = meter::measure(|| meter::paused(|| Vec::<u8>::with_capacity(1_000)));
    assert_eq!(bytes, 0);
    // A CPI through the wrapped stubs: the callee's allocations are not counted.
    struct Allocating;
    impl solana_sysvar::program_stubs::SyscallStubs for Allocating {
        fn sol_invoke_signed(&self, _: &Instruction, _: &[AccountInfo], _: &[&[&[u8]]]) -> ProgramResult {
            std::hint::black_box(vec![0u8; 4_096]);
            Ok(())
        }
    }
    use solana_sysvar::program_stubs::SyscallStubs;
    let stubs = PausingStubs(Box::new(Allocating));
    let ix = Instruction { program_id: Pubkey::new_unique(), accounts: vec![], data: vec![] };
    let (_, bytes) = meter::measure(|| stubs.sol_invoke_signed(&ix, &[], &[]));
    assert_eq!(bytes, 0, "a CPI's allocations are the callee's");
    let (_, bytes) = meter::measure(|| Allocating.sol_invoke_signed(&ix, &[], &[]));
    assert!(bytes >= 4_096, "unwrapped, the same call is counted");
}

#[test]
fn the_metered_runtime_counts_the_program_and_not_its_cpis() {
    let (mut f, _guard) = metered();
    f.initialise(Rules::default(), pass_metadata());
    let init = measured::<ixdata::Initialize>();
    assert_eq!(init.len(), 1);
    // initialize makes system-program CPIs (create, allocate, assign): they
    // are not counted, while its own Borsh buffers and Vec of oracles are.
    assert!(init[0].program_bytes > 0);
    let w = f.creator(5_000 * USDT, 5_000 * USDT);
    f.claim(&w, Role::Creator).unwrap();
    let claim = measured::<ixdata::Claim>();
    // Twelve Token-2022/ATA CPIs, each running a BPF program in a VM of its
    // own: counted, they would be far above 32 KiB.
    assert!(claim[0].program_bytes < HEAP_BUDGET_BYTES, "{claim:?}");
}

/// Stores `n` worker holders with full day rings and 32-byte GPU names and
/// returns their wallets and member addresses in round order (all scores
/// equal: serial order).
fn inject_full_workers(f: &mut Fixture, n: usize) -> (Vec<Keypair>, Vec<Pubkey>) {
    let today = f.today();
    let mut keys = Vec::with_capacity(n);
    let mut wallets = Vec::with_capacity(n);
    for i in 0..n {
        let kp = Keypair::new();
        let wallet = kp.pubkey();
        wallets.push(kp);
        let mut member: WorkerMember = bytemuck::Zeroable::zeroed();
        member.header.wallet = wallet;
        member.header.role = Role::Worker as u8;
        member.header.layout_version = MEMBER_LAYOUT_VERSION;
        member.header.bump = Pubkey::find_program_address(&[MEMBER_SEED, &[1], wallet.as_ref()], &pda::program_id()).1;
        member.header.last_seq = 61;
        member.header.set_pass_status(PassStatus::Active);
        member.header.pass_serial = i as u32 + 1;
        member.header.pass_first_round = 1;
        member.header.pass_rent_payer = f.rt.fee_payer();
        let mut facts = WorkerFacts {
            lifetime_uptime_minutes: 60 * 1_440,
            frames_completed: 1_000,
            jobs_failed: 3,
            ..WorkerFacts::default()
        };
        facts.set_gpu(&"G".repeat(MAX_GPU_MODEL_LEN), 48, 1_000).unwrap();
        for d in today - WORKER_DAY_SLOTS as u32..today {
            facts.set_uptime(d, 1_440);
        }
        member.facts = facts;
        let mut data = WorkerMember::DISCRIMINATOR.to_vec();
        data.extend_from_slice(bytemuck::bytes_of(&member));
        assert_eq!(data.len(), member_space(Role::Worker));
        let key = pda::member(Role::Worker, &wallet);
        f.rt.set_account(
            &key,
            Account { lamports: 10_000_000, data, owner: pda::program_id(), executable: false, rent_epoch: 0 },
        );
        keys.push(key);
    }
    let mut board = f.board(Role::Worker);
    board.passes_issued = n as u64;
    board.active_holders = n as u32;
    let mut data = Vec::new();
    anchor_lang::AccountSerialize::try_serialize(&board, &mut data).unwrap();
    data.resize(8 + <pictor_vip::state::Board as anchor_lang::Space>::INIT_SPACE, 0);
    f.rt.set_account(
        &pda::board(Role::Worker),
        Account { lamports: 10_000_000, data, owner: pda::program_id(), executable: false, rent_epoch: 0 },
    );
    (wallets, keys)
}

#[test]
fn every_instruction_stays_within_28_kib_at_its_largest_input() {
    let (mut f, _guard) = metered();
    // initialize and update_config at their limits.
    let admin = f.admin.insecure_clone();
    // With the longest metadata and tier table, a transaction holds
    // `initialize` with only some of the 8 oracles: the most that fit, the
    // rest follow with add_oracle.
    let fee_payer = f.rt.fee_payer();
    // Eight oracle keys that can sign: the largest quorum.
    let oracle_keys: Vec<Keypair> =
        std::iter::once(f.oracle.insecure_clone()).chain((1..MAX_ORACLES).map(|_| Keypair::new())).collect();
    let init_with = |n: usize| {
        let oracles: Vec<Pubkey> = oracle_keys[..n].iter().map(|k| k.pubkey()).collect();
        let args = InitializeArgs {
            crank: f.crank.pubkey(),
            oracles,
            rules: largest_rules(),
            pass_metadata: largest_metadata(),
        };
        ix::initialize(&admin.pubkey(), args)
    };
    let fits = |n: &usize| transaction_size(&unsigned_transaction(&[init_with(*n)], &fee_payer)) <= PACKET_DATA_SIZE;
    let oracles_at_init = (1..=MAX_ORACLES).rev().find(fits).unwrap();
    println!(
        "initialize with the longest metadata and 8 GPU tiers fits with {oracles_at_init} of {MAX_ORACLES} oracles"
    );
    let init = init_with(oracles_at_init);
    f.send(&[init], &[&admin]).unwrap();
    for k in &oracle_keys[oracles_at_init..] {
        f.send(&[ix::add_oracle(&admin.pubkey(), k.pubkey())], &[&admin]).unwrap();
    }
    f.send(&[ix::update_config(&admin.pubkey(), Some(largest_rules()), Some(largest_metadata()))], &[&admin]).unwrap();

    // A report every oracle signs, at the largest quorum (7 co-signers).
    let all_eight = Rules { oracle_quorum: MAX_ORACLES as u8, ..largest_rules() };
    f.send(&[ix::update_config(&admin.pubkey(), Some(all_eight), None)], &[&admin]).unwrap();
    let keys: Vec<Pubkey> = oracle_keys.iter().map(|k| k.pubkey()).collect();
    let signers: Vec<&Keypair> = oracle_keys.iter().collect();
    let quorum_report = ix::report_signed(&keys, &Pubkey::new_unique(), 1, f.now(), Report::Frames { frames: 1 });
    f.send(&[quorum_report], &signers).unwrap();
    f.send(&[ix::update_config(&admin.pubkey(), Some(largest_rules()), None)], &[&admin]).unwrap();

    // Every report kind, the first one creating the member.
    let creator = Keypair::new();
    f.report(&creator.pubkey(), Report::Recharge { amount_base_units: 6_000 * USDT }).unwrap();
    f.report(&creator.pubkey(), Report::Spend { amount_base_units: 5_000 * USDT }).unwrap();
    f.report(&creator.pubkey(), Report::Frames { frames: 1_000 }).unwrap();
    let worker = Keypair::new();
    f.report(&worker.pubkey(), Report::Gpu { model: "G".repeat(MAX_GPU_MODEL_LEN), vram_gb: 80, hashpower: 9 })
        .unwrap();
    f.report_days(&worker.pubkey(), &[1_440; MAX_WORKER_WINDOW_DAYS as usize]);

    // claim with the largest metadata the config accepts (both roles), then
    // the pass lifecycle.
    f.claim(&creator, Role::Creator).unwrap();
    f.claim(&worker, Role::Worker).unwrap();
    let payer = f.rt.fee_payer();
    f.send(&[ix::revoke(&admin.pubkey(), Role::Creator, &creator.pubkey(), &payer, 1)], &[&admin]).unwrap();
    f.send(&[ix::reinstate(&admin.pubkey(), Role::Creator, &creator.pubkey())], &[&admin]).unwrap();
    f.burn_pass(Role::Worker, &worker);
    f.send(&[ix::sync_pass(Role::Worker, &worker.pubkey(), &payer)], &[]).unwrap();

    // Admin keys.
    let other = Pubkey::new_unique();
    let last_oracle = f.config().oracles[MAX_ORACLES - 1];
    f.send(&[ix::remove_oracle(&admin.pubkey(), last_oracle)], &[&admin]).unwrap();
    f.send(&[ix::add_oracle(&admin.pubkey(), other)], &[&admin]).unwrap();
    assert_eq!(f.config().oracles.len(), MAX_ORACLES);
    f.send(&[ix::set_crank(&admin.pubkey(), f.crank.pubkey())], &[&admin]).unwrap();
    f.send(&[ix::set_paused(&admin.pubkey(), true)], &[&admin]).unwrap();
    f.send(&[ix::set_paused(&admin.pubkey(), false)], &[&admin]).unwrap();
    let next_admin = Keypair::new();
    f.send(&[ix::propose_admin(&admin.pubkey(), Some(next_admin.pubkey()))], &[&admin]).unwrap();
    f.send(&[ix::accept_admin(&next_admin.pubkey())], &[&next_admin]).unwrap();

    // A round over 60 workers with full day histories: MAX_RANK_BATCH in one
    // rank_batch through a lookup table, the rest in a second batch.
    let (wallets, members) = inject_full_workers(&mut f, 60);
    // Rewards for all 60 ranks: crediting happens inside rank_batch (both batches credit).
    let reward = reward_mint(&mut f, TOKEN_2022);
    let admin_now = f.config().admin;
    let fund =
        ix::fund_rewards(&admin_now, Role::Worker, &reward.mint, &reward.program, &reward.funder, 600 * USDT, 60);
    let next_admin_kp = next_admin.insecure_clone();
    // The admin changed hands above: the new admin funds from its own account.
    let funder = token_account(&mut f, &next_admin_kp.pubkey(), &reward.mint, &reward.program);
    let original_admin = f.admin.insecure_clone();
    let move_funds = anchor_spl::token_2022::spl_token_2022::instruction::transfer_checked(
        &reward.program,
        &reward.funder,
        &reward.mint,
        &funder,
        &original_admin.pubkey(),
        &[],
        660 * USDT,
        6,
    )
    .unwrap();
    f.send(&[move_funds], &[&original_admin]).unwrap();
    let mut fund = fund;
    fund.accounts[4].pubkey = funder;
    // The new admin pays the vault's rent.
    f.rt.airdrop(&next_admin_kp.pubkey(), 1_000_000_000).unwrap();
    f.send(&[fund], &[&next_admin_kp]).unwrap();
    let crank_kp = f.crank.insecure_clone();
    let table = f.lookup_table(&members[..MAX_RANK_BATCH]);
    let next = f.board(Role::Worker).next_round;
    f.send(&[ix::open_round(&crank_kp.pubkey(), Role::Worker, next)], &[&crank_kp]).unwrap();
    let round = f.board(Role::Worker).open.unwrap().round;
    let batch = crank::rank_batch_instructions(&crank_kp.pubkey(), Role::Worker, round, &members[..MAX_RANK_BATCH]);
    f.rt.send_v0(&batch, &[&crank_kp], &[table]).unwrap();
    f.send(&[ix::rank_batch(&crank_kp.pubkey(), Role::Worker, round, &members[MAX_RANK_BATCH..])], &[&crank_kp])
        .unwrap();
    f.send(&[ix::finalise_round(&crank_kp.pubkey(), Role::Worker, round)], &[&crank_kp]).unwrap();
    let payer = f.rt.fee_payer();
    let first = wallets[0].insecure_clone();
    f.send(&[ix::withdraw_rewards(&first.pubkey(), &payer, Role::Worker, &reward.mint, &reward.program)], &[&first])
        .unwrap();
    assert_eq!(
        token_balance(&mut f, &pda::reward_destination(&first.pubkey(), &reward.mint, &reward.program)),
        10 * USDT
    );
    // The next round, funded again: each member of a full batch first settles
    // the previous round's credit, then gets a tentative one; then it is abandoned.
    let fund_again = ix::fund_rewards(&admin_now, Role::Worker, &reward.mint, &reward.program, &funder, 60 * USDT, 60);
    f.send(&[fund_again], &[&next_admin_kp]).unwrap();
    f.send(&[ix::open_round(&crank_kp.pubkey(), Role::Worker, round + 1)], &[&crank_kp]).unwrap();
    let table = f.lookup_table(&members[..MAX_RANK_BATCH]);
    let batch = crank::rank_batch_instructions(&crank_kp.pubkey(), Role::Worker, round + 1, &members[..MAX_RANK_BATCH]);
    f.rt.send_v0(&batch, &[&crank_kp], &[table]).unwrap();
    f.send(&[ix::rank_batch(&crank_kp.pubkey(), Role::Worker, round + 1, &members[MAX_RANK_BATCH..])], &[&crank_kp])
        .unwrap();
    f.send(&[ix::abandon_round(&crank_kp.pubkey(), Role::Worker, round + 1)], &[&crank_kp]).unwrap();

    // update_config at its largest: the largest rules with a cadence, then
    // a reschedule two windows later that raises both boards' round
    // numbers (an event each).
    let hourly = RoundCadence { period_secs: 3_600, open_window_secs: 600, offset_secs: 0 };
    let scheduled = Rules { cadence: hourly, ..largest_rules() };
    f.send(&[ix::update_config(&admin_now, Some(scheduled.clone()), None)], &[&next_admin_kp]).unwrap();
    let later = f.now() + 2 * 3_600 + 900;
    f.set_time(later);
    let shifted = Rules { cadence: RoundCadence { offset_secs: 1_800, ..hourly }, ..scheduled };
    let before = [f.board(Role::Creator).next_round, f.board(Role::Worker).next_round];
    f.send(&[ix::update_config(&admin_now, Some(shifted), Some(largest_metadata()))], &[&next_admin_kp]).unwrap();
    let after = [f.board(Role::Creator).next_round, f.board(Role::Worker).next_round];
    assert!(after[0] > before[0] && after[1] > before[1], "both lines raised: {before:?} → {after:?}");

    println!("| instruction | accounts | program heap (bytes) | entrypoint (bytes) | total (bytes) |");
    println!("|---|---|---|---|---|");
    check::<ixdata::Initialize>("initialize (8 tiers, longest metadata, oracles that fit)");
    check::<ixdata::UpdateConfig>("update_config (same limits; a reschedule raising both boards)");
    check::<ixdata::SetPaused>("set_paused");
    check::<ixdata::AddOracle>("add_oracle (up to 8)");
    check::<ixdata::RemoveOracle>("remove_oracle");
    check::<ixdata::SetCrank>("set_crank");
    check::<ixdata::ProposeAdmin>("propose_admin");
    check::<ixdata::AcceptAdmin>("accept_admin");
    check::<ixdata::SubmitReport>("submit_report (every kind; GPU name 32 bytes; 8 oracles signing)");
    check::<ixdata::Claim>("claim (largest metadata)");
    check::<ixdata::Revoke>("revoke (burn and close)");
    check::<ixdata::Reinstate>("reinstate");
    check::<ixdata::SyncPass>("sync_pass");
    check::<ixdata::OpenRound>("open_round (8 tiers)");
    let batch =
        check::<ixdata::RankBatch>("rank_batch (58 workers, full rings, each settling a reward and credited one)");
    check::<ixdata::FinaliseRound>("finalise_round");
    check::<ixdata::AbandonRound>("abandon_round");
    check::<ixdata::FundRewards>("fund_rewards (first funding: creates the vault)");
    check::<ixdata::WithdrawRewards>("withdraw_rewards (creates the destination)");
    assert_eq!(batch.accounts, 5 + MAX_RANK_BATCH, "the largest batch was measured");

    // Members are read in place: the program's own heap does not grow with
    // the batch (2 and 58 members of the same round, each settling and credited).
    let batches = measured::<ixdata::RankBatch>();
    let single = batches.iter().filter(|m| m.accounts == 5 + 2).max_by_key(|m| m.program_bytes).unwrap();
    assert_eq!(single.program_bytes, batch.program_bytes, "rank_batch heap grows with the batch: {batches:?}");
}
