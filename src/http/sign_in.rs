//! Signing in with a login and password, throttled per login and per client: the one
//! sequence the JSON token endpoint (and the coming sign-in page) goes through. Each step
//! is short: the throttle is read, the attempt charged in its own small transaction, the
//! password checked outside any transaction and off the async workers, and only a right
//! password opens the transaction that issues the token. A flood of guesses therefore
//! never holds the database's writer while a password is hashed.

use secrecy::SecretString;

use super::{AppState, client::ClientAddr};
use crate::{
    auth::{self, IssuedToken, throttle},
    error::AppError,
};

/// Signs `login` in from `client`, or refuses: 401 for a wrong password or an unknown
/// login alike, 429 with the time to come back while throttled.
pub async fn sign_in(
    app: &AppState,
    client: ClientAddr,
    login: &str,
    password: &SecretString,
) -> Result<IssuedToken, AppError> {
    let (account, attempt) = checked(app, client, login, password).await?;
    let now = app.now();
    let ttl = app.config.token_ttl_seconds;
    app.write(async |txn| Ok(auth::login(txn, &account, &attempt, ttl, now).await?))
        .await
}

/// The account whose password this is, checked under the same throttle as signing in
/// (changing a password asks for the current one, and a stolen session must not make
/// that a free guess). The caller clears the attempt's failures once it acts on it.
pub async fn checked(
    app: &AppState,
    client: ClientAddr,
    login: &str,
    password: &SecretString,
) -> Result<(auth::CheckedAccount, throttle::Attempt), AppError> {
    let now = app.now();
    let attempt = throttle::Attempt::new(login, client.bucket());
    let policy = &app.sign_in;
    let refused = |r: throttle::Refused| r.into_error(app.clock.zone(), now);
    // Already throttled: answered from a read, with no write and no hashing.
    throttle::check(&app.db.read, policy, &attempt, now)
        .await?
        .map_err(refused)?;
    app.write(async |txn| {
        throttle::admit(txn, policy, &attempt, now)
            .await?
            .map_err(refused)
    })
    .await?;
    let account = auth::check_password(&app.db.read, &app.passwords, login, password).await?;
    Ok((account, attempt))
}
