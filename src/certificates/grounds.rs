//! What a certificate rests on, and what is missing. [`resolve`] loads the grounds a
//! request names (the enrolment and its program rule, the assessment, the parent
//! certificates); [`missing`] lists every unmet requirement, so a refusal can say
//! exactly what is lacking.

use chrono::NaiveDate;
use entities::{
    assessments as assessment, certificates as certificate, cohorts as cohort,
    enrolments as enrolment, organisations as organisation, people as person, programs as program,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::{Caller, Role},
    cohorts::{assessment::PASS_MARK, enrolment::WITHDRAWN},
    error::AppError,
    programs::{CertificateKind, CertificateRule},
    standards::{self, Standard, reference},
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

/// One unmet requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Missing {
    /// What is lacking, e.g. `enrolment.attended_hours` or `parents.specialty`.
    pub field: String,
    /// e.g. `below_minimum`, `not_recorded`, `missing`.
    pub reason: String,
    /// In Chinese, with the figures.
    pub message: String,
}

fn missing(field: &str, reason: &str, message: impl Into<String>) -> Missing {
    Missing {
        field: field.to_owned(),
        reason: reason.to_owned(),
        message: message.into(),
    }
}

/// Everything a certificate may rest on, loaded.
pub struct Grounds {
    pub kind: CertificateKind,
    pub issuer: organisation::Model,
    pub person: person::Model,
    pub enrolment: enrolment::Model,
    pub cohort: cohort::Model,
    pub program: program::Model,
    pub rule: Option<CertificateRule>,
    pub standard: Option<Standard>,
    pub assessment: Option<assessment::Model>,
    pub parents: Vec<certificate::Model>,
    pub valid_until: Option<NaiveDate>,
}

impl Grounds {
    /// The key that makes issuing idempotent: the same grounds, the same certificate.
    pub fn key(&self) -> String {
        match self.kind {
            CertificateKind::Completion => format!("completion:enrolment:{}", self.enrolment.id),
            CertificateKind::Specialty | CertificateKind::SkillLevel => format!(
                "{}:assessment:{}",
                kind_str(self.kind),
                self.assessment
                    .as_ref()
                    .map(|a| a.id.as_str())
                    .unwrap_or("none")
            ),
            CertificateKind::Licence | CertificateKind::Apprenticeship => {
                format!(
                    "{}:{}:enrolment:{}",
                    kind_str(self.kind),
                    self.issuer.id,
                    self.enrolment.id
                )
            }
        }
    }
}

pub fn kind_str(kind: CertificateKind) -> &'static str {
    match kind {
        CertificateKind::Completion => "completion",
        CertificateKind::Specialty => "specialty",
        CertificateKind::SkillLevel => "skill_level",
        CertificateKind::Licence => "licence",
        CertificateKind::Apprenticeship => "apprenticeship",
    }
}

/// The organisation that issues `kind` for this caller, or 403.
fn issuer_of(caller: &Caller, kind: CertificateKind) -> Result<String, AppError> {
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
    let rules: Vec<CertificateRule> =
        serde_json::from_str(&program.certificates).map_err(anyhow::Error::from)?;
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
        valid_certificates_of(conn, &person.id).await?
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
        enrolment,
        cohort,
        program,
        rule,
        standard,
        assessment,
        parents,
        valid_until: req.valid_until,
    })
}

/// The holder's certificates that are valid today.
async fn valid_certificates_of(
    conn: &impl ConnectionTrait,
    person_id: &str,
) -> Result<Vec<certificate::Model>, AppError> {
    let today = chrono::Utc::now().date_naive();
    Ok(certificate::Entity::find()
        .filter(certificate::Column::PersonId.eq(person_id))
        .filter(certificate::Column::Status.eq("valid"))
        .all(conn)
        .await?
        .into_iter()
        .filter(|c| c.valid_until.is_none_or(|d| d >= today))
        .collect())
}

fn score_checks(
    out: &mut Vec<Missing>,
    prefix: &str,
    rule: &CertificateRule,
    theory: Option<i32>,
    practical: Option<i32>,
) {
    for (name, label, min, got) in [
        ("theory_score", "理论成绩", rule.min_theory_score, theory),
        (
            "practical_score",
            "实操成绩",
            rule.min_practical_score,
            practical,
        ),
    ] {
        let Some(min) = min else { continue };
        let field = format!("{prefix}.{name}");
        match got {
            None => out.push(missing(&field, "not_recorded", format!("尚未登记{label}"))),
            Some(s) if (s as u32) < min => out.push(missing(
                &field,
                "below_minimum",
                format!("{label}{s}分，低于要求的{min}分"),
            )),
            Some(_) => {}
        }
    }
}

/// The outcome of checking grounds: what is missing (empty when the certificate may be
/// issued) and the parent certificates the rule's requirements are met by.
pub struct Check {
    pub missing: Vec<Missing>,
    pub parents: Vec<String>,
}

/// Checks every requirement of the program's rule against the grounds.
pub async fn check(conn: &impl ConnectionTrait, g: &Grounds) -> Result<Check, AppError> {
    let mut out = Vec::new();
    let mut parents = Vec::new();
    let Some(rule) = &g.rule else {
        out.push(missing(
            "kind",
            "not_offered",
            format!("该培训项目不颁发{}", g.kind.label()),
        ));
        return Ok(Check {
            missing: out,
            parents,
        });
    };
    if g.enrolment.status == WITHDRAWN {
        out.push(missing("enrolment.status", "withdrawn", "学员已退学"));
    }
    match g.kind {
        CertificateKind::Completion | CertificateKind::Apprenticeship => {
            if let Some(pct) = rule.min_attendance_percent {
                let needed = (g.program.hours as u32 * pct).div_ceil(100);
                match g.enrolment.attended_hours {
                    None => out.push(missing(
                        "enrolment.attended_hours",
                        "not_recorded",
                        "尚未登记出勤学时",
                    )),
                    Some(h) if (h as u32) < needed => out.push(missing(
                        "enrolment.attended_hours",
                        "below_minimum",
                        format!(
                            "出勤{h}学时，不足要求的{needed}学时（项目{}学时的{pct}%）",
                            g.program.hours
                        ),
                    )),
                    Some(_) => {}
                }
            }
            score_checks(
                &mut out,
                "enrolment",
                rule,
                g.enrolment.theory_score,
                g.enrolment.practical_score,
            );
        }
        CertificateKind::Specialty | CertificateKind::SkillLevel => {
            check_assessment(conn, g, rule, &mut out).await?
        }
        CertificateKind::Licence => {
            let today = chrono::Utc::now().date_naive();
            match g.valid_until {
                None => out.push(missing(
                    "valid_until",
                    "required",
                    "请填写准入类证书的有效期截止日期",
                )),
                Some(d) if d <= today => out.push(missing(
                    "valid_until",
                    "in_the_past",
                    "有效期截止日期须晚于今天",
                )),
                Some(_) => {}
            }
        }
    }
    let mut required = rule.requires.clone();
    if g.kind == CertificateKind::SkillLevel && !required.contains(&CertificateKind::Completion) {
        required.push(CertificateKind::Completion);
    }
    for kind in required {
        match parent_for(conn, g, kind).await? {
            Some(id) => parents.push(id),
            None => out.push(missing(
                &format!("parents.{}", kind_str(kind)),
                "missing",
                format!("缺少有效的前置证书：{}", parent_description(g, kind)),
            )),
        }
    }
    Ok(Check {
        missing: out,
        parents,
    })
}

async fn check_assessment(
    conn: &impl ConnectionTrait,
    g: &Grounds,
    rule: &CertificateRule,
    out: &mut Vec<Missing>,
) -> Result<(), AppError> {
    let Some(a) = &g.assessment else {
        out.push(missing(
            "assessment_id",
            "required",
            "缺少评价记录（请先登记考核成绩）",
        ));
        return Ok(());
    };
    if a.person_id != g.person.id {
        out.push(missing(
            "assessment.person",
            "mismatch",
            "评价记录不属于该学员",
        ));
    }
    if g.kind == CertificateKind::Specialty {
        if g.program.standard_id.is_none() || a.standard_id != g.program.standard_id {
            out.push(missing(
                "assessment.standard",
                "mismatch",
                "评价记录所依据的考核规范版本与培训项目不一致",
            ));
        }
    } else {
        if a.occupation_code.is_none() || a.occupation_code != g.program.occupation_code {
            out.push(missing(
                "assessment.occupation",
                "mismatch",
                "评价记录的职业与培训项目不一致",
            ));
        }
        let level = match &a.level_code {
            Some(code) => reference::skill_level(conn, code).await?,
            None => None,
        };
        if level.as_ref().and_then(|l| l.national_digit).is_none() {
            out.push(missing(
                "assessment.level",
                "no_national_level",
                "职业技能等级证书仅适用于五级至一级",
            ));
        }
        if g.issuer.national_code.is_none() || g.issuer.site_code.is_none() {
            out.push(missing(
                "issuer.national_code",
                "missing",
                "评价机构尚未登记机构代码和评价站点代码，无法编制证书编号",
            ));
        }
    }
    if !a.passed {
        out.push(missing(
            "assessment.passed",
            "not_passed",
            format!(
                "评价未通过（理论{}分、实操{}分，及格线{PASS_MARK}分）",
                a.theory_score, a.practical_score
            ),
        ));
    }
    score_checks(
        out,
        "assessment",
        rule,
        Some(a.theory_score),
        Some(a.practical_score),
    );
    Ok(())
}

/// The holder's valid certificate of `kind` that meets the requirement, if any.
async fn parent_for(
    conn: &impl ConnectionTrait,
    g: &Grounds,
    kind: CertificateKind,
) -> Result<Option<String>, AppError> {
    let today = chrono::Utc::now().date_naive();
    for parent in &g.parents {
        let usable = parent.kind == kind_str(kind)
            && parent.status == "valid"
            && parent.valid_until.is_none_or(|d| d >= today);
        if !usable {
            continue;
        }
        let matches = match kind {
            CertificateKind::Completion => {
                parent.enrolment_id.as_deref() == Some(g.enrolment.id.as_str())
            }
            CertificateKind::Specialty => match (&parent.standard_id, &g.standard) {
                (Some(id), Some(wanted)) => standards::by_id(conn, id)
                    .await?
                    .is_some_and(|s| s.spec.code == wanted.spec.code),
                _ => false,
            },
            CertificateKind::SkillLevel => {
                parent.occupation_code.is_some()
                    && parent.occupation_code == g.program.occupation_code
            }
            CertificateKind::Licence | CertificateKind::Apprenticeship => true,
        };
        if matches {
            return Ok(Some(parent.id.clone()));
        }
    }
    Ok(None)
}

fn parent_description(g: &Grounds, kind: CertificateKind) -> String {
    match (kind, &g.standard) {
        (CertificateKind::Specialty, Some(s)) => format!("{}（{}）", kind.label(), s.spec.name),
        (CertificateKind::Completion, _) => format!("{}（本次培训）", kind.label()),
        _ => kind.label().to_owned(),
    }
}
