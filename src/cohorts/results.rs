//! A cohort's results sheet: attended hours and scores of many enrolments recorded
//! together, all or none.

use sea_orm::ConnectionTrait;

use super::enrolment::{self, Enrolment, ResultInput};
use crate::{
    access::Caller,
    clock::Now,
    error::{AppError, FieldError},
    people::PiiKeys,
};

/// One row of the sheet.
#[derive(Debug, Clone)]
pub struct SheetRow {
    pub enrolment_id: String,
    pub result: ResultInput,
}

/// Records every row as [`enrolment::record_result`] records one. Each refused row is
/// reported under `rows.<enrolment id>.<field>`; any refusal fails the whole call, so
/// the caller's transaction keeps none of the rows.
pub async fn record_many(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    cohort_id: &str,
    rows: Vec<SheetRow>,
    now: Now,
) -> Result<Vec<Enrolment>, AppError> {
    super::find(conn, caller, cohort_id).await?;
    let mut recorded = Vec::with_capacity(rows.len());
    let mut fields = Vec::new();
    for row in rows {
        let at = |field: &str| format!("rows.{}.{field}", row.enrolment_id);
        match enrolment::record_result(conn, keys, caller, &row.enrolment_id, row.result, now).await
        {
            Ok(e) if e.cohort_id == cohort_id => recorded.push(e),
            Ok(_) | Err(AppError::NotFound) => fields.push(FieldError::new(
                at("enrolment"),
                "not_in_cohort",
                "该学员不在本班次",
            )),
            Err(AppError::Invalid {
                fields: refused, ..
            }) => {
                fields.extend(refused.into_iter().map(|f| FieldError {
                    field: at(&f.field),
                    ..f
                }));
            }
            Err(AppError::Conflict { code, message }) => {
                fields.push(FieldError::new(at("attended_hours"), code, message));
            }
            Err(other) => return Err(other),
        }
    }
    if fields.is_empty() {
        Ok(recorded)
    } else {
        Err(AppError::invalid_fields("成绩表未保存", fields))
    }
}
