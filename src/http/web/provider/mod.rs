//! The training provider's pages: programs with their certificate rules, cohorts, and
//! the cohort page (enrolments, the results sheet — also as XLSX, both ways — issuing
//! completion certificates, the ZIP of their PDFs and the merged PDF for printing).
//! Each action calls the capability the JSON API calls.

mod certificates;
mod cohort;
mod cohorts;
mod imports;
mod programs;
mod results_xlsx;

use axum::{
    Router,
    http::header,
    response::{IntoResponse, Response},
    routing::{get, post},
};

pub(super) use super::feedback::{Refusal, number, optional};
use crate::http::AppState;

/// The provider's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/programs", get(programs::index).post(programs::create))
        .route("/cohorts", get(cohorts::index).post(cohorts::create))
        .route("/cohorts/{id}", get(cohort::show))
        .route("/cohorts/{id}/enrolments", post(cohort::enrol))
        .route("/cohorts/{id}/results", post(cohort::save_results))
        .route("/cohorts/{id}/certificates", post(certificates::issue))
        .route("/cohorts/{id}/certificates.zip", get(certificates::zip))
        .route("/cohorts/{id}/certificates.pdf", get(certificates::pdf))
        .route(
            "/cohorts/{id}/results.xlsx",
            get(results_xlsx::download).post(results_xlsx::upload),
        )
        .route("/cohorts/{id}/withdrawals", post(cohort::withdraw))
        .route(
            "/cohorts/{id}/imports",
            get(imports::new).post(imports::create),
        )
        .route("/cohorts/{id}/imports/template.csv", get(imports::template))
        .route(
            "/cohorts/{id}/imports/template.xlsx",
            get(imports::template_xlsx),
        )
        .route(
            "/cohorts/{id}/imports/problems.xlsx",
            post(imports::problems),
        )
}

/// The media type of an XLSX workbook.
pub(super) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `body` (bytes, or a stream) as a download named `file` (ASCII), or `named` (any text) where the browser
/// reads `filename*`.
pub(super) fn attachment(
    content_type: &str,
    file: &str,
    named: &str,
    body: impl IntoResponse,
) -> Response {
    let disposition = format!(
        "attachment; filename=\"{file}\"; filename*=UTF-8''{}",
        utf8_percent_encode(named)
    );
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
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

/// Trainees per page of the cohort's sheet (a cohort may hold 5,000).
const SHEET_ROWS: u64 = 100;

#[derive(serde::Deserialize)]
pub struct PageQuery {
    cursor: Option<String>,
}

/// The cohort page's address, on the page of trainees after `cursor`.
fn cohort_path(id: &str, cursor: Option<&str>) -> String {
    match cursor {
        Some(c) => format!(
            "/cohorts/{id}?{}",
            serde_urlencoded::to_string([("cursor", c)]).unwrap_or_default()
        ),
        None => format!("/cohorts/{id}"),
    }
}
