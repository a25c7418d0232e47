//! Rate limits in front of the public look-ups: per client on verification (enumeration
//! of tokens), per certificate on holder matches (guessing a birth date), and the
//! pruning that keeps the limiters' tables small.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::request::Parts,
};

use super::AppState;
use crate::error::AppError;

type ClientLimiter = governor::DefaultKeyedRateLimiter<IpAddr>;
type CertificateLimiter = governor::DefaultKeyedRateLimiter<String>;

/// The verification rate limiter for `per_minute` requests a minute per client; `None`
/// when turned off.
pub fn verify_limiter(per_minute: u32) -> Option<Arc<ClientLimiter>> {
    let rate = std::num::NonZeroU32::new(per_minute)?;
    let burst = std::num::NonZeroU32::new((per_minute / 4).max(1))?;
    Some(Arc::new(governor::RateLimiter::keyed(
        governor::Quota::per_minute(rate).allow_burst(burst),
    )))
}

/// The holder-match limiter: `per_hour` attempts an hour per certificate, all at once
/// if need be, then one every `60 / per_hour` minutes.
pub fn match_limiter(per_hour: u32) -> Option<Arc<CertificateLimiter>> {
    let rate = std::num::NonZeroU32::new(per_hour)?;
    Some(Arc::new(governor::RateLimiter::keyed(
        governor::Quota::per_hour(rate),
    )))
}

/// Forgets the clients and certificates that are back at their full allowance, so the
/// limiters' tables do not grow without end. Run every minute.
pub fn prune(state: &AppState) {
    fn prune_one<K: Clone + Eq + std::hash::Hash>(
        limiter: &Option<Arc<governor::DefaultKeyedRateLimiter<K>>>,
    ) {
        if let Some(l) = limiter {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
    prune_one(&state.verify_limiter);
    prune_one(&state.match_limiter);
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
    let Some(limiter) = &state.verify_limiter else {
        return Ok(());
    };
    let ip = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    limiter.check_key(&ip).map_err(rate_limited)
}

/// Whether the certificate behind `token` still accepts holder matches this hour.
pub fn match_allowed(app: &AppState, token: &str) -> Result<(), AppError> {
    match &app.match_limiter {
        Some(limiter) => limiter.check_key(&token.to_owned()).map_err(rate_limited),
        None => Ok(()),
    }
}

type Instant = <governor::clock::DefaultClock as governor::clock::Clock>::Instant;

fn rate_limited(not_until: governor::NotUntil<Instant>) -> AppError {
    let wait = not_until.wait_time_from(governor::clock::Clock::now(
        &governor::clock::DefaultClock::default(),
    ));
    AppError::RateLimited {
        retry_after_secs: wait.as_secs().max(1),
    }
}
