//! `simulate` and `demo`, on an in-process runtime (run in a child process
//! whose standard output is discarded: `crate::quiet`).
use super::progress_bar;
use crate::demo::{self, DemoOptions};
use crate::quiet::run_quietly;
use crate::simulate::simulate as run_feed;
use anyhow::{bail, Context as _, Result};
use indicatif::ProgressBar;
use pictor_vip_sdk::units::group_thousands;
use std::path::Path;

/// `simulate --feed FILE`: SPEC §8's output (`--json`) or a table.
pub fn simulate(feed: &Path, json: bool) -> Result<()> {
    run_quietly(|out| {
        let text = std::fs::read_to_string(feed).with_context(|| format!("reading {}", feed.display()))?;
        let bar = if json { ProgressBar::hidden() } else { progress_bar("lines") };
        let (_, result) = run_feed(&text, &mut |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })?;
        bar.finish_and_clear();
        if json {
            writeln!(out, "{}", serde_json::to_string(&result)?)?;
            return Ok(());
        }
        for m in &result.members {
            let rank = m.rank.map_or("-".into(), |r| format!("#{r}"));
            let score = m.score.map_or("-".into(), group_thousands);
            writeln!(
                out,
                "{:<8} {:<44} eligible {:<5} pass {:<5} rank {:<5} score {:>8}{}",
                m.role,
                m.wallet,
                m.eligible,
                m.pass,
                rank,
                score,
                if m.priority { "  PRIORITY" } else { "" }
            )?;
        }
        for r in &result.rejected {
            writeln!(out, "line {}: refused: {}", r.line, r.error)?;
        }
        for r in &result.rounds {
            writeln!(out, "round {} of {}: {} members, {} priority", r.round, r.role, r.members, r.priority)?;
        }
        Ok(())
    })
}

/// `demo`: generates a network and runs the whole story in-process.
pub fn demo(o: &DemoOptions) -> Result<()> {
    if o.days <= 30 {
        bail!("--days must be above 30 so the worker window fills");
    }
    run_quietly(|out| {
        let bar = progress_bar("feed lines");
        demo::run(o, out, &mut |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })?;
        bar.finish_and_clear();
        Ok(())
    })
}
