//! Password hashing with Argon2id (the crate's defaults: 19 MiB, 2 passes).

use std::sync::OnceLock;

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

/// Spends the same time as checking a real password, so an unknown login cannot be told
/// from a wrong password by the response time.
pub fn verify_against_dummy(password: &SecretString) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY
        .get_or_init(|| hash(&SecretString::from("dummy password for timing")).unwrap_or_default());
    let _ = verify(password, dummy);
}
