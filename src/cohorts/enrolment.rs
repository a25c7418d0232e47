//! Enrolling one person at a time (with the eligibility checks: age window, capacity, the
//! same person twice), withdrawal, and attended hours and scores per enrolment.

use std::collections::HashMap;

use entities::{cohorts as cohort, enrolments as enrolment, people as person, programs as program};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

mod checks;

pub(crate) use checks::{check_age, cohort_full, lock_cohort, name_mismatch, new_enrolment};

use super::{EnrolmentStatus, enrolled_count, find as find_cohort};
use crate::clock::Now;
use crate::db;
use crate::{
    access::{Caller, rules},
    audit::{self, Change},
    error::{AppError, FieldError},
    pagination::{self, Page, PageParams},
    people::{
        PiiKeys,
        store::{self, IdentityInput, PersonView},
    },
    stored::Stored,
};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Enrolment {
    pub id: String,
    pub cohort_id: String,
    pub person: PersonView,
    pub status: EnrolmentStatus,
    pub attended_hours: Option<i32>,
    pub theory_score: Option<i32>,
    pub practical_score: Option<i32>,
    pub result_recorded_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub enrolled_at: chrono::DateTime<chrono::FixedOffset>,
    pub withdrawn_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub withdraw_reason: Option<String>,
}

fn to_view(
    keys: &PiiKeys,
    caller: &Caller,
    row: enrolment::Model,
    person: &person::Model,
) -> Result<Enrolment, AppError> {
    let entitled = rules::sees_enrolled_identity(caller, &row.provider_id, person);
    Ok(Enrolment {
        person: store::view(keys, person, entitled)?,
        status: EnrolmentStatus::of(&row)?,
        id: row.id,
        cohort_id: row.cohort_id,
        attended_hours: row.attended_hours,
        theory_score: row.theory_score,
        practical_score: row.practical_score,
        result_recorded_at: row.result_recorded_at,
        enrolled_at: row.enrolled_at,
        withdrawn_at: row.withdrawn_at,
        withdraw_reason: row.withdraw_reason,
    })
}

async fn program_of(
    conn: &impl ConnectionTrait,
    cohort: &cohort::Model,
) -> Result<program::Model, AppError> {
    db::linked::<program::Entity>(conn, &cohort.program_id, || {
        format!("cohort {} has no program", cohort.id)
    })
    .await
}

async fn person_of(
    conn: &impl ConnectionTrait,
    row: &enrolment::Model,
) -> Result<person::Model, AppError> {
    db::linked::<person::Entity>(conn, &row.person_id, || {
        format!("enrolment {} has no person", row.id)
    })
    .await
}

/// Enrols one person in a cohort of the caller's provider. Refused, with nothing
/// written: invalid identity fields, an age outside the program's window on the first
/// day, a full cohort, and a person already enrolled.
pub async fn enrol(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    cohort_id: &str,
    input: IdentityInput,
    now: Now,
) -> Result<Enrolment, AppError> {
    // Lock the cohort so concurrent enrolments count capacity one at a time.
    let cohort = lock_cohort(conn, caller, cohort_id).await?;
    let program = program_of(conn, &cohort).await?;
    let identity = input.parse(cohort.starts_on)?;
    check_age(&cohort, &program, &identity)?;
    let index = keys.blind_index(identity.citizen_id.as_str());
    let known = person::Entity::find()
        .filter(person::Column::CitizenIdIndex.eq(&index))
        .one(conn)
        .await?;
    if known
        .as_ref()
        .is_some_and(|p| p.name != identity.name.as_str())
    {
        return Err(name_mismatch());
    }
    let previous = match &known {
        Some(p) => {
            enrolment::Entity::find()
                .filter(enrolment::Column::CohortId.eq(&cohort.id))
                .filter(enrolment::Column::PersonId.eq(&p.id))
                .one(conn)
                .await?
        }
        None => None,
    };
    let previous_status = previous.as_ref().map(EnrolmentStatus::of).transpose()?;
    if previous_status == Some(EnrolmentStatus::Enrolled) {
        return Err(AppError::Conflict {
            code: "already_enrolled",
            message: format!(
                "该学员（{}）已在本班次中，不能重复报名",
                identity.citizen_id.masked()
            ),
        });
    }
    let enrolled = enrolled_count(conn, &cohort.id).await?;
    if enrolled >= cohort.capacity as u64 {
        return Err(cohort_full(&cohort));
    }
    let actor = caller.actor();
    let person = store::find_or_register(conn, keys, &actor, &identity, now).await?;
    let action = if previous.is_some() {
        "enrolment.reactivate"
    } else {
        "enrolment.create"
    };
    let row = match previous {
        // Re-enrolling after a withdrawal reactivates the same enrolment; hours and
        // scores already recorded stay, as the trainee picks up where they left.
        Some(old) => {
            let mut active: enrolment::ActiveModel = old.into();
            active.status = Set(EnrolmentStatus::Enrolled.as_str().to_owned());
            active.withdrawn_at = Set(None);
            active.withdraw_reason = Set(None);
            active.update(conn).await?
        }
        None => {
            new_enrolment(&cohort, &person.id, now)
                .into_active_model()
                .insert(conn)
                .await?
        }
    };
    audit::append(
        conn,
        &actor,
        Change {
            action,
            record_type: "enrolment",
            record_id: &row.id,
            summary: serde_json::json!({"cohort_id": row.cohort_id, "person_id": row.person_id, "citizen_id": person.citizen_id_masked}),
        },
    )
    .await?;
    super::notices::enrolled(conn, &person, &cohort, &program, &row, now).await?;
    to_view(keys, caller, row, &person)
}

/// The enrolment and its cohort, if the caller may see the cohort.
async fn find(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
) -> Result<(enrolment::Model, cohort::Model), AppError> {
    let row = enrolment::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let cohort = cohort::Entity::find_by_id(row.cohort_id.clone())
        .one(conn)
        .await?
        .filter(|c| rules::may_see_cohort(caller, c))
        .ok_or(AppError::NotFound)?;
    Ok((row, cohort))
}

pub async fn get(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    id: &str,
) -> Result<Enrolment, AppError> {
    let (row, _) = find(conn, caller, id).await?;
    let person = person_of(conn, &row).await?;
    to_view(keys, caller, row, &person)
}

/// Enrolments of a cohort in enrolment order.
pub async fn list(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    cohort_id: &str,
    page: &PageParams,
) -> Result<Page<Enrolment>, AppError> {
    find_cohort(conn, caller, cohort_id).await?;
    let query = enrolment::Entity::find().filter(enrolment::Column::CohortId.eq(cohort_id));
    let page_rows = pagination::fetch(conn, query, enrolment::Column::Id, page).await?;
    Ok(Page {
        items: views_of(conn, keys, caller, page_rows.items).await?,
        next_cursor: page_rows.next_cursor,
    })
}

/// Every enrolment of a cohort in enrolment order, in two queries however many there are.
pub async fn all(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    cohort_id: &str,
) -> Result<Vec<Enrolment>, AppError> {
    find_cohort(conn, caller, cohort_id).await?;
    let rows = enrolment::Entity::find()
        .filter(enrolment::Column::CohortId.eq(cohort_id))
        .order_by_asc(enrolment::Column::Id)
        .all(conn)
        .await?;
    views_of(conn, keys, caller, rows).await
}

/// The enrolments as the caller sees them, their people read in one query.
async fn views_of(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    rows: Vec<enrolment::Model>,
) -> Result<Vec<Enrolment>, AppError> {
    let ids: Vec<String> = rows.iter().map(|r| r.person_id.clone()).collect();
    let people: HashMap<String, person::Model> = person::Entity::find()
        .filter(person::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let person = people.get(&row.person_id).ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("enrolment {} has no person", row.id))
        })?;
        views.push(to_view(keys, caller, row, person)?);
    }
    Ok(views)
}

/// Withdraws an enrolment (the provider's decision, with a reason). Withdrawing twice
/// changes nothing.
pub async fn withdraw(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    id: &str,
    reason: &str,
    now: Now,
) -> Result<Enrolment, AppError> {
    let (row, _) = find(conn, caller, id).await?;
    let reason = reason.trim();
    if !(1..=200).contains(&reason.chars().count()) {
        return Err(AppError::invalid(
            "reason",
            "length",
            "请填写退学原因（1–200字）",
        ));
    }
    let person = person_of(conn, &row).await?;
    if EnrolmentStatus::of(&row)? == EnrolmentStatus::Withdrawn {
        return to_view(keys, caller, row, &person);
    }
    let mut active: enrolment::ActiveModel = row.into();
    active.status = Set(EnrolmentStatus::Withdrawn.as_str().to_owned());
    active.withdrawn_at = Set(Some(now.stamp()));
    active.withdraw_reason = Set(Some(reason.to_owned()));
    let row = active.update(conn).await?;
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "enrolment.withdraw",
            record_type: "enrolment",
            record_id: &row.id,
            summary: serde_json::json!({"reason": reason}),
        },
    )
    .await?;
    to_view(keys, caller, row, &person)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ResultInput {
    /// Hours attended (学时), at most the program's hours.
    pub attended_hours: u32,
    /// 0–100.
    pub theory_score: Option<u32>,
    /// 0–100.
    pub practical_score: Option<u32>,
}

/// Records attended hours and scores (the provider, or an assessor of the cohort's
/// evaluation organisation). A withdrawn enrolment takes no results.
pub async fn record_result(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    id: &str,
    input: ResultInput,
    now: Now,
) -> Result<Enrolment, AppError> {
    let (row, cohort) = find(conn, caller, id).await?;
    if EnrolmentStatus::of(&row)? == EnrolmentStatus::Withdrawn {
        return Err(AppError::Conflict {
            code: "withdrawn",
            message: "该学员已退学，不能登记成绩".into(),
        });
    }
    if now.today < cohort.starts_on {
        return Err(AppError::Conflict {
            code: "cohort_not_started",
            message: format!("班期{}开班，开班前不能登记成绩", cohort.starts_on),
        });
    }
    let program = program_of(conn, &cohort).await?;
    let mut fields = Vec::new();
    if input.attended_hours > program.hours as u32 {
        fields.push(FieldError::new(
            "attended_hours",
            "exceeds_program_hours",
            format!("出勤学时不得超过项目总学时（{}学时）", program.hours),
        ));
    }
    for (name, score) in [
        ("theory_score", input.theory_score),
        ("practical_score", input.practical_score),
    ] {
        if score.is_some_and(|s| s > 100) {
            fields.push(FieldError::new(name, "out_of_range", "分数须在0–100之间"));
        }
    }
    if !fields.is_empty() {
        return Err(AppError::invalid_fields("成绩无效", fields));
    }
    let person = person_of(conn, &row).await?;
    let unchanged = row.attended_hours == Some(input.attended_hours as i32)
        && row.theory_score == input.theory_score.map(|s| s as i32)
        && row.practical_score == input.practical_score.map(|s| s as i32);
    if unchanged {
        return to_view(keys, caller, row, &person);
    }
    let before = serde_json::json!({"attended_hours": row.attended_hours, "theory_score": row.theory_score, "practical_score": row.practical_score});
    let mut active: enrolment::ActiveModel = row.into();
    active.attended_hours = Set(Some(input.attended_hours as i32));
    active.theory_score = Set(input.theory_score.map(|s| s as i32));
    active.practical_score = Set(input.practical_score.map(|s| s as i32));
    active.result_recorded_at = Set(Some(now.stamp()));
    let row = active.update(conn).await?;
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "enrolment.result",
            record_type: "enrolment",
            record_id: &row.id,
            summary: serde_json::json!({"before": before, "after": {"attended_hours": row.attended_hours, "theory_score": row.theory_score, "practical_score": row.practical_score}}),
        },
    )
    .await?;
    to_view(keys, caller, row, &person)
}
