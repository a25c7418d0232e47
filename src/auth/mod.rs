//! Accounts, roles, passwords and bearer tokens, and the [`Caller`] every authenticated
//! request carries. Tokens are stored only as SHA-256 hashes, expire, and can be revoked.

pub mod accounts;
pub mod integration;
pub mod password;
pub mod password_change;
pub mod throttle;
pub mod token;

use chrono::Duration;
use entities::{accounts as account, api_tokens, organisations as organisation};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use secrecy::SecretString;
use serde::Serialize;
use utoipa::ToSchema;

use crate::clock::Now;
use crate::{
    access::{Caller, Role},
    audit::{self, Actor, Change, Minter},
    error::AppError,
    organisations::OrgStatus,
    pagination::new_id,
    stored::{CorruptRow, Stored},
};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("unknown login or wrong password")]
    BadCredentials,
    #[error("missing, unknown, expired or revoked token")]
    InvalidToken,
    #[error("the account's organisation is not approved")]
    OrganisationInactive,
    #[error(transparent)]
    Db(#[from] DbErr),
    /// A stored role or organisation status nobody wrote: internal, never a default.
    #[error(transparent)]
    Corrupt(#[from] CorruptRow),
}

impl From<AuthError> for AppError {
    fn from(err: AuthError) -> Self {
        match err {
            AuthError::BadCredentials => AppError::Unauthenticated {
                message: "登录名或密码错误",
            },
            AuthError::InvalidToken => AppError::Unauthenticated {
                message: "未登录，或令牌无效、已过期、已撤销",
            },
            AuthError::OrganisationInactive => AppError::Forbidden {
                message: "所属机构尚未获批准或已被暂停，暂不能操作".into(),
            },
            AuthError::Db(e) => e.into(),
            AuthError::Corrupt(e) => e.into(),
        }
    }
}

/// An account whose password was just checked: what signing in proceeds with.
pub type CheckedAccount = account::Model;

/// A token as handed to its holder, once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssuedToken {
    pub token: String,
    pub token_id: String,
    pub role: Role,
    pub organisation_id: Option<String>,
    pub expires_at: chrono::DateTime<chrono::FixedOffset>,
}

/// The account of `login` if `password` is its password and it may sign in. An unknown
/// login and a wrong password give the same answer in about the same time. Takes no
/// transaction: the hashing runs on `checker`, off the async workers, and must never hold
/// the database's writer.
pub async fn check_password(
    conn: &impl ConnectionTrait,
    checker: &password::Checker,
    login: &str,
    password: &SecretString,
) -> Result<account::Model, AuthError> {
    let found = account::Entity::find()
        .filter(account::Column::Login.eq(login.trim()))
        .one(conn)
        .await?;
    // An integration account has no password: it never signs in.
    let Some(account) = found.filter(|a| !a.integration) else {
        checker.verify(password, None).await;
        return Err(AuthError::BadCredentials);
    };
    let hash = Some(account.password_hash.clone());
    if !checker.verify(password, hash).await || account.disabled {
        return Err(AuthError::BadCredentials);
    }
    Ok(account)
}

/// Signs in `account`, whose password [`check_password`] accepted for `attempt`: clears
/// the attempt's throttle and issues a token valid for `ttl_seconds`.
pub async fn login(
    conn: &impl ConnectionTrait,
    account: &account::Model,
    attempt: &throttle::Attempt,
    ttl_seconds: i64,
    now: Now,
) -> Result<IssuedToken, AuthError> {
    throttle::succeeded(conn, attempt).await?;
    ensure_organisation_active(conn, account.organisation_id.as_deref()).await?;
    let actor = Actor::account(&account.id, &account.login);
    issue_token(conn, &actor, account, "login", ttl_seconds, now).await
}

/// Issues a token for `account` (a login, or an integration token made by an admin).
/// A token `actor` makes for another account records `actor` as its minter, whom every
/// audit entry written with it names.
pub async fn issue_token(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    account: &account::Model,
    label: &str,
    ttl_seconds: i64,
    now: Now,
) -> Result<IssuedToken, AuthError> {
    let role = Role::read("accounts", &account.id, &account.role)?;
    let (token, token_hash) = token::generate();
    let now = now.at;
    let expires_at = (now + Duration::seconds(ttl_seconds)).fixed_offset();
    let row = api_tokens::ActiveModel {
        id: Set(new_id()),
        account_id: Set(account.id.clone()),
        token_hash: Set(token_hash),
        label: Set(label.to_owned()),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        created_at: Set(now.fixed_offset()),
        minted_by: Set(actor.account_id.clone().filter(|id| *id != account.id)),
    }
    .insert(conn)
    .await?;
    audit::append(
        conn,
        actor,
        Change {
            action: "token.issue",
            record_type: "api_token",
            record_id: &row.id,
            summary: serde_json::json!({"account_id": account.id, "login": account.login, "label": label, "expires_at": expires_at}),
        },
    )
    .await?;
    Ok(IssuedToken {
        token,
        token_id: row.id,
        role,
        organisation_id: account.organisation_id.clone(),
        expires_at,
    })
}

/// The caller a bearer token stands for, if it is known, unexpired and unrevoked and its
/// account and organisation may act.
pub async fn authenticate(
    conn: &impl ConnectionTrait,
    bearer: &str,
    now: Now,
) -> Result<Caller, AuthError> {
    let row = api_tokens::Entity::find()
        .filter(api_tokens::Column::TokenHash.eq(token::hash(bearer)))
        .one(conn)
        .await?
        .ok_or(AuthError::InvalidToken)?;
    if row.revoked_at.is_some() || row.expires_at <= now.at {
        return Err(AuthError::InvalidToken);
    }
    let account = account::Entity::find_by_id(row.account_id.clone())
        .one(conn)
        .await?
        .filter(|a| !a.disabled)
        .ok_or(AuthError::InvalidToken)?;
    let role = Role::read("accounts", &account.id, &account.role)?;
    ensure_organisation_active(conn, account.organisation_id.as_deref()).await?;
    let minted_by = match row.minted_by {
        Some(id) => Some(minter(conn, &row.id, id).await?),
        None => None,
    };
    Ok(Caller {
        account_id: account.id,
        login: account.login,
        role,
        organisation_id: account.organisation_id,
        token_id: row.id,
        minted_by,
    })
}

/// The account `id` that made the token `token_id`, as the audit log names it.
async fn minter(
    conn: &impl ConnectionTrait,
    token_id: &str,
    id: String,
) -> Result<Minter, AuthError> {
    let login = account::Entity::find_by_id(id.clone())
        .one(conn)
        .await?
        .map(|a| a.login)
        .ok_or_else(|| CorruptRow::new("api_tokens", token_id, "minting account", &id))?;
    Ok(Minter {
        account_id: id,
        label: login,
    })
}

async fn ensure_organisation_active(
    conn: &impl ConnectionTrait,
    organisation_id: Option<&str>,
) -> Result<(), AuthError> {
    let Some(id) = organisation_id else {
        return Ok(());
    };
    let org = organisation::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?;
    let status = match org {
        Some(org) => OrgStatus::read("organisations", &org.id, &org.status)?,
        None => return Err(AuthError::OrganisationInactive),
    };
    if status == OrgStatus::Approved {
        Ok(())
    } else {
        Err(AuthError::OrganisationInactive)
    }
}

/// Revokes a token. Revoking twice is harmless; a token of another account is "not
/// found" unless the caller is the bureau.
pub async fn revoke_token(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    token_id: &str,
    now: Now,
) -> Result<(), AppError> {
    let row = api_tokens::Entity::find_by_id(token_id.to_owned())
        .one(conn)
        .await?
        .filter(|t| caller.is_bureau() || t.account_id == caller.account_id)
        .ok_or(AppError::NotFound)?;
    if row.revoked_at.is_some() {
        return Ok(());
    }
    let mut active: api_tokens::ActiveModel = row.into();
    active.revoked_at = Set(Some(now.stamp()));
    let row = active.update(conn).await?;
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "token.revoke",
            record_type: "api_token",
            record_id: &row.id,
            summary: serde_json::json!({"account_id": row.account_id}),
        },
    )
    .await?;
    Ok(())
}
