//! What the order pages offer to choose from: the occupations and local standards an
//! order may train for, the cohorts linked to orders, and the assigned provider's cohorts
//! that could still be linked. Each is one or two queries for any number of rows.

use std::collections::HashMap;

use chrono::NaiveDate;
use entities::{
    cohorts as cohort, occupations as occupation, order_cohorts as link, orders as order,
    programs as program, standards as standard,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;

use super::{OrderStatus, view};
use crate::{access::Caller, error::AppError, standards::StandardStatus, stored::Stored};

/// An occupation or a local standard an order may name.
#[derive(Debug, Clone)]
pub struct Subject {
    pub code: String,
    pub name: String,
}

/// The national occupations and the local standards in force, each by code.
pub async fn subjects(
    conn: &impl ConnectionTrait,
) -> Result<(Vec<Subject>, Vec<Subject>), AppError> {
    let occupations = occupation::Entity::find()
        .order_by_asc(occupation::Column::Code)
        .all(conn)
        .await?
        .into_iter()
        .map(|o| Subject {
            code: o.code,
            name: o.name,
        })
        .collect();
    let standards = standard::Entity::find()
        .filter(standard::Column::Status.eq(StandardStatus::Published.as_str()))
        .order_by_asc(standard::Column::Code)
        .all(conn)
        .await?
        .into_iter()
        .map(|s| Subject {
            code: s.code,
            name: s.name,
        })
        .collect();
    Ok((occupations, standards))
}

/// A cohort fulfilling an order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkedCohort {
    pub cohort_id: String,
    pub code: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// The cohorts linked to each of `order_ids`, in two queries.
pub(crate) async fn linked(
    conn: &impl ConnectionTrait,
    order_ids: &[&str],
) -> Result<HashMap<String, Vec<LinkedCohort>>, AppError> {
    let links = link::Entity::find()
        .filter(link::Column::OrderId.is_in(order_ids.iter().copied()))
        .order_by_asc(link::Column::LinkedAt)
        .all(conn)
        .await?;
    if links.is_empty() {
        return Ok(HashMap::new());
    }
    let cohorts: HashMap<String, cohort::Model> = cohort::Entity::find()
        .filter(cohort::Column::Id.is_in(links.iter().map(|l| l.cohort_id.as_str())))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let mut out: HashMap<String, Vec<LinkedCohort>> = HashMap::new();
    for l in links {
        if let Some(c) = cohorts.get(&l.cohort_id) {
            out.entry(l.order_id).or_default().push(LinkedCohort {
                cohort_id: c.id.clone(),
                code: c.code.clone(),
                starts_on: c.starts_on,
                ends_on: c.ends_on,
            });
        }
    }
    Ok(out)
}

/// The assigned provider's cohorts that could be linked to the order: of a fitting
/// program and not yet linked to any order. Empty for anyone else and for an order that
/// no longer takes cohorts.
pub async fn linkable(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
) -> Result<Vec<LinkedCohort>, AppError> {
    let row: order::Model = super::find(conn, caller, id).await?;
    let assigned = row
        .provider_id
        .as_deref()
        .is_some_and(|p| caller.belongs_to(p));
    let status = OrderStatus::read("orders", &row.id, &row.status)?;
    if !assigned || !status.is_running() {
        return Ok(Vec::new());
    }
    let fitting = view::fitting_programs(conn, &[&row]).await?;
    let programs: Vec<&program::Model> = fitting
        .get(&row.id)
        .map(|ps| {
            ps.iter()
                .filter(|p| caller.belongs_to(&p.provider_id))
                .collect()
        })
        .unwrap_or_default();
    if programs.is_empty() {
        return Ok(Vec::new());
    }
    let cohorts = cohort::Entity::find()
        .filter(cohort::Column::ProgramId.is_in(programs.iter().map(|p| p.id.as_str())))
        .order_by_desc(cohort::Column::StartsOn)
        .all(conn)
        .await?;
    let taken: Vec<String> = link::Entity::find()
        .filter(link::Column::CohortId.is_in(cohorts.iter().map(|c| c.id.as_str())))
        .all(conn)
        .await?
        .into_iter()
        .map(|l| l.cohort_id)
        .collect();
    Ok(cohorts
        .into_iter()
        .filter(|c| !taken.contains(&c.id))
        .map(|c| LinkedCohort {
            cohort_id: c.id,
            code: c.code,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
        })
        .collect())
}
