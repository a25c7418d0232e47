//! Status changes after issue, each audited, nothing ever deleted: suspend ↔ reinstate
//! and revoke (final), by the issuing organisation, with a reason; the bureau may also
//! suspend and revoke (fraud it finds), audited as the bureau. Repeating a change
//! that already holds changes nothing. Certificates resting on the changed one follow in
//! the same transaction ([`fallen`]).

use entities::certificates as certificate;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QuerySelect, Set};

use super::{CertificateStatus, fallen, reissue};
use crate::clock::Now;
use crate::{
    access::{Caller, rules},
    audit::{self, Change},
    error::AppError,
    stored::Stored,
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

    /// The status the change leads to.
    fn target(self) -> CertificateStatus {
        match self {
            Self::Suspend => CertificateStatus::Suspended,
            Self::Reinstate => CertificateStatus::Valid,
            Self::Revoke => CertificateStatus::Revoked,
        }
    }

    /// Whether a certificate stored with status `from` may undergo the change.
    /// Whether the caller may make the change to a certificate `issuer_org_id` issued.
    fn may(self, caller: &Caller, issuer_org_id: &str) -> bool {
        match self {
            Self::Suspend | Self::Revoke => rules::may_stop_certificate(caller, issuer_org_id),
            Self::Reinstate => rules::is_issuer(caller, issuer_org_id),
        }
    }

    fn allowed_from(self, from: CertificateStatus) -> bool {
        use CertificateStatus::{Suspended, Valid};
        matches!(
            (from, self),
            (Valid, Self::Suspend)
                | (Suspended, Self::Reinstate)
                | (Valid | Suspended, Self::Revoke)
        )
    }
}

/// The certificate, locked for a change, if `may` lets the caller make it (others get
/// "not found"), and the trimmed reason, which must be 1–200 characters (`ask` says so).
async fn locked_for<'r>(
    conn: &impl ConnectionTrait,
    may: impl Fn(&certificate::Model) -> bool,
    id: &str,
    reason: &'r str,
    ask: &str,
) -> Result<(certificate::Model, &'r str), AppError> {
    let row = certificate::Entity::find_by_id(id.to_owned())
        .lock_exclusive()
        .one(conn)
        .await?
        .filter(|c| may(c))
        .ok_or(AppError::NotFound)?;
    let reason = reason.trim();
    if !(1..=200).contains(&reason.chars().count()) {
        return Err(AppError::invalid("reason", "length", ask));
    }
    Ok((row, reason))
}

/// Applies a status change for the issuing organisation (suspend and revoke also for the
/// bureau); others get "not found".
pub async fn change(
    conn: &impl ConnectionTrait,
    services: &super::Services,
    caller: &Caller,
    id: &str,
    change: StatusChange,
    reason: &str,
    now: Now,
) -> Result<certificate::Model, AppError> {
    let may = |c: &certificate::Model| change.may(caller, &c.issuer_org_id);
    let (row, reason) = locked_for(conn, may, id, reason, "请填写原因（1–200字）").await?;
    let (from, to) = (CertificateStatus::of(&row)?, change.target());
    if from == to {
        return Ok(row);
    }
    if !change.allowed_from(from) {
        return Err(AppError::Conflict {
            code: "status_final",
            message: format!("证书当前状态为“{}”，不能执行此操作", from.label()),
        });
    }
    let stamp = now.stamp();
    let mut active: certificate::ActiveModel = row.into();
    active.status = Set(to.as_str().to_owned());
    match change {
        StatusChange::Suspend => {
            active.suspended_at = Set(Some(stamp));
            active.suspend_reason = Set(Some(reason.to_owned()));
        }
        StatusChange::Reinstate => {
            active.suspended_at = Set(None);
            active.suspend_reason = Set(None);
        }
        StatusChange::Revoke => {
            active.revoked_at = Set(Some(stamp));
            active.revoke_reason = Set(Some(reason.to_owned()));
        }
    }
    // A decision by hand replaces a suspension the chain made.
    active.grounds_fell_id = Set(None);
    active.updated_at = Set(stamp);
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
    match change {
        StatusChange::Suspend | StatusChange::Revoke => {
            let revoked = change == StatusChange::Revoke;
            super::notices::stopped(conn, services, &row, revoked, reason, now).await?;
            fallen::fall(conn, services, &caller.actor(), row.clone(), now).await?;
        }
        StatusChange::Reinstate => fallen::restore(conn, &caller.actor(), row.clone(), now).await?,
    }
    Ok(row)
}

/// Re-issues a certificate with corrections ([`reissue`]): the grounds are read again (so
/// a corrected name, program or standard shows on the new certificate), a new certificate
/// is issued on them, resting on the same parents, and the old one says it was superseded
/// and by which. A suspended certificate's replacement stays suspended. The issuer only;
/// an expired licence is renewed instead.
pub async fn supersede(
    conn: &impl ConnectionTrait,
    services: &super::Services,
    caller: &Caller,
    id: &str,
    reason: &str,
    now: Now,
) -> Result<(certificate::Model, certificate::Model), AppError> {
    reissue::hold_holder(conn, id).await?;
    let issuer = |c: &certificate::Model| rules::is_issuer(caller, &c.issuer_org_id);
    let (old, reason) = locked_for(conn, issuer, id, reason, "请填写更正原因（1–200字）").await?;
    let status = CertificateStatus::current(&old, now.today)?;
    if !matches!(
        status,
        CertificateStatus::Valid | CertificateStatus::Suspended
    ) {
        return Err(AppError::Conflict {
            code: "status_final",
            message: format!("证书当前状态为“{}”，不能更正换发", status.label()),
        });
    }
    let parents = reissue::parents_of(conn, &old.id).await?;
    let valid_until = old.valid_until;
    let why = reissue::Why {
        action: "certificate.supersede",
        reason,
    };
    let replaced = reissue::reissue(
        conn,
        services,
        &caller.actor(),
        old,
        &parents,
        valid_until,
        &why,
        now,
    )
    .await?;
    Ok((replaced.old, replaced.new))
}
