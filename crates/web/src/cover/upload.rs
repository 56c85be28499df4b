//! Uploading a cover: `POST /editions/{id}/cover` (the book page's form,
//! multipart, field `cover`) and `PUT /api/v1/editions/{id}/cover` (the
//! image itself as the body, `Content-Type: image/…`).
//!
//! Who: a member may add a cover to an edition that has none; replacing one
//! needs a librarian. That is decided before the body is read.
//!
//! Cost: an upload is held in memory (at most the route's body limit) and
//! decoded on a blocking thread. Both are capped: at most
//! [`CoverWork::MAX_BUFFERED_PER_WORKER`] uploads per worker are read at
//! once, and at most one decode per worker (about one per core) runs at
//! once; beyond either, the answer is 503 with `Retry-After`, so a burst of
//! uploads cannot take the server's memory or starve its pages.

use crate::AppState;
use crate::auth::Member;
use crate::error::AppError;
use crate::permissions::{Permission, require};
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::multipart::Multipart;
use axum::extract::{FromRequest, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use http_body_util::BodyExt;
use quire_covers::{CONTENT_TYPE, CoverError, Limits};
use quire_domain::{CoverSize, EditionId};
use quire_storage::catalog::{self, CoverSaved, NewCoverImage};
use quire_storage::users::User;
use serde::Serialize;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The largest request body the upload routes take. A little above the
/// largest cover (10 MB), so a multipart envelope around a cover at the
/// limit still fits; every other route keeps the site-wide 256 KB.
pub const MAX_UPLOAD_BODY: usize = 12 * 1024 * 1024;

/// The name of the form field, and of the field errors point at.
const FIELD: &str = "cover";

/// The cap on cover work, shared by every request.
pub struct CoverWork {
    decoders: Arc<Semaphore>,
    buffered: Arc<Semaphore>,
    pub limits: Limits,
    /// Covers chosen on a form shown again before it was saved.
    pub pending: super::pending::PendingCovers,
}

impl CoverWork {
    /// How many uploads may be read into memory per decode worker.
    pub const MAX_BUFFERED_PER_WORKER: usize = 4;

    /// `workers` decodes at once (0 refuses every upload: for tests of the
    /// busy answer).
    pub fn new(workers: usize, limits: Limits) -> Self {
        Self {
            decoders: Arc::new(Semaphore::new(workers)),
            buffered: Arc::new(Semaphore::new(workers * Self::MAX_BUFFERED_PER_WORKER)),
            limits,
            pending: Default::default(),
        }
    }

    pub(crate) fn busy() -> AppError {
        AppError::Unavailable {
            message: "Quire is busy preparing other covers. Try the upload again in a few seconds; nothing was saved.".into(),
            retry_after: 5,
        }
    }

    pub(crate) fn buffer_permit(&self) -> Result<OwnedSemaphorePermit, AppError> {
        self.buffered
            .clone()
            .try_acquire_owned()
            .map_err(|_| Self::busy())
    }
}

/// What a refused file was, for the reader: which field, what to do.
pub(crate) fn refused(e: CoverError) -> AppError {
    match e {
        CoverError::TooLarge { .. } => AppError::PayloadTooLarge {
            field: FIELD,
            message: e.to_string(),
        },
        CoverError::Encode(_) => AppError::internal(
            "The cover could not be saved because of a fault on the server; nothing was changed. Try again later.",
            e,
        ),
        other => AppError::bad(FIELD, other.to_string()),
    }
}

/// The edition and whether `user` may put a cover on it: adding needs a
/// member, replacing a librarian. Returns whether an existing cover may be
/// replaced.
async fn permitted(
    st: &AppState,
    user: &User,
    edition: &str,
) -> Result<(EditionId, bool), AppError> {
    let not_found = || AppError::NotFound("There is no such edition in Quire.".into());
    let id = EditionId::parse(edition).ok_or_else(not_found)?;
    let state = catalog::cover_state(&st.db, id)
        .await?
        .ok_or_else(not_found)?;
    let may_replace = require(user, Permission::ReplaceCover).is_ok();
    if state.has_cover {
        require(user, Permission::ReplaceCover)?;
    } else {
        require(user, Permission::AddCover)?;
    }
    Ok((id, may_replace))
}

/// Check and re-encode an upload, on a blocking thread under the decode
/// cap. Nothing is stored: the add-a-book form checks a cover with the
/// other fields before anything is saved.
pub async fn prepare(st: &AppState, bytes: Bytes) -> Result<quire_covers::Prepared, AppError> {
    let work = &st.covers;
    let permit = work
        .decoders
        .clone()
        .try_acquire_owned()
        .map_err(|_| CoverWork::busy())?;
    let limits = work.limits.clone();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        quire_covers::prepare(&bytes, &limits)
    })
    .await
    .map_err(|e| AppError::internal("The cover could not be prepared; try again.", e))?
    .map_err(refused)
}

/// Store a prepared cover for `edition`, and queue the job that makes its
/// thumbnails. `replace` says whether an existing cover may be replaced;
/// without it an existing cover is a conflict.
pub async fn store(
    st: &AppState,
    edition: EditionId,
    p: &quire_covers::Prepared,
    replace: bool,
) -> Result<Accepted, AppError> {
    fn image(e: &quire_covers::Encoded) -> NewCoverImage<'_> {
        NewCoverImage {
            size: e.size,
            content_type: CONTENT_TYPE,
            data: &e.data,
            width: e.width,
            height: e.height,
        }
    }
    // The thumbnails are a job, queued with the cover: the upload answers
    // as soon as the original is stored.
    let job = quire_jobs::new_job(&quire_jobs::MakeCoverThumbnails { edition: edition.0 })
        .map_err(|e| AppError::internal("The cover could not be saved; try again.", e))?;
    let saved =
        catalog::set_cover_queueing(&st.db, edition, image(&p.original), replace, &job).await?;
    Ok(Accepted {
        saved,
        width: p.original.width,
        height: p.original.height,
    })
}

/// Check, re-encode and store an upload for `edition` ([`prepare`] then
/// [`store`]).
pub async fn accept(
    st: &AppState,
    edition: EditionId,
    bytes: Bytes,
    replace: bool,
) -> Result<Accepted, AppError> {
    let p = prepare(st, bytes).await?;
    store(st, edition, &p, replace).await
}

/// A stored cover and the size of its original.
pub struct Accepted {
    pub saved: CoverSaved,
    pub width: u32,
    pub height: u32,
}

/// A body larger than this is cut off without reading the rest (the
/// client may then see the connection close instead of the answer).
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// Read a request body of at most [`MAX_UPLOAD_BODY`] bytes. A larger one
/// is read on to its end (up to [`DRAIN_LIMIT`]) without being kept, so the
/// client, still sending, receives the answer that names the limit rather
/// than a reset connection; memory holds at most the limit.
pub(crate) async fn read_capped(body: Body, limits: &Limits) -> Result<Bytes, AppError> {
    let (kept, total) = read_form_prefix(body).await?;
    if total > MAX_UPLOAD_BODY {
        return Err(refused(CoverError::TooLarge {
            size: total,
            max: limits.max_bytes,
        }));
    }
    Ok(kept)
}

/// Read a multipart form body of any length, keeping at most its first
/// [`MAX_UPLOAD_BODY`] bytes (the rest is read to its end, up to
/// [`DRAIN_LIMIT`], and dropped, so the client receives the answer). The
/// text fields come before the file in a form, so they survive a file too
/// large; the caller learns the full length to say so.
pub(crate) async fn read_form_prefix(mut body: Body) -> Result<(Bytes, usize), AppError> {
    let mut kept: Vec<u8> = Vec::new();
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| cut_short())?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        total += data.len();
        let room = MAX_UPLOAD_BODY.saturating_sub(kept.len());
        kept.extend_from_slice(&data[..data.len().min(room)]);
        if total > DRAIN_LIMIT {
            break;
        }
    }
    Ok((Bytes::from(kept), total))
}

pub(crate) fn cut_short() -> AppError {
    AppError::bad(
        FIELD,
        "The upload was cut short or could not be read. Choose the file and send the form again.",
    )
}

/// The `cover` field of a multipart form, from a body already read.
async fn read_field(
    st: &AppState,
    parts: axum::http::request::Parts,
    body: Bytes,
    limits: &Limits,
) -> Result<Bytes, AppError> {
    let choose = || {
        AppError::bad(
            FIELD,
            "Choose an image file of the cover (JPEG, PNG or WebP) to upload.",
        )
    };
    // The request's own parts carry the route's body limit; a bare request
    // would get axum's default of 2 MB.
    let req = axum::http::Request::from_parts(parts, Body::from(body));
    let mut multipart = Multipart::from_request(req, st)
        .await
        .map_err(|_| choose())?;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Err(choose()),
            Err(_) => return Err(cut_short()),
        };
        if field.name() != Some(FIELD) {
            continue;
        }
        let bytes = field.bytes().await.map_err(|_| cut_short())?;
        if bytes.is_empty() {
            return Err(choose());
        }
        if bytes.len() > limits.max_bytes {
            return Err(refused(CoverError::TooLarge {
                size: bytes.len(),
                max: limits.max_bytes,
            }));
        }
        return Ok(bytes);
    }
}

/// `POST /editions/{id}/cover`: the book page's form. Answers with the
/// book page, where the new cover shows.
pub async fn form_upload(
    State(st): State<AppState>,
    Member(user): Member,
    Path(edition): Path<String>,
    req: axum::extract::Request,
) -> Result<Response, AppError> {
    let (edition, replace) = permitted(&st, &user, &edition).await?;
    let _buffer = st.covers.buffer_permit()?;
    let (parts, body) = req.into_parts();
    let done = async {
        let body = read_capped(body, &st.covers.limits).await?;
        let bytes = read_field(&st, parts, body, &st.covers.limits).await?;
        accept(&st, edition, bytes, replace).await
    }
    .await;
    match done {
        Ok(done) => Ok(
            Redirect::to(&format!("/books/{}?edition={edition}", done.saved.work)).into_response(),
        ),
        // A refused file: the book page again, its cover form open with the
        // reason beside the field.
        Err(e @ (AppError::BadInput { field: FIELD, .. } | AppError::PayloadTooLarge { .. })) => {
            let status = match e {
                AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let message = e.to_string();
            let work = catalog::cover_state(&st.db, edition)
                .await?
                .ok_or_else(|| AppError::NotFound("There is no such edition in Quire.".into()))?
                .work;
            let html =
                crate::books::page::with_cover_error(&st, &user, work, edition, message).await?;
            Ok((status, axum::response::Html(html)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// What the API answers after storing a cover.
#[derive(Serialize)]
pub struct CoverStored {
    pub edition: String,
    pub work: String,
    /// Whether an earlier cover was replaced.
    pub replaced: bool,
    pub width: u32,
    pub height: u32,
    /// Where each size is served.
    pub original: String,
    pub page: String,
    pub card: String,
}

/// `PUT /api/v1/editions/{id}/cover`: the image itself as the body.
pub async fn api_upload(
    State(st): State<AppState>,
    Member(user): Member,
    Path(edition): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
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
    let (edition, replace) = permitted(&st, &user, &edition).await?;
    let _buffer = st.covers.buffer_permit()?;
    let bytes = read_capped(body, &st.covers.limits).await?;
    if bytes.len() > st.covers.limits.max_bytes {
        return Err(refused(CoverError::TooLarge {
            size: bytes.len(),
            max: st.covers.limits.max_bytes,
        }));
    }
    let Accepted {
        saved,
        width,
        height,
    } = accept(&st, edition, bytes, replace).await?;
    let status = if saved.replaced {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(CoverStored {
            edition: edition.to_string(),
            work: saved.work.to_string(),
            replaced: saved.replaced,
            width,
            height,
            original: super::url(edition, CoverSize::Original),
            page: super::url(edition, CoverSize::Page),
            card: super::url(edition, CoverSize::Card),
        }),
    )
        .into_response())
}
