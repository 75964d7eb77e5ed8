//! `simulate` and `demo`, on an in-process runtime (run in a child process
//! whose standard output is discarded: `crate::quiet`).
use super::progress_bar;
use crate::demo::{self, DemoOptions};
use crate::quiet::run_quietly;
use crate::simulate::simulate as run_feed;
use anyhow::{bail, Result};
use indicatif::ProgressBar;
use pictor_vip_sdk::units::group_thousands;

/// `simulate --feed FILE`: SPEC §8's output (`--json`) or a table.
pub fn simulate(feed: &str, json: bool) -> Result<()> {
    run_quietly(|out| {
        let text = super::read_input(feed)?;
        let mut progress = Progress::new("lines", !json);
        let (_, result) = run_feed(&text, &mut |done, total| progress.at(done, total))?;
        progress.done();
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
        let mut progress = Progress::new("feed lines", true);
        demo::run(o, out, &mut |done, total| progress.at(done, total))?;
        progress.done();
        Ok(())
    })
}

/// Progress on standard error: a bar on a terminal; without one (a log, a
/// CI job), a plain line at every tenth of the way and at the end.
struct Progress {
    what: &'static str,
    bar: Option<ProgressBar>,
    plain: bool,
    started: std::time::Instant,
    said_tenth: usize,
    total: usize,
}

impl Progress {
    fn new(what: &'static str, shown: bool) -> Self {
        use std::io::IsTerminal;
        let terminal = std::io::stderr().is_terminal();
        Progress {
            what,
            bar: (shown && terminal).then(|| progress_bar(what)),
            plain: shown && !terminal,
            started: std::time::Instant::now(),
            said_tenth: 0,
            total: 0,
        }
    }

    fn at(&mut self, done: usize, total: usize) {
        self.total = total;
        if let Some(bar) = &self.bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
        let tenth = (done * 10).checked_div(total).unwrap_or(0);
        if self.plain && tenth > self.said_tenth && done < total {
            self.said_tenth = tenth;
            eprintln!(
                "{}: {}/{} ({} %), {} s",
                self.what,
                group_thousands(done as u64),
                group_thousands(total as u64),
                tenth * 10,
                self.started.elapsed().as_secs()
            );
        }
    }

    fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if self.plain {
            let total = group_thousands(self.total as u64);
            eprintln!("{}: {total} done in {} s", self.what, self.started.elapsed().as_secs());
        }
    }
}
