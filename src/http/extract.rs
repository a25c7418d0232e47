//! Extractors that turn every bad request into the API's error shape: JSON bodies (with
//! the offending field's path), path and query parameters, and the bearer token.

use axum::{
    body::Bytes,
    extract::{
        FromRequest, FromRequestParts, Request,
        rejection::{BytesRejection, PathRejection, QueryRejection},
    },
    http::{StatusCode, header, request::Parts},
};
use serde::de::DeserializeOwned;

use super::AppState;
use crate::{
    access::Caller,
    auth,
    error::{AppError, FieldError},
};

/// A JSON body. Syntax errors are 400; a missing or ill-typed field is 422 naming it;
/// a body over the limit is 413.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(AppError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e: BytesRejection| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::TooLarge
                } else {
                    AppError::Malformed {
                        message: "无法读取请求体".into(),
                    }
                }
            })?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(de) {
            Ok(value) => Ok(Self(value)),
            Err(err) => {
                let path = err.path().to_string();
                let inner = err.into_inner();
                if inner.is_data() {
                    let reason = if inner.to_string().starts_with("missing field") {
                        "required"
                    } else {
                        "invalid_value"
                    };
                    let field = if path == "." {
                        missing_field_name(&inner.to_string()).unwrap_or(path)
                    } else {
                        path
                    };
                    let message = if reason == "required" {
                        format!("缺少字段 {field}")
                    } else {
                        format!("字段 {field} 的取值类型不正确")
                    };
                    Err(AppError::Invalid {
                        message: message.clone(),
                        fields: vec![FieldError::new(field, reason, message)],
                    })
                } else {
                    Err(AppError::Malformed {
                        message: "请求体不是有效的 JSON".into(),
                    })
                }
            }
        }
    }
}

/// serde reports a missing top-level field as "missing field `name` at …".
fn missing_field_name(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next().map(str::to_owned)
}

/// Path parameters; a value that does not fit is a 404, as for an unknown record.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Self(p.0))
            .map_err(|_: PathRejection| AppError::NotFound)
    }
}

/// Query parameters; a value that does not fit is a 422 naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(|_: QueryRejection| {
                AppError::invalid("query", "invalid_value", "查询参数无效")
            })
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(auth::AuthError::InvalidToken)?;
        let caller = auth::authenticate(&state.db.read, bearer, state.now()).await?;
        tracing::Span::current().record("account", caller.account_id.as_str());
        Ok(caller)
    }
}

/// The caller if the request carries a token; anonymous otherwise. A token that is
/// present but invalid is still a 401.
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            Caller::from_request_parts(parts, state)
                .await
                .map(|c| Self(Some(c)))
        } else {
            Ok(Self(None))
        }
    }
}

impl MaybeCaller {
    pub fn is_bureau(&self) -> bool {
        self.0.as_ref().is_some_and(Caller::is_bureau)
    }
}

/// The bytes of the multipart field `file`; `what` says in Chinese what to upload.
pub async fn uploaded_file(
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
    what: &str,
) -> Result<axum::body::Bytes, AppError> {
    let malformed = || AppError::Malformed {
        message: "请以 multipart/form-data 上传文件（字段名 file）".into(),
    };
    let mut multipart = multipart.map_err(|_| malformed())?;
    while let Some(field) = multipart.next_field().await.map_err(|_| malformed())? {
        if field.name() == Some("file") {
            return field.bytes().await.map_err(|e| {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::TooLarge
                } else {
                    AppError::Malformed {
                        message: "无法读取上传的文件".into(),
                    }
                }
            });
        }
    }
    Err(AppError::invalid(
        "file",
        "required",
        format!("请上传{what}（字段名 file）"),
    ))
}

/// The raw body of an upload sent as itself (`Content-Type: image/png`, say), read only up
/// to `max_bytes`: `Ok(None)` as soon as it holds more, so nothing larger is ever kept
/// (a bounded rest is read and dropped, see [`drain`]). Such a route is bounded by its own rule, not by the general body limit.
pub async fn raw_body_within(
    body: axum::body::Body,
    max_bytes: usize,
) -> Result<Option<Vec<u8>>, AppError> {
    use http_body::Body as _;
    let mut body = std::pin::pin!(body);
    let mut bytes = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
        let frame = frame.map_err(|_| AppError::Malformed {
            message: "无法读取上传的文件".into(),
        })?;
        if let Ok(data) = frame.into_data() {
            if bytes.len() + data.len() > max_bytes {
                drain(body.as_mut(), bytes.len() + data.len()).await;
                return Ok(None);
            }
            bytes.extend_from_slice(&data);
        }
    }
    Ok(Some(bytes))
}

/// How much more of an oversized body is read and dropped so that the client, still
/// sending, gets the refusal instead of a reset connection; past it the connection is
/// closed with the answer.
const DRAIN_BYTES: usize = 4 * 1024 * 1024;

async fn drain(mut body: std::pin::Pin<&mut axum::body::Body>, mut read: usize) {
    use http_body::Body as _;
    let limit = read.saturating_add(DRAIN_BYTES);
    while read < limit {
        match std::future::poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
            Some(Ok(frame)) => read += frame.data_ref().map_or(0, |d| d.len()),
            _ => return,
        }
    }
}
