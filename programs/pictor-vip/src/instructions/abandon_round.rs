//! `abandon_round`: the crank drops an open round (e.g. after a crash); the
//! next round gets a new number.
use super::crank_round::*;
use crate::events::emit_event;
use crate::events::RoundAbandoned;
use crate::math::SafeMath;
use crate::state::*;
use anchor_lang::prelude::*;

pub(crate) fn abandon_round(ctx: Context<CrankRound>, role: Role, round: u32) -> Result<()> {
    let board = &mut ctx.accounts.board;
    let open = board.open_round(round)?;
    let (ranked, uncredited) = (open.ranked, open.reward.uncredited());
    board.open = None;
    // What the round had not credited carries to the next round (credits
    // its verified batches made stand).
    board.rewards.pending_base_units = board.rewards.pending_base_units.safe_add(uncredited)?;
    board.invariant()?;
    emit_event(
        &ctx.accounts.event_authority,
        RoundAbandoned { role, round, ranked, ts: Clock::get()?.unix_timestamp },
    )?;
    Ok(())
}
