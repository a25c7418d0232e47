//! Hires on the order page: the employer records whom it hired for which post, the
//! assigned provider a trainee hired by another employer; either records a departure.

use axum::{
    extract::{Path, State},
    response::Response,
};
use axum_extra::extract::cookie::CookieJar;

use super::actions::{Pairs, date_field, field, finish, unreadable};
use crate::{
    http::{
        AppState,
        policy::HireRecorders,
        web::{
            WebError,
            session::{CheckedForm, SignedIn},
            staff::FieldErrors,
        },
    },
    orders::hires::{self, DepartureInput, HireInput},
};

fn optional(pairs: &Pairs, name: &str) -> Option<String> {
    Some(field(pairs, name)).filter(|v| !v.is_empty())
}

/// Records a hire of one of the order's trainees.
pub async fn hire(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<HireRecorders>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let mut errors = FieldErrors::default();
    let done = match date_field(&pairs, "hired_on", &mut errors) {
        Some(hired_on) => {
            let input = HireInput {
                person_id: field(&pairs, "person_id"),
                post_id: optional(&pairs, "post_id"),
                other_employer_name: optional(&pairs, "other_employer_name"),
                hired_on,
            };
            let caller = session.caller.clone();
            app.write(async |txn| hires::record(txn, &caller, &id, input, app.now()).await)
                .await
                .map(|_| ("已登记录用。".to_owned(), "#progress"))
        }
        None => Err(unreadable(errors)),
    };
    finish(&app, &session, jar, &id, "hire", pairs, done).await
}

/// Records that a hired trainee left.
pub async fn departure(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<HireRecorders>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let mut errors = FieldErrors::default();
    let hire_id = field(&pairs, "hire_id");
    let done = match date_field(&pairs, "left_on", &mut errors) {
        Some(left_on) => {
            let input = DepartureInput { left_on };
            let caller = session.caller.clone();
            app.write(async |txn| {
                hires::depart(txn, &caller, &id, &hire_id, input, app.now()).await
            })
            .await
            .map(|_| ("已登记离职。".to_owned(), "#progress"))
        }
        None => Err(unreadable(errors)),
    };
    finish(&app, &session, jar, &id, "depart", pairs, done).await
}
