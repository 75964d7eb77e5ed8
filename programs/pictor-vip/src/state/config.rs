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

/// When ranking rounds may open (SPEC §5). With `period_secs` = 0 the
/// cadence is off and the crank opens a round at any time, its snapshot the
/// open's time. Otherwise round windows are scheduled at
/// `offset_secs + k × period_secs` (unix seconds, k = 0, 1, …); a round may
/// open only in the first `open_window_secs` of a window, and its snapshot
/// is the window's scheduled time, whatever second it opens (see
/// [`crate::cadence`]).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace)]
pub struct RoundCadence {
    /// Seconds between two scheduled rounds (0: cadence off).
    pub period_secs: u32,
    /// Seconds after its scheduled time during which a round may open
    /// (1 to the period; 0 when the cadence is off).
    pub open_window_secs: u32,
    /// Scheduled times are `offset_secs + k × period_secs`, in seconds
    /// (below the period; 0 when the cadence is off). With a daily period,
    /// 3,600 schedules rounds at 01:00 UTC.
    pub offset_secs: u32,
}

impl RoundCadence {
    /// The cadence that lets the crank open rounds at any time.
    pub const OFF: RoundCadence = RoundCadence { period_secs: 0, open_window_secs: 0, offset_secs: 0 };

    /// Whether rounds follow a schedule.
    pub fn is_on(&self) -> bool {
        self.period_secs > 0
    }

    /// Rejects a cadence no deployment should hold, each field with its own error.
    pub fn validate(&self) -> Result<()> {
        require!(self.period_secs <= MAX_ROUND_PERIOD_SECS, PictorError::CadencePeriodOutOfRange);
        if self.is_on() {
            require!((1..=self.period_secs).contains(&self.open_window_secs), PictorError::CadenceOpenWindowOutOfRange);
            require!(self.offset_secs < self.period_secs, PictorError::CadenceOffsetOutOfRange);
        } else {
            require!(self.open_window_secs == 0, PictorError::CadenceOpenWindowOutOfRange);
            require!(self.offset_secs == 0, PictorError::CadenceOffsetOutOfRange);
        }
        Ok(())
    }

    /// Whether `other` schedules rounds differently: a new period, offset
    /// or open window, or the cadence switched on or off. Round numbers are
    /// then anchored again ([`crate::cadence::reanchor`]) above every round
    /// whose window has passed, so no window's round opens under other
    /// rules than those its scores were frozen under.
    pub fn reschedules(&self, other: &RoundCadence) -> bool {
        self != other
    }

    /// Whether `other` keeps this cadence's windows at the same times (the
    /// same period and offset, both on): only their open part may differ.
    /// A change of cadence is judged under the new rules on the old
    /// numbering only then; a new schedule starts at its next window, so
    /// nothing can be due under it when it is set.
    pub fn same_schedule(&self, other: &RoundCadence) -> bool {
        self.is_on() && other.is_on() && (self.period_secs, self.offset_secs) == (other.period_secs, other.offset_secs)
    }
}

/// Where the cadence's round numbers start: the scheduled window `window`
/// gets round number `round`, and each later window the next number
/// (`round + (k − window)` for window k), so every window has its own number
/// and numbers only grow. Set at `initialize` and whenever an
/// `update_config` reschedules the cadence.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace)]
pub struct RoundAnchor {
    /// The first scheduled window with a round number (its index k).
    pub window: u64,
    /// That window's round number.
    pub round: u32,
}

/// Eligibility thresholds, scoring parameters, the oracle quorum and the
/// round cadence (SPEC §2, §4, §5, §6).
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
    /// Distinct oracle keys that must sign a report's transaction for it
    /// to apply (1 to the number of oracle keys).
    pub oracle_quorum: u8,
    /// When ranking rounds may open.
    pub cadence: RoundCadence,
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
            oracle_quorum: DEFAULT_ORACLE_QUORUM,
            cadence: RoundCadence::OFF,
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
        require!(gpu_tiers_ascend(&self.scoring.gpu_tiers), PictorError::GpuTiersNotAscending);
        require!((1..=MAX_ORACLES).contains(&usize::from(self.oracle_quorum)), PictorError::OracleQuorumOutOfRange);
        self.cadence.validate()
    }
}

/// Whether a GPU tier table is what the scheduler's GPU classes need (SPEC
/// §10): not empty, the first tier 0 GB and 0 hashpower, and neither
/// minimum ever lower than the tier before's. Then a GPU that meets a tier
/// meets every tier before it, and its class is the highest tier it meets.
pub fn gpu_tiers_ascend(tiers: &[GpuTier]) -> bool {
    tiers.first().is_some_and(|t| t.min_vram_gb == 0 && t.min_hashpower == 0)
        && tiers.windows(2).all(|w| w[1].min_vram_gb >= w[0].min_vram_gb && w[1].min_hashpower >= w[0].min_hashpower)
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
    /// Where the cadence's round numbers start (see [`RoundAnchor`]).
    pub round_anchor: RoundAnchor,
}

impl Config {
    /// Whether `key` may report.
    pub fn is_oracle(&self, key: &Pubkey) -> bool {
        self.oracles.contains(key)
    }

    /// Fails unless the oracle `primary` (checked by the caller) and the
    /// accounts `co_signers` are at least `oracle_quorum` distinct oracle
    /// keys, each of them a signer of the transaction (SPEC §6): one leaked
    /// key cannot fabricate facts. Each refusal has its own error: a
    /// co-signer that did not sign, one that is not an oracle, one named
    /// twice, too few.
    pub fn require_oracle_quorum(&self, primary: &Pubkey, co_signers: &[AccountInfo]) -> Result<()> {
        // Distinct oracles are at most MAX_ORACLES: a longer list holds a
        // duplicate or a stranger, refused before it could overflow `seen`.
        let mut seen = [Pubkey::default(); MAX_ORACLES];
        seen[0] = *primary;
        let mut count = 1;
        for info in co_signers {
            require!(info.is_signer, PictorError::OracleSignatureMissing);
            require!(self.is_oracle(info.key), PictorError::NotOracle);
            require!(!seen[..count].contains(info.key), PictorError::DuplicateOracleSigner);
            seen[count] = *info.key;
            count += 1;
        }
        require!(count >= usize::from(self.rules.oracle_quorum), PictorError::OracleQuorumNotMet);
        Ok(())
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
        require!(usize::from(self.rules.oracle_quorum) <= self.oracles.len(), PictorError::OracleQuorumExceedsOracles);
        let unique = self.oracles.iter().enumerate().all(|(i, k)| !self.oracles[..i].contains(k));
        require!(unique, PictorError::InvariantViolated);
        Ok(())
    }
}
