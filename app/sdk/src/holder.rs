//! What a holder does itself: claim its pass, withdraw its rank rewards.
//! One implementation of each transaction, used by `pictor-vip claim` and
//! `pictor-vip rewards withdraw` (which sign it with a keypair file) and by
//! the Profile server's Solana Actions (which hand it, unsigned, to the
//! wallet): the checks that say in words why it would fail, then the
//! instructions, compute budget included.
use crate::error::{Error, Result};
use crate::ix;
use crate::profile::{progress, Progress};
use crate::read;
use crate::state::{PassStatus, Role};
use crate::transport::Transport;
use crate::units::format_token_amount;
use solana_hash::Hash;
use solana_instruction::Instruction;
use solana_pubkey::Pubkey;
use solana_transaction::Transaction;
use std::fmt;

/// Why a holder's transaction is not built: what the program would refuse,
/// said before anything is signed or paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The admin paused the program (claims wait).
    Paused,
    /// The oracle never reported about this wallet in this role.
    NoFacts,
    /// Not eligible yet, with its progress.
    NotEligible(Progress),
    /// It holds the pass already.
    AlreadyHolds,
    /// Its pass was revoked; no claim until the admin reinstates it.
    Revoked,
    /// The role's rank rewards were never funded.
    NoRewards,
    /// Nothing to withdraw.
    NothingToWithdraw,
}

impl Refusal {
    /// A short name (metrics labels, JSON): `paused`, `no_facts`, `not_eligible`,
    /// `already_holds`, `revoked`, `no_rewards`, `nothing_to_withdraw`.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Paused => "paused",
            Refusal::NoFacts => "no_facts",
            Refusal::NotEligible(_) => "not_eligible",
            Refusal::AlreadyHolds => "already_holds",
            Refusal::Revoked => "revoked",
            Refusal::NoRewards => "no_rewards",
            Refusal::NothingToWithdraw => "nothing_to_withdraw",
        }
    }

    /// The program's error this refusal spares the caller (`NotEligible`, …).
    pub fn program_error(&self) -> &'static str {
        match self {
            Refusal::Paused => "Paused",
            Refusal::NoFacts => "AccountNotInitialized",
            Refusal::NotEligible(_) => "NotEligible",
            Refusal::AlreadyHolds => "PassAlreadyClaimed",
            Refusal::Revoked => "MemberRevoked",
            Refusal::NoRewards | Refusal::NothingToWithdraw => "NothingToWithdraw",
        }
    }

    /// Every code, for metrics created at zero.
    pub const CODES: [&'static str; 7] =
        ["paused", "no_facts", "not_eligible", "already_holds", "revoked", "no_rewards", "nothing_to_withdraw"];
}

/// What a person reads.
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Paused => write!(f, "The VIP Pass program is paused by its operator: try again later."),
            Refusal::NoFacts => {
                write!(f, "Pictor has reported no activity for this wallet in this role yet, so it is not eligible.")
            }
            Refusal::NotEligible(p) => write!(f, "This wallet is not eligible yet: {p}."),
            Refusal::AlreadyHolds => write!(f, "This wallet already holds this VIP pass."),
            Refusal::Revoked => write!(
                f,
                "This wallet's pass was revoked by the operator; it cannot be claimed again unless reinstated."
            ),
            Refusal::NoRewards => write!(f, "This role's rank rewards have not been funded yet: nothing to withdraw."),
            Refusal::NothingToWithdraw => write!(f, "This wallet has no rank rewards to withdraw."),
        }
    }
}

/// A holder's transaction, before it is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// The instructions, compute budget first.
    pub instructions: Vec<Instruction>,
    /// What it does, in words ("Claim the creator VIP pass", "Withdraw 12.50 tokens").
    pub summary: String,
}

/// The claim of `wallet`'s pass of `role`, the pass's rent paid by `payer`
/// (the wallet itself, or a sponsor, which then gets the rent back when the
/// pass is closed): `Err` with the refusal when the program would refuse
/// it (paused, nothing reported, not eligible, already held, revoked).
pub fn claim(
    t: &mut dyn Transport,
    wallet: &Pubkey,
    role: Role,
    payer: &Pubkey,
) -> Result<std::result::Result<Built, Refusal>> {
    let config = read::config(t)?.ok_or(Error::NotInitialised)?;
    if config.paused {
        return Ok(Err(Refusal::Paused));
    }
    let Some(member) = read::member(t, role, wallet)? else { return Ok(Err(Refusal::NoFacts)) };
    match member.pass_status() {
        PassStatus::Active => return Ok(Err(Refusal::AlreadyHolds)),
        PassStatus::Revoked => return Ok(Err(Refusal::Revoked)),
        PassStatus::None | PassStatus::Burned => {}
    }
    let now = t.now()?;
    let p = progress(&member, &config, now)?;
    if !p.eligible() {
        return Ok(Err(Refusal::NotEligible(p)));
    }
    Ok(Ok(Built {
        instructions: ix::claim_instructions(wallet, payer, role).to_vec(),
        summary: format!("Claim the {} VIP pass", role.as_str()),
    }))
}

/// The withdrawal of `wallet`'s whole rank-reward balance of `role` to its
/// own token account (created if missing, paid by `payer`): `Err` with the
/// refusal when there is nothing to withdraw.
pub fn withdraw(
    t: &mut dyn Transport,
    wallet: &Pubkey,
    role: Role,
    payer: &Pubkey,
) -> Result<std::result::Result<Built, Refusal>> {
    let board = read::board(t, role)?.ok_or(Error::NotInitialised)?;
    if board.rewards.mint == Pubkey::default() {
        return Ok(Err(Refusal::NoRewards));
    }
    let amount = match read::member(t, role, wallet)? {
        Some(m) => m.header().withdrawable(board.finalised.as_ref()),
        None => 0,
    };
    if amount == 0 {
        return Ok(Err(Refusal::NothingToWithdraw));
    }
    let (mint, program) = (board.rewards.mint, board.rewards.token_program);
    let (instructions, _) =
        crate::compute::with_budget(&[ix::withdraw_rewards(wallet, payer, role, &mint, &program)], 0);
    Ok(Ok(Built {
        instructions,
        summary: format!(
            "Withdraw {} tokens of {} rank rewards",
            format_token_amount(amount, board.rewards.decimals),
            role.as_str()
        ),
    }))
}

/// `instructions` as a legacy transaction paid by `fee_payer` at
/// `blockhash`, every signature empty (the wallet's, and the sponsor's
/// until it signs).
pub fn unsigned(instructions: &[Instruction], fee_payer: &Pubkey, blockhash: Hash) -> Transaction {
    let mut tx = Transaction::new_with_payer(instructions, Some(fee_payer));
    tx.message.recent_blockhash = blockhash;
    tx
}
