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
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::DataPage;
use crate::AppState;
use crate::auth::Member;
use crate::error::AppError;
use crate::input::{Form, Json, Query};
use crate::view::{Layout, page, plural, thousands};

/// The largest request the upload route reads: the readers' byte cap and
/// room for the form around it.
pub const MAX_IMPORT_BODY: usize = library::MAX_FILE_BYTES as usize + 64 * 1024;

/// Uploads read at once on this server.
static READING: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(2));
const WAIT: Duration = Duration::from_secs(10);
const FIELD: &str = "file";
/// Rows of each kind the preview lists before "and N more".
const PREVIEW_LISTED: usize = 30;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/account/import",
            post(upload).layer(DefaultBodyLimit::max(MAX_IMPORT_BODY)),
        )
        .route("/account/import/{id}", get(status_page))
        .route("/account/import/{id}/confirm", post(confirm))
        .route("/account/import/{id}/report.csv", get(report_csv))
        .route(
            "/api/v1/me/imports",
            post(api_upload).layer(DefaultBodyLimit::max(MAX_IMPORT_BODY)),
        )
        .route("/api/v1/me/imports/{id}", get(api_status))
        .route("/api/v1/me/imports/{id}/confirm", post(api_confirm))
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

/// The format the member named: none ("" or "auto") lets the file's
/// header row tell.
fn chosen_format(raw: &str) -> Result<Option<Format>, AppError> {
    match raw.trim() {
        "" | "auto" => Ok(None),
        key => Format::parse(key).map(Some).ok_or_else(|| {
            AppError::bad(
                "format",
                format!(
                    "\"{key}\" is not a format Quire imports: goodreads, storygraph, bookwyrm or librarything."
                ),
            )
        }),
    }
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
                format = chosen_format(&field.text().await.map_err(|_| cut())?)?;
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
    let read = match read_form(form).await {
        Ok((name, bytes, format)) => parse(name.clone(), bytes.clone(), format)
            .await
            .map(|parsed| (name, bytes, parsed)),
        Err(e) => Err(e),
    };
    let (name, bytes, parsed) = match read {
        Ok(v) => v,
        // A refused file: the page again, with why, and nothing kept.
        Err(AppError::BadInput { message, .. } | AppError::PayloadTooLarge { message, .. }) => {
            let lines = super::upload_lines(&st, &u).await?;
            let body = page(&DataPage::new(&u, lines, Some(message)))?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response());
        }
        Err(e) => return Err(e),
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

impl ImportPage {
    /// List a row: among those that need a look, or among the others
    /// (the first [`PREVIEW_LISTED`], then only counted).
    fn list(&mut self, row: RowLine, needs_look: bool) {
        if needs_look {
            self.skipped.push(row);
        } else if self.others.len() < PREVIEW_LISTED {
            self.others.push(row);
        } else {
            self.more_others += 1;
        }
    }
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

/// A value the reader left out of a row, with that row's title and author.
type Flagged = (library::Warning, (String, String));

/// The preview of a previewed upload: the file read again and every row
/// matched against the catalog, with the file's warnings.
async fn previewed(
    st: &AppState,
    u: &quire_storage::users::User,
    up: &Upload,
) -> Result<(Vec<library::PreviewRow>, Vec<Flagged>), AppError> {
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
    // A warning names a line; the page shows that line's book beside it.
    let warnings = parsed
        .warnings
        .into_iter()
        .map(|w| {
            let book = rows
                .iter()
                .find(|r| r.line == w.line)
                .map(|r| (r.title.clone(), r.author.clone()))
                .unwrap_or_default();
            (w, book)
        })
        .collect();
    Ok((rows, warnings))
}

/// What will happen to a row, in words, and the book it goes to.
fn planned_words(p: &Planned) -> (String, Option<String>) {
    match p {
        Planned::New => ("A new book in Quire".into(), None),
        Planned::Matches {
            work,
            title,
            author,
        } => {
            let by = author
                .as_deref()
                .map(|a| format!(" by {a}"))
                .unwrap_or_default();
            (
                format!("Joins “{title}”{by}"),
                Some(format!("/books/{work}")),
            )
        }
        Planned::Unchanged { work } => (
            "Already imported, unchanged".into(),
            Some(format!("/books/{work}")),
        ),
        Planned::Update { work } => (
            "Imported before; updated from this file".into(),
            Some(format!("/books/{work}")),
        ),
        Planned::Skipped { field, reason } if field.is_empty() => {
            (format!("Skipped: {reason}"), None)
        }
        Planned::Skipped { field, reason } => (format!("Skipped ({field}): {reason}"), None),
    }
}

/// The key a preview row's plan has in the JSON.
fn planned_key(p: &Planned) -> &'static str {
    match p {
        Planned::New => "new",
        Planned::Matches { .. } => "matches",
        Planned::Unchanged { .. } => "unchanged",
        Planned::Update { .. } => "update",
        Planned::Skipped { .. } => "skipped",
    }
}

async fn preview_into(
    st: &AppState,
    u: &quire_storage::users::User,
    up: &Upload,
    t: &mut ImportPage,
) -> Result<(), AppError> {
    let (rows, warnings) = previewed(st, u, up).await?;
    let mut n = std::collections::HashMap::new();
    for r in &rows {
        *n.entry(planned_key(&r.planned)).or_insert(0i64) += 1;
        let (what, href) = planned_words(&r.planned);
        let row = RowLine {
            line: r.line,
            title: r.title.clone(),
            author: r.author.clone(),
            what,
            href,
        };
        t.list(row, matches!(r.planned, Planned::Skipped { .. }));
    }
    let count = |k: &str| n.get(k).copied().unwrap_or(0);
    t.counts = vec![
        plural_rows(rows.len()),
        format!("{} new to Quire", thousands(count("new"))),
        format!("{} already in Quire", thousands(count("matches"))),
        format!(
            "{} imported before ({} changed)",
            thousands(count("unchanged") + count("update")),
            thousands(count("update"))
        ),
        format!("{} to skip", thousands(count("skipped"))),
    ];
    for (w, (title, author)) in warnings.into_iter().take(PREVIEW_LISTED) {
        t.skipped.push(RowLine {
            line: w.line,
            title,
            author,
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
    let rows = report_rows(&csv_text)
        .map_err(|e| AppError::internal("The import's report could not be read.", e))?;
    for r in rows {
        let outcome = r.outcome.unwrap_or_default();
        let reason = match (r.reason, r.field) {
            (Some(reason), Some(f)) => format!("{reason} ({f})"),
            (reason, _) => reason.unwrap_or_default(),
        };
        let row = RowLine {
            line: r.line,
            title: r.title,
            author: r.author,
            what: if reason.is_empty() {
                outcome_words(&outcome).to_string()
            } else {
                format!("{}: {reason}", outcome_words(&outcome))
            },
            href: r.book,
        };
        t.list(row, outcome == "skipped" || outcome == "not written");
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

/// The confirmation, from the page's form or as JSON: `keep` is "good"
/// (the default) or "all".
#[derive(Deserialize, Default)]
struct Confirm {
    keep: Option<String>,
}

/// Queue the import of a previewed upload of `u`'s. False when it was
/// already confirmed (a double click, a retried request): nothing changes.
async fn start(
    st: &AppState,
    u: &quire_storage::users::User,
    id: &str,
    f: &Confirm,
) -> Result<(Uuid, bool), AppError> {
    let up = owned(st, u, id).await?;
    let all_or_nothing = keep_all(f.keep.as_deref())?;
    let job = quire_jobs::new_job(&ImportUpload { upload: up.id })
        .map_err(|e| AppError::internal("The import could not be queued.", e))?;
    let started = uploads::confirm(&st.db, u.user_id(), up.id, all_or_nothing, &job).await?;
    Ok((up.id, started))
}

async fn confirm(
    State(st): State<AppState>,
    Member(u): Member,
    Path(id): Path<String>,
    Form(f): Form<Confirm>,
) -> Result<Response, AppError> {
    // Confirmed twice or not, the page shows where the import is.
    let (id, _) = start(&st, &u, &id, &f).await?;
    Ok(Redirect::to(&format!("/account/import/{id}")).into_response())
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

/// One row of an import in the JSON API: what will happen (`plan`, in a
/// preview) or what happened (`outcome`, in a report).
#[derive(Serialize)]
struct RowJson {
    line: u64,
    title: String,
    author: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    plan: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    book: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

#[derive(Serialize)]
struct ImportJson {
    id: String,
    href: String,
    file: String,
    format: String,
    /// previewed, queued, running, done or failed.
    state: &'static str,
    rows_total: i64,
    rows_done: i64,
    summary: Option<String>,
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    preview: Option<Vec<RowJson>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<Vec<RowJson>>,
}

fn state_key(s: UploadState) -> &'static str {
    match s {
        UploadState::Previewed => "previewed",
        UploadState::Queued => "queued",
        UploadState::Running => "running",
        UploadState::Done => "done",
        UploadState::Failed => "failed",
    }
}

fn preview_json(rows: &[library::PreviewRow]) -> Vec<RowJson> {
    rows.iter()
        .map(|r| {
            let (field, reason) = match &r.planned {
                Planned::Skipped { field, reason } => (Some(field.clone()), Some(reason.clone())),
                _ => (None, None),
            };
            let book = match &r.planned {
                Planned::Matches { work, .. }
                | Planned::Unchanged { work }
                | Planned::Update { work } => Some(format!("/books/{work}")),
                _ => None,
            };
            RowJson {
                line: r.line,
                title: r.title.clone(),
                author: r.author.clone(),
                plan: Some(planned_key(&r.planned)),
                outcome: None,
                book,
                field: field.filter(|f| !f.is_empty()),
                reason,
            }
        })
        .collect()
}

/// The rows of an import's stored report (the CSV `Report::write_csv`
/// writes), read by column name.
fn report_rows(csv_text: &str) -> Result<Vec<RowJson>, csv::Error> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let head = r.headers()?.clone();
    let col = |name: &str| head.iter().position(|h| h == name);
    let cols = [
        col("line"),
        col("title"),
        col("author"),
        col("outcome"),
        col("work"),
        col("field"),
        col("reason"),
    ];
    Ok(r.records()
        .flatten()
        .map(|rec| {
            let get = |i: usize| cols[i].and_then(|c| rec.get(c)).unwrap_or("").to_string();
            let some = |v: String| Some(v).filter(|v| !v.is_empty());
            RowJson {
                line: get(0).parse().unwrap_or(0),
                title: get(1),
                author: get(2),
                plan: None,
                outcome: some(get(3)),
                book: some(get(4)).map(|w| format!("/books/{w}")),
                field: some(get(5)),
                reason: some(get(6)),
            }
        })
        .collect())
}

async fn import_json(
    st: &AppState,
    u: &quire_storage::users::User,
    up: &Upload,
) -> Result<ImportJson, AppError> {
    let mut out = ImportJson {
        id: up.id.to_string(),
        href: format!("/account/import/{}", up.id),
        file: up.file_name.clone(),
        format: up.format.clone(),
        state: state_key(up.state),
        rows_total: up.rows_total,
        rows_done: up.rows_done,
        summary: up.summary.clone(),
        error: up.error.clone(),
        preview: None,
        report: None,
    };
    match up.state {
        UploadState::Previewed => out.preview = Some(preview_json(&previewed(st, u, up).await?.0)),
        UploadState::Done => {
            out.report = uploads::report(&st.db, u.user_id(), up.id)
                .await?
                .map(|t| report_rows(&t).unwrap_or_default())
        }
        _ => {}
    }
    Ok(out)
}

#[derive(Deserialize, Default)]
struct UploadQuery {
    format: Option<String>,
}

/// `POST /api/v1/me/imports`: the export as the body; `X-File-Name` names
/// it for messages. Answers 201 with the preview of every row.
async fn api_upload(
    State(st): State<AppState>,
    Member(u): Member,
    Query(q): Query<UploadQuery>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let format = chosen_format(q.format.as_deref().unwrap_or(""))?;
    if body.is_empty() {
        return Err(AppError::bad(
            FIELD,
            "Send the export file as the request body.",
        ));
    }
    let name: String = headers
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("upload.csv")
        .chars()
        .take(120)
        .collect();
    let parsed = parse(name.clone(), body.clone(), format).await?;
    let id = uploads::create(
        &st.db,
        u.user_id(),
        &name,
        parsed.format.key(),
        &body,
        i64::try_from(parsed.rows()).unwrap_or(i64::MAX),
    )
    .await?;
    let up = uploads::get(&st.db, u.user_id(), id)
        .await?
        .ok_or_else(|| AppError::NotFound("No such import of yours.".into()))?;
    let mut json = import_json(&st, &u, &up).await?;
    json.preview.get_or_insert_with(Vec::new);
    Ok((StatusCode::CREATED, axum::Json(json)).into_response())
}

async fn api_status(
    State(st): State<AppState>,
    Member(u): Member,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let up = owned(&st, &u, &id).await?;
    Ok(axum::Json(import_json(&st, &u, &up).await?).into_response())
}

async fn api_confirm(
    State(st): State<AppState>,
    Member(u): Member,
    Path(id): Path<String>,
    Json(f): Json<Confirm>,
) -> Result<Response, AppError> {
    let (_, started) = start(&st, &u, &id, &f).await?;
    let up = owned(&st, &u, &id).await?;
    let status = if started {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(import_json(&st, &u, &up).await?)).into_response())
}

/// `keep`: "good" (the default) or "all".
fn keep_all(keep: Option<&str>) -> Result<bool, AppError> {
    match keep {
        None | Some("good") => Ok(false),
        Some("all") => Ok(true),
        Some(other) => Err(AppError::bad(
            "keep",
            format!(
                "\"{other}\" is neither \"good\" (import the good rows) nor \"all\" (all or nothing)."
            ),
        )),
    }
}
