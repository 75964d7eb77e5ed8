//! The oracle/crank bot: applies a feed's oracle facts in packed
//! transactions and drives a ranking round for each `round` line.
//!
//! Restart-safe by construction: every report carries the member's sequence
//! number, so a report that already landed (before a crash, or when a
//! confirmation was lost) is refused with `ReportAlreadyApplied`, which the
//! bot counts as "already applied"; a round left open is resumed by the
//! crank, and a `round` line at time T counts as done once a round of its
//! role has a snapshot at or after T.
use crate::feed::{Event, Line, LineError};
use anyhow::{anyhow, Result};
use indicatif::{ProgressBar, ProgressStyle};
use pictor_vip_sdk::crank::{self, RoundOutcome};
use pictor_vip_sdk::errors::PictorError;
use pictor_vip_sdk::transport::unsigned_transaction;
use pictor_vip_sdk::transport::{transaction_size, SendError, Transport, PACKET_DATA_SIZE};
use pictor_vip_sdk::{ix, read};
use pictor_vip_sdk::{Instruction, Keypair, Pubkey, Signer};
use std::time::Duration;

/// Maps a feed's `wallet` to its key, or `None` if it names no key.
pub type WalletResolver<'a> = Box<dyn Fn(&str) -> Option<Pubkey> + 'a>;

/// Tuning of the bot.
#[derive(Debug, Clone)]
pub struct BotOptions {
    /// Attempts after a transport error before giving up.
    pub max_retries: u32,
    /// First backoff; doubles each retry.
    pub backoff: Duration,
    /// Members per `rank_batch` (0: the most that fits a transaction).
    pub rank_batch: usize,
    /// Show a progress bar on standard error.
    pub progress: bool,
}

impl Default for BotOptions {
    fn default() -> Self {
        BotOptions { max_retries: 5, backoff: Duration::from_millis(200), rank_batch: 0, progress: false }
    }
}

/// What a run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Reports applied by this run.
    pub applied: usize,
    /// Reports found already applied (earlier run, or a lost confirmation).
    pub already_applied: usize,
    /// Reports the program refused, with the line and the error.
    pub refused: Vec<(usize, String)>,
    /// Malformed or out-of-order lines.
    pub malformed: Vec<LineError>,
    /// Claim lines skipped (a claim is signed by the wallet itself).
    pub skipped_claims: usize,
    /// Transactions that landed.
    pub transactions: usize,
    /// Rounds completed.
    pub rounds: Vec<RoundOutcome>,
    /// `round` lines already satisfied by a round whose snapshot is at or after the line's time.
    pub rounds_already_done: usize,
}

struct Pending {
    line: usize,
    ix: Instruction,
}

/// The bot over one transport.
pub struct Bot<'a> {
    transport: &'a mut dyn Transport,
    oracle: &'a Keypair,
    crank: &'a Keypair,
    options: BotOptions,
    /// Maps a feed wallet to its key (labels are refused outside the simulation).
    pub resolve_wallet: WalletResolver<'a>,
    pending: Vec<Pending>,
    summary: Summary,
}

impl<'a> Bot<'a> {
    /// A bot reporting as `oracle` and ranking as `crank`.
    pub fn new(transport: &'a mut dyn Transport, oracle: &'a Keypair, crank: &'a Keypair, options: BotOptions) -> Self {
        Bot {
            transport,
            oracle,
            crank,
            options,
            resolve_wallet: Box::new(crate::wallets::parse_key),
            pending: Vec::new(),
            summary: Summary::default(),
        }
    }

    /// Applies a parsed feed and returns the summary.
    pub fn run(mut self, lines: Vec<Result<Line, LineError>>) -> Result<Summary> {
        let bar = if self.options.progress { ProgressBar::new(lines.len() as u64) } else { ProgressBar::hidden() };
        bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} lines {msg}").expect("static template"));
        for parsed in lines {
            bar.inc(1);
            match parsed {
                Err(e) => self.summary.malformed.push(e),
                Ok(line) => self.apply(line)?,
            }
        }
        self.flush()?;
        bar.finish_and_clear();
        Ok(self.summary)
    }

    fn apply(&mut self, line: Line) -> Result<()> {
        match line.event {
            Event::Oracle { wallet, seq, report } => {
                let Some(key) = (self.resolve_wallet)(&wallet) else {
                    self.summary.refused.push((line.number, format!("wallet {wallet:?} is not a base58 public key")));
                    return Ok(());
                };
                let ix = ix::report(&self.oracle.pubkey(), &key, seq, line.at, report);
                if !self.fits_with(&ix) {
                    self.flush()?;
                }
                self.pending.push(Pending { line: line.number, ix });
            }
            Event::Claim { .. } => self.summary.skipped_claims += 1,
            Event::Round { role } => {
                self.flush()?;
                // Idempotent: a round whose snapshot is at or after the line's
                // time already answers it (an open round is resumed below).
                let board = read::board(self.transport, role)?.ok_or_else(|| anyhow!("program not initialised"))?;
                if board.open.is_none() && board.finalised.is_some_and(|f| f.snapshot_ts >= line.at) {
                    self.summary.rounds_already_done += 1;
                    return Ok(());
                }
                let round_options = crank::RoundOptions { batch_size: self.options.rank_batch, lookup_tables: true };
                let outcome = crank::run_round(self.transport, self.crank, role, round_options, &mut |_, _| {})
                    .map_err(|e| anyhow!("line {}: round of {}: {e:#}", line.number, role.as_str()))?;
                self.summary.transactions +=
                    outcome.batches + outcome.table_transactions + 2 - usize::from(outcome.resumed);
                self.summary.rounds.push(outcome);
            }
        }
        Ok(())
    }

    fn fits_with(&self, next: &Instruction) -> bool {
        let mut ixs: Vec<Instruction> = self.pending.iter().map(|p| p.ix.clone()).collect();
        ixs.push(next.clone());
        let tx = unsigned_transaction(&ixs, &self.transport.fee_payer());
        transaction_size(&tx) <= PACKET_DATA_SIZE
    }

    /// Sends the pending reports. A report the program refuses is taken out
    /// (and classified) and the rest are sent again: transactions are atomic,
    /// so nothing of a failed one was applied.
    fn flush(&mut self) -> Result<()> {
        while !self.pending.is_empty() {
            let ixs: Vec<Instruction> = self.pending.iter().map(|p| p.ix.clone()).collect();
            match self.send_with_retry(&ixs) {
                Ok(()) => {
                    self.summary.applied += self.pending.len();
                    self.summary.transactions += 1;
                    self.pending.clear();
                }
                Err(e @ SendError::Program { .. }) => {
                    let index = e.instruction_index().unwrap_or(0).min(self.pending.len() - 1);
                    let removed = self.pending.remove(index);
                    if e.is(PictorError::ReportAlreadyApplied) {
                        self.summary.already_applied += 1;
                    } else if let SendError::Program { name, message, .. } = &e {
                        self.summary.refused.push((removed.line, format!("{name}: {message}")));
                    }
                }
                Err(e) => return Err(anyhow!("sending reports (lines {}..): {e}", self.pending[0].line)),
            }
        }
        Ok(())
    }

    fn send_with_retry(&mut self, ixs: &[Instruction]) -> Result<(), SendError> {
        let mut delay = self.options.backoff;
        let mut attempt = 0;
        loop {
            match self.transport.send(ixs, &[self.oracle]) {
                Err(e) if e.is_transient() && attempt < self.options.max_retries => {
                    attempt += 1;
                    std::thread::sleep(delay);
                    delay *= 2;
                }
                other => return other,
            }
        }
    }
}
