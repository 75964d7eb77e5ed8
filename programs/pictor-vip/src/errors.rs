//! The program's one error enum. Append only: codes are part of the interface
//! (the bot classifies `ReportAlreadyApplied` as success).
use anchor_lang::prelude::*;

#[error_code]
pub enum PictorError {
    #[msg("Signer is not the admin named in the config: sign with the admin key (`config show` names it)")]
    NotAdmin,
    #[msg("Signer is not the pending admin: the current admin must propose this key first")]
    NotPendingAdmin,
    #[msg(
        "Signer is not one of the oracle keys in the config: sign with an oracle key, or have the admin add this one"
    )]
    NotOracle,
    #[msg("Signer is not the crank key in the config: sign with the crank key, or have the admin set this one")]
    NotCrank,
    #[msg("Initialisation must be signed by the program's upgrade authority: sign with the deploy key")]
    NotUpgradeAuthority,
    #[msg("The program is paused by the admin; retry after it is unpaused")]
    Paused,
    #[msg("Report sequence number is not above the member's last applied one: already applied (a retry or replay); nothing to do")]
    ReportAlreadyApplied,
    #[msg("Uptime over 1,440 minutes in one day: fix the report (a day has 1,440 minutes)")]
    UptimeExceedsDay,
    #[msg("The reported day is not over by the fact time: report a UTC day once it is over")]
    DayNotCompleted,
    #[msg("The reported day is older than the worker window: it can no longer count; drop the report")]
    DayOutsideWindow,
    #[msg("This worker day was already reported: each day is reported once; drop the duplicate")]
    DayAlreadyReported,
    #[msg("Spending would exceed the creator's deposits: report the recharge first, or fix the amount")]
    SpendingExceedsDeposits,
    #[msg("A counter would overflow: the value is out of range; fix the report")]
    Overflow,
    #[msg("Amount must be greater than zero: drop empty reports")]
    ZeroAmount,
    #[msg("The member does not meet the eligibility rules for this role yet: `status WALLET` shows the progress")]
    NotEligible,
    #[msg("The member already holds a pass for this role: nothing to do")]
    PassAlreadyClaimed,
    #[msg("The member's pass is revoked; the admin must reinstate the member first")]
    MemberRevoked,
    #[msg("The member is not revoked: nothing to reinstate")]
    MemberNotRevoked,
    #[msg("The member is already revoked: nothing to do")]
    AlreadyRevoked,
    #[msg("The pass is still held (supply 1): nothing to sync")]
    PassStillHeld,
    #[msg("The member holds no active pass: nothing to sync")]
    NoActivePass,
    #[msg("A ranking round of this role is open; retry after it is finalised or abandoned")]
    RoundInProgress,
    #[msg("No ranking round of this role is open: open one first")]
    NoOpenRound,
    #[msg("The round number is not the open round (or, to open one, the next round): read the board again")]
    WrongRound,
    #[msg("Members are not in descending score order (ties: earlier pass first): recompute the order with the SDK's crank")]
    OrderViolation,
    #[msg("The member was already ranked in this round: continue with the next member")]
    AlreadyRanked,
    #[msg("The account is not a member of this role: pass the member PDA of the round's role")]
    WrongRole,
    #[msg("The member holds no pass that counts in this round: leave it out of the batch")]
    NotRoundMember,
    #[msg("The round cannot be finalised before every pass holder is ranked: rank the rest first")]
    RoundIncomplete,
    #[msg("Batch empty, above 58 members, or more than the round still has to rank: send a smaller batch")]
    BatchTooLarge,
    #[msg("A member account is not writable: mark every member account writable")]
    MemberNotWritable,
    #[msg("Retired: every invalid configuration field now has its own error")]
    InvalidConfig,
    #[msg("Too many oracle keys (at most 8): remove one first")]
    TooManyOracles,
    #[msg("This key is already an oracle: nothing to do")]
    OracleAlreadyPresent,
    #[msg("This key is not an oracle: nothing to remove")]
    OracleNotFound,
    #[msg("GPU model name too long (at most 32 bytes): shorten it")]
    GpuModelTooLong,
    #[msg("The clock is before 1970: timestamps must be non-negative")]
    InvalidClock,
    #[msg("The account given is not the expected one for this member: derive it with the SDK")]
    AccountMismatch,
    #[msg("Sequence number 0 is invalid: a member's report sequence numbers start at 1")]
    SequenceZero,
    #[msg("rules.creator_min_spent_base_units must be above 0 (USDT base units)")]
    CreatorThresholdZero,
    #[msg("rules.worker_min_daily_uptime_minutes must be 1 to 1,440 minutes")]
    DailyUptimeOutOfRange,
    #[msg("rules.scoring.worker_window_days must be 1 to 60 days")]
    WindowOutOfRange,
    #[msg("rules.worker_max_offline_run_days must not exceed the window length")]
    OfflineRunExceedsWindow,
    #[msg("rules.priority_bps must be 1 to 10,000 bps")]
    PriorityBpsOutOfRange,
    #[msg("rules.scoring.gpu_tiers holds at most 8 tiers")]
    TooManyGpuTiers,
    #[msg("Every GPU tier multiplier must be 1 to 50,000 bps (5x)")]
    GpuMultiplierOutOfRange,
    #[msg("Pass names must be 1 to 32 bytes")]
    PassNameInvalid,
    #[msg("The pass symbol must be 1 to 10 bytes")]
    PassSymbolInvalid,
    #[msg("Pass metadata URIs must be at most 200 bytes")]
    PassUriTooLong,
    #[msg("An account invariant does not hold: the change was refused; report this as a program bug")]
    InvariantViolated,
    #[msg(
        "The member account has a layout version or value this program does not know: upgrade the program or the SDK"
    )]
    MemberLayoutUnsupported,
    #[msg("The account already exists: initialise once only")]
    AlreadyInitialized,
    #[msg("The rent recipient is not the account that paid for this pass: pass the member's pass_rent_payer")]
    RentPayerMismatch,
    #[msg("The address holds an account owned by another program: it cannot be created here; report this")]
    AccountNotCreatable,
    #[msg("No member account: the oracle has not reported about this wallet in this role yet")]
    MemberNotFound,
    #[msg(
        "The fact time is later than the cluster clock plus the allowed skew: retry once the cluster clock catches up"
    )]
    FactTimeInFuture,
    #[msg("The fact time is earlier than the member's previous fact: report a member's facts in time order")]
    FactTimeBeforePrevious,
    #[msg("rules.max_fact_skew_secs must be at most 86,400 seconds (one day)")]
    FactSkewOutOfRange,
    #[msg("Nothing to withdraw: the member's reward balance is 0")]
    NothingToWithdraw,
    #[msg("This role's rewards are paid in another token: fund with the mint the role already uses")]
    RewardMintMismatch,
    #[msg("The reward mint has an extension a vault cannot hold safely (permanent delegate, transfer hook or fee, non-transferable, default frozen, pausable, confidential): use a plain mint")]
    UnsupportedRewardMint,
    #[msg("The account given is not this role's reward vault: derive it with the SDK")]
    RewardVaultMismatch,
    #[msg("The reward vault holds less than it owes: a program bug; report it")]
    RewardVaultShort,
    #[msg("This role has no rewards yet: nothing was ever funded, so there is nothing to withdraw")]
    NoRewardsYet,
    #[msg("Too few oracle keys signed this report: the configuration's oracle_quorum distinct oracles must sign its transaction")]
    OracleQuorumNotMet,
    #[msg("An oracle key is named twice among the report's signers: each oracle counts once towards the quorum; name distinct keys")]
    DuplicateOracleSigner,
    #[msg("A co-signing oracle account of the report did not sign the transaction: sign with every oracle key named")]
    OracleSignatureMissing,
    #[msg("rules.oracle_quorum must be 1 to 8 oracle keys")]
    OracleQuorumOutOfRange,
    #[msg("The oracle quorum would exceed the oracle keys configured: add an oracle key first, or lower rules.oracle_quorum")]
    OracleQuorumExceedsOracles,
    #[msg("rules.cadence.period_secs must be at most 31,622,400 seconds (366 days); 0 turns the cadence off")]
    CadencePeriodOutOfRange,
    #[msg("rules.cadence.open_window_secs must be 1 to the period in seconds (0 when the period is 0)")]
    CadenceOpenWindowOutOfRange,
    #[msg("rules.cadence.offset_secs must be below the period (0 when the period is 0)")]
    CadenceOffsetOutOfRange,
    #[msg("Rounds of this role follow the configured cadence and none may open now: wait for the next round window")]
    OutsideRoundWindow,
    #[msg("The previous round closed after this window's scheduled time, so this window's round cannot open: wait for the next window")]
    PreviousRoundOverran,
    #[msg("A scheduled round's snapshot time has passed and the round has not opened yet: change the rules after it opens or its window closes")]
    ScheduledRoundPending,
    #[msg("rules.scoring.gpu_tiers must start at 0 GB and 0 hashpower and never lower either minimum from one tier to the next")]
    GpuTiersNotAscending,
}

impl PictorError {
    /// Every variant, in code order (code = 6000 + index).
    pub const ALL: [PictorError; 76] = {
        use PictorError::*;
        [
            NotAdmin,
            NotPendingAdmin,
            NotOracle,
            NotCrank,
            NotUpgradeAuthority,
            Paused,
            ReportAlreadyApplied,
            UptimeExceedsDay,
            DayNotCompleted,
            DayOutsideWindow,
            DayAlreadyReported,
            SpendingExceedsDeposits,
            Overflow,
            ZeroAmount,
            NotEligible,
            PassAlreadyClaimed,
            MemberRevoked,
            MemberNotRevoked,
            AlreadyRevoked,
            PassStillHeld,
            NoActivePass,
            RoundInProgress,
            NoOpenRound,
            WrongRound,
            OrderViolation,
            AlreadyRanked,
            WrongRole,
            NotRoundMember,
            RoundIncomplete,
            BatchTooLarge,
            MemberNotWritable,
            InvalidConfig,
            TooManyOracles,
            OracleAlreadyPresent,
            OracleNotFound,
            GpuModelTooLong,
            InvalidClock,
            AccountMismatch,
            SequenceZero,
            CreatorThresholdZero,
            DailyUptimeOutOfRange,
            WindowOutOfRange,
            OfflineRunExceedsWindow,
            PriorityBpsOutOfRange,
            TooManyGpuTiers,
            GpuMultiplierOutOfRange,
            PassNameInvalid,
            PassSymbolInvalid,
            PassUriTooLong,
            InvariantViolated,
            MemberLayoutUnsupported,
            AlreadyInitialized,
            RentPayerMismatch,
            AccountNotCreatable,
            MemberNotFound,
            FactTimeInFuture,
            FactTimeBeforePrevious,
            FactSkewOutOfRange,
            NothingToWithdraw,
            RewardMintMismatch,
            UnsupportedRewardMint,
            RewardVaultMismatch,
            RewardVaultShort,
            NoRewardsYet,
            OracleQuorumNotMet,
            DuplicateOracleSigner,
            OracleSignatureMissing,
            OracleQuorumOutOfRange,
            OracleQuorumExceedsOracles,
            CadencePeriodOutOfRange,
            CadenceOpenWindowOutOfRange,
            CadenceOffsetOutOfRange,
            OutsideRoundWindow,
            PreviousRoundOverran,
            ScheduledRoundPending,
            GpuTiersNotAscending,
        ]
    };

    /// The variant with this custom error code, if any.
    pub fn from_code(code: u32) -> Option<PictorError> {
        let index = code.checked_sub(anchor_lang::error::ERROR_CODE_OFFSET)?;
        Self::ALL.get(usize::try_from(index).ok()?).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_variant_in_code_order() {
        let declared = include_str!("errors.rs").matches(concat!("#[", "msg(")).count();
        assert_eq!(PictorError::ALL.len(), declared, "a variant is missing from PictorError::ALL");
        for (i, e) in PictorError::ALL.iter().enumerate() {
            assert_eq!(u32::from(*e), 6_000 + i as u32, "{e:?} is out of order");
            assert_eq!(PictorError::from_code(u32::from(*e)).map(|x| x.name()), Some(e.name()));
        }
        assert!(PictorError::from_code(5_999).is_none());
        assert!(PictorError::from_code(6_000 + declared as u32).is_none());
    }
}
