//! The Profile a wallet asks for: passes, eligibility progress, score now,
//! rank and priority in the latest finalised round. Computed with the
//! program's own eligibility and scoring modules.
use crate::eligibility::{creator_eligibility, worker_eligibility, CreatorEligibility, WorkerEligibility};
use crate::error::{Error, Result};
use crate::read;
use crate::scoring;
use crate::state::{Config, FactsRef, FinalRound, Member, PassStatus, RankEntry, Role};
use crate::transport::Transport;
use crate::units::{format_usdt, group_thousands};
use solana_pubkey::Pubkey;
use std::fmt;

/// How far a member is from the threshold of its role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A creator's spending against the threshold.
    Creator(CreatorEligibility),
    /// A worker's uptime window.
    Worker(WorkerEligibility),
}

impl Progress {
    /// Whether the member may claim now.
    pub fn eligible(&self) -> bool {
        match self {
            Progress::Creator(c) => c.eligible,
            Progress::Worker(w) => w.eligible,
        }
    }
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Progress::Creator(c) => {
                let required = format_usdt(c.required_base_units);
                write!(f, "{} / {} spent", format_usdt(c.spent_base_units).trim_end_matches(" USDT"), required)
            }
            Progress::Worker(w) => write!(
                f,
                "uptime {} of {} days online, {} offline days in a row (max {}); {} / {} minutes",
                w.online_days,
                w.window_days,
                w.longest_offline_run_days,
                w.max_offline_run_days,
                group_thousands(w.total_uptime_minutes),
                group_thousands(w.required_uptime_minutes),
            ),
        }
    }
}

/// Eligibility progress of a member at `now` (unix seconds).
pub fn progress(member: &Member, config: &Config, now: i64) -> Result<Progress> {
    Ok(match member.facts() {
        FactsRef::Creator(c) => Progress::Creator(creator_eligibility(c, &config.rules)),
        FactsRef::Worker(w) => Progress::Worker(worker_eligibility(w, &config.rules, now).map_err(Error::rule)?),
    })
}

/// A score broken down by criterion (the program's own scoring).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreBreakdown {
    /// A creator's points.
    Creator(scoring::CreatorScore),
    /// A worker's points.
    Worker(scoring::WorkerScore),
}

impl ScoreBreakdown {
    /// The member's score as of `at` (unix seconds), by criterion.
    pub fn of(member: &Member, at: i64, config: &Config) -> Result<Self> {
        Ok(match member.facts() {
            FactsRef::Creator(c) => ScoreBreakdown::Creator(scoring::creator_score(c, at).map_err(Error::rule)?),
            FactsRef::Worker(w) => {
                ScoreBreakdown::Worker(scoring::worker_score(w, at, &config.rules.scoring).map_err(Error::rule)?)
            }
        })
    }

    /// The total, in points.
    pub fn total(&self) -> i128 {
        match self {
            ScoreBreakdown::Creator(c) => c.total,
            ScoreBreakdown::Worker(w) => w.total,
        }
    }
}

/// A member's status in one role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleStatus {
    /// Role.
    pub role: Role,
    /// Pass state.
    pub pass: PassStatus,
    /// Eligibility progress now.
    pub progress: Progress,
    /// Score now, in points (pass holders only).
    pub score_now: Option<i128>,
    /// The score now by criterion (pass holders only).
    pub score_breakdown: Option<ScoreBreakdown>,
    /// The role's latest finalised round, if any.
    pub finalised_round: Option<FinalRound>,
    /// The member's entry in that round, if it was ranked.
    pub rank: Option<RankEntry>,
    /// Rank rewards credited and not withdrawn (withdrawable now), in the
    /// reward token's base units.
    pub reward_balance_base_units: u64,
    /// The role's reward token and its decimals, once the role was funded.
    pub reward_mint: Option<(Pubkey, u8)>,
}

/// Status of `wallet` in `role` at the cluster's current time; `None` if
/// the oracle never reported about it.
pub fn role_status(t: &mut dyn Transport, role: Role, wallet: &Pubkey) -> Result<Option<RoleStatus>> {
    let Some(member) = read::member(t, role, wallet)? else { return Ok(None) };
    let config = read::config(t)?.ok_or(Error::NotInitialised)?;
    let now = t.now()?;
    status_of(t, role, &member, &config, now).map(Some)
}

/// A wallet's Profile in both roles, read once: the configuration, the
/// cluster's clock, both member accounts in one read.
#[derive(Debug, Clone)]
pub struct WalletProfile {
    /// The configuration the figures were computed with.
    pub config: Config,
    /// The cluster's time the figures are as of (unix seconds).
    pub now: i64,
    /// The creator status (`None`: never reported).
    pub creator: Option<RoleStatus>,
    /// The worker status (`None`: never reported).
    pub worker: Option<RoleStatus>,
}

/// `wallet`'s status in both roles at the cluster's current time.
pub fn wallet_profile(t: &mut dyn Transport, wallet: &Pubkey) -> Result<WalletProfile> {
    let config = read::config(t)?.ok_or(Error::NotInitialised)?;
    let now = t.now()?;
    let members = read::members_of(t, &[(Role::Creator, *wallet), (Role::Worker, *wallet)])?;
    let mut statuses = Vec::with_capacity(2);
    for (role, member) in Role::ALL.into_iter().zip(members) {
        statuses.push(match member {
            Some(m) => Some(status_of(t, role, &m, &config, now)?),
            None => None,
        });
    }
    let worker = statuses.pop().flatten();
    let creator = statuses.pop().flatten();
    Ok(WalletProfile { config, now, creator, worker })
}

/// A member's status in `role` as of `now`, with the role's board read.
fn status_of(t: &mut dyn Transport, role: Role, member: &Member, config: &Config, now: i64) -> Result<RoleStatus> {
    let board = read::board(t, role)?.ok_or(Error::NotInitialised)?;
    let holds = member.pass_status() == PassStatus::Active;
    let score_breakdown = if holds { Some(ScoreBreakdown::of(member, now, config)?) } else { None };
    let score_now = score_breakdown.map(|b| b.total());
    let finalised_round = board.finalised.clone();
    // A revoked or burned member is nobody's rank: `rank_in` says `None`.
    let rank = finalised_round.as_ref().and_then(|f| member.rank_in(f.round));
    Ok(RoleStatus {
        role,
        pass: member.pass_status(),
        progress: progress(member, config, now)?,
        score_now,
        score_breakdown,
        finalised_round,
        rank,
        // A finalised round's credit the member has not settled yet is its own.
        reward_balance_base_units: member.header().withdrawable(board.finalised.as_ref()),
        reward_mint: (board.rewards.mint != Pubkey::default()).then_some((board.rewards.mint, board.rewards.decimals)),
    })
}

/// A leaderboard line: a member's entry in the latest finalised round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderboardEntry {
    /// Wallet.
    pub wallet: Pubkey,
    /// Rank, score and priority.
    pub entry: RankEntry,
}

/// The latest finalised round of `role` and its members by rank.
pub fn leaderboard(t: &mut dyn Transport, role: Role) -> Result<Option<(FinalRound, Vec<LeaderboardEntry>)>> {
    let Some(final_round) = read::board(t, role)?.and_then(|b| b.finalised) else { return Ok(None) };
    let mut rows: Vec<LeaderboardEntry> = read::members(t, role)?
        .into_iter()
        .filter_map(|(_, m)| m.rank_in(final_round.round).map(|entry| LeaderboardEntry { wallet: m.wallet(), entry }))
        .collect();
    rows.sort_by_key(|r| r.entry.rank);
    Ok(Some((final_round, rows)))
}
