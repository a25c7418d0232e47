//! Claiming an account (`trainees::claim`), in the same short steps as signing in: the
//! throttle is read, the attempt charged in its own small transaction, the claim matched
//! by reading, the password hashed off the async workers, and only a match opens the
//! transaction that creates, links and signs in the account. Misses count per ID (as a
//! digest of its blind index) and per client address, apart from sign-in's counts.

use super::{AppState, client::ClientAddr};
use crate::{
    auth::{self, throttle},
    error::AppError,
    trainees::claim::{self, ClaimInput, Claimed, Ready},
};

/// Claims the account `input` names from `client`: 422 for a malformed field or a
/// mismatch (the same words whichever part was wrong), 409 when already claimed or the
/// chosen login is taken, 429 with the time to come back while throttled.
pub async fn claim(
    app: &AppState,
    client: ClientAddr,
    input: ClaimInput,
) -> Result<Claimed, AppError> {
    let claim = input.parse()?;
    let now = app.now();
    let attempt = claim.attempt(&app.pii, client.bucket());
    let policy = &app.sign_in;
    let refused = |r: throttle::Refused| r.into_claim_error(app.clock.zone(), now);
    throttle::check(&app.db.read, policy, &attempt, now)
        .await?
        .map_err(refused)?;
    app.write(async |txn| {
        throttle::admit(txn, policy, &attempt, now)
            .await?
            .map_err(refused)
    })
    .await?;
    let person = claim::matching_person(&app.db.read, &app.pii, &claim).await?;
    let login = match &claim.login {
        Some(chosen) => {
            if auth::accounts::login_taken(&app.db.read, chosen).await? {
                return Err(AppError::Conflict {
                    code: "login_taken",
                    message: format!("登录名 {chosen} 已被使用，请另选一个"),
                });
            }
            chosen.clone()
        }
        None => free_login(app).await?,
    };
    let password = claim.password.clone();
    let password_hash = tokio::task::spawn_blocking(move || auth::password::hash(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(AppError::Internal)?;
    let ready = Ready {
        person_id: person.id,
        login,
        password_hash,
    };
    let ttl = app.config.token_ttl_seconds;
    let base_url = app.config.base_url.as_str();
    app.write(async |txn| {
        claim::complete(txn, &app.pii, base_url, &claim, ready, &attempt, ttl, now).await
    })
    .await
}

/// A made-up login nobody has yet.
async fn free_login(app: &AppState) -> Result<String, AppError> {
    for _ in 0..8 {
        let login = claim::made_up_login();
        if !auth::accounts::login_taken(&app.db.read, &login).await? {
            return Ok(login);
        }
    }
    Err(AppError::Internal(anyhow::anyhow!(
        "no free made-up login after eight tries"
    )))
}
