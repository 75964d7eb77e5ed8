//! The co-signer's metrics (`pictor_cosigner_*`), with the same crate the
//! keeper uses. Every label value is created at start, at zero.
use super::check::Reason;
use super::facts::FactIndex;
use pictor_vip_http::metrics;
use prometheus::{Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Registry};

/// Every metric's name starts with this.
pub const NAMESPACE: &str = "pictor_cosigner";

/// The co-signer's metrics.
pub struct Metrics {
    registry: Registry,
    process: Registry,
    /// Transactions signed.
    pub signatures: IntCounter,
    /// Instructions refused, by reason.
    pub refusals: IntCounterVec,
    /// Requests that were not sign requests (not JSON, not base64, not a transaction).
    pub bad_requests: IntCounter,
    /// Time to judge and sign a request, seconds.
    pub sign_seconds: Histogram,
    /// Facts of the feed indexed.
    pub feed_facts: IntGauge,
    /// Feed lines read.
    pub feed_lines: IntCounter,
    /// Feed lines refused, by reason.
    pub feed_lines_bad: IntCounterVec,
    /// The newest fact time the feed holds, unix seconds (lag: `time()` minus it).
    pub feed_newest_fact_ts: IntGauge,
    /// Facts signed, in the ledger.
    pub ledger_facts: IntGauge,
    /// 1 once the feed is read up to its end.
    pub ready: IntGauge,
    /// 1 while healthy.
    pub healthy: IntGauge,
    /// 1 when the configuration (read at start with `--url`) lists its key as an oracle key.
    pub is_oracle: IntGauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Every metric, registered.
    pub fn new() -> Self {
        let r = Registry::new_custom(Some(NAMESPACE.into()), None).expect("a valid namespace");
        let counter = |name: &str, help: &str| metrics::counter(&r, name, help);
        let gauge = |name: &str, help: &str| metrics::gauge(&r, name, help);
        // Each label value created at zero.
        let counter_vec = |name: &str, help: &str, label: &str, values: &[&str]| {
            let c = metrics::counter_vec(&r, name, help, &[label]);
            for v in values {
                c.with_label_values(&[v]);
            }
            c
        };
        let reasons: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
        let sign_seconds = Histogram::with_opts(
            HistogramOpts::new("sign_seconds", "Time to judge (and sign) a request, seconds")
                .buckets(vec![0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1.0]),
        )
        .expect("a valid metric");
        r.register(Box::new(sign_seconds.clone())).expect("registered once");
        Metrics {
            signatures: counter("signatures_total", "Report transactions signed"),
            refusals: counter_vec("refusals_total", "Instructions refused, by reason (SPEC §6)", "reason", &reasons),
            bad_requests: counter("bad_requests_total", "Requests that were not a sign request"),
            sign_seconds,
            feed_facts: gauge("feed_facts", "Facts of its own feed indexed by (wallet, seq)"),
            feed_lines: counter("feed_lines_total", "Lines of its feed read"),
            feed_lines_bad: counter_vec(
                "feed_lines_bad_total",
                "Lines of its feed refused, by reason",
                "reason",
                &["malformed", "unknown_type", "not_a_key", "conflicting"],
            ),
            feed_newest_fact_ts: gauge(
                "feed_newest_fact_timestamp_seconds",
                "The newest fact time its feed holds, unix seconds (feed lag: time() minus this)",
            ),
            ledger_facts: gauge("ledger_facts", "Facts it signed, kept in its ledger"),
            ready: gauge("ready", "1 once its feed is read up to its end"),
            healthy: gauge("healthy", "1 while its feed is followed and its ledger written"),
            is_oracle: gauge("is_oracle", "1 when the configuration lists its key as an oracle key (read at start)"),
            registry: r,
            process: crate::keeper::metrics::process_and_build(NAMESPACE),
        }
    }

    /// The feed's figures after a read.
    pub fn observe_feed(&self, facts: &FactIndex) {
        self.feed_facts.set(facts.len() as i64);
        let read = facts.lines.saturating_sub(self.feed_lines.get());
        self.feed_lines.inc_by(read);
        let bad = &facts.bad;
        for (reason, n) in [
            ("malformed", bad.malformed),
            ("unknown_type", bad.unknown_type),
            ("not_a_key", bad.not_a_key),
            ("conflicting", bad.conflicting),
        ] {
            let c = self.feed_lines_bad.with_label_values(&[reason]);
            c.inc_by(n.saturating_sub(c.get()));
        }
        if let Some(ts) = facts.newest_fact_ts {
            self.feed_newest_fact_ts.set(ts);
        }
    }

    /// The scrape, in the Prometheus text format.
    pub fn render(&self) -> String {
        crate::keeper::metrics::render_all(&[&self.registry, &self.process])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The alert rules (and their promtool tests) name only metrics the co-signer exports.
    #[test]
    fn the_alert_rules_name_only_metrics_the_cosigner_exports() {
        let text = Metrics::new().render();
        let exported: std::collections::BTreeSet<&str> =
            text.lines().filter(|l| !l.starts_with('#')).map(|l| l.split(['{', ' ']).next().unwrap()).collect();
        for name in ["process_cpu_seconds_total", "process_start_time_seconds", "pictor_cosigner_build_info"] {
            assert!(exported.contains(name), "{name} in\n{text}");
        }
        let files = [
            include_str!("../../../../deploy/prometheus/pictor-vip-cosigner.rules.yml"),
            include_str!("../../../../deploy/prometheus/pictor-vip-cosigner.rules.test.yml"),
        ];
        crate::keeper::metrics::assert_rules_name_only_exported(&text, "pictor_cosigner_", &files, 4);
    }
}
