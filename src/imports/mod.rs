//! Enrolling a cohort from a spreadsheet (CSV in UTF-8 or GBK, or XLSX), all or nothing.
//!
//! The file is read first ([`read`]): off the async workers, within size and time limits,
//! and before any transaction is open, so a large or hostile file never holds the
//! database's writer. Then every row goes through exactly the checks of a single
//! enrolment (identity fields, the age window, key-group rules, the same person twice,
//! capacity), each inside its own savepoint of the caller's transaction, so one refused
//! row never spoils the checking of the next. If any row is refused the answer is a 422
//! naming every refused row and field and the caller rolls back: nothing of the file is
//! kept. A dry run checks the same way and keeps nothing either.

pub mod sheet;
mod xlsx;

use std::{collections::HashMap, time::Duration};

use sea_orm::{DatabaseTransaction, TransactionTrait};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::{
    access::Caller,
    audit::{self, Change},
    clock::Now,
    cohorts::{self, enrolment},
    error::{AppError, FieldError},
    people::{CitizenId, PiiKeys, store::IdentityInput},
    untrusted::{self, Overrun},
};

/// The most rows one file may hold (a cohort is far smaller; a larger file is a mistake).
pub const MAX_ROWS: usize = 2_000;

/// How many refused rows the message spells out; `fields` lists them all.
const ROWS_IN_MESSAGE: usize = 10;

/// How long reading one file may take (a list of 2,000 rows takes well under a second).
const READ_TIME_LIMIT: Duration = Duration::from_secs(20);

/// A spreadsheet as read, not yet checked against the cohort.
#[derive(Debug)]
pub struct Upload {
    rows: Vec<sheet::Row>,
    sha256: String,
}

/// Reads an uploaded spreadsheet off the async workers: refused when it exceeds the
/// limits of [`sheet`], has no data rows or more than [`MAX_ROWS`], or takes longer than
/// a list could.
pub async fn read(bytes: Vec<u8>) -> Result<Upload, AppError> {
    let read = untrusted::parse(READ_TIME_LIMIT, move || {
        let rows = sheet::read(&bytes)?;
        if rows.is_empty() {
            return Err(AppError::invalid(
                "file",
                "no_rows",
                "表格只有表头，没有学员数据",
            ));
        }
        if rows.len() > MAX_ROWS {
            return Err(AppError::invalid(
                "file",
                "too_many_rows",
                format!("表格有{}行学员数据，一次最多导入{MAX_ROWS}行", rows.len()),
            ));
        }
        Ok(Upload {
            rows,
            sha256: hex::encode(Sha256::digest(&bytes)),
        })
    });
    match read.await {
        Ok(upload) => upload,
        Err(Overrun::TimedOut) => Err(AppError::invalid(
            "file",
            "too_slow",
            format!(
                "表格未能在{}秒内读完，请把名单复制到新表格后重新上传",
                READ_TIME_LIMIT.as_secs()
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

/// What an import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    pub cohort_id: String,
    /// Checked only; nothing kept.
    pub dry_run: bool,
    /// Data rows read.
    pub rows: usize,
    /// Every row, enrolled (or, on a dry run, enrollable), in sheet order.
    pub enrolled: Vec<ImportedRow>,
}

/// A refused row, as one or more field errors and a sentence.
struct Refusal {
    fields: Vec<FieldError>,
    message: String,
}

fn refusal(row: u32, field: &str, reason: &str, message: &str) -> Refusal {
    Refusal {
        fields: vec![FieldError {
            row: Some(row),
            ..FieldError::new(field, reason, message)
        }],
        message: format!("第{row}行：{message}"),
    }
}

/// Checks and enrols every row of `upload` into the cohort, in `conn`'s transaction. On
/// `Ok` the caller commits (or, for a dry run, rolls back); on `Err` it rolls back.
pub async fn enrol_all(
    conn: &DatabaseTransaction,
    keys: &PiiKeys,
    caller: &Caller,
    cohort_id: &str,
    upload: &Upload,
    dry_run: bool,
    now: Now,
) -> Result<ImportReport, AppError> {
    cohorts::find(conn, caller, cohort_id).await?;
    let rows = &upload.rows;
    let mut refused: Vec<Refusal> = Vec::new();
    let mut enrolled = Vec::new();
    let mut first_row_of: HashMap<String, u32> = HashMap::new();
    for row in rows {
        if row.citizen_id_is_number {
            refused.push(refusal(
                row.row,
                "citizen_id",
                "stored_as_number",
                "身份证号被表格存成了数字，末尾几位已丢失；请把该列设为“文本”格式后重新填写",
            ));
            continue;
        }
        let parsed = CitizenId::parse(&row.citizen_id).ok();
        if let Some(id) = &parsed {
            if let Some(first) = first_row_of.get(id.as_str()) {
                refused.push(refusal(
                    row.row,
                    "citizen_id",
                    "duplicate_in_file",
                    &format!("身份证号与第{first}行重复"),
                ));
                continue;
            }
            first_row_of.insert(id.as_str().to_owned(), row.row);
        }
        let input = IdentityInput {
            name: row.name.clone(),
            citizen_id: row.citizen_id.clone(),
            phone: row.phone.clone(),
            key_groups: row.key_groups.clone(),
        };
        let savepoint = conn.begin().await?;
        match enrolment::enrol(&savepoint, keys, caller, cohort_id, input, now).await {
            Ok(e) => {
                savepoint.commit().await?;
                enrolled.push(ImportedRow {
                    row: row.row,
                    enrolment_id: (!dry_run).then_some(e.id),
                    name: e.person.name,
                    citizen_id: parsed.map(|id| id.masked()).unwrap_or_default(),
                });
            }
            Err(AppError::Invalid { message, fields }) => {
                savepoint.rollback().await?;
                refused.push(Refusal {
                    fields: fields
                        .into_iter()
                        .map(|f| FieldError {
                            row: Some(row.row),
                            ..f
                        })
                        .collect(),
                    message: format!("第{}行：{message}", row.row),
                });
            }
            Err(AppError::Conflict { code, message }) => {
                savepoint.rollback().await?;
                let field = if code == "cohort_full" {
                    "cohort"
                } else {
                    "citizen_id"
                };
                refused.push(refusal(row.row, field, code, &message));
            }
            Err(other) => return Err(other),
        }
    }
    if !refused.is_empty() {
        let mut message = format!(
            "共{}行有误，本次未导入任何学员，请改正后重新上传：",
            refused.len()
        );
        let shown: Vec<&str> = refused
            .iter()
            .take(ROWS_IN_MESSAGE)
            .map(|r| r.message.as_str())
            .collect();
        message.push_str(&shown.join("；"));
        if refused.len() > ROWS_IN_MESSAGE {
            message.push_str("；……");
        }
        return Err(AppError::Invalid {
            message,
            fields: refused.into_iter().flat_map(|r| r.fields).collect(),
        });
    }
    if !dry_run {
        audit::append(
            conn,
            &caller.actor(),
            Change {
                action: "cohort.import",
                record_type: "cohort",
                record_id: cohort_id,
                summary: serde_json::json!({"rows": rows.len(), "file_sha256": upload.sha256}),
            },
        )
        .await?;
    }
    Ok(ImportReport {
        cohort_id: cohort_id.to_owned(),
        dry_run,
        rows: rows.len(),
        enrolled,
    })
}
