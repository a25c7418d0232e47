//! Assessments of apprentices: an evaluation organisation examines an apprentice, during
//! the apprenticeship or at its end, at the agreement's occupation and target level
//! (职业技能等级认定). At least three examiners; both scores 60 or more to pass. A passed
//! assessment is what the skill-level certificate rests on (`certificates::apprenticed`).
//!
//! The agreement names no evaluation organisation, so any evaluation organisation's
//! assessor may record one for an apprentice of a filed agreement; the assessment, and
//! the certificate on it, are then its own. Recording locks the agreement, as every change
//! to an apprenticeship does.

use chrono::NaiveDate;
use entities::assessments as assessment;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{find_apprentice, status_of};
use crate::{
    access::{Caller, Role},
    apprenticeships::{AgreementStatus, ApprenticeStatus},
    audit::{self, Change},
    clock::Now,
    cohorts::assessment::{Assessment, PASS_MARK},
    error::{AppError, FieldError},
    pagination::new_id,
    stored::Stored,
};

/// An assessment of an apprentice at the agreement's occupation and target level.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ApprenticeAssessmentInput {
    pub theory_score: u32,
    pub practical_score: u32,
    pub assessed_on: NaiveDate,
    /// The examiners' names (at least three).
    pub examiners: Vec<String>,
}

/// Records an assessment of apprentice `id` of agreement `agreement_id` by the caller's
/// evaluation organisation.
pub async fn record(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    (agreement_id, id): (&str, &str),
    input: ApprenticeAssessmentInput,
    now: Now,
) -> Result<Assessment, AppError> {
    let org = match (caller.role, &caller.organisation_id) {
        (Role::Assessor, Some(org)) => org.clone(),
        _ => return Err(AppError::forbidden_role()),
    };
    let a = crate::apprenticeships::lock_row(conn, agreement_id)
        .await?
        .filter(|a| a.status == AgreementStatus::Filed.as_str())
        .ok_or(AppError::NotFound)?;
    let row = find_apprentice(conn, &a, id).await?;
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
    } else if input.assessed_on < a.starts_on {
        fields.push(FieldError::new(
            "assessed_on",
            "before_start",
            format!("考核日期不得早于学徒培养开始之日（{}）", a.starts_on),
        ));
    } else if status_of(&row)? == ApprenticeStatus::Left
        && row.left_on.is_some_and(|left| input.assessed_on > left)
    {
        fields.push(FieldError::new(
            "assessed_on",
            "after_leaving",
            format!(
                "学徒已于{}中途退出，考核日期不得晚于退出之日",
                row.left_on.unwrap_or(a.starts_on)
            ),
        ));
    }
    let examiners: Vec<String> = input
        .examiners
        .iter()
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty())
        .collect();
    if examiners.len() < 3 {
        fields.push(FieldError::new("examiners", "too_few", "考评人员不少于3名"));
    }
    if !fields.is_empty() {
        return Err(AppError::invalid_fields("评价记录无效", fields));
    }
    let subject_key = format!("level:{}:{}", a.occupation_code, a.target_level);
    let exists = assessment::Entity::find()
        .filter(assessment::Column::PersonId.eq(&row.person_id))
        .filter(assessment::Column::EvaluationOrgId.eq(&org))
        .filter(assessment::Column::SubjectKey.eq(&subject_key))
        .filter(assessment::Column::AssessedOn.eq(input.assessed_on))
        .one(conn)
        .await?;
    if let Some(existing) = exists {
        return Err(AppError::Conflict {
            code: "assessment_exists",
            message: format!(
                "该学徒在 {} 的同一项评价已登记（{}）",
                existing.assessed_on, existing.id
            ),
        });
    }
    let passed = input.theory_score >= PASS_MARK && input.practical_score >= PASS_MARK;
    let saved = assessment::ActiveModel {
        id: Set(new_id()),
        person_id: Set(row.person_id.clone()),
        enrolment_id: Set(None),
        apprentice_id: Set(Some(row.id.clone())),
        evaluation_org_id: Set(org),
        subject_key: Set(subject_key),
        standard_id: Set(None),
        occupation_code: Set(Some(a.occupation_code.clone())),
        level_code: Set(Some(a.target_level.clone())),
        theory_score: Set(input.theory_score as i32),
        practical_score: Set(input.practical_score as i32),
        passed: Set(passed),
        assessed_on: Set(input.assessed_on),
        examiners: Set(serde_json::json!(examiners).to_string()),
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
            record_id: &saved.id,
            summary: serde_json::json!({"apprentice_id": saved.apprentice_id, "subject": saved.subject_key,
                "theory": saved.theory_score, "practical": saved.practical_score, "passed": saved.passed}),
        },
    )
    .await?;
    saved.try_into()
}
