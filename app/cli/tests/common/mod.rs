//! Shared by the bot's test files: the feeds, the prepared runtime, the
//! state compared between runs.
#![allow(dead_code)]
use pictor_vip_cli::simulate::Simulation;
use pictor_vip_keeper::bot::{Bot, BotOptions, Summary};
use pictor_vip_keeper::feed::parse_feed;
use pictor_vip_keeper::wallets::simulated_wallet;
use pictor_vip_sdk::state::Role;
use pictor_vip_sdk::transport::retry::RetryPolicy;
use pictor_vip_sdk::transport::{AddressLookupTableAccount, LookupTable, SendError, Transport};
use pictor_vip_sdk::{ix, pda, Account, Instruction, Keypair, Pubkey, Signer};
use std::time::Duration;

/// 2026-10-01 06:00 UTC: every day of September is complete.
pub const END: i64 = 20_727 * 86_400 + 6 * 3_600;

pub fn day_line(wallet: &str, seq: u32, day: u32, minutes: u32, frames: u32) -> String {
    format!(
        r#"{{"type":"worker_day","at":"2026-10-01T00:00:00Z","wallet":"{wallet}","seq":{seq},"day":"2026-09-{day:02}","uptime_minutes":{minutes},"frames_completed":{frames},"jobs_failed":0}}"#
    )
}

/// Phase A: enough facts for 4 creators and 3 workers to be eligible.
pub fn phase_a() -> String {
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
pub fn phase_b() -> String {
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

/// Phase C (the fault runs): facts in five waves, then a round of each role.
/// (The runtime's clock stays at [`END`], 06:00, so one round per role: a
/// round whose snapshot is at or after a `round` line's time answers it.)
pub fn phase_c() -> String {
    let mut lines = Vec::new();
    for k in 0..5u32 {
        let at = format!("2026-10-01T03:{:02}:00Z", 10 * k);
        for i in 0..4u32 {
            lines.push(format!(
                r#"{{"type":"frames","at":"{at}","wallet":"c{i}","seq":{},"frames":{}}}"#,
                5 + 2 * k,
                1 + (i * 7 + k * 3) % 11
            ));
            lines.push(format!(
                r#"{{"type":"recharge","at":"{at}","wallet":"c{i}","seq":{},"usdt":"{}.25"}}"#,
                6 + 2 * k,
                3 * i + k
            ));
        }
        for w in 0..3u32 {
            lines.push(format!(
                r#"{{"type":"gpu","at":"{at}","wallet":"w{w}","seq":{},"model":"GPU {k}","vram_gb":{},"hashpower":{}}}"#,
                40 + k,
                8 * ((w + k) % 7),
                100 * k
            ));
        }
    }
    lines.push(r#"{"type":"round","at":"2026-10-01T05:50:00Z","role":"creator"}"#.into());
    lines.push(r#"{"type":"round","at":"2026-10-01T05:50:00Z","role":"worker"}"#.into());
    lines.join("\n")
}

pub fn resolve(w: &str) -> Option<Pubkey> {
    Some(simulated_wallet(w).0)
}

pub fn run_bot(
    t: &mut dyn Transport,
    oracle: &Keypair,
    crank: &Keypair,
    feed: &str,
    retries: u32,
) -> anyhow::Result<Summary> {
    run_bot_signed(t, std::slice::from_ref(oracle), crank, feed, retries)
}

/// [`run_bot`], every key of `oracles` signing each report.
pub fn run_bot_signed(
    t: &mut dyn Transport,
    oracles: &[Keypair],
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
        in_flight: 1,
        poll_interval: fast,
        stop: None,
    };
    let mut bot = Bot::new(t, oracles, crank, options);
    bot.resolve_wallet = Box::new(resolve);
    bot.run(parse_feed(feed))
}

/// A runtime after phase A and the eligible members' claims.
pub fn prepared() -> Simulation {
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
pub fn state(sim: &mut Simulation) -> Vec<(Pubkey, Option<Vec<u8>>)> {
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

/// A test transport placed in front of another: it decides what becomes of
/// each send (`gate`) and, if it wants, of each read; everything else goes
/// straight to the transport behind it. Wrap it in [`Interposed`] to use it
/// as a [`Transport`].
pub trait Interposer {
    type Inner: Transport + ?Sized;
    fn inner(&mut self) -> &mut Self::Inner;
    fn inner_ref(&self) -> &Self::Inner;
    /// Runs `send` against the inner transport as many times as the fault
    /// being modelled asks for (none, once, twice), and says what the caller
    /// sees.
    fn gate<T>(
        &mut self,
        ixs: &[Instruction],
        send: impl Fn(&mut Self::Inner) -> Result<T, SendError>,
    ) -> Result<T, SendError>;
    fn get_account(&mut self, key: &Pubkey) -> pictor_vip_sdk::Result<Option<Account>> {
        self.inner().get_account(key)
    }
    /// One read per key, each through [`Interposer::get_account`].
    fn get_accounts(&mut self, keys: &[Pubkey]) -> pictor_vip_sdk::Result<Vec<Option<Account>>> {
        keys.iter().map(|k| self.get_account(k)).collect()
    }
    fn program_accounts(&mut self, discriminator: &[u8]) -> pictor_vip_sdk::Result<Vec<(Pubkey, Account)>> {
        self.inner().program_accounts(discriminator)
    }
}

/// An [`Interposer`] as a [`Transport`]; derefs to the interposer, so its
/// counters read as fields.
pub struct Interposed<I>(pub I);

impl<I> std::ops::Deref for Interposed<I> {
    type Target = I;
    fn deref(&self) -> &I {
        &self.0
    }
}

impl<I> std::ops::DerefMut for Interposed<I> {
    fn deref_mut(&mut self) -> &mut I {
        &mut self.0
    }
}

impl<I: Interposer> Transport for Interposed<I> {
    fn fee_payer(&self) -> Pubkey {
        self.0.inner_ref().fee_payer()
    }
    fn get_account(&mut self, key: &Pubkey) -> pictor_vip_sdk::Result<Option<Account>> {
        self.0.get_account(key)
    }
    fn get_accounts(&mut self, keys: &[Pubkey]) -> pictor_vip_sdk::Result<Vec<Option<Account>>> {
        self.0.get_accounts(keys)
    }
    fn program_accounts(&mut self, discriminator: &[u8]) -> pictor_vip_sdk::Result<Vec<(Pubkey, Account)>> {
        self.0.program_accounts(discriminator)
    }
    fn now(&mut self) -> pictor_vip_sdk::Result<i64> {
        self.0.inner().now()
    }
    fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<(), SendError> {
        self.0.gate(ixs, |t| t.send(ixs, signers))
    }
    fn set_compute_unit_price(&mut self, micro_lamports: u64) {
        self.0.inner().set_compute_unit_price(micro_lamports)
    }
    fn send_v0(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<usize, SendError> {
        self.0.gate(ixs, |t| t.send_v0(ixs, signers, tables))
    }
    fn slot(&mut self) -> pictor_vip_sdk::Result<u64> {
        self.0.inner().slot()
    }
    fn wait_for_slot(&mut self, slot: u64) -> pictor_vip_sdk::Result<()> {
        self.0.inner().wait_for_slot(slot)
    }
    fn lookup_tables(&mut self, authority: &Pubkey) -> pictor_vip_sdk::Result<Vec<LookupTable>> {
        self.0.inner().lookup_tables(authority)
    }
    fn fees_paid_lamports(&self) -> u64 {
        self.0.inner_ref().fees_paid_lamports()
    }
}
