//! Every state change emits one of these (indexers follow them). Times are
//! unix seconds; amounts are USDT base units (6 decimals); scores are points.
//!
//! Events travel as **inner instructions** (Anchor's event CPI): the program
//! calls itself, signed by the event-authority PDA (`["__event_authority"]`),
//! with Anchor's event tag and the event's Borsh bytes as the data. Unlike log
//! lines they cannot be truncated by a log limit, and an RPC node returns them
//! in `getTransaction`'s inner instructions, where an indexer reads them.
use crate::state::{Role, RoundAnchor, Rules};
use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::solana_program::program::invoke_signed;

/// Seed of the event-authority PDA (Anchor's event CPI).
pub const EVENT_AUTHORITY_SEED: &[u8] = b"__event_authority";

/// Emits `event` as an inner instruction. This is exactly what Anchor's
/// `emit_cpi!` expands to (tag, data, a self-CPI signed by the event
/// authority, whose address and bump are the compile-time
/// `EVENT_AUTHORITY_AND_BUMP`), written once as a function: the helpers of a
/// handler that hold its accounts but not its `ctx` can emit too, and the
/// program carries one copy of the code instead of one per event.
/// `event_authority` is the instruction's `event_authority` account (added by
/// `#[event_cpi]`, its address checked by Anchor).
pub fn emit_event<E: anchor_lang::Event>(event_authority: &AccountInfo, event: E) -> Result<()> {
    let inner = event.data();
    let mut data = Vec::with_capacity(anchor_lang::event::EVENT_IX_TAG_LE.len() + inner.len());
    data.extend_from_slice(anchor_lang::event::EVENT_IX_TAG_LE);
    data.extend_from_slice(&inner);
    let ix = Instruction {
        program_id: crate::ID,
        accounts: vec![AccountMeta::new_readonly(*event_authority.key, true)],
        data,
    };
    invoke_signed(
        &ix,
        std::slice::from_ref(event_authority),
        &[&[EVENT_AUTHORITY_SEED, &[crate::EVENT_AUTHORITY_AND_BUMP.1]]],
    )
    .map_err(Into::into)
}

/// Emits the `RewardsSettled` of one member whose credit of the finalised
/// `round` joined its balance (its withdrawal, its revocation, its burned
/// pass synced); nothing when no credit did (`amount_base_units` 0).
pub fn emit_member_settled(
    event_authority: &AccountInfo,
    role: Role,
    round: u32,
    amount_base_units: u64,
    ts: i64,
) -> Result<()> {
    if amount_base_units == 0 {
        return Ok(());
    }
    emit_event(event_authority, RewardsSettled { role, round, members: 1, amount_base_units, ts })
}

/// The config was created.
#[event]
#[derive(Debug, Clone)]
pub struct ConfigInitialized {
    /// First admin.
    pub admin: Pubkey,
    /// Crank key.
    pub crank: Pubkey,
    /// Oracle keys.
    pub oracles: Vec<Pubkey>,
    /// Rules in force.
    pub rules: Rules,
    /// Where the cadence's round numbers start.
    pub round_anchor: RoundAnchor,
    /// Time, unix seconds.
    pub ts: i64,
}

/// The admin changed the rules and/or pass metadata.
#[event]
#[derive(Debug, Clone)]
pub struct ConfigUpdated {
    /// Admin who signed.
    pub admin: Pubkey,
    /// Rules now in force.
    pub rules: Rules,
    /// Where the cadence's round numbers start now.
    pub round_anchor: RoundAnchor,
    /// Whether the pass metadata changed (applies to passes minted from now on).
    pub pass_metadata_changed: bool,
    /// Time, unix seconds.
    pub ts: i64,
}

/// A reschedule of the cadence raised a role's next round number (SPEC §5:
/// one line of round numbers per role, above every window that passed).
#[event]
#[derive(Debug, Clone)]
pub struct RoundNumbersRaised {
    /// The role.
    pub role: Role,
    /// The lowest number the next round could get before.
    pub from: u32,
    /// The lowest number it may get now (the new anchor's).
    pub to: u32,
    /// Time, unix seconds.
    pub ts: i64,
}

/// Pause switched.
#[event]
#[derive(Debug, Clone)]
pub struct PausedSet {
    /// New value.
    pub paused: bool,
    /// Time, unix seconds.
    pub ts: i64,
}

/// An oracle key was added (`added`) or removed.
#[event]
#[derive(Debug, Clone)]
pub struct OracleChanged {
    /// The oracle key.
    pub oracle: Pubkey,
    /// `true`: added; `false`: removed.
    pub added: bool,
    /// Time, unix seconds.
    pub ts: i64,
}

/// The crank key changed.
#[event]
#[derive(Debug, Clone)]
pub struct CrankSet {
    /// Previous key.
    pub old: Pubkey,
    /// New key.
    pub new: Pubkey,
    /// Time, unix seconds.
    pub ts: i64,
}

/// The admin proposed a successor (`None`: proposal cancelled).
#[event]
#[derive(Debug, Clone)]
pub struct AdminProposed {
    /// Current admin.
    pub admin: Pubkey,
    /// Proposed key.
    pub pending: Option<Pubkey>,
    /// Time, unix seconds.
    pub ts: i64,
}

/// The pending admin accepted.
#[event]
#[derive(Debug, Clone)]
pub struct AdminAccepted {
    /// Previous admin.
    pub old: Pubkey,
    /// New admin.
    pub new: Pubkey,
    /// Time, unix seconds.
    pub ts: i64,
}

/// A member account was created by its first report.
#[event]
#[derive(Debug, Clone)]
pub struct MemberCreated {
    /// Wallet.
    pub wallet: Pubkey,
    /// Role.
    pub role: Role,
    /// Time, unix seconds.
    pub ts: i64,
}

/// A creator recharge (deposit) was applied.
#[event]
#[derive(Debug, Clone)]
pub struct CreatorRecharged {
    /// Wallet.
    pub wallet: Pubkey,
    /// Report sequence number.
    pub seq: u64,
    /// When the fact happened off-chain (the feed's `at`), unix seconds.
    pub fact_ts: i64,
    /// Amount, USDT base units.
    pub amount_base_units: u64,
    /// Lifetime deposits after, USDT base units.
    pub deposited_base_units: u64,
    /// Recharged in the fact time's UTC month after, USDT base units.
    pub month_recharged_base_units: u64,
    /// Time, unix seconds.
    pub ts: i64,
}

/// Creator spending was applied.
#[event]
#[derive(Debug, Clone)]
pub struct CreatorSpent {
    /// Wallet.
    pub wallet: Pubkey,
    /// Report sequence number.
    pub seq: u64,
    /// When the fact happened off-chain (the feed's `at`), unix seconds.
    pub fact_ts: i64,
    /// Amount, USDT base units.
    pub amount_base_units: u64,
    /// Lifetime spending after, USDT base units.
    pub spent_base_units: u64,
    /// Time, unix seconds.
    pub ts: i64,
}

/// Successfully rendered frames were applied to a creator.
#[event]
#[derive(Debug, Clone)]
pub struct CreatorFramesRendered {
    /// Wallet.
    pub wallet: Pubkey,
    /// Report sequence number.
    pub seq: u64,
    /// When the fact happened off-chain (the feed's `at`), unix seconds.
    pub fact_ts: i64,
    /// Frames in this report.
    pub frames: u64,
    /// Lifetime frames after.
    pub frames_rendered: u64,
    /// Time, unix seconds.
    pub ts: i64,
}

/// A worker day was applied.
#[event]
#[derive(Debug, Clone)]
pub struct WorkerDayReported {
    /// Wallet.
    pub wallet: Pubkey,
    /// Report sequence number.
    pub seq: u64,
    /// When the fact happened off-chain (the feed's `at`), unix seconds.
    pub fact_ts: i64,
    /// UTC day index of the report.
    pub day_index: u32,
    /// Minutes online that day.
    pub uptime_minutes: u16,
    /// Frames completed that day.
    pub frames_completed: u64,
    /// Jobs failed that day.
    pub jobs_failed: u64,
    /// Lifetime uptime after, minutes.
    pub lifetime_uptime_minutes: u64,
    /// Time, unix seconds.
    pub ts: i64,
}

/// A worker's GPU was reported.
#[event]
#[derive(Debug, Clone)]
pub struct WorkerGpuReported {
    /// Wallet.
    pub wallet: Pubkey,
    /// Report sequence number.
    pub seq: u64,
    /// When the fact happened off-chain (the feed's `at`), unix seconds.
    pub fact_ts: i64,
    /// GPU model.
    pub model: String,
    /// VRAM, GB.
    pub vram_gb: u16,
    /// Hashpower, oracle units.
    pub hashpower: u64,
    /// Time, unix seconds.
    pub ts: i64,
}

/// A report arrived while a round of the member's role was open: the
/// member's score as of the snapshot was frozen for that round.
#[event]
#[derive(Debug, Clone)]
pub struct ScoreFrozen {
    /// Wallet.
    pub wallet: Pubkey,
    /// Role.
    pub role: Role,
    /// Round.
    pub round: u32,
    /// Frozen score, points.
    pub score: i128,
}

/// A pass was minted.
#[event]
#[derive(Debug, Clone)]
pub struct PassClaimed {
    /// Wallet.
    pub wallet: Pubkey,
    /// Role.
    pub role: Role,
    /// Pass mint.
    pub mint: Pubkey,
    /// Serial within the role.
    pub serial: u64,
    /// First round the pass counts in.
    pub first_round: u32,
    /// Who paid the mint and token account rent (gets it back on close).
    pub payer: Pubkey,
    /// Time, unix seconds.
    pub ts: i64,
}

/// The admin revoked a member (burning its pass if held).
#[event]
#[derive(Debug, Clone)]
pub struct PassRevoked {
    /// Wallet.
    pub wallet: Pubkey,
    /// Role.
    pub role: Role,
    /// Admin's reason code.
    pub reason_code: u16,
    /// Whether a held pass was burned.
    pub burned: bool,
    /// Rent returned to the pass's payer (mint and token account), lamports.
    pub rent_returned_lamports: u64,
    /// Round open at the time that the member left before being ranked (0: none).
    pub removed_from_round: u32,
    /// Whether the holder's token account was closed (it stays, empty and
    /// closable by nobody else, when the holder's CPI guard refuses to let
    /// its rent go anywhere but to the holder while someone else paid it).
    pub holder_account_closed: bool,
    /// Whether the pass mint was closed.
    pub mint_closed: bool,
    /// A tentative reward credit of the open round taken back, in base units.
    pub reward_voided_base_units: u64,
    /// Time, unix seconds.
    pub ts: i64,
}

/// The admin reinstated a revoked member.
#[event]
#[derive(Debug, Clone)]
pub struct MemberReinstated {
    /// Wallet.
    pub wallet: Pubkey,
    /// Role.
    pub role: Role,
    /// Time, unix seconds.
    pub ts: i64,
}

/// A pass burned by its holder was detected; the member stops counting.
#[event]
#[derive(Debug, Clone)]
pub struct PassBurnSynced {
    /// Wallet.
    pub wallet: Pubkey,
    /// Role.
    pub role: Role,
    /// Rent returned to the pass's payer (mint and token account), lamports.
    pub rent_returned_lamports: u64,
    /// Round open at the time that the member left before being ranked (0: none).
    pub removed_from_round: u32,
    /// Whether the holder's token account was closed (see [`PassRevoked`]).
    pub holder_account_closed: bool,
    /// Whether the pass mint was closed.
    pub mint_closed: bool,
    /// A tentative reward credit of the open round taken back, in base units.
    pub reward_voided_base_units: u64,
    /// Time, unix seconds.
    pub ts: i64,
}

/// A ranking round opened.
#[event]
#[derive(Debug, Clone)]
pub struct RoundOpened {
    /// Role.
    pub role: Role,
    /// Round.
    pub round: u32,
    /// Snapshot time, unix seconds (the window's scheduled time with the
    /// cadence on, else the time it opened).
    pub snapshot_ts: i64,
    /// The cadence window it opened in (0 with the cadence off).
    pub window: u64,
    /// Holders to rank.
    pub members: u32,
    /// Holders whose pass counts only from a later round (claimed after the snapshot).
    pub late_holders: u32,
    /// Holders to flag priority.
    pub priority_count: u32,
    /// Reward attached to the round, in the reward token's base units.
    pub reward_base_units: u64,
    /// Ranks that share it.
    pub reward_ranks: u32,
    /// Each rank's share, in base units.
    pub reward_share_base_units: u64,
}

/// The crank ranked a batch.
#[event]
#[derive(Debug, Clone)]
pub struct RoundBatchRanked {
    /// Role.
    pub role: Role,
    /// Round.
    pub round: u32,
    /// Rank of the batch's first member.
    pub first_rank: u32,
    /// Members in the batch.
    pub count: u32,
    /// Members ranked so far.
    pub ranked: u32,
    /// Score of the batch's last member, points.
    pub last_score: i128,
}

/// A round was finalised: it is now what schedulers read.
#[event]
#[derive(Debug, Clone)]
pub struct RoundFinalised {
    /// Role.
    pub role: Role,
    /// Round.
    pub round: u32,
    /// Members ranked.
    pub members: u32,
    /// Members flagged priority.
    pub priority_count: u32,
    /// Lowest priority score, points.
    pub cutoff_score: Option<i128>,
    /// Reward credits that became the members' now, in the token's base units.
    pub reward_credited_base_units: u64,
    /// The round's reward not credited (remainder, missing ranks, members
    /// who left), carried to the next funded round, in base units.
    pub reward_carried_base_units: u64,
    /// Time, unix seconds.
    pub ts: i64,
}

/// The crank abandoned an open round.
#[event]
#[derive(Debug, Clone)]
pub struct RoundAbandoned {
    /// Role.
    pub role: Role,
    /// Round.
    pub round: u32,
    /// Members it had ranked.
    pub ranked: u32,
    /// Its whole reward, back to the next round's pending funding (its
    /// tentative credits are void), in the token's base units.
    pub reward_returned_base_units: u64,
    /// Time, unix seconds.
    pub ts: i64,
}

/// The admin funded the next round of a role.
#[event]
#[derive(Debug, Clone)]
pub struct RewardFunded {
    /// Role.
    pub role: Role,
    /// Reward token mint.
    pub mint: Pubkey,
    /// Amount funded, in the token's base units.
    pub amount_base_units: u64,
    /// Carried remainders added with it, in base units.
    pub carried_base_units: u64,
    /// Ranks the next round shares it among (0: its priority count).
    pub top_k: u32,
    /// Pending for the next round after this funding, in base units.
    pub pending_base_units: u64,
    /// Time, unix seconds.
    pub ts: i64,
}

/// A rank batch credited rewards: tentative until the round is finalised
/// (void if it is abandoned).
#[event]
#[derive(Debug, Clone)]
pub struct RewardsCredited {
    /// Role.
    pub role: Role,
    /// Round.
    pub round: u32,
    /// Members credited by the batch.
    pub members: u32,
    /// Total credited by the batch, in the token's base units.
    pub amount_base_units: u64,
    /// Reward token mint.
    pub mint: Pubkey,
}

/// Finalised rounds' credits joined members' balances (at their next rank,
/// their withdrawal, or when they leave).
#[event]
#[derive(Debug, Clone)]
pub struct RewardsSettled {
    /// Role.
    pub role: Role,
    /// The finalised round whose credits these are.
    pub round: u32,
    /// Members settled.
    pub members: u32,
    /// Total settled, in the token's base units.
    pub amount_base_units: u64,
    /// Time, unix seconds.
    pub ts: i64,
}

/// A member withdrew its reward balance.
#[event]
#[derive(Debug, Clone)]
pub struct RewardWithdrawn {
    /// Wallet.
    pub wallet: Pubkey,
    /// Role.
    pub role: Role,
    /// Amount, in the token's base units.
    pub amount_base_units: u64,
    /// Destination token account.
    pub destination: Pubkey,
    /// Reward token mint.
    pub mint: Pubkey,
    /// Time, unix seconds.
    pub ts: i64,
}

/// A revoked member's unwithdrawn reward returned to the vault.
#[event]
#[derive(Debug, Clone)]
pub struct RewardForfeited {
    /// Wallet.
    pub wallet: Pubkey,
    /// Role.
    pub role: Role,
    /// Amount, in the token's base units.
    pub amount_base_units: u64,
    /// Reward token mint.
    pub mint: Pubkey,
    /// Time, unix seconds.
    pub ts: i64,
}
