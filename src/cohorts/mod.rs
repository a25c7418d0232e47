//! Cohorts (开班) of a program: dates, capacity, place, teachers and the evaluation
//! organisation that assesses them; enrolment, attendance and results live in
//! [`enrolment`].

pub mod assessment;
pub mod assessment_sheet;
pub mod enrolment;
pub mod enrolment_status;
pub mod notices;
pub mod results;
pub mod results_sheet;

use std::collections::HashMap;

use chrono::NaiveDate;
use entities::{cohorts as cohort, enrolments, organisations as organisation};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait,
    QueryFilter, QuerySelect, Set,
    sea_query::{Expr, Func},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::Now;
use crate::{
    access::{Caller, Scope, rules},
    audit::{self, Actor, Change},
    error::{AppError, FieldError},
    organisations::{OrgKind, OrgStatus},
    pagination::{self, Page, PageParams, new_id},
    programs,
    stored::Stored,
};
pub use enrolment_status::EnrolmentStatus;

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CohortInput {
    pub program_id: String,
    /// The provider's own code for the cohort, unique per provider, e.g. `QMY-2026-01`.
    pub code: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub capacity: u32,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub teachers: Vec<String>,
    /// The evaluation organisation whose assessors record results.
    pub evaluation_org_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Cohort {
    pub id: String,
    pub program_id: String,
    pub provider_id: String,
    pub code: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub capacity: u32,
    pub enrolled: u64,
    pub location: String,
    pub teachers: Vec<String>,
    pub evaluation_org_id: Option<String>,
    pub created_at: chrono::DateTime<chrono::FixedOffset>,
}

/// Active enrolments of a cohort.
pub async fn enrolled_count(conn: &impl ConnectionTrait, cohort_id: &str) -> Result<u64, AppError> {
    Ok(enrolments::Entity::find()
        .filter(enrolments::Column::CohortId.eq(cohort_id))
        .filter(enrolments::Column::Status.eq(EnrolmentStatus::Enrolled.as_str()))
        .count(conn)
        .await?)
}

/// How far along a cohort's active enrolments are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub enrolled: u64,
    /// Active enrolments whose hours and scores are recorded.
    pub with_results: u64,
}

#[derive(FromQueryResult)]
struct CountRow {
    cohort_id: String,
    enrolled: i64,
    with_results: i64,
}

/// The counts of many cohorts in one grouped query; a cohort with no active enrolment
/// is absent (zero).
pub async fn counts(
    conn: &impl ConnectionTrait,
    cohort_ids: &[String],
) -> Result<HashMap<String, Counts>, AppError> {
    if cohort_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = enrolments::Entity::find()
        .select_only()
        .column(enrolments::Column::CohortId)
        .column_as(
            Expr::from(Func::count(Expr::col(enrolments::Column::Id))),
            "enrolled",
        )
        .column_as(
            Expr::from(Func::count(Expr::col(enrolments::Column::ResultRecordedAt))),
            "with_results",
        )
        .filter(enrolments::Column::CohortId.is_in(cohort_ids.iter().map(String::as_str)))
        .filter(enrolments::Column::Status.eq(EnrolmentStatus::Enrolled.as_str()))
        .group_by(enrolments::Column::CohortId)
        .into_model::<CountRow>()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let counts = Counts {
                enrolled: u64::try_from(r.enrolled).unwrap_or_default(),
                with_results: u64::try_from(r.with_results).unwrap_or_default(),
            };
            (r.cohort_id, counts)
        })
        .collect())
}

async fn to_view(conn: &impl ConnectionTrait, m: cohort::Model) -> Result<Cohort, AppError> {
    let enrolled = enrolled_count(conn, &m.id).await?;
    view_with(m, enrolled)
}

fn view_with(m: cohort::Model, enrolled: u64) -> Result<Cohort, AppError> {
    Ok(Cohort {
        teachers: serde_json::from_str(&m.teachers)
            .map_err(|e| anyhow::anyhow!("cohorts {}: unreadable teachers: {e}", m.id))?,
        enrolled,
        id: m.id,
        program_id: m.program_id,
        provider_id: m.provider_id,
        code: m.code,
        starts_on: m.starts_on,
        ends_on: m.ends_on,
        capacity: m.capacity as u32,
        location: m.location,
        evaluation_org_id: m.evaluation_org_id,
        created_at: m.created_at,
    })
}

/// Opens a cohort of one of the provider's own programs.
pub async fn create(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    provider_id: &str,
    input: CohortInput,
    now: Now,
) -> Result<Cohort, AppError> {
    let scope = Scope::Organisation(provider_id.to_owned());
    programs::find(conn, &scope, &input.program_id).await?;
    let mut fields = Vec::new();
    let code = input.code.trim().to_owned();
    if !(1..=40).contains(&code.chars().count()) {
        fields.push(FieldError::new("code", "length", "班次编号须为1–40个字符"));
    }
    if input.ends_on < input.starts_on {
        fields.push(FieldError::new(
            "ends_on",
            "before_start",
            "结束日期不得早于开班日期",
        ));
    }
    if !(1..=5000).contains(&input.capacity) {
        fields.push(FieldError::new(
            "capacity",
            "out_of_range",
            "人数上限须在1–5000之间",
        ));
    }
    if input.location.chars().count() > 200 {
        fields.push(FieldError::new(
            "location",
            "too_long",
            "培训地点不超过200个字符",
        ));
    }
    if input.teachers.len() > 50
        || input
            .teachers
            .iter()
            .any(|t| t.trim().is_empty() || t.chars().count() > 50)
    {
        fields.push(FieldError::new(
            "teachers",
            "invalid_value",
            "授课教师最多50名，每个姓名1–50个字符",
        ));
    }
    if let Some(org_id) = &input.evaluation_org_id {
        let org = organisation::Entity::find_by_id(org_id.clone())
            .one(conn)
            .await?;
        let ok = match org {
            Some(o) => {
                OrgKind::read("organisations", &o.id, &o.kind)? == OrgKind::EvaluationOrg
                    && OrgStatus::read("organisations", &o.id, &o.status)? == OrgStatus::Approved
            }
            None => false,
        };
        if !ok {
            fields.push(FieldError::new(
                "evaluation_org_id",
                "unknown_or_not_approved",
                "评价机构不存在或尚未获批准",
            ));
        }
    }
    if !fields.is_empty() {
        return Err(AppError::invalid_fields("班次信息无效", fields));
    }
    let taken = cohort::Entity::find()
        .filter(cohort::Column::ProviderId.eq(provider_id))
        .filter(cohort::Column::Code.eq(&code))
        .one(conn)
        .await?
        .is_some();
    if taken {
        return Err(AppError::Conflict {
            code: "cohort_code_taken",
            message: format!("班次编号 {code} 已存在"),
        });
    }
    let row = cohort::ActiveModel {
        id: Set(new_id()),
        program_id: Set(input.program_id),
        provider_id: Set(provider_id.to_owned()),
        code: Set(code),
        starts_on: Set(input.starts_on),
        ends_on: Set(input.ends_on),
        capacity: Set(input.capacity as i32),
        location: Set(input.location.trim().to_owned()),
        teachers: Set(serde_json::json!(input.teachers).to_string()),
        evaluation_org_id: Set(input.evaluation_org_id),
        created_at: Set(now.stamp()),
    }
    .insert(conn)
    .await?;
    audit::append(
        conn,
        actor,
        Change {
            action: "cohort.create",
            record_type: "cohort",
            record_id: &row.id,
            summary: serde_json::json!({"program_id": row.program_id, "code": row.code, "starts_on": row.starts_on, "ends_on": row.ends_on, "capacity": row.capacity}),
        },
    )
    .await?;
    to_view(conn, row).await
}

/// The provider running a cohort, for the command line (which acts for it).
pub async fn provider_of(
    conn: &impl ConnectionTrait,
    id: &str,
) -> Result<Option<String>, AppError> {
    Ok(cohort::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .map(|c| c.provider_id))
}

/// The cohort row if the caller may see it; otherwise "not found".
pub async fn find(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
) -> Result<cohort::Model, AppError> {
    cohort::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .filter(|c| rules::may_see_cohort(caller, c))
        .ok_or(AppError::NotFound)
}

pub async fn get(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
) -> Result<Cohort, AppError> {
    let row = find(conn, caller, id).await?;
    to_view(conn, row).await
}

/// Cohorts the caller may see, in creation order.
pub async fn list(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    page: &PageParams,
) -> Result<Page<Cohort>, AppError> {
    let Some(query) = rules::visible_cohorts(caller, cohort::Entity::find()) else {
        return Ok(Page::empty());
    };
    let rows = pagination::fetch(conn, query, cohort::Column::Id, page).await?;
    let ids: Vec<String> = rows.items.iter().map(|c| c.id.clone()).collect();
    let counts = counts(conn, &ids).await?;
    let mut items = Vec::with_capacity(rows.items.len());
    for row in rows.items {
        let enrolled = counts.get(&row.id).map_or(0, |c| c.enrolled);
        items.push(view_with(row, enrolled)?);
    }
    Ok(Page {
        items,
        next_cursor: rows.next_cursor,
    })
}
