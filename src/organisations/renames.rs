//! Renames wait for the bureau. An organisation's name is what its certificates print
//! and what verifiers trust, so a name an organisation gives itself is only a request
//! (`pending_name`) until the bureau approves it; the bureau may also reject it. The
//! bureau renames directly ([`super::update`]). A requested name must be free when asked
//! for and again when approved.

use entities::organisations as organisation;
use sea_orm::{ConnectionTrait, Set};

use super::{OrgName, Organisation, find_visible, name, save};
use crate::{access::Scope, audit::Actor, clock::Now, error::AppError};

/// Records `name` as the organisation's requested name, replacing an earlier request.
pub(super) async fn request(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    row: organisation::Model,
    name: &OrgName,
    now: Now,
) -> Result<organisation::Model, AppError> {
    let replaces = row.pending_name.clone();
    let mut active: organisation::ActiveModel = row.into();
    active.pending_name = Set(Some(name.to_string()));
    let row = save(conn, actor, active, now, "organisation.rename_request", |row| {
        serde_json::json!({"name": row.name, "pending_name": row.pending_name, "replaces": replaces})
    })
    .await?;
    name::ensure_free(conn, name.as_str(), &row.id).await?;
    Ok(row)
}

/// The organisation and its requested name, or a conflict when it asked for none.
async fn pending(
    conn: &impl ConnectionTrait,
    id: &str,
) -> Result<(organisation::Model, String), AppError> {
    let row = find_visible(conn, &Scope::All, id).await?;
    match row.pending_name.clone() {
        Some(name) => Ok((row, name)),
        None => Err(AppError::Conflict {
            code: "no_pending_name",
            message: "该机构没有待审批的名称变更".into(),
        }),
    }
}

/// The bureau approves the requested name: it becomes the name in force, printed on the
/// certificates issued from now on (those already issued keep the name they were issued
/// under).
pub async fn approve(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: &str,
    now: Now,
) -> Result<Organisation, AppError> {
    let (row, requested) = pending(conn, id).await?;
    let from = row.name.clone();
    let mut active: organisation::ActiveModel = row.into();
    active.name = Set(requested);
    active.pending_name = Set(None);
    let row = save(
        conn,
        actor,
        active,
        now,
        "organisation.rename_approve",
        |row| serde_json::json!({"from": from, "to": row.name}),
    )
    .await?;
    name::ensure_free(conn, &row.name, &row.id).await?;
    Ok(row.try_into()?)
}

/// The bureau rejects the requested name: the name in force stays.
pub async fn reject(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: &str,
    now: Now,
) -> Result<Organisation, AppError> {
    let (row, requested) = pending(conn, id).await?;
    let mut active: organisation::ActiveModel = row.into();
    active.pending_name = Set(None);
    let row = save(
        conn,
        actor,
        active,
        now,
        "organisation.rename_reject",
        |row| serde_json::json!({"name": row.name, "rejected": requested}),
    )
    .await?;
    Ok(row.try_into()?)
}
