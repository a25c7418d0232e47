//! A cohort's assessment sheet: the evaluation organisation records the assessment of
//! many trainees at once — one date and one panel of examiners, each trainee's scores
//! (and level, for a skill-level program) — in one transaction. A row left blank is
//! skipped; a refused row refuses the sheet, naming `rows[i].<field>`, and nothing is
//! written. A row already recorded (the same trainee, subject and date) is counted as
//! such, so sending the sheet again changes nothing.

use std::collections::HashSet;

use chrono::NaiveDate;
use entities::enrolments as enrolment;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::assessment::{self, AssessmentInput};
use crate::clock::Now;
use crate::{
    access::Caller,
    error::{AppError, FieldError},
};

/// One trainee's line of the sheet.
#[derive(Debug, Clone)]
pub struct SheetRow {
    pub enrolment_id: String,
    pub theory_score: Option<u32>,
    pub practical_score: Option<u32>,
    pub level: Option<String>,
}

/// The sheet as filled in.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub assessed_on: NaiveDate,
    pub examiners: Vec<String>,
    pub rows: Vec<SheetRow>,
}

/// How many rows were recorded now, and how many had been before.
#[derive(Debug, Clone, Copy, Default)]
pub struct SheetOutcome {
    pub recorded: usize,
    pub already: usize,
}

/// Records every filled-in row of the sheet of cohort `cohort_id`, or none.
pub async fn record(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    cohort_id: &str,
    sheet: Sheet,
    now: Now,
) -> Result<SheetOutcome, AppError> {
    // The cohort first (its lock is the sheet's turn), then who is in it.
    super::enrolment::lock_cohort(conn, caller, cohort_id).await?;
    let members: Vec<String> = enrolment::Entity::find()
        .filter(enrolment::Column::CohortId.eq(cohort_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|e| e.id)
        .collect();
    let mut fields = Vec::new();
    let mut outcome = SheetOutcome::default();
    for (i, row) in sheet.rows.into_iter().enumerate() {
        if !members.contains(&row.enrolment_id) {
            return Err(AppError::NotFound);
        }
        let (theory, practical) = match (row.theory_score, row.practical_score) {
            (None, None) => continue,
            (Some(t), Some(p)) => (t, p),
            (t, _) => {
                let (field, what) = match t {
                    None => ("theory_score", "理论"),
                    Some(_) => ("practical_score", "实操"),
                };
                fields.push(FieldError::new(
                    format!("rows[{i}].{field}"),
                    "required",
                    format!("请同时填写{what}成绩"),
                ));
                continue;
            }
        };
        let input = AssessmentInput {
            enrolment_id: row.enrolment_id,
            level: row.level,
            theory_score: theory,
            practical_score: practical,
            assessed_on: sheet.assessed_on,
            examiners: sheet.examiners.clone(),
        };
        match assessment::record(conn, caller, input, now).await {
            Ok(_) => outcome.recorded += 1,
            Err(AppError::Conflict {
                code: "assessment_exists",
                ..
            }) => outcome.already += 1,
            Err(AppError::Invalid {
                fields: refused, ..
            }) => {
                fields.extend(refused.into_iter().map(|f| match f.field.as_str() {
                    // The date and the panel are the sheet's, not the row's.
                    "assessed_on" | "examiners" => f,
                    _ => FieldError {
                        field: format!("rows[{i}].{}", f.field),
                        ..f
                    },
                }));
            }
            Err(other) => return Err(other),
        }
    }
    if !fields.is_empty() {
        let mut seen = HashSet::new();
        fields.retain(|f| seen.insert(f.field.clone()));
        return Err(AppError::invalid_fields("评价记录无效", fields));
    }
    Ok(outcome)
}

/// A trainee's line of the sheet as the evaluation organisation sees it.
#[derive(Debug, Clone)]
pub struct SheetLine {
    pub enrolment_id: String,
    /// Masked, as the enrolment shows it to the evaluation organisation.
    pub name: String,
    /// The latest assessment by the caller's organisation, if any.
    pub assessed: Option<assessment::Assessment>,
    /// Skill-level certificates print the holder's photo.
    pub has_photo: bool,
}

/// The cohort's sheet: its code, the level a skill-level program assesses (none for a
/// specialty program) and one page of its trainees' lines — five queries whatever its
/// size.
pub struct SheetView {
    pub cohort: super::Cohort,
    pub level: Option<String>,
    pub lines: Vec<SheetLine>,
    /// The cursor of the next page of trainees, if there is one.
    pub next_cursor: Option<String>,
}

/// One page of the sheet of cohort `cohort_id` for the caller's evaluation organisation.
pub async fn view(
    conn: &impl ConnectionTrait,
    keys: &crate::people::PiiKeys,
    caller: &Caller,
    cohort_id: &str,
    page: &crate::pagination::PageParams,
) -> Result<SheetView, AppError> {
    use entities::{assessments as assessed, person_photos as photo, programs as program};
    let cohort = super::get(conn, caller, cohort_id).await?;
    let enrolled = super::enrolment::list(conn, keys, caller, cohort_id, page).await?;
    let next_cursor = enrolled.next_cursor.clone();
    let level = program::Entity::find_by_id(cohort.program_id.clone())
        .one(conn)
        .await?
        .and_then(|p| p.level_code);
    let ids: Vec<&str> = enrolled.items.iter().map(|e| e.id.as_str()).collect();
    let mut assessments = assessed::Entity::find()
        .filter(assessed::Column::EnrolmentId.is_in(ids))
        .filter(assessed::Column::EvaluationOrgId.eq(caller.organisation_id.clone()))
        .all(conn)
        .await?;
    assessments.sort_by_key(|a| (a.assessed_on, a.created_at));
    let people: Vec<&str> = enrolled
        .items
        .iter()
        .map(|e| e.person.id.as_str())
        .collect();
    let with_photo: HashSet<String> = photo::Entity::find()
        .select_only()
        .column(photo::Column::PersonId)
        .filter(photo::Column::PersonId.is_in(people))
        .into_tuple::<String>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let mut lines = Vec::with_capacity(enrolled.items.len());
    for e in enrolled.items {
        let latest = assessments
            .iter()
            .rev()
            .find(|a| a.enrolment_id.as_deref() == Some(e.id.as_str()))
            .cloned()
            .map(assessment::Assessment::try_from)
            .transpose()?;
        lines.push(SheetLine {
            has_photo: with_photo.contains(&e.person.id),
            enrolment_id: e.id,
            name: e.person.name,
            assessed: latest,
        });
    }
    Ok(SheetView {
        cohort,
        level,
        lines,
        next_cursor,
    })
}
