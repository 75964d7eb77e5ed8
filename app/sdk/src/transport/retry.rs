//! Sending through transport faults: jittered exponential backoff.
//!
//! A transport fault (a timeout, an expired blockhash, a duplicate
//! delivery, a node that is down) says nothing about the program: every
//! operation of this program is safe to repeat (reports by sequence number,
//! claims by pass status, rounds by round number), so the transaction is
//! simply re-signed with a fresh blockhash and sent again.
use super::{SendError, Transport};
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use std::time::Duration;

/// How hard to retry a transport fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts after the first send before the fault is returned.
    pub attempts: u32,
    /// The first wait; doubles each attempt, with ±50 % jitter.
    pub first_backoff: Duration,
    /// The longest wait.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { attempts: 6, first_backoff: Duration::from_millis(200), max_backoff: Duration::from_secs(10) }
    }
}

/// A small deterministic jitter source (xorshift), seeded per sender.
#[derive(Debug, Clone)]
pub struct Jitter(u64);

impl Jitter {
    /// A source from `seed` (0 is replaced by a constant).
    pub fn new(seed: u64) -> Self {
        Jitter(seed.max(1))
    }

    /// `base` scaled by a factor in [0.5, 1.5).
    pub fn spread(&mut self, base: Duration) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        let permille = 500 + self.0 % 1_000;
        base * u32::try_from(permille).unwrap_or(1_000) / 1_000
    }
}

/// Counts what the retries cost.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RetryStats {
    /// Sends repeated after a transport fault.
    pub retries: usize,
}

/// Sends `instructions`, retrying transport faults per `policy`. A program
/// refusal is returned at once; so is the last fault once the attempts are spent.
pub fn send_retrying(
    t: &mut dyn Transport,
    instructions: &[Instruction],
    signers: &[&Keypair],
    policy: &RetryPolicy,
    jitter: &mut Jitter,
    stats: &mut RetryStats,
) -> Result<(), SendError> {
    let mut wait = policy.first_backoff;
    let mut attempt = 0;
    loop {
        match t.send(instructions, signers) {
            Err(e) if e.is_transient() && attempt < policy.attempts => {
                attempt += 1;
                stats.retries += 1;
                pause_for(jitter.spread(wait));
                wait = (wait * 2).min(policy.max_backoff);
            }
            other => return other,
        }
    }
}

fn pause_for(d: Duration) {
    if !d.is_zero() {
        std::thread::sleep(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_half_to_one_and_a_half() {
        let mut j = Jitter::new(42);
        let base = Duration::from_millis(1_000);
        let spreads: Vec<Duration> = (0..1_000).map(|_| j.spread(base)).collect();
        assert!(spreads.iter().all(|d| *d >= base / 2 && *d < base * 3 / 2));
        assert!(spreads.iter().any(|d| *d < base * 3 / 4) && spreads.iter().any(|d| *d > base * 5 / 4));
    }
}
