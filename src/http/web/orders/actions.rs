//! The order page's actions: the employer submits and confirms posts, a provider offers
//! to take an open order and links its cohorts, the bureau assigns, records payments and
//! closes. Each calls the capability the API calls; success returns to the order with a
//! message, a refusal shows the page again with the errors under the form's fields.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;

use super::{order_path, show};
use crate::{
    error::AppError,
    http::{
        AppState,
        policy::{Bureau, Employer, Provider},
        web::{
            WebError,
            session::{CheckedForm, Session, SignedIn},
            staff::{FieldErrors, Refusal, with_flash},
        },
    },
    orders::{
        OrderOutcome, Tranche,
        assign::{self, AssignInput, LinkInput, OfferInput},
        close::{self, CloseInput},
        draft,
        funding::{self, PaymentInput},
    },
    stored::Stored,
};

pub use crate::http::web::feedback::{Pairs, date_field, field, unreadable};

/// After an action: back to the order (at `anchor`) with `done` as the message, or the
/// page again with the refusal under form `form`.
pub async fn finish(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    id: &str,
    form: &'static str,
    typed: Pairs,
    outcome: Result<(String, &'static str), AppError>,
) -> Result<Response, WebError> {
    match outcome {
        Ok((done, anchor)) => {
            let jar = with_flash(jar, &done);
            let to = format!("{}{anchor}", order_path(id));
            Ok((jar, Redirect::to(&to)).into_response())
        }
        Err(refused @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let failed = show::Failed {
                form,
                refusal: Refusal::of(Some(refused))?,
                typed,
            };
            show::render(app, session, jar, id, failed).await
        }
        Err(other) => Err(other.into()),
    }
}

/// The employer submits a draft to the bureau.
pub async fn submit(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Employer>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let caller = session.caller.clone();
    let done = app
        .write(async |txn| draft::submit(txn, &caller, &id, app.now()).await)
        .await
        .map(|o| (format!("已提交订单“{}”，等待人社局分派。", o.title), ""));
    finish(&app, &session, jar, &id, "submit", pairs, done).await
}

/// The employer confirms the posts (岗位前置).
pub async fn confirm_posts(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Employer>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let caller = session.caller.clone();
    let done = app
        .write(async |txn| draft::confirm_posts(txn, &caller, &id, app.now()).await)
        .await
        .map(|_| {
            (
                "已确认岗位，培训机构可以关联班次开班。".to_owned(),
                "#posts",
            )
        });
    finish(&app, &session, jar, &id, "confirm", pairs, done).await
}

/// A provider offers to take an open order.
pub async fn offer(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Provider>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let caller = session.caller.clone();
    let input = OfferInput {
        note: field(&pairs, "note"),
    };
    let done = app
        .write(async |txn| assign::offer(txn, &caller, &id, input, app.now()).await)
        .await
        .map(|_| ("已申请承接，等待人社局确认分派。".to_owned(), ""));
    finish(&app, &session, jar, &id, "offer", pairs, done).await
}

/// The bureau assigns the order to a provider with the training fee.
pub async fn assign(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let caller = session.caller.clone();
    let input = AssignInput {
        provider_id: field(&pairs, "provider_id"),
        training_fee: field(&pairs, "training_fee"),
    };
    let done = app
        .write(async |txn| assign::assign(txn, &caller, &id, input, app.now()).await)
        .await
        .map(|o| {
            let provider = o.provider_name.unwrap_or_default();
            (format!("已将订单分派给{provider}。"), "")
        });
    finish(&app, &session, jar, &id, "assign", pairs, done).await
}

/// The assigned provider links one of its cohorts.
pub async fn link_cohort(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Provider>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let caller = session.caller.clone();
    let input = LinkInput {
        cohort_id: field(&pairs, "cohort_id"),
    };
    let done = app
        .write(async |txn| assign::link_cohort(txn, &caller, &id, input, app.now()).await)
        .await
        .map(|_| ("已关联班次，订单进入培训。".to_owned(), "#cohorts"));
    finish(&app, &session, jar, &id, "link", pairs, done).await
}

/// The bureau records a payment against a tranche that is due.
pub async fn payment(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let mut errors = FieldErrors::default();
    let tranche = Tranche::parse(&field(&pairs, "tranche")).ok();
    if tranche.is_none() {
        errors.push("tranche", "请选择款项");
    }
    let paid_on = date_field(&pairs, "paid_on", &mut errors);
    let done = match (tranche, paid_on) {
        (Some(tranche), Some(paid_on)) => {
            let input = PaymentInput {
                tranche,
                amount: field(&pairs, "amount"),
                paid_on,
                note: field(&pairs, "note"),
            };
            let caller = session.caller.clone();
            app.write(async |txn| {
                funding::record_payment(txn, &caller, &id, input, app.now()).await
            })
            .await
            .map(|_| (format!("已登记{}付款。", tranche.label()), "#funding"))
        }
        _ => Err(unreadable(errors)),
    };
    finish(&app, &session, jar, &id, "payment", pairs, done).await
}

/// The bureau closes the order, fulfilled or not with the reason.
pub async fn close(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let done = match OrderOutcome::parse(&field(&pairs, "outcome")) {
        Ok(outcome) => {
            let input = CloseInput {
                outcome,
                reason: field(&pairs, "reason"),
            };
            let caller = session.caller.clone();
            app.write(async |txn| close::close(txn, &caller, &id, input, app.now()).await)
                .await
                .map(|_| (format!("订单已结束：{}。", outcome.label()), ""))
        }
        Err(_) => {
            let mut errors = FieldErrors::default();
            errors.push("outcome", "请选择结果");
            Err(unreadable(errors))
        }
    };
    finish(&app, &session, jar, &id, "close", pairs, done).await
}
