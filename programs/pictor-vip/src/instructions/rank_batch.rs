//! `rank_batch`: the crank ranks the next members of the open round, given
//! in order as remaining accounts; the program verifies the order.
//!
//! Rank rewards are credited here, while the order is verified, but only
//! tentatively: a member's share joins its balance once the round is
//! finalised (SPEC §9), so an order the crank claims and then abandons
//! pays nobody. Each member ranked first settles its previous round's
//! credit (see `MemberHeader::settle_credits`).
//!
//! Members are read in place (zero-copy): the heap this instruction uses
//! does not grow with the batch, beyond the entrypoint's own 120 bytes per
//! account (see the heap test).
use super::crank_round::*;
use crate::constants::*;
use crate::errors::PictorError;
use crate::events::emit_event;
use crate::events::{RewardsCredited, RewardsSettled, RoundBatchRanked};
use crate::math::SafeMath;
use crate::ranking::follows;
use crate::state::*;
use anchor_lang::prelude::*;

pub(crate) fn rank_batch<'info>(ctx: Context<'info, CrankRound<'info>>, role: Role, round: u32) -> Result<()> {
    let batch = ctx.remaining_accounts;
    let board = &mut ctx.accounts.board;
    let finalised = board.finalised.clone();
    let finalised_round = board.finalised_round();
    let open = board.open_round_mut(round)?;
    require!(!batch.is_empty() && batch.len() <= MAX_RANK_BATCH, PictorError::BatchTooLarge);
    // ranked ≤ members ≤ u32::MAX and batch ≤ MAX_RANK_BATCH: no overflow in u64.
    require!(u64::from(open.ranked) + batch.len() as u64 <= u64::from(open.members), PictorError::BatchTooLarge);
    let first_rank = open.ranked + 1;
    let mut last_score = 0;
    // Counts and sums, no allocation.
    let (mut credited_members, mut credited_base_units) = (0u32, 0u64);
    let (mut settled_members, mut settled_base_units) = (0u32, 0u64);
    for info in batch {
        let mut member = load_member_mut(info, role)?;
        let header = member.header();
        require!(header.counts_in_round(round), PictorError::NotRoundMember);
        require!(header.rank_in(round).is_none(), PictorError::AlreadyRanked);
        let key = order_key(header, member.facts(), open)?;
        if let Some(prev) = &open.last {
            require!(follows(prev, &key), PictorError::OrderViolation);
        }
        open.ranked += 1;
        open.last = Some(key);
        let priority = open.ranked <= open.priority_count;
        if open.ranked == open.priority_count {
            open.cutoff_score = Some(key.score);
        }
        let header = member.header_mut();
        // The previous round's credit, before its slot can be reused.
        let settled = header.settle_credits(finalised.as_ref(), Some(round))?;
        if settled > 0 {
            settled_members += 1;
            settled_base_units = settled_base_units.safe_add(settled)?;
        }
        let credited = open.ranked <= open.reward.ranks && open.reward.share_base_units > 0;
        let entry = RankEntry { round, rank: open.ranked, score: key.score, priority };
        header.record_rank(finalised_round, entry, credited);
        if credited {
            let share = open.reward.share_base_units;
            open.reward.credited_base_units = open.reward.credited_base_units.safe_add(share)?;
            credited_members += 1;
            credited_base_units = credited_base_units.safe_add(share)?;
        }
        member.invariant()?;
        last_score = key.score;
    }
    // The batch was checked to hold at most MAX_RANK_BATCH members.
    let (ranked, count) = (open.ranked, batch.len() as u32);
    board.invariant()?;
    let events = &ctx.accounts.event_authority;
    emit_event(events, RoundBatchRanked { role, round, first_rank, count, ranked, last_score })?;
    let mint = board.rewards.mint;
    if credited_members > 0 {
        emit_event(
            events,
            RewardsCredited { role, round, members: credited_members, amount_base_units: credited_base_units, mint },
        )?;
    }
    if settled_members > 0 {
        emit_event(
            events,
            RewardsSettled {
                role,
                round: finalised_round,
                members: settled_members,
                amount_base_units: settled_base_units,
                ts: Clock::get()?.unix_timestamp,
            },
        )?;
    }
    Ok(())
}
