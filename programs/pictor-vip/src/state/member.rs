//! Member accounts: zero-copy, one fixed `#[repr(C)]` layout per role.
//!
//! A member is read in place (no heap, no copy) wherever the program touches
//! it, so `rank_batch` costs the same heap for 1 member as for 59. Both
//! layouts start with the same [`MemberHeader`]; only the facts differ.
//! Scores are stored as [`PodI128`] (16 bytes, alignment 1), because `i128`
//! is 8-aligned on SBF but 16-aligned on x86-64, and the SDK reads the same
//! bytes on the host.
use super::{FinalRound, OpenRound, OrderKey, Role};
use crate::constants::*;
use crate::errors::PictorError;
use anchor_lang::prelude::*;
use anchor_lang::Discriminator;
use core::cell::RefMut;

/// Layout version written into every member account this program creates.
pub const MEMBER_LAYOUT_VERSION: u8 = 1;

/// An `i128` stored as its 16 little-endian bytes (alignment 1).
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PodI128 {
    /// Little-endian bytes of the value.
    pub le_bytes: [u8; 16],
}

impl PodI128 {
    /// Wraps `value`.
    pub fn new(value: i128) -> Self {
        PodI128 { le_bytes: value.to_le_bytes() }
    }

    /// The value.
    pub fn get(&self) -> i128 {
        i128::from_le_bytes(self.le_bytes)
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

impl PassStatus {
    /// The stored byte.
    pub fn to_u8(self) -> u8 {
        self as u8
    }

    /// The status of a stored byte.
    pub fn from_u8(byte: u8) -> Result<Self> {
        Ok(match byte {
            0 => PassStatus::None,
            1 => PassStatus::Active,
            2 => PassStatus::Revoked,
            3 => PassStatus::Burned,
            _ => return err!(PictorError::MemberLayoutUnsupported),
        })
    }
}

/// A member's place in one round, as readers see it.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace)]
pub struct RankEntry {
    /// Round number.
    pub round: u32,
    /// Rank, from 1 (highest score).
    pub rank: u32,
    /// Score as of the round's snapshot, in points.
    pub score: i128,
    /// Flagged priority in that round.
    pub priority: bool,
}

/// One stored round slot. `rank == 0` with `round != 0` means "score frozen
/// at the round's snapshot, not ranked yet" (a fact arrived mid-round).
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RankSlot {
    /// Round number (0: empty slot).
    pub round: u32,
    /// Rank from 1; 0 while only the score is frozen.
    pub rank: u32,
    /// Score as of the round's snapshot, in points.
    pub score: PodI128,
}

/// Bit of [`MemberHeader::rank_flags`]: slot `i` is flagged priority.
const PRIORITY_BIT: [u8; 2] = [0b01, 0b10];
/// Bit of [`MemberHeader::rank_flags`]: slot `i`'s round credited the
/// member a reward share that is not in `reward_balance` yet (SPEC §9:
/// credits become the member's only when the round is finalised).
const CREDIT_BIT: [u8; 2] = [0b0100, 0b1000];
/// Every bit [`MemberHeader::rank_flags`] may hold.
const RANK_FLAG_BITS: u8 = 0b1111;

/// What both member layouts start with (152 bytes).
#[zero_copy]
#[derive(Debug, PartialEq, Eq)]
pub struct MemberHeader {
    /// The member's wallet.
    pub wallet: Pubkey,
    /// Who paid the rent of the current pass's mint and token account; it
    /// gets that rent back when the pass is closed (default when no pass).
    pub pass_rent_payer: Pubkey,
    /// Highest report sequence number applied (0: none yet).
    pub last_seq: u64,
    /// Fact time of the latest report applied (unix seconds; 0: none yet):
    /// a later report may not be earlier.
    pub last_fact_ts: i64,
    /// Rank rewards credited by finalised rounds and not withdrawn, in the
    /// reward token's base units. A credit of the round in a slot whose
    /// pending-credit bit is set joins it once that round is finalised
    /// ([`MemberHeader::settle_credits`]).
    pub reward_balance: u64,
    /// Pass serial within the role (claim order, from 1); 0 before the first claim.
    pub pass_serial: u32,
    /// First round (per role) the current pass counts in.
    pub pass_first_round: u32,
    /// Two round slots: the latest finalised round's and the open round's.
    pub ranks: [RankSlot; 2],
    /// Admin's reason code of the latest revocation (0 if never revoked).
    pub revoke_reason: u16,
    /// [`MEMBER_LAYOUT_VERSION`] at creation.
    pub layout_version: u8,
    /// [`Role`] byte.
    pub role: u8,
    /// Bump of this PDA.
    pub bump: u8,
    /// [`PassStatus`] byte.
    pub pass_status: u8,
    /// Priority bits (0, 1) and pending-credit bits (2, 3) of the two round slots.
    pub rank_flags: u8,
    /// Reserved, zero.
    pub reserved: u8,
}

impl MemberHeader {
    /// The member's role.
    pub fn role(&self) -> Result<Role> {
        Role::from_u8(self.role)
    }

    /// The pass status.
    pub fn pass_status(&self) -> PassStatus {
        PassStatus::from_u8(self.pass_status).unwrap_or(PassStatus::None)
    }

    /// Sets the pass status.
    pub fn set_pass_status(&mut self, status: PassStatus) {
        self.pass_status = status.to_u8();
    }

    /// Whether this member's pass counts in round `round`.
    pub fn counts_in_round(&self, round: u32) -> bool {
        self.pass_status() == PassStatus::Active && self.pass_first_round <= round
    }

    /// The member's entry in `round`, if it was ranked in it and still holds
    /// its pass: a revoked or burned member is nobody's rank (SPEC §3).
    pub fn rank_in(&self, round: u32) -> Option<RankEntry> {
        if round == 0 || self.pass_status() != PassStatus::Active {
            return None;
        }
        let i = self.ranks.iter().position(|s| s.round == round && s.rank != 0)?;
        let s = &self.ranks[i];
        Some(RankEntry { round, rank: s.rank, score: s.score.get(), priority: self.rank_flags & PRIORITY_BIT[i] != 0 })
    }

    /// The score frozen for `round` (ranked or not), if any.
    pub fn frozen_score(&self, round: u32) -> Option<i128> {
        (round != 0).then(|| self.ranks.iter().find(|s| s.round == round).map(|s| s.score.get())).flatten()
    }

    /// The slot to write for `round`: its own if it has one, else the one not
    /// holding the latest finalised round `finalised`.
    fn slot_for(&self, round: u32, finalised: u32) -> usize {
        if let Some(i) = self.ranks.iter().position(|s| s.round == round) {
            return i;
        }
        usize::from(self.ranks[0].round == finalised && finalised != 0)
    }

    /// Freezes `score` as the member's score in `round` (open, or scheduled
    /// and about to open). The slot it takes is never the latest finalised
    /// round's nor `round`'s own: an abandoned or missed round's, whose
    /// flags go with it.
    pub fn freeze(&mut self, finalised: u32, round: u32, score: i128) {
        let i = self.slot_for(round, finalised);
        self.ranks[i] = RankSlot { round, rank: 0, score: PodI128::new(score) };
        self.rank_flags &= !(PRIORITY_BIT[i] | CREDIT_BIT[i]);
    }

    /// Records the member's rank in `entry.round`, keeping the latest
    /// finalised round's slot intact. `credited`: the round credited the
    /// member its reward share (pending until the round is finalised).
    pub fn record_rank(&mut self, finalised: u32, entry: RankEntry, credited: bool) {
        let i = self.slot_for(entry.round, finalised);
        self.ranks[i] = RankSlot { round: entry.round, rank: entry.rank, score: PodI128::new(entry.score) };
        self.rank_flags &= !(PRIORITY_BIT[i] | CREDIT_BIT[i]);
        if entry.priority {
            self.rank_flags |= PRIORITY_BIT[i];
        }
        if credited {
            self.rank_flags |= CREDIT_BIT[i];
        }
    }

    /// Forgets every rank, frozen score and pending credit: the member is
    /// out of the ranking at once (revocation, a burned pass). Settle the
    /// credits first ([`MemberHeader::settle_credits`], [`MemberHeader::void_open_credit`]).
    pub fn clear_ranks(&mut self) {
        self.ranks = [RankSlot::default(); 2];
        self.rank_flags = 0;
    }

    /// Whether the round in slot `i` credited the member a share not in its balance yet.
    fn credit_pending(&self, i: usize) -> bool {
        self.rank_flags & CREDIT_BIT[i] != 0
    }

    /// What [`MemberHeader::settle_credits`] would add to the balance now:
    /// the share of the latest finalised round `finalised`, if it credited
    /// the member and that credit is not in the balance yet, in base units.
    pub fn settleable_credit(&self, finalised: Option<&FinalRound>) -> u64 {
        let Some(f) = finalised else { return 0 };
        (0..2)
            .filter(|&i| self.credit_pending(i) && self.ranks[i].round == f.round)
            .map(|_| f.reward.share_base_units)
            .sum()
    }

    /// The reward the wallet may withdraw now, in base units: its balance
    /// and the latest finalised round's credit (SDK, Profile).
    pub fn withdrawable(&self, finalised: Option<&FinalRound>) -> u64 {
        self.reward_balance.saturating_add(self.settleable_credit(finalised))
    }

    /// Moves the pending credit of the latest finalised round `finalised`
    /// into the balance, and drops the pending credit of any other round
    /// but the open one (`open_round`): a round neither finalised nor open
    /// was abandoned, and its whole funding went back to the pool. Returns
    /// what joined the balance, in base units.
    ///
    /// Why the slots suffice: a member keeps its latest finalised round's
    /// slot until it is ranked again, and an active member is ranked in
    /// every round that finalises, settling the previous one first; a
    /// member that leaves settles when it leaves.
    pub fn settle_credits(&mut self, finalised: Option<&FinalRound>, open_round: Option<u32>) -> Result<u64> {
        let settled = self.settleable_credit(finalised);
        for (slot, bit) in self.ranks.iter().zip(CREDIT_BIT) {
            if self.rank_flags & bit != 0 && Some(slot.round) != open_round {
                self.rank_flags &= !bit;
            }
        }
        self.reward_balance = self.reward_balance.checked_add(settled).ok_or(PictorError::Overflow)?;
        Ok(settled)
    }

    /// Drops the member's pending credit in the open round `open` (it
    /// leaves the round before it is final: revoked, or its pass burned),
    /// returning the share taken back, in base units: the round credited
    /// that much less.
    pub fn void_open_credit(&mut self, open: &OpenRound) -> u64 {
        let mut voided = 0;
        for (slot, bit) in self.ranks.iter().zip(CREDIT_BIT) {
            if self.rank_flags & bit != 0 && slot.round == open.round {
                self.rank_flags &= !bit;
                voided += open.reward.share_base_units;
            }
        }
        voided
    }

    /// Invariants every instruction that changes a member leaves true.
    pub fn invariant(&self) -> Result<()> {
        let ok = self.layout_version == MEMBER_LAYOUT_VERSION
            && Role::from_u8(self.role).is_ok()
            && PassStatus::from_u8(self.pass_status).is_ok()
            && self.rank_flags & !RANK_FLAG_BITS == 0
            && (self.pass_status() != PassStatus::Active || self.pass_serial != 0);
        require!(ok, PictorError::InvariantViolated);
        Ok(())
    }
}

/// Facts the oracle reported for a creator (40 bytes).
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CreatorFacts {
    /// Lifetime deposits (recharges), in USDT base units.
    pub deposited_base_units: u64,
    /// Lifetime spending, in USDT base units; never above deposits.
    pub spent_base_units: u64,
    /// Lifetime frames rendered successfully.
    pub frames_rendered: u64,
    /// Recharges with a fact time in `recharge_month`, in USDT base units.
    pub month_recharged_base_units: u64,
    /// UTC month (`year * 12 + month - 1`) of `month_recharged_base_units`.
    pub recharge_month: u32,
    /// Reserved, zero.
    pub reserved: [u8; 4],
}

/// A worker's GPU class: what the tier table looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GpuClass {
    /// VRAM, in GB.
    pub vram_gb: u16,
    /// Hashpower, in the oracle's hashpower units.
    pub hashpower: u64,
}

/// Facts the oracle reported for a worker (200 bytes).
///
/// The day ring holds one `u16` per slot: minutes online + 1, or 0 for a day
/// never reported. Slot `d % WORKER_DAY_SLOTS` holds day `d` for the days
/// `latest_day - WORKER_DAY_SLOTS < d <= latest_day`; when a later day is
/// reported the slots of the days skipped over are cleared.
#[zero_copy]
#[derive(Debug, PartialEq, Eq)]
pub struct WorkerFacts {
    /// Lifetime uptime over all reported days, in minutes.
    pub lifetime_uptime_minutes: u64,
    /// Lifetime frames completed.
    pub frames_completed: u64,
    /// Lifetime failed jobs.
    pub jobs_failed: u64,
    /// Hashpower of the last GPU report, in the oracle's hashpower units.
    pub gpu_hashpower: u64,
    /// Latest UTC day index reported (0: none yet).
    pub latest_day: u32,
    /// VRAM of the last GPU report, in GB.
    pub gpu_vram_gb: u16,
    /// Length of `gpu_model` in bytes.
    pub gpu_model_len: u8,
    /// 1 once a GPU was reported.
    pub gpu_reported: u8,
    /// GPU model name (UTF-8, `gpu_model_len` bytes).
    pub gpu_model: [u8; MAX_GPU_MODEL_LEN],
    /// The day ring: minutes online + 1 per slot, 0 for unreported.
    pub day_slots: [u16; WORKER_DAY_SLOTS],
    /// Reserved, zero.
    pub reserved: [u8; 8],
}

impl Default for WorkerFacts {
    fn default() -> Self {
        bytemuck::Zeroable::zeroed()
    }
}

impl WorkerFacts {
    /// Minutes online on `day_index`, or `None` if that day was never
    /// reported (or is older than the ring keeps).
    pub fn uptime_on(&self, day_index: u32) -> Option<u16> {
        let in_ring = self.latest_day != 0
            && day_index <= self.latest_day
            && day_index > self.latest_day.saturating_sub(WORKER_DAY_SLOTS as u32);
        if !in_ring {
            return None;
        }
        self.day_slots[day_index as usize % WORKER_DAY_SLOTS].checked_sub(1)
    }

    /// Stores `minutes` for `day_index` (the caller checked that it is new
    /// and inside the window, so inside the ring once it advances).
    pub fn set_uptime(&mut self, day_index: u32, minutes: u16) {
        if day_index > self.latest_day {
            // Clear the slots of the days between the old latest and this one.
            let gap = (day_index - self.latest_day).min(WORKER_DAY_SLOTS as u32);
            for d in (day_index - gap + 1)..=day_index {
                self.day_slots[d as usize % WORKER_DAY_SLOTS] = 0;
            }
            self.latest_day = day_index;
        }
        self.day_slots[day_index as usize % WORKER_DAY_SLOTS] = minutes + 1;
    }

    /// The GPU class of the last report, if any.
    pub fn gpu(&self) -> Option<GpuClass> {
        (self.gpu_reported != 0).then_some(GpuClass { vram_gb: self.gpu_vram_gb, hashpower: self.gpu_hashpower })
    }

    /// The GPU model name of the last report ("" if none).
    pub fn gpu_model(&self) -> &str {
        let len = usize::from(self.gpu_model_len).min(MAX_GPU_MODEL_LEN);
        core::str::from_utf8(&self.gpu_model[..len]).unwrap_or("")
    }

    /// Records a GPU report (`model` at most [`MAX_GPU_MODEL_LEN`] bytes).
    pub fn set_gpu(&mut self, model: &str, vram_gb: u16, hashpower: u64) -> Result<()> {
        require!(model.len() <= MAX_GPU_MODEL_LEN, PictorError::GpuModelTooLong);
        self.gpu_model = [0; MAX_GPU_MODEL_LEN];
        self.gpu_model[..model.len()].copy_from_slice(model.as_bytes());
        // Checked above: at most 32.
        self.gpu_model_len = model.len() as u8;
        self.gpu_vram_gb = vram_gb;
        self.gpu_hashpower = hashpower;
        self.gpu_reported = 1;
        Ok(())
    }
}

/// A creator member (PDA `[MEMBER_SEED, Creator, wallet]`): 200 bytes with
/// the discriminator.
#[account(zero_copy)]
#[derive(Debug, PartialEq, Eq)]
pub struct CreatorMember {
    /// Common part.
    pub header: MemberHeader,
    /// The oracle's facts.
    pub facts: CreatorFacts,
}

/// A worker member (PDA `[MEMBER_SEED, Worker, wallet]`): 360 bytes with the
/// discriminator.
#[account(zero_copy)]
#[derive(Debug, PartialEq, Eq)]
pub struct WorkerMember {
    /// Common part.
    pub header: MemberHeader,
    /// The oracle's facts.
    pub facts: WorkerFacts,
}

const _: () = assert!(core::mem::size_of::<PodI128>() == 16 && core::mem::align_of::<PodI128>() == 1);
const _: () = assert!(core::mem::size_of::<RankSlot>() == 24);
const _: () = assert!(core::mem::size_of::<MemberHeader>() == 152);
const _: () = assert!(core::mem::size_of::<CreatorFacts>() == 40);
const _: () = assert!(core::mem::size_of::<WorkerFacts>() == 200);
const _: () = assert!(core::mem::size_of::<CreatorMember>() == 192);
const _: () = assert!(core::mem::size_of::<WorkerMember>() == 352);
const _: () = assert!(core::mem::align_of::<WorkerMember>() == 8 && core::mem::align_of::<CreatorMember>() == 8);
const _: () = assert!(WORKER_DAY_SLOTS >= MAX_WORKER_WINDOW_DAYS as usize);

/// A role's facts, borrowed.
#[derive(Clone, Copy, Debug)]
pub enum FactsRef<'a> {
    /// A creator's facts.
    Creator(&'a CreatorFacts),
    /// A worker's facts.
    Worker(&'a WorkerFacts),
}

/// A member of either role, read in place from its account.
pub enum MemberMut<'a> {
    /// A creator.
    Creator(RefMut<'a, CreatorMember>),
    /// A worker.
    Worker(RefMut<'a, WorkerMember>),
}

impl MemberMut<'_> {
    /// The common part.
    pub fn header(&self) -> &MemberHeader {
        match self {
            MemberMut::Creator(m) => &m.header,
            MemberMut::Worker(m) => &m.header,
        }
    }

    /// The common part, mutable.
    pub fn header_mut(&mut self) -> &mut MemberHeader {
        match self {
            MemberMut::Creator(m) => &mut m.header,
            MemberMut::Worker(m) => &mut m.header,
        }
    }

    /// The facts.
    pub fn facts(&self) -> FactsRef<'_> {
        match self {
            MemberMut::Creator(m) => FactsRef::Creator(&m.facts),
            MemberMut::Worker(m) => FactsRef::Worker(&m.facts),
        }
    }

    /// Invariants every instruction that changes a member leaves true.
    pub fn invariant(&self) -> Result<()> {
        self.header().invariant()?;
        if let MemberMut::Creator(c) = self {
            require!(c.facts.spent_base_units <= c.facts.deposited_base_units, PictorError::InvariantViolated);
        }
        Ok(())
    }
}

/// Account size (with the discriminator) of a member of `role`, in bytes.
pub fn member_space(role: Role) -> usize {
    8 + match role {
        Role::Creator => core::mem::size_of::<CreatorMember>(),
        Role::Worker => core::mem::size_of::<WorkerMember>(),
    }
}

fn discriminator(role: Role) -> &'static [u8] {
    match role {
        Role::Creator => CreatorMember::DISCRIMINATOR,
        Role::Worker => WorkerMember::DISCRIMINATOR,
    }
}

/// Loads the member account `info` of `role` in place: owned by this
/// program, exactly the role's size, the role's discriminator, and a layout
/// version this program knows. No heap, no copy.
pub fn load_member_mut<'a>(info: &'a AccountInfo<'_>, role: Role) -> Result<MemberMut<'a>> {
    require!(info.owner != &anchor_lang::system_program::ID, PictorError::MemberNotFound);
    require_keys_eq!(*info.owner, crate::ID, ErrorCode::AccountOwnedByWrongProgram);
    require!(info.is_writable, PictorError::MemberNotWritable);
    let data = info.try_borrow_mut_data()?;
    require!(data.len() == member_space(role), PictorError::WrongRole);
    require!(&data[..8] == discriminator(role), PictorError::WrongRole);
    let member = match role {
        Role::Creator => {
            MemberMut::Creator(RefMut::map(data, |d| bytemuck::from_bytes_mut::<CreatorMember>(&mut d[8..])))
        }
        Role::Worker => MemberMut::Worker(RefMut::map(data, |d| bytemuck::from_bytes_mut::<WorkerMember>(&mut d[8..]))),
    };
    require!(member.header().layout_version == MEMBER_LAYOUT_VERSION, PictorError::MemberLayoutUnsupported);
    require!(member.header().role == role as u8, PictorError::WrongRole);
    Ok(member)
}

/// Writes the discriminator and an empty header into a freshly created
/// (zeroed) member account.
pub fn init_member(info: &AccountInfo<'_>, role: Role, wallet: Pubkey, bump: u8) -> Result<()> {
    let mut data = info.try_borrow_mut_data()?;
    require!(data.len() == member_space(role), PictorError::WrongRole);
    data[..8].copy_from_slice(discriminator(role));
    let header: &mut MemberHeader = bytemuck::from_bytes_mut(&mut data[8..8 + core::mem::size_of::<MemberHeader>()]);
    header.wallet = wallet;
    header.layout_version = MEMBER_LAYOUT_VERSION;
    header.role = role as u8;
    header.bump = bump;
    Ok(())
}

/// A member of either role, decoded from account bytes by value (SDK, tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member {
    /// A creator.
    Creator(CreatorMember),
    /// A worker.
    Worker(WorkerMember),
}

impl Member {
    /// Decodes a member account's data (discriminator and layout checked).
    pub fn decode(data: &[u8]) -> Result<Member> {
        let body = data.get(8..).ok_or(PictorError::WrongRole)?;
        let member = if data[..8] == *CreatorMember::DISCRIMINATOR && body.len() == size_of::<CreatorMember>() {
            Member::Creator(bytemuck::pod_read_unaligned(body))
        } else if data[..8] == *WorkerMember::DISCRIMINATOR && body.len() == size_of::<WorkerMember>() {
            Member::Worker(bytemuck::pod_read_unaligned(body))
        } else {
            return err!(ErrorCode::AccountDiscriminatorMismatch);
        };
        require!(member.header().layout_version == MEMBER_LAYOUT_VERSION, PictorError::MemberLayoutUnsupported);
        Ok(member)
    }

    /// The discriminator of a role's member accounts.
    pub fn discriminator(role: Role) -> &'static [u8] {
        discriminator(role)
    }

    /// The common part.
    pub fn header(&self) -> &MemberHeader {
        match self {
            Member::Creator(m) => &m.header,
            Member::Worker(m) => &m.header,
        }
    }

    /// The facts.
    pub fn facts(&self) -> FactsRef<'_> {
        match self {
            Member::Creator(m) => FactsRef::Creator(&m.facts),
            Member::Worker(m) => FactsRef::Worker(&m.facts),
        }
    }

    /// The member's wallet.
    pub fn wallet(&self) -> Pubkey {
        self.header().wallet
    }

    /// The member's role.
    pub fn role(&self) -> Role {
        match self {
            Member::Creator(_) => Role::Creator,
            Member::Worker(_) => Role::Worker,
        }
    }

    /// The pass status.
    pub fn pass_status(&self) -> PassStatus {
        self.header().pass_status()
    }

    /// Whether this member's pass counts in round `round`.
    pub fn counts_in_round(&self, round: u32) -> bool {
        self.header().counts_in_round(round)
    }

    /// The member's entry in `round`, if ranked in it and still holding its pass.
    pub fn rank_in(&self, round: u32) -> Option<RankEntry> {
        self.header().rank_in(round)
    }

    /// The member's place in the order of `open`.
    pub fn order_key(&self, open: &OpenRound) -> Result<OrderKey> {
        order_key(self.header(), self.facts(), open)
    }
}

/// The member's score in the open round `open`: the score frozen when a
/// fact arrived mid-round, else the score of its facts as of the snapshot.
pub fn round_score(header: &MemberHeader, facts: FactsRef, open: &OpenRound) -> Result<i128> {
    match header.frozen_score(open.round) {
        Some(score) => Ok(score),
        None => crate::scoring::score(facts, open.snapshot_ts, &open.params),
    }
}

/// The member's place in the order of `open`.
pub fn order_key(header: &MemberHeader, facts: FactsRef, open: &OpenRound) -> Result<OrderKey> {
    Ok(OrderKey { score: round_score(header, facts, open)?, pass_serial: u64::from(header.pass_serial) })
}

use core::mem::size_of;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_day_reads_back_until_the_ring_moves_past_it() {
        let mut w = WorkerFacts::default();
        assert_eq!(w.uptime_on(20_000), None);
        w.set_uptime(20_000, 0);
        w.set_uptime(19_990, 1_440);
        assert_eq!((w.uptime_on(20_000), w.uptime_on(19_990)), (Some(0), Some(1_440)));
        assert_eq!(w.uptime_on(19_999), None, "never reported");
        // 59 days later the oldest slot still holds 20,000 ...
        w.set_uptime(20_059, 5);
        assert_eq!(w.uptime_on(20_000), Some(0));
        assert_eq!(w.uptime_on(19_990), None, "out of the ring");
        // ... and one more day reuses it.
        w.set_uptime(20_060, 6);
        assert_eq!((w.uptime_on(20_000), w.uptime_on(20_060)), (None, Some(6)));
        // A jump beyond the ring's length clears everything older.
        w.set_uptime(21_000, 7);
        assert_eq!((w.uptime_on(20_059), w.uptime_on(20_060), w.uptime_on(21_000)), (None, None, Some(7)));
    }

    #[test]
    fn a_day_slot_stores_zero_minutes_distinctly_from_unreported() {
        let mut w = WorkerFacts::default();
        w.set_uptime(100, 0);
        assert_eq!(w.day_slots[100 % WORKER_DAY_SLOTS], 1);
        assert_eq!(w.uptime_on(100), Some(0));
    }

    #[test]
    fn scores_round_trip_through_the_pod_type() {
        for v in [0, 1, -1, i128::MAX, i128::MIN, -95, 6_200] {
            assert_eq!(PodI128::new(v).get(), v);
        }
    }

    #[test]
    fn a_rank_keeps_the_finalised_slot_and_a_revocation_clears_both() {
        let mut h: MemberHeader = bytemuck::Zeroable::zeroed();
        h.layout_version = MEMBER_LAYOUT_VERSION;
        h.set_pass_status(PassStatus::Active);
        h.pass_serial = 1;
        h.record_rank(0, RankEntry { round: 1, rank: 3, score: 50, priority: true }, false);
        h.freeze(1, 2, 40);
        assert_eq!(h.frozen_score(2), Some(40));
        assert_eq!(h.rank_in(2), None, "frozen, not ranked");
        h.record_rank(1, RankEntry { round: 2, rank: 1, score: 40, priority: false }, false);
        assert_eq!(h.rank_in(1), Some(RankEntry { round: 1, rank: 3, score: 50, priority: true }));
        assert_eq!(h.rank_in(2), Some(RankEntry { round: 2, rank: 1, score: 40, priority: false }));
        // Round 3 overwrites round 1's slot, not round 2's (the finalised one).
        h.record_rank(2, RankEntry { round: 3, rank: 2, score: 9, priority: true }, false);
        assert!(h.rank_in(1).is_none() && h.rank_in(2).is_some() && h.rank_in(3).unwrap().priority);
        h.set_pass_status(PassStatus::Revoked);
        assert!(h.rank_in(2).is_none(), "a revoked member is nobody's rank");
        h.clear_ranks();
        h.set_pass_status(PassStatus::Active);
        assert!(h.rank_in(2).is_none() && h.rank_in(3).is_none() && h.rank_flags == 0);
    }

    fn final_round(round: u32, share: u64) -> FinalRound {
        FinalRound {
            round,
            snapshot_ts: 0,
            finalised_ts: 0,
            members: 3,
            priority_count: 1,
            removed: 0,
            cutoff_score: None,
            reward: super::super::RoundReward {
                amount_base_units: share * 2,
                ranks: 2,
                share_base_units: share,
                credited_base_units: share * 2,
            },
        }
    }

    #[test]
    fn a_credit_joins_the_balance_only_once_its_round_is_finalised_and_never_twice() {
        let mut h: MemberHeader = bytemuck::Zeroable::zeroed();
        h.record_rank(0, RankEntry { round: 1, rank: 1, score: 50, priority: true }, true);
        // Round 1 still open: nothing withdrawable, nothing settles.
        assert_eq!(h.withdrawable(None), 0);
        assert_eq!(h.settle_credits(None, Some(1)).unwrap(), 0);
        // Finalised with a share of 7: it settles once.
        let f1 = final_round(1, 7);
        assert_eq!(h.withdrawable(Some(&f1)), 7);
        assert_eq!(h.settle_credits(Some(&f1), None).unwrap(), 7);
        assert_eq!(h.settle_credits(Some(&f1), None).unwrap(), 0);
        assert_eq!((h.reward_balance, h.withdrawable(Some(&f1))), (7, 7));
    }

    #[test]
    fn an_abandoned_rounds_credit_is_void_and_an_open_rounds_can_be_taken_back() {
        let mut h: MemberHeader = bytemuck::Zeroable::zeroed();
        h.record_rank(0, RankEntry { round: 2, rank: 1, score: 50, priority: true }, true);
        // Round 2 abandoned; round 3 open; the latest finalised is round 1.
        let f1 = final_round(1, 7);
        assert_eq!(h.withdrawable(Some(&f1)), 0);
        assert_eq!(h.settle_credits(Some(&f1), Some(3)).unwrap(), 0);
        assert_eq!(h.rank_flags & CREDIT_BIT[0], 0, "the abandoned round's credit is gone");
        // Ranked and credited in round 3, then it leaves before round 3 ends.
        h.record_rank(1, RankEntry { round: 3, rank: 2, score: 40, priority: false }, true);
        let open = OpenRound {
            round: 3,
            snapshot_ts: 0,
            members: 3,
            priority_count: 1,
            ranked: 2,
            removed: 0,
            last: None,
            cutoff_score: None,
            params: super::super::ScoringParams { worker_window_days: 30, gpu_tiers: Vec::new() },
            reward: super::super::RoundReward {
                amount_base_units: 20,
                ranks: 2,
                share_base_units: 10,
                credited_base_units: 20,
            },
        };
        assert_eq!(h.void_open_credit(&open), 10);
        assert_eq!(h.void_open_credit(&open), 0);
        assert_eq!(h.reward_balance, 0);
    }

    #[test]
    fn a_member_decodes_only_with_its_own_discriminator_size_and_version() {
        let mut m: CreatorMember = bytemuck::Zeroable::zeroed();
        m.header.layout_version = MEMBER_LAYOUT_VERSION;
        let mut data = CreatorMember::DISCRIMINATOR.to_vec();
        data.extend_from_slice(bytemuck::bytes_of(&m));
        assert!(matches!(Member::decode(&data), Ok(Member::Creator(_))));
        let mut wrong = data.clone();
        wrong[..8].copy_from_slice(WorkerMember::DISCRIMINATOR);
        assert!(Member::decode(&wrong).is_err());
        assert!(Member::decode(&data[..data.len() - 1]).is_err());
        let version = 8 + core::mem::offset_of!(MemberHeader, layout_version);
        data[version] = 2;
        assert!(Member::decode(&data).is_err());
    }

    proptest! {
        /// The ring against a plain map of the days inside the window.
        #[test]
        fn the_ring_agrees_with_a_map_of_the_window(days in prop::collection::vec((0u32..200, 0u16..=1_440), 1..120)) {
            let mut ring = WorkerFacts::default();
            let mut map = std::collections::BTreeMap::new();
            let base = 30_000;
            for (offset, minutes) in days {
                let day = base + offset;
                let latest = map.keys().next_back().copied().unwrap_or(0).max(day);
                // Only days inside the ring of the latest day are accepted by the program.
                if day + WORKER_DAY_SLOTS as u32 <= latest || map.contains_key(&day) {
                    continue;
                }
                ring.set_uptime(day, minutes);
                map.insert(day, minutes);
            }
            let latest = *map.keys().next_back().unwrap();
            for day in latest.saturating_sub(2 * WORKER_DAY_SLOTS as u32)..=latest + 2 {
                let expected = (day + WORKER_DAY_SLOTS as u32 > latest).then(|| map.get(&day).copied()).flatten();
                prop_assert_eq!(ring.uptime_on(day), expected, "day {}", day);
            }
        }
    }
}

/// The member accounts in the IDL. A member is loaded by role from an
/// unchecked account (one instruction serves both layouts), so no accounts
/// struct names `CreatorMember` or `WorkerMember` and Anchor's IDL build
/// leaves them out. This prints them (accounts and the types they use) next
/// to the IDL build's own output; the IDL test (`tests/tests/idl.rs`) adds
/// them to the committed IDL, so clients decode members like any account.
#[cfg(all(test, feature = "idl-build"))]
mod idl_member_accounts {
    use super::{CreatorMember, WorkerMember};
    use anchor_lang::idl::build::IdlBuild;
    use anchor_lang::idl::types::IdlAccount;
    use anchor_lang::Discriminator;
    use std::collections::BTreeMap;

    #[test]
    fn __anchor_private_print_idl_member_accounts() {
        let mut types = BTreeMap::new();
        CreatorMember::insert_types(&mut types);
        WorkerMember::insert_types(&mut types);
        let mut accounts = Vec::new();
        for (ty, discriminator) in [
            (CreatorMember::create_type(), CreatorMember::DISCRIMINATOR),
            (WorkerMember::create_type(), WorkerMember::DISCRIMINATOR),
        ] {
            let ty = ty.expect("a zero-copy account has an IDL type");
            accounts.push(IdlAccount { name: ty.name.clone(), discriminator: discriminator.to_vec() });
            types.insert(ty.name.clone(), ty);
        }
        let types: Vec<_> = types.into_values().collect();
        println!("--- PICTOR begin member accounts ---");
        println!(
            "{}",
            anchor_lang::idl::serde_json::to_string_pretty(&anchor_lang::idl::serde_json::json!({
                "accounts": accounts, "types": types
            }))
            .expect("JSON")
        );
        println!("--- PICTOR end member accounts ---");
    }
}
