//! The training-order pages (订单式培训), one set for the three parties: the employer
//! writes, submits and confirms its orders and records hires; the bureau assigns an open
//! order to a fitting provider, records payments and closes it; the provider offers to
//! take open orders, links its cohorts and records hires by other employers. Each action
//! calls the capability the JSON API calls, and the page shows no more than it would.

mod actions;
mod form;
mod hires;
mod list;
mod rules;
mod show;

use axum::{
    Router,
    routing::{get, post},
};

use std::collections::HashMap;

use crate::{
    error::AppError,
    http::AppState,
    orders::{Order, choices},
    programs::CertificateKind,
    stored::Stored,
};

/// The order pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders", get(list::index).post(form::create))
        .route("/orders/new", get(form::new))
        .route("/orders/funding-rules", get(rules::index).post(rules::set))
        .route("/orders/{id}", get(show::page))
        .route("/orders/{id}/edit", get(form::edit).post(form::update))
        .route("/orders/{id}/submit", post(actions::submit))
        .route("/orders/{id}/confirm-posts", post(actions::confirm_posts))
        .route("/orders/{id}/offer", post(actions::offer))
        .route("/orders/{id}/assign", post(actions::assign))
        .route("/orders/{id}/cohorts", post(actions::link_cohort))
        .route("/orders/{id}/payments", post(actions::payment))
        .route("/orders/{id}/close", post(actions::close))
        .route("/orders/{id}/hires", post(hires::hire))
        .route("/orders/{id}/departures", post(hires::departure))
}

/// What an order trains for, as a line: the standard's or the occupation's name and code.
fn subject_of(o: &Order, names: &SubjectNames) -> String {
    match (&o.standard_code, &o.occupation_code) {
        (Some(code), _) => match names.standards.get(code) {
            Some(name) => format!("专项能力标准：{name}（{code}）"),
            None => format!("专项能力标准 {code}"),
        },
        (None, Some(code)) => match names.occupations.get(code) {
            Some(name) => format!("职业（工种）：{name}（{code}）"),
            None => format!("职业（工种） {code}"),
        },
        (None, None) => String::new(),
    }
}

/// The names of occupations and standards in force, by code (two queries).
struct SubjectNames {
    occupations: HashMap<String, String>,
    standards: HashMap<String, String>,
}

impl SubjectNames {
    async fn load(app: &AppState) -> Result<Self, AppError> {
        let (occupations, standards) = choices::subjects(&app.db.read).await?;
        let by_code =
            |list: Vec<choices::Subject>| list.into_iter().map(|s| (s.code, s.name)).collect();
        Ok(Self {
            occupations: by_code(occupations),
            standards: by_code(standards),
        })
    }
}

/// The certificates an order may require of a hire, with their labels.
fn hire_kinds() -> Vec<(&'static str, &'static str)> {
    [
        CertificateKind::Completion,
        CertificateKind::Specialty,
        CertificateKind::SkillLevel,
        CertificateKind::Licence,
    ]
    .into_iter()
    .map(|k| (k.as_str(), k.label()))
    .collect()
}

fn order_path(id: &str) -> String {
    format!("/orders/{id}")
}
