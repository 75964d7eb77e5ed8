//! The server's Prometheus metrics (the same `prometheus` crate the keeper
//! and the co-signer use), served on `--metrics-listen` (loopback by
//! default; not on the public address): Actions shown and built, refusals
//! by reason, sponsored claims, transactions relayed, and `process_*` and
//! `pictor_server_build_info`.
use crate::actions::Kind;
use pictor_vip_http::metrics::{counter, counter_vec, gauge};
use prometheus::{IntCounter, IntCounterVec, IntGauge, Registry};

/// Every metric's name starts with this.
pub const NAMESPACE: &str = "pictor_server";
/// Why an Action request was refused (the `reason` label).
pub const REFUSAL_REASONS: [&str; 3] = ["bad_request", "not_an_address", "sponsor_account"];
/// What became of a transaction relayed for a wallet (the `outcome` label).
pub const RELAY_OUTCOMES: [&str; 3] = ["sent", "refused_by_node", "not_allowed"];

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    process: Registry,
    /// Actions shown (GET), by action.
    pub shown: IntCounterVec,
    /// Transactions built (POST), by action and whether the sponsor signed.
    pub built: IntCounterVec,
    /// Action requests refused, by action and reason.
    pub refusals: IntCounterVec,
    /// Claims the sponsor signed.
    pub sponsored: IntCounter,
    /// Sponsorships refused, by reason.
    pub sponsor_refusals: IntCounterVec,
    /// New sponsorships today (UTC), against `--sponsor-daily-limit`.
    pub sponsored_today: IntGauge,
    /// Transactions relayed for the Profile page's wallets, by outcome.
    pub relayed: IntCounterVec,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Every metric, each label value at zero.
    pub fn new() -> Self {
        let r = Registry::new_custom(Some(NAMESPACE.into()), None).expect("a valid namespace");
        let sponsored = counter(&r, "sponsored_claims_total", "Claims the sponsor signed");
        let sponsored_today = gauge(&r, "sponsored_today", "New sponsorships today (UTC), against the daily limit");
        let m = Metrics {
            shown: counter_vec(&r, "actions_shown_total", "Actions shown (GET), by action", &["action"]),
            built: counter_vec(
                &r,
                "actions_built_total",
                "Action transactions built (POST), by action and whether the sponsor signed",
                &["action", "sponsored"],
            ),
            refusals: counter_vec(
                &r,
                "action_refusals_total",
                "Action requests refused, nothing built, by action and reason",
                &["action", "reason"],
            ),
            sponsored,
            sponsor_refusals: counter_vec(&r, "sponsor_refusals_total", "Sponsorships refused, by reason", &["reason"]),
            sponsored_today,
            relayed: counter_vec(
                &r,
                "transactions_relayed_total",
                "Signed transactions relayed to the cluster for the Profile page, by outcome",
                &["outcome"],
            ),
            process: pictor_vip_http::metrics::process_and_build(NAMESPACE),
            registry: r,
        };
        for kind in [Kind::Claim, Kind::Withdraw] {
            let k = kind.as_str();
            m.shown.with_label_values(&[k]);
            for sponsored in ["true", "false"] {
                m.built.with_label_values(&[k, sponsored]);
            }
            for reason in REFUSAL_REASONS.iter().chain(pictor_vip_sdk::holder::Refusal::CODES.iter()) {
                m.refusals.with_label_values(&[k, reason]);
            }
            for reason in crate::sponsor::SponsorRefusal::CODES {
                m.refusals.with_label_values(&[k, reason]);
            }
        }
        for reason in crate::sponsor::SponsorRefusal::CODES {
            m.sponsor_refusals.with_label_values(&[reason]);
        }
        for outcome in RELAY_OUTCOMES {
            m.relayed.with_label_values(&[outcome]);
        }
        m
    }

    /// The scrape, in the Prometheus text format.
    pub fn render(&self) -> String {
        pictor_vip_http::metrics::render_all(&[&self.registry, &self.process])
    }

    /// An Action shown.
    pub fn action_shown(&self, kind: Kind) {
        self.shown.with_label_values(&[kind.as_str()]).inc();
    }

    /// A transaction built.
    pub fn built(&self, kind: Kind, sponsored: bool) {
        self.built.with_label_values(&[kind.as_str(), if sponsored { "true" } else { "false" }]).inc();
    }

    /// A request refused for `reason`.
    pub fn refused(&self, kind: Kind, reason: &str) {
        self.refusals.with_label_values(&[kind.as_str(), reason]).inc();
    }

    /// A sponsorship refused.
    pub fn sponsor_refused(&self, reason: &str) {
        self.sponsor_refusals.with_label_values(&[reason]).inc();
    }

    /// A claim sponsored; `today` new sponsorships so far today.
    pub fn sponsored(&self, today: u32) {
        self.sponsored.inc();
        self.sponsored_today.set(i64::from(today));
    }
}
