//! The test fixture: an in-process runtime with the program initialised,
//! an admin, an oracle and a crank, and a clock the test moves.
#![allow(dead_code)]
use anchor_lang::{AccountDeserialize, AnchorSerialize};
use pictor_vip::constants::SECONDS_PER_DAY;
use pictor_vip::errors::PictorError;
use pictor_vip::instructions::{InitializeArgs, Report};
use pictor_vip::state::{Board, Config, Member, PassMetadata, Role, Rules};
use pictor_vip::time::days_from_civil;
use pictor_vip_sdk::transport::{InProcess, SendError, Transport};
use pictor_vip_sdk::{ix, pda};
use solana_account::Account;
use solana_address_lookup_table_interface::instruction as alt;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_message::AddressLookupTableAccount;
use solana_program_runtime::invoke_context::BuiltinFunctionWithContext;
use solana_pubkey::Pubkey;
use solana_signer::Signer;
use std::collections::HashMap;

/// 2026-07-15 12:00 UTC.
pub fn t0() -> i64 {
    days_from_civil(2026, 7, 15) * SECONDS_PER_DAY + 12 * 3_600
}

pub fn pass_metadata() -> PassMetadata {
    PassMetadata {
        creator_name: "Pictor VIP Creator".into(),
        worker_name: "Pictor VIP Worker".into(),
        symbol: "PVIP".into(),
        creator_uri: "https://pictor.network/vip/creator.json".into(),
        worker_uri: "https://pictor.network/vip/worker.json".into(),
    }
}

pub struct Fixture {
    pub rt: InProcess,
    pub admin: Keypair,
    pub oracle: Keypair,
    pub crank: Keypair,
    seqs: HashMap<(Role, Pubkey), u64>,
}

impl Fixture {
    /// A runtime where `admin` is the upgrade authority, not yet initialised.
    pub fn uninitialised() -> Self {
        let admin = Keypair::new();
        let rt = InProcess::start(&admin.pubkey(), t0()).unwrap();
        Self::around(rt, admin)
    }

    /// Like [`Fixture::uninitialised`], with the program registered through
    /// `entry` (`solana_program_test::processor!(shim)`).
    pub fn uninitialised_with_entry(entry: Option<BuiltinFunctionWithContext>) -> Self {
        let admin = Keypair::new();
        let rt = InProcess::start_with_entry(&admin.pubkey(), t0(), entry).unwrap();
        Self::around(rt, admin)
    }

    fn around(mut rt: InProcess, admin: Keypair) -> Self {
        let oracle = Keypair::new();
        let crank = Keypair::new();
        for k in [&admin, &oracle, &crank] {
            rt.airdrop(&k.pubkey(), 100_000_000_000).unwrap();
        }
        Fixture { rt, admin, oracle, crank, seqs: HashMap::new() }
    }

    /// Initialised with the default rules.
    pub fn new() -> Self {
        Self::with_rules(Rules::default())
    }

    pub fn with_rules(rules: Rules) -> Self {
        let mut f = Self::uninitialised();
        f.initialise(rules, pass_metadata());
        f
    }

    /// `initialize`'s arguments with the fixture's crank and oracle.
    pub fn init_args(&self, rules: Rules, pass_metadata: PassMetadata) -> InitializeArgs {
        InitializeArgs { crank: self.crank.pubkey(), oracles: vec![self.oracle.pubkey()], rules, pass_metadata }
    }

    /// Sends `initialize` with the fixture's crank and oracle.
    pub fn initialise(&mut self, rules: Rules, pass_metadata: PassMetadata) {
        let args = self.init_args(rules, pass_metadata);
        let admin = self.admin.insecure_clone();
        self.send(&[ix::initialize(&admin.pubkey(), args)], &[&admin]).unwrap();
    }

    /// An address lookup table holding `addresses`, created, extended and
    /// active (the runtime is moved past its activation slot).
    pub fn lookup_table(&mut self, addresses: &[Pubkey]) -> AddressLookupTableAccount {
        let payer = self.rt.fee_payer();
        let slot = self.rt.slot().unwrap();
        self.rt.warp_to_slot(slot + 2).unwrap();
        let recent = self.rt.slot().unwrap() - 1;
        let (create, table) = alt::create_lookup_table(payer, payer, recent);
        self.send(&[create], &[]).unwrap();
        for chunk in addresses.chunks(20) {
            self.send(&[alt::extend_lookup_table(table, payer, Some(payer), chunk.to_vec())], &[]).unwrap();
        }
        let slot = self.rt.slot().unwrap();
        self.rt.warp_to_slot(slot + 1).unwrap();
        AddressLookupTableAccount { key: table, addresses: addresses.to_vec() }
    }

    pub fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<(), SendError> {
        self.rt.send(ixs, signers)
    }

    pub fn now(&mut self) -> i64 {
        self.rt.now().unwrap()
    }

    pub fn today(&mut self) -> u32 {
        (self.now() / SECONDS_PER_DAY) as u32
    }

    pub fn set_time(&mut self, ts: i64) {
        self.rt.set_time(ts).unwrap();
    }

    pub fn advance_days(&mut self, days: i64) {
        let now = self.now();
        self.set_time(now + days * SECONDS_PER_DAY);
    }

    pub fn next_seq(&mut self, role: Role, wallet: &Pubkey) -> u64 {
        let s = self.seqs.entry((role, *wallet)).or_insert(0);
        *s += 1;
        *s
    }

    /// The oracle reports `report` about `wallet` with the next sequence number.
    pub fn report(&mut self, wallet: &Pubkey, report: Report) -> Result<(), SendError> {
        let seq = self.next_seq(report.role(), wallet);
        self.report_seq(wallet, seq, report)
    }

    pub fn report_seq(&mut self, wallet: &Pubkey, seq: u64, report: Report) -> Result<(), SendError> {
        let now = self.now();
        self.report_at(wallet, seq, now, report)
    }

    /// The oracle reports `report` with sequence number `seq` and fact time `fact_ts`.
    pub fn report_at(&mut self, wallet: &Pubkey, seq: u64, fact_ts: i64, report: Report) -> Result<(), SendError> {
        let oracle = self.oracle.insecure_clone();
        self.send(&[ix::report(&oracle.pubkey(), wallet, seq, fact_ts, report)], &[&oracle])
    }

    /// A creator with `deposit` and `spent` (USDT base units) reported.
    pub fn creator(&mut self, deposit: u64, spent: u64) -> Keypair {
        let wallet = Keypair::new();
        self.report(&wallet.pubkey(), Report::Recharge { amount_base_units: deposit }).unwrap();
        if spent > 0 {
            self.report(&wallet.pubkey(), Report::Spend { amount_base_units: spent }).unwrap();
        }
        wallet
    }

    /// A worker with the 30 days before today reported with `minutes[i]` (oldest first).
    pub fn worker_with_days(&mut self, minutes: &[u16]) -> Keypair {
        let wallet = Keypair::new();
        self.report_days(&wallet.pubkey(), minutes);
        wallet
    }

    pub fn report_days(&mut self, wallet: &Pubkey, minutes: &[u16]) {
        let today = self.today();
        let first = today - minutes.len() as u32;
        for (i, &m) in minutes.iter().enumerate() {
            let day = Report::WorkerDay {
                day_index: first + i as u32,
                uptime_minutes: m,
                frames_completed: 0,
                jobs_failed: 0,
            };
            self.report(wallet, day).unwrap();
        }
    }

    pub fn eligible_worker(&mut self) -> Keypair {
        self.worker_with_days(&[960; 30])
    }

    pub fn claim(&mut self, wallet: &Keypair, role: Role) -> Result<(), SendError> {
        let payer = self.rt.fee_payer();
        self.send(&[ix::claim(&wallet.pubkey(), &payer, role)], &[wallet])
    }

    /// A creator at exactly 5,000 USDT spent who claimed its pass.
    pub fn holder(&mut self, spent: u64) -> Keypair {
        let w = self.creator(spent, spent);
        self.claim(&w, Role::Creator).unwrap();
        w
    }

    /// The holder burns its own pass (outside the program).
    pub fn burn_pass(&mut self, role: Role, holder: &Keypair) {
        let (mint, ata) = (pda::pass_mint(role, &holder.pubkey()), pda::holder_ata(role, &holder.pubkey()));
        let burn = anchor_spl::token_2022::spl_token_2022::instruction::burn(
            &anchor_spl::token_2022::ID,
            &ata,
            &mint,
            &holder.pubkey(),
            &[],
            1,
        )
        .unwrap();
        self.send(&[burn], &[holder]).unwrap();
    }

    pub fn account(&mut self, key: &Pubkey) -> Option<Account> {
        self.rt.get_account(key).unwrap()
    }

    fn decode<T: AccountDeserialize>(&mut self, key: &Pubkey) -> T {
        let a = self.account(key).expect("account exists");
        T::try_deserialize(&mut a.data.as_slice()).unwrap()
    }

    pub fn member(&mut self, role: Role, wallet: &Pubkey) -> Member {
        let a = self.account(&pda::member(role, wallet)).expect("member exists");
        Member::decode(&a.data).unwrap()
    }

    pub fn board(&mut self, role: Role) -> Board {
        self.decode(&pda::board(role))
    }

    pub fn config(&mut self) -> Config {
        self.decode(&pda::config())
    }

    /// Raw bytes of the given accounts, to assert "nothing changed".
    pub fn snapshot(&mut self, keys: &[Pubkey]) -> Vec<Option<Vec<u8>>> {
        keys.iter().map(|k| self.account(k).map(|a| a.data)).collect()
    }
}

/// Asserts that `result` is the program error `expected`.
#[track_caller]
pub fn expect_err(result: Result<(), SendError>, expected: PictorError) {
    match result {
        Err(e) if e.is(expected) => {}
        other => panic!("expected {expected:?} ({}), got {other:?}", u32::from(expected)),
    }
}

/// Asserts that `result` is a program error with this name (Anchor's own
/// constraint errors, e.g. `ConstraintSeeds`).
#[track_caller]
pub fn expect_err_named(result: Result<(), SendError>, name: &str) {
    match result {
        Err(SendError::Program { name: n, .. }) if n == name => {}
        other => panic!("expected {name}, got {other:?}"),
    }
}

pub const USDT: u64 = 1_000_000;

pub fn serialize<T: AnchorSerialize>(v: &T) -> Vec<u8> {
    let mut out = Vec::new();
    v.serialize(&mut out).unwrap();
    out
}

/// The classic Token program.
pub const TOKEN: Pubkey = anchor_spl::token::ID;
/// Token-2022.
pub const TOKEN_2022: Pubkey = anchor_spl::token_2022::ID;

/// A 6-decimal, USDT-like mint of `program` whose mint authority is the admin,
/// and the admin's token account holding 1,000,000 units.
pub struct Reward {
    pub mint: Pubkey,
    pub program: Pubkey,
    pub funder: Pubkey,
}

pub fn reward_mint(f: &mut Fixture, program: Pubkey) -> Reward {
    let mint = Keypair::new();
    let admin = f.admin.insecure_clone();
    let payer = f.rt.fee_payer();
    let rent = f.rt.rent_exempt_minimum(82).unwrap();
    let create =
        anchor_lang::solana_program::system_instruction::create_account(&payer, &mint.pubkey(), rent, 82, &program);
    let init = anchor_spl::token_2022::spl_token_2022::instruction::initialize_mint2(
        &program,
        &mint.pubkey(),
        &admin.pubkey(),
        None,
        6,
    )
    .unwrap();
    f.send(&[create, init], &[&mint]).unwrap();
    let funder = token_account(f, &admin.pubkey(), &mint.pubkey(), &program);
    let mint_to = anchor_spl::token_2022::spl_token_2022::instruction::mint_to(
        &program,
        &mint.pubkey(),
        &funder,
        &admin.pubkey(),
        &[],
        1_000_000 * USDT,
    )
    .unwrap();
    f.send(&[mint_to], &[&admin]).unwrap();
    Reward { mint: mint.pubkey(), program, funder }
}

pub fn token_account(f: &mut Fixture, owner: &Pubkey, mint: &Pubkey, program: &Pubkey) -> Pubkey {
    let payer = f.rt.fee_payer();
    let create =
        anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent(
            &payer, owner, mint, program,
        );
    f.send(&[create], &[]).unwrap();
    pda::reward_destination(owner, mint, program)
}

pub fn token_balance(f: &mut Fixture, account: &Pubkey) -> u64 {
    f.account(account).map_or(0, |a| {
        anchor_spl::token_2022::spl_token_2022::extension::StateWithExtensions::<
            anchor_spl::token_2022::spl_token_2022::state::Account,
        >::unpack(&a.data)
        .unwrap()
        .base
        .amount
    })
}

/// Creators with the given frame counts (score = 5,000 recharge + frames + 100), in claim order.
pub fn creators(f: &mut Fixture, frames: &[u64]) -> Vec<Keypair> {
    frames
        .iter()
        .map(|&n| {
            let w = f.holder(5_000 * USDT);
            if n > 0 {
                f.report(&w.pubkey(), Report::Frames { frames: n }).unwrap();
            }
            w
        })
        .collect()
}
