//! What a co-signer checks before it signs (SPEC §6, "Independent
//! co-signers"): a pure function of the transaction, the co-signer's key,
//! the keepers it serves, its feed and what it signed before. Every
//! instruction that fails gets its reason; the transaction is signed only
//! when none does.
use super::facts::{FactIndex, Found};
use super::ledger::Ledger;
use anchor_lang::{AnchorDeserialize, Discriminator};
use pictor_vip_sdk::ix::Report;
use pictor_vip_sdk::program::instruction::SubmitReport;
use pictor_vip_sdk::Pubkey;
use serde::Serialize;
use solana_transaction::versioned::VersionedTransaction;

/// Why an instruction is refused (the interface's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// No fact of the co-signer's feed has this wallet and sequence number
    /// (yet: the keeper asks again later).
    NotInFeed,
    /// The feed has a fact of this wallet and sequence number, and the
    /// report differs from it in a field (or the feed holds two different
    /// facts for it).
    DiffersFromFeed,
    /// The co-signer signed a different fact for this wallet and sequence
    /// number before.
    Equivocation,
    /// Neither a compute-budget instruction nor this program's `submit_report`.
    InstructionNotAllowed,
    /// The co-signer is not named as a signer of the report, or is the fee
    /// payer, the rent payer, or a writable account.
    SignerMisuse,
    /// The fee payer is not a keeper the co-signer serves, or its signature
    /// is missing or does not verify.
    UnknownKeeper,
}

impl Reason {
    /// Every reason, for the metrics.
    pub const ALL: [Reason; 6] = [
        Reason::NotInFeed,
        Reason::DiffersFromFeed,
        Reason::Equivocation,
        Reason::InstructionNotAllowed,
        Reason::SignerMisuse,
        Reason::UnknownKeeper,
    ];

    /// The interface's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NotInFeed => "not_in_feed",
            Reason::DiffersFromFeed => "differs_from_feed",
            Reason::Equivocation => "equivocation",
            Reason::InstructionNotAllowed => "instruction_not_allowed",
            Reason::SignerMisuse => "signer_misuse",
            Reason::UnknownKeeper => "unknown_keeper",
        }
    }
}

/// One refused instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Refused {
    /// Its index in the transaction.
    pub instruction: usize,
    /// Why.
    pub reason: Reason,
}

/// A fact the co-signer is asked to vouch for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// The member's wallet.
    pub wallet: Pubkey,
    /// Its sequence number.
    pub seq: u64,
    /// When it happened, unix seconds.
    pub fact_ts: i64,
    /// What it says.
    pub report: Report,
}

impl Fact {
    /// Its fingerprint: SHA-256 of its Borsh encoding (wallet, seq, fact
    /// time, report), as the ledger keeps it.
    pub fn digest(&self) -> [u8; 32] {
        crate::feed::fact_digest(&self.wallet, self.seq, self.fact_ts, &self.report)
    }
}

/// What the co-signer holds when it judges a request.
pub struct Context<'a> {
    /// Its own key.
    pub me: Pubkey,
    /// The keepers it serves (fee payers it accepts).
    pub keepers: &'a [Pubkey],
    /// Its feed, indexed.
    pub facts: &'a FactIndex,
    /// What it signed before.
    pub ledger: &'a Ledger,
}

/// Accounts of `submit_report` before the co-signing oracles: oracle, config,
/// board, member, system program, event authority, program.
const REPORT_FIXED_ACCOUNTS: usize = 7;

/// The facts of `tx`'s reports if the co-signer may sign it, else every
/// refused instruction with its reason (in instruction order).
pub fn check(tx: &VersionedTransaction, cx: &Context) -> Result<Vec<Fact>, Vec<Refused>> {
    let message = &tx.message;
    let keys = message.static_account_keys();
    let instructions = message.instructions();
    let everyone = |reason: Reason| -> Vec<Refused> {
        (0..instructions.len().max(1)).map(|instruction| Refused { instruction, reason }).collect()
    };
    // The fee payer: a keeper it serves, whose signature verifies.
    let Some(fee_payer) = keys.first() else { return Err(everyone(Reason::UnknownKeeper)) };
    let signed = tx.signatures.first().is_some_and(|s| s.verify(fee_payer.as_ref(), &message.serialize()));
    if !cx.keepers.contains(fee_payer) || !signed {
        return Err(everyone(Reason::UnknownKeeper));
    }
    // Address lookup tables could hide accounts: a report transaction names them all.
    if message.address_table_lookups().is_some_and(|l| !l.is_empty()) {
        return Err(everyone(Reason::InstructionNotAllowed));
    }
    let my_index = keys.iter().position(|k| *k == cx.me);
    let me_signer = my_index.is_some_and(|i| message.is_signer(i));
    let me_writable = my_index.is_some_and(|i| message.is_maybe_writable(i, None));
    let mut refused = Vec::new();
    let mut facts = Vec::new();
    for (n, ix) in instructions.iter().enumerate() {
        let program = keys.get(usize::from(ix.program_id_index)).copied().unwrap_or_default();
        if program == solana_compute_budget_interface::ID {
            continue;
        }
        let args = (program == pictor_vip_sdk::pda::program_id())
            .then(|| ix.data.strip_prefix(SubmitReport::DISCRIMINATOR))
            .flatten()
            .and_then(|mut data| SubmitReport::deserialize(&mut data).ok());
        let Some(args) = args else {
            refused.push(Refused { instruction: n, reason: Reason::InstructionNotAllowed });
            continue;
        };
        let account = |i: usize| ix.accounts.get(i).and_then(|&k| keys.get(usize::from(k))).copied();
        let rent_payer = account(0);
        let named = (REPORT_FIXED_ACCOUNTS..ix.accounts.len()).any(|i| account(i) == Some(cx.me));
        if !named || !me_signer || me_writable || rent_payer == Some(cx.me) || *fee_payer == cx.me {
            refused.push(Refused { instruction: n, reason: Reason::SignerMisuse });
            continue;
        }
        let fact = Fact { wallet: args.wallet, seq: args.seq, fact_ts: args.fact_ts, report: args.report };
        let reason = match cx.facts.get(&fact.wallet, fact.seq) {
            Found::Missing => Some(Reason::NotInFeed),
            Found::Conflict => Some(Reason::DiffersFromFeed),
            Found::Fact(known) if *known != fact => Some(Reason::DiffersFromFeed),
            Found::Fact(_) => match cx.ledger.signed(&fact.wallet, fact.seq) {
                Some(digest) if digest != fact.digest() => Some(Reason::Equivocation),
                _ => None,
            },
        };
        match reason {
            Some(reason) => refused.push(Refused { instruction: n, reason }),
            None => facts.push((n, fact)),
        }
    }
    // Two reports of one wallet and sequence number in one transaction that
    // differ: the second is an equivocation within the request.
    for (i, (n, a)) in facts.iter().enumerate() {
        if facts[..i].iter().any(|(_, b)| (b.wallet, b.seq) == (a.wallet, a.seq) && b != a) {
            refused.push(Refused { instruction: *n, reason: Reason::Equivocation });
        }
    }
    if refused.is_empty() {
        Ok(facts.into_iter().map(|(_, f)| f).collect())
    } else {
        refused.sort_by_key(|r| r.instruction);
        Err(refused)
    }
}
