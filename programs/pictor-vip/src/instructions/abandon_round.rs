//! `abandon_round`: the crank drops an open round (e.g. after a crash); the
//! next round gets a new number.
use super::crank_round::*;
use crate::events::RoundAbandoned;
use crate::state::*;
use anchor_lang::prelude::*;

pub(crate) fn abandon_round(ctx: Context<CrankRound>, role: Role, round: u32) -> Result<()> {
    let board = &mut ctx.accounts.board;
    let ranked = board.open_round(round)?.ranked;
    board.open = None;
    board.invariant()?;
    emit!(RoundAbandoned { role, round, ranked, ts: Clock::get()?.unix_timestamp });
    Ok(())
}
