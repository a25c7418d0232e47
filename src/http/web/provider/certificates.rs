//! A cohort's completion certificates: issuing them all with the per-person report (who
//! got one, and why the others did not), the ZIP of their stored PDFs, and the same
//! PDFs merged into one for printing.

use std::io::{Cursor, Write};

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;

use super::attachment;
use crate::{
    certificates::{
        issue::{self, CohortLine},
        printing,
    },
    cohorts,
    error::AppError,
    http::{
        AppState,
        policy::Provider,
        web::{
            WebError, html,
            session::{CheckedForm, SignedIn},
            staff::{Empty, Shell, with_flash_error},
        },
    },
};

#[derive(Template)]
#[template(path = "provider/issued.html")]
struct IssuedPage {
    shell: Shell,
    id: String,
    code: String,
    issued: Vec<CohortLine>,
    not_eligible: Vec<CohortLine>,
    not_issued: Vec<CohortLine>,
}

/// Issues the completion certificate of every trainee who has earned it, and shows per
/// person who got one (its number) and why the others did not.
pub async fn issue(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Provider>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(Empty {}): CheckedForm<Empty>,
) -> Result<Response, WebError> {
    let caller = session.caller.clone();
    let report = app
        .write(async |txn| issue::issue_for_cohort(txn, &app.certs, &caller, &id, app.now()).await)
        .await?;
    let cohort = cohorts::get(&app.db.read, &session.caller, &id).await?;
    let (shell, jar) = Shell::load(&app, &session, "/cohorts", jar).await?;
    let page = IssuedPage {
        shell,
        id: cohort.id,
        code: cohort.code,
        issued: report.issued,
        not_eligible: report.not_eligible,
        not_issued: report.not_issued,
    };
    Ok((jar, html(StatusCode::OK, page.render())).into_response())
}

/// Every PDF the provider issued to the cohort, as stored, in one ZIP.
pub async fn zip(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Provider>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let cohort = cohorts::get(&app.db.read, &session.caller, &id).await?;
    let pdfs = printing::cohort_pdfs(&app.db.read, &session.caller, &id).await?;
    let bytes = tokio::task::spawn_blocking(move || pack(pdfs))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(AppError::Internal)?;
    let named = format!("{}-certificates.zip", cohort.code);
    Ok(attachment(
        "application/zip",
        "cohort-certificates.zip",
        &named,
        bytes,
    ))
}

/// The same PDFs merged into one, in enrolment order, to print them all at once; a
/// cohort without any goes back to its page with a message.
pub async fn pdf(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Provider>,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let cohort = cohorts::get(&app.db.read, &session.caller, &id).await?;
    let pdfs = printing::cohort_pdfs(&app.db.read, &session.caller, &id).await?;
    if pdfs.is_empty() {
        let jar = with_flash_error(
            jar,
            "本班次还没有颁发结业证书，没有可打印的证书。请先颁发结业证书。",
        );
        return Ok((jar, Redirect::to(&format!("/cohorts/{id}"))).into_response());
    }
    let pdfs: Vec<Vec<u8>> = pdfs.into_iter().map(|(_, pdf)| pdf).collect();
    let bytes = tokio::task::spawn_blocking(move || printing::merge(&pdfs))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(AppError::Internal)?;
    let named = format!("{}-certificates.pdf", cohort.code);
    Ok(attachment(
        "application/pdf",
        "cohort-certificates.pdf",
        &named,
        bytes,
    ))
}

/// The PDFs as `<number>.pdf` entries, stored as they are (a PDF is compressed inside).
fn pack(pdfs: Vec<(String, Vec<u8>)>) -> anyhow::Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(false);
    for (number, pdf) in pdfs {
        zip.start_file(format!("{number}.pdf"), options)?;
        zip.write_all(&pdf)?;
    }
    Ok(zip.finish()?.into_inner())
}
