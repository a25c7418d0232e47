//! Orders waiting for a provider, for the task lists: the bureau's every submitted order
//! without one (to assign it), a provider's those its programs fit (to offer to take
//! them), each with how many providers have offered. A fixed number of queries.

use std::collections::HashMap;

use chrono::NaiveDate;
use entities::{order_offers as offer, orders as order, organisations as organisation};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;

use super::{OrderStatus, view};
use crate::{
    access::{Caller, Role},
    error::AppError,
    stored::Stored,
};

/// A submitted order without a provider.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WaitingOrder {
    pub order_id: String,
    pub title: String,
    pub employer_name: String,
    pub deadline: NaiveDate,
    pub trainees_wanted: u32,
    /// Providers that have offered to take it.
    pub offers: u64,
    /// Whether the caller's organisation is one of them (a provider's list).
    pub offered_by_caller: bool,
}

/// The orders waiting for a provider that the caller answers for, nearest deadline first.
pub async fn waiting(
    conn: &impl ConnectionTrait,
    caller: &Caller,
) -> Result<Vec<WaitingOrder>, AppError> {
    if !matches!(caller.role, Role::BureauAdmin | Role::ProviderStaff) {
        return Ok(Vec::new());
    }
    let mut rows = order::Entity::find()
        .filter(order::Column::Status.eq(OrderStatus::Submitted.as_str()))
        .filter(order::Column::ProviderId.is_null())
        .order_by_asc(order::Column::Deadline)
        .order_by_asc(order::Column::Id)
        .all(conn)
        .await?;
    if caller.role == Role::ProviderStaff {
        let refs: Vec<&order::Model> = rows.iter().collect();
        let fitting = view::fitting_programs(conn, &refs).await?;
        rows.retain(|o| {
            fitting
                .get(&o.id)
                .is_some_and(|ps| ps.iter().any(|p| caller.belongs_to(&p.provider_id)))
        });
    }
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let offers = offer::Entity::find()
        .filter(offer::Column::OrderId.is_in(rows.iter().map(|o| o.id.as_str())))
        .all(conn)
        .await?;
    let names: HashMap<String, String> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(rows.iter().map(|o| o.employer_id.as_str())))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|o| {
            let mine = offers.iter().filter(|f| f.order_id == o.id);
            WaitingOrder {
                offers: mine.clone().count() as u64,
                offered_by_caller: mine.clone().any(|f| caller.belongs_to(&f.provider_id)),
                employer_name: names.get(&o.employer_id).cloned().unwrap_or_default(),
                order_id: o.id,
                title: o.title,
                deadline: o.deadline,
                trainees_wanted: u32::try_from(o.trainees_wanted).unwrap_or_default(),
            }
        })
        .collect())
}
