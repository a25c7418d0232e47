//! Rate limits in front of the public look-ups: per client on verification (enumeration
//! of tokens); on holder matches (guessing a birth date) per client and certificate, and
//! per certificate for all clients together, the first lower so that one stranger cannot
//! use up a certificate's budget for everyone; the pruning that keeps the limiters'
//! tables small; and the log of refusals, which summarises a flood instead of writing a
//! line per refused request. Clients are [`ClientAddr`]s: behind a trusted proxy, the
//! forwarded address.

use std::{
    net::IpAddr,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use axum::{extract::FromRequestParts, http::request::Parts};

use super::{AppState, client::ClientAddr};
use crate::error::AppError;

type ClientLimiter = governor::DefaultKeyedRateLimiter<IpAddr>;
type CertificateLimiter = governor::DefaultKeyedRateLimiter<String>;
type ClientCertificateLimiter = governor::DefaultKeyedRateLimiter<(IpAddr, String)>;

/// The limiters of one instance.
pub struct Limiters {
    /// Per client on verification and look-up; `None` when turned off.
    pub verify: Option<Arc<ClientLimiter>>,
    /// Holder matches per certificate (by token), all clients together.
    pub matches: Option<Arc<CertificateLimiter>>,
    /// Holder matches per client and certificate.
    pub client_matches: Option<Arc<ClientCertificateLimiter>>,
    /// Refusals, logged as a summary.
    pub refusals: Arc<Refusals>,
}

impl Limiters {
    /// Limiters for `verify_per_minute` look-ups a minute per client (in bursts of a
    /// quarter), `match_per_hour` holder matches an hour per certificate and
    /// `client_match_per_hour` per client and certificate; 0 turns a limit off.
    pub fn new(verify_per_minute: u32, match_per_hour: u32, client_match_per_hour: u32) -> Self {
        Self {
            verify: keyed(verify_per_minute, |rate| {
                let burst = std::num::NonZeroU32::new((rate.get() / 4).max(1)).unwrap_or(rate);
                governor::Quota::per_minute(rate).allow_burst(burst)
            }),
            // All at once if need be, then one every `60 / per_hour` minutes.
            matches: keyed(match_per_hour, governor::Quota::per_hour),
            client_matches: keyed(client_match_per_hour, governor::Quota::per_hour),
            refusals: Arc::default(),
        }
    }

    /// Forgets the keys that are back at their full allowance, so the limiters' tables
    /// do not grow without end, and writes the refusals' summary when one is due. Run
    /// every minute.
    pub fn prune(&self) {
        fn prune_one<K: Clone + Eq + std::hash::Hash>(
            limiter: &Option<Arc<governor::DefaultKeyedRateLimiter<K>>>,
        ) {
            if let Some(l) = limiter {
                l.retain_recent();
                l.shrink_to_fit();
            }
        }
        prune_one(&self.verify);
        prune_one(&self.matches);
        prune_one(&self.client_matches);
        self.refusals.flush();
    }
}

fn keyed<K: Clone + Eq + std::hash::Hash>(
    rate: u32,
    quota: impl FnOnce(std::num::NonZeroU32) -> governor::Quota,
) -> Option<Arc<governor::DefaultKeyedRateLimiter<K>>> {
    let rate = std::num::NonZeroU32::new(rate)?;
    Some(Arc::new(governor::RateLimiter::keyed(quota(rate))))
}

/// Passes when the client is under its verification rate; otherwise 429 with
/// Retry-After.
pub struct WithinRate;

impl FromRequestParts<AppState> for WithinRate {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        check_client(state, parts).map(|()| Self)
    }
}

/// The per-client verification limit for the request in `parts`.
pub fn check_client(state: &AppState, parts: &Parts) -> Result<(), AppError> {
    match &state.limiters.verify {
        Some(limiter) => limiter
            .check_key(&super::client::of(parts).bucket())
            .map_err(rate_limited),
        None => Ok(()),
    }
}

/// Whether `client` may try a holder match on the certificate behind `token` now: its
/// own budget for the certificate first, then the certificate's budget for everyone.
pub fn match_allowed(app: &AppState, client: ClientAddr, token: &str) -> Result<(), AppError> {
    if let Some(limiter) = &app.limiters.client_matches {
        limiter
            .check_key(&(client.bucket(), token.to_owned()))
            .map_err(rate_limited)?;
    }
    match &app.limiters.matches {
        Some(limiter) => limiter.check_key(&token.to_owned()).map_err(rate_limited),
        None => Ok(()),
    }
}

type GovernorInstant = <governor::clock::DefaultClock as governor::clock::Clock>::Instant;

fn rate_limited(not_until: governor::NotUntil<GovernorInstant>) -> AppError {
    let wait = not_until.wait_time_from(governor::clock::Clock::now(
        &governor::clock::DefaultClock::default(),
    ));
    AppError::RateLimited {
        retry_after_secs: wait.as_secs().max(1),
        message: None,
    }
}

/// How often a flood of refusals is summarised in the log.
const SUMMARY_INTERVAL: Duration = Duration::from_secs(60);

/// The log of 429 answers: the first after a quiet spell is logged as it happens, the
/// rest counted and summarised at most once per [`SUMMARY_INTERVAL`], so a flood cannot
/// fill the disk or bury everything else in the log.
#[derive(Debug, Default)]
pub struct Refusals {
    /// When the current summary period began and the refusals counted in it since;
    /// `None` while quiet.
    period: Mutex<Option<(Instant, u64)>>,
}

impl Refusals {
    /// Notes one 429 answer (inside the request's span, whose fields the first line
    /// carries).
    pub fn note(&self) {
        let mut period = self.period.lock().unwrap_or_else(PoisonError::into_inner);
        match period.as_mut() {
            None => {
                *period = Some((Instant::now(), 0));
                drop(period);
                tracing::warn!(
                    status = 429,
                    "refusing requests over a limit (429); further refusals are summarised once a minute"
                );
            }
            Some((since, count)) => {
                *count += 1;
                if since.elapsed() >= SUMMARY_INTERVAL {
                    let (since, count) = (*since, *count);
                    *period = Some((Instant::now(), 0));
                    drop(period);
                    summary(since, count);
                }
            }
        }
    }

    /// Writes the summary of a period that is over; a quiet period ends the flood.
    pub fn flush(&self) {
        let mut period = self.period.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((since, count)) = *period {
            if since.elapsed() < SUMMARY_INTERVAL {
                return;
            }
            *period = if count > 0 {
                Some((Instant::now(), 0))
            } else {
                None
            };
            drop(period);
            if count > 0 {
                summary(since, count);
            }
        }
    }
}

fn summary(since: Instant, count: u64) {
    tracing::warn!(
        status = 429,
        refused = count,
        seconds = since.elapsed().as_secs(),
        "requests refused over a limit (429) in the last period"
    );
}
