//! The bot: restart safety and packing, on the in-process runtime.
mod common;
use common::*;
use pictor_vip_cli::simulate::Simulation;
use pictor_vip_sdk::transport::{transaction_size, unsigned_transaction, SendError, Transport};
use pictor_vip_sdk::{Instruction, Keypair};

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

impl<'a> Interposer for Flaky<'a> {
    type Inner = dyn Transport + 'a;
    fn inner(&mut self) -> &mut Self::Inner {
        self.inner
    }
    fn inner_ref(&self) -> &Self::Inner {
        self.inner
    }
    /// Passes the `sends`-th send through, or fails it (a crash), or lands
    /// it and loses its confirmation.
    fn gate<T>(
        &mut self,
        ixs: &[Instruction],
        send: impl Fn(&mut Self::Inner) -> Result<T, SendError>,
    ) -> Result<T, SendError> {
        self.sends += 1;
        self.sizes.push(transaction_size(&unsigned_transaction(ixs, &self.inner.fee_payer())));
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
    let mut counter = Interposed(Flaky {
        inner: &mut reference.runtime,
        sends: 0,
        kill_at: usize::MAX,
        lose_confirmation: false,
        sizes: Vec::new(),
    });
    let full = run_bot(&mut counter, &oracle, &crank, &phase_b(), 0).unwrap();
    let total_sends = counter.sends;
    assert_eq!((full.applied, full.already_applied, full.rounds.len()), (11, 0, 2));
    let expected = state(&mut reference);
    assert!(total_sends >= 6, "the feed must span several transactions ({total_sends})");

    for kill_at in 1..=total_sends {
        let mut sim = prepared();
        let mut flaky = Interposed(Flaky {
            inner: &mut sim.runtime,
            sends: 0,
            kill_at,
            lose_confirmation: false,
            sizes: Vec::new(),
        });
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
    let mut flaky =
        Interposed(Flaky { inner: &mut sim.runtime, sends: 0, kill_at: 1, lose_confirmation: true, sizes: Vec::new() });
    let s = run_bot(&mut flaky, &oracle, &crank, &phase_b(), 3).unwrap();
    // The first transaction landed but looked failed: its reports come back as already applied.
    assert_eq!(s.applied + s.already_applied, 11);
    assert!(s.already_applied > 0);
    let mut reference = prepared();
    run_bot(&mut reference.runtime, &oracle, &crank, &phase_b(), 0).unwrap();
    assert_eq!(state(&mut sim), state(&mut reference));
}

#[test]
fn packed_transactions_never_exceed_1232_bytes_at_any_quorum() {
    // 40 wallets × (a GPU report with the longest model name + 10 days): the largest reports there are.
    let mut lines = Vec::new();
    for w in 0..40 {
        lines.push(format!(r#"{{"type":"gpu","at":"2026-10-01T00:00:00Z","wallet":"w{w}","seq":100,"model":"{}","vram_gb":24,"hashpower":18446744073709551615}}"#, "M".repeat(32)));
        for d in 1..=10 {
            lines.push(day_line(&format!("w{w}"), 100 + d, d, 1_440, 4_000_000));
        }
    }
    // Reports per transaction at least (each oracle signing adds a signature and a key).
    for (quorum, at_least) in [(1u8, 7.0), (2, 6.0), (3, 5.0)] {
        let rules = pictor_vip_sdk::state::Rules { oracle_quorum: quorum, ..Default::default() };
        let mut sim = Simulation::start_with(END, rules, usize::from(quorum)).unwrap();
        let (oracles, crank): (Vec<Keypair>, Keypair) =
            (sim.oracles().iter().map(|k| k.insecure_clone()).collect(), sim.crank().insecure_clone());
        let mut flaky = Interposed(Flaky {
            inner: &mut sim.runtime,
            sends: 0,
            kill_at: usize::MAX,
            lose_confirmation: false,
            sizes: Vec::new(),
        });
        let s = run_bot_signed(&mut flaky, &oracles, &crank, &lines.join("\n"), 0).unwrap();
        assert_eq!((s.applied, s.refused.len()), (440, 0));
        let max = *flaky.sizes.iter().max().unwrap();
        assert!(max <= 1_232, "{max}");
        let per_tx = s.applied as f64 / s.transactions as f64;
        println!(
            "quorum {quorum}: {} reports in {} transactions: {per_tx:.1} reports per transaction, largest {max} bytes",
            s.applied, s.transactions
        );
        assert!(per_tx >= at_least, "quorum {quorum}: {per_tx}");
    }
}

#[test]
fn the_bot_applies_a_demo_network_replayed_as_a_backlog() {
    use pictor_vip_cli::demo::{generate, DemoOptions};
    let feed = generate(&DemoOptions { creators: 60, workers: 40, days: 31, seed: 7, ..DemoOptions::default() });
    let parsed = pictor_vip_keeper::feed::parse_feed(&feed);
    let last_at = parsed.iter().rev().find_map(|l| l.as_ref().ok().map(|l| l.at)).unwrap();
    // The whole month replayed at once, at the feed's last time (an oracle catching up).
    let mut sim = Simulation::start(last_at).unwrap();
    let (oracle, crank) = (sim.oracle().insecure_clone(), sim.crank().insecure_clone());
    let summary = run_bot(&mut sim.runtime, &oracle, &crank, &feed, 3).unwrap();
    println!("bot summary for a demo network (60 creators, 40 workers, 31 days):\n{}", summary.to_json());
    assert!(summary.waiting.is_empty() && summary.malformed.is_empty(), "{summary:?}");
    assert_eq!(summary.rounds.len() + summary.rounds_already_done, 2);
    // Only the first day falls outside the 30-day window of the cluster's clock.
    assert!(summary.refused.iter().all(|(_, r)| r.starts_with("DayOutsideWindow")), "{:?}", summary.refused);
    assert!(summary.refused.len() <= 40, "{}", summary.refused.len());
    let oracle_lines = feed.lines().filter(|l| !l.contains("\"claim\"") && !l.contains("\"round\"")).count();
    assert_eq!(summary.applied + summary.refused.len(), oracle_lines);
    assert!(summary.fees_lamports > 0 && summary.transactions > 0);
}

/// The keeper's way of driving the bot: lines pushed as they come, a step at
/// a time, and a stop flag (SIGTERM) that makes a step send nothing more and
/// leaves what was not sent to do; a later step (the next run) finishes it,
/// and the chain ends as an uninterrupted run's. Both sending modes.
#[test]
fn a_stopped_bot_sends_nothing_more_and_the_next_steps_finish_the_feed() {
    use pictor_vip_keeper::bot::{Bot, BotOptions, PassEnd};
    use pictor_vip_keeper::feed::parse_feed;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    for in_flight in [1, 8] {
        let mut sim = prepared();
        let (oracle, crank) = (sim.oracle().insecure_clone(), sim.crank().insecure_clone());
        let stop = Arc::new(AtomicBool::new(true));
        let fast = std::time::Duration::from_millis(1);
        let options = BotOptions { in_flight, poll_interval: fast, stop: Some(stop.clone()), ..BotOptions::default() };
        let oracles = [oracle.insecure_clone()];
        let mut bot = Bot::new(&mut sim.runtime, &oracles, &crank, options);
        bot.resolve_wallet = Box::new(resolve);
        bot.push(parse_feed(&phase_b()));
        assert_eq!(bot.outstanding(), 13, "11 reports and 2 round lines");
        assert_eq!(bot.step().unwrap(), PassEnd::Stalled, "in flight {in_flight}");
        assert_eq!((bot.summary().applied, bot.summary().transactions, bot.outstanding()), (0, 0, 13));
        stop.store(false, Ordering::SeqCst);
        assert_eq!(bot.step().unwrap(), PassEnd::Complete);
        assert_eq!((bot.summary().applied, bot.summary().rounds.len(), bot.outstanding()), (11, 2, 0));
        assert_eq!(bot.first_waiting(), None);
        drop(bot);
        let mut reference = prepared();
        run_bot(&mut reference.runtime, &oracle, &crank, &phase_b(), 0).unwrap();
        assert_eq!(state(&mut sim), state(&mut reference), "in flight {in_flight}");
    }
}
