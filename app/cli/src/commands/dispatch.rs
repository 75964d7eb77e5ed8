//! `pictor-vip dispatch --input FILE|- [--json]`: one round of job
//! distribution, SPEC §10's interface. Standings left out of the input are
//! read from the cluster (`--url`); GPU classes left out are the
//! configuration's tier table when the cluster is read (standings left out,
//! or `--url` given), else SPEC §4's default table.
use crate::cluster::connect;
use anyhow::{Context as _, Result};
use pictor_vip_dispatch::json::{parse_request, Response};
use pictor_vip_dispatch::{GpuClasses, Lane, Outcome, Standings};
use pictor_vip_server::scheduling::{chain_classes, chain_standings};
use std::io::Read;

/// What `dispatch` is given.
#[derive(Debug, Clone)]
pub struct DispatchArgs {
    /// The request: a file, or `-` for standard input.
    pub input: String,
    /// `--url`, when given on the command line.
    pub url: Option<String>,
    /// `--json`: SPEC §10's output; else a table.
    pub json: bool,
}

/// Runs one round and prints it.
pub fn run(a: &DispatchArgs) -> Result<()> {
    let text = if a.input == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s
    } else {
        std::fs::read_to_string(&a.input).with_context(|| format!("reading {}", a.input))?
    };
    let request = parse_request(&text)?;
    let read_cluster = request.standings.is_none() || (request.gpu_classes.is_none() && a.url.is_some());
    let (standings, classes) = if read_cluster {
        let (mut rpc, _) = connect(a.url.as_deref(), None)?;
        let standings = if request.standings.is_none() { chain_standings(&mut rpc)? } else { Standings::default() };
        let classes = if request.gpu_classes.is_none() { chain_classes(&mut rpc)? } else { GpuClasses::spec_default() };
        (standings, classes)
    } else {
        (Standings::default(), GpuClasses::spec_default())
    };
    let outcome = request.run(|| standings, || classes)?;
    if a.json {
        println!("{}", serde_json::to_string(&Response::from(&outcome))?);
    } else {
        print!("{}", table(&outcome));
    }
    Ok(())
}

/// The outcome as a person reads it: assignments by lane, then what waits
/// and why. Ids and wallets are the request's strings: shown with their
/// control characters escaped ([`printable`]), so none can forge a line or
/// drive the terminal.
pub fn table(o: &Outcome) -> String {
    let mut s = String::new();
    for (lane, title) in [
        (Lane::Priority, "lane 1: priority creators"),
        (Lane::Holder, "lane 2: ranked pass holders"),
        (Lane::Open, "lane 3: everyone else"),
    ] {
        let rows: Vec<_> = o.assignments.iter().filter(|a| a.lane == lane).collect();
        s += &format!("{title}: {} assigned\n", rows.len());
        for a in rows {
            let aged = if a.aged { "  (aged: served right after lane 1)" } else { "" };
            let moved = match a.moved {
                0 => String::new(),
                1 => "  (moved 1 placed job)".into(),
                n => format!("  (moved {n} placed jobs)"),
            };
            let (job, worker) = (printable(&a.job), printable(&a.worker));
            s += &format!("  {job:<24} -> {worker:<44} class {}{aged}{moved}\n", a.class);
        }
    }
    let moved = o.assignments.iter().filter(|a| a.moved > 0).count();
    if moved > 0 {
        s += &format!("served by moving placed jobs to other workers (SPEC §10): {moved}\n");
    }
    s += &format!("waiting: {}\n", o.waiting.len());
    for w in &o.waiting {
        let why = match w.reason {
            pictor_vip_dispatch::WaitReason::NoWorkerCanRun => "no worker in the pool can run it",
            pictor_vip_dispatch::WaitReason::AllFeasibleWorkersFull => {
                "every worker that can run it is full this round"
            }
        };
        let aged = if w.aged { ", aged" } else { "" };
        s += &format!("  {:<24} lane {}{aged}: {why}\n", printable(&w.job), w.lane.number());
    }
    s
}

/// `text` as a terminal shows it safely: control characters (C0, DEL, C1)
/// and the bidirectional overrides that reorder what follows are written as
/// `\u{…}` escapes; everything else as it is.
pub fn printable(text: &str) -> String {
    let unsafe_char = |c: char| {
        c.is_control() || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return text.to_string();
    }
    text.chars().map(|c| if unsafe_char(c) { format!("\\u{{{:x}}}", c as u32) } else { c.to_string() }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_in_ids_are_escaped_and_cannot_forge_a_line() {
        let forged = "j1\u{1b}[2J\nlane 1: priority creators: 99 assigned\u{202e}";
        let shown = printable(forged);
        assert_eq!(shown, "j1\\u{1b}[2J\\u{a}lane 1: priority creators: 99 assigned\\u{202e}");
        assert!(!shown.chars().any(char::is_control));
        assert_eq!(printable("job-0001 Ωmega"), "job-0001 Ωmega");
        let o = Outcome {
            assignments: vec![pictor_vip_dispatch::Assignment {
                job: forged.into(),
                worker: "W\r\x07".into(),
                lane: Lane::Open,
                aged: false,
                class: 0,
                moved: 2,
            }],
            waiting: Vec::new(),
        };
        let t = table(&o);
        assert_eq!(t.lines().count(), 6, "one line per row: {t}");
        assert!(t.contains("(moved 2 placed jobs)") && t.contains("W\\u{d}\\u{7}"), "{t}");
    }
}
