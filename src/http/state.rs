//! What every handler can reach, and the one unit of work every write goes through.

use std::sync::Arc;

use crate::{certificates::Services, config::Config, db::Db, people::PiiKeys};

/// What every handler can reach: one shared allocation, so extracting it is a single
/// reference-count increment.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of the application state.
pub struct Shared {
    pub config: Arc<Config>,
    pub db: Db,
    pub pii: Arc<PiiKeys>,
    pub certs: Arc<Services>,
    /// Per-client limit on verification and look-up; `None` when turned off.
    pub verify_limiter: Option<Arc<governor::DefaultKeyedRateLimiter<std::net::IpAddr>>>,
    /// Per-certificate limit on holder matches (all clients together), by token.
    pub match_limiter: Option<Arc<governor::DefaultKeyedRateLimiter<String>>>,
    /// What verification answers from.
    pub verification: Arc<crate::verification::Index>,
    /// The signed status lists as last built.
    pub status_lists: Arc<crate::certificates::status_lists::Published>,
}

impl AppState {
    /// Call after committing a change verification shows (a certificate issued or
    /// changed, an organisation renamed): this instance's index takes it in before the
    /// response goes out. Other instances follow within one sync interval.
    pub async fn changed(&self) {
        if let Err(e) = self.verification.catch_up(&self.db.read).await {
            tracing::warn!(error = %e, "updating the verification index failed; the next sync retries");
        }
    }
}
