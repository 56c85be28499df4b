//! Attaching a book's full text from the web: `POST /books/{id}/text` (a
//! form with the file) and `PUT /api/v1/books/{id}/text` (the file as the
//! body). Librarians may attach a text to any book; a club's organisers
//! to a book that is their club's current or upcoming selection.
//!
//! The file is untrusted. Its size is bounded twice (the route's body
//! limit, then `quire_text::Limits`, which also bound entries, inflation,
//! nesting and time while it is read); one file is read at a time per
//! server, and a second upload waiting more than a few seconds is told to
//! try again. Nothing is saved unless the whole file was read; then the
//! analysis is queued, and the insight page shows its progress.

use crate::AppState;
use crate::auth::Member;
use crate::error::AppError;
use crate::paths::WorkPath;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use quire_domain::{SiteRole, WorkId};
use quire_storage::texts::{self, SourceFormat, SourceInfo};
use quire_text::Limits;
use serde::Serialize;
use std::sync::LazyLock;
use std::time::Duration;
use tokio::sync::Semaphore;

/// The largest request body the text routes read: the reader's own file
/// limit and room for the form around it.
pub const MAX_TEXT_BODY: usize = 64 * 1024 * 1024 + 64 * 1024;

/// Files read at once on this server.
static READING: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(1));
/// How long an upload waits for its turn before being told to retry.
const WAIT: Duration = Duration::from_secs(5);

const FIELD: &str = "file";

/// Whether `user` may attach a text to `work`.
pub(crate) async fn may_attach(
    st: &AppState,
    user: &quire_storage::users::User,
    work: WorkId,
) -> Result<(), AppError> {
    if user.role >= SiteRole::Librarian {
        return Ok(());
    }
    if quire_storage::insights::organises_selection_of(&st.db, user.user_id(), work).await? {
        return Ok(());
    }
    Err(AppError::Forbidden(
        "Only librarians, and the organisers of a club reading this book, attach its text.".into(),
    ))
}

/// What the reader learns about a stored text.
#[derive(Serialize)]
pub struct AttachedJson {
    pub version: i64,
    pub changed: bool,
    pub sections: u32,
    pub paragraphs: u32,
    pub characters: u64,
    pub format: String,
    pub insights: String,
}

/// Read, check and store `bytes` as `work`'s text; queue its analysis.
async fn attach(
    st: &AppState,
    user: &quire_storage::users::User,
    work: WorkId,
    name: &str,
    bytes: Bytes,
) -> Result<AttachedJson, AppError> {
    if bytes.is_empty() {
        return Err(AppError::bad(
            FIELD,
            "Choose the book's file (an EPUB or a plain-text file) to upload.",
        ));
    }
    let _turn = tokio::time::timeout(WAIT, READING.acquire())
        .await
        .map_err(|_| AppError::Unavailable {
            message: "Another book's text is being read; try again in a minute.".into(),
            retry_after: 30,
        })?
        .map_err(|_| AppError::Unavailable {
            message: "The server is shutting down.".into(),
            retry_after: 30,
        })?;
    let name = name.rsplit(['/', '\\']).next().unwrap_or(name).to_string();
    let owned = name.clone();
    let (text, source) = tokio::task::spawn_blocking(move || {
        let (text, kind) = quire_text::from_file_bytes(&bytes, &owned, &Limits::default())?;
        let format = match kind {
            quire_text::FileKind::Epub => SourceFormat::Epub,
            quire_text::FileKind::GutenbergText => SourceFormat::GutenbergTxt,
        };
        Ok::<_, quire_text::TextError>((text, SourceInfo::of(format, &owned, &bytes)))
    })
    .await
    .map_err(|e| AppError::internal("Reading the file stopped.", e))?
    .map_err(|e| match e {
        quire_text::TextError::TooLarge { .. } => AppError::PayloadTooLarge {
            field: FIELD,
            message: e.to_string(),
        },
        e => AppError::bad(FIELD, e.to_string()),
    })?;
    let version = texts::attach(&st.db, work, &text, &source, Some(user.user_id()))
        .await
        .map_err(|e| match e {
            texts::AttachError::Storage(s) => AppError::from(s),
            e => AppError::bad(FIELD, format!("{name}: {e}")),
        })?;
    if version.changed {
        quire_jobs::enqueue(&st.db, &quire_jobs::AnalyseText { work: work.0 })
            .await
            .map_err(|e| AppError::internal("The book's analysis could not be queued.", e))?;
    }
    Ok(AttachedJson {
        version: version.version,
        changed: version.changed,
        sections: version.sections,
        paragraphs: version.paragraphs,
        characters: version.chars,
        format: source.format.to_string(),
        insights: format!("/books/{work}/insights"),
    })
}

/// `POST /books/{id}/text`: the form on the insight page.
pub async fn form_upload(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    Member(user): Member,
    mut form: Multipart,
) -> Result<Response, AppError> {
    may_attach(&st, &user, work).await?;
    let cut = || AppError::bad(FIELD, "The upload was cut short; send the file again.");
    loop {
        let Some(field) = form.next_field().await.map_err(|e| match e.status() {
            StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge {
                field: FIELD,
                message: format!(
                    "The file is larger than the {} MB a book's text may be.",
                    MAX_TEXT_BODY / (1024 * 1024)
                ),
            },
            _ => cut(),
        })?
        else {
            return Err(AppError::bad(
                FIELD,
                "Choose the book's file (an EPUB or a plain-text file) to upload.",
            ));
        };
        if field.name() != Some(FIELD) {
            continue;
        }
        let name = field.file_name().unwrap_or("upload").to_string();
        let bytes = field.bytes().await.map_err(|e| match e.status() {
            StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge {
                field: FIELD,
                message: format!(
                    "The file is larger than the {} MB a book's text may be.",
                    MAX_TEXT_BODY / (1024 * 1024)
                ),
            },
            _ => cut(),
        })?;
        let done = attach(&st, &user, work, &name, bytes).await?;
        let flash = if done.changed { "text" } else { "text-same" };
        return Ok(Redirect::to(&format!("/books/{work}/insights?done={flash}")).into_response());
    }
}

/// `PUT /api/v1/books/{id}/text`: the file as the body; `X-File-Name`
/// names it (for messages), `Content-Type` does not matter: the bytes
/// tell an EPUB from a text.
pub async fn api_upload(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    Member(user): Member,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    may_attach(&st, &user, work).await?;
    let name = headers
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("upload")
        .chars()
        .take(120)
        .collect::<String>();
    let done = attach(&st, &user, work, &name, body).await?;
    let status = if done.changed {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(done)).into_response())
}
