//! Writing an agreement: the enterprise's form for a new draft and for changing a draft
//! or a returned agreement — the provider, occupation and target level, the period, and
//! the plan's modules and milestones as rows (more rows on request, what was typed kept,
//! blank rows left out), each refusal under its field or row.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use chrono::NaiveDate;

use super::{Pairs, agreement_path};
use crate::{
    apprenticeships::{
        self, Agreement, AgreementInput, AgreementStatus, MilestoneInput, ModuleInput, agreements,
    },
    error::AppError,
    http::{
        AppState,
        policy::Employer,
        web::{
            WebError, html,
            session::{CheckedForm, Session, SignedIn},
            staff::{FieldErrors, Refusal, Shell, optional, with_flash},
        },
    },
    organisations::{self, OrgKind},
    standards::reference,
};

/// Rows shown at first and added per request, and the plan's limits.
const FIRST_ROWS: usize = 3;
const MORE_ROWS: usize = 3;
const MAX_MODULES: usize = 30;
const MAX_MILESTONES: usize = 20;

#[derive(Default, Clone)]
pub struct ModuleRow {
    title: String,
    theory: String,
    practice: String,
    errors: Vec<String>,
}

#[derive(Default, Clone)]
pub struct MilestoneRow {
    title: String,
    due_on: String,
    errors: Vec<String>,
}

/// What was typed into the agreement form.
#[derive(Default)]
pub struct AgreementForm {
    provider_id: String,
    occupation_code: String,
    target_level: String,
    starts_on: String,
    ends_on: String,
    extension_reason: String,
    modules: Vec<ModuleRow>,
    milestones: Vec<MilestoneRow>,
}

fn blank(values: &[&String]) -> bool {
    values.iter().all(|v| v.trim().is_empty())
}

impl AgreementForm {
    fn from_pairs(pairs: &Pairs) -> (Self, bool) {
        let one = |name: &str| super::field(pairs, name);
        let all = |name: &str| -> Vec<String> {
            pairs
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .collect()
        };
        let at = |v: &[String], i: usize| v.get(i).cloned().unwrap_or_default();
        let (titles, theory, practice) = (
            all("module_title"),
            all("module_theory"),
            all("module_practice"),
        );
        let modules = (0..titles.len().min(MAX_MODULES))
            .map(|i| ModuleRow {
                title: at(&titles, i),
                theory: at(&theory, i),
                practice: at(&practice, i),
                errors: Vec::new(),
            })
            .collect();
        let (names, dues) = (all("milestone_title"), all("milestone_due_on"));
        let milestones = (0..names.len().min(MAX_MILESTONES))
            .map(|i| MilestoneRow {
                title: at(&names, i),
                due_on: at(&dues, i),
                errors: Vec::new(),
            })
            .collect();
        let form = Self {
            provider_id: one("provider_id"),
            occupation_code: one("occupation_code"),
            target_level: one("target_level"),
            starts_on: one("starts_on"),
            ends_on: one("ends_on"),
            extension_reason: one("extension_reason"),
            modules,
            milestones,
        };
        (form, pairs.iter().any(|(k, _)| k == "more"))
    }

    fn of(a: &Agreement) -> Self {
        Self {
            provider_id: a.provider.id.clone(),
            occupation_code: a.occupation_code.clone(),
            target_level: a.target_level.clone(),
            starts_on: a.starts_on.to_string(),
            ends_on: a.ends_on.to_string(),
            extension_reason: a.extension_reason.clone().unwrap_or_default(),
            modules: a
                .modules
                .iter()
                .map(|m| ModuleRow {
                    title: m.title.clone(),
                    theory: m.theory_hours.to_string(),
                    practice: m.practice_hours.to_string(),
                    errors: Vec::new(),
                })
                .collect(),
            milestones: a
                .milestones
                .iter()
                .map(|m| MilestoneRow {
                    title: m.title.clone(),
                    due_on: m.due_on.to_string(),
                    errors: Vec::new(),
                })
                .collect(),
        }
    }

    /// The rows to show: what was typed, blank ones up to `min`, no more than the limits.
    fn padded(mut self, min: usize) -> Self {
        let modules = min.max(self.modules.len()).min(MAX_MODULES);
        self.modules.resize(modules, ModuleRow::default());
        let milestones = min.max(self.milestones.len()).min(MAX_MILESTONES);
        self.milestones.resize(milestones, MilestoneRow::default());
        self
    }

    fn filled_modules(&self) -> impl Iterator<Item = &ModuleRow> {
        self.modules
            .iter()
            .filter(|r| !blank(&[&r.title, &r.theory, &r.practice]))
    }

    fn filled_milestones(&self) -> impl Iterator<Item = &MilestoneRow> {
        self.milestones
            .iter()
            .filter(|r| !blank(&[&r.title, &r.due_on]))
    }

    /// The agreement as the API takes it; what the page could not read is named under
    /// its field (a row's under `modules[i]`/`milestones[i]`, counting filled rows).
    fn input(&self) -> Result<AgreementInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut date = |field: &str, value: &str| {
            let parsed = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok();
            if parsed.is_none() {
                errors.push(field, "请填写日期，格式如 2026-05-06");
            }
            parsed
        };
        let starts_on = date("starts_on", &self.starts_on);
        let ends_on = date("ends_on", &self.ends_on);
        let milestones: Vec<_> = self
            .filled_milestones()
            .enumerate()
            .map(|(i, r)| {
                (
                    r.title.clone(),
                    date(&format!("milestones[{i}].due_on"), &r.due_on),
                )
            })
            .collect();
        let mut hours = |field: String, value: &str| -> u32 {
            match value.trim() {
                "" => 0,
                v => v.parse().unwrap_or_else(|_| {
                    errors.push(&field, "学时须为不带小数的非负整数");
                    0
                }),
            }
        };
        let modules: Vec<ModuleInput> = self
            .filled_modules()
            .enumerate()
            .map(|(i, r)| ModuleInput {
                title: r.title.clone(),
                theory_hours: hours(format!("modules[{i}].theory_hours"), &r.theory),
                practice_hours: hours(format!("modules[{i}].practice_hours"), &r.practice),
            })
            .collect();
        match (starts_on, ends_on) {
            (Some(starts_on), Some(ends_on)) if errors.is_empty() => Ok(AgreementInput {
                provider_id: self.provider_id.clone(),
                occupation_code: self.occupation_code.clone(),
                target_level: self.target_level.clone(),
                starts_on,
                ends_on,
                extension_reason: optional(&self.extension_reason),
                modules,
                milestones: milestones
                    .into_iter()
                    .map(|(title, due_on)| MilestoneInput {
                        title,
                        due_on: due_on.unwrap_or(starts_on),
                    })
                    .collect(),
            }),
            _ => Err(errors),
        }
    }

    /// Puts the refusal's row errors on their rows; `modules[i]` counts filled rows.
    fn place_errors(&mut self, errors: &FieldErrors) {
        let mut n = 0;
        for row in self.modules.iter_mut() {
            if !blank(&[&row.title, &row.theory, &row.practice]) {
                row.errors = errors.starting_with(&format!("modules[{n}]."));
                n += 1;
            }
        }
        let mut n = 0;
        for row in self.milestones.iter_mut() {
            if !blank(&[&row.title, &row.due_on]) {
                row.errors = errors.starting_with(&format!("milestones[{n}]."));
                n += 1;
            }
        }
    }
}

#[derive(Template)]
#[template(path = "apprenticeships/form.html")]
struct FormPage {
    shell: Shell,
    /// The agreement being changed; none for a new one.
    agreement_id: Option<String>,
    form: AgreementForm,
    providers: Vec<(String, String)>,
    occupations: Vec<reference::Occupation>,
    levels: Vec<reference::SkillLevel>,
    errors: FieldErrors,
    refusal: Option<String>,
    can_add_rows: bool,
}

async fn render(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    agreement_id: Option<String>,
    mut form: AgreementForm,
    refusal: Refusal,
) -> Result<Response, WebError> {
    let conn = &app.db.read;
    let providers = organisations::approved_of_kind(conn, OrgKind::TrainingProvider).await?;
    let occupations = reference::occupations(conn).await.map_err(AppError::from)?;
    let levels = reference::skill_levels(conn)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .filter(|l| l.national_digit.is_some())
        .collect();
    form.place_errors(&refusal.errors);
    let path = agreement_id.as_deref().map_or_else(
        || "/apprenticeships/new".to_owned(),
        |id| format!("/apprenticeships/{id}/edit"),
    );
    let (shell, jar) = Shell::load(app, session, &path, jar).await?;
    let page = FormPage {
        shell,
        can_add_rows: form.modules.len() < MAX_MODULES || form.milestones.len() < MAX_MILESTONES,
        agreement_id,
        form,
        providers,
        occupations,
        levels,
        errors: refusal.errors,
        refusal: refusal.message,
    };
    Ok((jar, html(refusal.status, page.render())).into_response())
}

/// The form for a new agreement.
pub async fn new(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Employer>,
    jar: CookieJar,
) -> Result<Response, WebError> {
    let form = AgreementForm::default().padded(FIRST_ROWS);
    render(&app, &session, jar, None, form, Refusal::none()).await
}

/// The form for changing a draft or a returned agreement; any other is shown instead.
pub async fn edit(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Employer>,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let a = apprenticeships::get(&app.db.read, &session.caller, &id).await?;
    if !matches!(a.status, AgreementStatus::Draft | AgreementStatus::Returned) {
        return Ok(Redirect::to(&agreement_path(&id)).into_response());
    }
    let form = AgreementForm::of(&a).padded(FIRST_ROWS);
    render(&app, &session, jar, Some(id), form, Refusal::none()).await
}

/// Saves a new draft (or, with the "more rows" button, shows the form again with more).
pub async fn create(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Employer>,
    jar: CookieJar,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    save(&app, &session, jar, None, &pairs).await
}

/// Saves an agreement's changes (or shows the form again with more rows).
pub async fn update(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Employer>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    save(&app, &session, jar, Some(id), &pairs).await
}

async fn save(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    id: Option<String>,
    pairs: &Pairs,
) -> Result<Response, WebError> {
    let (form, more) = AgreementForm::from_pairs(pairs);
    if more {
        let rows = form.modules.len().max(form.milestones.len()) + MORE_ROWS;
        return render(app, session, jar, id, form.padded(rows), Refusal::none()).await;
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
            None => {
                agreements::create(txn, &caller, &app.config.region_code, input, app.now()).await
            }
            Some(id) => agreements::update(txn, &caller, id, input, app.now()).await,
        })
        .await;
    match saved {
        Ok(a) => {
            let done = format!(
                "已保存学徒培养协议“{} · {}”。",
                a.occupation_name, a.target_level_label
            );
            let jar = with_flash(jar, &done);
            Ok((jar, Redirect::to(&agreement_path(&a.id))).into_response())
        }
        Err(refused @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let refusal = Refusal::of(Some(refused))?;
            render(app, session, jar, id, form.padded(FIRST_ROWS), refusal).await
        }
        Err(other) => Err(other.into()),
    }
}
