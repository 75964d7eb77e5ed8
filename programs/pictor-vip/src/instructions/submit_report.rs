//! Oracle reports (SPEC §6). One instruction per report; a transaction packs
//! many. Each carries the member's sequence number, which must increase.
use crate::constants::*;
use crate::create::create_program_pda;
use crate::errors::PictorError;
use crate::events::emit_event;
use crate::events::*;
use crate::math::SafeMath;
use crate::scoring;
use crate::state::*;
use crate::time::{day_index, month_index};
use anchor_lang::prelude::*;

/// One oracle fact about one member. The variant decides the role.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub enum Report {
    /// Creator deposit, in USDT base units.
    Recharge {
        /// Amount, USDT base units (> 0).
        amount_base_units: u64,
    },
    /// Creator spending, in USDT base units; lifetime spending may not exceed deposits.
    Spend {
        /// Amount, USDT base units (> 0).
        amount_base_units: u64,
    },
    /// Frames a creator had rendered successfully.
    Frames {
        /// Frame count (> 0).
        frames: u64,
    },
    /// One completed UTC day of a worker.
    WorkerDay {
        /// UTC day index (`unix_timestamp / 86,400`); before today, inside the window.
        day_index: u32,
        /// Minutes online (0–1,440).
        uptime_minutes: u16,
        /// Frames completed that day.
        frames_completed: u64,
        /// Jobs failed that day.
        jobs_failed: u64,
    },
    /// A worker's GPU.
    Gpu {
        /// Model name (≤ 32 bytes).
        model: String,
        /// VRAM, GB.
        vram_gb: u16,
        /// Hashpower, oracle units.
        hashpower: u64,
    },
}

impl Report {
    /// The role of the member this report is about.
    pub fn role(&self) -> Role {
        match self {
            Report::Recharge { .. } | Report::Spend { .. } | Report::Frames { .. } => Role::Creator,
            Report::WorkerDay { .. } | Report::Gpu { .. } => Role::Worker,
        }
    }
}

/// Accounts of `submit_report`. The oracle pays the member account's rent
/// the first time (created so that lamports planted at its address do not
/// block it). Remaining accounts: the other oracle keys that sign the
/// transaction, so that `rules.oracle_quorum` distinct oracles sign it.
#[event_cpi]
#[derive(Accounts)]
#[instruction(wallet: Pubkey, seq: u64, fact_ts: i64, report: Report)]
pub struct SubmitReport<'info> {
    /// A configured oracle key (the first of the quorum); pays for a new member account.
    #[account(mut)]
    pub oracle: Signer<'info>,
    /// The config.
    #[account(
        seeds = [CONFIG_SEED], bump = config.bump,
        constraint = config.is_oracle(&oracle.key()) @ PictorError::NotOracle,
    )]
    pub config: Box<Account<'info, Config>>,
    /// The board of the report's role (to freeze the snapshot of a round whose time has come).
    #[account(seeds = [BOARD_SEED, &report.role().seed()], bump = board.bump)]
    pub board: Box<Account<'info, Board>>,
    /// CHECK: the member PDA `[MEMBER_SEED, role, wallet]`: created here on
    /// the first report, then loaded in place by `load_member_mut`, which
    /// checks owner, size, discriminator and layout.
    #[account(mut, seeds = [MEMBER_SEED, &report.role().seed(), wallet.as_ref()], bump)]
    pub member: UncheckedAccount<'info>,
    /// System program.
    pub system_program: Program<'info, System>,
}

pub(crate) fn submit_report(
    ctx: Context<SubmitReport>,
    wallet: Pubkey,
    seq: u64,
    fact_ts: i64,
    report: Report,
) -> Result<()> {
    require!(seq != 0, PictorError::SequenceZero);
    ctx.accounts.config.require_oracle_quorum(&ctx.accounts.oracle.key(), ctx.remaining_accounts)?;
    let now = Clock::get()?.unix_timestamp;
    let latest_allowed = now.safe_add(i64::from(ctx.accounts.config.rules.max_fact_skew_secs))?;
    require!(fact_ts <= latest_allowed, PictorError::FactTimeInFuture);
    let role = report.role();
    let a = &ctx.accounts;
    let info = a.member.to_account_info();
    if info.owner != &crate::ID {
        // Lamports planted at the address are fine; an account another
        // program owns can never become this member.
        require!(info.owner == &anchor_lang::system_program::ID, PictorError::AccountNotCreatable);
        require!(wallet != Pubkey::default(), PictorError::AccountMismatch);
        let bump = [ctx.bumps.member];
        let seeds: &[&[u8]] = &[MEMBER_SEED, &role.seed(), wallet.as_ref(), &bump];
        let (payer, system) = (a.oracle.to_account_info(), a.system_program.to_account_info());
        create_program_pda(&payer, &info, &system, seeds, member_space(role))?;
        init_member(&info, role, wallet, ctx.bumps.member)?;
        emit_event(&ctx.accounts.event_authority, MemberCreated { wallet, role, ts: now })?;
    }
    let mut member = load_member_mut(&info, role)?;
    require!(seq > member.header().last_seq, PictorError::ReportAlreadyApplied);
    require!(fact_ts >= member.header().last_fact_ts, PictorError::FactTimeBeforePrevious);
    freeze_for_pending_round(&mut member, &a.board, &a.config, now, &a.event_authority)?;
    apply(&mut member, Fact { seq, fact_ts, now }, report, &a.config.rules, &a.event_authority)?;
    let header = member.header_mut();
    header.last_seq = seq;
    header.last_fact_ts = fact_ts;
    member.invariant()
}

/// While a round of the member's role has its snapshot behind it and is not
/// finalised (open, or scheduled and not opened yet: `Board::pending_snapshot`),
/// and the member counts in it, keeps the member's score as of the snapshot
/// before the first new fact lands: the round ranks the member as it was
/// then, and the fact counts from the next round.
fn freeze_for_pending_round(
    member: &mut MemberMut,
    board: &Board,
    config: &Config,
    now: i64,
    events: &AccountInfo,
) -> Result<()> {
    let Some((round, snapshot_ts)) = board.pending_snapshot(config, now) else { return Ok(()) };
    let header = member.header();
    if header.counts_in_round(round) && header.frozen_score(round).is_none() {
        // An open round scores with the parameters it copied; a scheduled one
        // will copy the config's (which cannot change until it opens).
        let params = board.open.as_ref().map_or(&config.rules.scoring, |o| &o.params);
        let score = scoring::score(member.facts(), snapshot_ts, params)?;
        let wallet = header.wallet;
        member.header_mut().freeze(board.finalised_round(), round, score);
        emit_event(events, ScoreFrozen { wallet, role: board.role, round, score })?;
    }
    Ok(())
}

/// When a report's fact happened and when it lands.
struct Fact {
    /// Report sequence number.
    seq: u64,
    /// When the fact happened off-chain (unix seconds): attributes it.
    fact_ts: i64,
    /// The cluster clock (unix seconds): bounds the worker window.
    now: i64,
}

fn apply(member: &mut MemberMut, fact: Fact, report: Report, rules: &Rules, events: &AccountInfo) -> Result<()> {
    let wallet = member.header().wallet;
    let Fact { seq, fact_ts, now } = fact;
    match (member, report) {
        (MemberMut::Creator(m), Report::Recharge { amount_base_units }) => {
            let c = &mut m.facts;
            require!(amount_base_units > 0, PictorError::ZeroAmount);
            // Attributed to the month the recharge happened in, not the one it lands in.
            let month = month_index(fact_ts)?;
            if c.recharge_month != month {
                c.recharge_month = month;
                c.month_recharged_base_units = 0;
            }
            c.deposited_base_units = c.deposited_base_units.safe_add(amount_base_units)?;
            c.month_recharged_base_units = c.month_recharged_base_units.safe_add(amount_base_units)?;
            emit_event(
                events,
                CreatorRecharged {
                    wallet,
                    seq,
                    fact_ts,
                    amount_base_units,
                    deposited_base_units: c.deposited_base_units,
                    month_recharged_base_units: c.month_recharged_base_units,
                    ts: now,
                },
            )?;
        }
        (MemberMut::Creator(m), Report::Spend { amount_base_units }) => {
            let c = &mut m.facts;
            require!(amount_base_units > 0, PictorError::ZeroAmount);
            let spent = c.spent_base_units.safe_add(amount_base_units)?;
            require!(spent <= c.deposited_base_units, PictorError::SpendingExceedsDeposits);
            c.spent_base_units = spent;
            emit_event(
                events,
                CreatorSpent { wallet, seq, fact_ts, amount_base_units, spent_base_units: spent, ts: now },
            )?;
        }
        (MemberMut::Creator(m), Report::Frames { frames }) => {
            let c = &mut m.facts;
            require!(frames > 0, PictorError::ZeroAmount);
            c.frames_rendered = c.frames_rendered.safe_add(frames)?;
            emit_event(
                events,
                CreatorFramesRendered { wallet, seq, fact_ts, frames, frames_rendered: c.frames_rendered, ts: now },
            )?;
        }
        (MemberMut::Worker(m), Report::WorkerDay { day_index: day, uptime_minutes, frames_completed, jobs_failed }) => {
            let w = &mut m.facts;
            require!(uptime_minutes <= MINUTES_PER_DAY, PictorError::UptimeExceedsDay);
            // The day must be over by the fact time; the window is the cluster's.
            require!(day < day_index(fact_ts)?, PictorError::DayNotCompleted);
            let oldest = day_index(now)?.saturating_sub(u32::from(rules.scoring.worker_window_days));
            require!(day >= oldest, PictorError::DayOutsideWindow);
            require!(w.uptime_on(day).is_none(), PictorError::DayAlreadyReported);
            w.lifetime_uptime_minutes = w.lifetime_uptime_minutes.safe_add(u64::from(uptime_minutes))?;
            w.frames_completed = w.frames_completed.safe_add(frames_completed)?;
            w.jobs_failed = w.jobs_failed.safe_add(jobs_failed)?;
            w.set_uptime(day, uptime_minutes);
            emit_event(
                events,
                WorkerDayReported {
                    wallet,
                    seq,
                    fact_ts,
                    day_index: day,
                    uptime_minutes,
                    frames_completed,
                    jobs_failed,
                    lifetime_uptime_minutes: w.lifetime_uptime_minutes,
                    ts: now,
                },
            )?;
        }
        (MemberMut::Worker(m), Report::Gpu { model, vram_gb, hashpower }) => {
            m.facts.set_gpu(&model, vram_gb, hashpower)?;
            emit_event(events, WorkerGpuReported { wallet, seq, fact_ts, model, vram_gb, hashpower, ts: now })?;
        }
        // The member PDA is derived from the report's role, so this cannot happen.
        _ => return err!(PictorError::WrongRole),
    }
    Ok(())
}
