//! Occupations, the eight-level skill ladder, and versioned local industry standards.
//!
//! A standard version moves draft → published → retired. A published version never
//! changes; a new version is drafted from the newest one and, when published, retires
//! (supersedes) the version published before it. Only the bureau edits or publishes.

pub mod reference;
pub mod spec;
pub mod status;
mod versions;

use entities::standards as standard;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    error::AppError,
    pagination::{self, Page, PageParams},
    stored::Stored,
};
pub use spec::{AssessmentRequirements, StandardSpec, WorkTask};
pub use status::StandardStatus;
pub use versions::{
    Transition, create_draft, draft_next_version, load_bundled, transition, update_draft,
};

/// One version of a standard as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Standard {
    pub id: String,
    pub version: i32,
    pub status: StandardStatus,
    #[serde(flatten)]
    pub spec: StandardSpec,
    /// SHA-256 of the specification: what certificates pin.
    pub spec_sha256: String,
    /// The version this one replaced on publication.
    pub supersedes_id: Option<String>,
    pub published_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub retired_at: Option<chrono::DateTime<chrono::FixedOffset>>,
}

impl TryFrom<standard::Model> for Standard {
    type Error = AppError;

    fn try_from(m: standard::Model) -> Result<Self, AppError> {
        let spec: StandardSpec = serde_json::from_str(&m.spec).map_err(|e| {
            anyhow::anyhow!(
                "standard {} v{} has an unreadable spec: {e}",
                m.code,
                m.version
            )
        })?;
        Ok(Self {
            status: StandardStatus::read("standards", &m.id, &m.status)?,
            id: m.id,
            version: m.version,
            spec,
            spec_sha256: m.spec_hash,
            supersedes_id: m.supersedes_id,
            published_at: m.published_at,
            retired_at: m.retired_at,
        })
    }
}

/// The condition "the version's status is `status`".
pub(super) fn status_is(status: StandardStatus) -> sea_orm::sea_query::SimpleExpr {
    standard::Column::Status.eq(status.as_str())
}

/// Which versions a listing shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    /// The version in force of every standard (default).
    #[default]
    Published,
    Retired,
    /// Bureau only.
    Draft,
    /// Every version; drafts only for the bureau.
    All,
}

/// Standard versions in creation order, filtered by status.
pub async fn list(
    conn: &impl ConnectionTrait,
    filter: StatusFilter,
    sees_drafts: bool,
    page: &PageParams,
) -> Result<Page<Standard>, AppError> {
    let query = standard::Entity::find();
    let query = match filter {
        StatusFilter::Published => query.filter(status_is(StandardStatus::Published)),
        StatusFilter::Retired => query.filter(status_is(StandardStatus::Retired)),
        StatusFilter::Draft if sees_drafts => query.filter(status_is(StandardStatus::Draft)),
        StatusFilter::Draft => return Err(AppError::forbidden_role()),
        StatusFilter::All if sees_drafts => query,
        StatusFilter::All => {
            query.filter(standard::Column::Status.ne(StandardStatus::Draft.as_str()))
        }
    };
    let rows = pagination::fetch(conn, query, standard::Column::Id, page).await?;
    Ok(Page {
        items: rows
            .items
            .into_iter()
            .map(Standard::try_from)
            .collect::<Result<_, _>>()?,
        next_cursor: rows.next_cursor,
    })
}

/// One version: the published one when `version` is `None`. Drafts are visible only to
/// the bureau; everyone else gets "not found".
pub async fn get(
    conn: &impl ConnectionTrait,
    code: &str,
    version: Option<i32>,
    sees_drafts: bool,
) -> Result<Standard, AppError> {
    let mut query = standard::Entity::find().filter(standard::Column::Code.eq(code));
    query = match version {
        Some(v) => query.filter(standard::Column::Version.eq(v)),
        None => query.filter(status_is(StandardStatus::Published)),
    };
    let found: Standard = query
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?
        .try_into()?;
    if found.status == StandardStatus::Draft && !sees_drafts {
        return Err(AppError::NotFound);
    }
    Ok(found)
}

/// A standard version by id (for programs and certificates that pin one).
/// Many versions by id in one query, keyed by id.
pub async fn by_ids(
    conn: &impl ConnectionTrait,
    ids: &[String],
) -> Result<std::collections::HashMap<String, Standard>, AppError> {
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let rows = standard::Entity::find()
        .filter(standard::Column::Id.is_in(ids.iter().map(String::as_str)))
        .all(conn)
        .await?;
    rows.into_iter()
        .map(|m| Standard::try_from(m).map(|s| (s.id.clone(), s)))
        .collect()
}

pub async fn by_id(conn: &impl ConnectionTrait, id: &str) -> Result<Option<Standard>, AppError> {
    match standard::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
    {
        Some(m) => Ok(Some(m.try_into()?)),
        None => Ok(None),
    }
}
