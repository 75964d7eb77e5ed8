//! Ranking rounds (SPEC §5): the crank drives, the program verifies.
//!
//! `open_round` fixes the snapshot time, the member count and the scoring
//! parameters. `rank_batch` takes members in the claimed order (remaining
//! accounts) and checks each: right role, counts in this round, not ranked
//! yet, strictly after the previous member in score order. `finalise_round`
//! succeeds only when every holder counted at open was ranked. Since the
//! order is strict and every ranked member is a distinct holder, "ranked ==
//! members" means every holder was covered exactly once.
use crate::constants::*;
use crate::errors::PictorError;
use crate::events::*;
use crate::ranking::{follows, priority_count};
use crate::state::*;
use anchor_lang::prelude::*;

/// Accounts of every round instruction.
#[derive(Accounts)]
#[instruction(role: Role)]
pub struct CrankRound<'info> {
    /// The crank key.
    pub crank: Signer<'info>,
    /// The config.
    #[account(seeds = [CONFIG_SEED], bump = config.bump, has_one = crank @ PictorError::NotCrank)]
    pub config: Box<Account<'info, Config>>,
    /// The role's board.
    #[account(mut, seeds = [BOARD_SEED, &role.seed()], bump = board.bump)]
    pub board: Box<Account<'info, Board>>,
}

pub(crate) fn open_round(ctx: Context<CrankRound>, role: Role) -> Result<()> {
    let config = &ctx.accounts.config;
    require!(!config.paused, PictorError::Paused);
    let board = &mut ctx.accounts.board;
    board.require_no_open_round()?;
    let snapshot_ts = Clock::get()?.unix_timestamp;
    let round = board.next_round;
    let members = board.active_holders;
    let priority = priority_count(members, config.rules.priority_bps);
    board.next_round = round.checked_add(1).ok_or(PictorError::Overflow)?;
    board.open = Some(OpenRound {
        round,
        snapshot_ts,
        members,
        priority_count: priority,
        ranked: 0,
        last: None,
        cutoff_score: None,
        params: config.rules.scoring.clone(),
    });
    board.invariant()?;
    emit!(RoundOpened { role, round, snapshot_ts, members, priority_count: priority });
    Ok(())
}

pub(crate) fn rank_batch<'info>(ctx: Context<'info, CrankRound<'info>>, role: Role, round: u32) -> Result<()> {
    require!(!ctx.accounts.config.paused, PictorError::Paused);
    let batch = ctx.remaining_accounts;
    let board = &mut ctx.accounts.board;
    let finalised = board.finalised_round();
    let open = board.open_round_mut(round)?;
    require!(!batch.is_empty() && batch.len() <= MAX_RANK_BATCH, PictorError::BatchTooLarge);
    // ranked ≤ members ≤ u32::MAX and batch ≤ 64: no overflow in u64.
    require!(u64::from(open.ranked) + batch.len() as u64 <= u64::from(open.members), PictorError::BatchTooLarge);
    let first_rank = open.ranked + 1;
    let mut last_score = 0;
    for info in batch {
        require!(info.is_writable, PictorError::MemberNotWritable);
        // Boxed: a worker member is ~660 bytes; keep it off the 4 KiB SBF stack frame.
        let mut member: Box<Account<'info, Member>> = Box::new(Account::try_from(info)?);
        require!(member.role == role, PictorError::WrongRole);
        require!(member.counts_in_round(round), PictorError::NotRoundMember);
        require!(member.rank_in(round).is_none(), PictorError::AlreadyRanked);
        let key = member.order_key(open)?;
        let score = key.score;
        if let Some(prev) = &open.last {
            require!(follows(prev, &key), PictorError::OrderViolation);
        }
        open.ranked += 1;
        open.last = Some(key);
        let priority = open.ranked <= open.priority_count;
        if open.ranked == open.priority_count {
            open.cutoff_score = Some(score);
        }
        member.record_rank(finalised, RankEntry { round, rank: open.ranked, score, priority });
        member.exit(&crate::ID)?;
        last_score = score;
    }
    // The batch was checked to hold at most MAX_RANK_BATCH (64) members.
    let (ranked, count) = (open.ranked, batch.len() as u32);
    board.invariant()?;
    emit!(RoundBatchRanked { role, round, first_rank, count, ranked, last_score });
    Ok(())
}

pub(crate) fn finalise_round(ctx: Context<CrankRound>, role: Role, round: u32) -> Result<()> {
    let board = &mut ctx.accounts.board;
    let open = board.open_round(round)?;
    require!(open.ranked == open.members, PictorError::RoundIncomplete);
    let ts = Clock::get()?.unix_timestamp;
    let done = FinalRound {
        round,
        snapshot_ts: open.snapshot_ts,
        finalised_ts: ts,
        members: open.members,
        priority_count: open.priority_count,
        cutoff_score: open.cutoff_score,
    };
    emit!(RoundFinalised {
        role,
        round,
        members: done.members,
        priority_count: done.priority_count,
        cutoff_score: done.cutoff_score,
        ts,
    });
    board.finalised = Some(done);
    board.open = None;
    board.invariant()
}

pub(crate) fn abandon_round(ctx: Context<CrankRound>, role: Role, round: u32) -> Result<()> {
    let board = &mut ctx.accounts.board;
    let ranked = board.open_round(round)?.ranked;
    board.open = None;
    board.invariant()?;
    emit!(RoundAbandoned { role, round, ranked, ts: Clock::get()?.unix_timestamp });
    Ok(())
}
