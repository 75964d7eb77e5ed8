//! The oracle/crank bot (`feed`) and a round on demand (`rank`).
use super::{progress_bar, Ctx};
use anyhow::Result;
use pictor_vip_keeper::bot::{Bot, BotOptions};
use pictor_vip_keeper::feed::parse_feed_bytes;
use pictor_vip_keeper::keys::bot_keys;
use pictor_vip_sdk::crank;
use pictor_vip_sdk::state::Role;
use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;

/// What `feed` is given.
#[derive(Debug, Clone)]
pub struct FeedArgs {
    /// The feed file, or `-` for standard input.
    pub file: String,
    /// Oracle keypairs, each signing every report (empty: `--keypair`).
    pub oracle_keypairs: Vec<PathBuf>,
    /// The crank's keypair for `round` lines (default: the first oracle's).
    pub crank_keypair: Option<PathBuf>,
    /// Members per `rank_batch` (0: the most a transaction holds).
    pub rank_batch: usize,
    /// Seconds to keep retrying what waits after the feed's end.
    pub drain_secs: u64,
    /// Report transactions in flight at once.
    pub in_flight: usize,
}

/// `feed FILE|-`: applies a feed of oracle facts, running its rounds.
pub fn feed(ctx: &mut Ctx, a: &FeedArgs) -> Result<()> {
    let bytes = super::read_input(&a.file)?;
    let (oracles, cranks) = bot_keys(ctx.signer.as_ref(), &a.oracle_keypairs, a.crank_keypair.as_slice())?;
    let crank = cranks.into_iter().next().expect("at least one crank key");
    let options = BotOptions {
        rank_batch: a.rank_batch,
        progress: true,
        drain: Duration::from_secs(a.drain_secs),
        in_flight: a.in_flight,
        ..BotOptions::default()
    };
    let summary = Bot::new(&mut ctx.rpc, &oracles, &crank, options).run(parse_feed_bytes(&bytes))?;
    if ctx.json {
        println!("{}", summary.to_json());
    } else {
        println!(
            "applied {}, already done {}, refused {}, waiting {}, malformed {}, claims skipped {}; {} transactions, {} retries, {} lamports in fees; rounds {} (already done {})",
            summary.applied, summary.already_applied, summary.refused.len(), summary.waiting.len(), summary.malformed.len(), summary.skipped_claims,
            summary.transactions, summary.retries, summary.fees_lamports, summary.rounds.len(), summary.rounds_already_done
        );
        for (line, e) in &summary.refused {
            println!("  refused, line {line}: {e}");
        }
        for (line, e) in &summary.waiting {
            println!("  waiting, line {line}: {e} (run the feed again to apply it)");
        }
        for e in &summary.malformed {
            println!("  {e}");
        }
    }
    Ok(())
}

/// `rank ROLE [--wait-secs S]`: runs or resumes a round as the crank (the
/// keypair); with the round cadence on, in the current or next window.
pub fn rank(ctx: &mut Ctx, role: Role, wait_secs: u64) -> Result<()> {
    let crank_key = ctx.signer()?;
    let bar = progress_bar("members ranked");
    let wait = (wait_secs > 0).then(|| Duration::from_secs(wait_secs));
    let options = crank::RoundOptions { wait_for_window: wait, ..crank::RoundOptions::default() };
    let out = crank::run_round(&mut ctx.rpc, &crank_key, role, options, &mut |done, total| {
        bar.set_length(u64::from(total));
        bar.set_position(u64::from(done));
    })?;
    bar.finish_and_clear();
    let failures: Vec<_> =
        out.sync_failures.iter().map(|(w, e)| json!({"wallet": w.to_string(), "reason": e})).collect();
    if ctx.json {
        println!(
            "{}",
            json!({"role": role.as_str(), "round": out.round, "members": out.members, "priority": out.priority,
                "batches": out.batches, "table_transactions": out.table_transactions, "resumed": out.resumed,
                "retries": out.retries, "synced": out.synced, "sync_failures": failures})
        );
    } else {
        println!(
            "round {} of {}: {} members, {} priority, {} batches{}",
            out.round,
            role.as_str(),
            out.members,
            out.priority,
            out.batches,
            if out.resumed { " (resumed)" } else { "" }
        );
        for (w, e) in &out.sync_failures {
            println!("  the burned pass of {w} could not be synced ({e}); it still counts until it is");
        }
    }
    Ok(())
}
