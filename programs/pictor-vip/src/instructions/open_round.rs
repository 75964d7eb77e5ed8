//! `open_round`: the crank opens a ranking round of a role.
//!
//! With the cadence off, as of now, numbered the board's next round. With
//! it on, only inside a scheduled window's open part, numbered and
//! snapshotted by the window ([`crate::cadence`]): the crank drives the
//! round, it does not choose its time.
use super::crank_round::*;
use crate::cadence;
use crate::errors::PictorError;
use crate::events::emit_event;
use crate::events::RoundOpened;
use crate::ranking::priority_count;
use crate::state::*;
use anchor_lang::prelude::*;

/// `round` must be the number the program expects (the board's next with
/// the cadence off, the window's with it on): a crank acting on a stale
/// read of the board (an RPC node behind) is refused with `WrongRound`
/// instead of opening a round nobody asked for.
pub(crate) fn open_round(ctx: Context<CrankRound>, role: Role, round: u32) -> Result<()> {
    let config = &ctx.accounts.config;
    let board = &mut ctx.accounts.board;
    board.require_no_open_round()?;
    let now = Clock::get()?.unix_timestamp;
    let (snapshot_ts, window) = if config.rules.cadence.is_on() {
        let s = cadence::open_at(&config.rules.cadence, &config.round_anchor, now)
            .ok_or(PictorError::OutsideRoundWindow)?;
        // One round per window: after an abandon, the next chance is the next window.
        require!(round == s.round && s.round >= board.next_round, PictorError::WrongRound);
        // Reports since the snapshot froze their scores for this round only
        // if no other round was open meanwhile.
        require!(board.last_closed_ts < s.snapshot_ts, PictorError::PreviousRoundOverran);
        (s.snapshot_ts, s.window)
    } else {
        require!(round == board.next_round, PictorError::WrongRound);
        (now, 0)
    };
    let members = board.holders_counting_in(round);
    let late_holders = board.active_holders - members;
    let priority = priority_count(members, config.rules.priority_bps);
    // The funding pending for this round: shared by its top K ranks (K = 0:
    // the priority count), ⌊amount / min(K, members)⌋ each.
    let rewards = &mut board.rewards;
    let amount = std::mem::take(&mut rewards.pending_base_units);
    let k = if rewards.pending_top_k == 0 { priority } else { rewards.pending_top_k };
    let ranks = if amount == 0 { 0 } else { k.min(members) };
    let share = if ranks == 0 { 0 } else { amount / u64::from(ranks) };
    let reward = RoundReward { amount_base_units: amount, ranks, share_base_units: share, credited_base_units: 0 };
    board.next_round = round.checked_add(1).ok_or(PictorError::Overflow)?;
    board.open = Some(OpenRound {
        round,
        snapshot_ts,
        members,
        priority_count: priority,
        ranked: 0,
        removed: 0,
        last: None,
        cutoff_score: None,
        params: config.rules.scoring.clone(),
        reward,
    });
    board.invariant_under(config, now)?;
    emit_event(
        &ctx.accounts.event_authority,
        RoundOpened {
            role,
            round,
            snapshot_ts,
            window,
            members,
            late_holders,
            priority_count: priority,
            reward_base_units: amount,
            reward_ranks: ranks,
            reward_share_base_units: share,
        },
    )?;
    Ok(())
}
