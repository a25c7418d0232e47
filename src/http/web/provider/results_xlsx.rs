//! The results sheet as XLSX: every enrolled trainee of the cohort with what is
//! recorded, to fill in offline; and the filled sheet uploaded back, read within the
//! bounds of a roster upload (rows: the cohort's capacity and a margin) and saved as the
//! page's table is saved — every row or none, each refusal shown on the cohort page.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;

use super::{
    XLSX, attachment,
    cohort::{Shown, render},
};
use crate::{
    cohorts::{self, enrolment, results_sheet},
    error::AppError,
    http::{
        AppState,
        policy::Provider,
        web::{
            WebError,
            session::{CheckedUpload, SignedIn},
            staff::with_flash,
        },
    },
    imports,
};

/// The sheet to fill in: 报名编号, 姓名, 出勤学时, 理论成绩, 实操成绩 of every enrolled
/// trainee, pre-filled with what is recorded.
pub async fn download(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Provider>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let cohort = cohorts::get(&app.db.read, &session.caller, &id).await?;
    let trainees = enrolment::all(&app.db.read, &app.pii, &session.caller, &id).await?;
    let bytes = results_sheet::workbook(&trainees)?;
    let named = format!("{}-成绩表.xlsx", cohort.code);
    Ok(attachment(XLSX, "cohort-results.xlsx", &named, bytes))
}

/// Saves an uploaded sheet; a refusal (of the file, or of rows by number and column)
/// shows on the cohort page with nothing saved.
pub async fn upload(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Provider>,
    jar: CookieJar,
    Path(id): Path<String>,
    upload: CheckedUpload,
) -> Result<Response, WebError> {
    let cohort = cohorts::get(&app.db.read, &session.caller, &id).await?;
    let saved = match upload.file {
        None => Err(AppError::invalid(
            "file",
            "required",
            "请选择填好的成绩表（.xlsx）",
        )),
        Some(bytes) => {
            let max_rows = cohort.capacity as usize + results_sheet::EXTRA_ROWS;
            let limits = imports::Limits::rows(max_rows);
            match imports::read_table(bytes.into(), limits).await {
                Ok(lines) => {
                    let lines = lines.into_iter().map(|l| (l.row, l.cells)).collect();
                    let caller = session.caller.clone();
                    app.write(async |txn| {
                        results_sheet::save(txn, &app.pii, &caller, &id, lines, max_rows, app.now())
                            .await
                    })
                    .await
                }
                Err(refused) => Err(refused),
            }
        }
    };
    match saved {
        Ok(saved) => {
            let jar = with_flash(
                jar,
                &format!("已按上传的成绩表保存{}名学员的成绩。", saved.len()),
            );
            Ok((jar, Redirect::to(&format!("/cohorts/{id}#results"))).into_response())
        }
        Err(AppError::Invalid { fields, .. }) => {
            let shown = Shown::upload_refused(results_sheet::described(&fields));
            render(&app, &session, jar, &id, shown).await
        }
        Err(other) => Err(other.into()),
    }
}
