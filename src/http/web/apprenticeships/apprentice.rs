//! One apprentice's page: who they are (masked as the API masks them), the labour
//! contract, both mentors, where they stand, and the plan's milestones with who completed
//! each and when. The enterprise and the provider record milestones (each its own side);
//! the enterprise records leaving, pausing, resuming and completing.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::CookieJar;

use super::{Failed, Pairs, apprentice_path, date_field, field, finish, unreadable};
use crate::{
    access::Role,
    apprenticeships::{
        self, Agreement, ApprenticeStatus,
        apprentices::{self, Apprentice},
        progress::{self, DatedInput, MilestoneDoneInput},
    },
    certificates::apprenticed::{self, ApprenticeCertificateRequest, listed::Listed},
    error::AppError,
    http::{
        AppState,
        policy::{ApprenticeshipParties, Employer, MilestoneRecorders, Provider},
        web::{
            WebError, html,
            session::{CheckedForm, Session, SignedIn},
            staff::{FieldErrors, Shell},
        },
    },
    stored::Stored,
};

#[derive(Template)]
#[template(path = "apprenticeships/apprentice.html")]
struct ApprenticePage {
    shell: Shell,
    a: Agreement,
    p: Apprentice,
    /// The enterprise's staff: they change the apprentice's standing.
    is_employer: bool,
    /// The enterprise or the provider: they record milestones.
    records_milestones: bool,
    /// The provider: it issues the apprenticeship certificate once completed.
    is_provider: bool,
    certificates: Vec<Listed>,
    today: String,
    failed: Failed,
}

impl ApprenticePage {
    fn running(&self) -> bool {
        self.p.status.is_running()
    }

    fn paused(&self) -> bool {
        self.p.status == ApprenticeStatus::Paused
    }

    fn completed(&self) -> bool {
        self.p.status == ApprenticeStatus::Completed
    }

    fn active(&self) -> bool {
        self.p.status == ApprenticeStatus::Active
    }

    /// The error of `field` under milestone `id`'s form.
    fn milestone_error(&self, id: &str) -> Option<&str> {
        let refused = self.failed.typed("milestone") == id;
        refused
            .then(|| {
                self.failed
                    .error("milestone", "completed_on")
                    .or(self.failed.refused("milestone"))
            })
            .flatten()
    }
}

/// The apprentice page.
pub async fn page(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<ApprenticeshipParties>,
    jar: CookieJar,
    Path((id, apprentice)): Path<(String, String)>,
) -> Result<Response, WebError> {
    render(&app, &session, jar, (&id, &apprentice), Failed::none()).await
}

async fn render(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    (id, apprentice): (&str, &str),
    failed: Failed,
) -> Result<Response, WebError> {
    let conn = &app.db.read;
    let caller = &session.caller;
    let a = apprenticeships::get(conn, caller, id).await?;
    let p = apprentices::get(conn, &app.pii, caller, id, apprentice).await?;
    let is_employer = caller.role == Role::Employer && caller.belongs_to(&a.employer.id);
    let is_provider = caller.role == Role::ProviderStaff && caller.belongs_to(&a.provider.id);
    let certificates = apprenticed::listed::of_apprentice(conn, &p.id).await?;
    let (shell, jar) = Shell::load(app, session, "/apprenticeships", jar).await?;
    let status = failed.refusal.status;
    let page = ApprenticePage {
        shell,
        a,
        p,
        is_employer,
        records_milestones: is_employer || is_provider,
        is_provider,
        certificates,
        today: app.now().today.to_string(),
        failed,
    };
    Ok((jar, html(status, page.render())).into_response())
}

async fn done(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    ids: (&str, &str),
    form: &'static str,
    typed: Pairs,
    outcome: Result<String, AppError>,
) -> Result<Response, WebError> {
    let to = apprentice_path(ids.0, ids.1);
    let again = async |jar, failed| render(app, session, jar, ids, failed).await;
    finish(jar, to, form, typed, outcome, again).await
}

/// The enterprise or the provider records a milestone completed (its own side).
pub async fn milestone(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<MilestoneRecorders>,
    jar: CookieJar,
    Path((id, apprentice, milestone)): Path<(String, String, String)>,
    CheckedForm(mut pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let mut errors = FieldErrors::default();
    let outcome = match date_field(&pairs, "completed_on", &mut errors) {
        None => Err(unreadable(errors)),
        Some(completed_on) => {
            let caller = session.caller.clone();
            let ids = (id.as_str(), apprentice.as_str(), milestone.as_str());
            let input = MilestoneDoneInput { completed_on };
            app.write(async |txn| {
                progress::complete_milestone(txn, &app.pii, &caller, ids, input, app.now()).await
            })
            .await
            .map(|p| {
                let title = p
                    .milestones
                    .iter()
                    .find(|m| m.milestone_id == milestone)
                    .map_or("", |m| m.title.as_str());
                format!("已记录节点“{title}”完成。")
            })
        }
    };
    pairs.push(("milestone".to_owned(), milestone.clone()));
    done(
        &app,
        &session,
        jar,
        (&id, &apprentice),
        "milestone",
        pairs,
        outcome,
    )
    .await
}

/// The enterprise records a change of the apprentice's standing: `leave`, `pause`,
/// `resume` or `complete`.
pub async fn change(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Employer>,
    jar: CookieJar,
    Path((id, apprentice, change)): Path<(String, String, String)>,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let form: &'static str = match change.as_str() {
        "leave" => "leave",
        "pause" => "pause",
        "resume" => "resume",
        "complete" => "complete",
        _ => return Err(AppError::NotFound.into()),
    };
    let mut errors = FieldErrors::default();
    let on = date_field(&pairs, "on", &mut errors);
    let outcome = match on {
        None => Err(unreadable(errors)),
        Some(on) => {
            let input = DatedInput {
                on,
                reason: field(&pairs, "reason"),
            };
            let caller = session.caller.clone();
            let (a, p) = (id.as_str(), apprentice.as_str());
            let keys = &app.pii;
            app.write(async |txn| match form {
                "leave" => progress::leave(txn, keys, &caller, a, p, input, app.now()).await,
                "complete" => progress::complete(txn, keys, &caller, a, p, input, app.now()).await,
                _ => {
                    let pause = form == "pause";
                    progress::pause_or_resume(txn, keys, &caller, (a, p), input, pause, app.now())
                        .await
                }
            })
            .await
            .map(|p| format!("{}：{}。", p.person.name, p.status_label))
        }
    };
    done(
        &app,
        &session,
        jar,
        (&id, &apprentice),
        form,
        pairs,
        outcome,
    )
    .await
}

/// The provider issues the apprenticeship certificate of a completed apprentice; the same
/// grounds again show the one already issued.
pub async fn certificate(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Provider>,
    jar: CookieJar,
    Path((id, apprentice)): Path<(String, String)>,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let caller = session.caller.clone();
    let ids = (id.as_str(), apprentice.as_str());
    let req = ApprenticeCertificateRequest {
        kind: crate::programs::CertificateKind::Apprenticeship,
        assessment_id: None,
    };
    let outcome = app
        .write(async |txn| apprenticed::issue(txn, &app.certs, &caller, ids, &req, app.now()).await)
        .await
        .map(|issued| {
            let number = issued.certificate.number;
            match issued.created {
                true => format!("已颁发学徒培训证书 {number}。"),
                false => format!("该学徒已有学徒培训证书 {number}。"),
            }
        });
    done(&app, &session, jar, ids, "certificate", pairs, outcome).await
}
