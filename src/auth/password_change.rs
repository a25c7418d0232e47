//! Changing one's own password: the new one is checked, the current one must be right
//! (checked by the caller under the sign-in throttle), and every other session and login
//! token of the account stops working, so a password changed because it leaked shuts the
//! one who knew it out. Integration tokens are the bureau's to revoke, and an integration
//! account has no password to change.

use entities::{accounts as account, api_tokens};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::Expr,
};
use secrecy::{ExposeSecret, SecretString};

use super::password::MIN_PASSWORD_CHARS;
use crate::{
    access::Caller,
    audit::{self, Change},
    clock::Now,
    error::{AppError, FieldError},
};

/// The rules a new password breaks, as per-field errors (`new`, `repeat`).
pub fn check_new(
    current: &SecretString,
    new: &SecretString,
    repeat: &SecretString,
) -> Vec<FieldError> {
    let mut fields = Vec::new();
    let new_text = new.expose_secret();
    if new_text.chars().count() < MIN_PASSWORD_CHARS {
        fields.push(FieldError::new(
            "new",
            "too_short",
            format!("新密码至少{MIN_PASSWORD_CHARS}位"),
        ));
    } else if new_text == current.expose_secret() {
        fields.push(FieldError::new(
            "new",
            "unchanged",
            "新密码不能与当前密码相同",
        ));
    }
    if repeat.expose_secret() != new_text {
        fields.push(FieldError::new(
            "repeat",
            "mismatch",
            "两次输入的新密码不一致",
        ));
    }
    fields
}

/// Stores `new_hash` as the caller's password and revokes the account's other login
/// tokens (the caller's own stays valid); returns how many were revoked.
pub async fn change(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    new_hash: String,
    now: Now,
) -> Result<u64, AppError> {
    let row = account::Entity::find_by_id(caller.account_id.clone())
        .one(conn)
        .await?
        .filter(|a| !a.integration && !a.disabled)
        .ok_or(AppError::NotFound)?;
    let mut active: account::ActiveModel = row.into();
    active.password_hash = Set(new_hash);
    active.update(conn).await?;
    let revoked = api_tokens::Entity::update_many()
        .col_expr(api_tokens::Column::RevokedAt, Expr::value(now.stamp()))
        .filter(api_tokens::Column::AccountId.eq(caller.account_id.as_str()))
        .filter(api_tokens::Column::Id.ne(caller.token_id.as_str()))
        .filter(api_tokens::Column::RevokedAt.is_null())
        .filter(api_tokens::Column::MintedBy.is_null())
        .exec(conn)
        .await?
        .rows_affected;
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "account.password_change",
            record_type: "account",
            record_id: &caller.account_id,
            summary: serde_json::json!({"login": caller.login, "tokens_revoked": revoked}),
        },
    )
    .await?;
    Ok(revoked)
}
