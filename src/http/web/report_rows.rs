//! The rows behind each dashboard figure (`/reports/rows?of=…`), masked and paged, the
//! links the dashboard draws to them, and the 公示 list export (`/reports/public-notice`).

use askama::Template;
use axum::{
    Router,
    extract::{Query, State},
    response::{IntoResponse, Response},
    routing::get,
};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::{WebError, html, session::SignedIn, staff::Shell};
use crate::{
    apprenticeships::AgreementStatus,
    certificates::CertificateStatus,
    error::{AppError, FieldError},
    http::{AppState, policy::Bureau},
    orders::OrderStatus,
    people::KeyGroup,
    reports::{
        self, Measure, notice,
        rows::{self, Rows, RowsPage, RowsQuery, Slice},
    },
    stored::Stored,
};

/// The rows pages and the notice export.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports/rows", get(page))
        .route("/reports/public-notice", get(notice_export))
}

/// The dashboard's links to the rows behind its figures, for a year.
pub(super) struct Links {
    pub year: i32,
}

impl Links {
    fn of(slice: Option<Slice>) -> String {
        slice.map_or_else(|| "#".to_owned(), |s| s.href())
    }

    /// A measure's actual over the year.
    pub fn measure(&self, measure: &Measure) -> String {
        Self::of(Some(Slice::Measure {
            measure: *measure,
            year: self.year,
            month: None,
        }))
    }

    /// A measure's count in the `month`-th month (from 1).
    pub fn month(&self, measure: &Measure, month: &usize) -> String {
        Self::of(Some(Slice::Measure {
            measure: *measure,
            year: self.year,
            month: Some(*month as u32),
        }))
    }

    pub fn key_group(&self, key: &str) -> String {
        Self::of(KeyGroup::parse(key).map(|group| Slice::KeyGroup {
            year: self.year,
            group,
        }))
    }

    pub fn provider(&self, id: &str) -> String {
        Self::of(Some(Slice::Provider {
            year: self.year,
            provider: id.to_owned(),
        }))
    }

    /// Certificates of a kind, of the status `status` when not empty.
    pub fn certificates(&self, kind: &crate::programs::CertificateKind, status: &str) -> String {
        let status = CertificateStatus::parse(status).ok();
        Self::of(Some(Slice::Certificates {
            year: self.year,
            kind: *kind,
            status,
        }))
    }

    pub fn orders(&self, status: &str) -> String {
        Self::of(
            OrderStatus::parse(status)
                .ok()
                .map(|status| Slice::Orders { status }),
        )
    }

    pub fn agreements(&self, status: &str) -> String {
        Self::of(
            AgreementStatus::parse(status)
                .ok()
                .map(|status| Slice::Agreements { status }),
        )
    }
}

#[derive(Template)]
#[template(path = "bureau/report_rows.html")]
struct RowsView {
    shell: Shell,
    back: String,
    p: RowsPage,
    next: Option<String>,
}

/// The rows behind one figure, a page at a time; a query that names no figure is a page
/// saying which part is wrong (422), an unknown provider a 404.
async fn page(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Query(q): Query<RowsQuery>,
) -> Result<Response, WebError> {
    let this_year = reports::year_of(app.now().today);
    let slice = Slice::parse(&q, this_year)?;
    let p = rows::page(&app.db.read, &slice, q.cursor.as_deref()).await?;
    let back = match &slice {
        Slice::Measure { year, .. }
        | Slice::KeyGroup { year, .. }
        | Slice::Provider { year, .. }
        | Slice::Certificates { year, .. } => format!("/reports?year={year}"),
        Slice::Orders { .. } | Slice::Agreements { .. } => "/reports#stages".to_owned(),
    };
    let next = p
        .next_cursor
        .as_ref()
        .map(|c| format!("/reports/rows?{}&cursor={c}", p.query));
    let (shell, jar) = Shell::load(&app, &session, "/reports", jar).await?;
    let view = RowsView {
        shell,
        back,
        p,
        next,
    };
    Ok((jar, html(axum::http::StatusCode::OK, view.render())).into_response())
}

#[derive(Deserialize)]
pub struct NoticeParams {
    year: Option<String>,
    /// A statistical month of the year, 1–12; the whole year when absent.
    month: Option<String>,
    /// `csv` (the default) or `xlsx`.
    format: Option<String>,
}

/// The 公示 list of a year (or month) as CSV or XLSX, names and ID numbers masked.
async fn notice_export(
    State(app): State<AppState>,
    SignedIn(_session, _): SignedIn<Bureau>,
    Query(q): Query<NoticeParams>,
) -> Result<Response, WebError> {
    let mut fields = Vec::new();
    let year = match q.year.as_deref().map(str::trim) {
        None | Some("") => Some(reports::year_of(app.now().today)),
        Some(y) => y.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)),
    };
    if year.is_none() {
        fields.push(FieldError::new(
            "year",
            "out_of_range",
            "年度须为2000–2100的整数",
        ));
    }
    let month = match q.month.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(m) => m
            .parse::<u32>()
            .ok()
            .filter(|m| (1..=12).contains(m))
            .map(Some)
            .ok_or(()),
    };
    if month.is_err() {
        fields.push(FieldError::new("month", "out_of_range", "月份须为1–12"));
    }
    let xlsx = match q.format.as_deref() {
        None | Some("csv") => false,
        Some("xlsx") => true,
        Some(_) => {
            fields.push(FieldError::new("format", "unknown", "格式须为 csv 或 xlsx"));
            false
        }
    };
    let (Some(year), Ok(month), true) = (year, month, fields.is_empty()) else {
        return Err(AppError::invalid_fields("无法导出公示名单", fields).into());
    };
    let lines = notice::lines(&app.db.read, year, month).await?;
    let bytes = tokio::task::spawn_blocking(move || match xlsx {
        true => notice::xlsx(&lines, year),
        false => notice::csv(&lines),
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("writing the public notice: {e}")))??;
    let (kind, ext) = match xlsx {
        true => (super::provider::XLSX, "xlsx"),
        false => ("text/csv; charset=utf-8", "csv"),
    };
    let (named, file) = match month {
        Some(m) => (
            format!("{year}年{m}月补贴公示名单.{ext}"),
            format!("public-notice-{year}-{m:02}.{ext}"),
        ),
        None => (
            format!("{year}年补贴公示名单.{ext}"),
            format!("public-notice-{year}.{ext}"),
        ),
    };
    Ok(super::provider::attachment(kind, &file, &named, bytes))
}
