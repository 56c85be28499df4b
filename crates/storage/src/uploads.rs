//! Reading-history exports members upload to import (migration 0025): the
//! bytes as uploaded, from the preview until the import job has run, and
//! what the job made of them (progress, a one-line summary, the per-row
//! report as CSV, or why it failed).
//!
//! Only the uploader can read an upload. Each member keeps at most
//! [`KEPT_PER_MEMBER`] uploads: a new one removes the oldest finished ones.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::Result;
use crate::db::{Db, now};
use crate::jobs::NewJob;
use quire_domain::UserId;

/// Uploads a member keeps; older finished or abandoned ones are removed.
pub const KEPT_PER_MEMBER: i64 = 10;

/// Where an upload stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadState {
    /// Read and previewed; waiting for the member to confirm.
    Previewed,
    /// Confirmed; the job has not started.
    Queued,
    Running,
    Done,
    Failed,
}

impl UploadState {
    fn parse(s: &str) -> Self {
        match s {
            "queued" => UploadState::Queued,
            "running" => UploadState::Running,
            "done" => UploadState::Done,
            "failed" => UploadState::Failed,
            _ => UploadState::Previewed,
        }
    }
}

/// An upload without its bytes.
#[derive(Clone, Debug)]
pub struct Upload {
    pub id: Uuid,
    pub user: UserId,
    pub file_name: String,
    /// The format's key (`goodreads`, `storygraph`, …) as read.
    pub format: String,
    pub byte_size: i64,
    pub state: UploadState,
    /// Whether only a clean file is written (`true`) or the good rows.
    pub all_or_nothing: bool,
    pub rows_done: i64,
    pub rows_total: i64,
    pub summary: Option<String>,
    pub error: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

type UploadSql = (
    Uuid,
    UserId,
    String,
    String,
    i64,
    String,
    String,
    i64,
    i64,
    Option<String>,
    Option<String>,
    OffsetDateTime,
    OffsetDateTime,
);

/// The columns of an [`UploadSql`], for `concat!`.
macro_rules! columns {
    () => {
        "id, user_id, file_name, format, CAST(byte_size AS BIGINT), state, keep_rows,
         CAST(rows_done AS BIGINT), CAST(rows_total AS BIGINT), summary, error, created_at, updated_at"
    };
}

fn upload_of(r: UploadSql) -> Upload {
    Upload {
        id: r.0,
        user: r.1,
        file_name: r.2,
        format: r.3,
        byte_size: r.4,
        state: UploadState::parse(&r.5),
        all_or_nothing: r.6 == "all",
        rows_done: r.7,
        rows_total: r.8,
        summary: r.9,
        error: r.10,
        created_at: r.11,
        updated_at: r.12,
    }
}

/// Keep an upload that was read and previewed; `rows` is its data rows.
/// The member's oldest uploads beyond [`KEPT_PER_MEMBER`] that are not
/// queued or running are removed in the same transaction.
pub async fn create(
    db: &Db,
    user: UserId,
    file_name: &str,
    format: &str,
    content: &[u8],
    rows: i64,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let at = now();
    let mut tx = db.begin().await?;
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO library_uploads (id, user_id, file_name, format, content, byte_size, state,
                                          rows_total, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'previewed', $7, $8, $8)"
        )
        .bind(id)
        .bind(user)
        .bind(file_name)
        .bind(format)
        .bind(content)
        .bind(i64::try_from(content.len()).unwrap_or(i64::MAX))
        .bind(rows)
        .bind(at),
        execute
    )?;
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "DELETE FROM library_uploads WHERE user_id = $1 AND state NOT IN ('queued', 'running')
               AND id NOT IN (SELECT id FROM library_uploads WHERE user_id = $1
                              ORDER BY created_at DESC, id DESC LIMIT $2)"
        )
        .bind(user)
        .bind(KEPT_PER_MEMBER),
        execute
    )?;
    tx.commit().await?;
    Ok(id)
}

/// The upload `id` if it is `user`'s.
pub async fn get(db: &Db, user: UserId, id: Uuid) -> Result<Option<Upload>> {
    let row: Option<UploadSql> = read!(
        db,
        sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM library_uploads WHERE id = $1 AND user_id = $2"
        ))
        .bind(id)
        .bind(user),
        fetch_optional
    )?;
    Ok(row.map(upload_of))
}

/// Upload `id` with its bytes (for the job, which runs for its owner).
pub async fn content(db: &Db, id: Uuid) -> Result<Option<(Upload, Vec<u8>)>> {
    let Some(upload) = ({
        let row: Option<UploadSql> = read!(
            db,
            sqlx::query_as(concat!(
                "SELECT ",
                columns!(),
                " FROM library_uploads WHERE id = $1"
            ))
            .bind(id),
            fetch_optional
        )?;
        row.map(upload_of)
    }) else {
        return Ok(None);
    };
    let bytes: Option<(Vec<u8>,)> = read!(
        db,
        sqlx::query_as("SELECT content FROM library_uploads WHERE id = $1").bind(id),
        fetch_optional
    )?;
    Ok(bytes.map(|b| (upload, b.0)))
}

/// The member's uploads, newest first, without their bytes.
pub async fn list(db: &Db, user: UserId) -> Result<Vec<Upload>> {
    let rows: Vec<UploadSql> = read!(
        db,
        sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM library_uploads WHERE user_id = $1 ORDER BY created_at DESC, id DESC"
        ))
        .bind(user),
        fetch_all
    )?;
    Ok(rows.into_iter().map(upload_of).collect())
}

/// Confirm a previewed upload and queue `job` for it, in one transaction.
/// False when the upload is not `user`'s or was already confirmed.
pub async fn confirm(
    db: &Db,
    user: UserId,
    id: Uuid,
    all_or_nothing: bool,
    job: &NewJob,
) -> Result<bool> {
    let mut tx = db.begin().await?;
    let done = tx!(
        db,
        &mut tx,
        sqlx::query(
            "UPDATE library_uploads SET state = 'queued', keep_rows = $3, updated_at = $4
             WHERE id = $1 AND user_id = $2 AND state = 'previewed'"
        )
        .bind(id)
        .bind(user)
        .bind(if all_or_nothing { "all" } else { "good" })
        .bind(now()),
        execute
    )?;
    if done.0 != 1 {
        return Ok(false);
    }
    crate::jobs::enqueue_in(db, &mut tx, job).await?;
    tx.commit().await?;
    Ok(true)
}

/// Record how far the job has got (and that it runs).
pub async fn progress(db: &Db, id: Uuid, done: i64, total: i64) -> Result<()> {
    write!(
        db,
        sqlx::query(
            "UPDATE library_uploads SET state = 'running', rows_done = $2, rows_total = $3, updated_at = $4
             WHERE id = $1 AND state IN ('queued', 'running')"
        )
        .bind(id)
        .bind(done)
        .bind(total)
        .bind(now()),
        execute
    )?;
    Ok(())
}

/// The job finished: its summary line and per-row report (CSV).
pub async fn finish(db: &Db, id: Uuid, summary: &str, report_csv: &str) -> Result<()> {
    write!(
        db,
        sqlx::query(
            "UPDATE library_uploads SET state = 'done', rows_done = rows_total, summary = $2, report = $3,
                    error = NULL, updated_at = $4
             WHERE id = $1"
        )
        .bind(id)
        .bind(summary)
        .bind(report_csv)
        .bind(now()),
        execute
    )?;
    Ok(())
}

/// The job gave up: why, in words for the member.
pub async fn fail(db: &Db, id: Uuid, error: &str) -> Result<()> {
    write!(
        db,
        sqlx::query(
            "UPDATE library_uploads SET state = 'failed', error = $2, updated_at = $3 WHERE id = $1"
        )
        .bind(id)
        .bind(error)
        .bind(now()),
        execute
    )?;
    Ok(())
}

/// The per-row report of a finished upload of `user`'s.
pub async fn report(db: &Db, user: UserId, id: Uuid) -> Result<Option<String>> {
    let row: Option<(Option<String>,)> = read!(
        db,
        sqlx::query_as("SELECT report FROM library_uploads WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user),
        fetch_optional
    )?;
    Ok(row.and_then(|r| r.0))
}
