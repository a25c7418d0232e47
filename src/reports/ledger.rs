//! The 培训合格证书 ledger of a statistical year, in the province's columns: 证书序列号,
//! 参训人员姓名, 身份信息, 培训项目名称, 培训起止日期, 培训机构名称, 发证日期. One line per
//! completion certificate issued in the year and standing (not revoked, not superseded —
//! a corrected one appears as its re-issue), in the order of the certificates' ids. ID
//! numbers are masked unless the bureau asks for its own full ledger, which is audited.
//! A [`Reading`] reads from one snapshot of the database, [`CHUNK`] certificates at a
//! time (five queries a chunk), and is written out by [`super::export`] as CSV or XLSX.

use std::{collections::HashMap, sync::Arc};

use chrono::NaiveDate;
use entities::{
    certificates as certificate, cohorts as cohort, enrolments as enrolment, people as person,
    programs as program,
};
use sea_orm::{
    AccessMode, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    IsolationLevel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select, TransactionTrait,
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
    /// The last certificate read; `None` before the first chunk.
    after: Option<String>,
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
        let conn = &self.txn;
        let mut query = standing(self.span);
        if let Some(after) = &self.after {
            query = query.filter(certificate::Column::Id.gt(after.as_str()));
        }
        let certs = query
            .order_by_asc(certificate::Column::Id)
            .limit(CHUNK)
            .all(conn)
            .await?;
        self.done = (certs.len() as u64) < CHUNK;
        let Some(last) = certs.last() else {
            return Ok(None);
        };
        self.after = Some(last.id.clone());
        let people = by_id::<person::Entity, _>(
            conn,
            person::Column::Id,
            certs.iter().map(|c| c.person_id.clone()),
            |p| p.id.clone(),
        )
        .await?;
        let enrolments = by_id::<enrolment::Entity, _>(
            conn,
            enrolment::Column::Id,
            certs.iter().filter_map(|c| c.enrolment_id.clone()),
            |e| e.id.clone(),
        )
        .await?;
        let cohorts = by_id::<cohort::Entity, _>(
            conn,
            cohort::Column::Id,
            enrolments.values().map(|e| e.cohort_id.clone()),
            |c| c.id.clone(),
        )
        .await?;
        let programs = by_id::<program::Entity, _>(
            conn,
            program::Column::Id,
            certs.iter().filter_map(|c| c.program_id.clone()),
            |p| p.id.clone(),
        )
        .await?;
        let mut lines = Vec::with_capacity(certs.len());
        for c in &certs {
            let p = people
                .get(&c.person_id)
                .ok_or_else(|| anyhow::anyhow!("certificate {} has no person", c.id))?;
            let id = if self.full {
                at_rest::citizen_id_of(&self.keys, p)?.as_str().to_owned()
            } else {
                p.citizen_id_masked.clone()
            };
            let span = c
                .enrolment_id
                .as_ref()
                .and_then(|e| enrolments.get(e))
                .and_then(|e| cohorts.get(&e.cohort_id))
                .map_or_else(String::new, |k| format!("{}至{}", k.starts_on, k.ends_on));
            let title = c
                .program_id
                .as_ref()
                .and_then(|id| programs.get(id))
                .map_or_else(String::new, |p| p.title.clone());
            lines.push([
                c.number.clone(),
                p.name.clone(),
                id,
                title,
                span,
                c.issuer_name.clone(),
                c.valid_from.to_string(),
            ]);
        }
        Ok(Some(lines))
    }
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
