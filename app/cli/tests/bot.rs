//! The bot: restart safety and packing, on the in-process runtime.
use pictor_vip_cli::bot::{Bot, BotOptions, Summary};
use pictor_vip_cli::feed::parse_feed;
use pictor_vip_cli::simulate::Simulation;
use pictor_vip_cli::wallets::simulated_wallet;
use pictor_vip_sdk::state::Role;
use pictor_vip_sdk::transport::retry::RetryPolicy;
use pictor_vip_sdk::transport::{
    transaction_size, unsigned_transaction, AddressLookupTableAccount, LookupTable, SendError, Transport,
};
use pictor_vip_sdk::{ix, pda, Account, Instruction, Keypair, Pubkey, Signer};
use std::time::Duration;

/// 2026-10-01 06:00 UTC: every day of September is complete.
const END: i64 = 20_727 * 86_400 + 6 * 3_600;

fn day_line(wallet: &str, seq: u32, day: u32, minutes: u32, frames: u32) -> String {
    format!(
        r#"{{"type":"worker_day","at":"2026-10-01T00:00:00Z","wallet":"{wallet}","seq":{seq},"day":"2026-09-{day:02}","uptime_minutes":{minutes},"frames_completed":{frames},"jobs_failed":0}}"#
    )
}

/// Phase A: enough facts for 4 creators and 3 workers to be eligible.
fn phase_a() -> String {
    let mut lines = Vec::new();
    for i in 0..4 {
        lines.push(format!(
            r#"{{"type":"recharge","at":"2026-10-01T00:00:00Z","wallet":"c{i}","seq":1,"usdt":"{}"}}"#,
            6_000 + i
        ));
        lines.push(format!(r#"{{"type":"spend","at":"2026-10-01T00:00:00Z","wallet":"c{i}","seq":2,"usdt":"5000"}}"#));
    }
    for w in 0..3 {
        for d in 1..=30 {
            lines.push(day_line(&format!("w{w}"), d, d, 960 + 100 * w, 1));
        }
    }
    lines.join("\n")
}

/// Phase B (the one the bot is killed in): more facts, then a round of each role.
fn phase_b() -> String {
    let mut lines = Vec::new();
    for i in 0..4 {
        lines.push(format!(
            r#"{{"type":"frames","at":"2026-10-01T01:00:00Z","wallet":"c{i}","seq":3,"frames":{}}}"#,
            10 * (4 - i)
        ));
        lines.push(format!(
            r#"{{"type":"recharge","at":"2026-10-01T01:00:00Z","wallet":"c{i}","seq":4,"usdt":"{}.5"}}"#,
            100 * i
        ));
    }
    for w in 0..3 {
        lines.push(format!(r#"{{"type":"gpu","at":"2026-10-01T01:00:00Z","wallet":"w{w}","seq":31,"model":"RTX 4090","vram_gb":{},"hashpower":100}}"#, 16 * w));
    }
    lines.push(r#"{"type":"round","at":"2026-10-01T02:00:00Z","role":"creator"}"#.into());
    lines.push(r#"{"type":"round","at":"2026-10-01T02:00:00Z","role":"worker"}"#.into());
    lines.join("\n")
}

fn resolve(w: &str) -> Option<Pubkey> {
    Some(simulated_wallet(w).0)
}

fn run_bot(
    t: &mut dyn Transport,
    oracle: &Keypair,
    crank: &Keypair,
    feed: &str,
    retries: u32,
) -> anyhow::Result<Summary> {
    let fast = Duration::from_millis(1);
    let options = BotOptions {
        retry: RetryPolicy { attempts: retries, first_backoff: fast, max_backoff: fast },
        rank_batch: 2,
        progress: false,
        drain: Duration::ZERO,
        pass_wait: fast,
    };
    let mut bot = Bot::new(t, oracle, crank, options);
    bot.resolve_wallet = Box::new(resolve);
    bot.run(parse_feed(feed))
}

/// A runtime after phase A and the eligible members' claims.
fn prepared() -> Simulation {
    let mut sim = Simulation::start(END).unwrap();
    let (oracle, crank) = (sim.oracle().insecure_clone(), sim.crank().insecure_clone());
    let s = run_bot(&mut sim.runtime, &oracle, &crank, &phase_a(), 0).unwrap();
    assert_eq!((s.applied, s.refused.len()), (8 + 90, 0));
    let payer = sim.runtime.fee_payer();
    for (w, role) in
        (0..4).map(|i| (format!("c{i}"), Role::Creator)).chain((0..3).map(|i| (format!("w{i}"), Role::Worker)))
    {
        let kp = simulated_wallet(&w).1.unwrap();
        sim.runtime.send(&[ix::claim(&kp.pubkey(), &payer, role)], &[&kp]).unwrap();
    }
    sim
}

/// Every program account the test cares about, as raw bytes.
fn state(sim: &mut Simulation) -> Vec<(Pubkey, Option<Vec<u8>>)> {
    let mut keys = vec![pda::board(Role::Creator), pda::board(Role::Worker)];
    for i in 0..4 {
        keys.push(pda::member(Role::Creator, &simulated_wallet(&format!("c{i}")).0));
    }
    for i in 0..3 {
        keys.push(pda::member(Role::Worker, &simulated_wallet(&format!("w{i}")).0));
    }
    // Each simulation has its own fee payer, recorded as the pass's rent
    // payer: blank it so that two runs compare on everything else.
    let payer = 8 + std::mem::offset_of!(pictor_vip_sdk::state::MemberHeader, pass_rent_payer);
    keys.into_iter()
        .map(|k| {
            let data = sim.runtime.get_account(&k).unwrap().map(|a| {
                let mut data = a.data;
                if k != pda::board(Role::Creator) && k != pda::board(Role::Worker) {
                    data[payer..payer + 32].fill(0);
                }
                data
            });
            (k, data)
        })
        .collect()
}

/// Kills the bot at the `kill_at`-th send (a panic: the process dies there),
/// or lands the `kill_at`-th and then reports a transport error (a lost
/// confirmation).
struct Flaky<'a> {
    inner: &'a mut dyn Transport,
    sends: usize,
    kill_at: usize,
    lose_confirmation: bool,
    sizes: Vec<usize>,
}

impl Transport for Flaky<'_> {
    fn fee_payer(&self) -> Pubkey {
        self.inner.fee_payer()
    }
    fn get_account(&mut self, key: &Pubkey) -> anyhow::Result<Option<Account>> {
        self.inner.get_account(key)
    }
    fn program_accounts(&mut self, d: &[u8]) -> anyhow::Result<Vec<(Pubkey, Account)>> {
        self.inner.program_accounts(d)
    }
    fn now(&mut self) -> anyhow::Result<i64> {
        self.inner.now()
    }
    fn set_compute_unit_price(&mut self, micro_lamports: u64) {
        self.inner.set_compute_unit_price(micro_lamports)
    }
    fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<(), SendError> {
        self.gate(ixs, |t| t.send(ixs, signers))
    }
    fn send_v0(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<usize, SendError> {
        self.gate(ixs, |t| t.send_v0(ixs, signers, tables))
    }
    fn slot(&mut self) -> anyhow::Result<u64> {
        self.inner.slot()
    }
    fn wait_for_slot(&mut self, slot: u64) -> anyhow::Result<()> {
        self.inner.wait_for_slot(slot)
    }
    fn lookup_tables(&mut self, authority: &Pubkey) -> anyhow::Result<Vec<LookupTable>> {
        self.inner.lookup_tables(authority)
    }
    fn fees_paid_lamports(&self) -> u64 {
        self.inner.fees_paid_lamports()
    }
}

impl Flaky<'_> {
    /// Passes the `sends`-th send through, or fails it (a crash), or lands
    /// it and loses its confirmation.
    fn gate<T>(
        &mut self,
        ixs: &[Instruction],
        send: impl FnOnce(&mut dyn Transport) -> Result<T, SendError>,
    ) -> Result<T, SendError> {
        self.sends += 1;
        self.sizes.push(transaction_size(&unsigned_transaction(ixs, &self.fee_payer())));
        if self.sends < self.kill_at {
            return send(self.inner);
        }
        if self.lose_confirmation && self.sends == self.kill_at {
            send(self.inner)?;
            return Err(SendError::Transport("confirmation lost".into()));
        }
        if self.lose_confirmation {
            return send(self.inner);
        }
        panic!("killed at send {}", self.sends)
    }
}

#[test]
fn a_bot_killed_at_any_point_and_restarted_ends_as_an_uninterrupted_run() {
    let mut reference = prepared();
    let (oracle, crank) = (reference.oracle().insecure_clone(), reference.crank().insecure_clone());
    let mut counter = Flaky {
        inner: &mut reference.runtime,
        sends: 0,
        kill_at: usize::MAX,
        lose_confirmation: false,
        sizes: Vec::new(),
    };
    let full = run_bot(&mut counter, &oracle, &crank, &phase_b(), 0).unwrap();
    let total_sends = counter.sends;
    assert_eq!((full.applied, full.already_applied, full.rounds.len()), (11, 0, 2));
    let expected = state(&mut reference);
    assert!(total_sends >= 6, "the feed must span several transactions ({total_sends})");

    for kill_at in 1..=total_sends {
        let mut sim = prepared();
        let mut flaky =
            Flaky { inner: &mut sim.runtime, sends: 0, kill_at, lose_confirmation: false, sizes: Vec::new() };
        let killed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_bot(&mut flaky, &oracle, &crank, &phase_b(), 0)
        }));
        assert!(killed.is_err(), "killed at send {kill_at}");
        let again = run_bot(&mut sim.runtime, &oracle, &crank, &phase_b(), 0).unwrap();
        assert!(again.refused.is_empty() && again.waiting.is_empty(), "kill at {kill_at}: {again:?}");
        assert_eq!(state(&mut sim), expected, "state after a kill at send {kill_at} and a restart");
        // A third run on the same feed changes nothing at all.
        let third = run_bot(&mut sim.runtime, &oracle, &crank, &phase_b(), 0).unwrap();
        assert_eq!(
            (third.applied, third.already_applied, third.rounds.len(), third.rounds_already_done),
            (0, 11, 0, 2)
        );
        assert_eq!(state(&mut sim), expected, "a third run after a kill at send {kill_at}");
    }
}

#[test]
fn a_lost_confirmation_is_retried_and_counted_once() {
    let mut sim = prepared();
    let (oracle, crank) = (sim.oracle().insecure_clone(), sim.crank().insecure_clone());
    let mut flaky = Flaky { inner: &mut sim.runtime, sends: 0, kill_at: 1, lose_confirmation: true, sizes: Vec::new() };
    let s = run_bot(&mut flaky, &oracle, &crank, &phase_b(), 3).unwrap();
    // The first transaction landed but looked failed: its reports come back as already applied.
    assert_eq!(s.applied + s.already_applied, 11);
    assert!(s.already_applied > 0);
    let mut reference = prepared();
    run_bot(&mut reference.runtime, &oracle, &crank, &phase_b(), 0).unwrap();
    assert_eq!(state(&mut sim), state(&mut reference));
}

#[test]
fn packed_transactions_never_exceed_1232_bytes() {
    let mut sim = Simulation::start(END).unwrap();
    let (oracle, crank) = (sim.oracle().insecure_clone(), sim.crank().insecure_clone());
    // 40 wallets × (a GPU report with the longest model name + 10 days): the largest reports there are.
    let mut lines = Vec::new();
    for w in 0..40 {
        lines.push(format!(r#"{{"type":"gpu","at":"2026-10-01T00:00:00Z","wallet":"w{w}","seq":100,"model":"{}","vram_gb":24,"hashpower":18446744073709551615}}"#, "M".repeat(32)));
        for d in 1..=10 {
            lines.push(day_line(&format!("w{w}"), 100 + d, d, 1_440, 4_000_000));
        }
    }
    let mut flaky =
        Flaky { inner: &mut sim.runtime, sends: 0, kill_at: usize::MAX, lose_confirmation: false, sizes: Vec::new() };
    let s = run_bot(&mut flaky, &oracle, &crank, &lines.join("\n"), 0).unwrap();
    assert_eq!((s.applied, s.refused.len()), (440, 0));
    let max = *flaky.sizes.iter().max().unwrap();
    assert!(max <= 1_232, "{max}");
    let per_tx = s.applied as f64 / s.transactions as f64;
    println!(
        "{} reports in {} transactions: {per_tx:.1} reports per transaction, largest {max} bytes",
        s.applied, s.transactions
    );
    assert!(per_tx >= 5.0, "{per_tx}");
}
