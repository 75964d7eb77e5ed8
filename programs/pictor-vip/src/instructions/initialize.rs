use crate::constants::*;
use crate::errors::PictorError;
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
#[derive(Accounts)]
pub struct Initialize<'info> {
    /// The program's upgrade authority; becomes the admin and pays rent.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The config PDA.
    #[account(init, payer = admin, space = 8 + Config::INIT_SPACE, seeds = [CONFIG_SEED], bump)]
    pub config: Box<Account<'info, Config>>,
    /// The creator board PDA.
    #[account(init, payer = admin, space = 8 + Board::INIT_SPACE, seeds = [BOARD_SEED, &Role::Creator.seed()], bump)]
    pub creator_board: Box<Account<'info, Board>>,
    /// The worker board PDA.
    #[account(init, payer = admin, space = 8 + Board::INIT_SPACE, seeds = [BOARD_SEED, &Role::Worker.seed()], bump)]
    pub worker_board: Box<Account<'info, Board>>,
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
    let config = &mut ctx.accounts.config;
    config.set_inner(Config {
        admin: ctx.accounts.admin.key(),
        pending_admin: None,
        crank: args.crank,
        oracles: args.oracles,
        paused: false,
        rules: args.rules,
        pass_metadata: args.pass_metadata,
        bump: ctx.bumps.config,
        pass_authority_bump,
    });
    config.invariant()?;
    for (board, role, bump) in [
        (&mut ctx.accounts.creator_board, Role::Creator, ctx.bumps.creator_board),
        (&mut ctx.accounts.worker_board, Role::Worker, ctx.bumps.worker_board),
    ] {
        board.set_inner(Board {
            role,
            bump,
            passes_issued: 0,
            active_holders: 0,
            next_round: 1,
            open: None,
            finalised: None,
        });
    }
    emit!(ConfigInitialized {
        admin: config.admin,
        crank: config.crank,
        oracles: config.oracles.clone(),
        rules: config.rules.clone(),
        ts: Clock::get()?.unix_timestamp,
    });
    Ok(())
}
