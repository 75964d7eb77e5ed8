//! `update_config`: the admin replaces the rules and/or the pass metadata.
//!
//! It reads and may raise both boards (SPEC §5: one line of round numbers
//! per role, whatever the cadence does):
//! - any change of the cadence (period, offset, open window, on or off) is
//!   a reschedule: round numbers are anchored again above every round
//!   opened so far and every window of the old cadence whose time has come
//!   (`cadence::reanchor`), and both boards' next round numbers are raised
//!   to that anchor, so no round ever reuses a number whose window froze
//!   scores or counted late holders, in either mode;
//! - no rule may change while a scheduled round's snapshot has passed and
//!   the round has not opened (it copies the rules when it opens; scores
//!   frozen since its snapshot used them), judged under the cadence in
//!   force and under the new one on the same numbering (a change that
//!   keeps the period and offset: a wider open window would make a closed
//!   window's round due again). A new period or offset, or the cadence
//!   switched on or off, starts its numbering at its next window: nothing
//!   can be due under it.
use super::admin_config::now;
use crate::cadence;
use crate::constants::*;
use crate::errors::PictorError;
use crate::events::emit_event;
use crate::events::{ConfigUpdated, RoundNumbersRaised};
use crate::state::*;
use anchor_lang::prelude::*;

/// Accounts of `update_config`.
#[event_cpi]
#[derive(Accounts)]
pub struct UpdateConfig<'info> {
    /// The admin.
    pub admin: Signer<'info>,
    /// The config.
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ PictorError::NotAdmin)]
    pub config: Box<Account<'info, Config>>,
    /// The creator board (a pending scheduled round; its next round number,
    /// raised by a reschedule).
    #[account(mut, seeds = [BOARD_SEED, &Role::Creator.seed()], bump = creator_board.bump)]
    pub creator_board: Box<Account<'info, Board>>,
    /// The worker board (likewise).
    #[account(mut, seeds = [BOARD_SEED, &Role::Worker.seed()], bump = worker_board.bump)]
    pub worker_board: Box<Account<'info, Board>>,
}

pub(crate) fn update_config(
    ctx: Context<UpdateConfig>,
    rules: Option<Rules>,
    pass_metadata: Option<PassMetadata>,
) -> Result<()> {
    let ts = now()?;
    let a = &mut *ctx.accounts;
    let config = &mut a.config;
    let pass_metadata_changed = pass_metadata.is_some();
    let mut raised = Vec::new();
    if let Some(rules) = rules {
        let (old, new, anchor) = (config.rules.cadence, rules.cadence, config.round_anchor);
        let due_under = |board: &Board, cadence: &RoundCadence| {
            board.open.is_none() && board.scheduled_snapshot(cadence, &anchor, ts).is_some()
        };
        let boards = [&a.creator_board, &a.worker_board];
        let pending = boards.iter().any(|b| due_under(b, &old) || (old.same_schedule(&new) && due_under(b, &new)));
        require!(!pending, PictorError::ScheduledRoundPending);
        if new.reschedules(&old) {
            let highest = boards.iter().map(|b| b.next_round).max().unwrap_or(1);
            config.round_anchor = cadence::reanchor(&old, &anchor, &new, highest, ts).ok_or(PictorError::Overflow)?;
            for board in [&mut a.creator_board, &mut a.worker_board] {
                let before = board.raise_next_round(config.round_anchor.round);
                if before != board.next_round {
                    raised.push(RoundNumbersRaised { role: board.role, from: before, to: board.next_round, ts });
                }
            }
        }
        config.rules = rules;
    }
    if let Some(meta) = pass_metadata {
        config.pass_metadata = meta;
    }
    config.invariant()?;
    a.creator_board.invariant_under(config, ts)?;
    a.worker_board.invariant_under(config, ts)?;
    let events = &a.event_authority;
    emit_event(
        events,
        ConfigUpdated {
            admin: config.admin,
            rules: config.rules.clone(),
            round_anchor: config.round_anchor,
            pass_metadata_changed,
            ts,
        },
    )?;
    for event in raised {
        emit_event(events, event)?;
    }
    Ok(())
}
