//! The subsidy ledger: one row per apprentice, apprenticeship year and kind (an
//! adjustment's row also names the period it is booked in), so booking twice never books
//! twice. An entry is booked into the open period with the checks it passed, or held, in
//! no period, with the failed checks' reasons until they pass. A booked entry whose period
//! is closed never changes: a late correction is an adjustment in the open period.

pub mod book;
pub mod generate;
pub mod summary;

use chrono::{DateTime, FixedOffset};
use entities::{apprenticeship_subsidy_entries as entry, audit_head};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{EntryKind, EntryStatus, status::Check};
use crate::{
    access::{Caller, Role},
    error::AppError,
    money::Fen,
    pagination::{self, Page, PageParams},
    stored::Stored,
};

/// A ledger entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Entry {
    pub id: String,
    pub apprentice_id: String,
    pub agreement_id: String,
    pub employer_id: String,
    /// 1 for the year from the start to the first anniversary, and so on.
    pub apprenticeship_year: i32,
    /// The calendar year whose rate applies (the year the apprenticeship year began).
    pub rate_year: i32,
    pub kind: EntryKind,
    pub kind_label: &'static str,
    /// For an adjustment, the kind of entry it corrects.
    pub adjusts: Option<EntryKind>,
    /// Yuan; negative for a claw-back or a downward correction.
    pub amount: String,
    pub status: EntryStatus,
    /// The period it is booked in (`YYYY-MM`); none while held.
    pub period: Option<String>,
    /// The checks it passed (a claw-back: its ground, `left_early`).
    pub checks: Vec<Check>,
    /// Why it is held: the failed checks.
    pub held_reason: Option<String>,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
}

/// Which entries to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    /// The enterprise (the bureau only; an enterprise always sees its own).
    pub employer_id: Option<String>,
    pub apprentice_id: Option<String>,
    /// The rate year.
    pub year: Option<i32>,
    /// A period, `YYYY-MM`.
    pub period: Option<String>,
    /// Items per page, 1–200 (default 50).
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

pub(crate) fn view(e: entry::Model) -> Result<Entry, AppError> {
    let table = "apprenticeship_subsidy_entries";
    let kind = EntryKind::read(table, &e.id, &e.kind)?;
    let adjusts = e
        .adjusts
        .as_deref()
        .map(|k| EntryKind::read(table, &e.id, k))
        .transpose()?;
    let words: Vec<String> = serde_json::from_str(&e.checks)
        .map_err(|err| anyhow::anyhow!("{table} {}: unreadable checks: {err}", e.id))?;
    let checks = words
        .iter()
        .map(|w| Check::read(table, &e.id, w))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Entry {
        status: EntryStatus::read(table, &e.id, &e.status)?,
        kind,
        kind_label: kind.label(),
        adjusts,
        checks,
        amount: Fen(e.amount_fen).to_string(),
        id: e.id,
        apprentice_id: e.apprentice_id,
        agreement_id: e.agreement_id,
        employer_id: e.employer_id,
        apprenticeship_year: e.apprenticeship_year,
        rate_year: e.rate_year,
        period: e.period,
        held_reason: e.held_reason,
        created_at: e.created_at,
        updated_at: e.updated_at,
    })
}

/// The entries the caller may see, oldest first: the bureau's every entry, an enterprise's
/// own.
pub async fn list(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    q: &LedgerQuery,
) -> Result<Page<Entry>, AppError> {
    let mut query = entry::Entity::find();
    match (caller.role, &caller.organisation_id) {
        (Role::BureauAdmin, _) => {
            if let Some(employer) = &q.employer_id {
                query = query.filter(entry::Column::EmployerId.eq(employer));
            }
        }
        (Role::Employer, Some(org)) => query = query.filter(entry::Column::EmployerId.eq(org)),
        _ => return Ok(Page::empty()),
    }
    if let Some(apprentice) = &q.apprentice_id {
        query = query.filter(entry::Column::ApprenticeId.eq(apprentice));
    }
    if let Some(year) = q.year {
        query = query.filter(entry::Column::RateYear.eq(year));
    }
    if let Some(period) = &q.period {
        query = query.filter(entry::Column::Period.eq(period));
    }
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let rows = pagination::fetch(conn, query, entry::Column::Id, &page).await?;
    Ok(Page {
        items: rows.items.into_iter().map(view).collect::<Result<_, _>>()?,
        next_cursor: rows.next_cursor,
    })
}

/// What a generation run changed.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Booked {
    /// New entries booked into the open period.
    pub booked: u32,
    /// Entries held with a failed check (new, or still held with a new amount or reason).
    pub held: u32,
    /// Held entries whose checks now pass, booked into the open period.
    pub released: u32,
    /// Entries of an open period corrected in place.
    pub corrected: u32,
    /// Adjustments booked into the open period for entries of closed periods.
    pub adjusted: u32,
}

/// Serialises the ledger's writers (booking, closing a period, payments) on the row every
/// audited write locks anyway, so that no entry lands in a period being closed.
pub(crate) async fn lock_ledger(conn: &impl ConnectionTrait) -> Result<(), AppError> {
    if conn.get_database_backend() == DbBackend::Sqlite {
        audit_head::Entity::update_many()
            .col_expr(audit_head::Column::Id, Expr::col(audit_head::Column::Id))
            .filter(audit_head::Column::Id.eq(1))
            .exec(conn)
            .await?;
    }
    audit_head::Entity::find_by_id(1)
        .lock_exclusive()
        .one(conn)
        .await?;
    Ok(())
}
