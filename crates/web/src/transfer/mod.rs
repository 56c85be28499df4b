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
use quire_storage::archive::{self, Table};
use tokio::sync::Semaphore;

use crate::AppState;
use crate::auth::Member;
use crate::clubs::Club;
use crate::error::AppError;
use crate::permissions::ClubPermission;
use crate::view::{Layout, file_stem, page};

/// Archives written at once, server-wide.
const AT_ONCE: usize = 2;
/// How long a download waits for a turn before it is told to retry.
const WAIT: Duration = Duration::from_secs(20);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/data", get(data_page))
        .route("/account/export/archive.zip", get(account_archive))
        .route("/api/v1/me/archive.zip", get(account_archive))
        .route("/clubs/{slug}/archive.zip", get(club_archive))
        .route("/api/v1/clubs/{slug}/archive.zip", get(club_archive))
}

/// Turns for writing archives, shared by every request.
#[derive(Clone)]
pub struct ArchiveTurns(Arc<Semaphore>);

impl Default for ArchiveTurns {
    fn default() -> Self {
        ArchiveTurns(Arc::new(Semaphore::new(AT_ONCE)))
    }
}

#[derive(Template)]
#[template(path = "account/data.html")]
struct DataPage {
    layout: Layout,
}

async fn data_page(Member(u): Member) -> Result<Html<String>, AppError> {
    page(&DataPage {
        layout: Layout::for_user(Some(&u)),
    })
}

async fn account_archive(
    State(st): State<AppState>,
    Member(u): Member,
) -> Result<Response, AppError> {
    let tables = archive::account(&st.db, u.user_id()).await?;
    let subject = format!("the account of @{}", u.username);
    let name = format!("quire-{}.zip", file_stem(&u.username, "account"));
    zip_response(&st, &subject, "account.json", tables, name).await
}

async fn club_archive(State(st): State<AppState>, club: Club) -> Result<Response, AppError> {
    club.check(ClubPermission::Organise)?;
    let tables = archive::club(&st.db, club.club.id).await?;
    let subject = format!("the club {}", club.club.name);
    let name = format!("quire-club-{}.zip", file_stem(&club.club.slug, "club"));
    zip_response(&st, &subject, "club.json", tables, name).await
}

/// Write the zip on a blocking thread when a turn is free.
async fn zip_response(
    st: &AppState,
    subject: &str,
    json_name: &'static str,
    tables: Vec<Table>,
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
        write_zip(Cursor::new(Vec::new()), &about, &tables, &[]).map(Cursor::into_inner)
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
