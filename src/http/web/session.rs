//! Signed-in pages: the session, the CSRF token every form carries, and the frame every
//! staff page shares.
//!
//! A browser session is one of the registry's own tokens (`api_tokens`, label `web`),
//! carried in an HttpOnly, SameSite=Lax cookie (Secure when the public address is https)
//! instead of an `Authorization` header: it is stored server-side, so signing out or an
//! expiry holds on every instance, and a page is authenticated exactly as the API is
//! (account disabled, organisation suspended, token revoked). A form's CSRF token is
//! derived from the session token (SHA-256 with a label), which a page from another site
//! can neither read nor compute; forms shown before signing in use a random token in a
//! cookie of its own, submitted back beside it (double submit).

use axum::{
    extract::{FromRequest, FromRequestParts, Request},
    http::request::Parts,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::WebError;
use crate::{
    access::Caller,
    auth::{self, AuthError},
    error::AppError,
    http::{AppState, policy::Policy},
};

/// The session cookie: a registry token.
pub const SESSION_COOKIE: &str = "registry_session";
/// The CSRF token of forms shown to someone not signed in.
pub const FORM_COOKIE: &str = "registry_form";
/// The form field every form posts its CSRF token in.
pub const CSRF_FIELD: &str = "csrf";

/// A signed-in caller, with the CSRF token their forms carry. Without a valid session a
/// page answers with a redirect to the sign-in page, which returns here afterwards.
#[derive(Clone)]
pub struct Session {
    pub caller: Caller,
    pub csrf: String,
}

/// The session as read once for a request (kept in its extensions), so the extractors of
/// one request — the page's and its form's — look the token up once.
#[derive(Clone)]
struct ReadSession(Option<Session>);

/// The CSRF token of a session: a digest of its token, so it needs no storage and
/// changes with each sign-in.
fn csrf_of(session_token: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"registry-csrf\0")
        .chain_update(session_token.as_bytes())
        .finalize();
    hex::encode(&digest[..16])
}

/// Where the sign-in page should send the browser back to: a path on this site only.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn to_sign_in(parts: &Parts) -> Response {
    let here = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let query = serde_urlencoded::to_string([("next", here.as_str())]).unwrap_or_default();
    let jar = CookieJar::new().remove(Cookie::build(SESSION_COOKIE).path("/"));
    (jar, Redirect::to(&format!("/sign-in?{query}"))).into_response()
}

impl Session {
    /// The session of these request parts, if a valid one is present; `Err` for a
    /// present token whose account or organisation may no longer act (a 403 page).
    async fn read(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, AppError> {
        if let Some(ReadSession(read)) = parts.extensions.get::<ReadSession>() {
            return Ok(read.clone());
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) else {
            return Ok(None);
        };
        let read = match auth::authenticate(&state.db.read, &token, state.now()).await {
            Ok(caller) => {
                tracing::Span::current().record("account", caller.account_id.as_str());
                Some(Self {
                    caller,
                    csrf: csrf_of(&token),
                })
            }
            Err(AuthError::InvalidToken) => None,
            Err(e) => return Err(e.into()),
        };
        parts.extensions.insert(ReadSession(read.clone()));
        Ok(read)
    }
}

impl FromRequestParts<AppState> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match Self::read(parts, state).await {
            Ok(Some(session)) => Ok(session),
            Ok(None) => Err(to_sign_in(parts)),
            Err(e) => Err(WebError(e).into_response()),
        }
    }
}

/// A session whose role the policy `P` allows; any other signed-in role gets a 403 page.
pub struct SignedIn<P>(pub Session, pub std::marker::PhantomData<P>);

impl<P: Policy + Send + Sync> FromRequestParts<AppState> for SignedIn<P> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let session = Session::from_request_parts(parts, state).await?;
        session
            .caller
            .require(P::ROLES)
            .map_err(|e| WebError(e).into_response())?;
        Ok(Self(session, std::marker::PhantomData))
    }
}

/// The session if the browser has a valid one; pages open to everyone use it to show
/// more to staff.
pub struct MaybeSession(pub Option<Session>);

impl FromRequestParts<AppState> for MaybeSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        Session::read(parts, state)
            .await
            .map(Self)
            .map_err(|e| WebError(e).into_response())
    }
}

/// The token a form shown to someone not signed in carries, and the cookie that must
/// come back beside it: the browser's existing one, or a new random one.
pub fn anonymous_form_token(jar: CookieJar, secure: bool) -> (CookieJar, String) {
    if let Some(existing) = jar.get(FORM_COOKIE).map(|c| c.value().to_owned())
        && existing.len() == 32
        && existing.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return (jar, existing);
    }
    let token = hex::encode(rand::random::<[u8; 16]>());
    let cookie = Cookie::build((FORM_COOKIE, token.clone()))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .build();
    (jar.add(cookie), token)
}

/// The session cookie for a freshly issued token.
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .build()
}

/// Whether cookies must be marked Secure: when the registry's public address is https.
pub fn secure_cookies(state: &AppState) -> bool {
    state.config.base_url.starts_with("https://")
}

/// A posted form whose CSRF token matched: the session's when signed in, the form
/// cookie's otherwise. Any other post is refused with a 403 page and never reaches the
/// handler.
pub struct CheckedForm<T>(pub T);

/// The most a page's form may post (a results table of a large cohort fits).
const FORM_LIMIT: usize = 256 * 1024;

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CheckedForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let expected = match Session::read(&mut parts, state).await {
            Ok(Some(session)) => Some(session.csrf),
            Ok(None) => CookieJar::from_headers(&parts.headers)
                .get(FORM_COOKIE)
                .map(|c| c.value().to_owned()),
            Err(e) => return Err(WebError(e).into_response()),
        };
        let bytes = axum::body::to_bytes(body, FORM_LIMIT)
            .await
            .map_err(|_| WebError(AppError::TooLarge).into_response())?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| WebError(bad_form()).into_response())?;
        let sent = pairs
            .iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v.as_str());
        if expected.is_none() || sent != expected.as_deref() {
            return Err(WebError(AppError::Forbidden {
                message: "页面已过期或来源不明，请刷新页面后重新提交。".to_owned(),
            })
            .into_response());
        }
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| WebError(bad_form()).into_response())?;
        Ok(Self(form))
    }
}

fn bad_form() -> AppError {
    AppError::Malformed {
        message: "表单内容无法识别，请刷新页面后重新填写。".to_owned(),
    }
}

/// A posted `multipart/form-data` form whose CSRF token matched (the session's when
/// signed in, the form cookie's otherwise), with its `file` (if one was chosen) and its
/// other text fields. Like [`CheckedForm`], a post without the right token is refused
/// with a 403 page before the handler runs; pages for staff only put [`SignedIn`] first.
pub struct CheckedUpload {
    pub file: Option<axum::body::Bytes>,
    pub fields: Vec<(String, String)>,
}

impl CheckedUpload {
    /// The text field `name`, if posted.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl FromRequest<AppState> for CheckedUpload {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let expected = match Session::read(&mut parts, state).await {
            Ok(Some(session)) => Some(session.csrf),
            Ok(None) => CookieJar::from_headers(&parts.headers)
                .get(FORM_COOKIE)
                .map(|c| c.value().to_owned()),
            Err(e) => return Err(WebError(e).into_response()),
        };
        let req = Request::from_parts(parts, body);
        let mut multipart = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|_| WebError(bad_form()).into_response())?;
        let mut upload = Self {
            file: None,
            fields: Vec::new(),
        };
        let unreadable = |e: axum::extract::multipart::MultipartError| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                WebError(AppError::TooLarge).into_response()
            } else {
                WebError(bad_form()).into_response()
            }
        };
        while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "file" {
                let bytes = field.bytes().await.map_err(unreadable)?;
                upload.file = (!bytes.is_empty()).then_some(bytes);
            } else {
                let value = field.text().await.map_err(unreadable)?;
                upload.fields.push((name, value));
            }
        }
        if expected.is_none() || upload.field(CSRF_FIELD) != expected.as_deref() {
            return Err(WebError(AppError::Forbidden {
                message: "页面已过期或来源不明，请刷新页面后重新提交。".to_owned(),
            })
            .into_response());
        }
        Ok(upload)
    }
}
