//! The mail a certificate's life sends its holder (to a confirmed address only): on issue,
//! with the stored PDF attached and the verification link; on suspension and revocation,
//! with the reason. Queued in the transaction of the change, once per event.

use entities::{certificates as certificate, people as person};
use sea_orm::{ConnectionTrait, EntityTrait};

use super::Services;
use crate::{
    clock::Now,
    error::AppError,
    mail::{
        MailKind, Outgoing,
        compose::{CertificateIssued, CertificateRevoked, CertificateStopped},
        outbox::{self, Attachment, Recipient},
    },
    programs::CertificateKind,
    stored::Stored,
};

/// Queues "your certificate was issued" to `holder`, if their address is confirmed.
pub async fn issued(
    conn: &impl ConnectionTrait,
    services: &Services,
    holder: &person::Model,
    row: &certificate::Model,
    now: Now,
) -> Result<(), AppError> {
    let Some(to) = Recipient::person(holder) else {
        return Ok(());
    };
    let file_name = format!("{}.pdf", row.number);
    let facts = CertificateIssued {
        holder_name: holder.name.clone(),
        kind: kind_label(row)?,
        number: row.number.clone(),
        issuer_name: row.issuer_name.clone(),
        issued_on: row
            .issued_at
            .with_timezone(&now.zone)
            .format("%Y-%m-%d")
            .to_string(),
        verify_url: services.verify_url(&row.token),
        file_name: file_name.clone(),
    };
    let out = Outgoing {
        kind: MailKind::CertificateIssued,
        dedupe_key: format!("certificate_issued:{}", row.id),
        to,
        organisation_id: Some(row.issuer_org_id.clone()),
        facts: &facts,
        attachment: Some(Attachment {
            certificate_id: row.id.clone(),
            file_name,
        }),
    };
    outbox::queue(conn, out, now).await?;
    Ok(())
}

/// Queues "your certificate was suspended" (or revoked) with `reason` to the holder of
/// `row`, if their address is confirmed. Each suspension is its own event.
pub async fn stopped(
    conn: &impl ConnectionTrait,
    services: &Services,
    row: &certificate::Model,
    revoked: bool,
    reason: &str,
    now: Now,
) -> Result<(), AppError> {
    let holder = person::Entity::find_by_id(row.person_id.clone())
        .one(conn)
        .await?
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("certificate {} has no holder", row.id))
        })?;
    let Some(to) = Recipient::person(&holder) else {
        return Ok(());
    };
    let facts = CertificateStopped {
        holder_name: holder.name.clone(),
        kind: kind_label(row)?,
        number: row.number.clone(),
        issuer_name: row.issuer_name.clone(),
        reason: reason.to_owned(),
        verify_url: services.verify_url(&row.token),
    };
    let revoked_facts = CertificateRevoked(facts.clone());
    let (kind, at, facts): (_, _, &(dyn crate::mail::compose::Compose + Sync)) = if revoked {
        (MailKind::CertificateRevoked, row.revoked_at, &revoked_facts)
    } else {
        (MailKind::CertificateSuspended, row.suspended_at, &facts)
    };
    let when = at.map(|t| t.timestamp_micros()).unwrap_or_default();
    let out = Outgoing {
        kind,
        dedupe_key: format!("{}:{}:{when}", kind.as_str(), row.id),
        to,
        organisation_id: Some(row.issuer_org_id.clone()),
        facts,
        attachment: None,
    };
    outbox::queue(conn, out, now).await?;
    Ok(())
}

fn kind_label(row: &certificate::Model) -> Result<String, AppError> {
    Ok(CertificateKind::read("certificates", &row.id, &row.kind)?
        .label()
        .to_owned())
}
