//! Training programs of a provider: what they train for (a local standard version, or an
//! occupation and level), for which ages, and which certificates they lead to under
//! which rule (the 一培多证 chain).

pub mod certificate_kind;
mod rules;

use entities::programs as program;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::Now;
use crate::{
    access::Scope,
    audit::{self, Actor, Change},
    error::{AppError, FieldError},
    pagination::{self, Page, PageParams, new_id},
    standards::{self, reference},
};
pub use certificate_kind::CertificateKind;

/// The legal working age: nobody younger is trained for work.
pub const MIN_WORKING_AGE: u32 = 16;
/// The oldest upper bound a program may set (the statutory retirement age for men after
/// the 2025 reform is 63; programs for older workers may go a little beyond).
pub const MAX_PROGRAM_AGE: u32 = 65;

/// What a certificate of a program needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CertificateRule {
    pub kind: CertificateKind,
    /// Attended hours as a share of the program's hours, e.g. 90.
    pub min_attendance_percent: Option<u32>,
    pub min_theory_score: Option<u32>,
    pub min_practical_score: Option<u32>,
    /// Certificates the holder must already have (e.g. a licence requires the specialty
    /// certificate).
    #[serde(default)]
    pub requires: Vec<CertificateKind>,
    /// For a licence: what it admits the holder to (准入事项), printed on the certificate,
    /// e.g. `民宿经营接待从业`; the program title when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licensed_activity: Option<String>,
    /// For a licence (required): the licence's own name, its title on the paper, e.g.
    /// `民宿经营接待从业资格证`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence_title: Option<String>,
}

/// The longest licence title (it is set in the title line, which shrinks to fit).
pub const MAX_LICENCE_TITLE_CHARS: usize = 24;

/// A new program as submitted.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ProgramInput {
    pub title: String,
    /// Total training hours (学时).
    pub hours: u32,
    /// A local standard; the version in force is pinned.
    pub standard_code: Option<String>,
    /// National occupation code, e.g. `4-03-02-02`; taken from the standard when absent.
    pub occupation_code: Option<String>,
    /// Skill level trained for, e.g. `level4`.
    pub level: Option<String>,
    /// Youngest age at the cohort's start (default 16, never below 16).
    pub min_age: Option<u32>,
    /// Oldest age at the cohort's start (default 60).
    pub max_age: Option<u32>,
    pub certificates: Vec<CertificateRule>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Program {
    pub id: String,
    pub provider_id: String,
    pub title: String,
    pub hours: u32,
    /// The pinned standard version.
    pub standard_id: Option<String>,
    pub standard_code: Option<String>,
    pub standard_version: Option<i32>,
    pub occupation_code: Option<String>,
    pub level: Option<String>,
    pub min_age: u32,
    pub max_age: u32,
    pub certificates: Vec<CertificateRule>,
    pub created_at: chrono::DateTime<chrono::FixedOffset>,
}

async fn to_view(conn: &impl ConnectionTrait, m: program::Model) -> Result<Program, AppError> {
    let standard = match &m.standard_id {
        Some(id) => standards::by_id(conn, id).await?,
        None => None,
    };
    view_with(m, standard.as_ref())
}

fn view_with(
    m: program::Model,
    standard: Option<&standards::Standard>,
) -> Result<Program, AppError> {
    Ok(Program {
        certificates: serde_json::from_str(&m.certificates).map_err(anyhow::Error::from)?,
        standard_code: standard.as_ref().map(|s| s.spec.code.clone()),
        standard_version: standard.as_ref().map(|s| s.version),
        id: m.id,
        provider_id: m.provider_id,
        title: m.title,
        hours: m.hours as u32,
        standard_id: m.standard_id,
        occupation_code: m.occupation_code,
        level: m.level_code,
        min_age: m.min_age as u32,
        max_age: m.max_age as u32,
        created_at: m.created_at,
    })
}

/// Creates a program for the caller's provider, pinning the standard version in force.
pub async fn create(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    provider_id: &str,
    mut input: ProgramInput,
    now: Now,
) -> Result<Program, AppError> {
    for rule in &mut input.certificates {
        rule.licence_title = rule.licence_title.take().map(|t| t.trim().to_owned());
    }
    let mut fields = Vec::new();
    let title_len = input.title.trim().chars().count();
    if !(2..=100).contains(&title_len) {
        fields.push(FieldError::new(
            "title",
            "length",
            "项目名称须为2–100个字符",
        ));
    }
    if !(1..=5000).contains(&input.hours) {
        fields.push(FieldError::new(
            "hours",
            "out_of_range",
            "学时须在1–5000之间",
        ));
    }
    let min_age = input.min_age.unwrap_or(MIN_WORKING_AGE);
    let max_age = input.max_age.unwrap_or(60);
    if min_age < MIN_WORKING_AGE {
        fields.push(FieldError::new(
            "min_age",
            "below_working_age",
            format!("最低年龄不得低于{MIN_WORKING_AGE}周岁"),
        ));
    }
    if max_age > MAX_PROGRAM_AGE || max_age < min_age {
        fields.push(FieldError::new(
            "max_age",
            "out_of_range",
            format!("最高年龄须不低于最低年龄且不超过{MAX_PROGRAM_AGE}周岁"),
        ));
    }
    let standard = match &input.standard_code {
        Some(code) => match standards::get(conn, code, None, false).await {
            Ok(s) => Some(s),
            Err(AppError::NotFound) => {
                fields.push(FieldError::new(
                    "standard_code",
                    "unknown_or_not_published",
                    "考核规范不存在或尚未发布",
                ));
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    let occupation_code = input.occupation_code.clone().or_else(|| {
        standard
            .as_ref()
            .and_then(|s| s.spec.occupation_code.clone())
    });
    if let Some(code) = &occupation_code
        && !reference::occupation_exists(conn, code).await?
    {
        fields.push(FieldError::new(
            "occupation_code",
            "unknown",
            "职业编码不在国家职业分类大典中",
        ));
    }
    if let Some(level) = &input.level
        && reference::skill_level(conn, level).await?.is_none()
    {
        fields.push(FieldError::new("level", "unknown", "职业技能等级不存在"));
    }
    if standard.is_none() && occupation_code.is_none() {
        fields.push(FieldError::new(
            "standard_code",
            "standard_or_occupation_required",
            "须指明所依据的专项职业能力考核规范或国家职业",
        ));
    }
    let has_level = occupation_code.is_some() && input.level.is_some();
    fields.extend(rules::rule_problems(
        &input.certificates,
        standard.is_some(),
        has_level,
    ));
    if !fields.is_empty() {
        return Err(AppError::invalid_fields("培训项目信息无效", fields));
    }
    let now = now.stamp();
    let row = program::ActiveModel {
        id: Set(new_id()),
        provider_id: Set(provider_id.to_owned()),
        title: Set(input.title.trim().to_owned()),
        hours: Set(input.hours as i32),
        standard_id: Set(standard.as_ref().map(|s| s.id.clone())),
        occupation_code: Set(occupation_code),
        level_code: Set(input.level),
        min_age: Set(min_age as i32),
        max_age: Set(max_age as i32),
        certificates: Set(serde_json::to_string(&input.certificates).map_err(anyhow::Error::from)?),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?;
    audit::append(
        conn,
        actor,
        Change {
            action: "program.create",
            record_type: "program",
            record_id: &row.id,
            summary: serde_json::json!({"title": row.title, "hours": row.hours, "standard_id": row.standard_id, "certificates": input.certificates}),
        },
    )
    .await?;
    to_view(conn, row).await
}

/// A program visible in `scope`.
pub async fn get(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    id: &str,
) -> Result<Program, AppError> {
    let row = find(conn, scope, id).await?;
    to_view(conn, row).await
}

/// The program row, if visible in `scope`.
pub async fn find(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    id: &str,
) -> Result<program::Model, AppError> {
    scope
        .find_by_id(conn, id, program::Column::ProviderId)
        .await
}

/// Programs visible in `scope`, in creation order.
pub async fn list(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    page: &PageParams,
) -> Result<Page<Program>, AppError> {
    let Some(query) = scope.apply(program::Entity::find(), program::Column::ProviderId) else {
        return Ok(Page::empty());
    };
    let rows = pagination::fetch(conn, query, program::Column::Id, page).await?;
    // The pinned standards of the whole page in one query.
    let ids: Vec<String> = rows
        .items
        .iter()
        .filter_map(|p| p.standard_id.clone())
        .collect();
    let pinned = standards::by_ids(conn, &ids).await?;
    let mut items = Vec::with_capacity(rows.items.len());
    for row in rows.items {
        let standard = row.standard_id.as_ref().and_then(|id| pinned.get(id));
        items.push(view_with(row, standard)?);
    }
    Ok(Page {
        items,
        next_cursor: rows.next_cursor,
    })
}
