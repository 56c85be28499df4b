//! A club's picture: organisers upload one from the settings page
//! (`POST /clubs/{slug}/picture`, multipart, field `picture`) or the API
//! (`PUT /api/v1/clubs/{slug}/picture`, the image as the body). It goes
//! through the same checks, caps and re-encoding as a book cover
//! (`quire-covers`), and is served at `/clubs/{slug}/picture` to whoever
//! may see the club, so a secret club's picture stays as hidden as its name.

use super::Club;
use crate::AppState;
use crate::cover::upload::{prepare, read_capped, refused};
use crate::error::AppError;
use crate::permissions::ClubPermission;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, put};
use quire_covers::{CONTENT_TYPE, CoverError};
use quire_storage::clubs::pictures;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/clubs/{slug}/picture",
            get(serve)
                .post(form_upload)
                .layer(DefaultBodyLimit::max(crate::cover::MAX_UPLOAD_BODY)),
        )
        .route(
            "/api/v1/clubs/{slug}/picture",
            put(api_upload).layer(DefaultBodyLimit::max(crate::cover::MAX_UPLOAD_BODY)),
        )
}

const FIELD: &str = "picture";

/// The covers' refusal, said of a club picture: its field is `picture`.
fn as_picture(e: AppError) -> AppError {
    let say = |m: String| m.replace("covers", "pictures").replace("cover", "picture");
    match e {
        AppError::BadInput { message, .. } => AppError::bad(FIELD, say(message)),
        AppError::PayloadTooLarge { message, .. } => AppError::PayloadTooLarge {
            field: FIELD,
            message: say(message),
        },
        other => other,
    }
}

/// Check, re-encode and store; returns the new version.
async fn store(st: &AppState, club: &Club, bytes: Bytes) -> Result<String, AppError> {
    if bytes.len() > st.covers.limits.max_bytes {
        return Err(as_picture(refused(CoverError::TooLarge {
            size: bytes.len(),
            max: st.covers.limits.max_bytes,
        })));
    }
    let prepared = prepare(st, bytes).await.map_err(as_picture)?;
    let o = &prepared.original;
    Ok(pictures::set(
        &st.db,
        club.club.id,
        CONTENT_TYPE,
        &o.data,
        i64::from(o.width),
        i64::from(o.height),
    )
    .await?)
}

pub async fn form_upload(
    State(st): State<AppState>,
    club: Club,
    mut form: Multipart,
) -> Result<Redirect, AppError> {
    club.check(ClubPermission::Organise)?;
    let _buffer = st.covers.buffer_permit()?;
    let mut bytes = None;
    while let Some(field) = form.next_field().await.map_err(|_| {
        AppError::bad(
            FIELD,
            "The upload could not be read; choose the picture again.",
        )
    })? {
        if field.name() == Some(FIELD) {
            bytes = Some(field.bytes().await.map_err(|_| {
                AppError::bad(
                    FIELD,
                    "The upload could not be read; choose the picture again.",
                )
            })?);
            break;
        }
    }
    let bytes = bytes
        .filter(|b| !b.is_empty())
        .ok_or_else(|| AppError::bad(FIELD, "Choose a JPEG, PNG or WebP picture to upload."))?;
    store(&st, &club, bytes).await?;
    Ok(Redirect::to(&format!("{}?done=picture", club.href())))
}

pub async fn api_upload(
    State(st): State<AppState>,
    club: Club,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    club.check(ClubPermission::Organise)?;
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !declared.trim().to_ascii_lowercase().starts_with("image/") {
        return Err(AppError::bad(
            FIELD,
            "Send the image itself as the body, with Content-Type image/jpeg, image/png or image/webp.",
        ));
    }
    let _buffer = st.covers.buffer_permit()?;
    let bytes = read_capped(body, &st.covers.limits)
        .await
        .map_err(as_picture)?;
    let version = store(&st, &club, bytes).await?;
    Ok((
        StatusCode::CREATED,
        crate::input::Json(serde_json::json!({
            "picture": format!("{}/picture?v={version}", club.href()),
        })),
    )
        .into_response())
}

pub async fn serve(State(st): State<AppState>, club: Club) -> Result<Response, AppError> {
    club.check(ClubPermission::See)?;
    let pic = pictures::get(&st.db, club.club.id)
        .await?
        .ok_or_else(|| AppError::NotFound("This club has no picture.".into()))?;
    let mut res = (StatusCode::OK, pic.data).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&pic.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    // Private: a secret club's picture must not sit in a shared cache.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    Ok(res)
}
