//! The JSON API under `/api/v1` (docs/API.md): every route listed in [`router`], each
//! handler extracting, calling one capability function and returning a typed response.
//! The OpenAPI document is generated from the handlers' annotations and served at
//! `/api/v1/openapi.json`.

mod accounts;
mod apprentice_certificates;
mod apprentices;
mod apprenticeship_ledger;
mod apprenticeships;
mod audit;
mod auth;
mod certificates;
mod cohorts;
mod health;
mod key_groups;
mod mail;
pub mod openapi;
mod order_outcomes;
mod orders;
mod organisations;
mod outbox;
mod people;
mod programs;
mod report_flags;
mod reports;
mod standards;
mod tasks;
mod trainees;
mod verification;

use std::sync::Arc;

use axum::{Json, Router, response::IntoResponse, routing::get};
use utoipa::{Modify, OpenApi};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::AppState;

/// The API's routes, with the OpenAPI document describing them.
pub fn router() -> Router<AppState> {
    let (api, mut document) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(health::show))
        .routes(routes!(auth::create_token))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(auth::create_integration_token))
        .routes(routes!(auth::revoke_token))
        .routes(routes!(organisations::create, organisations::index))
        .routes(routes!(organisations::show, organisations::update))
        .routes(routes!(organisations::approve))
        .routes(routes!(organisations::suspend))
        .routes(routes!(organisations::approve_name))
        .routes(routes!(organisations::reject_name))
        .routes(routes!(organisations::update_seal))
        .routes(routes!(accounts::create, accounts::index))
        .routes(routes!(audit::index))
        .routes(routes!(audit::verify))
        .routes(routes!(standards::occupations))
        .routes(routes!(standards::skill_levels))
        .routes(routes!(standards::index, standards::create))
        .routes(routes!(standards::show))
        .routes(routes!(standards::draft_version))
        .routes(routes!(standards::update_version))
        .routes(routes!(standards::publish))
        .routes(routes!(standards::retire))
        .routes(routes!(programs::create, programs::index))
        .routes(routes!(programs::show))
        .routes(routes!(cohorts::create, cohorts::index))
        .routes(routes!(cohorts::show))
        .routes(routes!(cohorts::enrol, cohorts::enrolments))
        .routes(routes!(cohorts::import))
        .routes(routes!(cohorts::show_enrolment))
        .routes(routes!(cohorts::withdraw))
        .routes(routes!(cohorts::record_result))
        .routes(routes!(key_groups::index))
        .routes(routes!(people::show))
        .routes(routes!(people::create_login))
        .routes(routes!(people::create_correction, people::corrections))
        .routes(routes!(people::update_photo))
        .routes(routes!(certificates::create))
        .routes(routes!(certificates::create_for_cohort))
        .routes(routes!(certificates::show))
        .routes(routes!(certificates::pdf))
        .routes(routes!(certificates::credential))
        .routes(routes!(certificates::bundle))
        .routes(routes!(certificates::create_assessment))
        .routes(routes!(certificates::show_assessment))
        .routes(routes!(certificates::did_document))
        .routes(routes!(certificates::revoke))
        .routes(routes!(certificates::suspend))
        .routes(routes!(certificates::reinstate))
        .routes(routes!(certificates::supersede))
        .routes(routes!(certificates::renew))
        .routes(routes!(certificates::status_list))
        .routes(routes!(tasks::index))
        .routes(routes!(verification::by_number))
        .routes(routes!(trainees::claim))
        .routes(routes!(trainees::my_records))
        .routes(routes!(trainees::create_share, trainees::shares_index))
        .routes(routes!(trainees::revoke_share))
        .routes(routes!(verification::show))
        .routes(routes!(verification::holder))
        .routes(routes!(verification::document))
        .routes(routes!(orders::create, orders::index))
        .routes(routes!(orders::show, orders::update))
        .routes(routes!(orders::submit))
        .routes(routes!(orders::confirm_posts))
        .routes(routes!(orders::offer))
        .routes(routes!(orders::assign))
        .routes(routes!(orders::link_cohort))
        .routes(routes!(order_outcomes::hire))
        .routes(routes!(order_outcomes::departure))
        .routes(routes!(order_outcomes::payment))
        .routes(routes!(order_outcomes::close))
        .routes(routes!(order_outcomes::show_progress))
        .routes(routes!(order_outcomes::show_funding))
        .routes(routes!(order_outcomes::rules))
        .routes(routes!(order_outcomes::set_rule))
        .routes(routes!(mail::set_person_email))
        .routes(routes!(mail::show_own_email, mail::set_own_email))
        .routes(routes!(mail::confirm_email))
        .routes(routes!(outbox::index))
        .routes(routes!(outbox::resend))
        .routes(routes!(outbox::drop))
        .routes(routes!(apprenticeships::create, apprenticeships::index))
        .routes(routes!(apprenticeships::show, apprenticeships::update))
        .routes(routes!(apprenticeships::submit))
        .routes(routes!(apprenticeships::file))
        .routes(routes!(apprenticeships::return_to_employer))
        .routes(routes!(apprentices::create, apprentices::index))
        .routes(routes!(apprentices::show))
        .routes(routes!(apprentices::leave))
        .routes(routes!(apprentices::pause))
        .routes(routes!(apprentices::resume))
        .routes(routes!(apprentices::complete))
        .routes(routes!(apprentices::milestone))
        .routes(routes!(apprentice_certificates::create_assessment))
        .routes(routes!(apprentice_certificates::create_certificate))
        .routes(routes!(apprenticeship_ledger::index))
        .routes(routes!(apprenticeship_ledger::generate))
        .routes(routes!(apprenticeship_ledger::show_summary))
        .routes(routes!(apprenticeship_ledger::periods_index))
        .routes(routes!(apprenticeship_ledger::close_period))
        .routes(routes!(apprenticeship_ledger::payment))
        .routes(routes!(apprenticeship_ledger::rates_index))
        .routes(routes!(apprenticeship_ledger::set_rate))
        .routes(routes!(reports::show_dashboard))
        .routes(routes!(reports::rows_index))
        .routes(routes!(reports::targets_index))
        .routes(routes!(reports::set_target))
        .routes(routes!(reports::periods_index))
        .routes(routes!(reports::period_show))
        .routes(routes!(reports::period_lock))
        .routes(routes!(report_flags::index))
        .routes(routes!(report_flags::explain))
        .split_for_parts();
    openapi::RefusalsByShape.modify(&mut document);
    #[expect(
        clippy::expect_used,
        reason = "built once at start-up from plain data, so serialising it cannot fail"
    )]
    let openapi_json: Arc<str> = document
        .to_pretty_json()
        .expect("the OpenAPI document is plain data and always serialises")
        .into();
    api.route(
        "/api/v1/openapi.json",
        get(move || {
            let doc = Arc::clone(&openapi_json);
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    doc.to_string(),
                )
            }
        }),
    )
}

/// A JSON response with status 201.
pub struct Created<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> axum::response::Response {
        (axum::http::StatusCode::CREATED, Json(self.0)).into_response()
    }
}
