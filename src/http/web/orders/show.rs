//! One order's page: what it asks for, its posts and cohorts, the live progress with its
//! trainees (masked for all but the assigned provider), the funding for the bureau and
//! the provider, and the forms each party may use on it. A refused form is shown again
//! with its errors under its fields and what was typed kept.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::CookieJar;

use super::{SubjectNames, subject_of};
use crate::{
    access::Role,
    error::AppError,
    http::{
        AppState,
        policy::OrderParties,
        web::{
            WebError, html,
            session::{Session, SignedIn},
            staff::{FieldErrors, Refusal, Shell},
        },
    },
    orders::{
        self, Employment, Order, OrderOutcome, OrderStatus, Tranche,
        choices::{self, LinkedCohort},
        funding::{self, Funding},
        progress::{self, Progress},
    },
    stored::Stored,
};

/// One trainee of the order as the page lists them.
pub struct TraineeLine {
    person_id: String,
    name: String,
    citizen_id: String,
    cohort: String,
    certificates: Vec<String>,
    /// The hire, as a line, and its id while the person is still employed.
    hire: Option<String>,
    open_hire_id: Option<String>,
}

/// A refused form: which one, its errors, and what was typed.
pub struct Failed {
    pub form: &'static str,
    pub refusal: Refusal,
    pub typed: Vec<(String, String)>,
}

impl Failed {
    pub fn none() -> Self {
        Self {
            form: "",
            refusal: Refusal::none(),
            typed: Vec::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "orders/show.html")]
struct OrderPage {
    shell: Shell,
    order: Order,
    subject: String,
    is_employer: bool,
    is_provider: bool,
    is_bureau: bool,
    is_draft: bool,
    is_submitted: bool,
    is_closed: bool,
    may_offer: bool,
    progress: Option<Progress>,
    lines: Vec<TraineeLine>,
    /// Trainees the employer (or provider) may record as hired: not employed now.
    hireable: Vec<(String, String)>,
    funding: Option<Funding>,
    funding_note: Option<String>,
    linkable: Vec<LinkedCohort>,
    tranches: Vec<(&'static str, &'static str)>,
    outcomes: Vec<(&'static str, &'static str)>,
    failed: &'static str,
    errors: FieldErrors,
    refusal: Option<String>,
    typed: Vec<(String, String)>,
    today: String,
}

impl OrderPage {
    /// What was typed into the refused form's field `name`.
    fn typed(&self, name: &str) -> &str {
        self.typed
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The error of `field` when `form` was the refused one.
    fn error(&self, form: &str, field: &str) -> Option<&str> {
        (self.failed == form)
            .then(|| self.errors.get(field))
            .flatten()
    }

    /// The message of a refusal that names no field, above `form`.
    fn refused(&self, form: &str) -> Option<&str> {
        (self.failed == form)
            .then_some(self.refusal.as_deref())
            .flatten()
    }
}

/// The order page.
pub async fn page(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<OrderParties>,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    render(&app, &session, jar, &id, Failed::none()).await
}

pub async fn render(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    id: &str,
    failed: Failed,
) -> Result<Response, WebError> {
    let conn = &app.db.read;
    let caller = &session.caller;
    let today = app.now().today;
    let order = orders::get(conn, caller, id).await?;
    let is_employer = caller.role == Role::Employer;
    let is_bureau = caller.role == Role::BureauAdmin;
    let is_provider = order
        .provider_id
        .as_deref()
        .is_some_and(|p| caller.role == Role::ProviderStaff && caller.belongs_to(p));
    let may_offer = caller.role == Role::ProviderStaff
        && order.provider_id.is_none()
        && order.status == OrderStatus::Submitted;
    let progress = match order.status {
        OrderStatus::Draft | OrderStatus::Submitted => None,
        _ => Some(progress::get(conn, caller, id, today).await?),
    };
    let (funding, funding_note) = if (is_bureau || is_provider) && order.training_fee.is_some() {
        match funding::get(conn, caller, id, today).await {
            Ok(f) => (Some(f), None),
            Err(e @ AppError::Conflict { .. }) => (None, Some(e.body().message)),
            Err(e) => return Err(e.into()),
        }
    } else {
        (None, None)
    };
    let linkable = if is_provider {
        choices::linkable(conn, caller, id).await?
    } else {
        Vec::new()
    };
    let lines = progress
        .as_ref()
        .map(|p| trainee_lines(&order, p))
        .unwrap_or_default();
    let hireable = lines
        .iter()
        .filter(|l| l.hire.is_none())
        .map(|l| (l.person_id.clone(), format!("{} {}", l.name, l.citizen_id)))
        .collect();
    let (shell, jar) = Shell::load(app, session, "/orders", jar).await?;
    let page = OrderPage {
        shell,
        subject: subject_of(&order, &SubjectNames::load(app).await?),
        is_employer,
        is_provider,
        is_bureau,
        is_draft: order.status == OrderStatus::Draft,
        is_submitted: order.status == OrderStatus::Submitted,
        is_closed: order.status == OrderStatus::Closed,
        may_offer,
        progress,
        lines,
        hireable,
        funding,
        funding_note,
        linkable,
        tranches: [Tranche::Assignment, Tranche::Outcome]
            .into_iter()
            .map(|t| (t.as_str(), t.label()))
            .collect(),
        outcomes: [OrderOutcome::Fulfilled, OrderOutcome::NotFulfilled]
            .into_iter()
            .map(|o| (o.as_str(), o.label()))
            .collect(),
        failed: failed.form,
        errors: failed.refusal.errors,
        refusal: failed.refusal.message,
        typed: failed.typed,
        today: today.to_string(),
        order,
    };
    Ok((jar, html(failed.refusal.status, page.render())).into_response())
}

fn trainee_lines(order: &Order, p: &Progress) -> Vec<TraineeLine> {
    let cohort_code = |id: &str| {
        order
            .cohorts
            .iter()
            .find(|c| c.cohort_id == id)
            .map_or_else(String::new, |c| c.code.clone())
    };
    let post_title = |id: Option<&str>| {
        order
            .posts
            .iter()
            .find(|p| Some(p.id.as_str()) == id)
            .map(|p| p.title.clone())
    };
    p.trainees
        .iter()
        .map(|t| {
            let hire = t.hire.as_ref().map(|h| {
                let whom = match h.employment {
                    Employment::Own => post_title(h.post_id.as_deref())
                        .map_or_else(|| "订单单位录用".to_owned(), |t| format!("录用为{t}")),
                    Employment::OtherEmployer => format!(
                        "{}录用",
                        h.other_employer_name.as_deref().unwrap_or("其他单位")
                    ),
                };
                let left = h
                    .left_on
                    .map_or_else(String::new, |d| format!("，{d} 离职"));
                format!("{whom} · {} 入职{left}", h.hired_on)
            });
            TraineeLine {
                person_id: t.person_id.clone(),
                name: t.name.clone(),
                citizen_id: t.citizen_id.clone(),
                cohort: cohort_code(&t.cohort_id),
                certificates: t
                    .certificates
                    .iter()
                    .map(|c| format!("{} {}（{}）", c.kind.label(), c.number, c.status_label))
                    .collect(),
                hire,
                open_hire_id: t
                    .hire
                    .as_ref()
                    .filter(|h| h.left_on.is_none())
                    .map(|h| h.id.clone()),
            }
        })
        .collect()
}
