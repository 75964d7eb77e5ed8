//! The commands, as library functions: `main.rs` is a thin clap layer over
//! them. Each prints its outcome (text, or JSON with `--json`: numbers as
//! numbers) to standard output.
//!
//! - [`operator`]: `init`, `config show|update`, `pause`, `unpause`,
//!   `revoke`, `reinstate`, `oracle add|remove`, `crank set`, `admin propose|accept`;
//! - [`rewards`]: `rewards fund|status|withdraw`;
//! - [`wallet`]: `status`, `claim`, `leaderboard`, `sync`;
//! - [`bot`]: `feed` (the oracle/crank bot) and `rank`;
//! - [`dispatch`]: `dispatch` (SPEC §10);
//! - [`local`]: `simulate` and `demo`, on an in-process runtime.
pub mod bot;
pub mod dispatch;
pub mod keeper;
pub mod local;
pub mod operator;
pub mod rewards;
pub mod wallet;

use crate::cluster::connect;
use anyhow::{anyhow, Context as _, Result};
use indicatif::{ProgressBar, ProgressStyle};
use pictor_vip_sdk::transport::{Rpc, Transport};
use pictor_vip_sdk::{Instruction, Keypair};
use serde_json::{json, Value};
use std::path::Path;

/// What every command against a cluster works with: the RPC transport, the
/// keypair (if any: commands that only read need none) and the global flags.
pub struct Ctx {
    /// The cluster, paying with the keypair (or a throwaway key for reads).
    pub rpc: Rpc,
    /// The `--keypair` (or the Solana CLI config's).
    pub signer: Option<Keypair>,
    /// `--json`.
    pub json: bool,
    /// `--dry-run`: simulate, send nothing.
    pub dry_run: bool,
}

impl Ctx {
    /// Connects as the Solana CLI does (`--url`, `--keypair`), with the
    /// compute-unit price of every transaction sent.
    pub fn connect(
        url: Option<&str>,
        keypair: Option<&Path>,
        json: bool,
        dry_run: bool,
        compute_unit_price: u64,
    ) -> Result<Self> {
        let (mut rpc, signer) = connect(url, keypair)?;
        rpc.set_compute_unit_price(compute_unit_price);
        Ok(Ctx { rpc, signer, json, dry_run })
    }

    /// The keypair, for a command that signs.
    pub fn signer(&self) -> Result<Keypair> {
        self.signer.as_ref().map(|k| k.insecure_clone()).ok_or_else(|| {
            anyhow!("this command signs a transaction: pass --keypair (or set keypair_path in the Solana CLI config)")
        })
    }

    /// Sends `ixs` signed by the keypair, or simulates them with `--dry-run`,
    /// and prints the outcome (`detail` in the JSON).
    pub fn transact(&mut self, what: &str, ixs: &[Instruction], detail: Value) -> Result<()> {
        let signer = self.signer()?;
        if self.dry_run {
            let sim = self.rpc.simulate(ixs, &[&signer])?;
            if self.json {
                println!(
                    "{}",
                    json!({
                        "command": what, "dry_run": true, "detail": detail,
                        "would_succeed": sim.error.is_none(),
                        "error": sim.error.as_ref().map(|e| e.to_string()),
                        "units_consumed": sim.units_consumed, "fee_lamports": sim.fee_lamports,
                        "instructions": sim.instructions, "logs": sim.logs,
                    })
                );
            } else {
                match &sim.error {
                    None => println!("dry run: {what} would succeed (fee {} lamports); nothing sent", sim.fee_lamports),
                    Some(e) => println!("dry run: {what} would fail: {e}; nothing sent"),
                }
                for log in &sim.logs {
                    println!("  {log}");
                }
            }
            return Ok(());
        }
        let fees_before = self.rpc.fees_paid_lamports();
        self.rpc.send(ixs, &[&signer]).with_context(|| what.to_string())?;
        let fee = self.rpc.fees_paid_lamports() - fees_before;
        if self.json {
            println!("{}", json!({"command": what, "ok": true, "detail": detail, "fee_lamports": fee}));
        } else {
            println!("{what}: done (fee {fee} lamports)");
        }
        Ok(())
    }
}

/// The bytes of `input`: a file, or standard input for `-`.
pub fn read_input(input: &str) -> Result<Vec<u8>> {
    if input == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).context("reading standard input")?;
        Ok(bytes)
    } else {
        std::fs::read(input).with_context(|| format!("reading {input}"))
    }
}

/// A progress bar on standard error: `{bar} pos/len WHAT (elapsed)`.
pub fn progress_bar(what: &str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    let template = format!("{{bar:40}} {{pos}}/{{len}} {what} ({{elapsed}})");
    bar.set_style(ProgressStyle::with_template(&template).expect("static template"));
    bar
}
