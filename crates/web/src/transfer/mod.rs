//! A member's data in and out (`/account/data`): the page that offers
//! imports and exports, the downloads themselves, and a club's archive
//! for its organisers.
//!
//! Archives are assembled by `quire_import::archive` from the tables of
//! `quire_storage::archive`; at most [`AT_ONCE`] are written at a time,
//! and a request that waits [`WAIT`] for a turn is told to come back.

use std::io::Cursor;
use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use quire_import::archive::{About, write_zip};
use quire_import::library;
use quire_storage::archive::{self, Table};
use quire_storage::uploads::{self, UploadState};
use quire_storage::users::User;
use tokio::sync::Semaphore;

use crate::AppState;
use crate::auth::Member;
use crate::clubs::Club;
use crate::error::AppError;
use crate::permissions::ClubPermission;
use crate::view::{Layout, file_stem, page};

mod import;

/// Archives written at once, server-wide.
const AT_ONCE: usize = 2;
/// How long a download waits for a turn before it is told to retry.
const WAIT: Duration = Duration::from_secs(20);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/data", get(data_page))
        .route("/account/export/goodreads.csv", get(goodreads_csv))
        .route("/account/export/storygraph.csv", get(storygraph_csv))
        .route("/api/v1/me/library.csv", get(library_csv_api))
        .route("/account/export/archive.zip", get(account_archive))
        .route("/api/v1/me/archive.zip", get(account_archive))
        .route("/clubs/{slug}/archive.zip", get(club_archive))
        .route("/api/v1/clubs/{slug}/archive.zip", get(club_archive))
        .merge(import::routes())
}

/// Turns for writing archives, shared by every request.
#[derive(Clone)]
pub struct ArchiveTurns(Arc<Semaphore>);

impl Default for ArchiveTurns {
    fn default() -> Self {
        ArchiveTurns(Arc::new(Semaphore::new(AT_ONCE)))
    }
}

/// An earlier upload, as the data page lists it.
pub struct UploadLine {
    pub href: String,
    pub file_name: String,
    pub when: String,
    pub state: String,
}

#[derive(Template)]
#[template(path = "account/data.html")]
pub(crate) struct DataPage {
    layout: Layout,
    formats: Vec<(&'static str, &'static str)>,
    uploads: Vec<UploadLine>,
    /// Why the last upload was refused.
    error: Option<String>,
}

impl DataPage {
    pub(crate) fn new(u: &User, uploads: Vec<UploadLine>, error: Option<String>) -> Self {
        DataPage {
            layout: Layout::for_user(Some(u)),
            formats: import::formats(),
            uploads,
            error,
        }
    }
}

/// The member's earlier uploads, newest first.
pub(crate) async fn upload_lines(st: &AppState, u: &User) -> Result<Vec<UploadLine>, AppError> {
    Ok(uploads::list(&st.db, u.user_id())
        .await?
        .into_iter()
        .map(|up| UploadLine {
            href: format!("/account/import/{}", up.id),
            file_name: up.file_name,
            when: crate::view::day(up.created_at),
            state: match up.state {
                UploadState::Previewed => "Previewed, not imported".into(),
                UploadState::Queued | UploadState::Running => "Importing…".into(),
                UploadState::Done => up.summary.unwrap_or_else(|| "Imported".into()),
                UploadState::Failed => "Failed".into(),
            },
        })
        .collect())
}

async fn data_page(
    State(st): State<AppState>,
    Member(u): Member,
) -> Result<Html<String>, AppError> {
    let lines = upload_lines(&st, &u).await?;
    page(&DataPage::new(&u, lines, None))
}

/// The member's library as Goodreads' "Export Library" CSV.
async fn goodreads_csv(
    State(st): State<AppState>,
    Member(u): Member,
) -> Result<Response, AppError> {
    library_csv(&st, &u, LibraryCsv::Goodreads).await
}

/// The member's library as a StoryGraph export CSV.
async fn storygraph_csv(
    State(st): State<AppState>,
    Member(u): Member,
) -> Result<Response, AppError> {
    library_csv(&st, &u, LibraryCsv::StoryGraph).await
}

#[derive(serde::Deserialize, Default)]
struct LibraryQuery {
    format: Option<String>,
}

/// `GET /api/v1/me/library.csv?format=goodreads|storygraph`.
async fn library_csv_api(
    State(st): State<AppState>,
    Member(u): Member,
    crate::input::Query(q): crate::input::Query<LibraryQuery>,
) -> Result<Response, AppError> {
    let kind = match q.format.as_deref() {
        None | Some("goodreads") => LibraryCsv::Goodreads,
        Some("storygraph") => LibraryCsv::StoryGraph,
        Some(other) => {
            return Err(AppError::bad(
                "format",
                format!("\"{other}\" is not an export format: goodreads or storygraph."),
            ));
        }
    };
    library_csv(&st, &u, kind).await
}

#[derive(Clone, Copy)]
enum LibraryCsv {
    Goodreads,
    StoryGraph,
}

/// One library export, as bytes.
async fn library_entries(st: &AppState, u: &User) -> Result<Vec<library::Entry>, AppError> {
    library::export(&st.db, u.user_id())
        .await
        .map_err(|e| AppError::internal("Your library could not be read.", e))
}

/// A library written in one of the export formats.
fn library_bytes(entries: &[library::Entry], kind: LibraryCsv) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::new();
    match kind {
        LibraryCsv::Goodreads => library::write_goodreads(entries, &mut out),
        LibraryCsv::StoryGraph => library::write_storygraph(entries, &mut out),
    }
    .map_err(|e| AppError::internal("Your library could not be written.", e))?;
    Ok(out)
}

async fn library_csv(st: &AppState, u: &User, kind: LibraryCsv) -> Result<Response, AppError> {
    let bytes = library_bytes(&library_entries(st, u).await?, kind)?;
    let name = match kind {
        LibraryCsv::Goodreads => "goodreads_library_export.csv",
        LibraryCsv::StoryGraph => "storygraph_export.csv",
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

async fn account_archive(
    State(st): State<AppState>,
    Member(u): Member,
) -> Result<Response, AppError> {
    let tables = archive::account(&st.db, u.user_id()).await?;
    let subject = format!("the account of @{}", u.username);
    let name = format!("quire-{}.zip", file_stem(&u.username, "account"));
    // The library is read once and written in both formats.
    let entries = library_entries(&st, &u).await?;
    let extra = vec![
        (
            "goodreads_library_export.csv",
            library_bytes(&entries, LibraryCsv::Goodreads)?,
            "your library in Goodreads' export format, which Goodreads-compatible sites (and Quire) import",
        ),
        (
            "storygraph_export.csv",
            library_bytes(&entries, LibraryCsv::StoryGraph)?,
            "your library in The StoryGraph's export format",
        ),
    ];
    zip_response(&st, &subject, "account.json", tables, extra, name).await
}

async fn club_archive(State(st): State<AppState>, club: Club) -> Result<Response, AppError> {
    club.check(ClubPermission::Organise)?;
    let tables = archive::club(&st.db, club.club.id).await?;
    let subject = format!("the club {}", club.club.name);
    let name = format!("quire-club-{}.zip", file_stem(&club.club.slug, "club"));
    zip_response(&st, &subject, "club.json", tables, Vec::new(), name).await
}

/// Write the zip on a blocking thread when a turn is free.
async fn zip_response(
    st: &AppState,
    subject: &str,
    json_name: &'static str,
    tables: Vec<Table>,
    extra: Vec<(&'static str, Vec<u8>, &'static str)>,
    file_name: String,
) -> Result<Response, AppError> {
    let permit = tokio::time::timeout(WAIT, st.archive_turns.0.clone().acquire_owned())
        .await
        .map_err(|_| AppError::Unavailable {
            message:
                "Quire is busy writing other archives. Try the download again in a few seconds."
                    .into(),
            retry_after: 5,
        })?
        .map_err(|e| AppError::internal("The archive could not be written.", e))?;
    let subject = subject.to_string();
    let bytes = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let about = About {
            subject: &subject,
            json_name,
            made_at: quire_storage::now(),
        };
        write_zip(Cursor::new(Vec::new()), &about, &tables, &extra).map(Cursor::into_inner)
    })
    .await
    .map_err(|e| AppError::internal("The archive could not be written.", e))?
    .map_err(|e| AppError::internal("The archive could not be written.", e))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}
