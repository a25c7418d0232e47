//! Status changes after issue, each audited, nothing ever deleted: suspend ↔ reinstate
//! and revoke (final), by the issuing organisation, with a reason. Repeating a change
//! that already holds changes nothing.

use chrono::Utc;
use entities::certificates as certificate;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QuerySelect, Set};

use crate::{
    audit::{self, Change},
    auth::Caller,
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
) -> Result<certificate::Model, AppError> {
    let row = certificate::Entity::find_by_id(id.to_owned())
        .lock_exclusive()
        .one(conn)
        .await?
        .filter(|c| caller.organisation_id.as_deref() == Some(c.issuer_org_id.as_str()))
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
    let now = Utc::now().fixed_offset();
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
