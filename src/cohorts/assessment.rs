//! Assessments: an evaluation organisation examines an enrolled person, against the
//! program's pinned local standard (specialty ability) or an occupation and level (skill
//! level). At least three examiners; both scores 60 or more to pass.

use chrono::NaiveDate;
use entities::{assessments as assessment, enrolments as enrolment, programs as program};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::Now;
use crate::{
    access::{Caller, Role},
    audit::{self, Change},
    error::{AppError, FieldError},
    pagination::new_id,
    standards::{self, reference},
};

/// The pass mark of both parts (theory and practical).
pub const PASS_MARK: u32 = 60;

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AssessmentInput {
    pub enrolment_id: String,
    /// A skill level (e.g. `level4`) for a skill-level assessment of the program's
    /// occupation; absent: a specialty assessment against the program's standard.
    pub level: Option<String>,
    pub theory_score: u32,
    pub practical_score: u32,
    pub assessed_on: NaiveDate,
    /// The examiners' names (at least three; the standard may ask for more).
    pub examiners: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assessment {
    pub id: String,
    pub person_id: String,
    pub enrolment_id: Option<String>,
    /// An apprentice's assessment: the apprentice (`enrolment_id` is then absent).
    pub apprentice_id: Option<String>,
    pub evaluation_org_id: String,
    pub standard_id: Option<String>,
    pub occupation_code: Option<String>,
    pub level: Option<String>,
    pub theory_score: i32,
    pub practical_score: i32,
    pub passed: bool,
    pub assessed_on: NaiveDate,
    pub examiners: Vec<String>,
}

impl TryFrom<assessment::Model> for Assessment {
    type Error = AppError;

    fn try_from(m: assessment::Model) -> Result<Self, AppError> {
        Ok(Self {
            examiners: serde_json::from_str(&m.examiners)
                .map_err(|e| anyhow::anyhow!("assessments {}: unreadable examiners: {e}", m.id))?,
            id: m.id,
            person_id: m.person_id,
            enrolment_id: m.enrolment_id,
            apprentice_id: m.apprentice_id,
            evaluation_org_id: m.evaluation_org_id,
            standard_id: m.standard_id,
            occupation_code: m.occupation_code,
            level: m.level_code,
            theory_score: m.theory_score,
            practical_score: m.practical_score,
            passed: m.passed,
            assessed_on: m.assessed_on,
        })
    }
}

/// Records an assessment by the caller's evaluation organisation, which must be the one
/// assigned to the enrolment's cohort.
pub async fn record(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    input: AssessmentInput,
    now: Now,
) -> Result<Assessment, AppError> {
    let org = match (caller.role, &caller.organisation_id) {
        (Role::Assessor, Some(org)) => org.clone(),
        _ => return Err(AppError::forbidden_role()),
    };
    let enrolment = enrolment::Entity::find_by_id(input.enrolment_id.clone())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    // Assessments of one cohort take turns, so that two sheets (or two instances) saving
    // the same row count it once instead of both inserting it.
    let cohort = super::enrolment::lock_cohort(conn, caller, &enrolment.cohort_id).await?;
    let program = program::Entity::find_by_id(cohort.program_id.clone())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut fields = Vec::new();
    for (name, score) in [
        ("theory_score", input.theory_score),
        ("practical_score", input.practical_score),
    ] {
        if score > 100 {
            fields.push(FieldError::new(name, "out_of_range", "分数须在0–100之间"));
        }
    }
    if input.assessed_on > now.today {
        fields.push(FieldError::new(
            "assessed_on",
            "in_the_future",
            "考核日期不得晚于今天",
        ));
    } else if input.assessed_on < cohort.starts_on {
        fields.push(FieldError::new(
            "assessed_on",
            "before_cohort",
            format!("考核日期不得早于班期开班日期（{}）", cohort.starts_on),
        ));
    }
    let examiners: Vec<String> = input
        .examiners
        .iter()
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty())
        .collect();
    let (subject_key, standard_id, occupation, level, min_examiners) = match &input.level {
        Some(level) => {
            if reference::skill_level(conn, level).await?.is_none() {
                fields.push(FieldError::new("level", "unknown", "职业技能等级不存在"));
            }
            let Some(occupation) = program.occupation_code.clone() else {
                return Err(AppError::invalid(
                    "level",
                    "program_has_no_occupation",
                    "该培训项目未对应国家职业，不能进行职业技能等级评价",
                ));
            };
            (
                format!("level:{occupation}:{level}"),
                None,
                Some(occupation),
                Some(level.clone()),
                3,
            )
        }
        None => {
            let Some(standard_id) = program.standard_id.clone() else {
                return Err(AppError::invalid(
                    "level",
                    "required",
                    "该培训项目未依据专项职业能力考核规范，请指明评价的职业技能等级",
                ));
            };
            let standard = standards::by_id(conn, &standard_id).await?;
            let min = standard
                .map(|s| s.spec.assessment.min_examiners)
                .unwrap_or(3);
            (
                format!("standard:{standard_id}"),
                Some(standard_id),
                None,
                None,
                min,
            )
        }
    };
    if (examiners.len() as u32) < min_examiners.max(3) {
        fields.push(FieldError::new(
            "examiners",
            "too_few",
            format!("考评人员不少于{}名", min_examiners.max(3)),
        ));
    }
    if !fields.is_empty() {
        return Err(AppError::invalid_fields("评价记录无效", fields));
    }
    let exists = assessment::Entity::find()
        .filter(assessment::Column::PersonId.eq(&enrolment.person_id))
        .filter(assessment::Column::EvaluationOrgId.eq(&org))
        .filter(assessment::Column::SubjectKey.eq(&subject_key))
        .filter(assessment::Column::AssessedOn.eq(input.assessed_on))
        .one(conn)
        .await?;
    if let Some(existing) = exists {
        return Err(AppError::Conflict {
            code: "assessment_exists",
            message: format!(
                "该学员在 {} 的同一项评价已登记（{}）",
                existing.assessed_on, existing.id
            ),
        });
    }
    let passed = input.theory_score >= PASS_MARK && input.practical_score >= PASS_MARK;
    let row = assessment::ActiveModel {
        id: Set(new_id()),
        person_id: Set(enrolment.person_id.clone()),
        enrolment_id: Set(Some(enrolment.id.clone())),
        evaluation_org_id: Set(org),
        subject_key: Set(subject_key),
        standard_id: Set(standard_id),
        occupation_code: Set(occupation),
        level_code: Set(level),
        theory_score: Set(input.theory_score as i32),
        practical_score: Set(input.practical_score as i32),
        passed: Set(passed),
        assessed_on: Set(input.assessed_on),
        examiners: Set(serde_json::json!(examiners).to_string()),
        apprentice_id: Set(None),
        recorded_by: Set(caller.account_id.clone()),
        created_at: Set(now.stamp()),
    }
    .insert(conn)
    .await?;
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "assessment.record",
            record_type: "assessment",
            record_id: &row.id,
            summary: serde_json::json!({"enrolment_id": row.enrolment_id, "subject": row.subject_key, "theory": row.theory_score, "practical": row.practical_score, "passed": row.passed}),
        },
    )
    .await?;
    row.try_into()
}

/// An assessment, for its evaluation organisation and the bureau.
pub async fn get(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
) -> Result<Assessment, AppError> {
    assessment::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .filter(|a| {
            caller.is_bureau()
                || caller.organisation_id.as_deref() == Some(a.evaluation_org_id.as_str())
        })
        .ok_or(AppError::NotFound)?
        .try_into()
}
