//! Share links: a holder makes several per certificate, each with its own expiry (28 days
//! unless chosen, at most a year), sees when each was last opened, and revokes any. A link
//! is a random token stored only as its SHA-256; `/s/{token}` shows what the public
//! verification page shows while the link lives, and says so (410) once it is expired or
//! revoked. Opening writes `last_opened_at` at most once a minute per link, so a link
//! passed round a group chat costs no write per view.

use std::collections::HashMap;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use entities::{certificate_shares as share, certificates as certificate};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::{
    access::{Caller, Role},
    audit::{self, Change},
    clock::Now,
    error::{AppError, FieldError},
    pagination::new_id,
    people::store,
};

/// How long a link lives when the holder does not say.
pub const DEFAULT_DAYS: u32 = 28;
/// The longest a link may live.
pub const MAX_DAYS: u32 = 365;
/// Opening a link records it at most this often.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// A new link's expiry: a number of days from today, or a last day; neither means 28 days.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ShareInput {
    /// 1–365 days from today.
    pub days: Option<u32>,
    /// The last day the link may be opened (after today, within 365 days).
    pub expires_on: Option<NaiveDate>,
}

/// Whether a link may be opened today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShareState {
    Active,
    Expired,
    Revoked,
}

impl ShareState {
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "有效",
            Self::Expired => "已过期",
            Self::Revoked => "已撤销",
        }
    }
}

/// A share link as its holder sees it (never its token, which is not kept).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Share {
    pub id: String,
    pub certificate_id: String,
    /// The last day it may be opened (the registry's calendar).
    pub expires_on: NaiveDate,
    pub state: ShareState,
    pub created_at: DateTime<FixedOffset>,
    /// When it was last opened (to the minute); `null` if never.
    pub last_opened_at: Option<DateTime<FixedOffset>>,
    pub revoked_at: Option<DateTime<FixedOffset>>,
}

/// A link just made: the only time its token and address are shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NewShare {
    #[serde(flatten)]
    pub share: Share,
    pub token: String,
    /// `{REGISTRY_BASE_URL}/s/{token}`.
    pub url: String,
}

fn view(row: share::Model, today: NaiveDate) -> Share {
    let state = if row.revoked_at.is_some() {
        ShareState::Revoked
    } else if today > row.expires_on {
        ShareState::Expired
    } else {
        ShareState::Active
    };
    Share {
        id: row.id,
        certificate_id: row.certificate_id,
        expires_on: row.expires_on,
        state,
        created_at: row.created_at,
        last_opened_at: row.last_opened_at,
        revoked_at: row.revoked_at,
    }
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The certificate `id` if the caller is its holder's own trainee account; "not found"
/// for anyone else's.
async fn own_certificate(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
) -> Result<certificate::Model, AppError> {
    if caller.role != Role::Trainee {
        return Err(AppError::forbidden_role());
    }
    let person = store::of_account(conn, &caller.account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    certificate::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .filter(|c| c.person_id == person.id)
        .ok_or(AppError::NotFound)
}

/// The last day a link asked for with `input` may be opened, or the refusal.
pub fn expiry(input: &ShareInput, today: NaiveDate) -> Result<NaiveDate, AppError> {
    let latest = today + Duration::days(MAX_DAYS.into());
    let refuse = |field: &str, reason: &str, message: String| {
        Err(AppError::invalid_fields(
            "分享链接的有效期有误",
            vec![FieldError::new(field, reason, message)],
        ))
    };
    match (input.days, input.expires_on) {
        (Some(_), Some(_)) => refuse(
            "expires_on",
            "both",
            "请只选择有效天数或截止日期中的一项".into(),
        ),
        (Some(days), None) if !(1..=MAX_DAYS).contains(&days) => refuse(
            "days",
            "out_of_range",
            format!("有效天数须为1–{MAX_DAYS}天"),
        ),
        (Some(days), None) => Ok(today + Duration::days(days.into())),
        (None, Some(day)) if day <= today => {
            refuse("expires_on", "in_the_past", "截止日期须晚于今天".into())
        }
        (None, Some(day)) if day > latest => refuse(
            "expires_on",
            "too_far",
            format!("分享链接最长有效{MAX_DAYS}天，截止日期最晚为{latest}"),
        ),
        (None, Some(day)) => Ok(day),
        (None, None) => Ok(today + Duration::days(DEFAULT_DAYS.into())),
    }
}

/// Makes a share link for the caller's own certificate; audited.
pub async fn create(
    conn: &impl ConnectionTrait,
    base_url: &str,
    caller: &Caller,
    certificate_id: &str,
    input: &ShareInput,
    now: Now,
) -> Result<NewShare, AppError> {
    let cert = own_certificate(conn, caller, certificate_id).await?;
    let expires_on = expiry(input, now.today)?;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let row = share::ActiveModel {
        id: Set(new_id()),
        certificate_id: Set(cert.id.clone()),
        token_hash: Set(hash(&token)),
        expires_on: Set(expires_on),
        created_by: Set(caller.account_id.clone()),
        created_at: Set(now.stamp()),
        revoked_at: Set(None),
        last_opened_at: Set(None),
    }
    .insert(conn)
    .await?;
    let summary = serde_json::json!({"certificate_id": cert.id, "expires_on": expires_on});
    let change = Change {
        action: "certificate_share.create",
        record_type: "certificate_share",
        record_id: &row.id,
        summary,
    };
    audit::append(conn, &caller.actor(), change).await?;
    Ok(NewShare {
        url: format!("{base_url}/s/{token}"),
        token,
        share: view(row, now.today),
    })
}

/// The links of the caller's own certificate, newest first.
pub async fn list(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    certificate_id: &str,
    today: NaiveDate,
) -> Result<Vec<Share>, AppError> {
    let cert = own_certificate(conn, caller, certificate_id).await?;
    Ok(of_certificates(conn, &[cert.id], today)
        .await?
        .remove(certificate_id)
        .unwrap_or_default())
}

/// The links of many certificates in one query, newest first, by certificate id.
pub async fn of_certificates(
    conn: &impl ConnectionTrait,
    certificate_ids: &[String],
    today: NaiveDate,
) -> Result<HashMap<String, Vec<Share>>, AppError> {
    let mut out: HashMap<String, Vec<Share>> = HashMap::new();
    if certificate_ids.is_empty() {
        return Ok(out);
    }
    let rows = share::Entity::find()
        .filter(share::Column::CertificateId.is_in(certificate_ids.iter().map(String::as_str)))
        .order_by_desc(share::Column::CreatedAt)
        .order_by_desc(share::Column::Id)
        .all(conn)
        .await?;
    for row in rows {
        out.entry(row.certificate_id.clone())
            .or_default()
            .push(view(row, today));
    }
    Ok(out)
}

/// Revokes one of the caller's links; revoking twice is harmless. Audited.
pub async fn revoke(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    certificate_id: &str,
    share_id: &str,
    now: Now,
) -> Result<(), AppError> {
    let cert = own_certificate(conn, caller, certificate_id).await?;
    let row = share::Entity::find_by_id(share_id.to_owned())
        .one(conn)
        .await?
        .filter(|s| s.certificate_id == cert.id)
        .ok_or(AppError::NotFound)?;
    if row.revoked_at.is_some() {
        return Ok(());
    }
    let mut active: share::ActiveModel = row.into();
    active.revoked_at = Set(Some(now.stamp()));
    let row = active.update(conn).await?;
    let change = Change {
        action: "certificate_share.revoke",
        record_type: "certificate_share",
        record_id: &row.id,
        summary: serde_json::json!({"certificate_id": cert.id}),
    };
    audit::append(conn, &caller.actor(), change).await?;
    Ok(())
}

/// What opening a link finds.
pub enum Opened {
    /// The link lives: its view, and the certificate's verification token.
    Live {
        share: Share,
        certificate_token: String,
        /// Whether this opening should be recorded ([`touch`]).
        record: bool,
    },
    Expired(NaiveDate),
    Revoked,
}

/// The link `token` opens; an unknown token is "not found". Reads only.
pub async fn open(conn: &impl ConnectionTrait, token: &str, now: Now) -> Result<Opened, AppError> {
    if token.len() > 64 {
        return Err(AppError::NotFound);
    }
    let row = share::Entity::find()
        .filter(share::Column::TokenHash.eq(hash(token)))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let record = row
        .last_opened_at
        .is_none_or(|at| now.at - at.to_utc() >= TOUCH_EVERY);
    let share = view(row, now.today);
    match share.state {
        ShareState::Revoked => Ok(Opened::Revoked),
        ShareState::Expired => Ok(Opened::Expired(share.expires_on)),
        ShareState::Active => {
            let cert = certificate::Entity::find_by_id(share.certificate_id.clone())
                .one(conn)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(Opened::Live {
                share,
                certificate_token: cert.token,
                record,
            })
        }
    }
}

/// Records that the link was opened now, unless another opening within the minute did
/// (one conditional update, so concurrent openings write once).
pub async fn touch(conn: &impl ConnectionTrait, share_id: &str, now: Now) -> Result<(), AppError> {
    let since = (now.at - TOUCH_EVERY).fixed_offset();
    share::Entity::update_many()
        .col_expr(share::Column::LastOpenedAt, Expr::value(now.stamp()))
        .filter(share::Column::Id.eq(share_id))
        .filter(
            Condition::any()
                .add(share::Column::LastOpenedAt.is_null())
                .add(share::Column::LastOpenedAt.lte(since)),
        )
        .exec(conn)
        .await?;
    Ok(())
}
