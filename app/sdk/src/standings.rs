//! The standings a scheduler reads (SPEC §5, §10): each role's latest
//! finalised round, as rank and priority per wallet. A member whose pass was
//! revoked or burned has none (the program's `rank_in` says so). The job
//! distribution engine (`pictor-vip-dispatch`) turns them into lanes and
//! worker order.
use crate::error::Result;
use crate::profile::leaderboard;
use crate::read;
use crate::state::Role;
use crate::transport::Transport;
use solana_pubkey::Pubkey;
use std::collections::HashMap;

/// A member's place in its role's latest finalised round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Rank, from 1.
    pub rank: u32,
    /// Flagged priority.
    pub priority: bool,
}

/// A role's standings: its latest finalised round, by wallet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleStandings {
    /// The role.
    pub role: Role,
    /// The round they come from.
    pub round: u32,
    /// That round's snapshot time, unix seconds.
    pub snapshot_ts: i64,
    /// When it was finalised, unix seconds.
    pub finalised_ts: i64,
    /// What the board looked like when they were read; a change means a
    /// pass was claimed, revoked or burned since (see [`refresh`]).
    pub fingerprint: Fingerprint,
    /// Ranked members still holding their pass, by wallet.
    pub members: HashMap<Pubkey, Standing>,
}

/// What [`refresh`] compares: the latest finalised round and the board's
/// holder counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fingerprint {
    /// The latest finalised round (0: none).
    pub round: u32,
    /// Passes ever issued in the role.
    pub passes_issued: u64,
    /// Passes active now.
    pub active_holders: u32,
}

fn fingerprint(t: &mut dyn Transport, role: Role) -> Result<Option<Fingerprint>> {
    Ok(read::board(t, role)?.map(|b| Fingerprint {
        round: b.finalised_round(),
        passes_issued: b.passes_issued,
        active_holders: b.active_holders,
    }))
}

/// The standings of `role`'s latest finalised round (`None` before the
/// first round is finalised, or before `initialize`).
pub fn standings(t: &mut dyn Transport, role: Role) -> Result<Option<RoleStandings>> {
    let Some(fingerprint) = fingerprint(t, role)? else { return Ok(None) };
    let Some((round, rows)) = leaderboard(t, role)? else { return Ok(None) };
    Ok(Some(RoleStandings {
        role,
        round: round.round,
        snapshot_ts: round.snapshot_ts,
        finalised_ts: round.finalised_ts,
        fingerprint,
        members: rows
            .into_iter()
            .map(|r| (r.wallet, Standing { rank: r.entry.rank, priority: r.entry.priority }))
            .collect(),
    }))
}

/// The cheap check a long-running scheduler makes before each round: one
/// board read, and the member reads only when the board changed since
/// `current` (a newer round finalised, or a pass claimed, revoked or burned:
/// such a member's standing goes at once). `Ok(None)`: `current` is still
/// right; `Ok(Some(new))`: use `new` (its `members` may be empty if no round
/// was finalised yet).
pub fn refresh(t: &mut dyn Transport, role: Role, current: Option<&RoleStandings>) -> Result<Option<RoleStandings>> {
    let now = fingerprint(t, role)?;
    if let (Some(now), Some(current)) = (now, current) {
        if now == current.fingerprint {
            return Ok(None);
        }
    }
    Ok(Some(standings(t, role)?.unwrap_or(RoleStandings {
        role,
        round: 0,
        snapshot_ts: 0,
        finalised_ts: 0,
        fingerprint: now.unwrap_or_default(),
        members: HashMap::new(),
    })))
}
