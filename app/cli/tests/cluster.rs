//! On a real local cluster: `pictor-vip localnet` (agave's validator, the
//! program loaded as a native builtin, real Token-2022 and ATA programs)
//! started as a child process, and everything else over JSON-RPC only:
//! the unchanged `pictor-vip` binary for every operator, bot, wallet and
//! reader command, and the SDK's `Rpc` transport for what a test checks.
//! Events are read back as an indexer would (`getSignaturesForAddress`,
//! `getTransaction`, inner instructions decoded by the SDK).
//!
//! The clusters run one at a time (each keeps two cores busy).
use pictor_vip_cli::operator::DeploymentFile;
use pictor_vip_keeper::feed::{format_day, format_rfc3339};
use pictor_vip_sdk::events::ProgramEvent;
use pictor_vip_sdk::state::{PassStatus, Role};
use pictor_vip_sdk::transport::{outcomes, sign_transaction, Rpc, SendError, Submitted, Transport};
use pictor_vip_sdk::{ix, pda, read, Pubkey, Signer};
use serde_json::Value;
use solana_commitment_config::CommitmentConfig;
use solana_rpc_client::rpc_client::RpcClient;
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

mod localnet;
use localnet::*;

/// The program's events once everything sent so far is final.
fn events_of(rpc: &Rpc) -> Vec<(pictor_vip_sdk::transport::Signature, Vec<ProgramEvent>)> {
    rpc.wait_finalized(Duration::from_secs(300)).unwrap();
    rpc.program_events().unwrap()
}

fn names(events: &[(pictor_vip_sdk::transport::Signature, Vec<ProgramEvent>)]) -> Vec<&'static str> {
    events.iter().flat_map(|(_, e)| e.iter().map(ProgramEvent::name)).collect()
}

fn count(events: &[&'static str], name: &str) -> usize {
    events.iter().filter(|n| **n == name).count()
}

/// The (wallet, seq) of each report event.
fn report_keys(events: &[(pictor_vip_sdk::transport::Signature, Vec<ProgramEvent>)]) -> Vec<(Pubkey, u64)> {
    events
        .iter()
        .flat_map(|(_, e)| e.iter())
        .filter_map(|e| match e {
            ProgramEvent::CreatorRecharged(x) => Some((x.wallet, x.seq)),
            ProgramEvent::CreatorSpent(x) => Some((x.wallet, x.seq)),
            ProgramEvent::CreatorFramesRendered(x) => Some((x.wallet, x.seq)),
            ProgramEvent::WorkerDayReported(x) => Some((x.wallet, x.seq)),
            ProgramEvent::WorkerGpuReported(x) => Some((x.wallet, x.seq)),
            _ => None,
        })
        .collect()
}

#[test]
fn every_operator_command_over_rpc_with_its_event() {
    let _one = serial();
    let net = Cluster::start("operator", &["--no-init"]);
    let (authority, admin_path) = (net.key(&net.authority), net.authority.clone());
    let mut rpc = net.rpc(&authority);
    assert!(read::config(&mut rpc).unwrap().is_none(), "--no-init leaves the program uninitialised");
    let [(_, stranger_path), (new_admin, new_admin_path), (oracle2, _), (crank2, _)] =
        <[_; 4]>::try_from(net.wallets("op", 4, 10)).ok().unwrap();
    let file = deployment(&net, 600);
    let file = file.to_str().unwrap();

    // init: a stranger is refused, a dry run sends nothing, the upgrade authority initialises, once.
    net.cli(&stranger_path, &["init", "--config", file]).refused("NotUpgradeAuthority");
    let dry = net.cli(&admin_path, &["--dry-run", "init", "--config", file]).json();
    assert_eq!((dry["dry_run"].as_bool(), dry["would_succeed"].as_bool()), (Some(true), Some(true)));
    assert!(read::config(&mut rpc).unwrap().is_none(), "the dry run sent nothing");
    net.cli(&admin_path, &["init", "--config", file]).json();
    net.cli(&admin_path, &["init", "--config", file]).refused("AlreadyInitialized");
    let show = |net: &Cluster| net.cli(&stranger_path, &["config", "show"]).json();
    let c = show(&net);
    assert_eq!(c["admin"].as_str(), Some(authority.pubkey().to_string().as_str()));
    assert_eq!((c["paused"].as_bool(), c["rules"]["priority_bps"].as_u64()), (Some(false), Some(1_000)));

    // config update, pause / unpause, oracles, crank, the admin hand-over and back.
    let mut changed = DeploymentFile::parse(&fs::read_to_string(file).unwrap(), false).unwrap();
    (changed.crank, changed.oracles) = (None, Vec::new());
    changed.rules.priority_bps = 2_000;
    let update = net.root.join("update.toml");
    fs::write(&update, toml::to_string(&changed).unwrap()).unwrap();
    net.cli(&stranger_path, &["config", "update", "--file", update.to_str().unwrap()]).refused("NotAdmin");
    net.cli(&admin_path, &["config", "update", "--file", update.to_str().unwrap()]).json();
    assert_eq!(show(&net)["rules"]["priority_bps"].as_u64(), Some(2_000));
    net.cli(&admin_path, &["pause"]).json();
    assert_eq!(show(&net)["paused"].as_bool(), Some(true));
    net.cli(&admin_path, &["unpause"]).json();
    assert_eq!(show(&net)["paused"].as_bool(), Some(false));
    let k2 = oracle2.pubkey().to_string();
    net.cli(&admin_path, &["oracle", "add", &k2]).json();
    assert!(show(&net)["oracles"].as_array().unwrap().iter().any(|o| o.as_str() == Some(&k2)));
    net.cli(&admin_path, &["oracle", "remove", &k2]).json();
    assert!(!show(&net)["oracles"].as_array().unwrap().iter().any(|o| o.as_str() == Some(&k2)));
    let crank = c["crank"].as_str().unwrap().to_string();
    net.cli(&admin_path, &["crank", "set", &crank2.pubkey().to_string()]).json();
    assert_eq!(show(&net)["crank"].as_str(), Some(crank2.pubkey().to_string().as_str()));
    net.cli(&admin_path, &["crank", "set", &crank]).json();
    net.cli(&admin_path, &["admin", "propose", &new_admin.pubkey().to_string()]).json();
    assert_eq!(show(&net)["pending_admin"].as_str(), Some(new_admin.pubkey().to_string().as_str()));
    net.cli(&stranger_path, &["admin", "accept"]).refused("NotPendingAdmin");
    net.cli(&new_admin_path, &["admin", "accept"]).json();
    assert_eq!(show(&net)["admin"].as_str(), Some(new_admin.pubkey().to_string().as_str()));
    net.cli(&admin_path, &["pause"]).refused("NotAdmin");
    net.cli(&new_admin_path, &["admin", "propose", &authority.pubkey().to_string()]).json();
    net.cli(&admin_path, &["admin", "accept"]).json();
    assert_eq!(show(&net)["admin"].as_str(), Some(authority.pubkey().to_string().as_str()));

    // Every change, and only the changes, as an indexer sees them.
    let events = events_of(&rpc);
    assert_eq!(
        names(&events),
        [
            "ConfigInitialized",
            "ConfigUpdated",
            "PausedSet",
            "PausedSet",
            "OracleChanged",
            "OracleChanged",
            "CrankSet",
            "CrankSet",
            "AdminProposed",
            "AdminAccepted",
            "AdminProposed",
            "AdminAccepted"
        ]
    );
    let all: Vec<&ProgramEvent> = events.iter().flat_map(|(_, e)| e).collect();
    match (all[2], all[3], all[4], all[5]) {
        (
            ProgramEvent::PausedSet(a),
            ProgramEvent::PausedSet(b),
            ProgramEvent::OracleChanged(c),
            ProgramEvent::OracleChanged(d),
        ) => {
            assert_eq!((a.paused, b.paused), (true, false));
            assert_eq!((c.oracle, c.added, d.oracle, d.added), (oracle2.pubkey(), true, oracle2.pubkey(), false));
        }
        other => panic!("unexpected events {other:?}"),
    }
    match all[9] {
        ProgramEvent::AdminAccepted(a) => assert_eq!((a.old, a.new), (authority.pubkey(), new_admin.pubkey())),
        other => panic!("{other:?}"),
    }

    let status = net.stop();
    assert!(status.success(), "localnet exited with {status}");
}

/// Reports of every kind at an oracle quorum of two (one oracle alone is
/// refused), a fact ahead of the cluster clock (refused, then applied once
/// the clock passes it), bad facts refused for good; wallets claim and hold
/// a soulbound pass; rounds open in the localnet's cadence windows; a
/// creator round of more members than a batch holds runs through lookup
/// tables; readers agree; revoke and sync.
#[test]
fn the_bot_wallets_rounds_and_readers_over_rpc() {
    let _one = serial();
    let net = Cluster::start("story", &["--no-init"]);
    let admin = net.authority.clone();
    let (second_oracle, second_path) = net.wallets("oracle", 1, 1).pop().unwrap();
    let file = deployment_with(&net, 5, |d| {
        d.oracles.push(second_oracle.pubkey().to_string());
        d.rules.oracle_quorum = 2;
    });
    net.cli(&admin, &["init", "--config", file.to_str().unwrap()]).json();
    let oracle = net.key(&net.oracle);
    let both = ["--oracle-keypair", net.oracle.to_str().unwrap(), "--oracle-keypair", second_path.to_str().unwrap()];
    let mut rpc = net.rpc(&oracle);
    let now = rpc.now().unwrap();
    let today = now.div_euclid(86_400);

    const CREATORS: usize = 62;
    let creators = net.wallets("creator", CREATORS, 1);
    let workers = net.wallets("worker", 3, 1);
    let (poor, _) = &net.wallets("poor", 1, 1)[0];
    let at = format_rfc3339(now - 60);
    let mut lines = Vec::new();
    let mut expected_reports = 0;
    for (i, (c, _)) in creators.iter().enumerate() {
        let w = c.pubkey();
        lines.push(format!(r#"{{"type":"recharge","at":"{at}","wallet":"{w}","seq":1,"usdt":"{}"}}"#, 6_000 + i));
        lines.push(format!(r#"{{"type":"spend","at":"{at}","wallet":"{w}","seq":2,"usdt":"{}.5"}}"#, 5_000 + 7 * i));
        lines
            .push(format!(r#"{{"type":"frames","at":"{at}","wallet":"{w}","seq":3,"frames":{}}}"#, 1 + (i * 37) % 500));
        expected_reports += 3;
    }
    for (i, (k, _)) in workers.iter().enumerate() {
        let w = k.pubkey();
        lines.push(format!(
            r#"{{"type":"gpu","at":"{}","wallet":"{w}","seq":1,"model":"RTX 4090","vram_gb":{},"hashpower":165}}"#,
            format_rfc3339((today - 30) * 86_400),
            16 * (i + 1)
        ));
        for d in 0..30i64 {
            let day = today - 30 + d;
            lines.push(format!(
                r#"{{"type":"worker_day","at":"{}","wallet":"{w}","seq":{},"day":"{}","uptime_minutes":{},"frames_completed":{},"jobs_failed":{}}}"#,
                format_rfc3339((day + 1) * 86_400),
                2 + d,
                format_day(day),
                1_000 + 100 * i as i64,
                d % 7,
                i64::from(d == 3)
            ));
        }
        expected_reports += 31;
    }
    // Refused for good: spending above deposits, a day outside the window.
    let p = poor.pubkey();
    lines.push(format!(r#"{{"type":"recharge","at":"{at}","wallet":"{p}","seq":1,"usdt":"100"}}"#));
    lines.push(format!(r#"{{"type":"spend","at":"{at}","wallet":"{p}","seq":2,"usdt":"200"}}"#));
    let w0 = workers[0].0.pubkey();
    lines.push(format!(
        r#"{{"type":"worker_day","at":"{at}","wallet":"{w0}","seq":40,"day":"{}","uptime_minutes":900,"frames_completed":0,"jobs_failed":0}}"#,
        format_day(today - 45)
    ));
    // Ahead of the cluster clock by more than the 5 s skew: waits, then lands.
    let c0 = creators[0].0.pubkey();
    let ahead = now + 25;
    lines.push(format!(r#"{{"type":"frames","at":"{}","wallet":"{c0}","seq":4,"frames":5}}"#, format_rfc3339(ahead)));
    expected_reports += 2;
    let feed = write_feed(&net, "reports.jsonl", &lines);
    // One oracle key alone cannot report at a quorum of two: refused for good, nothing applied.
    let alone = net.feed(&write_feed(&net, "alone.jsonl", &lines[..1]), &[]);
    assert_eq!(alone["applied"].as_u64(), Some(0), "{alone}");
    assert!(alone["refused"][0]["reason"].as_str().unwrap().contains("OracleQuorumNotMet"), "{alone}");
    let summary = net.feed(&feed, &[&both[..], &["--drain-secs", "180"]].concat());
    assert_eq!(summary["applied"].as_u64(), Some(expected_reports as u64), "{summary}");
    let refused: Vec<&str> =
        summary["refused"].as_array().unwrap().iter().map(|r| r["reason"].as_str().unwrap()).collect();
    assert_eq!(refused.len(), 2, "{summary}");
    assert!(refused.iter().any(|r| r.contains("SpendingExceedsDeposits")), "{refused:?}");
    assert!(refused.iter().any(|r| r.contains("DayOutsideWindow")), "{refused:?}");
    assert!(summary["waiting"].as_array().unwrap().is_empty(), "{summary}");
    assert!(summary["retries"].as_u64().unwrap() >= 1, "the fact ahead of the clock waited: {summary}");
    assert!(rpc.now().unwrap() + 5 >= ahead, "it landed only once the clock allowed it");
    // Running the same feed again changes nothing.
    let again = net.feed(&feed, &both);
    assert_eq!(
        (again["applied"].as_u64(), again["already_applied"].as_u64()),
        (Some(0), Some(expected_reports as u64))
    );

    // Claims: three through the CLI, the rest from the SDK with many in flight.
    let claim = |path: &Path, role: &str| net.cli(path, &["claim", role]);
    claim(&creators[0].1, "creator").json();
    claim(&workers[0].1, "worker").json();
    claim(&workers[1].1, "worker").json();
    claim(&creators[0].1, "creator").refused("PassAlreadyClaimed");
    let poor_path = net.root.join("wallets/poor-0.json");
    claim(&poor_path, "creator").refused("NotEligible");
    let started = Instant::now();
    let submitted: Vec<Submitted> = creators[1..]
        .iter()
        .map(|(kp, _)| net.rpc(kp).submit(&ix::claim_instructions(&kp.pubkey(), &kp.pubkey(), Role::Creator), &[kp]))
        .collect();
    assert!(submitted.iter().all(|s| matches!(s, Submitted::InFlight(_))), "a cluster answers later: {submitted:?}");
    let results = outcomes(&mut rpc, submitted, Duration::from_millis(300)).unwrap();
    for ((kp, _), result) in creators[1..].iter().zip(results) {
        assert_eq!(result, Ok(()), "claim of {}", kp.pubkey());
    }
    assert!(started.elapsed() < Duration::from_secs(120), "claims confirmed only after {:?}", started.elapsed());
    for (kp, _) in &creators {
        let m = read::member(&mut rpc, Role::Creator, &kp.pubkey()).unwrap().unwrap();
        assert_eq!(m.header().pass_status(), PassStatus::Active);
    }

    // Soulbound: Token-2022 refuses a transfer (NonTransferable, 37); balances stay.
    let (holder, other) = (&creators[0].0, &creators[1].0);
    let mint = pda::pass_mint(Role::Creator, &holder.pubkey());
    let token = anchor_spl::token_2022::ID;
    let to = anchor_spl::associated_token::get_associated_token_address_with_program_id(&other.pubkey(), &mint, &token);
    let mut own = net.rpc(holder);
    own.send(
        &[anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent(
            &holder.pubkey(),
            &other.pubkey(),
            &mint,
            &token,
        )],
        &[],
    )
    .unwrap();
    let from = pda::holder_ata(Role::Creator, &holder.pubkey());
    let transfer = anchor_spl::token_2022::spl_token_2022::instruction::transfer_checked(
        &token,
        &from,
        &mint,
        &to,
        &holder.pubkey(),
        &[],
        1,
        0,
    )
    .unwrap();
    match own.send(&[transfer], &[]) {
        Err(SendError::Program { code: Some(37), .. }) => {}
        other => panic!("a transfer of the pass: {other:?}"),
    }
    let balance = |rpc: &mut Rpc, ata: &Pubkey| {
        rpc.get_account(ata).unwrap().map(|a| u64::from_le_bytes(a.data[64..72].try_into().unwrap()))
    };
    assert_eq!((balance(&mut rpc, &from), balance(&mut rpc, &to)), (Some(1), Some(0)));

    // Rank rewards for the creator round: 700 units of a 6-decimal SPL token
    // (classic Token), shared by the top 7.
    let reward_mint = reward_token(&net, 700_000_000);
    let m = reward_mint.to_string();
    net.cli(&admin, &["rewards", "fund", "creator", "--mint", &m, "--amount", "700", "--top", "7"]).json();

    // The creator round: more members than one batch, through lookup tables,
    // in a window whose snapshot comes after the last claim (a pass claimed
    // after a window's time counts from the next window's round).
    let claimed = rpc.now().unwrap();
    wait_for_window_after(&mut rpc, claimed);
    let crank_path = net.crank.clone();
    let round = net.cli(&crank_path, &["rank", "creator"]).json();
    assert_eq!(round["members"].as_u64(), Some(CREATORS as u64), "{round}");
    assert_eq!(round["batches"].as_u64(), Some(2), "{CREATORS} members in batches of at most 58: {round}");
    assert!(round["table_transactions"].as_u64().unwrap() >= 4, "{round}");
    assert_eq!(round["priority"].as_u64(), Some(7), "⌈10 % of 62⌉: {round}");
    // The worker round through the bot's round line.
    let rounds = write_feed(
        &net,
        "rounds.jsonl",
        &[format!(r#"{{"type":"round","at":"{}","role":"worker"}}"#, format_rfc3339(now))],
    );
    let s = net.feed(&rounds, &both);
    assert_eq!(s["rounds"][0]["members"].as_u64(), Some(2), "{s}");
    // Each round opened in a window of the cadence, its snapshot the window's time.
    let config = read::config(&mut rpc).unwrap().unwrap();
    let period = i64::from(config.rules.cadence.period_secs);
    assert!(period > 0, "the local cluster runs a round cadence");
    for role in Role::ALL {
        let done = read::board(&mut rpc, role).unwrap().unwrap().finalised.unwrap();
        let offset = i64::from(config.rules.cadence.offset_secs);
        assert_eq!((done.snapshot_ts - offset) % period, 0, "{role:?} round snapshot {}", done.snapshot_ts);
    }

    // Readers: the leaderboard is in the round's order; status agrees with it.
    let board = net.cli(&net.oracle, &["leaderboard", "creator", "--limit", "100"]).json();
    let rows = board["rows"].as_array().unwrap();
    assert_eq!(rows.len(), CREATORS);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r["rank"].as_u64(), Some(i as u64 + 1));
        assert_eq!(r["priority"].as_bool(), Some(i < 7), "the top 10 % (⌈6.2⌉ = 7) are priority");
        if i > 0 {
            assert!(rows[i - 1]["score_points"].as_f64() >= r["score_points"].as_f64(), "{board}");
        }
    }
    let top = rows[0]["wallet"].as_str().unwrap();
    let status = net.cli(&net.oracle, &["status", top]).json();
    assert_eq!(status["creator"]["pass"].as_str(), Some("Active"));
    assert_eq!((status["creator"]["rank"].as_u64(), status["creator"]["priority"].as_bool()), (Some(1), Some(true)));
    // The round credited the top 7 with 100 each; the first withdraws it.
    let top_path = creators.iter().find(|(k, _)| k.pubkey().to_string() == top).map(|(_, p)| p.clone()).unwrap();
    assert_eq!(status["creator"]["reward_balance_base_units"].as_u64(), Some(100_000_000));
    let eighth = rows[7]["wallet"].as_str().unwrap();
    assert_eq!(net.cli(&admin, &["status", eighth]).json()["creator"]["reward_balance_base_units"].as_u64(), Some(0));
    net.cli(&top_path, &["rewards", "withdraw", "creator"]).json();
    net.cli(&top_path, &["rewards", "withdraw", "creator"]).refused("NothingToWithdraw");
    let top_key: Pubkey = top.parse().unwrap();
    let paid = pda::reward_destination(&top_key, &reward_mint, &anchor_spl::token::ID);
    assert_eq!(balance(&mut rpc, &paid), Some(100_000_000));
    let pools = net.cli(&admin, &["rewards", "status"]).json();
    let creator_pool = &pools["roles"][0];
    assert_eq!(creator_pool["role"].as_str(), Some("creator"));
    assert_eq!(
        (creator_pool["vault_base_units"].as_u64(), creator_pool["credited_unwithdrawn_base_units"].as_u64()),
        (Some(600_000_000), Some(600_000_000)),
        "600 left in the vault, owed to the other six: {pools}"
    );
    let poor_status = net.cli(&net.oracle, &["status", &p.to_string()]).json();
    assert_eq!(poor_status["creator"]["eligible"].as_bool(), Some(false));
    assert_eq!(
        poor_status["creator"]["progress"]["spent_base_units"].as_u64(),
        Some(0),
        "the refused spend did not count"
    );

    // Revoke one holder; another burns its pass and anyone syncs it.
    let (revoked, burner) = (creators[5].0.pubkey(), &creators[6]);
    net.cli(&net.oracle, &["revoke", "creator", &revoked.to_string(), "--reason", "7"]).refused("NotAdmin");
    net.cli(&admin, &["revoke", "creator", &revoked.to_string(), "--reason", "7"]).json();
    assert!(rpc.get_account(&pda::pass_mint(Role::Creator, &revoked)).unwrap().is_none(), "mint closed");
    assert_eq!(net.cli(&admin, &["status", &revoked.to_string()]).json()["creator"]["pass"].as_str(), Some("Revoked"));
    claim(&creators[5].1, "creator").refused("MemberRevoked");
    net.cli(&net.oracle, &["reinstate", "creator", &revoked.to_string()]).refused("NotAdmin");
    net.cli(&admin, &["reinstate", "creator", &revoked.to_string()]).json();
    assert_eq!(net.cli(&admin, &["status", &revoked.to_string()]).json()["creator"]["pass"].as_str(), Some("None"));
    claim(&creators[5].1, "creator").json();
    net.cli(&admin, &["revoke", "creator", &revoked.to_string(), "--reason", "7"]).json();
    net.cli(&net.oracle, &["sync", "creator", &burner.0.pubkey().to_string()]).refused("PassStillHeld");
    let burn = anchor_spl::token_2022::spl_token_2022::instruction::burn_checked(
        &token,
        &pda::holder_ata(Role::Creator, &burner.0.pubkey()),
        &pda::pass_mint(Role::Creator, &burner.0.pubkey()),
        &burner.0.pubkey(),
        &[],
        1,
        0,
    )
    .unwrap();
    net.rpc(&burner.0).send(&[burn], &[]).unwrap();
    net.cli(&net.oracle, &["sync", "creator", &burner.0.pubkey().to_string()]).json();
    assert_eq!(
        net.cli(&admin, &["status", &burner.0.pubkey().to_string()]).json()["creator"]["pass"].as_str(),
        Some("Burned")
    );
    let board = net.cli(&net.oracle, &["leaderboard", "creator", "--limit", "100"]).json();
    let shown: Vec<&str> = board["rows"].as_array().unwrap().iter().map(|r| r["wallet"].as_str().unwrap()).collect();
    assert_eq!(shown.len(), CREATORS - 2);
    assert!(!shown.contains(&revoked.to_string().as_str()) && !shown.contains(&burner.0.pubkey().to_string().as_str()));

    // Every state change, once, as an indexer reads it.
    let events = events_of(&rpc);
    let n = names(&events);
    assert_eq!(count(&n, "ConfigInitialized"), 1);
    assert_eq!(count(&n, "MemberCreated"), CREATORS + 3 + 1);
    assert_eq!(count(&n, "CreatorRecharged"), CREATORS + 1);
    assert_eq!(count(&n, "CreatorSpent"), CREATORS);
    assert_eq!(count(&n, "CreatorFramesRendered"), CREATORS + 1);
    assert_eq!(count(&n, "WorkerDayReported"), 90);
    assert_eq!(count(&n, "WorkerGpuReported"), 3);
    assert_eq!(count(&n, "PassClaimed"), CREATORS + 2 + 1, "and the reinstated member's new claim");
    assert_eq!((count(&n, "RoundOpened"), count(&n, "RoundFinalised")), (2, 2));
    assert_eq!(count(&n, "RoundBatchRanked"), 3);
    assert_eq!((count(&n, "PassRevoked"), count(&n, "PassBurnSynced"), count(&n, "MemberReinstated")), (2, 1, 1));
    assert_eq!((count(&n, "RewardFunded"), count(&n, "RewardsCredited"), count(&n, "RewardWithdrawn")), (1, 1, 1));
    let keys = report_keys(&events);
    let mut seen = HashMap::new();
    for k in &keys {
        *seen.entry(*k).or_insert(0) += 1;
    }
    assert!(seen.values().all(|&v| v == 1), "a report event twice");
    assert_eq!(keys.len(), expected_reports);
    for e in events.iter().flat_map(|(_, e)| e) {
        if let ProgramEvent::PassClaimed(c) = e {
            assert_eq!(
                c.role,
                if workers.iter().any(|(k, _)| k.pubkey() == c.wallet) { Role::Worker } else { Role::Creator }
            );
        }
    }
    assert!(net.stop().success());
}

/// The bot killed at random points and restarted, a transaction held past
/// its blockhash's lifetime and then sent, the program paused in the middle
/// of a feed: afterwards every fact is on the chain exactly once.
#[test]
fn under_cluster_faults_every_fact_lands_exactly_once() {
    let _one = serial();
    let net = Cluster::start("faults", &[]);
    let oracle = net.key(&net.oracle);
    let mut rpc = net.rpc(&oracle);
    let now = rpc.now().unwrap();
    let today = now.div_euclid(86_400);
    let creators = net.wallets("c", 40, 1);
    let workers = net.wallets("w", 10, 1);
    let at = format_rfc3339(now - 30);
    let mut lines = Vec::new();
    // Expected facts, computed from the feed (an independent tally).
    let mut deposits: BTreeMap<Pubkey, u64> = BTreeMap::new();
    let mut frames: BTreeMap<Pubkey, u64> = BTreeMap::new();
    let mut uptime: BTreeMap<Pubkey, u64> = BTreeMap::new();
    let mut last_seq: BTreeMap<Pubkey, u64> = BTreeMap::new();
    // Members interleaved, as a live feed has them: wave by wave.
    for seq in 1..=8u64 {
        for (i, (c, _)) in creators.iter().enumerate() {
            let w = c.pubkey();
            if seq % 2 == 1 {
                let usdt = 100 + i as u64 + seq;
                *deposits.entry(w).or_default() += usdt * 1_000_000;
                lines.push(format!(r#"{{"type":"recharge","at":"{at}","wallet":"{w}","seq":{seq},"usdt":"{usdt}"}}"#));
            } else {
                let f = 1 + (i as u64 * seq) % 50;
                *frames.entry(w).or_default() += f;
                lines.push(format!(r#"{{"type":"frames","at":"{at}","wallet":"{w}","seq":{seq},"frames":{f}}}"#));
            }
            last_seq.insert(w, seq);
        }
    }
    for d in 0..20i64 {
        for (i, (k, _)) in workers.iter().enumerate() {
            let w = k.pubkey();
            let day = today - 20 + d;
            let minutes = 600 + (i as u64 * 31 + d as u64 * 17) % 840;
            *uptime.entry(w).or_default() += minutes;
            lines.push(format!(
                r#"{{"type":"worker_day","at":"{}","wallet":"{w}","seq":{},"day":"{}","uptime_minutes":{minutes},"frames_completed":1,"jobs_failed":0}}"#,
                format_rfc3339((day + 1) * 86_400),
                d + 1,
                format_day(day)
            ));
            last_seq.insert(w, d as u64 + 1);
        }
    }
    let total = lines.len();
    let mut interleaved = lines.clone();
    let feed = write_feed(&net, "faults.jsonl", &interleaved);

    // 1. Killed at random points (SIGKILL), up to four times; each restart resumes.
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    let mut next = |m: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % m
    };
    let mut kills = 0;
    for _ in 0..4 {
        let mut child = net.spawn_feed(&feed, &[]);
        std::thread::sleep(Duration::from_millis(300 + next(1_200)));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        let _ = child.wait();
    }
    assert!(kills >= 1, "the bot was never killed mid-feed");

    // 2. Paused in the middle of a feed: what waits lands after the unpause.
    let child = net.spawn_feed(&feed, &["--drain-secs", "180"]);
    std::thread::sleep(Duration::from_millis(700));
    net.cli(&net.authority, &["pause"]).json();
    std::thread::sleep(Duration::from_secs(4));
    net.cli(&net.authority, &["unpause"]).json();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(s["refused"].as_array().unwrap().is_empty() && s["waiting"].as_array().unwrap().is_empty(), "{s}");
    assert_eq!(
        s["applied"].as_u64().unwrap() + s["already_applied"].as_u64().unwrap(),
        total as u64,
        "every line applied now or before: {s}"
    );

    // 3. A transaction held past its blockhash's lifetime, then sent.
    let c0 = creators[0].0.pubkey();
    let extra = format!(r#"{{"type":"frames","at":"{at}","wallet":"{c0}","seq":9,"frames":11}}"#);
    let client = RpcClient::new_with_commitment(net.url.clone(), CommitmentConfig::confirmed());
    let (blockhash, last_valid) = client.get_latest_blockhash_with_commitment(CommitmentConfig::confirmed()).unwrap();
    let fact = pictor_vip_keeper::feed::parse_line(1, &extra).unwrap();
    let report = match fact.event {
        pictor_vip_keeper::feed::Event::Oracle { seq, report, .. } => {
            ix::report(&oracle.pubkey(), &c0, seq, fact.at, report)
        }
        other => panic!("{other:?}"),
    };
    let held = sign_transaction(&[report], &oracle, &[], blockhash, 0).unwrap();
    let deadline = Instant::now() + Duration::from_secs(240);
    while client.get_block_height().unwrap() <= last_valid {
        assert!(Instant::now() < deadline, "the blockhash never expired");
        std::thread::sleep(Duration::from_secs(1));
    }
    let err = client.send_and_confirm_transaction(&held.tx).expect_err("an expired blockhash lands nothing");
    let te = err.get_transaction_error().expect("a transaction error");
    assert_eq!(SendError::from_transaction_error(te, &[]), SendError::BlockhashExpired);
    assert_eq!(read::member(&mut rpc, Role::Creator, &c0).unwrap().unwrap().header().last_seq, 8);
    // The bot sends the fact again, with a fresh blockhash: once.
    interleaved.push(extra);
    *frames.get_mut(&c0).unwrap() += 11;
    last_seq.insert(c0, 9);
    let feed = write_feed(&net, "faults-2.jsonl", &interleaved);
    let s = net.feed(&feed, &[]);
    assert_eq!((s["applied"].as_u64(), s["already_applied"].as_u64()), (Some(1), Some(total as u64)), "{s}");

    // Afterwards: every fact exactly once, on the chain and in the events.
    for (w, seq) in &last_seq {
        let role = if deposits.contains_key(w) { Role::Creator } else { Role::Worker };
        let m = read::member(&mut rpc, role, w).unwrap().unwrap();
        assert_eq!(m.header().last_seq, *seq, "{w}");
        match pictor_vip_sdk::read::decode_member(&rpc.get_account(&pda::member(role, w)).unwrap().unwrap().data)
            .unwrap()
        {
            pictor_vip_sdk::state::Member::Creator(c) => {
                assert_eq!(c.facts.deposited_base_units, deposits[w], "{w}");
                assert_eq!(c.facts.frames_rendered, frames[w], "{w}");
            }
            pictor_vip_sdk::state::Member::Worker(x) => {
                assert_eq!(x.facts.lifetime_uptime_minutes, uptime[w], "{w}");
            }
        }
    }
    let keys = report_keys(&events_of(&rpc));
    assert_eq!(keys.len(), total + 1, "one event per fact");
    let unique: std::collections::HashSet<_> = keys.iter().collect();
    assert_eq!(unique.len(), keys.len(), "no fact twice");
    println!("faults over RPC: {total} + 1 facts, {kills} kills, 1 pause, 1 held transaction expired; each fact once");
    assert!(net.stop().success());
}

/// One command starts a cluster, seeded through the real bot and claims;
/// a second runs beside it on other ports; the same directory is refused
/// while in use; Ctrl-C stops each and removes its ledger.
#[test]
fn one_command_starts_a_seeded_cluster_and_two_run_side_by_side() {
    let _one = serial();
    let seeded = Cluster::start("seeded", &["--seed-demo", "--creators", "12", "--workers", "8", "--days", "31"]);
    let s = &seeded.info["seeded"];
    assert!(s["claimed"]["creator"].as_u64().unwrap() >= 1 && s["claimed"]["worker"].as_u64().unwrap() >= 1, "{s}");
    // 31 days: each worker's days before the 30-day window of the real clock
    // (the first; the first two when the demo ends a day early, before 02:00
    // UTC) are refused for good; nothing else is.
    let today = seeded.rpc(&seeded.key(&seeded.oracle)).now().unwrap().div_euclid(86_400);
    let outside_days = (today - 30 - s["start_day"].as_i64().unwrap()).clamp(0, 31) as usize;
    assert!((1..=2).contains(&outside_days), "{s}");
    let refused = s["reports"]["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 8 * outside_days, "{s}");
    assert!(refused.iter().all(|r| r["reason"].as_str().unwrap().starts_with("DayOutsideWindow")), "{s}");
    assert!(s["reports"]["waiting"].as_array().unwrap().is_empty(), "{s}");
    assert_eq!(s["rounds"]["rounds"].as_array().unwrap().len(), 2, "{s}");
    // Each round ranks every pass claimed before it, whatever second the claims ended.
    for role in ["creator", "worker"] {
        let board = seeded.cli(&seeded.oracle, &["leaderboard", role]).json();
        assert_eq!(board["rows"].as_array().unwrap().len() as u64, s["claimed"][role].as_u64().unwrap(), "{s}");
    }
    // One eligible wallet of each role is left to claim by hand, its key, Profile and blink given.
    for role in ["creator", "worker"] {
        let left = &s["unclaimed"][role];
        let wallet = left["wallet"].as_str().unwrap_or_else(|| panic!("no unclaimed {role}: {s}"));
        let status = seeded.cli(&seeded.oracle, &["status", wallet]).json();
        assert_eq!((status[role]["eligible"].as_bool(), status[role]["pass"].as_str()), (Some(true), Some("None")));
        let key = pictor_vip_keeper::keys::read_keypair(Path::new(left["keypair"].as_str().unwrap())).unwrap();
        assert_eq!(key.pubkey().to_string(), wallet);
        assert_eq!(left["profile_url"], format!("http://127.0.0.1:8080/profile/{wallet}"));
        assert_eq!(left["blink"], format!("solana-action:http://127.0.0.1:8080/api/actions/claim/{role}"));
    }
    let second = Cluster::start("second", &[]);
    assert_ne!(second.url, seeded.url);
    let version = RpcClient::new(second.url.clone()).get_version().unwrap();
    assert_eq!(version.solana_core, "3.1.12");
    // The same directory while it runs: refused, and the running one is untouched.
    let out = Command::new(bin())
        .args(["localnet", "--dir"])
        .arg(seeded.root.join("net"))
        .args(["--rpc-port", "1", "--ports", "2"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("another localnet"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(seeded.ledger().exists());
    assert!(second.stop().success());
    assert!(seeded.stop().success());
}
