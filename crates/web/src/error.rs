//! One error type for every handler. A handler returns [`AppError`]; the
//! [`shape_errors`] middleware then answers in the form the client asked
//! for: a full HTML page (with the request id, so a host can find the log
//! line), an htmx fragment swapped into the page's message area, or JSON
//! with a stable snake_case code under `/api/`.

use crate::html::{Layout, escape, render};
use askama::Template;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum_htmx::{HxRequest, HxReswap, HxRetarget, SwapOption};
use quire_storage::StorageError;
use serde::Serialize;
use std::error::Error as StdError;

/// The cause of a server-side failure, kept for the log.
pub type Cause = Box<dyn StdError + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    BadInput {
        field: &'static str,
        message: String,
    },
    /// A form, JSON body or query that could not be read at all; `field` is
    /// the one serde named, when it named one.
    #[error("{message}")]
    Unreadable {
        field: Option<String>,
        message: String,
    },
    /// A review page past the last one; the error page links to the last.
    #[error("Page {page} is past the last page of reviews ({}).", pages_label(*pages))]
    PastLastPage { page: u64, pages: u32, last: String },
    #[error("Sign in to do that.")]
    SignInRequired,
    /// An API request whose credentials are wrong (a mistyped, expired or
    /// revoked token); the message says which and what to do.
    #[error("{0}")]
    Unauthenticated(String),
    /// A token without the scope an operation needs; `scope` names it.
    #[error("{message}")]
    InsufficientScope {
        scope: &'static str,
        message: String,
    },
    /// Signed in, but this account may not do that; the message says who may.
    #[error("{0}")]
    Forbidden(String),
    /// Several fields of one form or request are wrong: each with its
    /// message, in the order the form shows them.
    #[error("{}", .0.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join(" "))]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    /// The thing existed but can no longer be used (an expired, used-up or
    /// withdrawn invitation link).
    #[error("{0}")]
    Gone(String),
    /// Limited: too many attempts of one kind; `retry_after` in seconds is
    /// sent as `Retry-After`.
    #[error("{message}")]
    TooManyAttempts { message: String, retry_after: u64 },
    /// Every password-hashing slot stayed taken for the whole wait.
    #[error(
        "Quire is busy checking other passwords. Wait a few seconds, then send the form again; nothing was changed."
    )]
    Busy { retry_after: u64 },
    /// The request may duplicate existing things; `related` names them so
    /// the client can choose.
    #[error("{message}")]
    PossibleDuplicates {
        message: String,
        related: Vec<Related>,
    },
    #[error("{0}")]
    TooLarge(String),
    /// An upload larger than its route takes; the message names the limit.
    #[error("{message}")]
    PayloadTooLarge {
        field: &'static str,
        message: String,
    },
    /// Expensive work (cover decoding) is at its cap: try again after
    /// `retry_after` seconds.
    #[error("{message}")]
    Unavailable { message: String, retry_after: u64 },
    /// A failure on the server. The message is for the reader; the cause is
    /// logged once, with the request id, and never shown.
    #[error("{message}")]
    Internal {
        message: String,
        #[source]
        source: Option<Cause>,
    },
}

fn pages_label(n: u32) -> String {
    if n == 1 {
        "1 page".into()
    } else {
        format!("{n} pages")
    }
}

/// Every code the server sends in a JSON error. README.md lists them all
/// (a test checks), so clients can rely on the list.
pub const CODES: &[&str] = &[
    "invalid",
    "not_found",
    "unauthenticated",
    "forbidden",
    "insufficient_scope",
    "conflict",
    "gone",
    "possible_duplicates",
    "rate_limited",
    "too_large",
    "busy",
    "method_not_allowed",
    "request_timeout",
    "internal_error",
];

impl AppError {
    pub fn bad(field: &'static str, message: impl Into<String>) -> Self {
        AppError::BadInput {
            field,
            message: message.into(),
        }
    }

    /// A server-side failure: `message` for the reader, `cause` for the log.
    pub fn internal(message: impl Into<String>, cause: impl Into<Cause>) -> Self {
        AppError::Internal {
            message: message.into(),
            source: Some(cause.into()),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) | AppError::PastLastPage { .. } => StatusCode::NOT_FOUND,
            AppError::BadInput { .. } | AppError::Unreadable { .. } | AppError::Invalid(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::SignInRequired | AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::InsufficientScope { .. } => StatusCode::FORBIDDEN,
            AppError::Conflict(_) | AppError::PossibleDuplicates { .. } => StatusCode::CONFLICT,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::TooLarge(_) | AppError::PayloadTooLarge { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::NotFound(_) | AppError::PastLastPage { .. } => "not_found",
            AppError::BadInput { .. } | AppError::Unreadable { .. } | AppError::Invalid(_) => {
                "invalid"
            }
            AppError::SignInRequired | AppError::Unauthenticated(_) => "unauthenticated",
            AppError::Forbidden(_) => "forbidden",
            AppError::InsufficientScope { .. } => "insufficient_scope",
            AppError::Conflict(_) => "conflict",
            AppError::Gone(_) => "gone",
            AppError::PossibleDuplicates { .. } => "possible_duplicates",
            AppError::TooManyAttempts { .. } => "rate_limited",
            AppError::Busy { .. } | AppError::Unavailable { .. } => "busy",
            AppError::TooLarge(_) | AppError::PayloadTooLarge { .. } => "too_large",
            AppError::Internal { .. } => "internal_error",
        }
    }

    fn field(&self) -> Option<String> {
        match self {
            AppError::BadInput { field, .. } | AppError::PayloadTooLarge { field, .. } => {
                Some((*field).to_string())
            }
            AppError::Invalid(fields) => fields.first().map(|f| f.field.to_string()),
            AppError::Unreadable { field, .. } => field.clone(),
            AppError::PastLastPage { .. } => Some("page".into()),
            _ => None,
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
            other => AppError::internal(
                "Something went wrong on the server; nothing you saved before was lost. Try again in a moment.",
                other,
            ),
        }
    }
}

/// One wrong field: its name as the form and the JSON body spell it, and
/// what to do about it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// Something an error refers the client to: a book that already has the
/// ISBN, a work the new book may be.
#[derive(Clone, Debug, Serialize)]
pub struct Related {
    pub id: String,
    pub title: String,
    pub authors: Vec<String>,
    pub url: String,
}

/// What the middleware needs to reshape an error response.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The token scope an operation needs (`insufficient_scope` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<&'static str>,
    /// A way on from the error page: (address, words).
    #[serde(skip)]
    pub link: Option<(String, String)>,
    /// Every wrong field, when there are several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: Layout,
    status: u16,
    title: &'a str,
    message: &'a str,
    link: Option<&'a (String, String)>,
    request_id: Option<&'a str>,
}

fn title_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::UNAUTHORIZED => "Sign in needed",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::CONFLICT => "Already taken",
        StatusCode::GONE => "No longer available",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        StatusCode::REQUEST_TIMEOUT => "Too slow",
        StatusCode::SERVICE_UNAVAILABLE => "Busy",
        StatusCode::INTERNAL_SERVER_ERROR => "Server error",
        _ => "That did not work",
    }
}

fn error_page(status: StatusCode, info: &ErrorInfo, request_id: Option<&str>) -> String {
    render(&ErrorPage {
        layout: Layout::default(),
        status: status.as_u16(),
        title: title_for(status),
        message: &info.message,
        link: info.link.as_ref(),
        request_id,
    })
    .unwrap_or_else(|_| escape(&info.message))
}

/// Every cause in a chain, outermost first, for one log line.
fn cause_chain(e: &(dyn StdError + 'static)) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(c) = next {
        out.push_str(": ");
        out.push_str(&c.to_string());
        next = c.source();
    }
    out
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal { message, source } = &self {
            // The one place a server failure is logged; the request's span
            // carries its id, which the error page shows.
            match source {
                Some(cause) => {
                    tracing::error!(error = %message, cause = %cause_chain(cause.as_ref()), "request failed")
                }
                None => tracing::error!(error = %message, "request failed"),
            }
        }
        let status = self.status();
        let info = ErrorInfo {
            code: self.code(),
            message: self.to_string(),
            field: self.field(),
            scope: match &self {
                AppError::InsufficientScope { scope, .. } => Some(*scope),
                _ => None,
            },
            link: match &self {
                AppError::PastLastPage { pages, last, .. } => {
                    Some((last.clone(), format!("Go to page {pages}, the last")))
                }
                _ => None,
            },
            fields: match &self {
                AppError::Invalid(fields) => fields.clone(),
                _ => Vec::new(),
            },
            related: match &self {
                AppError::PossibleDuplicates { related, .. } => related.clone(),
                _ => Vec::new(),
            },
        };
        let mut res = (status, Html(error_page(status, &info, None))).into_response();
        if let AppError::TooManyAttempts { retry_after, .. }
        | AppError::Busy { retry_after }
        | AppError::Unavailable { retry_after, .. } = self
        {
            res.headers_mut().insert(
                header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after),
            );
        }
        res.extensions_mut().insert(info);
        res
    }
}

pub async fn not_found() -> AppError {
    AppError::NotFound("There is no page at this address.".into())
}

/// The code and message for an error a layer raised before any handler ran
/// (body limit, CSRF, timeout, an unknown method).
fn layer_error(status: StatusCode) -> ErrorInfo {
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "too_large",
            format!(
                "The form is larger than Quire accepts ({} KB); nothing was saved.",
                crate::MAX_BODY_BYTES / 1024
            ),
        ),
        StatusCode::FORBIDDEN => (
            "forbidden",
            "This request came from another site, so Quire refused it. Submit the form from Quire itself.".into(),
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "That address does not take this kind of request.".into(),
        ),
        StatusCode::REQUEST_TIMEOUT => (
            "request_timeout",
            "The server took too long to answer, so it stopped. What you sent may not have been saved: check, then try again.".into(),
        ),
        StatusCode::NOT_FOUND => ("not_found", "There is no page at this address.".into()),
        StatusCode::UNAUTHORIZED => ("unauthenticated", "Sign in to do that.".into()),
        StatusCode::TOO_MANY_REQUESTS => (
            "rate_limited",
            "Too many requests; wait a moment and try again.".into(),
        ),
        s if s.is_server_error() => (
            "internal_error",
            "Something went wrong on the server. Try again in a moment.".into(),
        ),
        _ => (
            "invalid",
            "The request could not be read; check what was sent.".into(),
        ),
    };
    ErrorInfo {
        code,
        message,
        field: None,
        scope: None,
        link: None,
        fields: Vec::new(),
        related: Vec::new(),
    }
}

/// Reshape error responses for the client: JSON for the API (and for
/// clients that ask for JSON), a fragment for htmx, the page otherwise.
pub async fn shape_errors(HxRequest(htmx): HxRequest, req: Request, next: Next) -> Response {
    let wants_json = req.uri().path().starts_with("/api/")
        || req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
    let request_id = req
        .headers()
        .get(crate::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
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
        None => layer_error(status),
    };
    let mut shaped = if wants_json {
        (status, axum::Json(serde_json::json!({ "error": info }))).into_response()
    } else if htmx {
        let body = format!(
            "<p class=\"flash flash-error\" role=\"alert\">{}</p>",
            escape(&info.message)
        );
        (
            status,
            HxRetarget("#flash".into()),
            HxReswap(SwapOption::InnerHtml),
            Html(body),
        )
            .into_response()
    } else {
        // Quire's page, drawn again now that the request id is known.
        (
            status,
            Html(error_page(status, &info, request_id.as_deref())),
        )
            .into_response()
    };
    // Keep what the handler or layer said beside the body (`Retry-After`,
    // `Allow`, cookies); only the body and its type change.
    let fresh: Vec<header::HeaderName> = shaped.headers().keys().cloned().collect();
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH && !fresh.contains(name) {
            shaped.headers_mut().append(name.clone(), value.clone());
        }
    }
    shaped
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code the server can send is in the README's list.
    #[test]
    fn readme_lists_every_code() {
        let readme = include_str!("../../../README.md");
        for code in CODES {
            assert!(
                readme.contains(&format!("`{code}`")),
                "README.md does not list {code}"
            );
        }
        let statuses = (400..600).filter_map(|s| StatusCode::from_u16(s).ok());
        for s in statuses {
            let code = layer_error(s).code;
            assert!(CODES.contains(&code), "{s} answers {code}");
        }
        for e in [
            AppError::NotFound(String::new()),
            AppError::bad("x", ""),
            AppError::Unreadable {
                field: None,
                message: String::new(),
            },
            AppError::PastLastPage {
                page: 2,
                pages: 1,
                last: String::new(),
            },
            AppError::SignInRequired,
            AppError::Unauthenticated(String::new()),
            AppError::InsufficientScope {
                scope: "read",
                message: String::new(),
            },
            AppError::Forbidden(String::new()),
            AppError::Conflict(String::new()),
            AppError::Gone(String::new()),
            AppError::TooManyAttempts {
                message: String::new(),
                retry_after: 1,
            },
            AppError::Busy { retry_after: 1 },
            AppError::TooLarge(String::new()),
            AppError::internal("", std::fmt::Error),
        ] {
            assert!(CODES.contains(&e.code()), "{e:?}");
        }
    }

    #[test]
    fn an_internal_error_keeps_its_cause() {
        let e = AppError::internal("shown", std::io::Error::other("the disk is full"));
        assert_eq!(e.to_string(), "shown");
        let cause = e.source().map(|c| c.to_string());
        assert_eq!(cause.as_deref(), Some("the disk is full"));
    }

    #[test]
    fn past_the_last_page_says_how_many() {
        let e = AppError::PastLastPage {
            page: 9,
            pages: 5,
            last: "/books/x?page=5".into(),
        };
        assert_eq!(
            e.to_string(),
            "Page 9 is past the last page of reviews (5 pages)."
        );
    }
}
