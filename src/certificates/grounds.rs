//! What a certificate rests on, and what is missing. A certificate's training is an
//! enrolment (cohort, program) or an apprenticeship (agreement, apprentice). [`resolve`]
//! loads the grounds a request names (the enrolment and its program rule, the assessment,
//! the parent certificates); [`missing`] lists every unmet requirement, so a refusal can say
//! exactly what is lacking.

use chrono::NaiveDate;
use entities::{
    assessments as assessment, certificates as certificate, cohorts as cohort,
    enrolments as enrolment, organisations as organisation, people as person, programs as program,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{CertificateStatus, apprenticed::Apprenticed};
use crate::{
    access::{Caller, Role},
    error::{AppError, FieldError},
    programs::{CertificateKind, CertificateRule},
    standards::{self, Standard},
    stored::Stored,
};

/// A request to issue one certificate.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct IssueRequest {
    pub kind: CertificateKind,
    /// The enrolment whose program defines the rule (every kind).
    pub enrolment_id: String,
    /// The passed assessment (specialty and skill-level certificates).
    pub assessment_id: Option<String>,
    /// Parent certificates; found automatically among the holder's valid certificates
    /// when absent.
    #[serde(default)]
    pub parent_ids: Vec<String>,
    /// Licences: the last day of validity.
    pub valid_until: Option<NaiveDate>,
}

/// One unmet requirement: what is lacking (e.g. `enrolment.attended_hours`), why (e.g.
/// `below_minimum`) and the rule in Chinese with the figures — the same shape as a refused
/// field, which is what it becomes when issuing is refused.
pub type Missing = FieldError;

pub(super) fn missing(field: &str, reason: &str, message: impl Into<String>) -> Missing {
    FieldError::new(field, reason, message)
}

/// Training in a cohort: the enrolment, its cohort and the program whose rules apply.
pub struct Enrolled {
    pub enrolment: enrolment::Model,
    pub cohort: cohort::Model,
    pub program: program::Model,
}

/// The training a certificate rests on: an enrolment in a cohort, or an apprenticeship
/// (the agreement and the apprentice, see [`super::apprenticed`]).
pub enum Training {
    Enrolment(Box<Enrolled>),
    Apprenticeship(Box<Apprenticed>),
}

/// Everything a certificate may rest on, loaded.
pub struct Grounds {
    pub kind: CertificateKind,
    pub issuer: organisation::Model,
    pub person: person::Model,
    pub training: Training,
    /// The program's rule for `kind` (enrolments only: an apprenticeship's rules are the
    /// agreement's plan).
    pub rule: Option<CertificateRule>,
    pub standard: Option<Standard>,
    pub assessment: Option<assessment::Model>,
    pub parents: Vec<certificate::Model>,
    pub valid_until: Option<NaiveDate>,
}

impl Grounds {
    /// The cohort training, if the certificate rests on an enrolment.
    pub fn enrolled(&self) -> Option<&Enrolled> {
        match &self.training {
            Training::Enrolment(e) => Some(e),
            Training::Apprenticeship(_) => None,
        }
    }

    /// The apprenticeship, if the certificate rests on one.
    pub fn apprenticed(&self) -> Option<&Apprenticed> {
        match &self.training {
            Training::Apprenticeship(a) => Some(a),
            Training::Enrolment(_) => None,
        }
    }

    /// The occupation trained for: the program's, or the agreement's.
    pub fn occupation_code(&self) -> Option<&str> {
        match &self.training {
            Training::Enrolment(e) => e.program.occupation_code.as_deref(),
            Training::Apprenticeship(a) => Some(a.agreement.occupation_code.as_str()),
        }
    }

    /// The key that makes issuing idempotent: the same grounds, the same certificate.
    pub fn key(&self) -> String {
        let training = match &self.training {
            Training::Enrolment(e) => format!("enrolment:{}", e.enrolment.id),
            Training::Apprenticeship(a) => format!("apprentice:{}", a.apprentice.id),
        };
        match self.kind {
            CertificateKind::Completion => format!("completion:{training}"),
            CertificateKind::Specialty | CertificateKind::SkillLevel => format!(
                "{}:assessment:{}",
                self.kind.as_str(),
                self.assessment
                    .as_ref()
                    .map(|a| a.id.as_str())
                    .unwrap_or("none")
            ),
            CertificateKind::Apprenticeship if self.apprenticed().is_some() => {
                format!("apprenticeship:{training}")
            }
            CertificateKind::Licence | CertificateKind::Apprenticeship => {
                format!("{}:{}:{training}", self.kind.as_str(), self.issuer.id)
            }
        }
    }
}

/// The organisation that issues `kind` for this caller, or 403.
pub(super) fn issuer_of(caller: &Caller, kind: CertificateKind) -> Result<String, AppError> {
    let allowed = match kind {
        CertificateKind::Completion => Role::ProviderStaff,
        CertificateKind::Specialty | CertificateKind::SkillLevel => Role::Assessor,
        CertificateKind::Licence => Role::LicensingOfficer,
        CertificateKind::Apprenticeship => Role::ProviderStaff,
    };
    match (&caller.organisation_id, caller.role == allowed) {
        (Some(org), true) => Ok(org.clone()),
        _ => Err(AppError::Forbidden {
            message: format!("当前角色无权颁发{}", kind.label()),
        }),
    }
}

/// Loads the grounds a request names. Records the caller may not see are "not found".
pub async fn resolve(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    req: &IssueRequest,
    today: NaiveDate,
) -> Result<Grounds, AppError> {
    let issuer_id = issuer_of(caller, req.kind)?;
    let issuer = organisation::Entity::find_by_id(issuer_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let enrolment = enrolment::Entity::find_by_id(req.enrolment_id.clone())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let cohort = cohort::Entity::find_by_id(enrolment.cohort_id.clone())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let visible = match req.kind {
        CertificateKind::Completion | CertificateKind::Apprenticeship => {
            enrolment.provider_id == issuer.id
        }
        CertificateKind::Specialty | CertificateKind::SkillLevel => {
            cohort.evaluation_org_id.as_deref() == Some(issuer.id.as_str())
        }
        CertificateKind::Licence => true,
    };
    if !visible {
        return Err(AppError::NotFound);
    }
    let program = program::Entity::find_by_id(cohort.program_id.clone())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let person = person::Entity::find_by_id(enrolment.person_id.clone())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let rules: Vec<CertificateRule> = serde_json::from_str(&program.certificates).map_err(|e| {
        anyhow::anyhow!("programs {}: unreadable certificate rules: {e}", program.id)
    })?;
    let rule = rules.into_iter().find(|r| r.kind == req.kind);
    let standard = match &program.standard_id {
        Some(id) => standards::by_id(conn, id).await?,
        None => None,
    };
    let assessment = match &req.assessment_id {
        Some(id) => Some(
            assessment::Entity::find_by_id(id.clone())
                .one(conn)
                .await?
                .filter(|a| a.evaluation_org_id == issuer.id)
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    let parents = if req.parent_ids.is_empty() {
        valid_certificates_of(conn, &person.id, today).await?
    } else {
        let rows = certificate::Entity::find()
            .filter(certificate::Column::Id.is_in(req.parent_ids.clone()))
            .all(conn)
            .await?;
        if rows.len() != req.parent_ids.len() || rows.iter().any(|c| c.person_id != person.id) {
            return Err(AppError::NotFound);
        }
        rows
    };
    Ok(Grounds {
        kind: req.kind,
        issuer,
        person,
        training: Training::Enrolment(Box::new(Enrolled {
            enrolment,
            cohort,
            program,
        })),
        rule,
        standard,
        assessment,
        parents,
        valid_until: req.valid_until,
    })
}

/// The holder's certificates that are valid today.
pub(super) async fn valid_certificates_of(
    conn: &impl ConnectionTrait,
    person_id: &str,
    today: NaiveDate,
) -> Result<Vec<certificate::Model>, AppError> {
    Ok(certificate::Entity::find()
        .filter(certificate::Column::PersonId.eq(person_id))
        .filter(certificate::Column::Status.eq(CertificateStatus::Valid.as_str()))
        .all(conn)
        .await?
        .into_iter()
        .filter(|c| CertificateStatus::Valid.on(c.valid_until, today) == CertificateStatus::Valid)
        .collect())
}

/// The enrolment a certificate rests on, with its cohort, its program and the program's
/// certificate rules.
pub(super) async fn enrolled(
    conn: &impl ConnectionTrait,
    enrolment_id: &str,
    missing: &impl Fn(&str) -> AppError,
) -> Result<(Enrolled, Vec<CertificateRule>), AppError> {
    let enrolment = enrolment::Entity::find_by_id(enrolment_id.to_owned())
        .one(conn)
        .await?
        .ok_or_else(|| missing("enrolment"))?;
    let cohort = cohort::Entity::find_by_id(enrolment.cohort_id.clone())
        .one(conn)
        .await?
        .ok_or_else(|| missing("cohort"))?;
    let program = program::Entity::find_by_id(cohort.program_id.clone())
        .one(conn)
        .await?
        .ok_or_else(|| missing("program"))?;
    let rules: Vec<CertificateRule> = serde_json::from_str(&program.certificates).map_err(|e| {
        anyhow::anyhow!("programs {}: unreadable certificate rules: {e}", program.id)
    })?;
    Ok((
        Enrolled {
            enrolment,
            cohort,
            program,
        },
        rules,
    ))
}
