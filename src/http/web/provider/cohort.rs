//! One cohort of the provider: its enrolments as the results sheet (hours and scores of
//! every trainee saved together), enrolling one person, withdrawing one. Issuing its
//! certificates is in [`super::certificates`].

use std::collections::HashMap;

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::{PageQuery, Refusal, SHEET_ROWS, cohort_path, number, optional};
use crate::{
    certificates::read,
    cohorts::{
        self, EnrolmentStatus,
        enrolment::{self, Enrolment, ResultInput},
        results::{self, SheetRow},
    },
    error::AppError,
    http::{
        AppState,
        policy::Provider,
        web::{
            WebError, html,
            session::{CheckedForm, Session, SignedIn},
            staff::{FieldErrors, Shell, with_flash, with_flash_error},
        },
    },
    pagination::PageParams,
    people::store::IdentityInput,
    programs,
};

/// What was typed into the enrolment form, kept when it is refused.
#[derive(Default, Deserialize)]
pub struct EnrolForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    citizen_id: String,
    #[serde(default)]
    phone: String,
}

/// One trainee as the sheet shows them; the cells hold what was typed on a refusal.
pub struct SheetLine {
    id: String,
    name: String,
    citizen_id: String,
    active: bool,
    status_label: &'static str,
    hours: String,
    theory: String,
    practical: String,
    certificate: Option<String>,
}

impl SheetLine {
    fn new(e: Enrolment, certificate: Option<String>) -> Self {
        let shown = |v: Option<i32>| v.map(|n| n.to_string()).unwrap_or_default();
        Self {
            active: e.status == EnrolmentStatus::Enrolled,
            status_label: e.status.label(),
            hours: shown(e.attended_hours),
            theory: shown(e.theory_score),
            practical: shown(e.practical_score),
            id: e.id,
            name: e.person.name,
            citizen_id: e.person.citizen_id,
            certificate,
        }
    }

    /// The field a cell's error is filed under.
    fn field(&self, cell: &str) -> String {
        format!("rows.{}.{cell}", self.id)
    }
}

#[derive(Template)]
#[template(path = "provider/cohort.html")]
struct CohortPage {
    shell: Shell,
    id: String,
    code: String,
    program: String,
    program_hours: u32,
    dates: String,
    location: String,
    capacity: u32,
    enrolled: u64,
    lines: Vec<SheetLine>,
    /// Completion certificates of the whole cohort (every page).
    issued: u64,
    /// The page of trainees shown, and the next one's address.
    cursor: Option<String>,
    next_page: Option<String>,
    /// Trainees enrolled (not withdrawn): those the results sheet takes.
    active: usize,
    form: EnrolForm,
    errors: FieldErrors,
    refusal: Option<String>,
    sheet_refusal: Option<String>,
    upload_problems: Vec<String>,
}

/// What the cohort page shows besides the cohort: the enrolment form as typed, the
/// sheet's typed cells on a refusal, and the refusals (of an uploaded sheet, a line
/// each).
pub(super) struct Shown {
    /// The page of trainees shown (none: the first).
    cursor: Option<String>,
    form: EnrolForm,
    typed: Option<HashMap<String, String>>,
    refusal: Refusal,
    sheet_refusal: Option<String>,
    upload_problems: Vec<String>,
}

impl Shown {
    /// An uploaded results sheet refused: a line for each problem, nothing saved.
    pub(super) fn upload_refused(problems: Vec<String>) -> Self {
        Self {
            refusal: Refusal::fields(FieldErrors::default()),
            upload_problems: problems,
            ..Self::fresh()
        }
    }

    fn fresh() -> Self {
        Self {
            cursor: None,
            form: EnrolForm::default(),
            typed: None,
            refusal: Refusal::none(),
            sheet_refusal: None,
            upload_problems: Vec::new(),
        }
    }
}

pub(super) async fn render(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    id: &str,
    shown: Shown,
) -> Result<Response, WebError> {
    let conn = &app.db.read;
    let cohort = cohorts::get(conn, &session.caller, id).await?;
    let program = programs::get(conn, &session.caller.scope(), &cohort.program_id).await?;
    let page = PageParams {
        limit: Some(SHEET_ROWS),
        cursor: shown.cursor.clone(),
    };
    let enrolments = enrolment::list(conn, &app.pii, &session.caller, id, &page).await?;
    let next_page = enrolments
        .next_cursor
        .as_deref()
        .map(|c| cohort_path(id, Some(c)));
    let issued = read::completion_count(conn, id).await?;
    let ids: Vec<String> = enrolments.items.iter().map(|e| e.id.clone()).collect();
    let mut numbers = read::completion_numbers(conn, &ids).await?;
    let mut lines: Vec<SheetLine> = enrolments
        .items
        .into_iter()
        .map(|e| {
            let number = numbers.remove(&e.id);
            SheetLine::new(e, number)
        })
        .collect();
    if let Some(typed) = &shown.typed {
        for line in &mut lines {
            let cell = |name: &str| typed.get(&line.field(name)).cloned().unwrap_or_default();
            (line.hours, line.theory, line.practical) =
                (cell("hours"), cell("theory"), cell("practical"));
        }
    }
    let (shell, jar) = Shell::load(app, session, "/cohorts", jar).await?;
    let page = CohortPage {
        shell,
        issued,
        cursor: shown.cursor,
        next_page,
        active: lines.iter().filter(|l| l.active).count(),
        id: cohort.id,
        code: cohort.code,
        program: program.title,
        program_hours: program.hours,
        dates: format!("{} 至 {}", cohort.starts_on, cohort.ends_on),
        location: cohort.location,
        capacity: cohort.capacity,
        enrolled: cohort.enrolled,
        lines,
        form: shown.form,
        errors: shown.refusal.errors,
        refusal: shown.refusal.message,
        sheet_refusal: shown.sheet_refusal,
        upload_problems: shown.upload_problems,
    };
    Ok((jar, html(shown.refusal.status, page.render())).into_response())
}

/// The cohort: its trainees as the results sheet, and the forms acting on it.
pub async fn show(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Provider>,
    jar: CookieJar,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let shown = Shown {
        cursor: q.cursor.filter(|c| !c.is_empty()),
        ..Shown::fresh()
    };
    render(&app, &session, jar, &id, shown).await
}

/// Enrols one person; an invalid identity shows under its field with what was typed
/// kept.
pub async fn enrol(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Provider>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(form): CheckedForm<EnrolForm>,
) -> Result<Response, WebError> {
    let input = IdentityInput {
        name: form.name.clone(),
        citizen_id: form.citizen_id.clone(),
        phone: optional(&form.phone),
        key_groups: Vec::new(),
    };
    let caller = session.caller.clone();
    let enrolled = app
        .write(async |txn| enrolment::enrol(txn, &app.pii, &caller, &id, input, app.now()).await)
        .await;
    match enrolled {
        Ok(e) => {
            let jar = with_flash(jar, &format!("已报名：{}。", e.person.name));
            Ok((jar, Redirect::to(&format!("/cohorts/{id}#enrol"))).into_response())
        }
        Err(refused) => {
            let shown = Shown {
                form,
                refusal: Refusal::of(Some(refused))?,
                ..Shown::fresh()
            };
            render(&app, &session, jar, &id, shown).await
        }
    }
}

#[derive(Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    enrolment_id: String,
    #[serde(default)]
    reason: String,
}

/// Withdraws one trainee, with a reason; the outcome comes back as a flash message.
pub async fn withdraw(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Provider>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(form): CheckedForm<WithdrawForm>,
) -> Result<Response, WebError> {
    let caller = session.caller.clone();
    let done = app
        .write(async |txn| {
            let e = enrolment::withdraw(
                txn,
                &app.pii,
                &caller,
                &form.enrolment_id,
                &form.reason,
                app.now(),
            )
            .await?;
            if e.cohort_id == id {
                Ok(e)
            } else {
                Err(AppError::NotFound)
            }
        })
        .await;
    let jar = match done {
        Ok(e) => with_flash(jar, &format!("{}已退学。", e.person.name)),
        Err(AppError::Invalid { message, .. } | AppError::Conflict { message, .. }) => {
            with_flash_error(jar, &message)
        }
        Err(other) => return Err(other.into()),
    };
    Ok((jar, Redirect::to(&format!("/cohorts/{id}"))).into_response())
}

/// Reads the sheet's cells (`rows.<enrolment id>.<hours|theory|practical>`): a row with
/// nothing typed is left as it is; an unreadable cell is an error in its row.
fn sheet_of(cells: &HashMap<String, String>) -> Result<Vec<SheetRow>, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut ids: Vec<&str> = cells
        .keys()
        .filter_map(|k| k.strip_prefix("rows.")?.strip_suffix(".hours"))
        .collect();
    ids.sort_unstable();
    let mut rows = Vec::new();
    for id in ids {
        let field = |cell: &str| format!("rows.{id}.{cell}");
        let cell = |name: &str| cells.get(&field(name)).map_or("", String::as_str);
        if [cell("hours"), cell("theory"), cell("practical")]
            .iter()
            .all(|c| c.trim().is_empty())
        {
            continue;
        }
        let hours = number(&mut errors, &field("attended_hours"), cell("hours"));
        let theory = number(&mut errors, &field("theory_score"), cell("theory"));
        let practical = number(&mut errors, &field("practical_score"), cell("practical"));
        match hours {
            Some(attended_hours) => rows.push(SheetRow {
                enrolment_id: id.to_owned(),
                result: ResultInput {
                    attended_hours,
                    theory_score: theory,
                    practical_score: practical,
                },
            }),
            None if cell("hours").trim().is_empty() => {
                errors.push(&field("attended_hours"), "请填写出勤学时");
            }
            None => {}
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Saves the results sheet as one transaction: every row, or none with each bad cell's
/// error in its row.
pub async fn save_results(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Provider>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(cells): CheckedForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let cursor = cells.get("cursor").filter(|c| !c.is_empty()).cloned();
    let refused = match sheet_of(&cells) {
        Err(errors) => Refusal::fields(errors),
        Ok(rows) => {
            let caller = session.caller.clone();
            let saved = app
                .write(async |txn| {
                    results::record_many(txn, &app.pii, &caller, &id, rows, app.now()).await
                })
                .await;
            match saved {
                Ok(saved) => {
                    let jar = with_flash(jar, &format!("已保存{}名学员的成绩。", saved.len()));
                    let to = format!("{}#results", cohort_path(&id, cursor.as_deref()));
                    return Ok((jar, Redirect::to(&to)).into_response());
                }
                Err(refused) => Refusal::of(Some(refused))?,
            }
        }
    };
    let shown = Shown {
        cursor,
        typed: Some(cells),
        sheet_refusal: Some(
            "成绩表未保存：请按各行提示更正后重新保存（本次未保存任何一行）。".into(),
        ),
        refusal: refused,
        ..Shown::fresh()
    };
    render(&app, &session, jar, &id, shown).await
}
