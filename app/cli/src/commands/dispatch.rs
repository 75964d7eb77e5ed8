//! `pictor-vip dispatch --input FILE|- [--json]`: one round of job
//! distribution, SPEC §10's interface. Standings left out of the input are
//! read from the cluster (`--url`); GPU classes left out are the
//! configuration's tier table when the cluster is read (standings left out,
//! or `--url` given), else SPEC §4's default table.
use crate::cluster::connect;
use crate::scheduling::{chain_classes, chain_standings};
use anyhow::{Context as _, Result};
use pictor_vip_dispatch::json::{parse_request, Response};
use pictor_vip_dispatch::{GpuClasses, Lane, Outcome, Standings};
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

/// The outcome as a person reads it: assignments by lane, then what waits and why.
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
            s += &format!("  {:<24} -> {:<44} class {}{aged}\n", a.job, a.worker, a.class);
        }
    }
    s += &format!("waiting: {}\n", o.waiting.len());
    for w in &o.waiting {
        let why = match w.reason {
            pictor_vip_dispatch::WaitReason::NoWorkerCanRun => "no worker in the pool can run it",
            pictor_vip_dispatch::WaitReason::AllFeasibleWorkersFull => {
                "every worker that can run it is full this round"
            }
        };
        s += &format!("  {:<24} lane {}{}: {why}\n", w.job, w.lane.number(), if w.aged { ", aged" } else { "" });
    }
    s
}
