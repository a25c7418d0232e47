//! Certificates resting on an apprenticeship (企业新型学徒制, docs/DESIGN.md §5, §7): the
//! apprenticeship certificate, issued by the agreement's training provider once the
//! apprentice has completed with every milestone of the plan, and the skill-level
//! certificate, issued by an evaluation organisation on a passed assessment of the
//! apprentice at the agreement's occupation and target level, resting on the
//! apprenticeship certificate. The agreement is locked first, as every change to an
//! apprenticeship does, so two requests on the same grounds take turns and the second
//! answers the first one's certificate.

pub mod checks;
pub mod listed;
pub mod paper;

use entities::{
    apprentice_milestones as done, apprentices as apprentice,
    apprenticeship_agreements as agreement, apprenticeship_milestones as milestone,
    apprenticeship_modules as module, assessments as assessment, organisations as organisation,
    people as person,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    Services,
    grounds::{self, Grounds, Training},
    issue::{self, Issued, Outcome},
};
use crate::{
    access::Caller,
    apprenticeships::{self, progress},
    clock::Now,
    error::AppError,
    programs::CertificateKind,
    stored::Stored,
};

/// An apprenticeship as a certificate rests on it: the agreement, the apprentice, the
/// enterprise, the plan's milestones and those the apprentice completed.
pub struct Apprenticed {
    pub agreement: agreement::Model,
    pub apprentice: apprentice::Model,
    /// The enterprise (employer) the apprentice trained at.
    pub enterprise: organisation::Model,
    /// The plan's milestones, in order.
    pub milestones: Vec<milestone::Model>,
    /// The milestones this apprentice completed.
    pub done: Vec<done::Model>,
    /// The plan's hours: theory and practice of every module.
    pub hours: i32,
}

/// A certificate asked for on an apprentice.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ApprenticeCertificateRequest {
    /// `apprenticeship` (by the agreement's training provider) or `skill_level` (by an
    /// evaluation organisation, on its passed assessment of the apprentice).
    pub kind: CertificateKind,
    /// Skill level: the passed assessment; absent, the latest passed assessment of the
    /// apprentice by the caller's organisation.
    pub assessment_id: Option<String>,
}

/// Reads what an apprentice's certificate rests on besides the two rows.
pub async fn load(
    conn: &impl ConnectionTrait,
    agreement: agreement::Model,
    apprentice: apprentice::Model,
) -> Result<Apprenticed, AppError> {
    let enterprise = organisation::Entity::find_by_id(agreement.employer_id.clone())
        .one(conn)
        .await?
        .ok_or_else(|| anyhow::anyhow!("agreement {} names no enterprise", agreement.id))?;
    let milestones = milestone::Entity::find()
        .filter(milestone::Column::AgreementId.eq(&agreement.id))
        .order_by_asc(milestone::Column::Position)
        .all(conn)
        .await?;
    let done = done::Entity::find()
        .filter(done::Column::ApprenticeId.eq(&apprentice.id))
        .all(conn)
        .await?;
    let hours = module::Entity::find()
        .filter(module::Column::AgreementId.eq(&agreement.id))
        .all(conn)
        .await?
        .iter()
        .map(|m| m.theory_hours + m.practice_hours)
        .sum();
    Ok(Apprenticed {
        agreement,
        apprentice,
        enterprise,
        milestones,
        done,
        hours,
    })
}

/// The apprenticeship of apprentice `id`, as a re-issue reads it.
pub async fn load_by_id(conn: &impl ConnectionTrait, id: &str) -> Result<Apprenticed, AppError> {
    let apprentice = apprentice::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .ok_or_else(|| anyhow::anyhow!("apprentice {id} is missing"))?;
    let agreement = agreement::Entity::find_by_id(apprentice.agreement_id.clone())
        .one(conn)
        .await?
        .ok_or_else(|| anyhow::anyhow!("apprentice {id} names a missing agreement"))?;
    load(conn, agreement, apprentice).await
}

/// Issues the certificate `req` asks for on apprentice `apprentice_id` of agreement
/// `agreement_id`, or answers the one these grounds already produced.
pub async fn issue(
    conn: &impl ConnectionTrait,
    services: &Services,
    caller: &Caller,
    (agreement_id, apprentice_id): (&str, &str),
    req: &ApprenticeCertificateRequest,
    now: Now,
) -> Result<Issued, AppError> {
    if !matches!(
        req.kind,
        CertificateKind::Apprenticeship | CertificateKind::SkillLevel
    ) {
        return Err(AppError::invalid(
            "kind",
            "not_offered",
            "学徒培养只颁发学徒培训证书和职业技能等级证书",
        ));
    }
    let issuer_id = grounds::issuer_of(caller, req.kind)?;
    let agreement = apprenticeships::lock_row(conn, agreement_id)
        .await?
        .filter(|a| a.status != apprenticeships::AgreementStatus::Draft.as_str())
        .ok_or(AppError::NotFound)?;
    if req.kind == CertificateKind::Apprenticeship && agreement.provider_id != issuer_id {
        return Err(AppError::NotFound);
    }
    let apprentice = progress::find_apprentice(conn, &agreement, apprentice_id).await?;
    let assessment = assessment_of(conn, req, &issuer_id, &apprentice.id).await?;
    let issuer = organisation::Entity::find_by_id(issuer_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let person = person::Entity::find_by_id(apprentice.person_id.clone())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let parents = grounds::valid_certificates_of(conn, &person.id, now.today).await?;
    let training = load(conn, agreement, apprentice).await?;
    let mut g = Grounds {
        kind: req.kind,
        issuer,
        person,
        training: Training::Apprenticeship(Box::new(training)),
        rule: None,
        standard: None,
        assessment,
        parents,
        valid_until: None,
    };
    match issue::issue_on(conn, services, &caller.actor(), &mut g, now).await? {
        Outcome::Issued(issued) => Ok(*issued),
        Outcome::NotEligible(missing) => Err(issue::refusal(g.kind, &missing)),
        Outcome::NotMade(unmade) => Err(AppError::NotEligible {
            message: format!("无法颁发{}：{}", g.kind.label(), unmade.reason.message),
            fields: vec![unmade.reason],
        }),
    }
}

/// The assessment a skill-level certificate rests on: the one named (by the caller's
/// organisation, of this apprentice, or "not found"), else the latest passed one.
async fn assessment_of(
    conn: &impl ConnectionTrait,
    req: &ApprenticeCertificateRequest,
    org: &str,
    apprentice_id: &str,
) -> Result<Option<assessment::Model>, AppError> {
    if req.kind != CertificateKind::SkillLevel {
        return Ok(None);
    }
    let query = assessment::Entity::find()
        .filter(assessment::Column::EvaluationOrgId.eq(org))
        .filter(assessment::Column::ApprenticeId.eq(apprentice_id));
    Ok(match &req.assessment_id {
        Some(id) => Some(
            query
                .filter(assessment::Column::Id.eq(id))
                .one(conn)
                .await?
                .ok_or(AppError::NotFound)?,
        ),
        None => {
            query
                .filter(assessment::Column::Passed.eq(true))
                .order_by_desc(assessment::Column::AssessedOn)
                .one(conn)
                .await?
        }
    })
}
