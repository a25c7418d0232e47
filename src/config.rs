//! Configuration, read once from the environment into a typed [`Config`].

use std::{net::SocketAddr, path::PathBuf};

use anyhow::Context;
use secrecy::SecretString;

/// Everything the registry reads from its environment (names as in docs/API.md).
#[derive(Debug, Clone)]
pub struct Config {
    /// `REGISTRY_BIND`, default `127.0.0.1:8080`.
    pub bind: SocketAddr,
    /// `REGISTRY_DATA_DIR`, default `./data`; created on first start.
    pub data_dir: PathBuf,
    /// `DATABASE_URL`; default a SQLite file inside the data directory.
    pub database_url: SecretString,
    /// `REGISTRY_BASE_URL`: the public URL printed into QR codes.
    pub base_url: String,
    /// `REGISTRY_SMTP_URL`; unset means mails are written as `.eml` files.
    pub smtp_url: Option<SecretString>,
    /// `REGISTRY_PII_KEY`: base64 of 64 bytes (sealing key ‖ blind-index key). Unset: the
    /// keys are kept in `keys/pii.key` in the data directory, created on first start.
    /// Several instances must share the same keys.
    pub pii_key: Option<SecretString>,
    /// `REGISTRY_SIGNING_KEY`: `<key id>:<secretKeyMultibase>` of the Ed25519 key that
    /// signs credentials. Unset: keys live in `keys/signing/` in the data directory,
    /// created on first start.
    pub signing_key: Option<SecretString>,
    /// `REGISTRY_CERTS_DIR`: certificate layouts and fonts (default `./certs`, else the
    /// source tree's `certs/`).
    pub certs_dir: PathBuf,
    /// `REGISTRY_REGION_CODE`: administrative code prefixing registry-format certificate
    /// numbers (default `150784`, Erguna).
    pub region_code: String,
    /// `REGISTRY_VERIFY_RATE_PER_MINUTE`: verification and look-up requests one client
    /// (IP address) may make per minute, in bursts of up to a quarter of that (default
    /// 120; 0 turns the limit off, e.g. for load benchmarks).
    pub verify_rate_per_minute: u32,
    /// `REGISTRY_HOLDER_MATCH_PER_HOUR`: holder-match attempts one certificate accepts per
    /// hour from all clients together (default 10; 0 turns the limit off). The hidden
    /// digits of a masked ID number are a birth date, so without this limit anyone who
    /// knows a holder's name could find it by trying.
    pub holder_match_per_hour: u32,
    /// `REGISTRY_VERIFY_SYNC_MS`: how often this instance applies changes made through
    /// other instances to its verification index, in milliseconds (default 1000).
    pub verify_sync_ms: u64,
    /// `REGISTRY_TOKEN_TTL_SECONDS`: lifetime of a login token (default 12 hours).
    pub token_ttl_seconds: i64,
    /// `REGISTRY_BODY_LIMIT_BYTES`: the largest request body accepted (default 1 MiB).
    pub body_limit_bytes: usize,
    /// `REGISTRY_UTC_OFFSET`: the registry's time zone as an offset such as `+08:00`
    /// (default, China Standard Time): what calendar day "today" is.
    pub utc_offset: chrono::FixedOffset,
}

impl Config {
    /// Reads the environment; unset variables take their documented defaults.
    pub fn from_env() -> anyhow::Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let bind: SocketAddr = var("REGISTRY_BIND")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .context("REGISTRY_BIND must be an address such as 127.0.0.1:8080")?;
        let data_dir = PathBuf::from(var("REGISTRY_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = var("DATABASE_URL").unwrap_or_else(|| sqlite_url_in(&data_dir));
        let base_url = var("REGISTRY_BASE_URL").unwrap_or_else(|| format!("http://{bind}"));
        let token_ttl_seconds = match var("REGISTRY_TOKEN_TTL_SECONDS") {
            Some(v) => v
                .parse()
                .context("REGISTRY_TOKEN_TTL_SECONDS must be a whole number of seconds")?,
            None => 12 * 3600,
        };
        let body_limit_bytes = match var("REGISTRY_BODY_LIMIT_BYTES") {
            Some(v) => v
                .parse()
                .context("REGISTRY_BODY_LIMIT_BYTES must be a whole number of bytes")?,
            None => 1024 * 1024,
        };
        let utc_offset = match var("REGISTRY_UTC_OFFSET") {
            Some(v) => v
                .parse()
                .ok()
                .context("REGISTRY_UTC_OFFSET must be an offset such as +08:00")?,
            None => china_standard_time(),
        };
        Ok(Self {
            bind,
            data_dir,
            database_url: database_url.into(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            smtp_url: var("REGISTRY_SMTP_URL").map(Into::into),
            pii_key: var("REGISTRY_PII_KEY").map(Into::into),
            signing_key: var("REGISTRY_SIGNING_KEY").map(Into::into),
            certs_dir: var("REGISTRY_CERTS_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(default_certs_dir),
            region_code: var("REGISTRY_REGION_CODE").unwrap_or_else(|| "150784".into()),
            verify_rate_per_minute: match var("REGISTRY_VERIFY_RATE_PER_MINUTE") {
                Some(v) => v
                    .parse()
                    .context("REGISTRY_VERIFY_RATE_PER_MINUTE must be a whole number")?,
                None => 120,
            },
            holder_match_per_hour: match var("REGISTRY_HOLDER_MATCH_PER_HOUR") {
                Some(v) => v
                    .parse()
                    .context("REGISTRY_HOLDER_MATCH_PER_HOUR must be a whole number")?,
                None => 10,
            },
            verify_sync_ms: match var("REGISTRY_VERIFY_SYNC_MS") {
                Some(v) => v.parse().ok().filter(|ms| *ms > 0).context(
                    "REGISTRY_VERIFY_SYNC_MS must be a whole number of milliseconds above 0",
                )?,
                None => 1000,
            },
            token_ttl_seconds,
            body_limit_bytes,
            utc_offset,
        })
    }

    /// A configuration for tests and tools: the given data directory and database, all
    /// else default.
    pub fn for_data_dir(data_dir: PathBuf, database_url: Option<String>) -> Self {
        let database_url = database_url.unwrap_or_else(|| sqlite_url_in(&data_dir));
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir,
            database_url: database_url.into(),
            base_url: "http://127.0.0.1".into(),
            smtp_url: None,
            pii_key: None,
            signing_key: None,
            certs_dir: default_certs_dir(),
            region_code: "150784".into(),
            verify_rate_per_minute: 120,
            holder_match_per_hour: 10,
            verify_sync_ms: 1000,
            token_ttl_seconds: 12 * 3600,
            body_limit_bytes: 1024 * 1024,
            utc_offset: china_standard_time(),
        }
    }
}

/// UTC+8, the time zone of all of China.
fn china_standard_time() -> chrono::FixedOffset {
    const CST: chrono::FixedOffset = match chrono::FixedOffset::east_opt(8 * 3600) {
        Some(offset) => offset,
        None => panic!("UTC+8 is a valid offset"),
    };
    CST
}

/// The default database: `registry.db` in the data directory, created if missing.
fn sqlite_url_in(data_dir: &std::path::Path) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("registry.db").display()
    )
}

/// `./certs` when it exists (a checkout or an installed copy), otherwise the `certs/`
/// of the source tree the binary was built from.
fn default_certs_dir() -> PathBuf {
    let local = PathBuf::from("certs");
    if local.join("layouts").is_dir() {
        local
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("certs")
    }
}
