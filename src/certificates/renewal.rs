//! Licence renewal: the licensing authority that issued a licence renews it with a new
//! validity period. The licence is superseded by a new one, numbered anew, valid from
//! the day of renewal to the new last day, resting on the same grounds (a parent
//! re-issued since is followed to its replacement). An expired licence may be renewed; a
//! suspended, revoked or superseded one may not. Asking again for the renewal already
//! made answers it again.

use chrono::NaiveDate;
use entities::certificates as certificate;
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    CertificateStatus, Services,
    reissue::{self, Replaced, Why},
};
use crate::{
    access::{Caller, rules},
    clock::Now,
    error::AppError,
    programs::CertificateKind,
    stored::Stored,
};

/// A renewal as requested.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RenewalRequest {
    /// The new last day of validity: after the licence's current one and after today.
    pub valid_until: NaiveDate,
    /// Up to 200 characters; "有效期续期" when absent.
    pub reason: Option<String>,
}

/// The renewed licence and its replacement, and whether this request made it.
pub struct Renewed {
    pub replaced: Replaced,
    pub created: bool,
}

/// How far a chain of replacements is followed before the data is called corrupt.
const MAX_REPLACEMENTS: usize = 100;

/// Renews the licence `id` for the organisation that issued it; others get "not found".
pub async fn renew(
    conn: &impl ConnectionTrait,
    services: &Services,
    caller: &Caller,
    id: &str,
    req: &RenewalRequest,
    now: Now,
) -> Result<Renewed, AppError> {
    reissue::hold_holder(conn, id).await?;
    let old = certificate::Entity::find_by_id(id.to_owned())
        .lock_exclusive()
        .one(conn)
        .await?
        .filter(|c| rules::is_issuer(caller, &c.issuer_org_id))
        .ok_or(AppError::NotFound)?;
    let reason = reason_of(req.reason.as_deref())?;
    if CertificateKind::read("certificates", &old.id, &old.kind)? != CertificateKind::Licence {
        return Err(AppError::Conflict {
            code: "not_renewable",
            message: "只有准入类证书可以续期".into(),
        });
    }
    if let Some(current) = old.valid_until
        && req.valid_until <= current
    {
        return Err(AppError::invalid(
            "valid_until",
            "not_later",
            format!("续期后的有效期截止日期须晚于原证书的截止日期（{current}）"),
        ));
    }
    match CertificateStatus::of(&old)? {
        CertificateStatus::Valid => {}
        CertificateStatus::Superseded => return renewed_before(conn, old, req.valid_until).await,
        other => {
            return Err(AppError::Conflict {
                code: "not_renewable",
                message: format!("证书当前状态为“{}”，不能续期", other.label()),
            });
        }
    }
    if req.valid_until <= now.today {
        return Err(AppError::invalid(
            "valid_until",
            "in_the_past",
            "有效期截止日期须晚于今天",
        ));
    }
    let mut parents = Vec::new();
    for parent in reissue::parents_of(conn, &old.id).await? {
        let standing = current_replacement(conn, &parent).await?;
        let status = CertificateStatus::current(&standing, now.today)?;
        if status != CertificateStatus::Valid {
            return Err(AppError::Conflict {
                code: "grounds_fallen",
                message: format!(
                    "所依据的证书{}当前状态为“{}”，不能续期",
                    standing.number,
                    status.label()
                ),
            });
        }
        parents.push(standing.id);
    }
    let why = Why {
        action: "certificate.renew",
        reason,
    };
    let replaced = reissue::reissue(
        conn,
        services,
        &caller.actor(),
        old,
        &parents,
        Some(req.valid_until),
        &why,
        now,
    )
    .await?;
    Ok(Renewed {
        replaced,
        created: true,
    })
}

fn reason_of(reason: Option<&str>) -> Result<&str, AppError> {
    match reason.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok("有效期续期"),
        Some(r) if r.chars().count() <= 200 => Ok(r),
        Some(_) => Err(AppError::invalid(
            "reason",
            "length",
            "续期说明不能超过200字",
        )),
    }
}

/// A superseded licence: the renewal this request repeats, or a refusal naming the
/// certificate that replaced it.
async fn renewed_before(
    conn: &impl ConnectionTrait,
    old: certificate::Model,
    valid_until: NaiveDate,
) -> Result<Renewed, AppError> {
    let successor = match &old.superseded_by_id {
        Some(id) => {
            certificate::Entity::find_by_id(id.clone())
                .one(conn)
                .await?
        }
        None => None,
    }
    .ok_or_else(|| anyhow::anyhow!("certificate {} is superseded by nothing", old.id))?;
    if successor.valid_until == Some(valid_until) {
        return Ok(Renewed {
            replaced: Replaced {
                old,
                new: successor,
            },
            created: false,
        });
    }
    Err(AppError::Conflict {
        code: "superseded",
        message: format!("证书已被替换为{}，请对新证书办理续期", successor.number),
    })
}

/// The certificate that stands for `id` now: itself, or the last of its replacements.
async fn current_replacement(
    conn: &impl ConnectionTrait,
    id: &str,
) -> Result<certificate::Model, AppError> {
    let mut at = id.to_owned();
    for _ in 0..MAX_REPLACEMENTS {
        let row = certificate::Entity::find_by_id(at.clone())
            .one(conn)
            .await?
            .ok_or_else(|| anyhow::anyhow!("certificate {at} is named but missing"))?;
        match &row.superseded_by_id {
            Some(next) => at = next.clone(),
            None => return Ok(row),
        }
    }
    Err(anyhow::anyhow!("certificate {id}: more than {MAX_REPLACEMENTS} replacements").into())
}
