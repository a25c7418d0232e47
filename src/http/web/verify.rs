//! The public verification page behind every QR code (`/v/{token}`, Chinese with an
//! English switch, made for a phone) and its holder-match form, behind the same rate
//! limits as the JSON twin.

use askama::Template;
use axum::{
    Form,
    extract::{
        FromRequestParts, Path, Query, State,
        rejection::{FormRejection, PathRejection, QueryRejection},
    },
    http::{StatusCode, request::Parts},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{
    WebError, html,
    labels::{EN, Labels, ZH},
};
use crate::{
    error::AppError,
    http::{
        AppState,
        client::ClientAddr,
        rate_limit::{check_client, match_allowed},
    },
    stored::Stored,
    verification::{self, HolderClaim, Verification},
};

/// Passes when the client is under its verification rate; otherwise the 429 page.
pub struct PageRate;

impl FromRequestParts<AppState> for PageRate {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        Ok(check_client(state, parts).map(|()| Self)?)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct LangQuery {
    /// `en` for English; Chinese otherwise.
    lang: Option<String>,
}

/// The page's language from the query; a query that does not parse asks for nothing, so
/// the page is Chinese.
fn language(query: Result<Query<LangQuery>, QueryRejection>) -> LangQuery {
    query.map(|Query(q)| q).unwrap_or_default()
}

/// The token from the address and the language from the query. A token that is not even
/// text (broken percent-encoding) has no page: `None`.
fn token_and_language(
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<LangQuery>, QueryRejection>,
) -> Option<(String, LangQuery)> {
    let Path(token) = path.ok()?;
    Some((token, language(query)))
}

/// A form the page cannot read, answered as a page with the status it deserves.
fn form_refused(rejection: &FormRejection) -> Response {
    let err = match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType,
        _ => AppError::Malformed {
            message: "表单内容无效，请返回重新填写".into(),
        },
    };
    WebError(err).into_response()
}

fn labels(q: &LangQuery) -> (&'static Labels, &'static str) {
    if q.lang.as_deref() == Some("en") {
        (&EN, "en")
    } else {
        (&ZH, "zh-CN")
    }
}

pub struct ChainRow {
    pub title: String,
    pub number: String,
    /// The stored word, as the style's class.
    pub status: &'static str,
    pub status_text: &'static str,
    /// As issued; the current name follows when the issuer was renamed since.
    pub issuer_name: String,
    pub issuer_current_name: Option<String>,
    pub verify_url: String,
}

#[derive(Template)]
#[template(path = "verify/page.html")]
pub struct VerifyPage {
    t: &'static Labels,
    lang: &'static str,
    lang_query: &'static str,
    switch_href: String,
    token: String,
    status_text: &'static str,
    /// The stored status word, as the banner's style class.
    status_class: &'static str,
    why: String,
    /// The certificate's title, with its English name on the English page.
    title: String,
    superseded_by: Option<ChainRow>,
    chain: Vec<ChainRow>,
    v: Verification,
    answer: Option<Answer>,
}

/// The holder match's answer on the page.
pub struct Answer {
    /// `yes`, `no` or `wait` (the style).
    class: &'static str,
    text: &'static str,
}

/// What the page's holder-match form got.
#[derive(Clone, Copy)]
enum Matched {
    Yes,
    No,
    TooMany,
}

#[derive(Template)]
#[template(path = "verify/not_found.html")]
pub struct NotFoundPage {
    t: &'static Labels,
    lang: &'static str,
    switch_href: String,
}

fn row(t: &Labels, c: verification::ChainEntry) -> ChainRow {
    ChainRow {
        status_text: t.status(c.status),
        title: c.title,
        number: c.number,
        status: c.status.as_str(),
        issuer_name: c.issuer_name,
        issuer_current_name: c.issuer_current_name,
        verify_url: c.verify_url,
    }
}

fn render_page(
    token: &str,
    q: &LangQuery,
    mut v: Verification,
    matched: Option<Matched>,
) -> Response {
    let (t, lang) = labels(q);
    let english = t.english;
    let why = t.why(&v);
    let page = VerifyPage {
        t,
        lang,
        lang_query: if english { "?lang=en" } else { "" },
        switch_href: if english {
            format!("/v/{token}")
        } else {
            format!("/v/{token}?lang=en")
        },
        token: token.to_owned(),
        status_text: t.status(v.status),
        why,
        answer: matched.map(|m| match m {
            Matched::Yes => Answer {
                class: "yes",
                text: t.match_yes,
            },
            Matched::No => Answer {
                class: "no",
                text: t.match_no,
            },
            Matched::TooMany => Answer {
                class: "wait",
                text: t.match_too_many,
            },
        }),
        status_class: v.status.as_str(),
        title: if english {
            format!("{} ({})", v.title, v.kind.english_label())
        } else {
            v.title.clone()
        },
        superseded_by: v.superseded_by.take().map(|c| row(t, c)),
        chain: std::mem::take(&mut v.chain)
            .into_iter()
            .map(|c| row(t, c))
            .collect(),
        v,
    };
    html(StatusCode::OK, page.render())
}

fn not_found_page(token: &str, q: &LangQuery) -> Response {
    let (t, lang) = labels(q);
    let switch_href = if t.english {
        format!("/v/{token}")
    } else {
        format!("/v/{token}?lang=en")
    };
    html(
        StatusCode::NOT_FOUND,
        NotFoundPage {
            t,
            lang,
            switch_href,
        }
        .render(),
    )
}

/// An unknown token is the bilingual not-found page; anything else the error page.
fn page_error(token: &str, q: &LangQuery, err: AppError) -> Response {
    match err {
        AppError::NotFound => not_found_page(token, q),
        other => WebError(other).into_response(),
    }
}

/// The verification page a QR code opens.
///
/// An employer's account signed in in the same browser keeps a record of it (its own
/// list of checked certificates); a public visitor's request reads no session.
pub async fn page(
    State(app): State<AppState>,
    _: PageRate,
    session: Result<super::session::MaybeSession, Response>,
    token: Result<Path<String>, PathRejection>,
    q: Result<Query<LangQuery>, QueryRejection>,
) -> Response {
    let Some((token, q)) = token_and_language(token, q) else {
        return WebError(AppError::NotFound).into_response();
    };
    let v = match app
        .verification
        .lookup(&app.db.read, &token, app.now().today)
        .await
    {
        Ok(v) => v,
        Err(e) => return page_error(&token, &q, e),
    };
    if let Ok(super::session::MaybeSession(Some(session))) = &session {
        let noted = app
            .write(async |txn| {
                verification::checks::note_token(txn, &session.caller, &token, app.now()).await
            })
            .await;
        if let Err(e) = noted {
            tracing::warn!(error = %e, "an employer's check was not recorded");
        }
    }
    render_page(&token, &q, v, None)
}

#[derive(Deserialize)]
pub struct HolderForm {
    name: String,
    citizen_id: String,
}

/// The page's holder-match form.
pub async fn page_match(
    State(app): State<AppState>,
    _: PageRate,
    client: ClientAddr,
    token: Result<Path<String>, PathRejection>,
    q: Result<Query<LangQuery>, QueryRejection>,
    form: Result<Form<HolderForm>, FormRejection>,
) -> Response {
    let Some((token, q)) = token_and_language(token, q) else {
        return WebError(AppError::NotFound).into_response();
    };
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return form_refused(&rejection),
    };
    let claim = HolderClaim {
        name: form.name,
        citizen_id: form.citizen_id,
    };
    let v = match app
        .verification
        .lookup(&app.db.read, &token, app.now().today)
        .await
    {
        Ok(v) => v,
        Err(e) => return page_error(&token, &q, e),
    };
    if let Err(limited) = match_allowed(&app, client, &token) {
        let mut page = render_page(&token, &q, v, Some(Matched::TooMany));
        *page.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        if let AppError::RateLimited {
            retry_after_secs, ..
        } = limited
        {
            page.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after_secs),
            );
        }
        return page;
    }
    match verification::holder_matches(&app.db.read, &app.certs, &token, &claim).await {
        Ok(true) => render_page(&token, &q, v, Some(Matched::Yes)),
        Ok(false) => render_page(&token, &q, v, Some(Matched::No)),
        Err(e) => page_error(&token, &q, e),
    }
}
