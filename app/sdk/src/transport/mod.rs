//! One way to talk to the program, two implementations: `InProcess` (a
//! `solana-program-test` runtime with the program registered natively and
//! the real Token-2022 / ATA programs; cargo feature `in-process`) and
//! [`Rpc`] (a cluster over JSON-RPC).
//! The bot, the crank and the CLI are written against [`Transport`] only.
#[cfg(feature = "in-process")]
mod in_process;
pub mod retry;
mod rpc;

#[cfg(feature = "in-process")]
pub use in_process::{native_entry, program_data_bytes, InProcess};
pub use rpc::Rpc;

use crate::error::{Error, Result};
use crate::errors::PictorError;
use solana_account::Account;
use solana_address_lookup_table_interface::state::AddressLookupTable;
pub use solana_hash::Hash;
use solana_instruction::error::InstructionError;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
pub use solana_message::AddressLookupTableAccount;
use solana_message::{v0, VersionedMessage};
use solana_pubkey::Pubkey;
pub use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;
use thiserror::Error;

/// Largest serialized transaction a cluster accepts, in bytes.
pub const PACKET_DATA_SIZE: usize = 1_232;
/// Fee per signature, in lamports.
pub const LAMPORTS_PER_SIGNATURE: u64 = 5_000;

/// The fee of a transaction with `signatures` signatures and these
/// instructions (compute-budget ones included), in lamports: 5,000 per
/// signature plus the priority fee, ⌈limit × price / 10⁶⌉.
pub fn transaction_fee(signatures: usize, instructions: &[Instruction]) -> u64 {
    let (mut limit, mut price) = (200_000u64, 0u64);
    for ix in instructions.iter().filter(|ix| ix.program_id == solana_compute_budget_interface::ID) {
        match ix.data.first() {
            Some(2) if ix.data.len() >= 5 => limit = u64::from(u32::from_le_bytes(ix.data[1..5].try_into().unwrap())),
            Some(3) if ix.data.len() >= 9 => price = u64::from_le_bytes(ix.data[1..9].try_into().unwrap()),
            _ => {}
        }
    }
    let priority = (u128::from(limit) * u128::from(price)).div_ceil(1_000_000);
    signatures as u64 * LAMPORTS_PER_SIGNATURE + u64::try_from(priority).unwrap_or(u64::MAX)
}

/// Why a transaction did not land.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum SendError {
    /// An instruction failed; nothing in the transaction was applied.
    #[error("instruction {index} failed: {name}: {message}")]
    Program {
        /// Index of the failing instruction in the transaction.
        index: usize,
        /// Custom error code, when the program returned one.
        code: Option<u32>,
        /// Error name (`ReportAlreadyApplied`, `ConstraintSeeds`, …).
        name: String,
        /// Human-readable message.
        message: String,
    },
    /// The transaction exceeds [`PACKET_DATA_SIZE`].
    #[error("transaction is {0} bytes, above the 1,232-byte limit")]
    TooLarge(usize),
    /// The runtime refused the transaction as a whole.
    #[error("transaction refused: {0}")]
    Transaction(String),
    /// The transport failed (network, RPC node, a timeout); the transaction
    /// may or may not have landed.
    #[error("transport error: {0}")]
    Transport(String),
    /// The blockhash expired before the transaction landed: nothing was
    /// applied; re-sign with a fresh blockhash and send again.
    #[error("the blockhash expired before the transaction landed")]
    BlockhashExpired,
    /// The cluster had already processed this very transaction (a duplicate
    /// delivery): it landed; a re-signed copy tells how it went.
    #[error("the transaction was already processed")]
    AlreadyProcessed,
    /// A co-signer (SPEC §6) did not sign: nothing was sent. `refused` are
    /// the instructions a co-signer refused, with why (their indexes count
    /// the caller's instructions); empty when a co-signer could not be
    /// reached or answered nothing usable (`detail` says which).
    #[error("not co-signed: {detail}")]
    CoSign {
        /// Refused instructions: (index, reason).
        refused: Vec<(usize, String)>,
        /// What happened, for a person.
        detail: String,
    },
}

impl SendError {
    /// Whether the program refused with `error`.
    pub fn is(&self, error: PictorError) -> bool {
        matches!(self, SendError::Program { code: Some(c), .. } if *c == u32::from(error))
    }

    /// Index of the failing instruction, if one failed.
    pub fn instruction_index(&self) -> Option<usize> {
        match self {
            SendError::Program { index, .. } => Some(*index),
            _ => None,
        }
    }

    /// Whether the transport, not the program, failed: sending again (re-signed) may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, SendError::Transport(_) | SendError::BlockhashExpired | SendError::AlreadyProcessed)
    }

    /// How a report (or crank step) refused with this error is handled.
    pub fn refusal(&self) -> Refusal {
        match self {
            SendError::Program { code: Some(c), .. } => match PictorError::from_code(*c) {
                Some(PictorError::ReportAlreadyApplied) => Refusal::AlreadyDone,
                // A day not over by its *fact* time is a bad fact, not a late
                // clock: only the pause and a clock behind the fact time pass.
                Some(PictorError::Paused | PictorError::FactTimeInFuture) => Refusal::Transient,
                _ => Refusal::Permanent,
            },
            SendError::Program { .. } | SendError::TooLarge(_) | SendError::Transaction(_) => Refusal::Permanent,
            SendError::Transport(_)
            | SendError::BlockhashExpired
            | SendError::AlreadyProcessed
            | SendError::CoSign { .. } => Refusal::Transient,
        }
    }

    /// Builds the error from a transaction error and the program logs.
    pub fn from_transaction_error(err: TransactionError, logs: &[String]) -> Self {
        match err {
            TransactionError::InstructionError(index, ie) => {
                let code = match ie {
                    InstructionError::Custom(c) => Some(c),
                    _ => None,
                };
                let (name, message) =
                    code.and_then(error_name).or_else(|| anchor_error_from_logs(logs)).unwrap_or_else(|| match code {
                        Some(c) => (format!("Custom({c})"), format!("custom program error {c:#x}")),
                        None => (format!("{ie:?}"), ie.to_string()),
                    });
                SendError::Program { index: usize::from(index), code, name, message }
            }
            TransactionError::BlockhashNotFound => SendError::BlockhashExpired,
            TransactionError::AlreadyProcessed => SendError::AlreadyProcessed,
            other => SendError::Transaction(other.to_string()),
        }
    }
}

/// What a transaction would do, found without sending it (`--dry-run`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Simulated {
    /// Why it would fail, if it would (instruction index as the caller numbered them).
    pub error: Option<SendError>,
    /// The program logs.
    pub logs: Vec<String>,
    /// Compute units it would consume (not metered for a native program).
    pub units_consumed: Option<u64>,
    /// The instructions it would carry, compute-budget ones included.
    pub instructions: usize,
    /// Its fee, in lamports.
    pub fee_lamports: u64,
}

/// The three kinds of refusal (the bot's classification).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Retry later: the program is paused, the cluster clock is behind the
    /// fact time (beyond the allowed skew), or the transport failed.
    Transient,
    /// Already done: the report's sequence number was already applied.
    AlreadyDone,
    /// Never going to succeed: recorded with its reason.
    Permanent,
}

/// `(name, message)` of a program error code: the program's own errors and
/// the Anchor account-validation errors its instructions can return.
pub fn error_name(code: u32) -> Option<(String, String)> {
    use anchor_lang::error::ErrorCode as E;
    if let Some(e) = PictorError::from_code(code) {
        return Some((e.name(), e.to_string()));
    }
    const FRAMEWORK: [E; 14] = [
        E::ConstraintMut,
        E::ConstraintHasOne,
        E::ConstraintSigner,
        E::ConstraintRaw,
        E::ConstraintOwner,
        E::ConstraintSeeds,
        E::ConstraintAddress,
        E::AccountDiscriminatorNotFound,
        E::AccountDiscriminatorMismatch,
        E::AccountDidNotDeserialize,
        E::AccountOwnedByWrongProgram,
        E::InvalidProgramId,
        E::AccountNotSigner,
        E::AccountNotInitialized,
    ];
    FRAMEWORK.iter().find(|e| u32::from(**e) == code).map(|e| (e.name(), e.to_string()))
}

/// `(name, message)` of the last Anchor error logged, if any (on a real
/// cluster; the in-process runtime's native program prints its logs instead).
pub fn anchor_error_from_logs(logs: &[String]) -> Option<(String, String)> {
    let line = logs.iter().rev().find(|l| l.contains("AnchorError"))?;
    let name = line.split("Error Code: ").nth(1)?.split('.').next()?.to_string();
    let message = line.split("Error Message: ").nth(1).unwrap_or("").trim_end_matches('.').to_string();
    Some((name, message))
}

/// A connection to the program's cluster (real or in-process).
pub trait Transport {
    /// The key that pays transaction fees (and signs every transaction).
    fn fee_payer(&self) -> Pubkey;
    /// An account, or `None` if it does not exist.
    fn get_account(&mut self, key: &Pubkey) -> Result<Option<Account>>;
    /// Several accounts at once, in order (`getMultipleAccounts` on a cluster).
    fn get_accounts(&mut self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        keys.iter().map(|k| self.get_account(k)).collect()
    }
    /// Every account of the program whose data starts with `discriminator`.
    fn program_accounts(&mut self, discriminator: &[u8]) -> Result<Vec<(Pubkey, Account)>>;
    /// The cluster's clock, unix seconds.
    fn now(&mut self) -> Result<i64>;
    /// Signs (fee payer + `signers`) and sends one transaction, waiting for
    /// its outcome. Atomic: on error nothing was applied (except for
    /// [`SendError::Transport`], where the outcome is unknown). The
    /// transaction carries a compute-unit limit (the caller's, or the
    /// estimate of [`crate::compute`]) and the transport's unit price; an
    /// error's instruction index counts the caller's instructions only.
    fn send(&mut self, instructions: &[Instruction], signers: &[&Keypair]) -> Result<(), SendError>;
    /// Sets the compute-unit price of every transaction sent from now on,
    /// in micro-lamports per compute unit (0: none).
    fn set_compute_unit_price(&mut self, micro_lamports: u64);
    /// Like [`Transport::send`], as a v0 transaction whose accounts may
    /// resolve through the address lookup `tables`. Returns its size in bytes.
    fn send_v0(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<usize, SendError>;
    /// The cluster's current slot.
    fn slot(&mut self) -> Result<u64>;
    /// Returns once the cluster's slot is at least `slot`.
    fn wait_for_slot(&mut self, slot: u64) -> Result<()>;
    /// Returns once the cluster's root (finalized slot) is at least `slot`:
    /// a validator's banking stage resolves a v0 transaction's lookup-table
    /// addresses against its root bank, so a table extended in `slot` serves
    /// only then. The default is [`Transport::wait_for_slot`] (a runtime
    /// whose every slot is final).
    fn wait_for_root(&mut self, slot: u64) -> Result<()> {
        self.wait_for_slot(slot)
    }
    /// Fees of the transactions this transport sent that landed (succeeded
    /// or failed in the program), in lamports.
    fn fees_paid_lamports(&self) -> u64;
    /// Signs and simulates one transaction (as [`Transport::send`] would
    /// build it) without sending it.
    fn simulate(&mut self, instructions: &[Instruction], signers: &[&Keypair]) -> Result<Simulated> {
        let _ = (instructions, signers);
        Err(Error::Unsupported("this transport cannot simulate".into()))
    }
    /// The address lookup tables whose authority is `authority`, with their
    /// metadata (only active ones: not being deactivated).
    fn lookup_tables(&mut self, authority: &Pubkey) -> Result<Vec<LookupTable>>;
    /// Signs and sends one transaction (as [`Transport::send`] builds it)
    /// **without waiting** for it, so that many can be in flight;
    /// [`Transport::poll`] tells when each lands. The default sends and
    /// waits ([`Transport::send`]): the outcome is known at once.
    fn submit(&mut self, instructions: &[Instruction], signers: &[&Keypair]) -> Submitted {
        Submitted::Done(self.send(instructions, signers))
    }
    /// The outcome of each ticket, in order: `None` while it may still land;
    /// `Some(Err(SendError::BlockhashExpired))` once its blockhash expired
    /// without it landing (it never will: send it again). An `Err` is the
    /// cluster not answering (the tickets' outcomes are unknown).
    fn poll(&mut self, tickets: &[Ticket]) -> Result<Vec<Option<Result<(), SendError>>>> {
        Ok(vec![None; tickets.len()])
    }
    /// Like [`Transport::submit`], for a transaction some of whose signers
    /// sign elsewhere: signed by the fee payer and `signers`, then
    /// `co_sign` is asked for the other signatures (nothing is sent when it
    /// refuses), then sent. The default cannot: a transport that wraps
    /// another forwards it.
    fn submit_cosigned(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        co_sign: &mut CoSign,
    ) -> Submitted {
        let _ = (instructions, signers, co_sign);
        Submitted::Done(Err(SendError::Transaction("this transport cannot ask co-signers".into())))
    }
}

/// Asked by [`Transport::submit_cosigned`] for the signatures a transport
/// cannot give (SPEC §6's co-signers): given the transaction signed by the
/// fee payer and the local signers, the missing signers' signatures, or a
/// [`SendError::CoSign`] (instruction indexes counting the whole
/// transaction; the transport shifts them to the caller's).
pub type CoSign<'a> = dyn FnMut(&Transaction) -> Result<Vec<(Pubkey, Signature)>, SendError> + 'a;

/// What [`Transport::submit`] did with a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// Its outcome is known already (sent and confirmed, or refused at once).
    Done(std::result::Result<(), SendError>),
    /// Sent; [`Transport::poll`] tells how it went.
    InFlight(Ticket),
}

/// Every submitted transaction's outcome, in order: those known at once as
/// they are, those in flight polled every `interval` until each lands or its
/// blockhash expires ([`Transport::poll`] ends every ticket one way or the
/// other). An `Err` is the cluster not answering a poll.
pub fn outcomes(
    t: &mut dyn Transport,
    submitted: Vec<Submitted>,
    interval: std::time::Duration,
) -> Result<Vec<std::result::Result<(), SendError>>> {
    let mut out = Vec::with_capacity(submitted.len());
    let mut waiting: Vec<(usize, Ticket)> = Vec::new();
    for (i, s) in submitted.into_iter().enumerate() {
        match s {
            Submitted::Done(result) => out.push(Some(result)),
            Submitted::InFlight(ticket) => {
                out.push(None);
                waiting.push((i, ticket));
            }
        }
    }
    while !waiting.is_empty() {
        std::thread::sleep(interval);
        let polled = t.poll(&waiting.iter().map(|(_, ticket)| ticket.clone()).collect::<Vec<_>>())?;
        waiting = waiting
            .into_iter()
            .zip(polled)
            .filter_map(|((i, ticket), outcome)| match outcome {
                Some(result) => {
                    out[i] = Some(result);
                    None
                }
                None => Some((i, ticket)),
            })
            .collect();
    }
    Ok(out.into_iter().map(|o| o.expect("every outcome is known")).collect())
}

/// A transaction sent and not confirmed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// Its signature.
    pub signature: Signature,
    /// The last block height at which it can land; once the cluster is past
    /// it without the transaction, it never will.
    pub last_valid_block_height: u64,
    /// Its fee, in lamports (counted when it lands).
    pub fee_lamports: u64,
    /// Budget instructions put in front of the caller's (see [`caller_index`]).
    pub added: usize,
}

/// An address lookup table as the crank uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupTable {
    /// The table's address.
    pub key: Pubkey,
    /// Its addresses, in order.
    pub addresses: Vec<Pubkey>,
    /// The slot it was last extended in: its newest addresses resolve from the next slot.
    pub last_extended_slot: u64,
}

impl LookupTable {
    /// Decodes a lookup-table account owned by `authority` that is not being
    /// deactivated; `None` otherwise.
    pub fn decode(key: Pubkey, data: &[u8], authority: &Pubkey) -> Option<LookupTable> {
        let table = AddressLookupTable::deserialize(data).ok()?;
        let active = table.meta.deactivation_slot == u64::MAX;
        (active && table.meta.authority == Some(*authority)).then(|| LookupTable {
            key,
            addresses: table.addresses.to_vec(),
            last_extended_slot: table.meta.last_extended_slot,
        })
    }

    /// The form a v0 message compiles against.
    pub fn account(&self) -> AddressLookupTableAccount {
        AddressLookupTableAccount { key: self.key, addresses: self.addresses.clone() }
    }
}

/// The address lookup table program.
pub const LOOKUP_TABLE_PROGRAM_ID: Pubkey = solana_address_lookup_table_interface::program::ID;

/// Offset of the authority (after its `Some` tag) in a lookup-table account.
pub const LOOKUP_TABLE_AUTHORITY_OFFSET: usize = 22;

/// A transaction signed with the compute-budget instructions of
/// [`crate::compute::with_budget`] in front.
pub struct Signed<T> {
    /// The signed transaction.
    pub tx: T,
    /// How many compute-budget instructions were put in front (to shift a
    /// failed instruction's index back, [`caller_index`]).
    pub added: usize,
    /// Its fee, lamports ([`transaction_fee`]).
    pub fee_lamports: u64,
    /// Serialized size, bytes.
    pub size: usize,
}

/// Builds and signs a v0 transaction, fee payer first, with the
/// compute-budget instructions of [`crate::compute::with_budget`].
pub fn sign_v0_transaction(
    instructions: &[Instruction],
    fee_payer: &Keypair,
    signers: &[&Keypair],
    tables: &[AddressLookupTableAccount],
    blockhash: Hash,
    compute_unit_price: u64,
) -> Result<Signed<VersionedTransaction>, SendError> {
    let (instructions, added) = crate::compute::with_budget(instructions, compute_unit_price);
    let message = v0::Message::try_compile(&fee_payer.pubkey(), &instructions, tables, blockhash)
        .map_err(|e| SendError::Transaction(format!("compiling a v0 message: {e}")))?;
    let required = &message.account_keys[..usize::from(message.header.num_required_signatures)];
    let mut chosen: Vec<&Keypair> = vec![fee_payer];
    for s in signers {
        if required.contains(&s.pubkey()) && !chosen.iter().any(|c| c.pubkey() == s.pubkey()) {
            chosen.push(s);
        }
    }
    let tx = VersionedTransaction::try_new(VersionedMessage::V0(message), &chosen)
        .map_err(|e| SendError::Transaction(format!("signing: {e}")))?;
    let size = bincode::serialized_size(&tx).map_or(usize::MAX, |s| s as usize);
    if size > PACKET_DATA_SIZE {
        return Err(SendError::TooLarge(size));
    }
    let fee_lamports = transaction_fee(tx.signatures.len(), &instructions);
    Ok(Signed { tx, added, fee_lamports, size })
}

/// `error` with its instruction index shifted back by the `added`
/// compute-budget instructions the transport put in front.
pub fn caller_index(error: SendError, added: usize) -> SendError {
    match error {
        SendError::Program { index, code, name, message } => {
            SendError::Program { index: index.saturating_sub(added), code, name, message }
        }
        SendError::CoSign { refused, detail } => SendError::CoSign {
            refused: refused.into_iter().map(|(i, why)| (i.saturating_sub(added), why)).collect(),
            detail,
        },
        other => other,
    }
}

/// Signs `signed` (the fee payer's and local signatures in place) as far as
/// it can, asks `co_sign` for the rest and puts them in; every signature
/// must then be present and verify.
pub fn co_signed(mut signed: Signed<Transaction>, co_sign: &mut CoSign) -> Result<Signed<Transaction>, SendError> {
    let given = co_sign(&signed.tx).map_err(|e| caller_index(e, signed.added))?;
    let tx = &mut signed.tx;
    let required = usize::from(tx.message.header.num_required_signatures);
    for (key, signature) in given {
        let at = tx.message.account_keys[..required]
            .iter()
            .position(|k| *k == key)
            .ok_or_else(|| SendError::CoSign { refused: Vec::new(), detail: format!("{key} is no signer of it") })?;
        tx.signatures[at] = signature;
    }
    let message = tx.message.serialize();
    for (signature, key) in tx.signatures.iter().zip(&tx.message.account_keys) {
        if !signature.verify(key.as_ref(), &message) {
            return Err(SendError::CoSign { refused: Vec::new(), detail: format!("no valid signature of {key}") });
        }
    }
    Ok(signed)
}

/// [`sign_transaction`] for a transaction some of whose signers sign
/// elsewhere: their signatures stay empty.
pub fn sign_transaction_partly(
    instructions: &[Instruction],
    fee_payer: &Keypair,
    signers: &[&Keypair],
    blockhash: Hash,
    compute_unit_price: u64,
) -> Result<Signed<Transaction>, SendError> {
    let (instructions, added) = crate::compute::with_budget(instructions, compute_unit_price);
    let mut tx = Transaction::new_with_payer(&instructions, Some(&fee_payer.pubkey()));
    let required = &tx.message.account_keys[..usize::from(tx.message.header.num_required_signatures)];
    let mut chosen: Vec<&Keypair> = vec![fee_payer];
    for s in signers {
        if required.contains(&s.pubkey()) && !chosen.iter().any(|c| c.pubkey() == s.pubkey()) {
            chosen.push(s);
        }
    }
    tx.try_partial_sign(&chosen, blockhash).map_err(|e| SendError::Transaction(format!("signing: {e}")))?;
    let size = transaction_size(&tx);
    if size > PACKET_DATA_SIZE {
        return Err(SendError::TooLarge(size));
    }
    let fee_lamports = transaction_fee(tx.signatures.len(), &instructions);
    Ok(Signed { tx, added, fee_lamports, size })
}

/// Builds and signs a legacy transaction, fee payer first, with the
/// compute-budget instructions of [`crate::compute::with_budget`];
/// duplicate signers are dropped and unneeded ones ignored. Every signer
/// the instructions need must be among them.
pub fn sign_transaction(
    instructions: &[Instruction],
    fee_payer: &Keypair,
    signers: &[&Keypair],
    blockhash: Hash,
    compute_unit_price: u64,
) -> Result<Signed<Transaction>, SendError> {
    let signed = sign_transaction_partly(instructions, fee_payer, signers, blockhash, compute_unit_price)?;
    if !signed.tx.is_signed() {
        return Err(SendError::Transaction(format!("signing: {}", solana_signer::SignerError::NotEnoughSigners)));
    }
    Ok(signed)
}

/// A legacy transaction with empty signatures, with the compute-budget
/// instructions a transport adds (a unit price counted in): an upper bound
/// of the size for checks against [`PACKET_DATA_SIZE`] before signing.
pub fn unsigned_transaction(instructions: &[Instruction], fee_payer: &Pubkey) -> Transaction {
    let (instructions, _) = crate::compute::with_budget(instructions, 1);
    Transaction::new_with_payer(&instructions, Some(fee_payer))
}

/// Serialized size of a transaction, in bytes.
pub fn transaction_size(tx: &Transaction) -> usize {
    bincode::serialized_size(tx).map_or(usize::MAX, |s| s as usize)
}

#[cfg(test)]
mod refusal_tests {
    use super::*;

    fn program(e: PictorError) -> SendError {
        SendError::Program { index: 0, code: Some(u32::from(e)), name: String::new(), message: String::new() }
    }

    #[test]
    fn refusals_are_classified_into_three_kinds() {
        assert_eq!(program(PictorError::Paused).refusal(), Refusal::Transient);
        assert_eq!(program(PictorError::FactTimeInFuture).refusal(), Refusal::Transient);
        assert_eq!(program(PictorError::ReportAlreadyApplied).refusal(), Refusal::AlreadyDone);
        for e in [PictorError::DayNotCompleted, PictorError::SpendingExceedsDeposits, PictorError::NotOracle] {
            assert_eq!(program(e).refusal(), Refusal::Permanent, "{e:?}");
        }
        for e in [SendError::BlockhashExpired, SendError::AlreadyProcessed, SendError::Transport("timeout".into())] {
            assert_eq!(e.refusal(), Refusal::Transient);
        }
    }
}
