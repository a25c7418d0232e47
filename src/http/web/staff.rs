//! The staff side of the site: signing in and out, the frame every signed-in page shares
//! (the role's navigation, the organisation's name, flash messages) and the home page,
//! which is the organisation's task list.

use askama::Template;
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use secrecy::SecretString;
use serde::Deserialize;

pub use super::feedback::{FieldErrors, Flash, Refusal, optional, with_flash, with_flash_error};
use super::{
    WebError,
    feedback::take_flash,
    html,
    session::{
        CheckedForm, MaybeSession, SESSION_COOKIE, Session, anonymous_form_token, safe_next,
        secure_cookies, session_cookie,
    },
};
use crate::{
    access::{Role, Scope},
    auth::{self, password_change},
    error::AppError,
    http::{AppState, client::ClientAddr, sign_in},
    organisations,
    tasks::{self, TaskList},
};

/// The frame of a signed-in page.
pub struct Shell {
    pub login: String,
    pub role_label: &'static str,
    pub org_name: Option<String>,
    pub csrf: String,
    pub nav: Vec<NavLink>,
    pub flash: Option<Flash>,
}

pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// The pages each role works in, in the order its navigation lists them.
fn nav_of(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut links = vec![("/", "待办事项")];
    match role {
        Role::BureauAdmin => links.extend([
            ("/organisations", "单位管理"),
            ("/orders", "培训订单"),
            ("/apprenticeships", "学徒制"),
            ("/reports", "统计报表"),
            ("/outbox", "邮件"),
            ("/accounts", "账号管理"),
            ("/standards", "地方标准"),
            ("/audit", "审计日志"),
        ]),
        Role::ProviderStaff => links.extend([
            ("/programs", "培训项目"),
            ("/cohorts", "班次"),
            ("/orders", "培训订单"),
            ("/apprenticeships", "学徒制"),
            ("/outbox", "邮件"),
        ]),
        Role::Assessor => links.extend([("/assessments", "考核评价"), ("/outbox", "邮件")]),
        Role::LicensingOfficer => {
            links.extend([("/licences", "颁发准入证书"), ("/outbox", "邮件")])
        }
        Role::Trainee => {
            links = vec![
                ("/me", "我的证书"),
                ("/me/apprenticeships", "学徒培养"),
                ("/me/email", "电子邮箱"),
            ]
        }
        Role::Employer => {
            links[0] = ("/", "证书查验");
            links.extend([("/orders", "培训订单"), ("/apprenticeships", "学徒制")]);
        }
    }
    links.push(("/account/password", "修改密码"));
    links
}

impl Shell {
    /// The frame for `session` on the page at `path`; takes the flash message out of
    /// `jar` (the returned jar clears it).
    pub async fn load(
        app: &AppState,
        session: &Session,
        path: &str,
        jar: CookieJar,
    ) -> Result<(Self, CookieJar), AppError> {
        let org_name = match &session.caller.organisation_id {
            Some(id) => Some(
                organisations::get(&app.db.read, &Scope::All, id)
                    .await?
                    .name,
            ),
            None => None,
        };
        let (jar, flash) = take_flash(jar);
        let shell = Self {
            login: session.caller.login.clone(),
            role_label: session.caller.role.label(),
            org_name,
            csrf: session.csrf.clone(),
            nav: nav_of(session.caller.role)
                .into_iter()
                .map(|(href, label)| NavLink {
                    href,
                    label,
                    current: href == path,
                })
                .collect(),
            flash,
        };
        Ok((shell, jar))
    }
}

#[derive(Template)]
#[template(path = "auth/sign_in.html")]
struct SignInPage {
    csrf: String,
    next: String,
    login: String,
    errors: FieldErrors,
    refusal: Option<String>,
    notice: Option<Flash>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The sign-in form; someone already signed in goes on to where they were headed.
pub async fn sign_in_page(
    State(app): State<AppState>,
    MaybeSession(session): MaybeSession,
    jar: CookieJar,
    Query(q): Query<NextQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    if session.is_some() {
        return Redirect::to(&next).into_response();
    }
    let (jar, csrf) = anonymous_form_token(jar, secure_cookies(&app));
    let (jar, notice) = take_flash(jar);
    let page = SignInPage {
        csrf,
        next,
        login: String::new(),
        errors: FieldErrors::default(),
        refusal: None,
        notice,
    };
    (jar, html(StatusCode::OK, page.render())).into_response()
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// Signs in with the same throttle as the API: a wrong password is shown under the
/// field with the login kept, a lock says until when.
pub async fn sign_in(
    State(app): State<AppState>,
    client: ClientAddr,
    jar: CookieJar,
    CheckedForm(form): CheckedForm<SignInForm>,
) -> Response {
    let secure = secure_cookies(&app);
    let next = safe_next(form.next.as_deref());
    let login = form.login.trim().to_owned();
    let password = SecretString::from(form.password);
    let mut errors = FieldErrors::default();
    let mut refusal = None;
    if login.is_empty() {
        errors.push("login", "请填写登录名");
    }
    if secrecy::ExposeSecret::expose_secret(&password).is_empty() {
        errors.push("password", "请填写密码");
    }
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty() {
        match sign_in::sign_in(&app, client, &login, &password).await {
            Ok(issued) => {
                let jar = jar.add(session_cookie(issued.token, secure));
                return (jar, Redirect::to(&next)).into_response();
            }
            Err(AppError::Unauthenticated { .. }) => {
                status = StatusCode::UNAUTHORIZED;
                errors.push("password", "登录名或密码不正确");
            }
            Err(AppError::RateLimited { message, .. }) => {
                status = StatusCode::TOO_MANY_REQUESTS;
                refusal = Some(message.unwrap_or_else(|| "尝试次数过多，请稍后再试。".into()));
            }
            Err(AppError::Forbidden { message }) => {
                status = StatusCode::FORBIDDEN;
                refusal = Some(message);
            }
            Err(e) => return WebError(e).into_response(),
        }
    }
    let (jar, csrf) = anonymous_form_token(jar, secure);
    let page = SignInPage {
        csrf,
        next,
        login,
        errors,
        refusal,
        notice: None,
    };
    (jar, html(status, page.render())).into_response()
}

#[derive(Deserialize)]
pub struct Empty {}

/// Ends the session on every instance (its token is revoked) and forgets the cookie.
pub async fn sign_out(
    State(app): State<AppState>,
    session: Session,
    jar: CookieJar,
    CheckedForm(Empty {}): CheckedForm<Empty>,
) -> Result<Response, WebError> {
    let caller = session.caller;
    app.write(async |txn| auth::revoke_token(txn, &caller, &caller.token_id, app.now()).await)
        .await?;
    let jar = with_flash(
        jar.remove(Cookie::build(SESSION_COOKIE).path("/")),
        "您已退出登录。",
    );
    Ok((jar, Redirect::to("/sign-in")).into_response())
}

#[derive(Template)]
#[template(path = "staff/home.html")]
struct HomePage {
    shell: Shell,
    tasks: TaskList,
    nothing_to_do: bool,
    is_bureau: bool,
}

/// A signed-in caller's home: the organisation's task list.
pub async fn home(app: &AppState, session: Session, jar: CookieJar) -> Result<Response, WebError> {
    if let Some(own) = super::trainee::home_of(session.caller.role) {
        return Ok((jar, Redirect::to(own)).into_response());
    }
    let tasks = tasks::for_caller(&app.db.read, &session.caller, app.now()).await?;
    let nothing_to_do = [
        tasks.fallen_grounds.as_ref().map(|s| s.total),
        tasks.results_missing.as_ref().map(|s| s.total),
        tasks.completions_to_issue.as_ref().map(|s| s.total),
        tasks.licences_expiring.as_ref().map(|s| s.total),
        tasks.organisations_waiting.as_ref().map(|s| s.total),
        tasks.orders_overdue.as_ref().map(|s| s.total),
        tasks.orders_waiting.as_ref().map(|s| s.total),
        tasks.agreements_waiting.as_ref().map(|s| s.total),
        tasks.milestones_due.as_ref().map(|s| s.total),
    ]
    .into_iter()
    .flatten()
    .all(|n| n == 0);
    let (shell, jar) = Shell::load(app, &session, "/", jar).await?;
    let page = HomePage {
        is_bureau: session.caller.is_bureau(),
        shell,
        tasks,
        nothing_to_do,
    };
    Ok((jar, html(StatusCode::OK, page.render())).into_response())
}

#[derive(Template)]
#[template(path = "staff/password.html")]
struct PasswordPage {
    shell: Shell,
    errors: FieldErrors,
}

pub async fn password_page(
    State(app): State<AppState>,
    session: Session,
    jar: CookieJar,
) -> Result<Response, WebError> {
    let (shell, jar) = Shell::load(&app, &session, "/account/password", jar).await?;
    let page = PasswordPage {
        shell,
        errors: FieldErrors::default(),
    };
    Ok((jar, html(StatusCode::OK, page.render())).into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

/// Changes the caller's password: the current one is checked under the sign-in
/// throttle, the new one hashed off the async workers, and the account's other sessions
/// end.
pub async fn change_password(
    State(app): State<AppState>,
    client: ClientAddr,
    session: Session,
    jar: CookieJar,
    CheckedForm(form): CheckedForm<PasswordForm>,
) -> Result<Response, WebError> {
    let current = SecretString::from(form.current);
    let new = SecretString::from(form.new);
    let repeat = SecretString::from(form.repeat);
    let mut errors = FieldErrors::from_fields(&password_change::check_new(&current, &new, &repeat));
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty() {
        match sign_in::checked(&app, client, &session.caller.login, &current).await {
            Ok((_, attempt)) => {
                let hash = tokio::task::spawn_blocking(move || auth::password::hash(&new))
                    .await
                    .map_err(|e| AppError::Internal(e.into()))?
                    .map_err(AppError::Internal)?;
                let caller = session.caller.clone();
                let now = app.now();
                app.write(async |txn| {
                    auth::throttle::succeeded(txn, &attempt).await?;
                    password_change::change(txn, &caller, hash, now).await
                })
                .await?;
                let jar = with_flash(jar, "密码已修改，本账号在其他设备上的登录已失效。");
                return Ok((jar, Redirect::to("/")).into_response());
            }
            Err(AppError::Unauthenticated { .. }) => {
                status = StatusCode::UNAUTHORIZED;
                errors.push("current", "当前密码不正确");
            }
            Err(AppError::RateLimited { message, .. }) => {
                status = StatusCode::TOO_MANY_REQUESTS;
                let message = message.unwrap_or_else(|| "尝试次数过多，请稍后再试。".into());
                errors.push("current", &message);
            }
            Err(e) => return Err(e.into()),
        }
    }
    let (shell, jar) = Shell::load(&app, &session, "/account/password", jar).await?;
    let page = PasswordPage { shell, errors };
    Ok((jar, html(status, page.render())).into_response())
}
