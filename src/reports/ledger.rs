//! The 培训合格证书 ledger of a statistical year, in the province's columns: 证书序列号,
//! 参训人员姓名, 身份信息, 培训项目名称, 培训起止日期, 培训机构名称, 发证日期. One line per
//! completion certificate issued in the year and standing (not revoked, not superseded —
//! a corrected one appears as its re-issue), by issue day (then the certificates' ids). ID
//! numbers are masked unless the bureau asks for its own full ledger, which is audited.
//! A [`Reading`] reads from one snapshot of the database, [`CHUNK`] certificates at a
//! time (one joined query a chunk), and is written out by [`super::export`] as CSV or XLSX.

use std::{collections::HashMap, sync::Arc};

use chrono::NaiveDate;
use entities::{
    certificates as certificate, cohorts as cohort, enrolments as enrolment, people as person,
    programs as program,
};
use sea_orm::{
    AccessMode, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    FromQueryResult, IsolationLevel, JoinType, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait, Select, TransactionTrait,
    sea_query::{Expr, ExprTrait},
};

use super::{export, year_span};
use crate::{
    access::Caller,
    audit::{self, Change},
    certificates::CertificateStatus,
    db::Db,
    error::AppError,
    people::{PiiKeys, at_rest},
    programs::CertificateKind,
    stored::Stored,
};

/// Certificates read per round.
pub const CHUNK: u64 = 1000;

/// The province's columns.
pub const COLUMNS: [&str; 7] = [
    "证书序列号",
    "参训人员姓名",
    "身份信息",
    "培训项目名称",
    "培训起止日期",
    "培训机构名称",
    "发证日期",
];

/// The columns' widths in the worksheet: the ID's wider.
const WIDTHS: [f64; 7] = [18.0, 18.0, 22.0, 18.0, 18.0, 18.0, 18.0];

/// One line of the ledger.
pub type Line = [String; 7];

/// What the ledger's file of `year` says besides its lines.
pub fn table(year: i32) -> export::Table {
    export::Table {
        sheet: format!("{year}年培训合格证书台账"),
        columns: &COLUMNS,
        widths: &WIDTHS,
    }
}

/// The certificates the ledger of `span` lists.
fn standing((from, to): (NaiveDate, NaiveDate)) -> Select<certificate::Entity> {
    certificate::Entity::find()
        .filter(certificate::Column::Kind.eq(CertificateKind::Completion.as_str()))
        .filter(certificate::Column::Status.ne(CertificateStatus::Revoked.as_str()))
        .filter(certificate::Column::Status.ne(CertificateStatus::Superseded.as_str()))
        .filter(certificate::Column::ValidFrom.between(from, to))
}

/// The ledger of a year read from one snapshot of the database: the count and every
/// chunk see the same certificates, whatever is written meanwhile (a repeatable-read,
/// read-only transaction on PostgreSQL; on SQLite, whose readers see the write-ahead log
/// as of their transaction's first read, a read transaction).
pub struct Reading {
    txn: DatabaseTransaction,
    keys: Arc<PiiKeys>,
    span: (NaiveDate, NaiveDate),
    /// The ID numbers in clear.
    full: bool,
    lines: u64,
    /// The issue day and id of the last certificate read; `None` before the first chunk.
    after: Option<(NaiveDate, String)>,
    done: bool,
}

impl Reading {
    /// Opens the snapshot the ledger of `year` is read from and counts its lines; `full`
    /// shows the ID numbers (the caller audits it with [`audit_full`]).
    pub async fn open(
        db: &Db,
        keys: Arc<PiiKeys>,
        year: i32,
        full: bool,
    ) -> Result<Self, AppError> {
        let txn = match db.backend() {
            DbBackend::Postgres => {
                db.read
                    .begin_with_config(
                        Some(IsolationLevel::RepeatableRead),
                        Some(AccessMode::ReadOnly),
                    )
                    .await?
            }
            _ => db.read.begin().await?,
        };
        let span = year_span(year);
        let lines = standing(span).count(&txn).await?;
        Ok(Self {
            txn,
            keys,
            span,
            full,
            lines,
            after: None,
            done: false,
        })
    }

    /// How many lines the ledger has.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    async fn chunk(&mut self) -> Result<Option<Vec<Line>>, AppError> {
        if self.done {
            return Ok(None);
        }
        let query = match &self.after {
            None => standing(self.span),
            // The next certificates in (issue day, id) order, which the index on kind,
            // issue day and id hands out without sorting: the range starts at the last
            // day read (SQLite bounds an index range by the day, not by a row value).
            Some((day, id)) => standing((*day, self.span.1)).filter(
                Expr::tuple([
                    Expr::col((certificate::Entity, certificate::Column::ValidFrom)),
                    Expr::col((certificate::Entity, certificate::Column::Id)),
                ])
                .gt(Expr::tuple([Expr::val(*day), Expr::val(id.as_str())])),
            ),
        };
        let found: Vec<Found> = lined(
            query
                .order_by_asc(certificate::Column::ValidFrom)
                .order_by_asc(certificate::Column::Id)
                .limit(CHUNK),
        )
        .all(&self.txn)
        .await?;
        self.done = (found.len() as u64) < CHUNK;
        let Some(last) = found.last() else {
            return Ok(None);
        };
        self.after = Some((last.valid_from, last.id.clone()));
        let mut lines = Vec::with_capacity(found.len());
        for f in found {
            let id = if self.full {
                at_rest::open_citizen_id(&self.keys, &f.person_id, &f.citizen_id_sealed)?
                    .as_str()
                    .to_owned()
            } else {
                f.citizen_id_masked
            };
            let span = match (f.starts_on, f.ends_on) {
                (Some(from), Some(to)) => format!("{from}至{to}"),
                _ => String::new(),
            };
            lines.push([
                f.number,
                f.name,
                id,
                f.title.unwrap_or_default(),
                span,
                f.issuer_name,
                f.valid_from.to_string(),
            ]);
        }
        Ok(Some(lines))
    }
}

/// A certificate of the ledger with what its line prints, read in one query.
#[derive(Debug, FromQueryResult)]
struct Found {
    id: String,
    number: String,
    valid_from: NaiveDate,
    issuer_name: String,
    person_id: String,
    name: String,
    citizen_id_masked: String,
    citizen_id_sealed: String,
    title: Option<String>,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
}

/// `query`'s certificates joined to what their lines print: the holder, the program, and
/// the cohort of the enrolment (a certificate without one prints no training period).
fn lined(query: Select<certificate::Entity>) -> sea_orm::Selector<sea_orm::SelectModel<Found>> {
    let of_enrolment = certificate::Entity::belongs_to(enrolment::Entity)
        .from(certificate::Column::EnrolmentId)
        .to(enrolment::Column::Id)
        .into();
    let of_cohort = enrolment::Entity::belongs_to(cohort::Entity)
        .from(enrolment::Column::CohortId)
        .to(cohort::Column::Id)
        .into();
    let of_program = certificate::Entity::belongs_to(program::Entity)
        .from(certificate::Column::ProgramId)
        .to(program::Column::Id)
        .into();
    query
        .select_only()
        .columns([
            certificate::Column::Id,
            certificate::Column::Number,
            certificate::Column::ValidFrom,
            certificate::Column::IssuerName,
            certificate::Column::PersonId,
        ])
        .columns([
            person::Column::Name,
            person::Column::CitizenIdMasked,
            person::Column::CitizenIdSealed,
        ])
        .column(program::Column::Title)
        .columns([cohort::Column::StartsOn, cohort::Column::EndsOn])
        .join(JoinType::InnerJoin, certificate::Relation::People.def())
        .join(JoinType::LeftJoin, of_enrolment)
        .join(JoinType::LeftJoin, of_cohort)
        .join(JoinType::LeftJoin, of_program)
        .into_model::<Found>()
}

impl export::Source for Reading {
    type Line = Line;

    async fn next_chunk(&mut self) -> Result<Option<Vec<Line>>, AppError> {
        self.chunk().await
    }

    async fn finish(self) -> Result<(), AppError> {
        // Nothing was written: ending the snapshot either way is the same.
        Ok(self.txn.rollback().await?)
    }
}

pub(super) async fn by_id<E, K>(
    conn: &impl ConnectionTrait,
    column: E::Column,
    ids: impl IntoIterator<Item = String>,
    key: K,
) -> Result<HashMap<String, E::Model>, AppError>
where
    E: EntityTrait,
    K: Fn(&E::Model) -> String,
{
    let ids: Vec<String> = ids.into_iter().collect();
    Ok(E::find()
        .filter(column.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (key(&m), m))
        .collect())
}

/// Records that the caller exported the full ledger of `year` (ID numbers in clear) of
/// `lines` lines: before its first byte is sent, with the count of the [`Reading`] it is
/// written from.
pub async fn audit_full(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    year: i32,
    lines: u64,
) -> Result<(), AppError> {
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "report.full_ledger_export",
            record_type: "report",
            record_id: &format!("certificate-ledger-{year}"),
            summary: serde_json::json!({"year": year, "rows": lines}),
        },
    )
    .await?;
    Ok(())
}
