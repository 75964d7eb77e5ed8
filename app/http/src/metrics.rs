//! What every service exports besides its own metrics: the process and
//! the build.
use prometheus::{Encoder, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder};

/// A counter, registered in `registry`.
pub fn counter(registry: &Registry, name: &str, help: &str) -> IntCounter {
    let c = IntCounter::with_opts(Opts::new(name, help)).expect("a valid metric");
    registry.register(Box::new(c.clone())).expect("registered once");
    c
}

/// A counter with `labels`, registered in `registry`.
pub fn counter_vec(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let c = IntCounterVec::new(Opts::new(name, help), labels).expect("a valid metric");
    registry.register(Box::new(c.clone())).expect("registered once");
    c
}

/// A gauge, registered in `registry`.
pub fn gauge(registry: &Registry, name: &str, help: &str) -> IntGauge {
    let g = IntGauge::with_opts(Opts::new(name, help)).expect("a valid metric");
    registry.register(Box::new(g.clone())).expect("registered once");
    g
}

/// A gauge with `labels`, registered in `registry`.
pub fn gauge_vec(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
    let g = IntGaugeVec::new(Opts::new(name, help), labels).expect("a valid metric");
    registry.register(Box::new(g.clone())).expect("registered once");
    g
}

/// `process_*` (the prometheus crate's process collector: CPU seconds,
/// resident and virtual memory, open and maximum file descriptors, start
/// time), unprefixed as Prometheus names them, and
/// `NAMESPACE_build_info{version, commit}` = 1, in a registry of their own.
pub fn process_and_build(namespace: &str) -> Registry {
    let r = Registry::new();
    #[cfg(target_os = "linux")]
    r.register(Box::new(prometheus::process_collector::ProcessCollector::for_self()))
        .expect("the process collector registers once");
    let info = IntGaugeVec::new(
        Opts::new(format!("{namespace}_build_info"), "1, labelled with the version and the commit built from"),
        &["version", "commit"],
    )
    .expect("a valid metric");
    info.with_label_values(&[env!("CARGO_PKG_VERSION"), env!("PICTOR_GIT_COMMIT")]).set(1);
    r.register(Box::new(info)).expect("registered once");
    r
}

/// Every family of `registries`, in the Prometheus text format.
pub fn render_all(registries: &[&Registry]) -> String {
    let families: Vec<_> = registries.iter().flat_map(|r| r.gather()).collect();
    let mut out = Vec::new();
    TextEncoder::new().encode(&families, &mut out).expect("text encoding does not fail");
    String::from_utf8(out).expect("the text format is UTF-8")
}
