//! Seeds, defaults and hard limits. The SDK re-exports this module: seeds are
//! never retyped anywhere else.

/// Seed of the singleton [`crate::state::Config`] account.
pub const CONFIG_SEED: &[u8] = b"config";
/// Seed of a role's [`crate::state::Board`] (ranking rounds, holder counts): `[BOARD_SEED, role]`.
pub const BOARD_SEED: &[u8] = b"board";
/// Seed of a member's facts: `[MEMBER_SEED, role, wallet]`.
pub const MEMBER_SEED: &[u8] = b"member";
/// Seed of a pass mint: `[PASS_MINT_SEED, role, wallet]`.
pub const PASS_MINT_SEED: &[u8] = b"pass";
/// Seed of the PDA that is permanent delegate, close authority and metadata
/// update authority of every pass mint.
pub const PASS_AUTHORITY_SEED: &[u8] = b"pass_authority";

/// Seed of a role's reward vault (a token account): `[REWARD_VAULT_SEED, role]`.
pub const REWARD_VAULT_SEED: &[u8] = b"reward_vault";
/// Seed of the PDA that owns every reward vault.
pub const REWARD_AUTHORITY_SEED: &[u8] = b"reward_authority";

/// USDT has 6 decimals: base units per whole USDT.
pub const USDT_BASE_UNITS_PER_USDT: u64 = 1_000_000;
/// Seconds in a UTC day; day index = `unix_timestamp / SECONDS_PER_DAY`.
pub const SECONDS_PER_DAY: i64 = 86_400;
/// Minutes in a day: the most uptime a worker day can report.
pub const MINUTES_PER_DAY: u16 = 1_440;
/// Basis points in 1.0.
pub const BPS_DENOMINATOR: u64 = 10_000;

/// Default creator threshold: 5,000 USDT spent, in base units.
pub const DEFAULT_CREATOR_MIN_SPENT_BASE_UNITS: u64 = 5_000 * USDT_BASE_UNITS_PER_USDT;
/// Default worker threshold: 16 h/day average, in minutes per day.
pub const DEFAULT_WORKER_MIN_DAILY_UPTIME_MINUTES: u16 = 16 * 60;
/// Default worker window: 30 completed UTC days.
pub const DEFAULT_WORKER_WINDOW_DAYS: u16 = 30;
/// Default longest allowed run of consecutive offline days (0 minutes online).
pub const DEFAULT_WORKER_MAX_OFFLINE_RUN_DAYS: u16 = 3;
/// Default allowed skew of a fact time ahead of the cluster clock: 10 minutes, in seconds.
pub const DEFAULT_MAX_FACT_SKEW_SECS: u32 = 600;
/// Largest fact-time skew the admin may configure: one day, in seconds.
pub const MAX_FACT_SKEW_SECS: u32 = 86_400;
/// Default share of a role's holders flagged priority each round: 10 %, in bps.
pub const DEFAULT_PRIORITY_BPS: u16 = 1_000;
/// Multiplier of a worker with no GPU report or no matching tier: 1.0×, in bps.
pub const BASE_GPU_MULTIPLIER_BPS: u16 = 10_000;

/// Points for holding a pass (both roles).
pub const OWNERSHIP_POINTS: i128 = 100;
/// Worker job points per frame completed.
pub const POINTS_PER_FRAME_COMPLETED: i128 = 5;
/// Worker job points per failed job (a deduction).
pub const POINTS_PER_FAILED_JOB: i128 = -10;
/// Lifetime uptime minutes per GPU step (100 hours).
pub const GPU_STEP_UPTIME_MINUTES: u64 = 6_000;
/// GPU points per step before the tier multiplier.
pub const GPU_POINTS_PER_STEP: u64 = 10;

/// Most oracle keys the config holds.
pub const MAX_ORACLES: usize = 8;
/// Default oracle quorum: distinct oracle keys that must sign a report.
pub const DEFAULT_ORACLE_QUORUM: u8 = 1;
/// Longest round period the admin may configure: 366 days, in seconds.
pub const MAX_ROUND_PERIOD_SECS: u32 = 366 * 86_400;
/// Most GPU tiers in the table.
pub const MAX_GPU_TIERS: usize = 8;
/// Largest worker window the admin may configure, in days.
pub const MAX_WORKER_WINDOW_DAYS: u16 = 60;
/// Day slots kept per worker (a ring keyed by the latest day reported); at
/// least [`MAX_WORKER_WINDOW_DAYS`], so every day of any window has its own slot.
pub const WORKER_DAY_SLOTS: usize = 60;
/// Largest GPU tier multiplier accepted: 10×, in bps.
pub const MAX_GPU_MULTIPLIER_BPS: u16 = 50_000;
/// Longest GPU model name, in bytes.
pub const MAX_GPU_MODEL_LEN: usize = 32;
/// Longest pass name, in bytes.
pub const MAX_PASS_NAME_LEN: usize = 32;
/// Longest pass symbol, in bytes.
pub const MAX_PASS_SYMBOL_LEN: usize = 10;
/// Longest pass metadata URI, in bytes.
pub const MAX_PASS_URI_LEN: usize = 200;
/// Most members one `rank_batch` accepts: a transaction locks at most 64
/// accounts, and a rank transaction needs 6 besides the members (crank as
/// fee payer, config, board, the event authority, this program, the
/// compute-budget program).
/// The heap test measures `rank_batch` at this size (members are read in
/// place: only the entrypoint's 120 bytes per account grow with it).
pub const MAX_RANK_BATCH: usize = 58;
/// Most accounts one transaction may lock (Solana runtime limit).
pub const MAX_TX_ACCOUNT_LOCKS: usize = 64;

/// Default pass symbol.
pub const DEFAULT_PASS_SYMBOL: &str = "PVIP";
/// Metadata field naming the pass role.
pub const METADATA_ROLE_KEY: &str = "role";
