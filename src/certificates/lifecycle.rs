//! Status changes after issue, each audited, nothing ever deleted: suspend ↔ reinstate
//! and revoke (final), by the issuing organisation, with a reason. Repeating a change
//! that already holds changes nothing.

use entities::certificates as certificate;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QuerySelect, Set};

use crate::clock::Now;
use crate::{
    access::{Caller, rules},
    audit::{self, Change},
    error::AppError,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    Suspend,
    Reinstate,
    Revoke,
}

impl StatusChange {
    fn action(self) -> &'static str {
        match self {
            Self::Suspend => "certificate.suspend",
            Self::Reinstate => "certificate.reinstate",
            Self::Revoke => "certificate.revoke",
        }
    }
}

/// Applies a status change for the issuing organisation; others get "not found".
pub async fn change(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    change: StatusChange,
    reason: &str,
    now: Now,
) -> Result<certificate::Model, AppError> {
    let row = certificate::Entity::find_by_id(id.to_owned())
        .lock_exclusive()
        .one(conn)
        .await?
        .filter(|c| rules::is_issuer(caller, &c.issuer_org_id))
        .ok_or(AppError::NotFound)?;
    let reason = reason.trim();
    if !(1..=200).contains(&reason.chars().count()) {
        return Err(AppError::invalid(
            "reason",
            "length",
            "请填写原因（1–200字）",
        ));
    }
    let (from, to) = (
        row.status.clone(),
        match change {
            StatusChange::Suspend => "suspended",
            StatusChange::Reinstate => "valid",
            StatusChange::Revoke => "revoked",
        },
    );
    if from == to {
        return Ok(row);
    }
    let allowed = matches!(
        (from.as_str(), change),
        ("valid", StatusChange::Suspend)
            | ("suspended", StatusChange::Reinstate)
            | ("valid" | "suspended", StatusChange::Revoke)
    );
    if !allowed {
        return Err(AppError::Conflict {
            code: "status_final",
            message: format!("证书当前状态为“{}”，不能执行此操作", status_label(&from)),
        });
    }
    let now = now.stamp();
    let mut active: certificate::ActiveModel = row.into();
    active.status = Set(to.to_owned());
    match change {
        StatusChange::Suspend => {
            active.suspended_at = Set(Some(now));
            active.suspend_reason = Set(Some(reason.to_owned()));
        }
        StatusChange::Reinstate => {
            active.suspended_at = Set(None);
            active.suspend_reason = Set(None);
        }
        StatusChange::Revoke => {
            active.revoked_at = Set(Some(now));
            active.revoke_reason = Set(Some(reason.to_owned()));
        }
    }
    active.updated_at = Set(now);
    let row = active.update(conn).await?;
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: change.action(),
            record_type: "certificate",
            record_id: &row.id,
            summary: serde_json::json!({"number": row.number, "from": from, "to": to, "reason": reason}),
        },
    )
    .await?;
    Ok(row)
}

pub fn status_label(status: &str) -> &'static str {
    match status {
        "valid" => "有效",
        "suspended" => "暂停",
        "revoked" => "已撤销",
        "superseded" => "已被替换",
        "expired" => "已过期",
        _ => "未知",
    }
}

/// Re-issues a certificate with corrections: the grounds are read again (so a corrected
/// name, program or standard shows on the new certificate), a new certificate is issued
/// on them, and the old one says it was superseded and by which. The issuer only.
pub async fn supersede(
    conn: &impl ConnectionTrait,
    services: &super::Services,
    caller: &Caller,
    id: &str,
    reason: &str,
    now: Now,
) -> Result<(certificate::Model, certificate::Model), AppError> {
    use entities::certificate_parents as parent;
    use sea_orm::{ColumnTrait, QueryFilter};

    let old = certificate::Entity::find_by_id(id.to_owned())
        .lock_exclusive()
        .one(conn)
        .await?
        .filter(|c| rules::is_issuer(caller, &c.issuer_org_id))
        .ok_or(AppError::NotFound)?;
    let reason = reason.trim();
    if !(1..=200).contains(&reason.chars().count()) {
        return Err(AppError::invalid(
            "reason",
            "length",
            "请填写更正原因（1–200字）",
        ));
    }
    if !matches!(old.status.as_str(), "valid" | "suspended") {
        return Err(AppError::Conflict {
            code: "status_final",
            message: format!(
                "证书当前状态为“{}”，不能更正换发",
                status_label(&old.status)
            ),
        });
    }
    let parents: Vec<String> = parent::Entity::find()
        .filter(parent::Column::CertificateId.eq(&old.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| p.parent_id)
        .collect();
    let kind: crate::programs::CertificateKind =
        serde_json::from_value(serde_json::Value::String(old.kind.clone()))
            .map_err(|e| anyhow::anyhow!("certificate {} has kind {}: {e}", old.id, old.kind))?;
    let request = super::IssueRequest {
        kind,
        enrolment_id: old.enrolment_id.clone().ok_or(AppError::NotFound)?,
        assessment_id: old.assessment_id.clone(),
        parent_ids: parents,
        valid_until: old.valid_until,
    };
    // Free the grounds for the new certificate; the old one keeps them under a new key.
    let stamp = now.stamp();
    let mut retiring: certificate::ActiveModel = old.clone().into();
    retiring.grounds_key = Set(format!("superseded:{}:{}", old.id, old.grounds_key));
    retiring.status = Set("superseded".to_owned());
    retiring.superseded_at = Set(Some(stamp));
    retiring.updated_at = Set(stamp);
    retiring.update(conn).await?;
    let issued = super::issue::issue(conn, services, caller, &request, now).await?;
    let mut fresh: certificate::ActiveModel = issued.certificate.into();
    fresh.supersedes_id = Set(Some(old.id.clone()));
    let fresh = fresh.update(conn).await?;
    let mut retired: certificate::ActiveModel = certificate::Entity::find_by_id(old.id.clone())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?
        .into();
    retired.superseded_by_id = Set(Some(fresh.id.clone()));
    let retired = retired.update(conn).await?;
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "certificate.supersede",
            record_type: "certificate",
            record_id: &retired.id,
            summary: serde_json::json!({"number": retired.number, "superseded_by": fresh.number, "reason": reason}),
        },
    )
    .await?;
    Ok((retired, fresh))
}
