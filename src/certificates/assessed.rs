//! Issuing what an assessment earns for a whole cohort at once: the specialty or
//! skill-level certificate of every trainee the caller's evaluation organisation
//! assessed as passed, each in a savepoint as in [`issue::issue_for_cohort`], with the
//! per-person report (who got a number; who not, and why).

use entities::{assessments as assessment, enrolments as enrolment, people as person};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionSession, TransactionTrait,
};

use super::{
    Services,
    grounds::{self, IssueRequest},
    issue::{self, CohortLine, CohortReport, Outcome},
};
use crate::clock::Now;
use crate::{
    access::{Caller, Role},
    cohorts,
    error::AppError,
    people::mask_name,
    programs::CertificateKind,
};

/// Issues, for cohort `cohort_id`, the certificate each passed assessment by the
/// caller's organisation earns (a level: skill level; otherwise specialty). Trainees
/// without a passed assessment are not listed.
pub async fn issue_for_cohort(
    conn: &(impl ConnectionTrait + TransactionTrait),
    services: &Services,
    caller: &Caller,
    cohort_id: &str,
    now: Now,
) -> Result<CohortReport, AppError> {
    let org = match (caller.role, &caller.organisation_id) {
        (Role::Assessor, Some(org)) => org.clone(),
        _ => return Err(AppError::forbidden_role()),
    };
    let cohort = cohorts::find(conn, caller, cohort_id).await?;
    let enrolments = enrolment::Entity::find()
        .filter(enrolment::Column::CohortId.eq(&cohort.id))
        .order_by_asc(enrolment::Column::Id)
        .all(conn)
        .await?;
    let passed = assessment::Entity::find()
        .filter(assessment::Column::EnrolmentId.is_in(enrolments.iter().map(|e| e.id.as_str())))
        .filter(assessment::Column::EvaluationOrgId.eq(&org))
        .filter(assessment::Column::Passed.eq(true))
        .order_by_asc(assessment::Column::AssessedOn)
        .all(conn)
        .await?;
    // Holders are held in one order before any number counter (see `issue_for_cohort`).
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
        // The latest passed assessment of this trainee.
        let Some(a) = passed
            .iter()
            .rev()
            .find(|a| a.enrolment_id.as_deref() == Some(e.id.as_str()))
        else {
            continue;
        };
        let kind = match a.level_code {
            Some(_) => CertificateKind::SkillLevel,
            None => CertificateKind::Specialty,
        };
        let req = IssueRequest {
            kind,
            enrolment_id: e.id.clone(),
            assessment_id: Some(a.id.clone()),
            parent_ids: Vec::new(),
            valid_until: None,
        };
        let mut g = grounds::resolve(conn, caller, &req, now.today).await?;
        let savepoint = conn.begin().await?;
        let outcome = issue::issue_on(&savepoint, services, &actor, &mut g, now).await?;
        let name = mask_name(&g.person.name);
        if let Outcome::NotMade(unmade) = &outcome {
            savepoint.rollback().await?;
            tracing::warn!(enrolment = %e.id, "certificate not made: {:#}", unmade.error);
        } else {
            savepoint.commit().await?;
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
            Outcome::NotEligible(missing) => report
                .not_eligible
                .push(issue::unissued(e.id, name, missing)),
            Outcome::NotMade(unmade) => {
                report
                    .not_issued
                    .push(issue::unissued(e.id, name, vec![unmade.reason]))
            }
        }
    }
    Ok(report)
}
