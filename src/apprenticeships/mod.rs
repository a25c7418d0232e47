//! Enterprise new-style apprenticeships (企业新型学徒制, docs/DESIGN.md §7): the agreement
//! between an enterprise and a training provider (occupation, target level, period, the
//! training plan and its milestones) that the bureau files; the apprentices under it, each
//! an employee on a labour contract with an enterprise mentor and a school teacher; the
//! milestones each completes; and the subsidy ledger (rates, entries with their checks,
//! periods and payments).
//!
//! Every change locks the agreement's row first ([`lock`]), so that changes to one
//! agreement and its apprentices take turns, and is audited in its transaction. An
//! apprentice's completion (`completed_on` with the plan's milestones) is what the
//! apprenticeship certificate will rest on.

pub mod agreements;
pub mod apprentices;
pub mod due;
mod input;
pub mod ledger;
pub mod mine;
pub mod names;
pub mod periods;
pub mod progress;
pub mod rates;
pub mod status;
pub mod terms;
mod view;

use entities::apprenticeship_agreements as agreement;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr,
};

use crate::{
    access::{Caller, Role, rules},
    error::AppError,
    pagination::{self, Page, PageParams},
    stored::Stored,
};
pub use input::{AgreementInput, MilestoneInput, ModuleInput};
pub use status::{AgreementStatus, ApprenticeStatus, EntryKind, EntryStatus, MilestoneSide};
pub use view::{Agreement, Milestone, Module, Party};

fn visible(caller: &Caller, a: &agreement::Model) -> bool {
    rules::may_see_apprenticeship(caller, &a.employer_id, &a.provider_id, &a.status)
}

/// The agreement's row if the caller may see it; otherwise "not found".
pub(crate) async fn find(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
) -> Result<agreement::Model, AppError> {
    agreement::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .filter(|a| visible(caller, a))
        .ok_or(AppError::NotFound)
}

/// The agreement, if the caller may see it, locked for the rest of the transaction
/// (`SELECT … FOR UPDATE` on PostgreSQL; on SQLite a write that changes nothing takes the
/// database's write lock first, as `orders::lock` does).
pub(crate) async fn lock(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
) -> Result<agreement::Model, AppError> {
    lock_row(conn, id)
        .await?
        .filter(|a| visible(caller, a))
        .ok_or(AppError::NotFound)
}

/// The agreement locked, whoever asks (the ledger's generation, run by the bureau).
pub(crate) async fn lock_row(
    conn: &impl ConnectionTrait,
    id: &str,
) -> Result<Option<agreement::Model>, AppError> {
    if conn.get_database_backend() == DbBackend::Sqlite {
        agreement::Entity::update_many()
            .col_expr(agreement::Column::Id, Expr::col(agreement::Column::Id))
            .filter(agreement::Column::Id.eq(id))
            .exec(conn)
            .await?;
    }
    Ok(agreement::Entity::find_by_id(id.to_owned())
        .lock_exclusive()
        .one(conn)
        .await?)
}

/// The agreement's stored status, read strictly.
pub(crate) fn status_of(a: &agreement::Model) -> Result<AgreementStatus, AppError> {
    Ok(AgreementStatus::read(
        "apprenticeship_agreements",
        &a.id,
        &a.status,
    )?)
}

/// The refusal of a change the agreement's status does not allow.
pub(crate) fn wrong_status(status: AgreementStatus, what: &str) -> AppError {
    AppError::Conflict {
        code: "agreement_status",
        message: format!("学徒培养协议当前状态为{}，{what}", status.label()),
    }
}

/// 404 unless the caller works for the agreement's enterprise: only its staff change it.
pub(crate) fn require_employer(caller: &Caller, a: &agreement::Model) -> Result<(), AppError> {
    if caller.role == Role::Employer && caller.belongs_to(&a.employer_id) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// One agreement as the caller may see it.
pub async fn get(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
) -> Result<Agreement, AppError> {
    let row = find(conn, caller, id).await?;
    view::one(conn, row).await
}

/// The agreements the caller may see, oldest first: an enterprise's own, a provider's
/// submitted ones naming it, every submitted one for the bureau.
pub async fn list(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    page: &PageParams,
) -> Result<Page<Agreement>, AppError> {
    let query = agreement::Entity::find();
    let draft = AgreementStatus::Draft.as_str();
    let query = match (caller.role, &caller.organisation_id) {
        (Role::BureauAdmin, _) => query.filter(agreement::Column::Status.ne(draft)),
        (Role::Employer, Some(org)) => query.filter(agreement::Column::EmployerId.eq(org)),
        (Role::ProviderStaff, Some(org)) => query
            .filter(agreement::Column::ProviderId.eq(org))
            .filter(agreement::Column::Status.ne(draft)),
        _ => return Ok(Page::empty()),
    };
    let rows = pagination::fetch(conn, query, agreement::Column::Id, page).await?;
    Ok(Page {
        items: view::many(conn, rows.items).await?,
        next_cursor: rows.next_cursor,
    })
}
