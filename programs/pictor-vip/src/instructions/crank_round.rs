//! Ranking rounds (SPEC §5): the crank drives, the program verifies.
//!
//! `open_round` fixes the snapshot time, the member count and the scoring
//! parameters. `rank_batch` takes members in the claimed order (remaining
//! accounts) and checks each: right role, counts in this round, not ranked
//! yet, strictly after the previous member in score order. `finalise_round`
//! succeeds only when every holder counted at open (less those revoked or
//! burned before their turn) was ranked. Since the order is strict and every
//! ranked member is a distinct holder, "ranked == members" means every
//! holder was covered exactly once.
use crate::constants::*;
use crate::errors::PictorError;
use crate::state::*;
use anchor_lang::prelude::*;

/// Accounts of every round instruction.
#[event_cpi]
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
