//! The agreement's life: the enterprise writes it (a draft, or a returned one, changes
//! freely) and submits it; the bureau files it or returns it with a reason.
//!
//! The provider is not asked to confirm in this increment: the enterprise names an
//! approved provider, the provider sees the agreement from submission on, and the bureau's
//! filing is the check (docs/DESIGN.md §7).

use entities::{
    apprenticeship_agreements as agreement, apprenticeship_milestones as milestone,
    apprenticeship_modules as module,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{Agreement, AgreementInput, AgreementStatus, input};
use crate::{
    access::{Caller, Role},
    audit::{self, Change},
    clock::Now,
    error::AppError,
    pagination::new_id,
    stored::Stored,
};

/// The bureau's reason for returning an agreement.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReturnInput {
    /// 1–500 characters.
    pub reason: String,
}

async fn replace_plan(
    conn: &impl ConnectionTrait,
    agreement_id: &str,
    checked: input::Checked,
) -> Result<(), AppError> {
    module::Entity::delete_many()
        .filter(module::Column::AgreementId.eq(agreement_id))
        .exec(conn)
        .await?;
    milestone::Entity::delete_many()
        .filter(milestone::Column::AgreementId.eq(agreement_id))
        .exec(conn)
        .await?;
    for (i, (title, theory, practice)) in checked.modules.into_iter().enumerate() {
        module::ActiveModel {
            id: Set(new_id()),
            agreement_id: Set(agreement_id.to_owned()),
            position: Set(i as i32),
            title: Set(title),
            theory_hours: Set(theory),
            practice_hours: Set(practice),
        }
        .insert(conn)
        .await?;
    }
    for (i, (title, due_on)) in checked.milestones.into_iter().enumerate() {
        milestone::ActiveModel {
            id: Set(new_id()),
            agreement_id: Set(agreement_id.to_owned()),
            position: Set(i as i32),
            title: Set(title),
            due_on: Set(due_on),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

fn summary(a: &agreement::Model, input: &AgreementInput) -> serde_json::Value {
    serde_json::json!({"provider_id": a.provider_id, "occupation_code": a.occupation_code,
        "target_level": a.target_level, "starts_on": a.starts_on, "ends_on": a.ends_on,
        "extension_reason": a.extension_reason, "modules": input.modules.len(),
        "milestones": input.milestones.len()})
}

async fn audited(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    action: &str,
    id: &str,
    summary: serde_json::Value,
) -> Result<(), AppError> {
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action,
            record_type: "apprenticeship_agreement",
            record_id: id,
            summary,
        },
    )
    .await?;
    Ok(())
}

/// A new draft agreement of the caller's enterprise, in `city_code` (the registry's
/// configured region, whose subsidy rates it follows).
pub async fn create(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    city_code: &str,
    input: AgreementInput,
    now: Now,
) -> Result<Agreement, AppError> {
    let employer = match (caller.role, &caller.organisation_id) {
        (Role::Employer, Some(org)) => org.clone(),
        _ => return Err(AppError::forbidden_role()),
    };
    let checked = input::check(conn, &input).await?;
    let row = agreement::ActiveModel {
        id: Set(new_id()),
        employer_id: Set(employer),
        provider_id: Set(input.provider_id.clone()),
        occupation_code: Set(input.occupation_code.clone()),
        target_level: Set(input.target_level.clone()),
        starts_on: Set(input.starts_on),
        ends_on: Set(input.ends_on),
        extension_reason: Set(checked.extension_reason.clone()),
        city_code: Set(city_code.to_owned()),
        status: Set(AgreementStatus::Draft.as_str().to_owned()),
        return_reason: Set(None),
        submitted_at: Set(None),
        filed_at: Set(None),
        filed_by: Set(None),
        created_at: Set(now.stamp()),
        updated_at: Set(now.stamp()),
    }
    .insert(conn)
    .await?;
    replace_plan(conn, &row.id, checked).await?;
    audited(
        conn,
        caller,
        "apprenticeship.create",
        &row.id,
        summary(&row, &input),
    )
    .await?;
    super::view::one(conn, row).await
}

/// Rewrites a draft or a returned agreement, its plan included.
pub async fn update(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    input: AgreementInput,
    now: Now,
) -> Result<Agreement, AppError> {
    let row = super::lock(conn, caller, id).await?;
    super::require_employer(caller, &row)?;
    let status = super::status_of(&row)?;
    if !matches!(status, AgreementStatus::Draft | AgreementStatus::Returned) {
        return Err(super::wrong_status(
            status,
            "只有草稿或已退回的协议可以修改",
        ));
    }
    let checked = input::check(conn, &input).await?;
    let mut active = row.into_active_model();
    active.provider_id = Set(input.provider_id.clone());
    active.occupation_code = Set(input.occupation_code.clone());
    active.target_level = Set(input.target_level.clone());
    active.starts_on = Set(input.starts_on);
    active.ends_on = Set(input.ends_on);
    active.extension_reason = Set(checked.extension_reason.clone());
    active.updated_at = Set(now.stamp());
    let row = active.update(conn).await?;
    replace_plan(conn, &row.id, checked).await?;
    audited(
        conn,
        caller,
        "apprenticeship.update",
        &row.id,
        summary(&row, &input),
    )
    .await?;
    super::view::one(conn, row).await
}

/// Submits a draft (or a returned agreement) to the bureau; a submitted or filed one
/// answers as it stands.
pub async fn submit(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    now: Now,
) -> Result<Agreement, AppError> {
    let row = super::lock(conn, caller, id).await?;
    super::require_employer(caller, &row)?;
    if !matches!(
        super::status_of(&row)?,
        AgreementStatus::Draft | AgreementStatus::Returned
    ) {
        return super::view::one(conn, row).await;
    }
    let mut active = row.into_active_model();
    active.status = Set(AgreementStatus::Submitted.as_str().to_owned());
    active.submitted_at = Set(Some(now.stamp()));
    active.updated_at = Set(now.stamp());
    let row = active.update(conn).await?;
    let summary = serde_json::json!({"status": row.status});
    audited(conn, caller, "apprenticeship.submit", &row.id, summary).await?;
    super::view::one(conn, row).await
}

/// The bureau files (approves) a submitted agreement; filing again answers it.
pub async fn file(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    now: Now,
) -> Result<Agreement, AppError> {
    let row = super::lock(conn, caller, id).await?;
    let status = super::status_of(&row)?;
    match status {
        AgreementStatus::Filed => return super::view::one(conn, row).await,
        AgreementStatus::Submitted => {}
        _ => return Err(super::wrong_status(status, "只有待备案的协议可以备案")),
    }
    let mut active = row.into_active_model();
    active.status = Set(AgreementStatus::Filed.as_str().to_owned());
    active.filed_at = Set(Some(now.stamp()));
    active.filed_by = Set(Some(caller.login.clone()));
    active.return_reason = Set(None);
    active.updated_at = Set(now.stamp());
    let row = active.update(conn).await?;
    let summary = serde_json::json!({"status": row.status});
    audited(conn, caller, "apprenticeship.file", &row.id, summary).await?;
    super::view::one(conn, row).await
}

/// The bureau returns a submitted agreement to the enterprise with its reason.
pub async fn return_to_employer(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    input: ReturnInput,
    now: Now,
) -> Result<Agreement, AppError> {
    let row = super::lock(conn, caller, id).await?;
    let status = super::status_of(&row)?;
    if status != AgreementStatus::Submitted {
        return Err(super::wrong_status(status, "只有待备案的协议可以退回"));
    }
    let reason = input.reason.trim().to_owned();
    if !(1..=500).contains(&reason.chars().count()) {
        return Err(AppError::invalid(
            "reason",
            "length",
            "退回理由须为1–500个字符",
        ));
    }
    let mut active = row.into_active_model();
    active.status = Set(AgreementStatus::Returned.as_str().to_owned());
    active.return_reason = Set(Some(reason.clone()));
    active.updated_at = Set(now.stamp());
    let row = active.update(conn).await?;
    let summary = serde_json::json!({"status": row.status, "reason": reason});
    audited(conn, caller, "apprenticeship.return", &row.id, summary).await?;
    super::view::one(conn, row).await
}
