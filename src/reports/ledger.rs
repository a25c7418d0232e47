//! The 培训合格证书 ledger of a statistical year, in the province's columns: 证书序列号,
//! 参训人员姓名, 身份信息, 培训项目名称, 培训起止日期, 培训机构名称, 发证日期. One row per
//! completion certificate issued in the year and standing (not revoked, not superseded —
//! a corrected one appears as its re-issue). ID numbers are masked unless the bureau asks
//! for its own full ledger, which is audited. Read in chunks of [`CHUNK`] certificates
//! (five queries a chunk), written as CSV (UTF-8 with a BOM, so that Excel and WPS open
//! it as Chinese) or XLSX.

use std::collections::HashMap;

use entities::{
    certificates as certificate, cohorts as cohort, enrolments as enrolment, people as person,
    programs as program,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{sheet, year_span};
use crate::{
    access::Caller,
    audit::{self, Change},
    certificates::CertificateStatus,
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

/// One line of the ledger.
pub type Line = [String; 7];

/// The rows of `E` whose `column` is one of `ids`, by the key `key` gives: one query.
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

/// The ledger's lines for `year`; `full` shows the ID numbers (the bureau's own ledger,
/// audited by the caller of [`audit_full`]).
pub async fn lines(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    year: i32,
    full: bool,
) -> Result<Vec<Line>, AppError> {
    let (from, to) = year_span(year);
    let mut lines = Vec::new();
    let mut after = String::new();
    loop {
        let certs = certificate::Entity::find()
            .filter(certificate::Column::Kind.eq(CertificateKind::Completion.as_str()))
            .filter(certificate::Column::Status.ne(CertificateStatus::Revoked.as_str()))
            .filter(certificate::Column::Status.ne(CertificateStatus::Superseded.as_str()))
            .filter(certificate::Column::ValidFrom.between(from, to))
            .filter(certificate::Column::Id.gt(after.as_str()))
            .order_by_asc(certificate::Column::Id)
            .limit(CHUNK)
            .all(conn)
            .await?;
        let Some(last) = certs.last() else { break };
        after = last.id.clone();
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
        for c in &certs {
            let p = people
                .get(&c.person_id)
                .ok_or_else(|| anyhow::anyhow!("certificate {} has no person", c.id))?;
            let id = if full {
                at_rest::citizen_id_of(keys, p)?.as_str().to_owned()
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
        if (certs.len() as u64) < CHUNK {
            break;
        }
    }
    Ok(lines)
}

/// Records that the caller exported the full ledger of `year` (ID numbers in clear).
pub async fn audit_full(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    year: i32,
    rows: usize,
) -> Result<(), AppError> {
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "report.full_ledger_export",
            record_type: "report",
            record_id: &format!("certificate-ledger-{year}"),
            summary: serde_json::json!({"year": year, "rows": rows}),
        },
    )
    .await?;
    Ok(())
}

/// The lines as CSV in UTF-8 with a byte-order mark.
pub fn csv(lines: &[Line]) -> Result<Vec<u8>, AppError> {
    sheet::csv("the ledger", &COLUMNS, lines)
}

/// The lines as an XLSX workbook, every cell text (so that no ID or number loses a digit).
pub fn xlsx(lines: &[Line], year: i32) -> Result<Vec<u8>, AppError> {
    let widths = [18.0, 18.0, 22.0];
    sheet::xlsx(
        &format!("{year}年培训合格证书台账"),
        &COLUMNS,
        &widths,
        lines,
    )
}
