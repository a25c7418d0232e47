//! The provider's programs: the list, and a form for a new one with the common
//! certificate rules (completion always; specialty, skill level and a licence optional).

use askama::Template;
use axum::{
    extract::{Query, State},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::{Refusal, number, optional};
use crate::{
    error::AppError,
    http::{
        AppState,
        policy::Provider,
        web::{
            WebError, html,
            session::{CheckedForm, Session, SignedIn},
            staff::{FieldErrors, Shell, with_flash},
        },
    },
    pagination::PageParams,
    programs::{self, CertificateKind, CertificateRule, Program, ProgramInput},
};

/// What was typed into the new-program form, kept when it is refused.
#[derive(Default, Deserialize)]
pub struct ProgramForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    standard_code: String,
    #[serde(default)]
    occupation_code: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    min_age: String,
    #[serde(default)]
    max_age: String,
    #[serde(default)]
    min_attendance_percent: String,
    #[serde(default)]
    min_theory_score: String,
    #[serde(default)]
    min_practical_score: String,
    specialty: Option<String>,
    skill_level: Option<String>,
    #[serde(default)]
    assessed_theory_score: String,
    #[serde(default)]
    assessed_practical_score: String,
    licence: Option<String>,
    #[serde(default)]
    licence_title: String,
    #[serde(default)]
    licensed_activity: String,
}

/// The skill levels a program may train for, as the form offers them.
const LEVELS: [(&str, &str); 6] = [
    ("", "（不适用）"),
    ("level5", "五级/初级工"),
    ("level4", "四级/中级工"),
    ("level3", "三级/高级工"),
    ("level2", "二级/技师"),
    ("level1", "一级/高级技师"),
];

fn level_label(code: &str) -> &str {
    LEVELS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, label)| label)
}

/// One program as the list shows it.
pub struct ProgramRow {
    title: String,
    hours: u32,
    basis: String,
    certificates: String,
}

impl From<Program> for ProgramRow {
    fn from(p: Program) -> Self {
        let basis = match (&p.standard_code, p.standard_version, &p.occupation_code) {
            (Some(code), Some(v), _) => format!("考核规范 {code}（第{v}版）"),
            (_, _, Some(occupation)) => format!(
                "职业 {occupation}{}",
                p.level
                    .map(|l| format!(" · {}", level_label(&l)))
                    .unwrap_or_default()
            ),
            _ => String::new(),
        };
        Self {
            title: p.title,
            hours: p.hours,
            basis,
            certificates: p
                .certificates
                .iter()
                .map(|r| r.kind.label())
                .collect::<Vec<_>>()
                .join("、"),
        }
    }
}

#[derive(Template)]
#[template(path = "provider/programs.html")]
struct ProgramsPage {
    shell: Shell,
    levels: [(&'static str, &'static str); 6],
    rows: Vec<ProgramRow>,
    next_page: Option<String>,
    form: ProgramForm,
    errors: FieldErrors,
    rule_errors: Vec<String>,
    refusal: Option<String>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    cursor: Option<String>,
}

async fn render(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    cursor: Option<String>,
    form: ProgramForm,
    refusal: Refusal,
) -> Result<Response, WebError> {
    let page = PageParams {
        limit: Some(50),
        cursor,
    };
    let list = programs::list(&app.db.read, &session.caller.scope(), &page).await?;
    let (shell, jar) = Shell::load(app, session, "/programs", jar).await?;
    let rule_errors = refusal.errors.starting_with("certificates");
    let page = ProgramsPage {
        shell,
        levels: LEVELS,
        rows: list.items.into_iter().map(ProgramRow::from).collect(),
        next_page: list.next_cursor.map(|c| {
            format!(
                "/programs?{}",
                serde_urlencoded::to_string([("cursor", c)]).unwrap_or_default()
            )
        }),
        form,
        errors: refusal.errors,
        rule_errors,
        refusal: refusal.message,
    };
    Ok((jar, html(refusal.status, page.render())).into_response())
}

/// The provider's programs and the form for a new one.
pub async fn index(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Provider>,
    jar: CookieJar,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let form = ProgramForm {
        min_attendance_percent: "90".into(),
        min_theory_score: "60".into(),
        min_practical_score: "60".into(),
        ..ProgramForm::default()
    };
    render(&app, &session, jar, q.cursor, form, Refusal::none()).await
}

/// The program the form describes, or each unreadable number under its field.
fn input_of(form: &ProgramForm) -> Result<ProgramInput, FieldErrors> {
    let mut errors = FieldErrors::default();
    let hours = number(&mut errors, "hours", &form.hours);
    let min_age = number(&mut errors, "min_age", &form.min_age);
    let max_age = number(&mut errors, "max_age", &form.max_age);
    let completion = CertificateRule {
        kind: CertificateKind::Completion,
        min_attendance_percent: number(
            &mut errors,
            "min_attendance_percent",
            &form.min_attendance_percent,
        ),
        min_theory_score: number(&mut errors, "min_theory_score", &form.min_theory_score),
        min_practical_score: number(
            &mut errors,
            "min_practical_score",
            &form.min_practical_score,
        ),
        requires: Vec::new(),
        licensed_activity: None,
        licence_title: None,
    };
    let theory = number(
        &mut errors,
        "assessed_theory_score",
        &form.assessed_theory_score,
    );
    let practical = number(
        &mut errors,
        "assessed_practical_score",
        &form.assessed_practical_score,
    );
    if hours.is_none() && !errors.has("hours") {
        errors.push("hours", "请填写总学时");
    }
    let mut certificates = vec![completion];
    for (chosen, kind) in [
        (&form.specialty, CertificateKind::Specialty),
        (&form.skill_level, CertificateKind::SkillLevel),
    ] {
        if chosen.is_some() {
            certificates.push(CertificateRule {
                kind,
                min_attendance_percent: None,
                min_theory_score: theory,
                min_practical_score: practical,
                requires: vec![CertificateKind::Completion],
                licensed_activity: None,
                licence_title: None,
            });
        }
    }
    if form.licence.is_some() {
        // A licence rests on the highest certificate the program leads to.
        let requires = certificates.last().map(|r| r.kind).into_iter().collect();
        certificates.push(CertificateRule {
            kind: CertificateKind::Licence,
            min_attendance_percent: None,
            min_theory_score: None,
            min_practical_score: None,
            requires,
            licensed_activity: optional(&form.licensed_activity),
            licence_title: optional(&form.licence_title),
        });
    }
    match hours {
        Some(hours) if errors.is_empty() => Ok(ProgramInput {
            title: form.title.clone(),
            hours,
            standard_code: optional(&form.standard_code),
            occupation_code: optional(&form.occupation_code),
            level: optional(&form.level),
            min_age,
            max_age,
            certificates,
        }),
        _ => Err(errors),
    }
}

/// Creates a program; a refusal shows each error under its field with what was typed
/// kept, and the certificate rules' errors under the rules.
pub async fn create(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Provider>,
    jar: CookieJar,
    CheckedForm(form): CheckedForm<ProgramForm>,
) -> Result<Response, WebError> {
    let input = match input_of(&form) {
        Ok(input) => input,
        Err(errors) => {
            return render(&app, &session, jar, None, form, Refusal::fields(errors)).await;
        }
    };
    let provider = session
        .caller
        .organisation_id
        .clone()
        .ok_or_else(AppError::forbidden_role)?;
    let actor = session.caller.actor();
    let created = app
        .write(async |txn| programs::create(txn, &actor, &provider, input, app.now()).await)
        .await;
    match created {
        Ok(program) => {
            let jar = with_flash(jar, &format!("已创建培训项目“{}”。", program.title));
            Ok((jar, Redirect::to("/programs")).into_response())
        }
        Err(refused) => {
            let refusal = Refusal::of(Some(refused))?;
            render(&app, &session, jar, None, form, refusal).await
        }
    }
}
