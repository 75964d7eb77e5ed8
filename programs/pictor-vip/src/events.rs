//! Every state change emits one of these (indexers follow them). Times are
//! unix seconds; amounts are USDT base units (6 decimals); scores are points.
use crate::state::{Role, Rules};
use anchor_lang::prelude::*;

/// The config was created.
#[event]
pub struct ConfigInitialized {
    /// First admin.
    pub admin: Pubkey,
    /// Crank key.
    pub crank: Pubkey,
    /// Oracle keys.
    pub oracles: Vec<Pubkey>,
    /// Rules in force.
    pub rules: Rules,
    /// Time, unix seconds.
    pub ts: i64,
}

/// The admin changed the rules and/or pass metadata.
#[event]
pub struct ConfigUpdated {
    /// Admin who signed.
    pub admin: Pubkey,
    /// Rules now in force.
    pub rules: Rules,
    /// Whether the pass metadata changed (applies to passes minted from now on).
    pub pass_metadata_changed: bool,
    /// Time, unix seconds.
    pub ts: i64,
}

/// Pause switched.
#[event]
pub struct PausedSet {
    /// New value.
    pub paused: bool,
    /// Time, unix seconds.
    pub ts: i64,
}

/// An oracle key was added (`added`) or removed.
#[event]
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
    /// Time, unix seconds.
    pub ts: i64,
}

/// The admin reinstated a revoked member.
#[event]
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
pub struct PassBurnSynced {
    /// Wallet.
    pub wallet: Pubkey,
    /// Role.
    pub role: Role,
    /// Rent returned to the pass's payer (mint and token account), lamports.
    pub rent_returned_lamports: u64,
    /// Round open at the time that the member left before being ranked (0: none).
    pub removed_from_round: u32,
    /// Time, unix seconds.
    pub ts: i64,
}

/// A ranking round opened.
#[event]
pub struct RoundOpened {
    /// Role.
    pub role: Role,
    /// Round.
    pub round: u32,
    /// Snapshot time, unix seconds.
    pub snapshot_ts: i64,
    /// Holders to rank.
    pub members: u32,
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
    /// Time, unix seconds.
    pub ts: i64,
}

/// The crank abandoned an open round.
#[event]
pub struct RoundAbandoned {
    /// Role.
    pub role: Role,
    /// Round.
    pub round: u32,
    /// Members it had ranked.
    pub ranked: u32,
    /// Time, unix seconds.
    pub ts: i64,
}

/// The admin funded the next round of a role.
#[event]
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

/// A rank batch credited rewards.
#[event]
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

/// A member withdrew its reward balance.
#[event]
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
