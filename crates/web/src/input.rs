//! Forms, JSON bodies and query strings read so that a failure names the
//! field serde was reading ("stars", "page") and answers `invalid`,
//! the way every other input error does. axum's own extractors answer with
//! plain text that names no field.

use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A form body (`application/x-www-form-urlencoded`).
pub struct Form<T>(pub T);

/// A JSON body to read, or a JSON answer to send.
pub struct Json<T>(pub T);

/// The query string.
pub struct Query<T>(pub T);

fn content_type_is(headers: &HeaderMap, wanted: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            let v = v.trim();
            v.eq_ignore_ascii_case(wanted) || (wanted == "application/json" && v.ends_with("+json"))
        })
}

async fn body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, AppError> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge(format!(
                "The request is larger than Quire accepts ({} KB); nothing was saved.",
                crate::MAX_BODY_BYTES / 1024
            ))
        } else {
            AppError::Unreadable {
                field: None,
                message: "The request's body could not be read; send it again.".into(),
            }
        }
    })
}

/// Turn a deserialising error into one that names the field when it can:
/// the path serde was at, or the field a "missing field" message names.
fn unreadable<E: std::fmt::Display>(what: &str, e: serde_path_to_error::Error<E>) -> AppError {
    let inner = e.inner().to_string();
    let path = e.path().to_string();
    // serde names the field in its message for a field that is missing or
    // given twice, at the level of the enclosing struct.
    for (prefix, problem) in [
        ("missing field `", "has no"),
        ("duplicate field `", "gives more than one"),
    ] {
        if let Some(name) = inner
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
        {
            let field = if path == "." {
                name.to_string()
            } else {
                format!("{path}.{name}")
            };
            return AppError::Unreadable {
                message: format!("The {what} {problem} \"{field}\"; give one and send it again."),
                field: Some(field),
            };
        }
    }
    if path == "." {
        return AppError::Unreadable {
            field: None,
            message: format!("The {what} could not be read: {inner}."),
        };
    }
    AppError::Unreadable {
        message: format!("The {what}'s \"{path}\" could not be read: {inner}."),
        field: Some(path),
    }
}

fn from_urlencoded<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, AppError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(bytes));
    serde_path_to_error::deserialize(de).map_err(|e| unreadable(what, e))
}

impl<S, T> FromRequest<S> for Form<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !content_type_is(req.headers(), "application/x-www-form-urlencoded") {
            return Err(AppError::Unreadable {
                field: None,
                message: "Send the form as application/x-www-form-urlencoded.".into(),
            });
        }
        let bytes = body(req, state).await?;
        from_urlencoded(&bytes, "form").map(Form)
    }
}

impl<S, T> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !content_type_is(req.headers(), "application/json") {
            return Err(AppError::Unreadable {
                field: None,
                message: "Send JSON, with the header Content-Type: application/json.".into(),
            });
        }
        let bytes = body(req, state).await?;
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut de).map_err(|e| unreadable("JSON", e))?;
        de.end().map_err(|e| AppError::Unreadable {
            field: None,
            message: format!("The JSON could not be read: {e}."),
        })?;
        Ok(Json(value))
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl<S, T> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        from_urlencoded(query.as_bytes(), "address's query").map(Query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Rate {
        #[allow(dead_code)] // read only to be checked
        stars: u32,
    }

    fn field_of(e: AppError) -> Option<String> {
        match e {
            AppError::Unreadable { field, .. } => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_or_bad_field_is_named() {
        let missing = from_urlencoded::<Rate>(b"", "form").unwrap_err();
        assert_eq!(
            missing.to_string(),
            "The form has no \"stars\"; give one and send it again."
        );
        assert_eq!(field_of(missing).as_deref(), Some("stars"));
        let bad = from_urlencoded::<Rate>(b"stars=lots", "form").unwrap_err();
        assert_eq!(field_of(bad).as_deref(), Some("stars"));
    }
}
