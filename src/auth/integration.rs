//! Integration tokens: long-lived bearer tokens the bureau makes for an integration
//! account (another system), never for a person's account — a token for a person would
//! let its maker act in that person's name. The token records its maker, and every audit
//! entry written with it names the integration account as the actor and the maker beside.

use serde::Deserialize;
use utoipa::ToSchema;

use super::{IssuedToken, accounts, issue_token};
use crate::{
    access::Caller,
    clock::Now,
    error::{AppError, FieldError},
};

const MAX_DAYS: i64 = 366;
const MAX_LABEL_CHARS: usize = 100;

/// What an integration token is for and how long it lives.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IntegrationTokenRequest {
    /// An integration account (`"integration": true`).
    pub account_id: String,
    pub label: String,
    /// 1–366 days.
    pub expires_in_days: i64,
}

/// Makes a token for the integration account `req.account_id`, visible to `caller`;
/// refuses a person's account, an out-of-range lifetime and an empty or long label.
pub async fn mint(
    conn: &impl sea_orm::ConnectionTrait,
    caller: &Caller,
    req: &IntegrationTokenRequest,
    now: Now,
) -> Result<IssuedToken, AppError> {
    let mut fields = Vec::new();
    if !(1..=MAX_DAYS).contains(&req.expires_in_days) {
        fields.push(FieldError::new(
            "expires_in_days",
            "out_of_range",
            format!("有效期须为1至{MAX_DAYS}天"),
        ));
    }
    let label = req.label.trim();
    if label.is_empty() || label.chars().count() > MAX_LABEL_CHARS {
        fields.push(FieldError::new(
            "label",
            "length",
            format!("令牌用途说明须为1至{MAX_LABEL_CHARS}个字符"),
        ));
    }
    let account = accounts::get(conn, &caller.scope(), &req.account_id).await?;
    if !account.integration {
        fields.push(FieldError::new(
            "account_id",
            "not_integration",
            "只能为集成账号签发令牌；个人账号须由本人登录取得令牌",
        ));
    }
    if !fields.is_empty() {
        return Err(AppError::invalid_fields("不能签发该令牌", fields));
    }
    Ok(issue_token(
        conn,
        &caller.actor(),
        &account,
        label,
        req.expires_in_days * 86_400,
        now,
    )
    .await?)
}
