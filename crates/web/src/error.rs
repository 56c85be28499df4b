//! One error type for every handler. A handler returns [`AppError`]; the
//! [`shape_errors`] middleware then answers in the form the client asked
//! for: a full HTML page, an htmx fragment swapped into the page's message
//! area, or JSON with a stable snake_case code under `/api/`.

use crate::view::{Layout, render};
use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use quire_storage::StorageError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    BadInput {
        field: &'static str,
        message: String,
    },
    #[error("Sign in to do that.")]
    SignInRequired,
    /// Signed in, but this account may not do that; the message says who may.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooManyAttempts(String),
    /// An upload larger than its route takes; the message names the limit.
    #[error("{message}")]
    PayloadTooLarge {
        field: &'static str,
        message: String,
    },
    /// Expensive work is at its cap: try again after `retry_after` seconds.
    #[error("{message}")]
    Unavailable { message: String, retry_after: u32 },
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    pub fn bad(field: &'static str, message: impl Into<String>) -> Self {
        AppError::BadInput {
            field,
            message: message.into(),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadInput { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::SignInRequired => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "not_found",
            AppError::BadInput { .. } => "invalid_input",
            AppError::SignInRequired => "sign_in_required",
            AppError::Forbidden(_) => "forbidden",
            AppError::Conflict(_) => "conflict",
            AppError::TooManyAttempts(_) => "too_many_attempts",
            AppError::PayloadTooLarge { .. } => "too_large",
            AppError::Unavailable { .. } => "busy",
            AppError::Internal(_) => "internal_error",
        }
    }
}

impl From<StorageError> for AppError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound(what) => {
                AppError::NotFound(format!("There is no such {what} in Quire."))
            }
            StorageError::Conflict(m) => AppError::Conflict(m),
            other => {
                tracing::error!(error = %other, "storage error");
                AppError::Internal(
                    "Something went wrong on the server; nothing you saved before was lost. Try again in a moment."
                        .into(),
                )
            }
        }
    }
}

/// What the middleware needs to reshape an error response.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: Layout,
    status: u16,
    title: &'a str,
    message: &'a str,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let info = ErrorInfo {
            code: self.code(),
            message: self.to_string(),
            field: match &self {
                AppError::BadInput { field, .. } | AppError::PayloadTooLarge { field, .. } => {
                    Some(field)
                }
                _ => None,
            },
        };
        let title = match status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::UNAUTHORIZED => "Sign in needed",
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::CONFLICT => "Already taken",
            StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
            StatusCode::PAYLOAD_TOO_LARGE => "Too large",
            StatusCode::SERVICE_UNAVAILABLE => "Busy",
            StatusCode::INTERNAL_SERVER_ERROR => "Server error",
            _ => "That did not work",
        };
        let body = render(&ErrorPage {
            layout: Layout::default(),
            status: status.as_u16(),
            title,
            message: &info.message,
        })
        .unwrap_or_else(|_| info.message.clone());
        let retry_after = match &self {
            AppError::Unavailable { retry_after, .. } => Some(*retry_after),
            _ => None,
        };
        let mut res = (status, Html(body)).into_response();
        if let Some(secs) = retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res.extensions_mut().insert(info);
        res
    }
}

pub async fn not_found() -> AppError {
    AppError::NotFound("There is no page at this address.".into())
}

/// Reshape error responses for the client: JSON for the API (and for
/// clients that ask for JSON), a fragment for htmx, the page otherwise.
pub async fn shape_errors(req: Request, next: Next) -> Response {
    let wants_json = req.uri().path().starts_with("/api/")
        || req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
    let htmx = req.headers().contains_key("hx-request");
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let info = match res.extensions().get::<ErrorInfo>() {
        Some(info) => info.clone(),
        // A page a handler drew itself (a form shown again with its
        // message): keep it, unless the client wants JSON.
        None if is_html && !wants_json => return res,
        // Errors raised before a handler ran: body limit, CSRF, bad paths.
        None => ErrorInfo {
            code: match status {
                StatusCode::PAYLOAD_TOO_LARGE => "too_large",
                StatusCode::FORBIDDEN => "forbidden",
                StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
                _ => "bad_request",
            },
            message: match status {
                StatusCode::PAYLOAD_TOO_LARGE => format!(
                    "The form is larger than Quire accepts ({} KB); nothing was saved.",
                    crate::MAX_BODY_BYTES / 1024
                ),
                StatusCode::FORBIDDEN => {
                    "This request came from another site, so Quire refused it. Submit the form from Quire itself.".into()
                }
                StatusCode::METHOD_NOT_ALLOWED => "That address does not take this kind of request.".into(),
                _ => "The request could not be read; check what was sent.".into(),
            },
            field: None,
        },
    };
    // Headers that tell the client what to do next survive the reshaping.
    let retry_after = res.headers().get(header::RETRY_AFTER).cloned();
    let keep = |mut reshaped: Response| {
        if let Some(v) = retry_after.clone() {
            reshaped.headers_mut().insert(header::RETRY_AFTER, v);
        }
        reshaped
    };
    if wants_json {
        return keep((status, axum::Json(serde_json::json!({ "error": info }))).into_response());
    }
    if htmx {
        let mut res = (
            status,
            Html(format!(
                "<p class=\"flash flash-error\" role=\"alert\">{}</p>",
                crate::view::escape(&info.message)
            )),
        )
            .into_response();
        let h = res.headers_mut();
        h.insert("hx-retarget", HeaderValue::from_static("#flash"));
        h.insert("hx-reswap", HeaderValue::from_static("innerHTML"));
        return keep(res);
    }
    if res.extensions().get::<ErrorInfo>().is_some() {
        return res;
    }
    // A plain error from a layer: give it Quire's page.
    let body = render(&ErrorPage {
        layout: Layout::default(),
        status: status.as_u16(),
        title: "That did not work",
        message: &info.message,
    })
    .unwrap_or(info.message);
    (status, Html(body)).into_response()
}
