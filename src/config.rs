//! Configuration, read once from the environment into a typed [`Config`].

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use anyhow::Context;
use secrecy::SecretString;

use crate::{imports::Limits, reminders::Schedules};

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
    /// `REGISTRY_MAIL_FROM`: the sender of every message, e.g.
    /// `额尔古纳市职业技能登记 <noreply@registry.example.org>` (default `noreply@` the host
    /// of the base URL).
    pub mail_from: String,
    /// `REGISTRY_MAIL_DELIVERY`: `0` stops this instance from delivering queued mail (the
    /// messages wait for an instance that does); default on.
    pub mail_delivery: bool,
    /// `REGISTRY_REMINDERS`: reminder schedules per kind, days before the date (negative:
    /// after), e.g. `licence=90,30,7,0,-30; order_deadline=14,3; milestone=7,0`; kinds not named keep
    /// their defaults ([`Schedules::default`]).
    pub reminders: Schedules,
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
    /// hour from all clients together (default 30; 0 turns the limit off). The hidden
    /// digits of a masked ID number are a birth date, so without this limit anyone who
    /// knows a holder's name could find it by trying.
    pub holder_match_per_hour: u32,
    /// `REGISTRY_HOLDER_MATCH_PER_CLIENT_PER_HOUR`: holder-match attempts one client may
    /// make on one certificate per hour (default 5; 0 turns the limit off). Lower than the
    /// certificate's own budget, so one stranger cannot use that up for everyone.
    pub holder_match_per_client_per_hour: u32,
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
    /// `REGISTRY_TRUSTED_PROXIES`: addresses or CIDR blocks of the proxies (load balancers)
    /// in front of the registry, separated by commas (default none). Only for a request
    /// from one of them is the forwarded client address believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `REGISTRY_FORWARDED_HEADER`: the header those proxies write, `x-forwarded-for`
    /// (default) or `forwarded` (RFC 7239). The other one is a client's claim and ignored.
    pub forwarded_header: ForwardedHeader,
    /// `REGISTRY_HEADER_TIMEOUT_SECONDS`: time a client has to send a request's head, from
    /// opening the connection or from the previous answer on it (default 10). A
    /// connection kept open without a new request is closed after it too.
    pub header_read_timeout: Duration,
    /// `REGISTRY_BODY_TIMEOUT_SECONDS`: time a client has to send a request's whole body,
    /// from when the server starts reading it (default 60).
    pub body_read_timeout: Duration,
    /// `REGISTRY_IDLE_TIMEOUT_SECONDS`: a connection whose client stops taking its answer
    /// (nothing can be written for this long) is closed (default 60). A connection idle
    /// between requests is closed by the header timeout.
    pub idle_timeout: Duration,
    /// `REGISTRY_MAX_CONNECTIONS`: connections served at once (default 512); more wait to
    /// be accepted.
    pub max_connections: usize,
    /// `REGISTRY_SIGN_IN_DELAY_AFTER`: failed sign-ins (per account and per client address,
    /// within the window) after which each further attempt waits: 1 second, then twice as
    /// long each time (default 5).
    pub sign_in_delay_after: u32,
    /// `REGISTRY_SIGN_IN_LOCK_AFTER`: failed sign-ins within the window after which the
    /// account or address is locked (default 10).
    pub sign_in_lock_after: u32,
    /// `REGISTRY_SIGN_IN_WINDOW_MINUTES`: how long failed sign-ins are counted together
    /// (default 15).
    pub sign_in_window_minutes: u32,
    /// `REGISTRY_SIGN_IN_LOCK_MINUTES`: how long a lock lasts (default 15).
    pub sign_in_lock_minutes: u32,
    /// `REGISTRY_IMPORT_MAX_ROWS`: data rows one uploaded enrolment list may hold (default
    /// 2,000); the file's other bounds grow with it (`imports::Limits`). A larger upload
    /// also needs `REGISTRY_BODY_LIMIT_BYTES` raised.
    pub import_max_rows: usize,
    /// `REGISTRY_LEDGER_IMPORT_MAX_ROWS`: data rows one `registry import` may hold (the
    /// bureau's historical ledgers; default 200,000).
    pub ledger_import_max_rows: usize,
    /// `REGISTRY_STATEMENT_COUNT_HEADER`: `1` to answer every request with
    /// `x-db-statements`, the number of SQL statements it ran (default off; the tests that
    /// check a list page runs the same statements for 40 rows as for 2 turn it on).
    pub statement_count_header: bool,
    /// `REGISTRY_SUBSIDY_LIMIT`: subsidised trainings (enrolments in cohorts that fulfil a
    /// training order) one person may have before the data-quality panel flags them
    /// (default 3, as in domain facts; at least 1).
    pub subsidy_limit: u32,
}

/// Which header a trusted proxy puts the client's address in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, …`
    XForwardedFor,
    /// `Forwarded: for=client, for=proxy1` (RFC 7239).
    Forwarded,
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
            mail_from: var("REGISTRY_MAIL_FROM")
                .unwrap_or_else(|| format!("noreply@{}", host_of(&base_url))),
            mail_delivery: var("REGISTRY_MAIL_DELIVERY").is_none_or(|v| v.trim() != "0"),
            reminders: match var("REGISTRY_REMINDERS") {
                Some(spec) => Schedules::parse(&spec)?,
                None => Schedules::default(),
            },
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
            holder_match_per_hour: number("REGISTRY_HOLDER_MATCH_PER_HOUR", 30)?,
            holder_match_per_client_per_hour: number(
                "REGISTRY_HOLDER_MATCH_PER_CLIENT_PER_HOUR",
                5,
            )?,
            verify_sync_ms: match var("REGISTRY_VERIFY_SYNC_MS") {
                Some(v) => v.parse().ok().filter(|ms| *ms > 0).context(
                    "REGISTRY_VERIFY_SYNC_MS must be a whole number of milliseconds above 0",
                )?,
                None => 1000,
            },
            token_ttl_seconds,
            body_limit_bytes,
            utc_offset,
            trusted_proxies: trusted_proxies(var("REGISTRY_TRUSTED_PROXIES"))?,
            forwarded_header: match var("REGISTRY_FORWARDED_HEADER") {
                None => ForwardedHeader::XForwardedFor,
                Some(v) => match v.trim().to_ascii_lowercase().as_str() {
                    "x-forwarded-for" => ForwardedHeader::XForwardedFor,
                    "forwarded" => ForwardedHeader::Forwarded,
                    _ => anyhow::bail!(
                        "REGISTRY_FORWARDED_HEADER must be x-forwarded-for or forwarded"
                    ),
                },
            },
            header_read_timeout: seconds("REGISTRY_HEADER_TIMEOUT_SECONDS", 10)?,
            body_read_timeout: seconds("REGISTRY_BODY_TIMEOUT_SECONDS", 60)?,
            idle_timeout: seconds("REGISTRY_IDLE_TIMEOUT_SECONDS", 60)?,
            max_connections: match number("REGISTRY_MAX_CONNECTIONS", 512)? {
                0 => anyhow::bail!("REGISTRY_MAX_CONNECTIONS must be above 0"),
                n => n as usize,
            },
            sign_in_delay_after: number("REGISTRY_SIGN_IN_DELAY_AFTER", 5)?,
            sign_in_lock_after: number("REGISTRY_SIGN_IN_LOCK_AFTER", 10)?,
            sign_in_window_minutes: number("REGISTRY_SIGN_IN_WINDOW_MINUTES", 15)?,
            sign_in_lock_minutes: number("REGISTRY_SIGN_IN_LOCK_MINUTES", 15)?,
            import_max_rows: rows("REGISTRY_IMPORT_MAX_ROWS", Limits::UPLOAD_ROWS)?,
            ledger_import_max_rows: rows("REGISTRY_LEDGER_IMPORT_MAX_ROWS", Limits::LEDGER_ROWS)?,
            statement_count_header: var("REGISTRY_STATEMENT_COUNT_HEADER")
                .is_some_and(|v| v.trim() == "1"),
            subsidy_limit: match number("REGISTRY_SUBSIDY_LIMIT", 3)? {
                0 => anyhow::bail!("REGISTRY_SUBSIDY_LIMIT must be a whole number above 0"),
                n => n,
            },
        })
    }

    /// The host of the public base URL: what Message-IDs end in.
    pub fn mail_domain(&self) -> String {
        host_of(&self.base_url)
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
            mail_from: "noreply@registry.invalid".into(),
            mail_delivery: true,
            reminders: Schedules::default(),
            pii_key: None,
            signing_key: None,
            certs_dir: default_certs_dir(),
            region_code: "150784".into(),
            verify_rate_per_minute: 120,
            holder_match_per_hour: 30,
            holder_match_per_client_per_hour: 5,
            verify_sync_ms: 1000,
            token_ttl_seconds: 12 * 3600,
            body_limit_bytes: 1024 * 1024,
            utc_offset: china_standard_time(),
            trusted_proxies: Vec::new(),
            forwarded_header: ForwardedHeader::XForwardedFor,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(60),
            idle_timeout: Duration::from_secs(60),
            max_connections: 512,
            sign_in_delay_after: 5,
            sign_in_lock_after: 10,
            sign_in_window_minutes: 15,
            sign_in_lock_minutes: 15,
            import_max_rows: Limits::UPLOAD_ROWS,
            ledger_import_max_rows: Limits::LEDGER_ROWS,
            statement_count_header: false,
            subsidy_limit: 3,
        }
    }
}

/// The environment variable `name` as a whole number, `default` when unset.
fn number(name: &str, default: u32) -> anyhow::Result<u32> {
    match std::env::var(name).ok().filter(|v| !v.trim().is_empty()) {
        Some(v) => v
            .trim()
            .parse()
            .with_context(|| format!("{name} must be a whole number")),
        None => Ok(default),
    }
}

/// The environment variable `name` as a number of rows above 0.
fn rows(name: &str, default: usize) -> anyhow::Result<usize> {
    match number(name, u32::try_from(default).unwrap_or(u32::MAX))? {
        0 => anyhow::bail!("{name} must be a whole number of rows above 0"),
        n => Ok(n as usize),
    }
}

/// The environment variable `name` as a duration in whole seconds above 0.
fn seconds(name: &str, default: u32) -> anyhow::Result<Duration> {
    match number(name, default)? {
        0 => anyhow::bail!("{name} must be a whole number of seconds above 0"),
        s => Ok(Duration::from_secs(s.into())),
    }
}

/// `REGISTRY_TRUSTED_PROXIES`: addresses and CIDR blocks separated by commas or spaces.
fn trusted_proxies(list: Option<String>) -> anyhow::Result<Vec<ipnet::IpNet>> {
    list.unwrap_or_default()
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<ipnet::IpNet>()
                .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .with_context(|| {
                    format!("REGISTRY_TRUSTED_PROXIES: {p} is not an address or a CIDR block")
                })
        })
        .collect()
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

/// The host part of a URL such as `https://registry.example.org:8443/x`; `localhost` when
/// there is none.
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = host_port.rsplit('@').next().unwrap_or_default();
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    if host.is_empty() {
        "localhost".into()
    } else {
        host.to_ascii_lowercase()
    }
}
