//! Training orders (订单式培训, docs/DESIGN.md §7): an employer commissions training for
//! real posts, the bureau assigns a provider (or confirms one's offer), the provider's
//! cohorts fulfil it once the posts are confirmed (岗位前置), hires and departures are
//! recorded, and the outcome-linked funding follows from rules the bureau configures.
//!
//! Every change locks the order's row first ([`lock`]) so that changes to one order take
//! turns, is idempotent where it can be sent twice, and is audited in its transaction.

pub mod assign;
pub mod choices;
pub mod close;
pub mod draft;
pub mod funding;
pub mod funding_rules;
pub mod hires;
pub mod input;

pub mod progress;
mod records;
pub mod status;
mod view;
pub mod waiting;

use entities::orders as order;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect,
    sea_query::Expr,
};

pub use crate::money::Fen;
use crate::{
    access::{Caller, Role, rules},
    error::AppError,
    pagination::{self, Page, PageParams},
    stored::Stored,
};
pub use status::{Employment, OrderOutcome, OrderStatus, Tranche};
pub use view::{Candidate, Offer, Order, Party, Post, PostInput};

/// The order's row if the caller may see it; otherwise "not found".
pub(crate) async fn find(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
) -> Result<order::Model, AppError> {
    order::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .filter(|o| visible(caller, o))
        .ok_or(AppError::NotFound)
}

fn visible(caller: &Caller, o: &order::Model) -> bool {
    rules::may_see_order(caller, &o.employer_id, o.provider_id.as_deref(), &o.status)
}

/// The order, if the caller may see it, locked for the rest of the transaction so that
/// changes to one order take turns (`SELECT … FOR UPDATE` on PostgreSQL; on SQLite a write
/// that changes nothing takes the database's write lock first, as `lock_cohort` does).
pub(crate) async fn lock(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
) -> Result<order::Model, AppError> {
    if conn.get_database_backend() == DbBackend::Sqlite {
        order::Entity::update_many()
            .col_expr(order::Column::Id, Expr::col(order::Column::Id))
            .filter(order::Column::Id.eq(id))
            .exec(conn)
            .await?;
    }
    order::Entity::find_by_id(id.to_owned())
        .lock_exclusive()
        .one(conn)
        .await?
        .filter(|o| visible(caller, o))
        .ok_or(AppError::NotFound)
}

/// The order's stored status, read strictly.
pub(crate) fn status_of(o: &order::Model) -> Result<OrderStatus, AppError> {
    Ok(OrderStatus::read("orders", &o.id, &o.status)?)
}

/// The refusal of a change the order's status does not allow.
pub(crate) fn wrong_status(o: &order::Model, status: OrderStatus, what: &str) -> AppError {
    AppError::Conflict {
        code: "order_status",
        message: format!("订单“{}”当前状态为{}，{what}", o.title, status.label()),
    }
}

/// 404 unless the caller works for the order's employer: only its staff change it.
pub(crate) fn require_employer(caller: &Caller, o: &order::Model) -> Result<(), AppError> {
    if caller.role == Role::Employer && caller.belongs_to(&o.employer_id) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// One order as the caller may see it.
pub async fn get(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
) -> Result<Order, AppError> {
    let row = find(conn, caller, id).await?;
    view::one(conn, caller, row).await
}

/// The orders the caller may see, oldest first: an employer's own, the bureau's every
/// submitted one, a provider's assigned ones and those waiting for a provider.
pub async fn list(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    page: &PageParams,
) -> Result<Page<Order>, AppError> {
    let query = order::Entity::find();
    let query = match (caller.role, &caller.organisation_id) {
        (Role::BureauAdmin, _) => {
            query.filter(order::Column::Status.ne(OrderStatus::Draft.as_str()))
        }
        (Role::Employer, Some(org)) => query.filter(order::Column::EmployerId.eq(org)),
        (Role::ProviderStaff, Some(org)) => query.filter(
            Condition::any().add(order::Column::ProviderId.eq(org)).add(
                Condition::all()
                    .add(order::Column::ProviderId.is_null())
                    .add(order::Column::Status.eq(OrderStatus::Submitted.as_str())),
            ),
        ),
        _ => return Ok(Page::empty()),
    };
    let rows = pagination::fetch(conn, query, order::Column::Id, page).await?;
    Ok(Page {
        items: view::many(conn, caller, rows.items).await?,
        next_cursor: rows.next_cursor,
    })
}
