//! Instruction builders: one function per program instruction, accounts
//! derived from the PDAs so callers pass only keys and arguments.
use crate::pda;
use crate::state::{PassMetadata, Role, Rules};
use anchor_lang::{InstructionData, ToAccountMetas};
use pictor_vip::accounts as acc;
use pictor_vip::instruction as data;
pub use pictor_vip::instructions::{InitializeArgs, Report};
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_instruction::{AccountMeta, Instruction};
use solana_pubkey::Pubkey;

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction { program_id: pda::program_id(), accounts: accounts.to_account_metas(None), data: data.data() }
}

fn system_program() -> Pubkey {
    anchor_lang::system_program::ID
}

/// `initialize`, signed by the program's upgrade authority (`admin`).
pub fn initialize(admin: &Pubkey, args: InitializeArgs) -> Instruction {
    build(
        acc::Initialize {
            admin: *admin,
            config: pda::config(),
            creator_board: pda::board(Role::Creator),
            worker_board: pda::board(Role::Worker),
            program_data: pda::program_data(),
            system_program: system_program(),
            event_authority: pda::event_authority(),
            program: pda::program_id(),
        },
        data::Initialize { args },
    )
}

fn admin_config(admin: &Pubkey) -> acc::AdminConfig {
    acc::AdminConfig {
        admin: *admin,
        config: pda::config(),
        event_authority: pda::event_authority(),
        program: pda::program_id(),
    }
}

/// `update_config`, signed by the admin.
pub fn update_config(admin: &Pubkey, rules: Option<Rules>, pass_metadata: Option<PassMetadata>) -> Instruction {
    build(
        acc::UpdateConfig {
            admin: *admin,
            config: pda::config(),
            creator_board: pda::board(Role::Creator),
            worker_board: pda::board(Role::Worker),
            event_authority: pda::event_authority(),
            program: pda::program_id(),
        },
        data::UpdateConfig { rules, pass_metadata },
    )
}

/// `set_paused`, signed by the admin.
pub fn set_paused(admin: &Pubkey, paused: bool) -> Instruction {
    build(admin_config(admin), data::SetPaused { paused })
}

/// `add_oracle`, signed by the admin.
pub fn add_oracle(admin: &Pubkey, oracle: Pubkey) -> Instruction {
    build(admin_config(admin), data::AddOracle { oracle })
}

/// `remove_oracle`, signed by the admin.
pub fn remove_oracle(admin: &Pubkey, oracle: Pubkey) -> Instruction {
    build(admin_config(admin), data::RemoveOracle { oracle })
}

/// `set_crank`, signed by the admin.
pub fn set_crank(admin: &Pubkey, crank: Pubkey) -> Instruction {
    build(admin_config(admin), data::SetCrank { crank })
}

/// `propose_admin`, signed by the admin.
pub fn propose_admin(admin: &Pubkey, pending: Option<Pubkey>) -> Instruction {
    build(admin_config(admin), data::ProposeAdmin { pending })
}

/// `accept_admin`, signed by the proposed admin.
pub fn accept_admin(pending_admin: &Pubkey) -> Instruction {
    build(
        acc::AcceptAdmin {
            pending_admin: *pending_admin,
            config: pda::config(),
            event_authority: pda::event_authority(),
            program: pda::program_id(),
        },
        data::AcceptAdmin {},
    )
}

/// `submit_report`, signed by one oracle (which pays a new member's rent):
/// enough where the configuration's `oracle_quorum` is 1.
/// `fact_ts` is when the fact happened off-chain, unix seconds (the feed's `at`).
pub fn report(oracle: &Pubkey, wallet: &Pubkey, seq: u64, fact_ts: i64, report: Report) -> Instruction {
    report_signed(&[*oracle], wallet, seq, fact_ts, report)
}

/// `submit_report`, signed by every key of `oracles` (at least the
/// configuration's `oracle_quorum` distinct oracle keys); the first pays a
/// new member's rent, the others are the instruction's remaining accounts.
///
/// # Panics
/// If `oracles` is empty.
pub fn report_signed(oracles: &[Pubkey], wallet: &Pubkey, seq: u64, fact_ts: i64, report: Report) -> Instruction {
    let (oracle, co_signers) = oracles.split_first().expect("at least one oracle signs a report");
    let role = report.role();
    let mut ix = build(
        acc::SubmitReport {
            oracle: *oracle,
            config: pda::config(),
            board: pda::board(role),
            member: pda::member(role, wallet),
            system_program: system_program(),
            event_authority: pda::event_authority(),
            program: pda::program_id(),
        },
        data::SubmitReport { wallet: *wallet, seq, fact_ts, report },
    );
    ix.accounts.extend(co_signers.iter().map(|k| AccountMeta::new_readonly(*k, true)));
    ix
}

/// `claim`, signed by the wallet; `payer` (may be the wallet) pays the rent.
pub fn claim(wallet: &Pubkey, payer: &Pubkey, role: Role) -> Instruction {
    build(
        acc::Claim {
            wallet: *wallet,
            payer: *payer,
            config: pda::config(),
            board: pda::board(role),
            member: pda::member(role, wallet),
            pass_mint: pda::pass_mint(role, wallet),
            holder_ata: pda::holder_ata(role, wallet),
            pass_authority: pda::pass_authority(),
            token_program: anchor_spl::token_2022::ID,
            associated_token_program: anchor_spl::associated_token::ID,
            system_program: system_program(),
            event_authority: pda::event_authority(),
            program: pda::program_id(),
        },
        data::Claim { role },
    )
}

fn pass_accounts(role: Role, wallet: &Pubkey, rent_payer: &Pubkey) -> acc::PassAccounts {
    acc::PassAccounts {
        board: pda::board(role),
        member: pda::member(role, wallet),
        wallet: *wallet,
        rent_payer: *rent_payer,
        pass_mint: pda::pass_mint(role, wallet),
        holder_ata: pda::holder_ata(role, wallet),
        pass_authority: pda::pass_authority(),
        token_program: anchor_spl::token_2022::ID,
    }
}

/// A claim with its compute-unit limit ([`crate::compute`]: about a dozen
/// Token-2022 and ATA CPIs): the instructions a wallet sends.
pub fn claim_instructions(wallet: &Pubkey, payer: &Pubkey, role: Role) -> [Instruction; 2] {
    let claim = claim(wallet, payer, role);
    let limit = crate::compute::limit_for(std::slice::from_ref(&claim));
    [ComputeBudgetInstruction::set_compute_unit_limit(limit), claim]
}

/// `revoke`, signed by the admin. `rent_payer` is the payer recorded in the
/// member's pass (`MemberHeader::pass_rent_payer`); it gets the mint and
/// token account rent back. Any writable key will do when no pass is held.
pub fn revoke(admin: &Pubkey, role: Role, wallet: &Pubkey, rent_payer: &Pubkey, reason_code: u16) -> Instruction {
    build(
        acc::Revoke {
            admin: *admin,
            config: pda::config(),
            pass: pass_accounts(role, wallet, rent_payer),
            event_authority: pda::event_authority(),
            program: pda::program_id(),
        },
        data::Revoke { role, reason_code },
    )
}

/// `reinstate`, signed by the admin.
pub fn reinstate(admin: &Pubkey, role: Role, wallet: &Pubkey) -> Instruction {
    build(
        acc::Reinstate {
            admin: *admin,
            config: pda::config(),
            wallet: *wallet,
            member: pda::member(role, wallet),
            event_authority: pda::event_authority(),
            program: pda::program_id(),
        },
        data::Reinstate { role },
    )
}

/// `sync_pass`: anyone may send it. `rent_payer` as for [`revoke`].
pub fn sync_pass(role: Role, wallet: &Pubkey, rent_payer: &Pubkey) -> Instruction {
    build(
        acc::SyncPass {
            config: pda::config(),
            pass: pass_accounts(role, wallet, rent_payer),
            event_authority: pda::event_authority(),
            program: pda::program_id(),
        },
        data::SyncPass { role },
    )
}

fn crank_round(crank: &Pubkey, role: Role) -> acc::CrankRound {
    acc::CrankRound {
        crank: *crank,
        config: pda::config(),
        board: pda::board(role),
        event_authority: pda::event_authority(),
        program: pda::program_id(),
    }
}

/// `open_round` of round number `round` (the board's `next_round`), signed by the crank.
pub fn open_round(crank: &Pubkey, role: Role, round: u32) -> Instruction {
    build(crank_round(crank, role), data::OpenRound { role, round })
}

/// `rank_batch` over `members` (member account addresses, in rank order),
/// signed by the crank.
pub fn rank_batch(crank: &Pubkey, role: Role, round: u32, members: &[Pubkey]) -> Instruction {
    let mut ix = build(crank_round(crank, role), data::RankBatch { role, round });
    ix.accounts.extend(members.iter().map(|m| AccountMeta::new(*m, false)));
    ix
}

/// `finalise_round`, signed by the crank.
pub fn finalise_round(crank: &Pubkey, role: Role, round: u32) -> Instruction {
    build(crank_round(crank, role), data::FinaliseRound { role, round })
}

/// `fund_rewards`: the admin attaches `amount` (base units of `mint`) from
/// its token account `funder_token` to the next round of `role`, shared by
/// its top `top_k` ranks (0: the round's priority count).
pub fn fund_rewards(
    admin: &Pubkey,
    role: Role,
    mint: &Pubkey,
    token_program: &Pubkey,
    funder_token: &Pubkey,
    amount: u64,
    top_k: u32,
) -> Instruction {
    build(
        acc::FundRewards {
            admin: *admin,
            config: pda::config(),
            board: pda::board(role),
            mint: *mint,
            funder_token: *funder_token,
            vault: pda::reward_vault(role),
            vault_authority: pda::reward_authority(),
            token_program: *token_program,
            system_program: system_program(),
            event_authority: pda::event_authority(),
            program: pda::program_id(),
        },
        data::FundRewards { role, amount, top_k },
    )
}

/// `withdraw_rewards`: the wallet withdraws its whole reward balance of
/// `role` to its associated token account (created if missing, paid by `payer`).
pub fn withdraw_rewards(
    wallet: &Pubkey,
    payer: &Pubkey,
    role: Role,
    mint: &Pubkey,
    token_program: &Pubkey,
) -> Instruction {
    build(
        acc::WithdrawRewards {
            wallet: *wallet,
            payer: *payer,
            board: pda::board(role),
            member: pda::member(role, wallet),
            mint: *mint,
            vault: pda::reward_vault(role),
            vault_authority: pda::reward_authority(),
            destination: pda::reward_destination(wallet, mint, token_program),
            token_program: *token_program,
            associated_token_program: anchor_spl::associated_token::ID,
            system_program: system_program(),
            event_authority: pda::event_authority(),
            program: pda::program_id(),
        },
        data::WithdrawRewards { role },
    )
}

/// `abandon_round`, signed by the crank.
pub fn abandon_round(crank: &Pubkey, role: Role, round: u32) -> Instruction {
    build(crank_round(crank, role), data::AbandonRound { role, round })
}
