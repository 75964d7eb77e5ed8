//! `abandon_round`: the crank drops an open round (e.g. after a crash). It
//! grants nothing: its tentative reward credits are void and its whole
//! funding returns to the next round; its ranks and flags were never read
//! (readers read finalised rounds only). The next round gets a new number,
//! and with the cadence on it waits for the next window.
use super::crank_round::*;
use crate::events::emit_event;
use crate::events::RoundAbandoned;
use crate::math::SafeMath;
use crate::state::*;
use anchor_lang::prelude::*;

pub(crate) fn abandon_round(ctx: Context<CrankRound>, role: Role, round: u32) -> Result<()> {
    let board = &mut ctx.accounts.board;
    let open = board.open_round(round)?;
    let (ranked, amount) = (open.ranked, open.reward.amount_base_units);
    let ts = Clock::get()?.unix_timestamp;
    board.open = None;
    board.last_closed_ts = ts;
    board.rewards.pending_base_units = board.rewards.pending_base_units.safe_add(amount)?;
    board.invariant()?;
    emit_event(
        &ctx.accounts.event_authority,
        RoundAbandoned { role, round, ranked, reward_returned_base_units: amount, ts },
    )?;
    Ok(())
}
