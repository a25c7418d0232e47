//! Enrolling a cohort from a spreadsheet (CSV in UTF-8 or GBK, or XLSX), all or nothing.
//!
//! The file is read first ([`read`]): off the async workers, within the [`Limits`] of its
//! kind of import (a provider's upload, or the bureau's ledger at the command line), and
//! before any transaction is open, so a large or hostile file never holds the database's
//! writer. Then every row goes through the checks of a single enrolment (identity fields,
//! the age window, key-group rules, the same person twice, capacity) with the registry's
//! look-ups made in batches ([`plan`]); a person already enrolled in the cohort is
//! reported as skipped, so an extended list can be uploaded again. If any row is refused
//! the answer is a 422 naming every refused row and field and nothing of the file is
//! kept; otherwise the rows are written in multi-row statements ([`write`]), in the
//! caller's one transaction. A dry run checks the same way and writes nothing.

mod csv_text;
pub mod limits;
mod plan;
pub mod progress;
pub mod sheet;
mod table;
mod workbooks;
mod write;
mod xlsx;

use sea_orm::DatabaseTransaction;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::{
    access::Caller,
    audit::{self, Change},
    clock::Now,
    error::{AppError, FieldError},
    people::PiiKeys,
    untrusted::{self, Overrun},
};
pub use limits::Limits;
pub use progress::{Progress, Silent};
pub use table::{TableLine, read_table};
pub use workbooks::{Listed, Problem, problems_workbook, template_workbook};

/// How many refused rows the message spells out; `fields` lists them all.
const ROWS_IN_MESSAGE: usize = 10;

/// A spreadsheet as read, not yet checked against the cohort.
#[derive(Debug)]
pub struct Upload {
    rows: Vec<sheet::Row>,
    sha256: String,
}

impl Upload {
    /// Data rows read.
    pub fn rows(&self) -> usize {
        self.rows.len()
    }
}

/// Reads an uploaded spreadsheet off the async workers: refused when it exceeds
/// `limits`, has no data rows, or takes longer than a list of that length could.
pub async fn read(bytes: Vec<u8>, limits: Limits) -> Result<Upload, AppError> {
    bounded(limits, move || {
        let rows = sheet::read(&bytes, &limits)?;
        if rows.is_empty() {
            return Err(AppError::invalid(
                "file",
                "no_rows",
                "表格只有表头，没有学员数据",
            ));
        }
        Ok(Upload {
            rows,
            sha256: hex::encode(Sha256::digest(&bytes)),
        })
    })
    .await
}

/// Runs `read` on the blocking pool within the time `limits` allow a file.
async fn bounded<T: Send + 'static>(
    limits: Limits,
    read: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    match untrusted::parse(limits.read_time(), read).await {
        Ok(read) => read,
        Err(Overrun::TimedOut) => Err(AppError::invalid(
            "file",
            "too_slow",
            format!(
                "表格未能在{}秒内读完，请把内容复制到新表格后重新上传",
                limits.read_time().as_secs()
            ),
        )),
        Err(Overrun::Crashed) => Err(AppError::invalid(
            "file",
            "unreadable",
            "无法读取该表格文件，请另存为 .xlsx 或 CSV 后重新上传",
        )),
    }
}

/// One row that was (or, on a dry run, would be) enrolled.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportedRow {
    /// The spreadsheet's row number.
    pub row: u32,
    /// `None` on a dry run.
    pub enrolment_id: Option<String>,
    pub name: String,
    /// Masked, e.g. `150784********123X`.
    pub citizen_id: String,
}

/// One row left as it was: the person is enrolled in the cohort already.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SkippedRow {
    /// The spreadsheet's row number.
    pub row: u32,
    pub name: String,
    /// Masked, e.g. `150784********123X`.
    pub citizen_id: String,
    /// `already_enrolled`.
    pub reason: &'static str,
    /// The reason in Chinese, e.g. 已在本班次中，本次跳过.
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    pub cohort_id: String,
    /// Checked only; nothing kept.
    pub dry_run: bool,
    /// Data rows read.
    pub rows: usize,
    /// The rows enrolled (or, on a dry run, enrollable), in sheet order.
    pub enrolled: Vec<ImportedRow>,
    /// The rows of people already enrolled in the cohort, left as they were.
    pub skipped: Vec<SkippedRow>,
}

/// What to import where.
pub struct Import<'a> {
    pub cohort_id: &'a str,
    /// Taken apart as it is checked, so its rows are not held twice.
    pub upload: Upload,
    /// Check every row and write nothing.
    pub dry_run: bool,
    /// Told how far the checking and the writing have come.
    pub progress: &'a dyn Progress,
}

/// A refused row, as one or more field errors and a sentence.
pub(crate) struct Refusal {
    pub(crate) row: u32,
    pub(crate) fields: Vec<FieldError>,
    pub(crate) message: String,
}

impl Refusal {
    /// A row refused for one field.
    pub(crate) fn of(row: u32, field: &str, reason: &str, message: &str) -> Self {
        Self {
            row,
            fields: vec![FieldError {
                row: Some(row),
                ..FieldError::new(field, reason, message)
            }],
            message: format!("第{row}行：{message}"),
        }
    }

    /// A row refused by a capability's error: its fields, numbered with the row.
    pub(crate) fn from_error(row: u32, message: &str, fields: Vec<FieldError>) -> Self {
        Self {
            row,
            fields: fields
                .into_iter()
                .map(|f| FieldError {
                    row: Some(row),
                    ..f
                })
                .collect(),
            message: format!("第{row}行：{message}"),
        }
    }
}

/// The 422 naming every refused row, in sheet order.
fn refused(mut refusals: Vec<Refusal>) -> AppError {
    refusals.sort_by_key(|r| r.row);
    let mut message = format!(
        "共{}行有误，本次未导入任何学员，请改正后重新上传：",
        refusals.len()
    );
    let shown: Vec<&str> = refusals
        .iter()
        .take(ROWS_IN_MESSAGE)
        .map(|r| r.message.as_str())
        .collect();
    message.push_str(&shown.join("；"));
    if refusals.len() > ROWS_IN_MESSAGE {
        message.push_str("；……");
    }
    AppError::Invalid {
        message,
        fields: refusals.into_iter().flat_map(|r| r.fields).collect(),
    }
}

/// Checks every row of the upload against the cohort and enrols those not enrolled yet,
/// in `conn`'s transaction. On `Ok` the caller commits (or, for a dry run, rolls back);
/// on `Err` it rolls back.
pub async fn enrol_all(
    conn: &DatabaseTransaction,
    keys: &PiiKeys,
    caller: &Caller,
    import: Import<'_>,
    now: Now,
) -> Result<ImportReport, AppError> {
    let Import {
        cohort_id,
        upload: Upload { rows, sha256 },
        dry_run,
        progress,
    } = import;
    let rows_read = rows.len();
    let plan = plan::check(conn, keys, caller, cohort_id, rows, progress).await?;
    if !plan.refused.is_empty() {
        return Err(refused(plan.refused));
    }
    let enrolled = if dry_run {
        plan.enrol.iter().map(|row| row.report(None)).collect()
    } else {
        write::write(conn, keys, caller, &plan.cohort, &plan.enrol, progress, now).await?
    };
    // A list uploaded again changes nothing, and says so in no audit entry either.
    if !enrolled.is_empty() && !dry_run {
        audit::append(
            conn,
            &caller.actor(),
            Change {
                action: "cohort.import",
                record_type: "cohort",
                record_id: cohort_id,
                summary: serde_json::json!({
                    "rows": rows_read,
                    "enrolled": enrolled.len(),
                    "skipped": plan.skipped.len(),
                    "file_sha256": sha256,
                }),
            },
        )
        .await?;
    }
    Ok(ImportReport {
        cohort_id: cohort_id.to_owned(),
        dry_run,
        rows: rows_read,
        enrolled,
        skipped: plan.skipped,
    })
}
