//! The pages people open in a browser: the home page, the public verification page, the
//! style sheet, and the HTML twin of every error. Pages call the same capability
//! functions as the JSON API and never show more than it would.

mod accounts;
mod apprenticeships;
mod assessor;
mod audit;
mod bureau;
mod certificate_actions;
mod certificates;
mod email;
mod employer;
mod feedback;
mod labels;
mod licensing;
mod lookup;
mod orders;
mod outbox;
mod provider;
mod report_flags;
mod report_periods;
mod report_rows;
mod reports;
pub mod session;
mod shares;
pub mod staff;
mod standard_pages;
mod trainee;
mod verify;

use askama::Template;
use axum::{
    Router,
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::get,
};

use super::AppState;
use crate::{
    error::AppError,
    pagination::PageParams,
    standards::{self, StatusFilter},
};

/// The pages' routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/sign-in", get(staff::sign_in_page).post(staff::sign_in))
        .route("/sign-out", axum::routing::post(staff::sign_out))
        .route(
            "/account/password",
            get(staff::password_page).post(staff::change_password),
        )
        .route("/v/{token}", get(verify::page).post(verify::page_match))
        .route("/static/site.css", get(style_sheet))
        .route("/static/weights.js", get(weights_script))
        // Each area's pages, listed in its own module.
        .merge(bureau::router())
        .merge(accounts::router())
        .merge(audit::router())
        .merge(standard_pages::router())
        .merge(provider::router())
        .merge(certificates::router())
        .merge(assessor::router())
        .merge(licensing::router())
        .merge(lookup::router())
        .merge(trainee::router())
        .merge(orders::router())
        .merge(apprenticeships::router())
        .merge(reports::router())
        .merge(report_periods::router())
        .merge(report_flags::router())
        .merge(report_rows::router())
        .merge(outbox::router())
        .merge(email::router())
}

/// An error on a browser route: the same facts as the JSON error, as a page.
#[derive(Debug)]
pub struct WebError(pub AppError);

impl From<AppError> for WebError {
    fn from(err: AppError) -> Self {
        Self(err)
    }
}

#[derive(Template)]
#[template(path = "errors/page.html")]
struct ErrorPage {
    status: u16,
    title: &'static str,
    message: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let err = self.0;
        if let AppError::Internal(e) = &err {
            tracing::error!(error = format!("{e:#}"), "page failed");
        }
        let status = super::error::status_of(&err);
        let (title, message) = match &err {
            AppError::NotFound => (
                "页面不存在",
                "您要找的页面或记录不存在，请检查地址是否正确。".to_owned(),
            ),
            AppError::Unauthenticated { .. } => ("请先登录", err.body().message),
            AppError::Forbidden { .. } => ("无权访问", err.body().message),
            AppError::RateLimited {
                message: Some(message),
                ..
            } => ("请求过于频繁", message.clone()),
            AppError::RateLimited {
                retry_after_secs,
                message: None,
            } => (
                "请求过于频繁",
                format!(
                    "为保护证书持有人的信息，访问次数受到限制。请在{}后再试。",
                    wait_in_words(*retry_after_secs)
                ),
            ),
            // Pages take forms only; the API's "must be JSON" would mislead here.
            AppError::UnsupportedMediaType => (
                "请求有误",
                "请通过页面上的表单提交。".to_owned(),
            ),
            AppError::Internal(_) => (
                "系统繁忙",
                "服务器暂时无法完成请求，请稍后再试。如果问题持续，请联系额尔古纳市人力资源和社会保障局。".to_owned(),
            ),
            _ => ("请求有误", err.body().message),
        };
        let page = ErrorPage {
            status: status.as_u16(),
            title,
            message,
        };
        let mut response = html(status, page.render());
        if let AppError::RateLimited {
            retry_after_secs, ..
        } = err
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

/// "30秒", "2分钟", "1小时5分钟": how long to wait, as a person says it.
fn wait_in_words(seconds: u64) -> String {
    match seconds {
        0..60 => format!("{}秒", seconds.max(1)),
        60..3600 => format!("{}分钟", seconds.div_ceil(60)),
        _ => {
            let minutes = seconds.div_ceil(60);
            match minutes % 60 {
                0 => format!("{}小时", minutes / 60),
                m => format!("{}小时{m}分钟", minutes / 60),
            }
        }
    }
}

/// A rendered page with its status; a template that fails to render is an internal
/// error.
fn html(status: StatusCode, rendered: Result<String, askama::Error>) -> Response {
    match rendered {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "rendering a page failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<!doctype html><meta charset=utf-8><title>系统繁忙</title><p>系统繁忙，请稍后再试。</p>"),
            )
                .into_response()
        }
    }
}

/// A page answering for an unknown address or method on a browser route.
pub fn error_page(err: AppError) -> Response {
    WebError(err).into_response()
}

pub struct StandardLine {
    code: String,
    name: String,
    version: i32,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    standards: Vec<StandardLine>,
}

/// The front page: for signed-in staff their task list; for everyone else what the
/// registry is, how to check a certificate, and the city's local standards in force.
async fn home(
    State(app): State<AppState>,
    session::MaybeSession(session): session::MaybeSession,
    jar: axum_extra::extract::cookie::CookieJar,
    page: axum::extract::Query<crate::pagination::PageParams>,
) -> Result<Response, WebError> {
    if let Some(session) = session {
        if session.caller.role == crate::access::Role::Employer {
            return employer::home(&app, session, jar, page).await;
        }
        return staff::home(&app, session, jar).await;
    }
    let page = PageParams {
        limit: Some(50),
        cursor: None,
    };
    let published = standards::list(&app.db.read, StatusFilter::Published, false, &page).await?;
    let page = HomePage {
        standards: published
            .items
            .into_iter()
            .map(|s| StandardLine {
                code: s.spec.code,
                name: s.spec.name,
                version: s.version,
            })
            .collect(),
    };
    Ok(html(StatusCode::OK, page.render()))
}

const STYLE_SHEET: &str = include_str!("../../../static/site.css");

const WEIGHTS_JS: &str = include_str!("../../../static/weights.js");

async fn weights_script() -> impl IntoResponse {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/javascript; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        WEIGHTS_JS,
    )
}

async fn style_sheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE_SHEET,
    )
}

#[cfg(test)]
mod tests {
    use super::wait_in_words;

    #[test]
    fn waits_read_as_a_person_says_them() {
        assert_eq!(wait_in_words(0), "1秒");
        assert_eq!(wait_in_words(42), "42秒");
        assert_eq!(wait_in_words(61), "2分钟");
        assert_eq!(wait_in_words(3600), "1小时");
        assert_eq!(wait_in_words(3900), "1小时5分钟");
    }
}
