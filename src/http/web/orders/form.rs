//! Writing an order: the employer's form for a new draft and for changing one, with its
//! posts as rows (more rows on request, what was typed kept), each refusal under its
//! field.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use chrono::NaiveDate;

use super::{hire_kinds, order_path};
use crate::{
    error::AppError,
    http::{
        AppState,
        policy::Employer,
        web::{
            WebError, html,
            session::{CheckedForm, Session, SignedIn},
            staff::{FieldErrors, Refusal, Shell, with_flash},
        },
    },
    orders::{self, Order, OrderStatus, PostInput, choices, draft, input::OrderInput},
    programs::CertificateKind,
    stored::Stored,
};

/// Post rows shown at first, added per request, and at most (the order's limit).
const FIRST_ROWS: usize = 3;
const MORE_ROWS: usize = 3;
const MAX_ROWS: usize = 20;

#[derive(Default, Clone)]
pub struct PostRow {
    title: String,
    pay: String,
    headcount: String,
    place: String,
    errors: Vec<String>,
}

/// What was typed into the order form.
#[derive(Default)]
pub struct OrderForm {
    title: String,
    /// `o:<occupation code>` or `s:<standard code>`.
    subject: String,
    trainees_wanted: String,
    hire_commitment: String,
    deadline: String,
    hire_certificate_kind: String,
    notes: String,
    rows: Vec<PostRow>,
}

impl OrderForm {
    fn from_pairs(pairs: &[(String, String)]) -> (Self, bool) {
        let one = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let all = |name: &str| -> Vec<String> {
            pairs
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .collect()
        };
        let (titles, pays, counts, places) = (
            all("post_title"),
            all("post_pay"),
            all("post_headcount"),
            all("post_place"),
        );
        let at = |v: &[String], i: usize| v.get(i).cloned().unwrap_or_default();
        let rows = (0..titles.len().min(MAX_ROWS))
            .map(|i| PostRow {
                title: at(&titles, i),
                pay: at(&pays, i),
                headcount: at(&counts, i),
                place: at(&places, i),
                errors: Vec::new(),
            })
            .collect();
        let form = Self {
            title: one("title"),
            subject: one("subject"),
            trainees_wanted: one("trainees_wanted"),
            hire_commitment: one("hire_commitment"),
            deadline: one("deadline"),
            hire_certificate_kind: one("hire_certificate_kind"),
            notes: one("notes"),
            rows,
        };
        (form, pairs.iter().any(|(k, _)| k == "more"))
    }

    fn of(o: &Order) -> Self {
        let subject = match (&o.standard_code, &o.occupation_code) {
            (Some(s), _) => format!("s:{s}"),
            (None, Some(c)) => format!("o:{c}"),
            (None, None) => String::new(),
        };
        Self {
            title: o.title.clone(),
            subject,
            trainees_wanted: o.trainees_wanted.to_string(),
            hire_commitment: o.hire_commitment.to_string(),
            deadline: o.deadline.to_string(),
            hire_certificate_kind: o.hire_certificate_kind.as_str().to_owned(),
            notes: o.notes.clone(),
            rows: o
                .posts
                .iter()
                .map(|p| PostRow {
                    title: p.title.clone(),
                    pay: p.monthly_pay.clone(),
                    headcount: p.headcount.to_string(),
                    place: p.place.clone(),
                    errors: Vec::new(),
                })
                .collect(),
        }
    }

    /// The rows to show: what was typed, blank ones up to `min`, no more than the limit.
    fn padded(mut self, min: usize) -> Self {
        let want = min.max(self.rows.len()).min(MAX_ROWS);
        self.rows.resize(want, PostRow::default());
        self
    }

    /// The order as the API takes it: blank post rows left out, numbers the page could
    /// not read named under their fields.
    fn input(&self) -> Result<OrderInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut whole = |field: &str, value: &str| -> u32 {
            match value.trim().parse() {
                Ok(n) => n,
                Err(_) => {
                    errors.push(field, "请填写不带小数的非负整数");
                    0
                }
            }
        };
        let trainees_wanted = whole("trainees_wanted", &self.trainees_wanted);
        let hire_commitment = whole("hire_commitment", &self.hire_commitment);
        let mut posts = Vec::new();
        for row in self.rows.iter().filter(|r| !r.is_blank()) {
            let field = format!("posts[{}].headcount", posts.len());
            posts.push(PostInput {
                title: row.title.clone(),
                monthly_pay: row.pay.trim().to_owned(),
                headcount: whole(&field, &row.headcount),
                place: row.place.clone(),
            });
        }
        let deadline = NaiveDate::parse_from_str(self.deadline.trim(), "%Y-%m-%d").ok();
        if deadline.is_none() {
            errors.push("deadline", "请填写日期，格式如 2026-05-06");
        }
        let kind = CertificateKind::parse(&self.hire_certificate_kind).ok();
        if kind.is_none() {
            errors.push("hire_certificate_kind", "请选择录用所需的证书");
        }
        let (occupation_code, standard_code) = match self.subject.split_once(':') {
            Some(("o", code)) => (Some(code.to_owned()), None),
            Some(("s", code)) => (None, Some(code.to_owned())),
            _ => {
                errors.push("subject", "请选择培训的职业（工种）或专项能力标准");
                (None, None)
            }
        };
        match deadline {
            Some(deadline) if errors.is_empty() => Ok(OrderInput {
                title: self.title.clone(),
                occupation_code,
                standard_code,
                trainees_wanted,
                hire_commitment,
                deadline,
                notes: self.notes.clone(),
                hire_certificate_kind: kind,
                posts,
            }),
            _ => Err(errors),
        }
    }

    /// Puts the refusal's post errors on their rows; `posts[i]` counts non-blank rows.
    fn place_errors(&mut self, errors: &FieldErrors) {
        let mut n = 0;
        for row in self.rows.iter_mut() {
            if row.is_blank() {
                continue;
            }
            row.errors = errors.starting_with(&format!("posts[{n}]."));
            n += 1;
        }
    }
}

impl PostRow {
    fn is_blank(&self) -> bool {
        [&self.title, &self.pay, &self.headcount, &self.place]
            .iter()
            .all(|v| v.trim().is_empty())
    }
}

#[derive(Template)]
#[template(path = "orders/form.html")]
struct FormPage {
    shell: Shell,
    /// The draft being changed; none for a new order.
    order_id: Option<String>,
    form: OrderForm,
    occupations: Vec<choices::Subject>,
    standards: Vec<choices::Subject>,
    kinds: Vec<(&'static str, &'static str)>,
    errors: FieldErrors,
    refusal: Option<String>,
    can_add_rows: bool,
}

async fn render(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    order_id: Option<String>,
    mut form: OrderForm,
    refusal: Refusal,
) -> Result<Response, WebError> {
    let (occupations, standards) = choices::subjects(&app.db.read).await?;
    let mut errors = refusal.errors;
    // The API names the subject by its two codes; the page has one choice for both.
    for field in ["occupation_code", "standard_code"] {
        if let Some(message) = errors.get(field).map(str::to_owned) {
            errors.push("subject", &message);
        }
    }
    form.place_errors(&errors);
    let path = order_id
        .as_deref()
        .map_or("/orders/new".to_owned(), |id| format!("/orders/{id}/edit"));
    let (shell, jar) = Shell::load(app, session, &path, jar).await?;
    let page = FormPage {
        shell,
        can_add_rows: form.rows.len() < MAX_ROWS,
        order_id,
        form,
        occupations,
        standards,
        kinds: hire_kinds(),
        errors,
        refusal: refusal.message,
    };
    Ok((jar, html(refusal.status, page.render())).into_response())
}

/// The form for a new order.
pub async fn new(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Employer>,
    jar: CookieJar,
) -> Result<Response, WebError> {
    let form = OrderForm {
        hire_certificate_kind: CertificateKind::Completion.as_str().to_owned(),
        ..OrderForm::default()
    };
    render(
        &app,
        &session,
        jar,
        None,
        form.padded(FIRST_ROWS),
        Refusal::none(),
    )
    .await
}

/// The form for changing a draft; a submitted order is shown instead.
pub async fn edit(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Employer>,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let order = orders::get(&app.db.read, &session.caller, &id).await?;
    if order.status != OrderStatus::Draft {
        return Ok(Redirect::to(&order_path(&id)).into_response());
    }
    let form = OrderForm::of(&order).padded(FIRST_ROWS);
    render(&app, &session, jar, Some(id), form, Refusal::none()).await
}

/// Saves a new draft (or, with the "more rows" button, shows the form again with more).
pub async fn create(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Employer>,
    jar: CookieJar,
    CheckedForm(pairs): CheckedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save(&app, &session, jar, None, &pairs).await
}

/// Saves a draft's changes (or shows the form again with more rows).
pub async fn update(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Employer>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(pairs): CheckedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save(&app, &session, jar, Some(id), &pairs).await
}

async fn save(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    id: Option<String>,
    pairs: &[(String, String)],
) -> Result<Response, WebError> {
    let (form, more) = OrderForm::from_pairs(pairs);
    if more {
        let rows = form.rows.len() + MORE_ROWS;
        let page = render(app, session, jar, id, form.padded(rows), Refusal::none());
        return page.await;
    }
    let input = match form.input() {
        Ok(input) => input,
        Err(errors) => {
            let refusal = Refusal::fields(errors);
            return render(app, session, jar, id, form.padded(FIRST_ROWS), refusal).await;
        }
    };
    let caller = session.caller.clone();
    let saved = app
        .write(async |txn| match &id {
            None => draft::create(txn, &caller, &app.config.region_code, input, app.now()).await,
            Some(id) => draft::update(txn, &caller, id, input, app.now()).await,
        })
        .await;
    match saved {
        Ok(order) => {
            let jar = with_flash(jar, &format!("已保存订单草稿“{}”。", order.title));
            Ok((jar, Redirect::to(&order_path(&order.id))).into_response())
        }
        Err(refused @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let refusal = Refusal::of(Some(refused))?;
            render(app, session, jar, id, form.padded(FIRST_ROWS), refusal).await
        }
        Err(other) => Err(other.into()),
    }
}
