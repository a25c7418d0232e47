//! Per enterprise and rate year: what is due (the booked entries, claw-backs and
//! adjustments included), what the bureau paid (less what it recovered), what is still to
//! pay and what is to recover; and what is held. Two reads, whatever the ledger's
//! size (the rows' amounts are added up here, the same on both engines).

use std::collections::BTreeMap;

use entities::{
    apprenticeship_subsidy_entries as entry, apprenticeship_subsidy_payments as payment,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    access::{Caller, Role},
    apprenticeships::EntryStatus,
    error::AppError,
    money::Fen,
    stored::Stored,
};

/// One enterprise's figures for one year (yuan).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Summary {
    pub employer_id: String,
    pub year: i32,
    /// The booked entries' sum.
    pub due: String,
    /// Payments less recoveries.
    pub paid: String,
    /// Due and not yet paid (0 when paid covers it).
    pub to_pay: String,
    /// Paid beyond what is due, to recover from the enterprise (0 when none).
    pub to_recover: String,
    /// The held entries' sum (not due until their checks pass).
    pub held: String,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// The rate year.
    pub year: i32,
}

fn figures(employer_id: String, year: i32, due: i64, paid: i64, held: i64) -> Summary {
    Summary {
        employer_id,
        year,
        due: Fen(due).to_string(),
        paid: Fen(paid).to_string(),
        to_pay: Fen((due - paid).max(0)).to_string(),
        to_recover: Fen((paid - due).max(0)).to_string(),
        held: Fen(held).to_string(),
    }
}

async fn sums(
    conn: &impl ConnectionTrait,
    employer: Option<&str>,
    year: i32,
) -> Result<BTreeMap<String, (i64, i64, i64)>, AppError> {
    let mut entries = entry::Entity::find()
        .select_only()
        .column(entry::Column::EmployerId)
        .column(entry::Column::Status)
        .column(entry::Column::AmountFen)
        .filter(entry::Column::RateYear.eq(year));
    let mut payments = payment::Entity::find()
        .select_only()
        .column(payment::Column::EmployerId)
        .column(payment::Column::AmountFen)
        .filter(payment::Column::Year.eq(year));
    if let Some(employer) = employer {
        entries = entries.filter(entry::Column::EmployerId.eq(employer));
        payments = payments.filter(payment::Column::EmployerId.eq(employer));
    }
    let mut out: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    let booked = EntryStatus::Booked.as_str();
    for (employer, status, total) in entries
        .into_tuple::<(String, String, i64)>()
        .all(conn)
        .await?
    {
        let slot = out.entry(employer).or_default();
        if status == booked {
            slot.0 += total;
        } else {
            slot.2 += total;
        }
    }
    for (employer, total) in payments.into_tuple::<(String, i64)>().all(conn).await? {
        out.entry(employer).or_default().1 += total;
    }
    Ok(out)
}

/// The figures for one enterprise and year.
pub(crate) async fn for_employer(
    conn: &impl ConnectionTrait,
    employer_id: &str,
    year: i32,
) -> Result<Summary, AppError> {
    let (due, paid, held) = sums(conn, Some(employer_id), year)
        .await?
        .remove(employer_id)
        .unwrap_or_default();
    Ok(figures(employer_id.to_owned(), year, due, paid, held))
}

/// Every enterprise's figures for a year (the bureau), or the caller's own (an enterprise).
pub async fn list(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    year: i32,
) -> Result<Vec<Summary>, AppError> {
    let employer = match (caller.role, &caller.organisation_id) {
        (Role::BureauAdmin, _) => None,
        (Role::Employer, Some(org)) => Some(org.as_str()),
        _ => return Ok(Vec::new()),
    };
    let sums = sums(conn, employer, year).await?;
    Ok(sums
        .into_iter()
        .map(|(e, (due, paid, held))| figures(e, year, due, paid, held))
        .collect())
}
