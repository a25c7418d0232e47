//! Structured logs. `REGISTRY_LOG` (or `RUST_LOG`) sets the filter; `REGISTRY_LOG_FORMAT=json`
//! switches to one JSON object per line. Nothing here ever logs bodies, tokens or IDs.

use tracing_subscriber::{EnvFilter, fmt};

/// Installs the global subscriber once; later calls are ignored (tests start many apps).
pub fn init() {
    let filter = std::env::var("REGISTRY_LOG")
        .ok()
        .or_else(|| std::env::var("RUST_LOG").ok())
        .unwrap_or_else(|| "info,sqlx=warn,sea_orm=warn".into());
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("REGISTRY_LOG_FORMAT").is_ok_and(|v| v == "json");
    let result = if json {
        fmt()
            .with_env_filter(filter)
            .json()
            .with_writer(std::io::stderr)
            .try_init()
    } else {
        fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .try_init()
    };
    // An already-installed subscriber is fine.
    drop(result);
}
