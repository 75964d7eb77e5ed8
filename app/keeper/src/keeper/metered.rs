//! A [`Transport`] that counts what goes through it into the keeper's
//! metrics: transactions sent, landed and retried by instruction, fees,
//! rounds opened, finalised and abandoned and members ranked by role, and
//! RPC errors by kind. The bot and the crank talk through it unchanged.
use super::metrics::Metrics;
use anchor_lang::Discriminator;
use pictor_vip_sdk::error::{Error, Result};
use pictor_vip_sdk::program::instruction as program_ix;
use pictor_vip_sdk::state::Role;
use pictor_vip_sdk::transport::{
    AddressLookupTableAccount, CoSign, LookupTable, SendError, Signature, Simulated, Submitted, Ticket, Transport,
};
use pictor_vip_sdk::{pda, Account, Instruction, Keypair, Pubkey};
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// What a transaction is, for the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Described {
    /// Its instruction's name (the first one's that is not a compute-budget instruction).
    pub instruction: &'static str,
    /// The role of the board it works on, for a round instruction.
    pub role: Option<Role>,
    /// Members it ranks (a `rank_batch`).
    pub ranked: usize,
}

/// Accounts of a round instruction before its members: crank, config,
/// board, event authority, program.
const ROUND_ACCOUNTS: usize = 5;

/// Names a transaction by its instructions.
pub fn describe(instructions: &[Instruction]) -> Described {
    let Some(ix) = instructions.iter().find(|ix| ix.program_id != solana_compute_budget_interface::ID) else {
        return Described { instruction: "other", role: None, ranked: 0 };
    };
    if ix.program_id == pictor_vip_sdk::transport::LOOKUP_TABLE_PROGRAM_ID {
        return Described { instruction: "lookup_table", role: None, ranked: 0 };
    }
    if ix.program_id != pda::program_id() || ix.data.len() < 8 {
        return Described { instruction: "other", role: None, ranked: 0 };
    }
    let d = &ix.data[..8];
    let name = [
        (program_ix::SubmitReport::DISCRIMINATOR, "submit_report"),
        (program_ix::OpenRound::DISCRIMINATOR, "open_round"),
        (program_ix::RankBatch::DISCRIMINATOR, "rank_batch"),
        (program_ix::FinaliseRound::DISCRIMINATOR, "finalise_round"),
        (program_ix::AbandonRound::DISCRIMINATOR, "abandon_round"),
        (program_ix::SyncPass::DISCRIMINATOR, "sync_pass"),
    ]
    .iter()
    .find(|(disc, _)| *disc == d)
    .map_or("other", |(_, name)| *name);
    let round = matches!(name, "open_round" | "rank_batch" | "finalise_round" | "abandon_round");
    let role = if round {
        ix.accounts.get(2).and_then(|board| Role::ALL.into_iter().find(|r| pda::board(*r) == board.pubkey))
    } else {
        None
    };
    let ranked = if name == "rank_batch" { ix.accounts.len().saturating_sub(ROUND_ACCOUNTS) } else { 0 };
    Described { instruction: name, role, ranked }
}

fn fingerprint(instructions: &[Instruction]) -> u64 {
    let mut h = DefaultHasher::new();
    for ix in instructions {
        ix.program_id.hash(&mut h);
        ix.data.hash(&mut h);
        for a in &ix.accounts {
            a.pubkey.hash(&mut h);
        }
    }
    h.finish()
}

/// The kind of an RPC error (the `kind` label of `rpc_errors_total`), or
/// `None` when the cluster answered as it should: a refusal by the
/// program, a duplicate delivery the cluster had already processed (it
/// landed), a co-signer's refusal (nothing was sent; counted per co-signer).
pub fn send_error_kind(e: &SendError) -> Option<&'static str> {
    match e {
        SendError::Program { .. } | SendError::AlreadyProcessed | SendError::CoSign { .. } => None,
        SendError::Transport(_) => Some("transport"),
        SendError::BlockhashExpired => Some("blockhash_expired"),
        SendError::TooLarge(_) | SendError::Transaction(_) => Some("transaction_refused"),
    }
}

/// The kind of a failed read.
pub fn read_error_kind(e: &Error) -> &'static str {
    match e {
        Error::Cluster(text) if text.contains("does not answer") => "unreachable",
        Error::Send(s) => send_error_kind(s).unwrap_or("read"),
        _ => "read",
    }
}

/// Transactions that failed in transport and may be sent again, remembered
/// at most this many at once.
const REMEMBERED_FAULTS: usize = 10_000;

/// A transport that counts into [`Metrics`].
pub struct Metered<T: Transport> {
    inner: T,
    metrics: Arc<super::metrics::Shared>,
    /// Tickets in flight: what each transaction is and its fingerprint.
    in_flight: HashMap<Signature, (Described, u64)>,
    /// Fingerprints of transactions whose last attempt was a transport fault.
    faulted: HashSet<u64>,
}

impl<T: Transport> Metered<T> {
    /// A submission through the inner transport, counted: sent now, and
    /// its outcome once known (a co-signer's refusal: nothing was sent).
    fn submit_counted(&mut self, instructions: &[Instruction], submit: impl FnOnce(&mut T) -> Submitted) -> Submitted {
        let (what, print) = (describe(instructions), fingerprint(instructions));
        let fees = self.inner.fees_paid_lamports();
        let submitted = submit(&mut self.inner);
        if matches!(submitted, Submitted::Done(Err(SendError::CoSign { .. }))) {
            return submitted;
        }
        self.sent(&what, print);
        let paid = self.fees_since(fees);
        match &submitted {
            Submitted::Done(result) => self.outcome(&what, print, result, paid),
            Submitted::InFlight(ticket) => {
                self.in_flight.insert(ticket.signature, (what, print));
            }
        }
        submitted
    }

    /// Counts what `inner` does into `shared`'s metrics.
    pub fn new(inner: T, shared: Arc<super::metrics::Shared>) -> Self {
        Metered { inner, metrics: shared, in_flight: HashMap::new(), faulted: HashSet::new() }
    }

    /// The transport counted.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// The transport, no longer counted.
    pub fn into_inner(self) -> T {
        self.inner
    }

    fn m(&self) -> &Metrics {
        &self.metrics.metrics
    }

    fn sent(&mut self, what: &Described, print: u64) {
        self.m().tx_sent.with_label_values(&[what.instruction]).inc();
        if self.faulted.remove(&print) {
            self.m().tx_retried.with_label_values(&[what.instruction]).inc();
        }
    }

    /// Counts the fees paid since `fees_before` (lamports); whether any was.
    fn fees_since(&self, fees_before: u64) -> bool {
        let fee = self.inner.fees_paid_lamports().saturating_sub(fees_before);
        self.m().fees_lamports.inc_by(fee);
        fee > 0
    }

    /// Books a transaction's outcome. `landed`: it reached the cluster's
    /// ledger (a fee was paid), whether the program accepted it or not; a
    /// refusal by a node's preflight simulation did not land.
    fn outcome(&mut self, what: &Described, print: u64, result: &std::result::Result<(), SendError>, landed: bool) {
        if landed || result.is_ok() {
            self.m().tx_landed.with_label_values(&[what.instruction]).inc();
        }
        match result {
            Ok(()) | Err(SendError::Program { .. }) | Err(SendError::AlreadyProcessed) => self.metrics.rpc_answered(),
            Err(e) => {
                if let Some(kind) = send_error_kind(e) {
                    self.m().rpc_errors.with_label_values(&[kind]).inc();
                    self.metrics.rpc_failed(&e.to_string());
                }
                if e.is_transient() {
                    if self.faulted.len() >= REMEMBERED_FAULTS {
                        self.faulted.clear();
                    }
                    self.faulted.insert(print);
                }
            }
        }
        if result.is_ok() {
            if let Some(role) = what.role {
                match what.instruction {
                    "open_round" => self.m().round(role, "opened"),
                    "finalise_round" => self.m().round(role, "finalised"),
                    "abandon_round" => self.m().round(role, "abandoned"),
                    "rank_batch" => {
                        self.m().members_ranked.with_label_values(&[role.as_str()]).inc_by(what.ranked as u64)
                    }
                    _ => {}
                }
            }
        }
    }

    /// Counts a read: a success is the cluster answering (health), an
    /// error is counted by kind.
    fn read<R>(&self, result: Result<R>) -> Result<R> {
        match &result {
            Ok(_) => self.metrics.rpc_answered(),
            Err(e) => {
                self.m().rpc_errors.with_label_values(&[read_error_kind(e)]).inc();
                self.metrics.rpc_failed(&e.to_string());
            }
        }
        result
    }
}

impl<T: Transport> Transport for Metered<T> {
    fn fee_payer(&self) -> Pubkey {
        self.inner.fee_payer()
    }

    fn get_account(&mut self, key: &Pubkey) -> Result<Option<Account>> {
        let r = self.inner.get_account(key);
        self.read(r)
    }

    fn get_accounts(&mut self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        let r = self.inner.get_accounts(keys);
        self.read(r)
    }

    fn program_accounts(&mut self, discriminator: &[u8]) -> Result<Vec<(Pubkey, Account)>> {
        let r = self.inner.program_accounts(discriminator);
        self.read(r)
    }

    fn now(&mut self) -> Result<i64> {
        let r = self.inner.now();
        self.read(r)
    }

    fn send(&mut self, instructions: &[Instruction], signers: &[&Keypair]) -> std::result::Result<(), SendError> {
        let (what, print) = (describe(instructions), fingerprint(instructions));
        self.sent(&what, print);
        let fees = self.inner.fees_paid_lamports();
        let result = self.inner.send(instructions, signers);
        let paid = self.fees_since(fees);
        self.outcome(&what, print, &result, paid);
        result
    }

    fn set_compute_unit_price(&mut self, micro_lamports: u64) {
        self.inner.set_compute_unit_price(micro_lamports)
    }

    fn send_v0(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> std::result::Result<usize, SendError> {
        let (what, print) = (describe(instructions), fingerprint(instructions));
        self.sent(&what, print);
        let fees = self.inner.fees_paid_lamports();
        let result = self.inner.send_v0(instructions, signers, tables);
        let paid = self.fees_since(fees);
        self.outcome(&what, print, &result.as_ref().map(drop).map_err(Clone::clone), paid);
        result
    }

    fn slot(&mut self) -> Result<u64> {
        let r = self.inner.slot();
        self.read(r)
    }

    fn wait_for_slot(&mut self, slot: u64) -> Result<()> {
        let r = self.inner.wait_for_slot(slot);
        self.read(r)
    }

    fn wait_for_root(&mut self, slot: u64) -> Result<()> {
        let r = self.inner.wait_for_root(slot);
        self.read(r)
    }

    fn fees_paid_lamports(&self) -> u64 {
        self.inner.fees_paid_lamports()
    }

    fn simulate(&mut self, instructions: &[Instruction], signers: &[&Keypair]) -> Result<Simulated> {
        let r = self.inner.simulate(instructions, signers);
        self.read(r)
    }

    fn lookup_tables(&mut self, authority: &Pubkey) -> Result<Vec<LookupTable>> {
        let r = self.inner.lookup_tables(authority);
        self.read(r)
    }

    fn submit(&mut self, instructions: &[Instruction], signers: &[&Keypair]) -> Submitted {
        self.submit_counted(instructions, |inner| inner.submit(instructions, signers))
    }

    fn submit_cosigned(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        co_sign: &mut CoSign,
    ) -> Submitted {
        self.submit_counted(instructions, |inner| inner.submit_cosigned(instructions, signers, co_sign))
    }

    fn poll(&mut self, tickets: &[Ticket]) -> Result<Vec<Option<std::result::Result<(), SendError>>>> {
        let fees = self.inner.fees_paid_lamports();
        let polled = self.inner.poll(tickets);
        let polled = self.read(polled)?;
        self.fees_since(fees);
        for (ticket, outcome) in tickets.iter().zip(&polled) {
            if let Some(result) = outcome {
                if let Some((what, print)) = self.in_flight.remove(&ticket.signature) {
                    // A status was found: it landed; an expired blockhash did not.
                    let landed = !matches!(result, Err(SendError::BlockhashExpired));
                    self.outcome(&what, print, result, landed);
                }
            }
        }
        Ok(polled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pictor_vip_sdk::ix;

    #[test]
    fn transactions_are_named_by_their_instruction_and_round_ones_by_role() {
        let crank = Pubkey::new_unique();
        let members = [Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique()];
        let ranked = describe(&pictor_vip_sdk::crank::rank_batch_instructions(&crank, Role::Worker, 4, &members));
        assert_eq!(ranked, Described { instruction: "rank_batch", role: Some(Role::Worker), ranked: 3 });
        assert_eq!(
            describe(&[ix::open_round(&crank, Role::Creator, 2)]),
            Described { instruction: "open_round", role: Some(Role::Creator), ranked: 0 }
        );
        assert_eq!(describe(&[ix::finalise_round(&crank, Role::Worker, 2)]).instruction, "finalise_round");
        assert_eq!(describe(&[ix::abandon_round(&crank, Role::Worker, 2)]).instruction, "abandon_round");
        let wallet = Pubkey::new_unique();
        let report = ix::report_signed(&[crank], &wallet, 1, 0, ix::Report::Frames { frames: 3 });
        assert_eq!(
            describe(&[report.clone(), report]),
            Described { instruction: "submit_report", role: None, ranked: 0 }
        );
        assert_eq!(describe(&[ix::sync_pass(Role::Creator, &wallet, &crank)]).instruction, "sync_pass");
        assert_eq!(describe(&[]).instruction, "other");
    }

    #[test]
    fn errors_are_sorted_into_kinds() {
        assert_eq!(send_error_kind(&SendError::Transport("timeout".into())), Some("transport"));
        assert_eq!(send_error_kind(&SendError::BlockhashExpired), Some("blockhash_expired"));
        assert_eq!(send_error_kind(&SendError::AlreadyProcessed), None, "it landed: not an RPC error");
        assert_eq!(send_error_kind(&SendError::TooLarge(1_300)), Some("transaction_refused"));
        let program =
            SendError::Program { index: 0, code: Some(6000), name: "Paused".into(), message: "paused".into() };
        assert_eq!(send_error_kind(&program), None, "a program's refusal is no RPC error");
        assert_eq!(
            read_error_kind(&Error::Cluster("the cluster at http://x does not answer: is it running".into())),
            "unreachable"
        );
        assert_eq!(read_error_kind(&Error::Cluster("reading from http://x: 429".into())), "read");
    }
}
