//! The bot with co-signers (SPEC §6), on an in-process cluster whose oracle
//! quorum is 3: the keeper's own oracle key and two co-signer services, each
//! judging every report against its own feed. (The same, through the
//! binaries on a local cluster, is `app/cli/tests/cosign.rs`.)
use crate::bot::{Bot, BotOptions};
use crate::cosigner::ledger::Ledger;
use crate::cosigner::Service;
use crate::feed::parse_feed;
use crate::keeper::cosign::{Answer, Channel, Cosigners, Local};
use crate::keeper::metrics::Shared;
use crate::keeper::tail::TailLine;
use pictor_vip_sdk::state::{Role, Rules};
use pictor_vip_sdk::transport::{InProcess, Transport};
use pictor_vip_sdk::{read, Keypair, Pubkey, Signer};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// 2026-12-01T00:00:00Z.
const START: i64 = 1_796_083_200;

struct World {
    rt: InProcess,
    oracle: Keypair,
    crank: Keypair,
    cosigners: Vec<Arc<Service>>,
}

fn world(quorum: u8) -> World {
    let c = [Keypair::new(), Keypair::new()];
    let rules = Rules { oracle_quorum: quorum, ..Rules::default() };
    let (rt, _admin, oracle, crank) = crate::testing::cluster(START + 3_600, rules, &[c[0].pubkey(), c[1].pubkey()]);
    let cosigners = c
        .iter()
        .map(|k| Service::new(k.insecure_clone(), vec![rt.fee_payer()], Ledger::in_memory(), Duration::from_millis(50)))
        .collect();
    World { rt, oracle, crank, cosigners }
}

fn frames(wallet: &Pubkey, seq: u64, n: u64) -> String {
    format!(r#"{{"type":"frames","at":"2026-12-01T00:00:00Z","wallet":"{wallet}","seq":{seq},"frames":{n}}}"#)
}

fn feed(service: &Service, lines: &[String]) {
    let lines: Vec<TailLine> = lines.iter().enumerate().map(|(i, t)| TailLine::new("feed", i + 1, t.clone())).collect();
    service.add_lines(&lines);
    service.set_ready();
}

fn frames_on_chain(rt: &mut InProcess, wallet: &Pubkey) -> Option<u64> {
    match read::member(rt, Role::Creator, wallet).unwrap()? {
        pictor_vip_sdk::state::Member::Creator(m) => Some(m.facts.frames_rendered),
        _ => None,
    }
}

/// A co-signer that never answers.
struct Down;

impl Channel for Down {
    fn name(&self) -> String {
        "a co-signer that is down".into()
    }
    fn key(&self) -> anyhow::Result<Pubkey> {
        Err(anyhow::anyhow!("connection refused"))
    }
    fn sign(&self, _: &str) -> Answer {
        Answer::Failed("unreachable", "connection refused".into())
    }
}

#[test]
fn a_report_lands_only_when_every_cosigner_finds_it_in_its_own_feed() {
    let mut w = world(3);
    let [a, b, c, d] = [Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique()];
    // A: in both feeds. B: the second co-signer's feed lacks it (for now).
    // C: the first co-signer's feed says 99 frames. D: only the keeper has it (fabricated).
    feed(&w.cosigners[0], &[frames(&a, 1, 10), frames(&b, 1, 20), frames(&c, 1, 99)]);
    feed(&w.cosigners[1], &[frames(&a, 1, 10), frames(&c, 1, 30)]);
    let shared = Shared::new(Duration::from_secs(300));
    shared.oracle_quorum.store(3, Ordering::SeqCst);
    let channels: Vec<Box<dyn Channel>> =
        w.cosigners.iter().map(|s| Box::new(Local(s.clone())) as Box<dyn Channel>).collect();
    let cosigners = Cosigners::over(channels, 1, shared.clone()).refusal_backoff(Duration::from_millis(200));
    let keeper_feed = [frames(&a, 1, 10), frames(&b, 1, 20), frames(&c, 1, 30), frames(&d, 1, 40)].join("\n");
    let (oracle, crank) = (w.oracle.insecure_clone(), w.crank.insecure_clone());
    let oracles = [oracle];
    let options = BotOptions { in_flight: 4, poll_interval: Duration::from_millis(10), ..BotOptions::default() };
    let mut bot = Bot::new(&mut w.rt, &oracles, &crank, options);
    bot.cosigners = Some(Box::new(cosigners));
    bot.push(parse_feed(&keeper_feed));
    bot.step().unwrap();
    assert_eq!(bot.outstanding(), 3, "A landed; B, C and D wait");
    assert!(bot.reason(2).unwrap().contains("not_in_feed"), "{:?}", bot.reason(2));
    // B reaches the second co-signer's feed: it lands at the next ask.
    feed(&w.cosigners[1], &[frames(&b, 1, 20)]);
    std::thread::sleep(Duration::from_millis(250));
    bot.step().unwrap();
    std::thread::sleep(Duration::from_millis(450));
    bot.step().unwrap();
    assert_eq!(bot.outstanding(), 2, "C and D never land: {:?} {:?}", bot.reason(3), bot.reason(4));
    drop(bot);
    assert_eq!(frames_on_chain(&mut w.rt, &a), Some(10));
    assert_eq!(frames_on_chain(&mut w.rt, &b), Some(20));
    assert_eq!(frames_on_chain(&mut w.rt, &c), None, "an altered fact never lands");
    assert_eq!(frames_on_chain(&mut w.rt, &d), None, "a fabricated fact never lands");
    let refusals = |i: usize, reason: &str| {
        let key = w.cosigners[i].pubkey().to_string();
        shared.metrics.cosign_refusals.with_label_values(&[&key, reason]).get()
    };
    assert!(refusals(0, "differs_from_feed") >= 1);
    assert!(refusals(1, "not_in_feed") >= 2, "B once, D at least once");
    assert!(shared.metrics.cosign_waiting.get() >= 2);
}

#[test]
fn with_one_cosigner_down_the_other_one_makes_the_quorum_of_two() {
    let mut w = world(2);
    let a = Pubkey::new_unique();
    feed(&w.cosigners[1], &[frames(&a, 1, 7)]);
    let shared = Shared::new(Duration::from_secs(300));
    shared.oracle_quorum.store(2, Ordering::SeqCst);
    let channels: Vec<Box<dyn Channel>> = vec![Box::new(Down), Box::new(Local(w.cosigners[1].clone()))];
    let cosigners = Cosigners::over(channels, 1, shared.clone());
    let (oracle, crank) = (w.oracle.insecure_clone(), w.crank.insecure_clone());
    let oracles = [oracle];
    let options = BotOptions { in_flight: 4, poll_interval: Duration::from_millis(10), ..BotOptions::default() };
    let mut bot = Bot::new(&mut w.rt, &oracles, &crank, options);
    bot.cosigners = Some(Box::new(cosigners));
    bot.push(parse_feed(&frames(&a, 1, 7)));
    bot.step().unwrap();
    assert_eq!(bot.outstanding(), 0);
    drop(bot);
    assert_eq!(frames_on_chain(&mut w.rt, &a), Some(7));
}
