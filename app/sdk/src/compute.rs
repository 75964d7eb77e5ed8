//! Compute budget: a compute-unit estimate per instruction, and the
//! compute-budget instructions every transaction the SDK builds carries.
//!
//! The native test runtime does not meter compute units, so these are
//! estimates from the costs of what each instruction does (README,
//! "Compute units"), not measurements. The limit a transaction requests is
//! the sum of its instructions' estimates plus [`MARGIN_PERCENT`]: enough
//! to land, small enough that the scheduler does not deprioritise it the way
//! it does the default 1.4 M request.
use crate::pda;
use crate::program::instruction as ixdata;
use anchor_lang::Discriminator;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_instruction::Instruction;

/// Most compute units one transaction may request.
pub const MAX_COMPUTE_UNIT_LIMIT: u32 = 1_400_000;
/// Margin added to the summed estimates, in percent.
pub const MARGIN_PERCENT: u64 = 30;

/// Entry, Anchor dispatch and the signer / program checks of any instruction.
pub const BASE_UNITS: u32 = 3_000;
/// One PDA check with a stored bump (`create_program_address`: 1,500 + hashing).
pub const PDA_CHECK_UNITS: u32 = 1_500;
/// One PDA derivation without a stored bump (`find_program_address`, a few tries).
pub const PDA_FIND_UNITS: u32 = 3_000;
/// Borsh round trip of the config (≈1 KB).
pub const CONFIG_UNITS: u32 = 4_000;
/// Borsh round trip of a board (≈250 bytes).
pub const BOARD_UNITS: u32 = 1_500;
/// One event as an inner instruction (`events::emit_event`, Anchor's event
/// CPI): Borsh (≈500), the self-CPI's fixed cost ([`CPI_UNITS`]) and the
/// callee's entry and event-authority check (≈1,000).
pub const EVENT_UNITS: u32 = 3_000;
/// One CPI's fixed cost (invoke, account copy-in/out) besides the callee's own.
pub const CPI_UNITS: u32 = 1_500;
/// Creating an account another program owns, the pre-funded path (transfer,
/// allocate, assign: three system CPIs).
pub const CREATE_ACCOUNT_UNITS: u32 = 3 * CPI_UNITS + 3 * 150;
/// The worker uptime window at its longest (60 days × ≈25 CU).
pub const WINDOW_UNITS: u32 = 1_500;
/// Token-2022 callee costs used by the pass (typical figures of the
/// program's own instructions with the pass's four extensions).
pub const TOKEN_EXTENSION_INIT_UNITS: u32 = 2_500;
/// Token-2022 `initialize_mint2` on an extended mint.
pub const TOKEN_INIT_MINT_UNITS: u32 = 3_000;
/// Token-2022 `token_metadata_initialize` (TLV write, realloc).
pub const TOKEN_METADATA_INIT_UNITS: u32 = 12_000;
/// Token-2022 `token_metadata_update_field`.
pub const TOKEN_METADATA_FIELD_UNITS: u32 = 10_000;
/// ATA `create_idempotent` for a Token-2022 mint (its own three CPIs).
pub const ATA_CREATE_UNITS: u32 = 30_000;
/// Token-2022 `mint_to`, `burn`, `set_authority` or `close_account`.
pub const TOKEN_SIMPLE_UNITS: u32 = 5_000;
/// One member ranked by `rank_batch`: in-place load and checks (≈600),
/// the score over the longest window (1,500), the order check and the
/// write-back (≈400), with room for the tier table (≈1,000).
pub const RANK_MEMBER_UNITS: u32 = 3_500;
/// One co-signing oracle of a report checked against the config's oracle
/// keys and the others (at most 8 × 32-byte comparisons twice).
pub const QUORUM_SIGNER_UNITS: u32 = 300;
/// The cadence arithmetic (the current window, its number) and the late
/// holders' count.
pub const CADENCE_UNITS: u32 = 300;
/// Decoding a token account's or a mint's extensions (a TLV walk).
pub const TOKEN_EXTENSIONS_READ_UNITS: u32 = 1_000;
/// Settling a member's reward credits (two slots, a sum).
pub const SETTLE_UNITS: u32 = 200;
/// An instruction of another program (token transfers, lookup tables).
pub const OTHER_PROGRAM_UNITS: u32 = 20_000;
/// An instruction of the associated token account program: its address
/// search (`find_program_address`, a varying number of tries) and up to
/// four CPIs into the token program.
pub const ATA_PROGRAM_UNITS: u32 = 60_000;

/// The estimate of one instruction, in compute units, before the margin.
pub fn estimate(ix: &Instruction) -> u32 {
    if ix.program_id == solana_compute_budget_interface::ID {
        return 150;
    }
    if ix.program_id == anchor_spl::associated_token::ID {
        return ATA_PROGRAM_UNITS;
    }
    if ix.program_id != pda::program_id() || ix.data.len() < 8 {
        return OTHER_PROGRAM_UNITS;
    }
    let d = &ix.data[..8];
    let admin = BASE_UNITS + PDA_CHECK_UNITS + CONFIG_UNITS + EVENT_UNITS;
    let crank = BASE_UNITS + 2 * PDA_CHECK_UNITS + CONFIG_UNITS + BOARD_UNITS + EVENT_UNITS + CADENCE_UNITS;
    let pass = BASE_UNITS + CONFIG_UNITS + BOARD_UNITS + 2 * PDA_CHECK_UNITS + 3 * PDA_FIND_UNITS + EVENT_UNITS;
    // Read the holder's account and the mint, settle, burn and two closes.
    let close_pass = 2 * TOKEN_EXTENSIONS_READ_UNITS + SETTLE_UNITS + 3 * (CPI_UNITS + TOKEN_SIMPLE_UNITS);
    if d == ixdata::Initialize::DISCRIMINATOR {
        BASE_UNITS + 4 * PDA_FIND_UNITS + 3 * CREATE_ACCOUNT_UNITS + CONFIG_UNITS + 2 * BOARD_UNITS + EVENT_UNITS
    } else if d == ixdata::UpdateConfig::DISCRIMINATOR {
        // Both boards read and written back (a pending scheduled round under
        // the old and the new cadence; next round numbers raised by a
        // reschedule, each with its event).
        admin + 2 * (PDA_CHECK_UNITS + 2 * BOARD_UNITS + EVENT_UNITS) + 2 * CADENCE_UNITS
    } else if [
        ixdata::SetPaused::DISCRIMINATOR,
        ixdata::AddOracle::DISCRIMINATOR,
        ixdata::RemoveOracle::DISCRIMINATOR,
        ixdata::SetCrank::DISCRIMINATOR,
        ixdata::ProposeAdmin::DISCRIMINATOR,
        ixdata::AcceptAdmin::DISCRIMINATOR,
    ]
    .contains(&d)
    {
        admin
    } else if d == ixdata::SubmitReport::DISCRIMINATOR {
        // Co-signing oracles are the accounts after oracle, config, board,
        // member, system program, event authority and program.
        let co_signers = ix.accounts.len().saturating_sub(7) as u32;
        BASE_UNITS
            + QUORUM_SIGNER_UNITS * co_signers
            + CADENCE_UNITS
            + CONFIG_UNITS
            + BOARD_UNITS
            + 2 * PDA_CHECK_UNITS
            + PDA_FIND_UNITS
            + CREATE_ACCOUNT_UNITS
            + WINDOW_UNITS
            // At most three events: the member created, its score frozen for
            // an open round, the fact.
            + 3 * EVENT_UNITS
    } else if d == ixdata::Claim::DISCRIMINATOR {
        claim_units()
    } else if d == ixdata::Revoke::DISCRIMINATOR || d == ixdata::SyncPass::DISCRIMINATOR {
        // A settled credit and a revocation's forfeited reward are two more events.
        pass + close_pass + 2 * EVENT_UNITS
    } else if d == ixdata::Reinstate::DISCRIMINATOR {
        BASE_UNITS + PDA_CHECK_UNITS + CONFIG_UNITS + PDA_FIND_UNITS + EVENT_UNITS
    } else if d == ixdata::FundRewards::DISCRIMINATOR {
        // Config, board, mint and two token accounts decoded; the vault's
        // creation the first time (create + initialise); one transfer.
        BASE_UNITS
            + CONFIG_UNITS
            + BOARD_UNITS
            + 2 * PDA_CHECK_UNITS
            + 2 * PDA_FIND_UNITS
            + 3 * 2_000
            + CREATE_ACCOUNT_UNITS
            + 2 * (CPI_UNITS + TOKEN_SIMPLE_UNITS)
            + TOKEN_EXTENSIONS_READ_UNITS
            + EVENT_UNITS
    } else if d == ixdata::WithdrawRewards::DISCRIMINATOR {
        // Board, member, mint (its extensions checked), vault; the latest
        // round's credit settled (an event); ATA creation if missing; one transfer.
        BASE_UNITS
            + TOKEN_EXTENSIONS_READ_UNITS
            + SETTLE_UNITS
            + EVENT_UNITS
            + BOARD_UNITS
            + PDA_CHECK_UNITS
            + 2 * PDA_FIND_UNITS
            + 2 * 2_000
            + CPI_UNITS
            + ATA_CREATE_UNITS
            + CPI_UNITS
            + TOKEN_SIMPLE_UNITS
            + EVENT_UNITS
    } else if d == ixdata::RankBatch::DISCRIMINATOR {
        // Members are the accounts after crank, config, board, event authority and program.
        let members = ix.accounts.len().saturating_sub(5) as u32;
        // The batch's event and, when rewards are credited or settled, two more.
        crank + 2 * EVENT_UNITS + (RANK_MEMBER_UNITS + SETTLE_UNITS) * members
    } else {
        // open_round, finalise_round, abandon_round.
        crank
    }
}

/// The estimate of `claim`: the pass built by twelve CPIs.
pub const fn claim_units() -> u32 {
    BASE_UNITS
        + CONFIG_UNITS
        + BOARD_UNITS
        + 2 * PDA_CHECK_UNITS
        + 3 * PDA_FIND_UNITS
        + WINDOW_UNITS
        + CREATE_ACCOUNT_UNITS
        + 4 * (CPI_UNITS + TOKEN_EXTENSION_INIT_UNITS)
        + CPI_UNITS
        + TOKEN_INIT_MINT_UNITS
        + CPI_UNITS
        + TOKEN_METADATA_INIT_UNITS
        + CPI_UNITS
        + TOKEN_METADATA_FIELD_UNITS
        + CPI_UNITS
        + ATA_CREATE_UNITS
        + TOKEN_EXTENSIONS_READ_UNITS
        + 3 * (CPI_UNITS + TOKEN_SIMPLE_UNITS)
        + CADENCE_UNITS
        + EVENT_UNITS
}

/// The compute-unit limit for `instructions`: their summed estimates plus
/// [`MARGIN_PERCENT`], rounded up to a thousand, at most [`MAX_COMPUTE_UNIT_LIMIT`].
pub fn limit_for(instructions: &[Instruction]) -> u32 {
    let sum: u64 = instructions.iter().map(|ix| u64::from(estimate(ix))).sum::<u64>() + 2 * 150;
    let with_margin = (sum * (100 + MARGIN_PERCENT)).div_ceil(100).div_ceil(1_000) * 1_000;
    u32::try_from(with_margin).unwrap_or(u32::MAX).min(MAX_COMPUTE_UNIT_LIMIT)
}

/// Whether `ix` is a compute-budget instruction setting a unit limit (tag 2)
/// or a unit price (tag 3).
fn budget_tag(ix: &Instruction) -> Option<u8> {
    (ix.program_id == solana_compute_budget_interface::ID).then(|| ix.data.first().copied()).flatten()
}

/// `instructions` with a compute-unit limit (the caller's, or
/// [`limit_for`]) and, when `price_micro_lamports` is above 0 and the
/// caller set none, a compute-unit price, both in front. Returns the
/// instructions and how many were put in front.
pub fn with_budget(instructions: &[Instruction], price_micro_lamports: u64) -> (Vec<Instruction>, usize) {
    let has_limit = instructions.iter().any(|ix| budget_tag(ix) == Some(2));
    let has_price = instructions.iter().any(|ix| budget_tag(ix) == Some(3));
    let mut front = Vec::with_capacity(2);
    if !has_limit {
        front.push(ComputeBudgetInstruction::set_compute_unit_limit(limit_for(instructions)));
    }
    if !has_price && price_micro_lamports > 0 {
        front.push(ComputeBudgetInstruction::set_compute_unit_price(price_micro_lamports));
    }
    let added = front.len();
    front.extend_from_slice(instructions);
    (front, added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ix;
    use crate::state::Role;
    use solana_pubkey::Pubkey;

    #[test]
    fn a_limit_and_a_price_go_in_front_unless_the_caller_set_them() {
        let report = ix::report(&Pubkey::new_unique(), &Pubkey::new_unique(), 1, 0, ix::Report::Frames { frames: 1 });
        let (ixs, added) = with_budget(std::slice::from_ref(&report), 0);
        assert_eq!((ixs.len(), added, budget_tag(&ixs[0])), (2, 1, Some(2)));
        let (ixs, added) = with_budget(std::slice::from_ref(&report), 5);
        assert_eq!((added, budget_tag(&ixs[0]), budget_tag(&ixs[1])), (2, Some(2), Some(3)));
        let claim = ix::claim_instructions(&Pubkey::new_unique(), &Pubkey::new_unique(), Role::Creator);
        let (ixs, added) = with_budget(&claim, 5);
        assert_eq!((added, ixs.len()), (1, 3), "the caller's limit stays, a price is added");
    }

    #[test]
    fn limits_grow_with_the_work_and_stay_within_the_cap() {
        let crank = Pubkey::new_unique();
        let batch = |n: usize| {
            let members: Vec<Pubkey> = (0..n).map(|_| Pubkey::new_unique()).collect();
            limit_for(&[ix::rank_batch(&crank, Role::Worker, 1, &members)])
        };
        assert!(batch(1) < batch(58));
        assert!(batch(58) <= MAX_COMPUTE_UNIT_LIMIT);
        assert_eq!(batch(58) % 1_000, 0);
        let report = ix::report(&crank, &crank, 1, 0, ix::Report::Frames { frames: 1 });
        let one = limit_for(std::slice::from_ref(&report));
        let ten = limit_for(&vec![report.clone(); 10]);
        assert!(ten > 9 * one && ten < 11 * one, "{one} {ten}");
        assert!(u64::from(one) >= u64::from(estimate(&report)) * (100 + MARGIN_PERCENT) / 100);
    }
}

#[cfg(test)]
mod documented {
    //! The README's compute-unit table, kept true.
    use super::*;
    use crate::ix::{self, InitializeArgs, Report};
    use crate::state::{PassMetadata, Role, Rules};
    use solana_pubkey::Pubkey;

    #[test]
    fn the_readme_table_of_estimates_and_limits() {
        let k = Pubkey::new_unique();
        let meta = PassMetadata {
            creator_name: "c".into(),
            worker_name: "w".into(),
            symbol: "s".into(),
            creator_uri: String::new(),
            worker_uri: String::new(),
        };
        let init = ix::initialize(
            &k,
            InitializeArgs { crank: k, oracles: vec![k], rules: Rules::default(), pass_metadata: meta },
        );
        let report = ix::report(&k, &k, 1, 0, Report::Frames { frames: 1 });
        let oracles = [k, Pubkey::new_unique(), Pubkey::new_unique()];
        let report3 = ix::report_signed(&oracles, &k, 1, 0, Report::Frames { frames: 1 });
        let members: Vec<Pubkey> = (0..58).map(|_| Pubkey::new_unique()).collect();
        let rows: [(&str, Vec<Instruction>, u32, u32); 13] = [
            ("initialize", vec![init], 39_850, 53_000),
            ("admin config change", vec![ix::set_paused(&k, true)], 11_500, 16_000),
            ("update_config", vec![ix::update_config(&k, None, None)], 27_100, 36_000),
            ("submit_report", vec![report.clone()], 30_250, 40_000),
            ("submit_report, 3 oracles sign", vec![report3], 30_850, 41_000),
            ("10 reports in one transaction", vec![report; 10], 302_500, 394_000),
            ("claim", vec![ix::claim(&k, &k, Role::Worker)], 127_750, 167_000),
            ("revoke / sync_pass", vec![ix::revoke(&k, Role::Worker, &k, &k, 1)], 51_200, 67_000),
            ("reinstate", vec![ix::reinstate(&k, Role::Worker, &k)], 14_500, 20_000),
            ("open / finalise / abandon", vec![ix::open_round(&k, Role::Worker, 1)], 14_800, 20_000),
            ("rank_batch, 1 member", vec![ix::rank_batch(&k, Role::Worker, 1, &members[..1])], 24_500, 33_000),
            ("rank_batch, 58 members", vec![ix::rank_batch(&k, Role::Worker, 1, &members)], 235_400, 307_000),
            ("withdraw_rewards", vec![ix::withdraw_rewards(&k, &k, Role::Worker, &k, &k)], 61_200, 80_000),
        ];
        let wrong: Vec<String> = rows
            .into_iter()
            .filter_map(|(name, ixs, estimate_sum, limit)| {
                let got = (ixs.iter().map(estimate).sum::<u32>(), limit_for(&ixs));
                (got != (estimate_sum, limit))
                    .then(|| format!("{name}: {got:?}, the table says {:?}", (estimate_sum, limit)))
            })
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
