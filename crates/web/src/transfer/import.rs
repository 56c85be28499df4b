//! Importing a reading history from the web: upload an export, see what
//! will happen to every row, confirm, watch it run, read the report.
//!
//! - `POST /account/import` reads the upload at once (bounded: the body
//!   limit, the reader's own byte cap, at most [`READING`] files read at a
//!   time) so a wrong file is refused on the spot with the reader's
//!   message; a readable one is kept (`storage::uploads`) and previewed.
//! - `GET /account/import/{id}` shows the preview, the progress or the
//!   report, as the upload stands.
//! - `POST /account/import/{id}/confirm` queues the import job
//!   (`quire_import::upload_job`), choosing good rows only or
//!   all-or-nothing.
//! - `GET /account/import/{id}/report.csv` is every row's outcome.

use std::io::Cursor;
use std::sync::LazyLock;
use std::time::Duration;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use quire_import::library::{self, Format, LibraryError, Planned};
use quire_import::upload_job::ImportUpload;
use quire_storage::uploads::{self, Upload, UploadState};
use serde::Deserialize;
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::DataPage;
use crate::AppState;
use crate::auth::Member;
use crate::error::AppError;
use crate::input::Form;
use crate::view::{Layout, page, plural, thousands};

/// The largest request the upload route reads: the readers' byte cap and
/// room for the form around it.
pub const MAX_IMPORT_BODY: usize = library::MAX_FILE_BYTES as usize + 64 * 1024;

/// Uploads read at once on this server.
static READING: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(2));
const WAIT: Duration = Duration::from_secs(10);
const FIELD: &str = "file";
/// Rows of each kind the preview lists before "and N more".
const PREVIEW_LISTED: usize = 100;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/account/import",
            post(upload).layer(DefaultBodyLimit::max(MAX_IMPORT_BODY)),
        )
        .route("/account/import/{id}", get(status_page))
        .route("/account/import/{id}/confirm", post(confirm))
        .route("/account/import/{id}/report.csv", get(report_csv))
}

/// The formats offered in the form, with their keys.
pub(super) fn formats() -> Vec<(&'static str, &'static str)> {
    [
        Format::Goodreads,
        Format::StoryGraph,
        Format::BookWyrm,
        Format::LibraryThing,
    ]
    .into_iter()
    .map(|f| (f.key(), f.label()))
    .collect()
}

/// What the member sent: the file and the format they chose (or "auto").
async fn read_form(mut form: Multipart) -> Result<(String, Bytes, Option<Format>), AppError> {
    let too_large = || AppError::PayloadTooLarge {
        field: FIELD,
        message: format!(
            "The file is larger than the {} MB an export may be. Check that it is your library export.",
            library::MAX_FILE_BYTES / (1024 * 1024)
        ),
    };
    let cut = || AppError::bad(FIELD, "The upload was cut short; send the file again.");
    let mut file = None;
    let mut format = None;
    while let Some(field) = form.next_field().await.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        _ => cut(),
    })? {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_string();
                let bytes = field.bytes().await.map_err(|e| match e.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => too_large(),
                    _ => cut(),
                })?;
                file = Some((name, bytes));
            }
            Some("format") => {
                let v = field.text().await.map_err(|_| cut())?;
                format = match v.trim() {
                    "" | "auto" => None,
                    key => Some(Format::parse(key).ok_or_else(|| {
                        AppError::bad(
                            "format",
                            format!(
                                "\"{key}\" is not a format Quire imports; choose one from the list."
                            ),
                        )
                    })?),
                };
            }
            _ => {}
        }
    }
    let (name, bytes) = file
        .filter(|(_, b)| !b.is_empty())
        .ok_or_else(|| AppError::bad(FIELD, "Choose your export file to upload."))?;
    let name = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(&name)
        .chars()
        .take(120)
        .collect();
    Ok((name, bytes, format))
}

/// Read an export on a blocking thread, at most [`READING`] at a time.
async fn parse(
    name: String,
    bytes: Bytes,
    format: Option<Format>,
) -> Result<library::Parsed, AppError> {
    let _turn = tokio::time::timeout(WAIT, READING.acquire())
        .await
        .map_err(|_| AppError::Unavailable {
            message: "Other members' files are being read; try again in a few seconds.".into(),
            retry_after: 10,
        })?
        .map_err(|e| AppError::internal("The file could not be read.", e))?;
    tokio::task::spawn_blocking(move || library::read(Cursor::new(bytes), &name, format))
        .await
        .map_err(|e| AppError::internal("Reading the file stopped.", e))?
        .map_err(|e| match e {
            LibraryError::Storage(s) => AppError::from(s),
            LibraryError::TooLarge { .. } => AppError::PayloadTooLarge {
                field: FIELD,
                message: e.to_string(),
            },
            e => AppError::bad(FIELD, e.to_string()),
        })
}

async fn upload(
    State(st): State<AppState>,
    Member(u): Member,
    form: Multipart,
) -> Result<Response, AppError> {
    let refused = |e: AppError| -> Result<Response, AppError> {
        match e {
            AppError::BadInput { message, .. } | AppError::PayloadTooLarge { message, .. } => {
                let body = page(&DataPage::new(&u, Vec::new(), Some(message)))?;
                Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
            }
            e => Err(e),
        }
    };
    let (name, bytes, format) = match read_form(form).await {
        Ok(v) => v,
        Err(e) => return refused(e),
    };
    let parsed = match parse(name.clone(), bytes.clone(), format).await {
        Ok(p) => p,
        Err(e) => return refused(e),
    };
    let id = uploads::create(
        &st.db,
        u.user_id(),
        &name,
        parsed.format.key(),
        &bytes,
        i64::try_from(parsed.rows()).unwrap_or(i64::MAX),
    )
    .await?;
    Ok(Redirect::to(&format!("/account/import/{id}")).into_response())
}

/// One row of the preview or the report, as the page lists it.
pub struct RowLine {
    pub line: u64,
    pub title: String,
    pub author: String,
    pub what: String,
    /// A link to the book it went to or will join.
    pub href: Option<String>,
}

#[derive(Template)]
#[template(path = "account/import.html")]
struct ImportPage {
    layout: Layout,
    id: String,
    file_name: String,
    format: String,
    state: &'static str,
    /// "326 rows: 12 new books, …".
    counts: Vec<String>,
    skipped: Vec<RowLine>,
    others: Vec<RowLine>,
    more_others: usize,
    rows_done: i64,
    rows_total: i64,
    percent: i64,
    summary: Option<String>,
    error: Option<String>,
}

async fn owned(
    st: &AppState,
    u: &quire_storage::users::User,
    id: &str,
) -> Result<Upload, AppError> {
    let gone = || AppError::NotFound("No such import of yours.".into());
    let id = Uuid::parse_str(id).map_err(|_| gone())?;
    uploads::get(&st.db, u.user_id(), id)
        .await?
        .ok_or_else(gone)
}

async fn status_page(
    State(st): State<AppState>,
    Member(u): Member,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let up = owned(&st, &u, &id).await?;
    let mut t = ImportPage {
        layout: Layout::for_user(Some(&u)),
        id: up.id.to_string(),
        file_name: up.file_name.clone(),
        format: Format::parse(&up.format).map_or(up.format.clone(), |f| f.label().to_string()),
        state: match up.state {
            UploadState::Previewed => "previewed",
            UploadState::Queued | UploadState::Running => "running",
            UploadState::Done => "done",
            UploadState::Failed => "failed",
        },
        counts: Vec::new(),
        skipped: Vec::new(),
        others: Vec::new(),
        more_others: 0,
        rows_done: up.rows_done,
        rows_total: up.rows_total,
        percent: if up.rows_total > 0 {
            (up.rows_done * 100 / up.rows_total).clamp(0, 100)
        } else {
            0
        },
        summary: up.summary.clone(),
        error: up.error.clone(),
    };
    match up.state {
        UploadState::Previewed => preview_into(&st, &u, &up, &mut t).await?,
        UploadState::Done => report_into(&st, &u, &up, &mut t).await?,
        _ => {}
    }
    let mut resp = page(&t)?.into_response();
    if t.state == "running" {
        // The page reloads itself while the import runs (no script needed).
        resp.headers_mut()
            .insert(header::REFRESH, header::HeaderValue::from_static("2"));
    }
    Ok(resp)
}

async fn preview_into(
    st: &AppState,
    u: &quire_storage::users::User,
    up: &Upload,
    t: &mut ImportPage,
) -> Result<(), AppError> {
    let Some((_, bytes)) = uploads::content(&st.db, up.id).await? else {
        return Err(AppError::NotFound("No such import of yours.".into()));
    };
    let parsed = parse(
        up.file_name.clone(),
        Bytes::from(bytes),
        Format::parse(&up.format),
    )
    .await?;
    let rows = library::preview(&st.db, u.user_id(), &parsed)
        .await
        .map_err(|e| match e {
            LibraryError::Storage(s) => AppError::from(s),
            e => AppError::bad(FIELD, e.to_string()),
        })?;
    let (mut new, mut matched, mut unchanged, mut update, mut skipped) = (0, 0, 0, 0, 0);
    for r in &rows {
        let line = |what: String, href: Option<String>| RowLine {
            line: r.line,
            title: r.title.clone(),
            author: r.author.clone(),
            what,
            href,
        };
        let (row, is_skip) = match &r.planned {
            Planned::New => {
                new += 1;
                (line("A new book in Quire".into(), None), false)
            }
            Planned::Matches {
                work,
                title,
                author,
            } => {
                matched += 1;
                let by = author
                    .as_deref()
                    .map(|a| format!(" by {a}"))
                    .unwrap_or_default();
                (
                    line(
                        format!("Joins “{title}”{by}"),
                        Some(format!("/books/{work}")),
                    ),
                    false,
                )
            }
            Planned::Unchanged { work } => {
                unchanged += 1;
                (
                    line(
                        "Already imported, unchanged".into(),
                        Some(format!("/books/{work}")),
                    ),
                    false,
                )
            }
            Planned::Update { work } => {
                update += 1;
                (
                    line(
                        "Imported before; updated from this file".into(),
                        Some(format!("/books/{work}")),
                    ),
                    false,
                )
            }
            Planned::Skipped { field, reason } => {
                skipped += 1;
                let what = if field.is_empty() {
                    format!("Skipped: {reason}")
                } else {
                    format!("Skipped ({field}): {reason}")
                };
                (line(what, None), true)
            }
        };
        if is_skip {
            t.skipped.push(row);
        } else if t.others.len() < PREVIEW_LISTED {
            t.others.push(row);
        } else {
            t.more_others += 1;
        }
    }
    t.counts = vec![
        plural_rows(rows.len()),
        format!("{} new to Quire", thousands(new)),
        format!("{} already in Quire", thousands(matched)),
        format!(
            "{} imported before ({} changed)",
            thousands(unchanged + update),
            thousands(update)
        ),
        format!("{} to skip", thousands(skipped)),
    ];
    for w in parsed.warnings.iter().take(PREVIEW_LISTED) {
        t.skipped.push(RowLine {
            line: w.line,
            title: String::new(),
            author: String::new(),
            what: format!("Kept, but {}: {}", w.field, w.reason),
            href: None,
        });
    }
    t.skipped.sort_by_key(|r| r.line);
    Ok(())
}

fn plural_rows(n: usize) -> String {
    plural(i64::try_from(n).unwrap_or(i64::MAX), "row", "rows")
}

async fn report_into(
    st: &AppState,
    u: &quire_storage::users::User,
    up: &Upload,
    t: &mut ImportPage,
) -> Result<(), AppError> {
    let Some(csv_text) = uploads::report(&st.db, u.user_id(), up.id).await? else {
        return Ok(());
    };
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let head = r
        .headers()
        .map_err(|e| AppError::internal("The import's report could not be read.", e))?
        .clone();
    let col = |name: &str| head.iter().position(|h| h == name);
    let (c_line, c_title, c_author, c_outcome, c_field, c_reason, c_work) = (
        col("line"),
        col("title"),
        col("author"),
        col("outcome"),
        col("field"),
        col("reason"),
        col("work"),
    );
    for rec in r.records().flatten() {
        let get = |c: Option<usize>| c.and_then(|i| rec.get(i)).unwrap_or("").to_string();
        let outcome = get(c_outcome);
        let reason = match get(c_field) {
            f if f.is_empty() => get(c_reason),
            f => format!("{} ({f})", get(c_reason)),
        };
        let row = RowLine {
            line: get(c_line).parse().unwrap_or(0),
            title: get(c_title),
            author: get(c_author),
            what: if reason.is_empty() {
                outcome_words(&outcome).to_string()
            } else {
                format!("{}: {reason}", outcome_words(&outcome))
            },
            href: Some(get(c_work))
                .filter(|w| !w.is_empty())
                .map(|w| format!("/books/{w}")),
        };
        if outcome == "skipped" || outcome == "not written" {
            t.skipped.push(row);
        } else if t.others.len() < PREVIEW_LISTED {
            t.others.push(row);
        } else {
            t.more_others += 1;
        }
    }
    Ok(())
}

fn outcome_words(label: &str) -> &'static str {
    match label {
        "created" => "Added as a new book",
        "matched" => "Joined a book in Quire",
        "updated" => "Updated",
        "unchanged" => "Unchanged",
        "skipped" => "Skipped",
        "not written" => "Not written (all or nothing)",
        _ => "Done",
    }
}

#[derive(Deserialize)]
struct ConfirmForm {
    keep: Option<String>,
}

async fn confirm(
    State(st): State<AppState>,
    Member(u): Member,
    Path(id): Path<String>,
    Form(f): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    let up = owned(&st, &u, &id).await?;
    let all_or_nothing = match f.keep.as_deref() {
        None | Some("good") => false,
        Some("all") => true,
        Some(other) => {
            return Err(AppError::bad(
                "keep",
                format!("\"{other}\" is neither \"good\" nor \"all\"."),
            ));
        }
    };
    let job = quire_jobs::new_job(&ImportUpload { upload: up.id })
        .map_err(|e| AppError::internal("The import could not be queued.", e))?;
    // Confirmed twice (a double click) changes nothing: the page shows
    // where the import is either way.
    uploads::confirm(&st.db, u.user_id(), up.id, all_or_nothing, &job).await?;
    Ok(Redirect::to(&format!("/account/import/{}", up.id)).into_response())
}

async fn report_csv(
    State(st): State<AppState>,
    Member(u): Member,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let up = owned(&st, &u, &id).await?;
    let Some(text) = uploads::report(&st.db, u.user_id(), up.id).await? else {
        return Err(AppError::NotFound(
            "This import has no report yet: it has not run.".into(),
        ));
    };
    let name = format!(
        "{}-import-report.csv",
        crate::view::file_stem(&up.file_name, "library")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        text,
    )
        .into_response())
}
