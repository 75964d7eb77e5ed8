//! Pictor VIP Pass: a soulbound Token-2022 membership for the Pictor GPU
//! rendering network, with oracle-fed eligibility and crank-driven,
//! program-verified priority rounds. The rules are in `eligibility`,
//! `scoring` and `ranking`: pure modules shared with the SDK and the bot.
#![allow(unexpected_cfgs)]
// Anchor's #[program] and #[derive(Accounts)] expand to code clippy flags.
#![allow(clippy::result_large_err, clippy::too_many_arguments)]

pub mod cadence;
pub mod constants;
pub mod create;
pub mod eligibility;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod math;
pub mod ranking;
pub mod scoring;
pub mod state;
pub mod time;

use anchor_lang::prelude::*;
use instructions::*;
use state::{PassMetadata, Role, Rules};

declare_id!("4NSi6oigN9V2VFGf1Xoi6hwuLJJX5XC4bQS2XqGTAzDf");

/// Instruction dispatch; the handlers live in `instructions/`, one file each.
///
/// The pause governs reports, claims, syncs and the two round steps that
/// read members (`open_round`, `rank_batch`); each of them carries the same
/// `access_control` check, `Config::require_not_paused`. Admin actions,
/// `finalise_round` and `abandon_round` stay available while paused.
#[program]
pub mod pictor_vip {
    use super::*;

    /// Creates the config and both boards. Signer: the program's upgrade authority.
    pub fn initialize(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
        instructions::initialize::initialize(ctx, args)
    }

    /// Replaces the rules and/or the pass metadata; a change of the round
    /// cadence re-anchors the round numbers and raises both boards' next
    /// numbers (SPEC §5: one line of round numbers). Signer: admin.
    pub fn update_config(
        ctx: Context<UpdateConfig>,
        rules: Option<Rules>,
        pass_metadata: Option<PassMetadata>,
    ) -> Result<()> {
        instructions::update_config::update_config(ctx, rules, pass_metadata)
    }

    /// Pauses or unpauses reports, claims, syncs and rounds. Signer: admin.
    pub fn set_paused(ctx: Context<AdminConfig>, paused: bool) -> Result<()> {
        instructions::set_paused::set_paused(ctx, paused)
    }

    /// Adds an oracle key. Signer: admin.
    pub fn add_oracle(ctx: Context<AdminConfig>, oracle: Pubkey) -> Result<()> {
        instructions::add_oracle::add_oracle(ctx, oracle)
    }

    /// Removes an oracle key. Signer: admin.
    pub fn remove_oracle(ctx: Context<AdminConfig>, oracle: Pubkey) -> Result<()> {
        instructions::remove_oracle::remove_oracle(ctx, oracle)
    }

    /// Replaces the crank key. Signer: admin.
    pub fn set_crank(ctx: Context<AdminConfig>, crank: Pubkey) -> Result<()> {
        instructions::set_crank::set_crank(ctx, crank)
    }

    /// Step 1 of the admin hand-over (`None` cancels). Signer: admin.
    pub fn propose_admin(ctx: Context<AdminConfig>, pending: Option<Pubkey>) -> Result<()> {
        instructions::propose_admin::propose_admin(ctx, pending)
    }

    /// Step 2 of the admin hand-over. Signer: the proposed key.
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        instructions::accept_admin::accept_admin(ctx)
    }

    /// Applies one oracle fact about a member, attributed to its fact time
    /// (unix seconds, when it happened off-chain). Signers: `oracle_quorum`
    /// distinct oracles (the first named, the rest as remaining accounts).
    #[access_control(ctx.accounts.config.require_not_paused())]
    pub fn submit_report(
        ctx: Context<SubmitReport>,
        wallet: Pubkey,
        seq: u64,
        fact_ts: i64,
        report: Report,
    ) -> Result<()> {
        instructions::submit_report::submit_report(ctx, wallet, seq, fact_ts, report)
    }

    /// Mints the wallet's pass of `role` if eligible now. Signer: the wallet.
    #[access_control(ctx.accounts.config.require_not_paused())]
    pub fn claim(ctx: Context<Claim>, role: Role) -> Result<()> {
        instructions::claim::claim(ctx, role)
    }

    /// Burns a member's pass, takes it out of ranking at once and bars it
    /// from claiming. Signer: admin.
    pub fn revoke(ctx: Context<Revoke>, role: Role, reason_code: u16) -> Result<()> {
        instructions::revoke::revoke(ctx, role, reason_code)
    }

    /// Lifts a revocation; the member may claim again once eligible. Signer: admin.
    pub fn reinstate(ctx: Context<Reinstate>, role: Role) -> Result<()> {
        instructions::reinstate::reinstate(ctx, role)
    }

    /// Records that a holder burned its own pass. Permissionless.
    #[access_control(ctx.accounts.config.require_not_paused())]
    pub fn sync_pass(ctx: Context<SyncPass>, role: Role) -> Result<()> {
        instructions::sync_pass::sync_pass(ctx, role)
    }

    /// Opens round number `round` of `role`: with the cadence off the board's
    /// next, as of now; with it on, the current window's, as of its
    /// scheduled time, only inside its open window. Signer: crank.
    #[access_control(ctx.accounts.config.require_not_paused())]
    pub fn open_round(ctx: Context<CrankRound>, role: Role, round: u32) -> Result<()> {
        instructions::open_round::open_round(ctx, role, round)
    }

    /// Ranks the members given as remaining accounts, in order. Signer: crank.
    #[access_control(ctx.accounts.config.require_not_paused())]
    pub fn rank_batch<'info>(ctx: Context<'info, CrankRound<'info>>, role: Role, round: u32) -> Result<()> {
        instructions::rank_batch::rank_batch(ctx, role, round)
    }

    /// Publishes a fully ranked round. Signer: crank.
    pub fn finalise_round(ctx: Context<CrankRound>, role: Role, round: u32) -> Result<()> {
        instructions::finalise_round::finalise_round(ctx, role, round)
    }

    /// Attaches `amount` (base units of the reward token) to the next round
    /// of `role`, shared by its top `top_k` ranks (0: the round's priority
    /// count). Signer: admin.
    pub fn fund_rewards(ctx: Context<FundRewards>, role: Role, amount: u64, top_k: u32) -> Result<()> {
        instructions::fund_rewards::fund_rewards(ctx, role, amount, top_k)
    }

    /// Withdraws the wallet's whole reward balance of `role` to its own
    /// token account. Signer: the wallet.
    pub fn withdraw_rewards(ctx: Context<WithdrawRewards>, role: Role) -> Result<()> {
        instructions::withdraw_rewards::withdraw_rewards(ctx, role)
    }

    /// Drops an open round (e.g. after a crank crash); the next gets a new number. Signer: crank.
    pub fn abandon_round(ctx: Context<CrankRound>, role: Role, round: u32) -> Result<()> {
        instructions::abandon_round::abandon_round(ctx, role, round)
    }
}
