//! Issuing: one transaction that checks the grounds, takes the number, freezes the
//! signed credential and the PDF, and records the chain. The same grounds always give
//! the same certificate — also when requests race, here or on another instance: the
//! issuer's number counter is locked before the grounds are looked up a second time.
//! A whole cohort is issued person by person, each in a savepoint, so a certificate that
//! cannot be made leaves nothing behind and holds nobody else up.

use chrono::Datelike;
use entities::{
    certificate_files as file, certificate_parents as parent, certificates as certificate,
    enrolments as enrolment, people as person,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionSession, TransactionTrait,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    CertificateStatus, Services, freeze,
    grounds::{self, Grounds, IssueRequest, Missing},
    notices,
    numbering::{self, LockedCounter},
    requirements,
};
use crate::clock::Now;
use crate::{
    access::Caller,
    audit::{self, Actor, Change},
    cohorts,
    error::AppError,
    pagination::new_id,
    people::mask_name,
    programs::CertificateKind,
    standards::reference,
    stored::Stored,
};

/// A certificate as the issuing call returns it, and whether this call created it.
pub struct Issued {
    pub certificate: certificate::Model,
    pub created: bool,
}

/// Issues one certificate on the grounds the request names, or returns the one those
/// grounds already produced.
pub async fn issue(
    conn: &impl ConnectionTrait,
    services: &Services,
    caller: &Caller,
    req: &IssueRequest,
    now: Now,
) -> Result<Issued, AppError> {
    let mut grounds = grounds::resolve(conn, caller, req, now.today).await?;
    match issue_on(conn, services, &caller.actor(), &mut grounds, now).await? {
        Outcome::Issued(issued) => Ok(*issued),
        Outcome::NotEligible(missing) => Err(refusal(grounds.kind, &missing)),
        Outcome::NotMade(unmade) => Err(AppError::Internal(unmade.error)),
    }
}

pub(super) fn refusal(kind: CertificateKind, missing: &[Missing]) -> AppError {
    let reasons: Vec<&str> = missing.iter().map(|m| m.message.as_str()).collect();
    AppError::NotEligible {
        message: format!("不符合颁发{}的条件：{}", kind.label(), reasons.join("；")),
        fields: missing.to_vec(),
    }
}

pub(super) enum Outcome {
    Issued(Box<Issued>),
    NotEligible(Vec<Missing>),
    /// Eligible, but rendering or signing failed; whatever was written is to be undone.
    NotMade(Box<freeze::Unmade>),
}

async fn by_grounds(
    conn: &impl ConnectionTrait,
    key: &str,
) -> Result<Option<certificate::Model>, AppError> {
    Ok(certificate::Entity::find()
        .filter(certificate::Column::GroundsKey.eq(key))
        .one(conn)
        .await?)
}

/// The certificate these grounds already produced, as the answer to a repeated request.
/// A licence asked for again with another validity is refused: a silent answer with the
/// old dates would let the caller believe the new ones were recorded.
fn already_issued(existing: certificate::Model, g: &Grounds) -> Result<Outcome, AppError> {
    if g.kind == CertificateKind::Licence && existing.valid_until != g.valid_until {
        let until = existing
            .valid_until
            .map_or_else(|| "未登记".to_owned(), |d| d.to_string());
        return Err(AppError::Conflict {
            code: "use_renewal",
            message: format!(
                "依据同一培训已颁发{}（编号{}，有效期至{until}），不能以不同的有效期再次颁发；\
                 如需变更有效期，请对该证书办理续期",
                g.kind.label(),
                existing.number
            ),
        });
    }
    Ok(Outcome::Issued(Box::new(Issued {
        certificate: existing,
        created: false,
    })))
}

/// Reads the holder again under a shared lock, so that a name corrected while this
/// request was on its way is the one printed, and a correction under way waits for this
/// certificate (and then re-issues it). Taken before the number counter, in the order a
/// correction takes them.
async fn hold_person(conn: &impl ConnectionTrait, g: &mut Grounds) -> Result<(), AppError> {
    g.person = person::Entity::find_by_id(g.person.id.clone())
        .lock_shared()
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(())
}

pub(super) async fn issue_on(
    conn: &impl ConnectionTrait,
    services: &Services,
    actor: &Actor,
    g: &mut Grounds,
    now: Now,
) -> Result<Outcome, AppError> {
    hold_person(conn, g).await?;
    if let Some(existing) = by_grounds(conn, &g.key()).await? {
        return already_issued(existing, g);
    }
    let check = requirements::check(conn, g, now.today).await?;
    if !check.missing.is_empty() {
        return Ok(Outcome::NotEligible(check.missing));
    }
    make(conn, services, actor, g, &check.parents, &check.paper, now).await
}

/// Takes the number and makes the certificate on grounds already judged, resting on
/// `parents` and printing `paper`'s pictures: signs the credential, renders the PDF,
/// records the chain and audits.
pub(super) async fn make(
    conn: &impl ConnectionTrait,
    services: &Services,
    actor: &Actor,
    g: &Grounds,
    parents: &[String],
    paper: &freeze::Paper,
    now: Now,
) -> Result<Outcome, AppError> {
    let key = g.key();
    let level = match g.assessment.as_ref().and_then(|a| a.level_code.clone()) {
        Some(code) if g.kind == CertificateKind::SkillLevel => {
            reference::skill_level(conn, &code).await?
        }
        _ => None,
    };
    // The level an apprenticeship trained toward: printed, never asserted as attained.
    let target = match g.apprenticed() {
        Some(a) if g.kind == CertificateKind::Apprenticeship => {
            reference::skill_level(conn, &a.agreement.target_level).await?
        }
        _ => None,
    };
    let issued_at = now.at;
    // The day of issue in the registry's time zone (UTC+8 by default), not in UTC.
    let today = now.today;
    let digit = level.as_ref().and_then(|l| l.national_digit);
    let mut counter = LockedCounter::lock(
        conn,
        &numbering::counter_name(g.kind, &g.issuer.id, today.year(), digit),
    )
    .await?;
    // Another request may have issued on these grounds while this one waited for the lock.
    if let Some(existing) = by_grounds(conn, &key).await? {
        return already_issued(existing, g);
    }
    let serial = counter.advance(conn).await?;
    let number = match (g.kind, &g.issuer.national_code, &g.issuer.site_code, digit) {
        (CertificateKind::SkillLevel, Some(org), Some(site), Some(digit)) => {
            numbering::skill_level_number(org, site, today.year(), digit, serial)
        }
        _ => numbering::registry_number(&services.region_code, g.kind, today.year(), serial),
    };
    let status_index = numbering::next(conn, "status_index").await? - 1;
    let id = new_id();
    let token = numbering::new_token();
    let occupation = match g.occupation_code() {
        Some(code) => reference::occupations(conn)
            .await?
            .into_iter()
            .find(|o| o.code == code),
        None => None,
    };
    let valid_until = if g.kind == CertificateKind::Licence {
        g.valid_until
    } else {
        None
    };
    let frozen = match freeze::freeze(
        services,
        &freeze::FreezeInput {
            id: &id,
            number: &number,
            token: &token,
            status_index,
            grounds: g,
            occupation: occupation.as_ref(),
            level: level.as_ref(),
            target: target.as_ref(),
            valid_from: today,
            valid_until,
            issued_at,
            paper,
        },
    ) {
        Ok(frozen) => frozen,
        Err(unmade) => return Ok(Outcome::NotMade(Box::new(unmade))),
    };
    let event = now;
    let now = issued_at.fixed_offset();
    let row = certificate::ActiveModel {
        id: Set(id.clone()),
        number: Set(number),
        kind: Set(g.kind.as_str().to_owned()),
        status: Set(CertificateStatus::Valid.as_str().to_owned()),
        person_id: Set(g.person.id.clone()),
        issuer_org_id: Set(g.issuer.id.clone()),
        program_id: Set(g.enrolled().map(|e| e.program.id.clone())),
        enrolment_id: Set(g.enrolled().map(|e| e.enrolment.id.clone())),
        apprentice_id: Set(g.apprenticed().map(|a| a.apprentice.id.clone())),
        assessment_id: Set(g.assessment.as_ref().map(|a| a.id.clone())),
        standard_id: Set(g.standard.as_ref().map(|s| s.id.clone())),
        occupation_code: Set(g.occupation_code().map(str::to_owned)),
        level_code: Set(level.as_ref().map(|l| l.code.clone())),
        grounds_key: Set(key),
        token: Set(token),
        status_index: Set(status_index),
        valid_from: Set(today),
        valid_until: Set(valid_until),
        credential: Set(frozen.credential_json),
        credential_sha256: Set(frozen.credential_sha256),
        pdf_sha256: Set(frozen.pdf_sha256),
        issued_by: Set(actor.label.clone()),
        issued_at: Set(now),
        suspended_at: Set(None),
        suspend_reason: Set(None),
        revoked_at: Set(None),
        revoke_reason: Set(None),
        supersedes_id: Set(None),
        superseded_by_id: Set(None),
        superseded_at: Set(None),
        updated_at: Set(now),
        grounds_fell_id: Set(None),
        issuer_name: Set(g.issuer.name.clone()),
    }
    .insert(conn)
    .await?;
    for parent_id in parents {
        parent::ActiveModel {
            certificate_id: Set(row.id.clone()),
            parent_id: Set(parent_id.clone()),
        }
        .insert(conn)
        .await?;
    }
    file::ActiveModel {
        certificate_id: Set(row.id.clone()),
        pdf: Set(frozen.pdf),
    }
    .insert(conn)
    .await?;
    audit::append(
        conn,
        actor,
        Change {
            action: "certificate.issue",
            record_type: "certificate",
            record_id: &row.id,
            summary: serde_json::json!({"number": row.number, "kind": row.kind, "person_id": row.person_id,
                "parents": parents, "apprentice_id": row.apprentice_id, "credential_sha256": row.credential_sha256, "pdf_sha256": row.pdf_sha256}),
        },
    )
    .await?;
    notices::issued(conn, services, &g.person, &row, event).await?;
    Ok(Outcome::Issued(Box::new(Issued {
        certificate: row,
        created: true,
    })))
}

/// One line of a whole-cohort issuance report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CohortLine {
    pub enrolment_id: String,
    /// Masked, e.g. 张*三.
    pub name: String,
    pub certificate_id: Option<String>,
    pub number: Option<String>,
    /// True when this call issued it; false when it existed already.
    pub newly_issued: bool,
    /// Why no certificate, when there is none.
    pub missing: Vec<Missing>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CohortReport {
    pub cohort_id: String,
    pub issued: Vec<CohortLine>,
    pub not_eligible: Vec<CohortLine>,
    /// Eligible, but the certificate could not be made (e.g. a name the certificate fonts
    /// cannot print); `missing` says why. Nothing was written for them.
    pub not_issued: Vec<CohortLine>,
}

/// Issues the completion certificate of every enrolment of a cohort that has earned it
/// and reports, per person, why the others have not.
pub async fn issue_for_cohort(
    conn: &(impl ConnectionTrait + TransactionTrait),
    services: &Services,
    caller: &Caller,
    cohort_id: &str,
    now: Now,
) -> Result<CohortReport, AppError> {
    let cohort = cohorts::find(conn, caller, cohort_id).await?;
    let enrolments = enrolment::Entity::find()
        .filter(enrolment::Column::CohortId.eq(&cohort.id))
        .order_by_asc(enrolment::Column::Id)
        .all(conn)
        .await?;
    // Each holder is held before the number counter (see `hold_person`), and the counter
    // stays locked until the cohort commits: so every holder is held first, in one order.
    person::Entity::find()
        .filter(person::Column::Id.is_in(enrolments.iter().map(|e| e.person_id.as_str())))
        .order_by_asc(person::Column::Id)
        .lock_shared()
        .all(conn)
        .await?;
    let actor = caller.actor();
    let mut report = CohortReport {
        cohort_id: cohort.id.clone(),
        issued: Vec::new(),
        not_eligible: Vec::new(),
        not_issued: Vec::new(),
    };
    for e in enrolments {
        let req = IssueRequest {
            kind: CertificateKind::Completion,
            enrolment_id: e.id.clone(),
            assessment_id: None,
            parent_ids: Vec::new(),
            valid_until: None,
        };
        let mut g = grounds::resolve(conn, caller, &req, now.today).await?;
        let person = conn.begin().await?;
        let outcome = issue_on(&person, services, &actor, &mut g, now).await?;
        let name = mask_name(&g.person.name);
        if let Outcome::NotMade(unmade) = &outcome {
            // The number and status index it took go back with the savepoint.
            person.rollback().await?;
            tracing::warn!(enrolment = %e.id, "certificate not made: {:#}", unmade.error);
        } else {
            person.commit().await?;
        }
        match outcome {
            Outcome::Issued(issued) => report.issued.push(CohortLine {
                enrolment_id: e.id,
                name,
                certificate_id: Some(issued.certificate.id),
                number: Some(issued.certificate.number),
                newly_issued: issued.created,
                missing: Vec::new(),
            }),
            Outcome::NotEligible(missing) => {
                report.not_eligible.push(unissued(e.id, name, missing))
            }
            Outcome::NotMade(unmade) => {
                report
                    .not_issued
                    .push(unissued(e.id, name, vec![unmade.reason]));
            }
        }
    }
    Ok(report)
}

pub(super) fn unissued(enrolment_id: String, name: String, missing: Vec<Missing>) -> CohortLine {
    CohortLine {
        enrolment_id,
        name,
        certificate_id: None,
        number: None,
        newly_issued: false,
        missing,
    }
}
