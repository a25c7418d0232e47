//! Re-issuing: a certificate is superseded by a new one made on the same grounds as they
//! read now (a corrected name, a renewed licence's new validity), with a new number,
//! token, credential and PDF; the old one keeps its record and says by which it was
//! replaced. Grounds are not judged again: they were judged when the certificate was
//! first issued, and a later change to a program's rules must not take back a
//! certificate (docs/DESIGN.md §5). The new certificate pins the standard version the old
//! one pinned.
//!
//! [`supersede_many`] re-issues a holder's standing certificates parents first, so each
//! new certificate rests on the new certificates that replaced its parents and the chain
//! stays whole. A suspended certificate is re-issued suspended, for the same reason (a
//! suspension the chain made now names the parent's replacement): a correction never
//! lifts a suspension. Revoked and expired certificates are left as they are: a revoked
//! one is final, and an expired licence takes the correction when it is renewed.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use entities::{
    assessments as assessment, certificate_parents as parent, certificates as certificate,
    organisations as organisation, people as person,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::{
    CertificateStatus, Services, apprenticed, fallen,
    grounds::{self, Grounds, Training},
    issue::{self, Outcome},
};
use crate::{
    audit::{self, Actor, Change},
    clock::Now,
    error::AppError,
    programs::CertificateKind,
    stored::Stored,
};

/// A certificate and the one that replaced it.
#[derive(Debug, Clone)]
pub struct Replaced {
    /// Now `superseded`, naming `new`.
    pub old: certificate::Model,
    pub new: certificate::Model,
}

/// Why a certificate is re-issued, as its audit entry records it.
pub struct Why<'a> {
    /// `certificate.supersede` or `certificate.renew`.
    pub action: &'static str,
    pub reason: &'a str,
}

/// Holds the holder of certificate `id` under a shared lock, as issuing does, before the
/// certificate itself is locked: a name correction (which locks the holder first) then
/// either waits for this re-issue and re-issues its result, or has finished and this one
/// prints the corrected name. An unknown id holds nothing (the caller answers it).
pub async fn hold_holder(conn: &impl ConnectionTrait, id: &str) -> Result<(), AppError> {
    let holder: Option<String> = certificate::Entity::find_by_id(id.to_owned())
        .select_only()
        .column(certificate::Column::PersonId)
        .into_tuple()
        .one(conn)
        .await?;
    if let Some(person_id) = holder {
        person::Entity::find_by_id(person_id)
            .lock_shared()
            .one(conn)
            .await?;
    }
    Ok(())
}

/// The ids of the certificates `id` rests on.
pub async fn parents_of(conn: &impl ConnectionTrait, id: &str) -> Result<Vec<String>, AppError> {
    Ok(parent::Entity::find()
        .filter(parent::Column::CertificateId.eq(id))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| p.parent_id)
        .collect())
}

/// Re-issues every certificate of `person_id` that stands (valid or suspended, not past
/// its validity), parents first, in the caller's transaction; the replacements in the
/// order they were made.
pub async fn supersede_many(
    conn: &impl ConnectionTrait,
    services: &Services,
    actor: &Actor,
    person_id: &str,
    reason: &str,
    now: Now,
) -> Result<Vec<Replaced>, AppError> {
    let standing = [CertificateStatus::Valid, CertificateStatus::Suspended].map(|s| s.as_str());
    let mut pending: Vec<certificate::Model> = certificate::Entity::find()
        .filter(certificate::Column::PersonId.eq(person_id))
        .filter(certificate::Column::Status.is_in(standing))
        .order_by_asc(certificate::Column::IssuedAt)
        .order_by_asc(certificate::Column::Id)
        .lock_exclusive()
        .all(conn)
        .await?
        .into_iter()
        .filter(|c| c.valid_until.is_none_or(|d| d >= now.today))
        .collect();
    let mut parents: HashMap<String, Vec<String>> = HashMap::new();
    for link in parent::Entity::find()
        .filter(parent::Column::CertificateId.is_in(pending.iter().map(|c| c.id.as_str())))
        .all(conn)
        .await?
    {
        parents
            .entry(link.certificate_id)
            .or_default()
            .push(link.parent_id);
    }
    let mut replaced_by: HashMap<String, String> = HashMap::new();
    let mut done = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let waiting: HashSet<String> = pending.iter().map(|c| c.id.clone()).collect();
        let (ready, later): (Vec<_>, Vec<_>) = pending.into_iter().partition(|c| {
            parents
                .get(&c.id)
                .is_none_or(|ps| ps.iter().all(|p| !waiting.contains(p)))
        });
        if ready.is_empty() {
            return Err(anyhow::anyhow!(
                "the certificates of person {person_id} rest on each other in a cycle"
            )
            .into());
        }
        for old in ready {
            let rests_on: Vec<String> = parents
                .remove(&old.id)
                .unwrap_or_default()
                .into_iter()
                .map(|p| replaced_by.get(&p).cloned().unwrap_or(p))
                .collect();
            let valid_until = old.valid_until;
            let why = Why {
                action: "certificate.supersede",
                reason,
            };
            let r = reissue(
                conn,
                services,
                actor,
                old,
                &rests_on,
                valid_until,
                &why,
                now,
            )
            .await?;
            replaced_by.insert(r.old.id.clone(), r.new.id.clone());
            done.push(r);
        }
        pending = later;
    }
    Ok(done)
}

/// Supersedes `old` (locked by the caller, valid or suspended) by a new certificate on
/// its grounds, resting on `parents`, valid until `valid_until`.
#[expect(
    clippy::too_many_arguments,
    reason = "what is replaced, by what, and why: each is needed and none belongs to another"
)]
pub async fn reissue(
    conn: &impl ConnectionTrait,
    services: &Services,
    actor: &Actor,
    old: certificate::Model,
    parents: &[String],
    valid_until: Option<NaiveDate>,
    why: &Why<'_>,
    now: Now,
) -> Result<Replaced, AppError> {
    let grounds = grounds_of(conn, services, &old, valid_until).await?;
    let stamp = now.stamp();
    // Free the grounds for the new certificate; the old one keeps them under a new key.
    let mut retiring: certificate::ActiveModel = old.clone().into();
    retiring.grounds_key = Set(format!("superseded:{}:{}", old.id, old.grounds_key));
    retiring.status = Set(CertificateStatus::Superseded.as_str().to_owned());
    retiring.superseded_at = Set(Some(stamp));
    retiring.updated_at = Set(stamp);
    retiring.update(conn).await?;
    let paper = super::requirements::pictures(conn, &grounds).await?;
    let made = match issue::make(conn, services, actor, &grounds, parents, &paper, now).await? {
        Outcome::Issued(issued) if issued.created => issued.certificate,
        Outcome::Issued(issued) => {
            return Err(anyhow::anyhow!(
                "re-issuing {}: its freed grounds are held by {}",
                old.number,
                issued.certificate.number
            )
            .into());
        }
        Outcome::NotEligible(missing) => {
            return Err(
                anyhow::anyhow!("re-issuing {}: not eligible: {missing:?}", old.number).into(),
            );
        }
        Outcome::NotMade(unmade) => {
            tracing::warn!(certificate = %old.id, "re-issue not made: {:#}", unmade.error);
            return Err(AppError::NotEligible {
                message: format!("无法换发证书{}：{}", old.number, unmade.reason.message),
                fields: vec![unmade.reason],
            });
        }
    };
    let mut fresh: certificate::ActiveModel = made.into();
    fresh.supersedes_id = Set(Some(old.id.clone()));
    let fresh = fresh.update(conn).await?;
    let fresh = carry_suspension(conn, actor, &old, fresh, parents, now).await?;
    let mut retired: certificate::ActiveModel = certificate::Entity::find_by_id(old.id.clone())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?
        .into();
    retired.superseded_by_id = Set(Some(fresh.id.clone()));
    let retired = retired.update(conn).await?;
    audit::append(
        conn,
        actor,
        Change {
            action: why.action,
            record_type: "certificate",
            record_id: &retired.id,
            summary: serde_json::json!({"number": retired.number, "superseded_by": fresh.number,
                "reason": why.reason, "valid_until": fresh.valid_until}),
        },
    )
    .await?;
    Ok(Replaced {
        old: retired,
        new: fresh,
    })
}

/// Suspends the re-issue of a suspended certificate as the old one was. A suspension the
/// chain made names the replacement of the fallen parent when that parent was re-issued
/// too (and says so in the reason), so reinstating the replacement reinstates this one.
async fn carry_suspension(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    old: &certificate::Model,
    fresh: certificate::Model,
    parents: &[String],
    now: Now,
) -> Result<certificate::Model, AppError> {
    if CertificateStatus::of(old)? != CertificateStatus::Suspended {
        return Ok(fresh);
    }
    let mut reason = old.suspend_reason.clone().unwrap_or_default();
    let mut fell = old.grounds_fell_id.clone();
    if let Some(fallen_id) = &old.grounds_fell_id {
        let replacement = certificate::Entity::find()
            .filter(certificate::Column::Id.is_in(parents.iter().map(String::as_str)))
            .filter(certificate::Column::SupersedesId.eq(fallen_id.as_str()))
            .one(conn)
            .await?;
        if let Some(parent) = replacement
            && let Some(why) = fallen::reason(&parent)?
        {
            reason = why;
            fell = Some(parent.id);
        }
    }
    let mut active: certificate::ActiveModel = fresh.into();
    active.status = Set(CertificateStatus::Suspended.as_str().to_owned());
    active.suspended_at = Set(old.suspended_at.or(Some(now.stamp())));
    active.suspend_reason = Set(Some(reason.clone()));
    active.grounds_fell_id = Set(fell);
    let fresh = active.update(conn).await?;
    audit::append(
        conn,
        actor,
        Change {
            action: "certificate.suspend",
            record_type: "certificate",
            record_id: &fresh.id,
            summary: serde_json::json!({"number": fresh.number, "from": CertificateStatus::Valid,
                "to": CertificateStatus::Suspended, "reason": reason, "carried_from": old.number}),
        },
    )
    .await?;
    Ok(fresh)
}

/// The grounds `old` was issued on, as they read now, for its issuer.
async fn grounds_of(
    conn: &impl ConnectionTrait,
    services: &Services,
    old: &certificate::Model,
    valid_until: Option<NaiveDate>,
) -> Result<Grounds, AppError> {
    let missing = |what: &str| {
        AppError::Internal(anyhow::anyhow!(
            "certificate {} names a missing {what}",
            old.id
        ))
    };
    let kind = CertificateKind::read("certificates", &old.id, &old.kind)?;
    let issuer = organisation::Entity::find_by_id(old.issuer_org_id.clone())
        .one(conn)
        .await?
        .ok_or_else(|| missing("issuer"))?;
    let person = person::Entity::find_by_id(old.person_id.clone())
        .one(conn)
        .await?
        .ok_or_else(|| missing("holder"))?;
    let (training, rule) = match (&old.enrolment_id, &old.apprentice_id) {
        (Some(enrolment_id), _) => {
            let (enrolled, rules) = grounds::enrolled(conn, enrolment_id, &missing).await?;
            (
                Training::Enrolment(Box::new(enrolled)),
                rules.into_iter().find(|r| r.kind == kind),
            )
        }
        (None, Some(apprentice_id)) => (
            Training::Apprenticeship(Box::new(
                apprenticed::load_by_id(conn, apprentice_id).await?,
            )),
            None,
        ),
        (None, None) => {
            return Err(AppError::Conflict {
                code: "not_reissuable",
                message: format!("证书{}没有登记培训依据，不能换发", old.number),
            });
        }
    };
    let standard = match &old.standard_id {
        Some(id) => Some(
            services
                .pinned_standard(conn, id)
                .await?
                .ok_or_else(|| missing("standard version"))?,
        ),
        None => None,
    };
    let assessment = match &old.assessment_id {
        Some(id) => Some(
            assessment::Entity::find_by_id(id.clone())
                .one(conn)
                .await?
                .ok_or_else(|| missing("assessment"))?,
        ),
        None => None,
    };
    let parents = certificate::Entity::find()
        .filter(certificate::Column::Id.is_in(parents_of(conn, &old.id).await?))
        .all(conn)
        .await?;
    Ok(Grounds {
        kind,
        issuer,
        person,
        training,
        rule,
        standard,
        assessment,
        parents,
        valid_until,
    })
}
