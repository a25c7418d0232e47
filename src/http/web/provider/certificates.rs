//! A cohort's completion certificates: issuing them all with the per-person report (who
//! got one, and why the others did not), and the ZIP of their stored PDFs.

use std::io::{Cursor, Write};

use askama::Template;
use axum::{
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::CookieJar;

use crate::{
    certificates::{
        issue::{self, CohortLine},
        read,
    },
    cohorts,
    error::AppError,
    http::{
        AppState,
        policy::Provider,
        web::{
            WebError, html,
            session::{CheckedForm, SignedIn},
            staff::{Empty, Shell},
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
    let pdfs = read::cohort_pdfs(&app.db.read, &session.caller, &id).await?;
    let bytes = tokio::task::spawn_blocking(move || pack(pdfs))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(AppError::Internal)?;
    let disposition = format!(
        "attachment; filename=\"cohort-certificates.zip\"; filename*=UTF-8''{}-certificates.zip",
        utf8_percent_encode(&cohort.code)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// A file name's characters for `filename*`: letters, digits and `-._` as they are.
fn utf8_percent_encode(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
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
