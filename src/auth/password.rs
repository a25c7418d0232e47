//! Password hashing with Argon2id (the crate's defaults: 19 MiB, 2 passes), and the
//! [`Checker`] that verifies sign-in passwords off the async workers.

use std::sync::OnceLock;

use tokio::sync::Semaphore;

use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng},
};
use secrecy::{ExposeSecret, SecretString};

pub const MIN_PASSWORD_CHARS: usize = 8;

/// A PHC-format Argon2id hash of `password` with a fresh random salt.
pub fn hash(password: &SecretString) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.expose_secret().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// Whether `password` matches `phc`. A malformed stored hash never matches.
pub fn verify(password: &SecretString, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok()
    })
}

/// Verifies sign-in passwords on the blocking pool, a bounded number at a time: each
/// verification takes 19 MiB and tens of milliseconds of a core, so a flood of sign-ins
/// queues here instead of exhausting memory or stalling the workers that serve everyone
/// else.
#[derive(Debug)]
pub struct Checker {
    at_once: Semaphore,
}

impl Checker {
    /// At most `at_once` verifications run together (at least one).
    pub fn new(at_once: usize) -> Self {
        Self {
            at_once: Semaphore::new(at_once.max(1)),
        }
    }

    /// One per core the machine offers.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, usize::from))
    }

    /// Whether `password` matches `phc`. With no hash (no such account) the same work is
    /// done against a dummy one and the answer is no, so the two cannot be told apart.
    pub async fn verify(&self, password: &SecretString, phc: Option<String>) -> bool {
        let Ok(_turn) = self.at_once.acquire().await else {
            return false;
        };
        let password = password.clone();
        tokio::task::spawn_blocking(move || match phc {
            Some(phc) => verify(&password, &phc),
            None => {
                verify_against_dummy(&password);
                false
            }
        })
        .await
        .unwrap_or(false)
    }
}

/// Spends the same time as checking a real password, so an unknown login cannot be told
/// from a wrong password by the response time.
pub fn verify_against_dummy(password: &SecretString) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY
        .get_or_init(|| hash(&SecretString::from("dummy password for timing")).unwrap_or_default());
    let _ = verify(password, dummy);
}
