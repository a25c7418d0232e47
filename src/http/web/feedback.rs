//! What a page tells back: the per-field messages of a refusal, and flash messages that
//! travel in a one-shot cookie across the redirect after a form.

use axum_extra::extract::cookie::{Cookie, CookieJar};

use axum::http::StatusCode;

use crate::error::{AppError, FieldError};

/// A flash message: set before a redirect, shown once on the next page.
const FLASH_COOKIE: &str = "registry_flash";

/// A flash message for the next page: what was done.
pub fn with_flash(jar: CookieJar, message: &str) -> CookieJar {
    flash(jar, "ok", message)
}

/// A flash message for the next page: what was refused, and why.
pub fn with_flash_error(jar: CookieJar, message: &str) -> CookieJar {
    flash(jar, "error", message)
}

fn flash(jar: CookieJar, kind: &str, message: &str) -> CookieJar {
    let value = serde_urlencoded::to_string([("k", kind), ("m", message)]).unwrap_or_default();
    jar.add(
        Cookie::build((FLASH_COOKIE, value))
            .path("/")
            .http_only(true)
            .build(),
    )
}

/// A message shown once at the top of a page.
pub struct Flash {
    pub message: String,
    pub is_error: bool,
}

pub(super) fn take_flash(jar: CookieJar) -> (CookieJar, Option<Flash>) {
    let Some(raw) = jar.get(FLASH_COOKIE).map(|c| c.value().to_owned()) else {
        return (jar, None);
    };
    let pairs = serde_urlencoded::from_str::<Vec<(String, String)>>(&raw).unwrap_or_default();
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let flash = field("m")
        .filter(|m| !m.is_empty() && m.chars().count() <= 300)
        .map(|message| Flash {
            message,
            is_error: field("k").as_deref() == Some("error"),
        });
    (jar.remove(Cookie::build(FLASH_COOKIE).path("/")), flash)
}

/// The per-field messages of a refusal, for the template to show under each field.
#[derive(Default)]
pub struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    pub fn from_fields(fields: &[FieldError]) -> Self {
        Self(
            fields
                .iter()
                .map(|f| (f.field.clone(), f.message.clone()))
                .collect(),
        )
    }

    pub fn push(&mut self, field: &str, message: &str) {
        self.0.push((field.to_owned(), message.to_owned()));
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// The messages as an API refusal's fields (what the page itself could not read).
    pub fn into_fields(self) -> Vec<FieldError> {
        self.0
            .into_iter()
            .map(|(field, message)| FieldError::new(field, "unreadable", message))
            .collect()
    }

    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The messages of the fields under `prefix` (e.g. `certificates[1].kind`), for a
    /// form that shows a group's errors together.
    pub fn starting_with(&self, prefix: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(f, _)| f.starts_with(prefix))
            .map(|(_, m)| m.clone())
            .collect()
    }
}

/// How a form's refusal shows: the status, each field's message, and a message above
/// the form for a refusal that names no field. Anything else is an error page.
pub struct Refusal {
    pub status: StatusCode,
    pub errors: FieldErrors,
    pub message: Option<String>,
}

impl Refusal {
    pub fn none() -> Self {
        Self {
            status: StatusCode::OK,
            errors: FieldErrors::default(),
            message: None,
        }
    }

    /// Fields the page itself could not read (a number that is not one).
    pub fn fields(errors: FieldErrors) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            message: None,
        }
    }

    pub fn of(refused: Option<AppError>) -> Result<Self, AppError> {
        Ok(match refused {
            None => Self::none(),
            Some(AppError::Invalid { fields, .. }) => Self {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                errors: FieldErrors::from_fields(&fields),
                message: None,
            },
            Some(e @ AppError::Conflict { .. }) => Self {
                status: StatusCode::CONFLICT,
                errors: FieldErrors::default(),
                message: Some(e.body().message),
            },
            Some(other) => return Err(other),
        })
    }
}

/// A typed number field: empty is `None`; anything else must be a whole number.
pub fn number(errors: &mut FieldErrors, field: &str, value: &str) -> Option<u32> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match value.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(field, "请填写不带小数的非负整数");
            None
        }
    }
}

pub fn optional(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// A posted form as its name–value pairs, in order.
pub type Pairs = Vec<(String, String)>;

/// The value of `name` in a posted form, trimmed; empty when absent.
pub fn field(pairs: &Pairs, name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

/// A date field; an unreadable one is named under its field.
pub fn date_field(
    pairs: &Pairs,
    name: &str,
    errors: &mut FieldErrors,
) -> Option<chrono::NaiveDate> {
    let parsed = chrono::NaiveDate::parse_from_str(&field(pairs, name), "%Y-%m-%d").ok();
    if parsed.is_none() {
        errors.push(name, "请填写日期，格式如 2026-05-06");
    }
    parsed
}

/// A refusal of fields the page itself could not read.
pub fn unreadable(errors: FieldErrors) -> AppError {
    AppError::invalid_fields("表单填写有误", errors.into_fields())
}
