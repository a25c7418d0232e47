//! Writing standard versions: drafting (new, or the next version of a published one),
//! editing a draft, publishing (which retires the version it replaces) and retiring, each
//! checked and audited; and loading the city's bundled standards on first start.

use entities::standards as standard;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::{Standard, StandardSpec, StandardStatus, reference, spec, status_is};
use crate::{
    audit::{self, Actor, Change},
    clock::Now,
    error::{AppError, FieldError},
    pagination::new_id,
    stored::Stored,
};

async fn validate(conn: &impl ConnectionTrait, spec: &StandardSpec) -> Result<(), AppError> {
    let mut fields = spec.problems();
    if let Some(code) = &spec.occupation_code
        && !reference::occupation_exists(conn, code).await?
    {
        fields.push(FieldError::new(
            "occupation_code",
            "unknown",
            "职业编码不在国家职业分类大典中",
        ));
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(AppError::invalid_fields(
            "考核规范内容不完整或不符合要求",
            fields,
        ))
    }
}

async fn insert_version(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    spec: &StandardSpec,
    version: i32,
    status: StandardStatus,
    now: Now,
) -> Result<Standard, AppError> {
    let now = now.stamp();
    let published = status == StandardStatus::Published;
    let row = standard::ActiveModel {
        id: Set(new_id()),
        code: Set(spec.code.clone()),
        version: Set(version),
        status: Set(status.as_str().to_owned()),
        name: Set(spec.name.clone()),
        short_name: Set(spec.short_name.clone()),
        occupation_code: Set(spec.occupation_code.clone()),
        issuer: Set(spec.issuer.clone()),
        reference_hours: Set(spec.reference_hours as i32),
        spec: Set(serde_json::to_string(spec).map_err(anyhow::Error::from)?),
        spec_hash: Set(spec.sha256()),
        supersedes_id: Set(None),
        published_at: Set(published.then_some(now)),
        retired_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?;
    audit::append(
        conn,
        actor,
        Change {
            action: if published { "standard.load" } else { "standard.draft" },
            record_type: "standard",
            record_id: &row.id,
            summary: serde_json::json!({"code": row.code, "version": row.version, "status": row.status, "spec_sha256": row.spec_hash}),
        },
    )
    .await?;
    row.try_into()
}

/// Starts a new standard as draft version 1.
pub async fn create_draft(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    spec: StandardSpec,
    now: Now,
) -> Result<Standard, AppError> {
    validate(conn, &spec).await?;
    let exists = standard::Entity::find()
        .filter(standard::Column::Code.eq(&spec.code))
        .one(conn)
        .await?
        .is_some();
    if exists {
        return Err(AppError::Conflict {
            code: "standard_exists",
            message: format!("规范代码 {} 已存在，请起草新版本", spec.code),
        });
    }
    insert_version(conn, actor, &spec, 1, StandardStatus::Draft, now).await
}

/// Drafts the next version of `code` as a copy of its newest version. At most one draft
/// per standard at a time.
pub async fn draft_next_version(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    code: &str,
    now: Now,
) -> Result<Standard, AppError> {
    let newest = standard::Entity::find()
        .filter(standard::Column::Code.eq(code))
        .order_by_desc(standard::Column::Version)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    if StandardStatus::read("standards", &newest.id, &newest.status)? == StandardStatus::Draft {
        return Err(AppError::Conflict {
            code: "draft_exists",
            message: format!("规范 {code} 已有待发布的草稿（第{}版）", newest.version),
        });
    }
    let base: Standard = newest.try_into()?;
    insert_version(
        conn,
        actor,
        &base.spec,
        base.version + 1,
        StandardStatus::Draft,
        now,
    )
    .await
}

async fn find_version(
    conn: &impl ConnectionTrait,
    code: &str,
    version: i32,
) -> Result<standard::Model, AppError> {
    standard::Entity::find()
        .filter(standard::Column::Code.eq(code))
        .filter(standard::Column::Version.eq(version))
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

fn frozen(row: &standard::Model) -> AppError {
    AppError::Conflict {
        code: "standard_frozen",
        message: format!(
            "规范 {} 第{}版已发布或已废止，内容不可修改；请起草新版本",
            row.code, row.version
        ),
    }
}

/// Replaces the content of a draft. Published and retired versions are refused.
pub async fn update_draft(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    code: &str,
    version: i32,
    spec: StandardSpec,
    now: Now,
) -> Result<Standard, AppError> {
    let row = find_version(conn, code, version).await?;
    if StandardStatus::read("standards", &row.id, &row.status)? != StandardStatus::Draft {
        return Err(frozen(&row));
    }
    if spec.code != code {
        return Err(AppError::invalid("code", "immutable", "规范代码不可更改"));
    }
    validate(conn, &spec).await?;
    let mut active: standard::ActiveModel = row.into();
    active.name = Set(spec.name.clone());
    active.short_name = Set(spec.short_name.clone());
    active.occupation_code = Set(spec.occupation_code.clone());
    active.issuer = Set(spec.issuer.clone());
    active.reference_hours = Set(spec.reference_hours as i32);
    active.spec = Set(serde_json::to_string(&spec).map_err(anyhow::Error::from)?);
    active.spec_hash = Set(spec.sha256());
    active.updated_at = Set(now.stamp());
    let row = active.update(conn).await?;
    audit::append(
        conn,
        actor,
        Change {
            action: "standard.update_draft",
            record_type: "standard",
            record_id: &row.id,
            summary: serde_json::json!({"code": row.code, "version": row.version, "spec_sha256": row.spec_hash}),
        },
    )
    .await?;
    row.try_into()
}

/// What the bureau does to a version in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// A draft comes into force; the version in force before it is retired and recorded
    /// as superseded.
    Publish,
    /// The version in force is withdrawn without a successor.
    Retire,
}

/// Publishes or retires a version. Doing it to a version already in the target state
/// changes nothing.
pub async fn transition(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    code: &str,
    version: i32,
    transition: Transition,
    now: Now,
) -> Result<Standard, AppError> {
    let row = find_version(conn, code, version).await?;
    let (from, to) = match transition {
        Transition::Publish => (StandardStatus::Draft, StandardStatus::Published),
        Transition::Retire => (StandardStatus::Published, StandardStatus::Retired),
    };
    let status = StandardStatus::read("standards", &row.id, &row.status)?;
    if status == to {
        return row.try_into();
    }
    if status != from {
        return Err(match status {
            StandardStatus::Draft => AppError::Conflict {
                code: "standard_draft",
                message: "草稿尚未发布，无需废止".into(),
            },
            _ => frozen(&row),
        });
    }
    let now = now.stamp();
    let spec_hash = row.spec_hash.clone();
    let mut active: standard::ActiveModel = row.into();
    active.status = Set(to.as_str().to_owned());
    active.updated_at = Set(now);
    let (action, supersedes) = match transition {
        Transition::Publish => {
            let supersedes = retire_in_force(conn, code, now).await?;
            active.published_at = Set(Some(now));
            active.supersedes_id = Set(supersedes.clone());
            ("standard.publish", supersedes)
        }
        Transition::Retire => {
            active.retired_at = Set(Some(now));
            ("standard.retire", None)
        }
    };
    let row = active.update(conn).await?;
    let summary = match transition {
        Transition::Publish => {
            serde_json::json!({"code": row.code, "version": row.version, "supersedes_id": supersedes, "spec_sha256": spec_hash})
        }
        Transition::Retire => serde_json::json!({"code": row.code, "version": row.version}),
    };
    audit::append(
        conn,
        actor,
        Change {
            action,
            record_type: "standard",
            record_id: &row.id,
            summary,
        },
    )
    .await?;
    row.try_into()
}

/// Retires the version of `code` in force, if any, returning its id.
async fn retire_in_force(
    conn: &impl ConnectionTrait,
    code: &str,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<Option<String>, AppError> {
    let Some(previous) = standard::Entity::find()
        .filter(standard::Column::Code.eq(code))
        .filter(status_is(StandardStatus::Published))
        .lock_exclusive()
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let id = previous.id.clone();
    let mut old: standard::ActiveModel = previous.into();
    old.status = Set(StandardStatus::Retired.as_str().to_owned());
    old.retired_at = Set(Some(now));
    old.update(conn).await?;
    Ok(Some(id))
}

/// Loads the city's bundled standards that the database does not have yet, as published
/// versions. Safe to run at every start and from several instances at once.
pub async fn load_bundled(conn: &impl ConnectionTrait, now: Now) -> anyhow::Result<usize> {
    let mut loaded = 0;
    for (version, spec) in spec::bundled()? {
        let exists = standard::Entity::find()
            .filter(standard::Column::Code.eq(&spec.code))
            .one(conn)
            .await?
            .is_some();
        if !exists {
            insert_version(
                conn,
                &Actor::system("bundled-standards"),
                &spec,
                version,
                StandardStatus::Published,
                now,
            )
            .await
            .map_err(|e| anyhow::anyhow!("loading standard {}: {e}", spec.code))?;
            loaded += 1;
        }
    }
    Ok(loaded)
}
