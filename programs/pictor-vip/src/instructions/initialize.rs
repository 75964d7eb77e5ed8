//! `initialize`: creates the config and both role boards.
use crate::cadence;
use crate::constants::*;
use crate::create::{create_program_pda, write_account};
use crate::errors::PictorError;
use crate::events::emit_event;
use crate::events::ConfigInitialized;
use crate::state::*;
use anchor_lang::prelude::*;
use anchor_lang::solana_program::bpf_loader_upgradeable;

/// Arguments of `initialize`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeArgs {
    /// Crank key.
    pub crank: Pubkey,
    /// Oracle keys (at most `MAX_ORACLES`).
    pub oracles: Vec<Pubkey>,
    /// Thresholds and scoring parameters.
    pub rules: Rules,
    /// Pass NFT metadata.
    pub pass_metadata: PassMetadata,
}

/// Creates the config and both role boards. Only the program's upgrade
/// authority may call it, so a stranger cannot front-run the deployment.
/// The three PDAs are created by [`crate::create`], so lamports someone
/// sent to their addresses first do not block the deployment.
#[event_cpi]
#[derive(Accounts)]
pub struct Initialize<'info> {
    /// The program's upgrade authority; becomes the admin and pays rent.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// CHECK: the config PDA `[CONFIG_SEED]`, created here (must not exist yet).
    #[account(mut, seeds = [CONFIG_SEED], bump)]
    pub config: UncheckedAccount<'info>,
    /// CHECK: the creator board PDA `[BOARD_SEED, Creator]`, created here.
    #[account(mut, seeds = [BOARD_SEED, &Role::Creator.seed()], bump)]
    pub creator_board: UncheckedAccount<'info>,
    /// CHECK: the worker board PDA `[BOARD_SEED, Worker]`, created here.
    #[account(mut, seeds = [BOARD_SEED, &Role::Worker.seed()], bump)]
    pub worker_board: UncheckedAccount<'info>,
    /// This program's ProgramData account (upgradeable loader), whose upgrade
    /// authority must be the signer.
    #[account(
        seeds = [crate::ID.as_ref()], bump, seeds::program = bpf_loader_upgradeable::ID,
        constraint = program_data.upgrade_authority_address == Some(admin.key()) @ PictorError::NotUpgradeAuthority,
    )]
    pub program_data: Account<'info, ProgramData>,
    /// System program.
    pub system_program: Program<'info, System>,
}

pub(crate) fn initialize(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
    require!(args.oracles.len() <= MAX_ORACLES, PictorError::TooManyOracles);
    let (_, pass_authority_bump) = Pubkey::find_program_address(&[PASS_AUTHORITY_SEED], &crate::ID);
    let a = &ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    // With the cadence on, round 1 is the next window's.
    let round_anchor = cadence::reanchor(&RoundCadence::OFF, &RoundAnchor::default(), &args.rules.cadence, 1, now)
        .ok_or(PictorError::Overflow)?;
    let config = Config {
        admin: a.admin.key(),
        pending_admin: None,
        crank: args.crank,
        oracles: args.oracles,
        paused: false,
        rules: args.rules,
        pass_metadata: args.pass_metadata,
        bump: ctx.bumps.config,
        pass_authority_bump,
        round_anchor,
    };
    config.invariant()?;
    let (payer, system) = (a.admin.to_account_info(), a.system_program.to_account_info());
    let bump = [ctx.bumps.config];
    create_program_pda(&payer, &a.config, &system, &[CONFIG_SEED, &bump], 8 + Config::INIT_SPACE)?;
    write_account(&a.config, &config)?;
    for (info, role, bump) in [
        (&a.creator_board, Role::Creator, ctx.bumps.creator_board),
        (&a.worker_board, Role::Worker, ctx.bumps.worker_board),
    ] {
        let seeds: &[&[u8]] = &[BOARD_SEED, &role.seed(), &[bump]];
        create_program_pda(&payer, info, &system, seeds, 8 + Board::INIT_SPACE)?;
        let board = Board {
            role,
            bump,
            passes_issued: 0,
            active_holders: 0,
            next_round: 1,
            late_holders: 0,
            late_round: 0,
            last_closed_ts: 0,
            open: None,
            finalised: None,
            rewards: RewardState::default(),
        };
        board.invariant()?;
        write_account(info, &board)?;
    }
    emit_event(
        &ctx.accounts.event_authority,
        ConfigInitialized {
            admin: config.admin,
            crank: config.crank,
            oracles: config.oracles,
            rules: config.rules,
            round_anchor,
            ts: now,
        },
    )?;
    Ok(())
}
