//! One agreement's page: the parties, the period, the plan, its apprentices with their
//! progress, and the forms each party may use on it — the enterprise's submit and new
//! apprentice, the bureau's filing and returning. A refused form is shown again with its
//! errors under its fields and what was typed kept.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::CookieJar;

use super::{Failed, Pairs, agreement_path, date_field, field, finish, unreadable};
use crate::{
    access::Role,
    apprenticeships::{
        self, Agreement, AgreementStatus, agreements,
        apprentices::{self, Apprentice, ApprenticeInput, MentorInput, TeacherInput},
    },
    error::AppError,
    http::{
        AppState,
        policy::{ApprenticeshipParties, Bureau, Employer},
        web::{
            WebError, html,
            session::{CheckedForm, Session, SignedIn},
            staff::{FieldErrors, Shell, optional},
        },
    },
    standards::reference,
    stored::Stored,
};

#[derive(Template)]
#[template(path = "apprenticeships/agreement.html")]
struct AgreementPage {
    shell: Shell,
    a: Agreement,
    apprentices: Vec<Apprentice>,
    levels: Vec<reference::SkillLevel>,
    /// The accounts the mentor and the teacher may be named by (the enterprise's form).
    mentor_accounts: Vec<(String, String)>,
    teacher_accounts: Vec<(String, String)>,
    is_employer: bool,
    is_bureau: bool,
    failed: Failed,
}

impl AgreementPage {
    fn editable(&self) -> bool {
        matches!(
            self.a.status,
            AgreementStatus::Draft | AgreementStatus::Returned
        )
    }

    fn submitted(&self) -> bool {
        self.a.status == AgreementStatus::Submitted
    }

    fn filed(&self) -> bool {
        self.a.status == AgreementStatus::Filed
    }

    /// How many of the plan's milestones an apprentice has completed.
    fn done(&self, apprentice: &Apprentice) -> usize {
        apprentice
            .milestones
            .iter()
            .filter(|m| m.completed_on.is_some())
            .count()
    }
}

/// The agreement page.
pub async fn page(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<ApprenticeshipParties>,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    render(&app, &session, jar, &id, Failed::none()).await
}

async fn render(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    id: &str,
    failed: Failed,
) -> Result<Response, WebError> {
    let conn = &app.db.read;
    let caller = &session.caller;
    let a = apprenticeships::get(conn, caller, id).await?;
    let apprentices = match a.status {
        AgreementStatus::Filed => apprentices::list(conn, &app.pii, caller, id).await?,
        _ => Vec::new(),
    };
    let levels = reference::skill_levels(conn)
        .await
        .map_err(AppError::from)?;
    let is_employer = caller.role == Role::Employer;
    let (mentor_accounts, teacher_accounts) = if is_employer && a.status == AgreementStatus::Filed {
        apprenticeships::names::mentor_accounts(conn, &a.employer.id, &a.provider.id).await?
    } else {
        Default::default()
    };
    let (shell, jar) = Shell::load(app, session, "/apprenticeships", jar).await?;
    let status = failed.refusal.status;
    let page = AgreementPage {
        shell,
        mentor_accounts,
        teacher_accounts,
        is_employer,
        is_bureau: caller.role == Role::BureauAdmin,
        a,
        apprentices,
        levels,
        failed,
    };
    Ok((jar, html(status, page.render())).into_response())
}

async fn done(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    id: &str,
    form: &'static str,
    typed: Pairs,
    outcome: Result<String, AppError>,
) -> Result<Response, WebError> {
    let to = agreement_path(id);
    let again = async |jar, failed| render(app, session, jar, id, failed).await;
    finish(jar, to, form, typed, outcome, again).await
}

/// The enterprise submits its agreement to the bureau.
pub async fn submit(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Employer>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let caller = session.caller.clone();
    let outcome = app
        .write(async |txn| agreements::submit(txn, &caller, &id, app.now()).await)
        .await
        .map(|_| "已提交人社局备案。".to_owned());
    done(&app, &session, jar, &id, "submit", pairs, outcome).await
}

/// The bureau files (approves) a submitted agreement.
pub async fn file(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let caller = session.caller.clone();
    let outcome = app
        .write(async |txn| agreements::file(txn, &caller, &id, app.now()).await)
        .await
        .map(|_| "已备案，企业可以登记学徒。".to_owned());
    done(&app, &session, jar, &id, "file", pairs, outcome).await
}

/// The bureau returns a submitted agreement with its reason.
pub async fn send_back(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let caller = session.caller.clone();
    let input = agreements::ReturnInput {
        reason: field(&pairs, "reason"),
    };
    let outcome = app
        .write(async |txn| {
            agreements::return_to_employer(txn, &caller, &id, input, app.now()).await
        })
        .await
        .map(|_| "已退回企业修改。".to_owned());
    done(&app, &session, jar, &id, "return", pairs, outcome).await
}

/// The apprentice as the API takes it; a mentor or teacher left wholly blank is absent,
/// so that the refusal names the rule (企校双师).
fn apprentice_input(pairs: &Pairs) -> Result<ApprenticeInput, AppError> {
    let mut errors = FieldErrors::default();
    let starts = date_field(pairs, "contract_starts_on", &mut errors);
    let ends = date_field(pairs, "contract_ends_on", &mut errors);
    let (Some(contract_starts_on), Some(contract_ends_on)) = (starts, ends) else {
        return Err(unreadable(errors));
    };
    let mentor = [
        field(pairs, "mentor_name"),
        field(pairs, "mentor_post"),
        field(pairs, "mentor_skill_level"),
    ];
    let mentor = (!mentor.iter().all(String::is_empty)).then(|| {
        let [name, post, skill_level] = mentor;
        MentorInput {
            name,
            post,
            skill_level,
            account_id: optional(&field(pairs, "mentor_account_id")),
        }
    });
    let teacher = optional(&field(pairs, "teacher_name")).map(|name| TeacherInput {
        name,
        account_id: optional(&field(pairs, "teacher_account_id")),
    });
    Ok(ApprenticeInput {
        name: field(pairs, "name"),
        citizen_id: field(pairs, "citizen_id"),
        phone: optional(&field(pairs, "phone")),
        contract_starts_on,
        contract_ends_on,
        mentor,
        teacher,
    })
}

/// The enterprise registers an apprentice under its filed agreement.
pub async fn add_apprentice(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Employer>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let caller = session.caller.clone();
    let outcome = match apprentice_input(&pairs) {
        Ok(input) => app
            .write(async |txn| {
                apprentices::add(txn, &app.pii, &caller, &id, input, app.now()).await
            })
            .await
            .map(|a| format!("已登记学徒{}。", a.person.name)),
        Err(refused) => Err(refused),
    };
    done(&app, &session, jar, &id, "apprentice", pairs, outcome).await
}
