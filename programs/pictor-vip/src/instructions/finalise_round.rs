//! `finalise_round`: the crank publishes a fully ranked round; it is what
//! schedulers read from then on.
use super::crank_round::*;
use crate::errors::PictorError;
use crate::events::emit_event;
use crate::events::RoundFinalised;
use crate::math::SafeMath;
use crate::state::*;
use anchor_lang::prelude::*;

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
        removed: open.removed,
        cutoff_score: open.cutoff_score,
        reward: open.reward,
    };
    // The rounding remainder and the shares of ranks that did not exist
    // stay in the vault for the next funded round.
    let remainder = open.reward.uncredited();
    emit_event(
        &ctx.accounts.event_authority,
        RoundFinalised {
            role,
            round,
            members: done.members,
            priority_count: done.priority_count,
            cutoff_score: done.cutoff_score,
            ts,
        },
    )?;
    board.finalised = Some(done);
    board.open = None;
    board.rewards.carry_base_units = board.rewards.carry_base_units.safe_add(remainder)?;
    board.invariant()
}
