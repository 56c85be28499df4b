//! `GET /covers/{edition}[?size=card|page|original]`: a stored cover, with
//! an ETag so browsers revalidate cheaply. The ETag is the cover's version
//! (new with every upload) and the size served; a conditional request is
//! answered 304 without reading the image.

use crate::AppState;
use crate::error::AppError;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use quire_domain::{CoverSize, EditionId};
use quire_storage::catalog;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct SizeQuery {
    size: Option<String>,
}

pub async fn stored_cover(
    State(st): State<AppState>,
    Path(edition): Path<String>,
    Query(q): Query<SizeQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let not_found = || AppError::NotFound("This edition has no stored cover.".into());
    let id = EditionId::parse(&edition).ok_or_else(not_found)?;
    let size = match q.size.as_deref() {
        None => CoverSize::Original,
        Some(s) => CoverSize::parse(s).ok_or_else(|| {
            AppError::bad(
                "size",
                format!("There is no cover size \"{s}\"; ask for card, page or original."),
            )
        })?,
    };
    let (served, version) = catalog::cover_version(&st.db, id, size)
        .await?
        .ok_or_else(not_found)?;
    let etag = format!("\"{version}-{}\"", served.as_str());
    // A thumbnail still being made: the original stands in, and must not be
    // kept long, so the thumbnail replaces it soon.
    let cache = if served == size {
        "public, max-age=3600"
    } else {
        "no-cache"
    };
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let common = |res: &mut Response| {
        let h = res.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&etag) {
            h.insert(header::ETAG, v);
        }
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        // An image opened on its own runs nothing.
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; sandbox"),
        );
    };
    if matches {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        common(&mut res);
        return Ok(res);
    }
    let cover = catalog::cover(&st.db, id, size)
        .await?
        .ok_or_else(not_found)?;
    let mut res = (
        [(header::CONTENT_TYPE, cover.content_type.clone())],
        cover.data,
    )
        .into_response();
    common(&mut res);
    if cover.version != version || cover.size != served {
        // Replaced between the two reads: this response is not what the
        // ETag names, so it must not be cached under it.
        res.headers_mut().remove(header::ETAG);
    }
    Ok(res)
}
