use crate::constants::*;
use crate::errors::PictorError;
use anchor_lang::prelude::*;

/// The two kinds of member. Stored as one byte; also a seed component.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, InitSpace)]
pub enum Role {
    /// Pays to render frames.
    Creator,
    /// Rents out a GPU.
    Worker,
}

impl Role {
    /// Both roles, in their sort order.
    pub const ALL: [Role; 2] = [Role::Creator, Role::Worker];

    /// The seed byte of this role.
    pub fn seed(self) -> [u8; 1] {
        [self as u8]
    }

    /// The role of a stored byte.
    pub fn from_u8(byte: u8) -> Result<Role> {
        match byte {
            0 => Ok(Role::Creator),
            1 => Ok(Role::Worker),
            _ => err!(PictorError::MemberLayoutUnsupported),
        }
    }

    /// Lower-case name, as in the feed and in pass metadata.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Creator => "creator",
            Role::Worker => "worker",
        }
    }
}

/// A GPU tier: a worker whose GPU meets both minimums gets the multiplier.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct GpuTier {
    /// Minimum VRAM, in GB.
    pub min_vram_gb: u16,
    /// Minimum hashpower, in the oracle's hashpower units.
    pub min_hashpower: u64,
    /// Multiplier applied to GPU points, in bps (10,000 = 1.0×).
    pub multiplier_bps: u16,
}

/// The parameters a score depends on besides the member's facts and the time.
/// Copied into a round when it opens, so a config change never moves a round.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct ScoringParams {
    /// Length of the uptime window, in completed UTC days.
    pub worker_window_days: u16,
    /// GPU tier table (best qualifying multiplier applies).
    #[max_len(MAX_GPU_TIERS)]
    pub gpu_tiers: Vec<GpuTier>,
}

/// Eligibility thresholds and scoring parameters (SPEC §2, §4, §5).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct Rules {
    /// Creator threshold: lifetime spending, in USDT base units.
    pub creator_min_spent_base_units: u64,
    /// Worker threshold: average uptime per day over the window, in minutes.
    pub worker_min_daily_uptime_minutes: u16,
    /// Longest allowed run of consecutive offline (0-minute) days.
    pub worker_max_offline_run_days: u16,
    /// Share of a role's holders flagged priority per round, in bps.
    pub priority_bps: u16,
    /// How far a report's fact time may be ahead of the cluster clock, in
    /// seconds (the oracle's clock and the cluster's drift apart).
    pub max_fact_skew_secs: u32,
    /// Window and GPU table used by scores.
    pub scoring: ScoringParams,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            creator_min_spent_base_units: DEFAULT_CREATOR_MIN_SPENT_BASE_UNITS,
            worker_min_daily_uptime_minutes: DEFAULT_WORKER_MIN_DAILY_UPTIME_MINUTES,
            worker_max_offline_run_days: DEFAULT_WORKER_MAX_OFFLINE_RUN_DAYS,
            priority_bps: DEFAULT_PRIORITY_BPS,
            max_fact_skew_secs: DEFAULT_MAX_FACT_SKEW_SECS,
            scoring: ScoringParams { worker_window_days: DEFAULT_WORKER_WINDOW_DAYS, gpu_tiers: default_gpu_tiers() },
        }
    }
}

/// SPEC §4 default table: base 1.0×; ≥16 GB 1.25×; ≥24 GB 1.5×; ≥48 GB 2.0×.
pub fn default_gpu_tiers() -> Vec<GpuTier> {
    [(0, 10_000), (16, 12_500), (24, 15_000), (48, 20_000)]
        .into_iter()
        .map(|(min_vram_gb, multiplier_bps)| GpuTier { min_vram_gb, min_hashpower: 0, multiplier_bps })
        .collect()
}

impl Rules {
    /// Rejects values no deployment should hold, each field with its own error.
    pub fn validate(&self) -> Result<()> {
        let window = self.scoring.worker_window_days;
        require!(self.creator_min_spent_base_units > 0, PictorError::CreatorThresholdZero);
        require!(
            (1..=MINUTES_PER_DAY).contains(&self.worker_min_daily_uptime_minutes),
            PictorError::DailyUptimeOutOfRange
        );
        require!((1..=MAX_WORKER_WINDOW_DAYS).contains(&window), PictorError::WindowOutOfRange);
        require!(self.worker_max_offline_run_days <= window, PictorError::OfflineRunExceedsWindow);
        require!((1..=BPS_DENOMINATOR as u16).contains(&self.priority_bps), PictorError::PriorityBpsOutOfRange);
        require!(self.max_fact_skew_secs <= MAX_FACT_SKEW_SECS, PictorError::FactSkewOutOfRange);
        require!(self.scoring.gpu_tiers.len() <= MAX_GPU_TIERS, PictorError::TooManyGpuTiers);
        for tier in &self.scoring.gpu_tiers {
            require!((1..=MAX_GPU_MULTIPLIER_BPS).contains(&tier.multiplier_bps), PictorError::GpuMultiplierOutOfRange);
        }
        Ok(())
    }
}

/// Name, symbol and URI of the pass NFTs.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct PassMetadata {
    /// Token name of a creator pass.
    #[max_len(MAX_PASS_NAME_LEN)]
    pub creator_name: String,
    /// Token name of a worker pass.
    #[max_len(MAX_PASS_NAME_LEN)]
    pub worker_name: String,
    /// Token symbol of both passes.
    #[max_len(MAX_PASS_SYMBOL_LEN)]
    pub symbol: String,
    /// Metadata URI of a creator pass.
    #[max_len(MAX_PASS_URI_LEN)]
    pub creator_uri: String,
    /// Metadata URI of a worker pass.
    #[max_len(MAX_PASS_URI_LEN)]
    pub worker_uri: String,
}

impl PassMetadata {
    /// `(name, uri)` of a role's pass.
    pub fn for_role(&self, role: Role) -> (&str, &str) {
        match role {
            Role::Creator => (&self.creator_name, &self.creator_uri),
            Role::Worker => (&self.worker_name, &self.worker_uri),
        }
    }

    /// Checks the lengths the account reserves, each field with its own error.
    pub fn validate(&self) -> Result<()> {
        for name in [&self.creator_name, &self.worker_name] {
            require!(!name.is_empty() && name.len() <= MAX_PASS_NAME_LEN, PictorError::PassNameInvalid);
        }
        require!(!self.symbol.is_empty() && self.symbol.len() <= MAX_PASS_SYMBOL_LEN, PictorError::PassSymbolInvalid);
        for uri in [&self.creator_uri, &self.worker_uri] {
            require!(uri.len() <= MAX_PASS_URI_LEN, PictorError::PassUriTooLong);
        }
        Ok(())
    }
}

/// The program's singleton configuration (PDA `[CONFIG_SEED]`).
#[account]
#[derive(InitSpace, Debug)]
pub struct Config {
    /// Key allowed to change the config, pause, revoke and reinstate.
    pub admin: Pubkey,
    /// Key proposed as next admin; it becomes admin when it signs `accept_admin`.
    pub pending_admin: Option<Pubkey>,
    /// Key allowed to drive ranking rounds.
    pub crank: Pubkey,
    /// Keys allowed to report facts.
    #[max_len(MAX_ORACLES)]
    pub oracles: Vec<Pubkey>,
    /// When set, reports, claims, syncs and rounds are refused.
    pub paused: bool,
    /// Thresholds and scoring parameters.
    pub rules: Rules,
    /// Pass NFT metadata.
    pub pass_metadata: PassMetadata,
    /// Bump of this PDA.
    pub bump: u8,
    /// Bump of the pass authority PDA.
    pub pass_authority_bump: u8,
}

impl Config {
    /// Whether `key` may report.
    pub fn is_oracle(&self, key: &Pubkey) -> bool {
        self.oracles.contains(key)
    }

    /// Fails with `Paused` while the admin has paused the program. The one
    /// pause check: every instruction the pause governs (reports, claims,
    /// syncs, rounds) calls it first.
    pub fn require_not_paused(&self) -> Result<()> {
        require!(!self.paused, PictorError::Paused);
        Ok(())
    }

    /// Invariants every instruction that changes the config leaves true.
    pub fn invariant(&self) -> Result<()> {
        self.rules.validate()?;
        self.pass_metadata.validate()?;
        require!(self.oracles.len() <= MAX_ORACLES, PictorError::TooManyOracles);
        let unique = self.oracles.iter().enumerate().all(|(i, k)| !self.oracles[..i].contains(k));
        require!(unique, PictorError::InvariantViolated);
        Ok(())
    }
}
