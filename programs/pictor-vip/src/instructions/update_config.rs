//! `update_config`: the admin replaces the rules and/or the pass metadata.
//!
//! It reads both boards: a change of the cadence's schedule anchors the
//! round numbers again above every round so far (`cadence::reanchor`), and
//! no rule may change while a scheduled round's snapshot has passed and the
//! round has not opened (it copies the rules when it opens; scores frozen
//! since its snapshot used them).
use super::admin_config::now;
use crate::cadence;
use crate::constants::*;
use crate::errors::PictorError;
use crate::events::emit_event;
use crate::events::ConfigUpdated;
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
    /// The creator board (round numbers, a pending scheduled round).
    #[account(seeds = [BOARD_SEED, &Role::Creator.seed()], bump = creator_board.bump)]
    pub creator_board: Box<Account<'info, Board>>,
    /// The worker board.
    #[account(seeds = [BOARD_SEED, &Role::Worker.seed()], bump = worker_board.bump)]
    pub worker_board: Box<Account<'info, Board>>,
}

pub(crate) fn update_config(
    ctx: Context<UpdateConfig>,
    rules: Option<Rules>,
    pass_metadata: Option<PassMetadata>,
) -> Result<()> {
    let ts = now()?;
    let boards = [&ctx.accounts.creator_board, &ctx.accounts.worker_board];
    let config = &mut ctx.accounts.config;
    let pass_metadata_changed = pass_metadata.is_some();
    if let Some(rules) = rules {
        let pending = boards.iter().any(|b| b.open.is_none() && b.pending_snapshot(config, ts).is_some());
        require!(!pending, PictorError::ScheduledRoundPending);
        if rules.cadence.reschedules(&config.rules.cadence) {
            let highest = boards.iter().map(|b| b.next_round).max().unwrap_or(1);
            config.round_anchor =
                cadence::reanchor(&config.rules.cadence, &config.round_anchor, &rules.cadence, highest, ts)
                    .ok_or(PictorError::Overflow)?;
        }
        config.rules = rules;
    }
    if let Some(meta) = pass_metadata {
        config.pass_metadata = meta;
    }
    config.invariant()?;
    emit_event(
        &ctx.accounts.event_authority,
        ConfigUpdated {
            admin: config.admin,
            rules: config.rules.clone(),
            round_anchor: config.round_anchor,
            pass_metadata_changed,
            ts,
        },
    )?;
    Ok(())
}
