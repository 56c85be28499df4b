//! Typed pieces of URL paths: each parses once and answers 404 itself, so
//! handlers receive ids, never strings.

use crate::error::AppError;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use quire_domain::WorkId;

/// The work named by the `{id}` segment of `/books/{id}/…` and
/// `/api/v1/books/{id}/…`.
pub struct WorkPath(pub WorkId);

impl<S: Send + Sync> FromRequestParts<S> for WorkPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound("There is no page at this address.".into()))?;
        let raw = params
            .iter()
            .find(|(name, _)| *name == "id")
            .map(|(_, value)| value)
            .unwrap_or_default();
        WorkId::parse(raw).map(WorkPath).ok_or_else(|| {
            AppError::NotFound(format!(
                "There is no book with the id \"{}\" in Quire. Search for it by title, author or ISBN instead.",
                raw.chars().take(80).collect::<String>()
            ))
        })
    }
}
