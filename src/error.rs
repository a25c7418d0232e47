//! The one error type every capability returns, its HTTP status and its JSON shape
//! (docs/API.md "Errors"): the error policy in one place. Leaf parsers keep their own
//! error enums carrying facts and convert into [`AppError`]; internal failures are logged
//! and never shown to users. Rendering lives in `http/`: JSON for the API, a page for a
//! browser route.

use serde::Serialize;
use utoipa::ToSchema;

/// One offending input value: which field, the rule it broke (a stable code for
/// programs) and that rule in Chinese for the person who typed it (a form shows it under
/// the field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// Path of the field, e.g. `credit_code` or `tasks[2].weight`.
    pub field: String,
    /// A stable machine-readable reason, e.g. `check_character`.
    pub reason: String,
    /// The rule that failed, in Chinese, e.g. `统一社会信用代码的校验位不正确`.
    pub message: String,
    /// The spreadsheet row, for imports only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u32>,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        reason: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
            message: message.into(),
            row: None,
        }
    }
}

/// The body of every non-2xx API response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable error code, e.g. `not_found`, `invalid`, `conflict`.
    pub error: String,
    /// Human-readable explanation in Chinese.
    pub message: String,
    pub fields: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("malformed request: {message}")]
    Malformed { message: String },
    #[error("missing or invalid credentials")]
    Unauthenticated { message: &'static str },
    #[error("forbidden: {message}")]
    Forbidden { message: String },
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict {code}: {message}")]
    Conflict { code: &'static str, message: String },
    #[error("request body too large")]
    TooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("invalid input: {message}")]
    Invalid {
        message: String,
        fields: Vec<FieldError>,
    },
    #[error("not eligible: {message}")]
    NotEligible {
        message: String,
        fields: Vec<FieldError>,
    },
    /// Over a limit; `message` says in Chinese when to come back where a limit knows it
    /// (the generic "too many requests" otherwise).
    #[error("rate limited")]
    RateLimited {
        retry_after_secs: u64,
        message: Option<String>,
    },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// A 422 for a single field.
    pub fn invalid(field: &str, reason: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::Invalid {
            fields: vec![FieldError::new(field, reason, message.clone())],
            message,
        }
    }

    /// A 422 for the fields that broke a rule, whose message names exactly those rules:
    /// `subject：rule；rule`.
    pub fn invalid_fields(subject: &str, fields: Vec<FieldError>) -> Self {
        let rules: Vec<&str> = fields.iter().map(|f| f.message.as_str()).collect();
        Self::Invalid {
            message: format!("{subject}：{}", rules.join("；")),
            fields,
        }
    }

    pub fn forbidden_role() -> Self {
        Self::Forbidden {
            message: "当前角色无权执行此操作".into(),
        }
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Malformed { .. } => 400,
            Self::Unauthenticated { .. } => 401,
            Self::Forbidden { .. } => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Conflict { .. } => 409,
            Self::TooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::Invalid { .. } | Self::NotEligible { .. } => 422,
            Self::RateLimited { .. } => 429,
            Self::Internal(_) => 500,
        }
    }

    /// The JSON body users see.
    pub fn body(&self) -> ErrorBody {
        let (error, message, fields) = match self {
            Self::Malformed { message } => ("malformed", message.clone(), vec![]),
            Self::Unauthenticated { message } => ("unauthenticated", (*message).into(), vec![]),
            Self::Forbidden { message } => ("forbidden", message.clone(), vec![]),
            Self::NotFound => ("not_found", "记录不存在".into(), vec![]),
            Self::MethodNotAllowed => (
                "method_not_allowed",
                "此地址不支持该请求方法".into(),
                vec![],
            ),
            Self::Conflict { code, message } => (*code, message.clone(), vec![]),
            Self::TooLarge => ("too_large", "请求体过大".into(), vec![]),
            Self::UnsupportedMediaType => (
                "unsupported_media_type",
                "请求体须为 application/json".into(),
                vec![],
            ),
            Self::Invalid { message, fields } => ("invalid", message.clone(), fields.clone()),
            Self::NotEligible { message, fields } => {
                ("not_eligible", message.clone(), fields.clone())
            }
            Self::RateLimited { message, .. } => (
                "rate_limited",
                message
                    .clone()
                    .unwrap_or_else(|| "请求过于频繁，请稍后再试".into()),
                vec![],
            ),
            Self::Internal(_) => ("internal", "服务器内部错误，请稍后再试".into(), vec![]),
        };
        ErrorBody {
            error: error.into(),
            message,
            fields,
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    /// A unique-constraint violation is a conflict (two requests raced to create the same
    /// thing); everything else is internal.
    fn from(err: sea_orm::DbErr) -> Self {
        if let Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) = err.sql_err() {
            return Self::Conflict {
                code: "duplicate",
                message: "记录已存在（可能是重复提交）".into(),
            };
        }
        Self::Internal(anyhow::Error::new(err).context("database"))
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(err: sea_orm::TransactionError<AppError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}
