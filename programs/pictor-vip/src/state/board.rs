use super::{Config, Role, RoundAnchor, RoundCadence, ScoringParams};
use crate::errors::PictorError;
use anchor_lang::prelude::*;

/// Where a member stands in a round's order: score descending, then earlier
/// pass (lower serial) first. Serials are unique per role, so the order is
/// total and two members never compare equal.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct OrderKey {
    /// Score as of the round's snapshot time, in points.
    pub score: i128,
    /// The member's pass serial within its role (claim order, from 1).
    pub pass_serial: u64,
}

/// A round's reward (SPEC §9): fixed when the round opens.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace)]
pub struct RoundReward {
    /// Funding attached to the round, in the reward token's base units.
    pub amount_base_units: u64,
    /// Ranks that share it: min(K, members at open).
    pub ranks: u32,
    /// Each rank's share: ⌊amount / ranks⌋, in base units (0 without ranks).
    pub share_base_units: u64,
    /// Credited so far, in base units. While the round is open these
    /// credits are tentative: they become the members' when it is
    /// finalised, and an abandoned round returns its whole amount.
    pub credited_base_units: u64,
}

impl RoundReward {
    /// What is not credited (yet), in base units.
    pub fn uncredited(&self) -> u64 {
        self.amount_base_units.saturating_sub(self.credited_base_units)
    }
}

/// A role's rank rewards (SPEC §9): one SPL token (classic Token or
/// Token-2022), set by the first funding, held in the role's vault.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default, PartialEq, Eq, InitSpace)]
pub struct RewardState {
    /// The reward token's mint (default until the first funding).
    pub mint: Pubkey,
    /// Its token program (Token or Token-2022).
    pub token_program: Pubkey,
    /// The vault: token account PDA `[REWARD_VAULT_SEED, role]`, owned by the reward authority PDA.
    pub vault: Pubkey,
    /// The mint's decimals.
    pub decimals: u8,
    /// Funded for the next round, in base units.
    pub pending_base_units: u64,
    /// Ranks the next round's funding is for (0: the round's priority count).
    pub pending_top_k: u32,
    /// Rounding remainders, shares of ranks that did not exist, forfeits:
    /// added to the next funding, in base units.
    pub carry_base_units: u64,
    /// Credited to members by finalised rounds and not withdrawn, in base
    /// units (a credit an open round made is not in it until the round is
    /// finalised).
    pub liability_base_units: u64,
    /// Everything ever funded, in base units (for information: saturates
    /// at u64::MAX instead of ever refusing a funding).
    pub funded_total_base_units: u64,
    /// Everything ever withdrawn, in base units (for information: saturates).
    pub withdrawn_total_base_units: u64,
}

impl RewardState {
    /// What the vault must hold at least: every credit of a finalised round
    /// not withdrawn, plus what is pending, carried and attached to an open
    /// round (all of it: its credits are not final until it is).
    pub fn obligations(&self, open: Option<&OpenRound>) -> Option<u64> {
        let in_round = open.map_or(0, |o| o.reward.amount_base_units);
        self.liability_base_units
            .checked_add(self.pending_base_units)?
            .checked_add(self.carry_base_units)?
            .checked_add(in_round)
    }
}

/// A round being ranked.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct OpenRound {
    /// Round number (per role, from 1; an abandoned number is never reused).
    pub round: u32,
    /// Scores are taken as of this time (unix seconds): the round's open time.
    pub snapshot_ts: i64,
    /// Pass holders the round must rank: the role's holders when it opened.
    pub members: u32,
    /// How many of them are flagged priority: ⌈members × priority_bps / 10,000⌉, ≥1 if any.
    pub priority_count: u32,
    /// Members ranked so far.
    pub ranked: u32,
    /// Members that lost their pass (revoked or burned) after the round
    /// opened, before they were ranked: no longer in `members`.
    pub removed: u32,
    /// Key of the last member ranked, if any.
    pub last: Option<OrderKey>,
    /// Score of the last priority member (the cutoff), once reached, in points.
    pub cutoff_score: Option<i128>,
    /// Scoring parameters frozen at open.
    pub params: ScoringParams,
    /// The round's reward.
    pub reward: RoundReward,
}

/// Summary of a finalised round: what the scheduler reads.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct FinalRound {
    /// Round number.
    pub round: u32,
    /// Snapshot time (unix seconds).
    pub snapshot_ts: i64,
    /// Time of finalisation (unix seconds).
    pub finalised_ts: i64,
    /// Members ranked.
    pub members: u32,
    /// Members flagged priority.
    pub priority_count: u32,
    /// Members removed from the round before they were ranked.
    pub removed: u32,
    /// Lowest score that got priority, in points (`None` for an empty round).
    pub cutoff_score: Option<i128>,
    /// The round's reward and what it credited.
    pub reward: RoundReward,
}

/// Per-role registry (PDA `[BOARD_SEED, role]`): pass counts and rounds.
#[account]
#[derive(InitSpace, Debug)]
pub struct Board {
    /// The role this board ranks.
    pub role: Role,
    /// Bump of this PDA.
    pub bump: u8,
    /// Passes ever minted for this role; the next claim gets serial `passes_issued + 1`.
    pub passes_issued: u64,
    /// Members whose pass is active now.
    pub active_holders: u32,
    /// Lowest number the next opened round may get (with the cadence off,
    /// exactly the number it gets).
    pub next_round: u32,
    /// Holders whose pass counts only from round `late_round`: claimed
    /// after a scheduled round's snapshot, before that round opened (with
    /// the cadence on). When that round opens they are not among its members.
    pub late_holders: u32,
    /// The first round of the `late_holders`.
    pub late_round: u32,
    /// When the last round was finalised or abandoned (unix seconds; 0
    /// before the first). A scheduled round opens only if the previous one
    /// closed before its snapshot, so every report since then froze its
    /// score for it.
    pub last_closed_ts: i64,
    /// The round being ranked, if any.
    pub open: Option<OpenRound>,
    /// The latest finalised round, if any.
    pub finalised: Option<FinalRound>,
    /// Rank rewards.
    pub rewards: RewardState,
}

impl Board {
    /// Fails with `RoundInProgress` while a round is open.
    pub fn require_no_open_round(&self) -> Result<()> {
        require!(self.open.is_none(), PictorError::RoundInProgress);
        Ok(())
    }

    /// The open round's number, if a round is open.
    pub fn open_round_number(&self) -> Option<u32> {
        self.open.as_ref().map(|o| o.round)
    }

    /// The open round, which must be number `round` (`NoOpenRound`, `WrongRound`).
    pub fn open_round(&self, round: u32) -> Result<&OpenRound> {
        let open = self.open.as_ref().ok_or(PictorError::NoOpenRound)?;
        require!(open.round == round, PictorError::WrongRound);
        Ok(open)
    }

    /// [`Board::open_round`], mutable.
    pub fn open_round_mut(&mut self, round: u32) -> Result<&mut OpenRound> {
        let open = self.open.as_mut().ok_or(PictorError::NoOpenRound)?;
        require!(open.round == round, PictorError::WrongRound);
        Ok(open)
    }

    /// The latest finalised round number (0 when none).
    pub fn finalised_round(&self) -> u32 {
        self.finalised.as_ref().map_or(0, |f| f.round)
    }

    /// The round whose scores no report may move any more, and its
    /// snapshot time: the open round, or, with the cadence on, the current
    /// window's round once its time has come and while it may still open
    /// (not opened yet, the previous round closed before its time, and some
    /// holder counts in it). `None` when every score may move.
    pub fn pending_snapshot(&self, config: &Config, now: i64) -> Option<(u32, i64)> {
        if let Some(open) = &self.open {
            return Some((open.round, open.snapshot_ts));
        }
        self.scheduled_snapshot(&config.rules.cadence, &config.round_anchor, now)
    }

    /// The scheduled round (no round open) whose snapshot has passed and
    /// whose scores reports must freeze now under `cadence` numbered from
    /// `anchor`: [`Board::due_round_under`], with some holder counting in it.
    /// `update_config` asks it of the cadence in force and of the new one.
    pub fn scheduled_snapshot(&self, cadence: &RoundCadence, anchor: &RoundAnchor, now: i64) -> Option<(u32, i64)> {
        let s = self.due_round_under(cadence, anchor, now)?;
        (self.holders_counting_in(s.round) > 0).then_some((s.round, s.snapshot_ts))
    }

    /// With the cadence on, the scheduled round of this role that may open
    /// at `now` (ignoring whether a round is open): its window's open part
    /// has come, its round is still to come (not opened or abandoned yet),
    /// and the previous round closed before its time. `None` with the
    /// cadence off. What `open_round` enforces (each condition with its own
    /// error there), as reports, `update_config`, the SDK's crank and the
    /// keeper read it.
    pub fn due_round(&self, config: &Config, now: i64) -> Option<crate::cadence::ScheduledRound> {
        self.due_round_under(&config.rules.cadence, &config.round_anchor, now)
    }

    /// [`Board::due_round`] under `cadence` numbered from `anchor`.
    pub fn due_round_under(
        &self,
        cadence: &RoundCadence,
        anchor: &RoundAnchor,
        now: i64,
    ) -> Option<crate::cadence::ScheduledRound> {
        crate::cadence::open_at(cadence, anchor, now)
            .filter(|s| s.round >= self.next_round && self.last_closed_ts < s.snapshot_ts)
    }

    /// Raises the lowest number the next round may get to `floor` (a
    /// reschedule of the cadence: SPEC §5's one line of round numbers);
    /// the number it had before.
    pub fn raise_next_round(&mut self, floor: u32) -> u32 {
        let before = self.next_round;
        self.next_round = before.max(floor);
        before
    }

    /// Records a new holder whose pass counts from round `first_round`.
    pub fn add_holder(&mut self, first_round: u32) -> Result<()> {
        self.active_holders = self.active_holders.checked_add(1).ok_or(PictorError::Overflow)?;
        if first_round > self.next_round {
            if first_round == self.late_round {
                self.late_holders = self.late_holders.checked_add(1).ok_or(PictorError::Overflow)?;
            } else if first_round > self.late_round {
                // Earlier late holders count in every round that can still open.
                self.late_round = first_round;
                self.late_holders = 1;
            }
        }
        Ok(())
    }

    /// Takes away a holder whose pass counted from round `first_round`
    /// (revoked or burned).
    pub fn remove_holder(&mut self, first_round: u32) -> Result<()> {
        self.active_holders = self.active_holders.checked_sub(1).ok_or(PictorError::InvariantViolated)?;
        if first_round == self.late_round && self.late_holders > 0 {
            self.late_holders -= 1;
        }
        Ok(())
    }

    /// The holders that count in round `round` when it opens: every active
    /// holder but those whose pass counts only from a later round.
    pub fn holders_counting_in(&self, round: u32) -> u32 {
        let late = if self.late_round > round { self.late_holders } else { 0 };
        self.active_holders.saturating_sub(late)
    }

    /// Takes a member that held a pass out of the open round at once
    /// (revoked, or its pass burned). A member not ranked yet leaves the
    /// round's count, so the round can still finalise; the priority count
    /// fixed at open stays, capped at the members left (see the README). A
    /// member already ranked keeps its place in the count; readers stop
    /// showing it because its rank entries are cleared.
    pub fn remove_from_open_round(&mut self, counted_in_open: bool, ranked_in_open: bool) -> Result<()> {
        let Some(open) = self.open.as_mut() else { return Ok(()) };
        if counted_in_open && !ranked_in_open {
            open.members = open.members.checked_sub(1).ok_or(PictorError::InvariantViolated)?;
            open.removed = open.removed.checked_add(1).ok_or(PictorError::Overflow)?;
            open.priority_count = open.priority_count.min(open.members);
            // The cap can make the member ranked last the last priority one.
            if open.cutoff_score.is_none() && open.priority_count > 0 && open.ranked == open.priority_count {
                open.cutoff_score = open.last.map(|k| k.score);
            }
        }
        Ok(())
    }

    /// Invariants every instruction that changes the board leaves true.
    pub fn invariant(&self) -> Result<()> {
        let mut ok = u64::from(self.active_holders) <= self.passes_issued && self.late_holders <= self.active_holders;
        if let Some(open) = &self.open {
            ok &= open.ranked <= open.members
                && open.priority_count <= open.members
                && open.round < self.next_round
                && open.round > self.finalised_round();
        }
        if let Some(done) = &self.finalised {
            ok &= done.priority_count <= done.members && done.round < self.next_round;
        }
        if let Some(open) = &self.open {
            ok &= open.reward.credited_base_units <= open.reward.amount_base_units;
        }
        ok &= self.rewards.obligations(self.open.as_ref()).is_some();
        require!(ok, PictorError::InvariantViolated);
        Ok(())
    }

    /// [`Board::invariant`], and SPEC §5's one line of round numbers per
    /// role under `config` at `now`, whatever the cadence did:
    /// - the next round that can open gets a number at or above the
    ///   cadence's anchor, which every reschedule puts above every round
    ///   whose window has passed (`cadence::reanchor`), and the board's next
    ///   number is raised to it: a round that opens never reuses a number
    ///   whose window froze scores or counted late holders;
    /// - late holders never count from a round beyond the first one a claim
    ///   now would count from, so no lower round can open and miss them.
    ///
    /// Called by every instruction that changes the cadence, opens a round
    /// or adds a holder.
    pub fn invariant_under(&self, config: &Config, now: i64) -> Result<()> {
        self.invariant()?;
        let (cadence, anchor) = (&config.rules.cadence, &config.round_anchor);
        let first_claimable = crate::cadence::first_round_of_claim(cadence, anchor, self.next_round, now);
        let ok = self.next_round >= anchor.round && self.late_round <= first_claimable;
        require!(ok, PictorError::InvariantViolated);
        Ok(())
    }
}
