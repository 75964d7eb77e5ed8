//! Logging: `tracing` to standard error, filtered by `RUST_LOG` (default
//! `warn`). Standard output carries only the command's own output.
use tracing_subscriber::EnvFilter;

/// Installs the subscriber (once; later calls do nothing).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).try_init();
}
