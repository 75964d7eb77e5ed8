//! `finalise_round`: the crank publishes a fully ranked round; it is what
//! schedulers read from then on, and its reward credits become the
//! members' (each joins a balance when the member is next touched).
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
    // The round's credits are now owed to its members; the rounding
    // remainder, the shares of ranks that did not exist and of members who
    // left stay in the vault for the next funded round.
    let credited = open.reward.credited_base_units;
    let remainder = open.reward.uncredited();
    emit_event(
        &ctx.accounts.event_authority,
        RoundFinalised {
            role,
            round,
            members: done.members,
            priority_count: done.priority_count,
            cutoff_score: done.cutoff_score,
            reward_credited_base_units: credited,
            reward_carried_base_units: remainder,
            ts,
        },
    )?;
    board.finalised = Some(done);
    board.open = None;
    board.last_closed_ts = ts;
    let rewards = &mut board.rewards;
    rewards.liability_base_units = rewards.liability_base_units.safe_add(credited)?;
    rewards.carry_base_units = rewards.carry_base_units.safe_add(remainder)?;
    board.invariant()
}
