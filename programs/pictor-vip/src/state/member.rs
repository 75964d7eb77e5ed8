use super::{OpenRound, OrderKey, Role};
use crate::constants::*;
use crate::errors::PictorError;
use anchor_lang::prelude::*;

/// One reported worker day. A slot of the ring `WorkerFacts::days`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace)]
pub struct DayRecord {
    /// UTC day index (`unix_timestamp / 86,400`) this slot holds.
    pub day_index: u32,
    /// Minutes online that day (0–1,440).
    pub uptime_minutes: u16,
    /// Whether the slot holds a report at all.
    pub reported: bool,
}

/// A worker's GPU as last reported.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct GpuSpec {
    /// GPU model name, e.g. "RTX 4090".
    #[max_len(MAX_GPU_MODEL_LEN)]
    pub model: String,
    /// VRAM, in GB.
    pub vram_gb: u16,
    /// Hashpower, in the oracle's hashpower units.
    pub hashpower: u64,
}

/// Facts the oracle reported for a creator.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default, PartialEq, Eq, InitSpace)]
pub struct CreatorFacts {
    /// Lifetime deposits (recharges), in USDT base units.
    pub deposited_base_units: u64,
    /// Lifetime spending, in USDT base units; never above deposits.
    pub spent_base_units: u64,
    /// Lifetime frames rendered successfully.
    pub frames_rendered: u64,
    /// UTC month (`year * 12 + month - 1`) of `month_recharged_base_units`.
    pub recharge_month: u32,
    /// Recharges reported during `recharge_month`, in USDT base units.
    pub month_recharged_base_units: u64,
}

/// Facts the oracle reported for a worker.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct WorkerFacts {
    /// Lifetime uptime over all reported days, in minutes.
    pub lifetime_uptime_minutes: u64,
    /// Lifetime frames completed.
    pub frames_completed: u64,
    /// Lifetime failed jobs.
    pub jobs_failed: u64,
    /// Last GPU report, if any.
    pub gpu: Option<GpuSpec>,
    /// Reported days, slot `day_index % WORKER_DAY_SLOTS`.
    pub days: [DayRecord; WORKER_DAY_SLOTS],
}

impl Default for WorkerFacts {
    fn default() -> Self {
        WorkerFacts {
            lifetime_uptime_minutes: 0,
            frames_completed: 0,
            jobs_failed: 0,
            gpu: None,
            days: [DayRecord::default(); WORKER_DAY_SLOTS],
        }
    }
}

impl WorkerFacts {
    /// Minutes online on `day_index`, or `None` if that day was never reported
    /// (or its slot now holds another day).
    pub fn uptime_on(&self, day_index: u32) -> Option<u16> {
        let slot = &self.days[day_index as usize % WORKER_DAY_SLOTS];
        (slot.reported && slot.day_index == day_index).then_some(slot.uptime_minutes)
    }
}

/// Role-specific facts.
// The enum is the on-chain Borsh layout (a creator account is sized for its
// own variant only); members are always boxed, so the size gap costs no stack.
#[allow(clippy::large_enum_variant)]
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub enum Facts {
    /// A creator's facts.
    Creator(CreatorFacts),
    /// A worker's facts.
    Worker(WorkerFacts),
}

impl Facts {
    /// Empty facts of a role.
    pub fn new(role: Role) -> Self {
        match role {
            Role::Creator => Facts::Creator(CreatorFacts::default()),
            Role::Worker => Facts::Worker(WorkerFacts::default()),
        }
    }

    /// The role these facts belong to.
    pub fn role(&self) -> Role {
        match self {
            Facts::Creator(_) => Role::Creator,
            Facts::Worker(_) => Role::Worker,
        }
    }
}

/// The state of a member's pass.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace)]
pub enum PassStatus {
    /// Never claimed (or reinstated after a revocation).
    #[default]
    None,
    /// Minted and held: the member counts in rounds.
    Active,
    /// Revoked by the admin for fraud; no claim until reinstated.
    Revoked,
    /// Burned by the holder and synced; may claim again if eligible.
    Burned,
}

/// The member's pass.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace)]
pub struct PassState {
    /// Current status.
    pub status: PassStatus,
    /// Serial within the role (claim order, from 1); 0 before the first claim.
    pub serial: u64,
    /// Time of the latest claim (unix seconds).
    pub claimed_ts: i64,
    /// First round (per role) the pass counts in.
    pub first_round: u32,
    /// Admin's reason code of the latest revocation (0 if never revoked).
    pub revoke_reason: u16,
}

/// A member's place in one round.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace)]
pub struct RankEntry {
    /// Round number (0: empty).
    pub round: u32,
    /// Rank, from 1 (highest score).
    pub rank: u32,
    /// Score as of the round's snapshot, in points.
    pub score: i128,
    /// Flagged priority in that round.
    pub priority: bool,
}

/// A member of one role (PDA `[MEMBER_SEED, role, wallet]`), created by the
/// first oracle report about it.
#[account]
#[derive(InitSpace, Debug)]
pub struct Member {
    /// The member's wallet.
    pub wallet: Pubkey,
    /// The member's role.
    pub role: Role,
    /// Bump of this PDA.
    pub bump: u8,
    /// Highest report sequence number applied.
    pub last_seq: u64,
    /// The pass.
    pub pass: PassState,
    /// Rank entries of the latest finalised round and of the round being
    /// ranked (two slots, so the finalised one stays readable).
    pub ranks: [RankEntry; 2],
    /// Round whose snapshot score is frozen in `frozen_score` (0: none): set
    /// when a report arrives while a round is open, so the round still sees
    /// the member as it was at the snapshot.
    pub frozen_round: u32,
    /// Score as of `frozen_round`'s snapshot, in points.
    pub frozen_score: i128,
    /// The oracle's facts.
    pub facts: Facts,
}

impl Member {
    /// Account size (with discriminator) of a member of `role`.
    pub fn space(role: Role) -> usize {
        let facts = match role {
            Role::Creator => CreatorFacts::INIT_SPACE,
            Role::Worker => WorkerFacts::INIT_SPACE,
        };
        8 + Member::INIT_SPACE - Facts::INIT_SPACE + 1 + facts
    }

    /// The entry of `round`, if this member was ranked in it.
    pub fn rank_in(&self, round: u32) -> Option<&RankEntry> {
        (round != 0).then(|| self.ranks.iter().find(|e| e.round == round)).flatten()
    }

    /// Records a rank for `round`, keeping the entry of `finalised` intact.
    pub fn record_rank(&mut self, finalised: u32, entry: RankEntry) {
        let slot = if self.ranks[0].round == finalised && finalised != 0 { 1 } else { 0 };
        self.ranks[slot] = entry;
    }

    /// Whether this member's pass counts in round `round`.
    pub fn counts_in_round(&self, round: u32) -> bool {
        self.pass.status == PassStatus::Active && self.pass.first_round <= round
    }

    /// The member's score in the open round `open`: the score frozen when a
    /// report arrived mid-round, else the score of its facts as of the snapshot.
    pub fn score_for_round(&self, open: &OpenRound) -> Result<i128> {
        if self.frozen_round == open.round {
            return Ok(self.frozen_score);
        }
        crate::scoring::score(&self.facts, open.snapshot_ts, &open.params)
    }

    /// The member's place in the order of `open`.
    pub fn order_key(&self, open: &OpenRound) -> Result<OrderKey> {
        Ok(OrderKey { score: self.score_for_round(open)?, pass_serial: self.pass.serial })
    }

    /// Invariants every instruction that changes a member leaves true.
    pub fn invariant(&self) -> Result<()> {
        require!(self.facts.role() == self.role, PictorError::WrongRole);
        if let Facts::Creator(c) = &self.facts {
            require!(c.spent_base_units <= c.deposited_base_units, PictorError::SpendingExceedsDeposits);
        }
        Ok(())
    }
}
