//! The apprenticeship pages (企业新型学徒制), one set for the parties: the enterprise writes
//! and submits agreements, registers its apprentices with their mentors and records its
//! side of the milestones, leaving, pausing and completing; the provider sees the
//! agreements naming it and records its teacher's side; the bureau files or returns
//! agreements and keeps the subsidy ledger (rates, booking, periods, payments); an
//! apprentice sees their own plan and progress. Each action calls the capability the
//! JSON API calls, and a page shows no more than the API would.

mod agreement;
mod apprentice;
mod form;
mod ledger;
mod list;
mod mine;

use axum::{
    Router,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use axum_extra::extract::cookie::CookieJar;

use crate::{
    error::AppError,
    http::{
        AppState,
        web::{
            WebError,
            staff::{Refusal, with_flash},
        },
    },
};

/// The apprenticeship pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/apprenticeships", get(list::index).post(form::create))
        .route("/apprenticeships/new", get(form::new))
        .route("/apprenticeships/ledger", get(ledger::page))
        .route("/apprenticeships/ledger/book", post(ledger::book))
        .route("/apprenticeships/ledger/payments", post(ledger::payment))
        .route("/apprenticeships/ledger/rates", post(ledger::set_rate))
        .route(
            "/apprenticeships/ledger/periods/{code}/close",
            post(ledger::close),
        )
        .route("/apprenticeships/{id}", get(agreement::page))
        .route(
            "/apprenticeships/{id}/edit",
            get(form::edit).post(form::update),
        )
        .route("/apprenticeships/{id}/submit", post(agreement::submit))
        .route("/apprenticeships/{id}/file", post(agreement::file))
        .route("/apprenticeships/{id}/return", post(agreement::send_back))
        .route(
            "/apprenticeships/{id}/apprentices",
            post(agreement::add_apprentice),
        )
        .route(
            "/apprenticeships/{id}/apprentices/{apprentice}",
            get(apprentice::page),
        )
        .route(
            "/apprenticeships/{id}/apprentices/{apprentice}/milestones/{milestone}",
            post(apprentice::milestone),
        )
        .route(
            "/apprenticeships/{id}/apprentices/{apprentice}/certificate",
            post(apprentice::certificate),
        )
        .route(
            "/apprenticeships/{id}/apprentices/{apprentice}/{change}",
            post(apprentice::change),
        )
        .route("/me/apprenticeships", get(mine::page))
}

pub use super::feedback::{Pairs, date_field, field, unreadable};

/// A refused form: which one, its errors, and what was typed.
pub struct Failed {
    pub form: &'static str,
    pub refusal: Refusal,
    pub typed: Pairs,
}

impl Failed {
    pub fn none() -> Self {
        Self {
            form: "",
            refusal: Refusal::none(),
            typed: Vec::new(),
        }
    }

    /// What was typed into field `name`.
    pub fn typed(&self, name: &str) -> &str {
        self.typed
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The error of `field` when `form` was the refused one.
    pub fn error(&self, form: &str, field: &str) -> Option<&str> {
        (self.form == form)
            .then(|| self.refusal.errors.get(field))
            .flatten()
    }

    /// The message of a refusal that names no field, above `form`.
    pub fn refused(&self, form: &str) -> Option<&str> {
        (self.form == form)
            .then_some(self.refusal.message.as_deref())
            .flatten()
    }
}

/// After an action: to `to` with `done` as the message when it was taken; when refused,
/// the page again (`again`) with the refusal under form `form` and what was typed.
pub async fn finish<T, F>(
    jar: CookieJar,
    to: String,
    form: &'static str,
    typed: Pairs,
    outcome: Result<String, AppError>,
    again: F,
) -> Result<Response, WebError>
where
    F: AsyncFnOnce(CookieJar, Failed) -> Result<T, WebError>,
    T: IntoResponse,
{
    match outcome {
        Ok(done) => Ok((with_flash(jar, &done), Redirect::to(&to)).into_response()),
        Err(refused @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let failed = Failed {
                form,
                refusal: Refusal::of(Some(refused))?,
                typed,
            };
            Ok(again(jar, failed).await?.into_response())
        }
        Err(other) => Err(other.into()),
    }
}

fn agreement_path(id: &str) -> String {
    format!("/apprenticeships/{id}")
}

fn apprentice_path(agreement: &str, id: &str) -> String {
    format!("/apprenticeships/{agreement}/apprentices/{id}")
}
