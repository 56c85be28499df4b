//! A reader's shelves: the personal queue (want to read, ordered), readings
//! (currently reading with progress, read with dates, did not finish; a
//! re-read is a new reading) and custom shelves.

use crate::catalog::{PagePart, SUMMARY_COLUMNS, SummaryRow, WorkSummary, bump_part, summaries};
use crate::db::{Conn, Db, Tx, missing_book, now};
use crate::{Result, StorageError};
use quire_domain::{EditionId, Progress, ReadingStatus, UserId, WorkId};
use time::Date;
use uuid::Uuid;

/// Put a work at the end of the reader's queue (no change if it is there).
pub async fn queue_add(db: &Db, user: UserId, work: WorkId) -> Result<()> {
    write!(
        db,
        sqlx::query(
            "INSERT INTO queue_entries (user_id, work_id, position, added_at)
             SELECT $1, $2, COALESCE((SELECT MAX(position) + 1 FROM queue_entries WHERE user_id = $1), 1), $3
             ON CONFLICT (user_id, work_id) DO NOTHING"
        )
        .bind(user)
        .bind(work)
        .bind(now()),
        execute
    )
    .map_err(missing_book)?;
    Ok(())
}

pub async fn queue_remove(db: &Db, user: UserId, work: WorkId) -> Result<()> {
    dequeue(db, Conn::Pool, user, work).await
}

/// Move a work one place up (towards the front) or down in the queue.
pub async fn queue_move(db: &Db, user: UserId, work: WorkId, up: bool) -> Result<()> {
    let mut tx = db.begin().await?;
    let sql = if up {
        "SELECT q.work_id, q.position, o.work_id, o.position FROM queue_entries q
         JOIN queue_entries o ON o.user_id = q.user_id AND o.position < q.position
         WHERE q.user_id = $1 AND q.work_id = $2 ORDER BY o.position DESC LIMIT 1"
    } else {
        "SELECT q.work_id, q.position, o.work_id, o.position FROM queue_entries q
         JOIN queue_entries o ON o.user_id = q.user_id AND o.position > q.position
         WHERE q.user_id = $1 AND q.work_id = $2 ORDER BY o.position ASC LIMIT 1"
    };
    let pair: Option<(Uuid, i64, Uuid, i64)> = tx!(
        db,
        &mut tx,
        sqlx::query_as(sql).bind(user).bind(work),
        fetch_optional
    )?;
    if let Some((a, pa, b, pb)) = pair {
        for (w, p) in [(a, pb), (b, pa)] {
            tx!(
                db,
                &mut tx,
                sqlx::query(
                    "UPDATE queue_entries SET position = $3 WHERE user_id = $1 AND work_id = $2"
                )
                .bind(user)
                .bind(w)
                .bind(p),
                execute
            )?;
        }
    }
    tx.commit().await
}

/// The reader's open reading of a work, if any.
async fn active_reading(db: &Db, tx: &mut Tx, user: UserId, work: WorkId) -> Result<Option<Uuid>> {
    let row: Option<(Uuid,)> = tx!(
        db,
        tx,
        sqlx::query_as(
            "SELECT id FROM readings WHERE user_id = $1 AND work_id = $2 AND status = 'reading'
             ORDER BY updated_at DESC LIMIT 1"
        )
        .bind(user)
        .bind(work),
        fetch_optional
    )?;
    Ok(row.map(|(id,)| id))
}

/// Take a work off the reader's queue: on its own, or as part of starting
/// or finishing a reading.
async fn dequeue(db: &Db, conn: Conn<'_>, user: UserId, work: WorkId) -> Result<()> {
    run!(
        db,
        conn,
        sqlx::query("DELETE FROM queue_entries WHERE user_id = $1 AND work_id = $2")
            .bind(user)
            .bind(work),
        execute
    )?;
    Ok(())
}

/// Start reading a work (a new reading, or a re-read). Takes it off the
/// queue. Nothing changes if a reading is already open.
pub async fn start_reading(
    db: &Db,
    user: UserId,
    work: WorkId,
    edition: Option<EditionId>,
    today: Date,
) -> Result<()> {
    let mut tx = db.begin().await?;
    if active_reading(db, &mut tx, user, work).await?.is_none()
        && !reopen_rated_read(
            db,
            &mut tx,
            user,
            work,
            ReadingStatus::Reading,
            Some(today),
            None,
            edition,
        )
        .await?
    {
        let at = now();
        tx!(
            db,
            &mut tx,
            sqlx::query(
                "INSERT INTO readings (id, user_id, work_id, edition_id, status, started_on,
                    created_at, updated_at) VALUES ($1, $2, $3, $4, 'reading', $5, $6, $6)"
            )
            .bind(Uuid::now_v7())
            .bind(user)
            .bind(work)
            .bind(edition)
            .bind(today)
            .bind(at),
            execute
        )
        .map_err(missing_book)?;
    }
    dequeue(db, Conn::Tx(&mut tx), user, work).await?;
    bump_part(db, &mut tx, work, PagePart::Activity).await?;
    tx.commit().await
}

/// Record how far the reader is in their open reading; opens one if needed.
pub async fn set_progress(
    db: &Db,
    user: UserId,
    work: WorkId,
    edition: Option<EditionId>,
    progress: Progress,
    today: Date,
) -> Result<()> {
    start_reading(db, user, work, edition, today).await?;
    let mut tx = db.begin().await?;
    if let Some(id) = active_reading(db, &mut tx, user, work).await? {
        tx!(
            db,
            &mut tx,
            sqlx::query(
                "UPDATE readings SET progress_unit = $2, progress_value = $3,
                    edition_id = COALESCE($4, edition_id), updated_at = $5 WHERE id = $1"
            )
            .bind(id)
            .bind(progress.unit())
            .bind(i64::from(progress.value()))
            .bind(edition)
            .bind(now()),
            execute
        )?;
    }
    tx.commit().await
}

/// Rating a book that was on no shelf recorded it as read without dates
/// (`ratings::rated_read_id`). When the reader then says where the book
/// really is (reading it, read on a date, not finished), that placeholder
/// becomes this reading instead of a second one: a first reading, not a
/// re-read. True when there was such a placeholder.
#[allow(clippy::too_many_arguments)]
async fn reopen_rated_read(
    db: &Db,
    tx: &mut Tx,
    user: UserId,
    work: WorkId,
    status: ReadingStatus,
    started: Option<Date>,
    finished: Option<Date>,
    edition: Option<EditionId>,
) -> Result<bool> {
    let n = tx!(
        db,
        tx,
        sqlx::query(
            "UPDATE readings SET status = $2, started_on = $3, finished_on = $4,
                edition_id = COALESCE($5, edition_id), updated_at = $6
             WHERE id = $1 AND status = 'read' AND started_on IS NULL AND finished_on IS NULL"
        )
        .bind(crate::ratings::rated_read_id(user, work))
        .bind(status)
        .bind(started)
        .bind(finished)
        .bind(edition)
        .bind(now()),
        execute
    )?
    .rows_affected();
    Ok(n > 0)
}

/// Close the open reading as read or not finished, on `day`. With no open
/// reading, records a finished one (the reader read it before joining).
pub async fn finish(
    db: &Db,
    user: UserId,
    work: WorkId,
    status: ReadingStatus,
    day: Date,
) -> Result<()> {
    finish_on(db, user, work, status, None, day).await
}

/// [`finish`] with the dates the reader gives: `started` replaces the open
/// reading's start when given; with no open reading, a reading with both
/// dates is recorded (or the dateless one that rating the book left).
pub async fn finish_on(
    db: &Db,
    user: UserId,
    work: WorkId,
    status: ReadingStatus,
    started: Option<Date>,
    day: Date,
) -> Result<()> {
    let mut tx = db.begin().await?;
    let at = now();
    match active_reading(db, &mut tx, user, work).await? {
        Some(id) => {
            tx!(
                db,
                &mut tx,
                sqlx::query(
                    "UPDATE readings SET status = $2, finished_on = $3, updated_at = $4,
                        started_on = COALESCE($5, started_on) WHERE id = $1"
                )
                .bind(id)
                .bind(status)
                .bind(day)
                .bind(at)
                .bind(started),
                execute
            )?;
        }
        None if reopen_rated_read(db, &mut tx, user, work, status, started, Some(day), None)
            .await? => {}
        None => {
            tx!(
                db,
                &mut tx,
                sqlx::query(
                    "INSERT INTO readings (id, user_id, work_id, status, started_on, finished_on, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)"
                )
                .bind(Uuid::now_v7())
                .bind(user)
                .bind(work)
                .bind(status)
                .bind(started)
                .bind(day)
                .bind(at),
                execute
            )
            .map_err(missing_book)?;
        }
    }
    dequeue(db, Conn::Tx(&mut tx), user, work).await?;
    bump_part(db, &mut tx, work, PagePart::Activity).await?;
    tx.commit().await
}

/// Take a work off every one of the reader's shelves: the queue, custom
/// shelves, and its readings (current, read with their dates, did not
/// finish). The rating and review stay.
pub async fn remove_everywhere(db: &Db, user: UserId, work: WorkId) -> Result<()> {
    let mut tx = db.begin().await?;
    dequeue(db, Conn::Tx(&mut tx), user, work).await?;
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "DELETE FROM shelf_items WHERE work_id = $2
             AND shelf_id IN (SELECT id FROM shelves WHERE user_id = $1)"
        )
        .bind(user)
        .bind(work),
        execute
    )?;
    tx!(
        db,
        &mut tx,
        sqlx::query("DELETE FROM readings WHERE user_id = $1 AND work_id = $2")
            .bind(user)
            .bind(work),
        execute
    )?;
    bump_part(db, &mut tx, work, PagePart::Activity).await?;
    tx.commit().await
}

/// A reading with all its facts, for imports: inserted under `id` unless a
/// reading with that id exists.
pub struct ImportedReading {
    pub id: Uuid,
    pub user: UserId,
    pub work: WorkId,
    pub status: ReadingStatus,
    pub started_on: Option<Date>,
    pub finished_on: Option<Date>,
}

pub async fn import_readings(db: &Db, rows: &[ImportedReading]) -> Result<()> {
    let mut tx = db.begin().await?;
    let at = now();
    for r in rows {
        tx!(
            db,
            &mut tx,
            sqlx::query(
                "INSERT INTO readings (id, user_id, work_id, status, started_on, finished_on,
                    created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
                 ON CONFLICT (id) DO NOTHING"
            )
            .bind(r.id)
            .bind(r.user)
            .bind(r.work)
            .bind(r.status)
            .bind(r.started_on)
            .bind(r.finished_on)
            .bind(at),
            execute
        )?;
    }
    tx.commit().await
}

/// Make (or find) a custom shelf by name and return its slug.
pub async fn create_shelf(db: &Db, user: UserId, name: &str) -> Result<String> {
    let name = name.trim();
    let slug = shelf_slug(name);
    if slug.is_empty() {
        return Err(StorageError::Conflict(
            "a shelf name needs at least one letter or digit".into(),
        ));
    }
    write!(
        db,
        sqlx::query(
            "INSERT INTO shelves (id, user_id, name, slug, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (user_id, slug) DO NOTHING"
        )
        .bind(Uuid::new_v5(&user.0, format!("shelf:{slug}").as_bytes()))
        .bind(user)
        .bind(name)
        .bind(&slug)
        .bind(now()),
        execute
    )?;
    // A name that differs from an existing shelf's only in case, accents or
    // punctuation is that shelf: say so, rather than merge them quietly.
    let existing: Option<(String,)> = write!(
        db,
        sqlx::query_as("SELECT name FROM shelves WHERE user_id = $1 AND slug = $2")
            .bind(user)
            .bind(&slug),
        fetch_optional
    )?;
    match existing {
        Some((existing,)) if existing != name => Err(StorageError::Conflict(format!(
            "you already have a shelf called \"{existing}\"; choose it, or give the new shelf a name that differs by more than case or punctuation"
        ))),
        _ => Ok(slug),
    }
}

/// A shelf's address in the reader's profile: letters and digits of any
/// script in lower case, accents removed, everything else one hyphen; at
/// most 80 characters. "Summer 2026!" → "summer-2026", "Книги" → "книги".
pub(crate) fn shelf_slug(name: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in quire_domain::text::fold(name).chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else if c != '\'' && c != '\u{2019}' {
            dash = true;
        }
        if out.chars().count() >= 80 {
            break;
        }
    }
    out
}

pub async fn shelve(db: &Db, user: UserId, slug: &str, work: WorkId) -> Result<()> {
    write!(
        db,
        sqlx::query(
            "INSERT INTO shelf_items (shelf_id, work_id, added_at)
             SELECT id, $3, $4 FROM shelves WHERE user_id = $1 AND slug = $2
             ON CONFLICT DO NOTHING"
        )
        .bind(user)
        .bind(slug)
        .bind(work)
        .bind(now()),
        execute
    )
    .map_err(missing_book)?;
    Ok(())
}

pub async fn unshelve(db: &Db, user: UserId, slug: &str, work: WorkId) -> Result<()> {
    write!(
        db,
        sqlx::query(
            "DELETE FROM shelf_items WHERE work_id = $3
             AND shelf_id IN (SELECT id FROM shelves WHERE user_id = $1 AND slug = $2)"
        )
        .bind(user)
        .bind(slug)
        .bind(work),
        execute
    )?;
    Ok(())
}

/// One book on a shelf, with what the shelf knows of it.
#[derive(Clone, Debug)]
pub struct ShelfEntry {
    pub work: WorkSummary,
    pub progress: Option<Progress>,
    pub started_on: Option<Date>,
    pub finished_on: Option<Date>,
    /// For the read shelf: how many times the reader finished it.
    pub times_read: i64,
}

#[derive(Clone, Debug, Default)]
pub struct Shelves {
    pub queue: Vec<ShelfEntry>,
    pub reading: Vec<ShelfEntry>,
    pub read: Vec<ShelfEntry>,
    pub did_not_finish: Vec<ShelfEntry>,
    /// Custom shelves: name, slug and books.
    pub custom: Vec<(String, String, Vec<ShelfEntry>)>,
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    shelf: String,
    shelf_name: Option<String>,
    progress_unit: Option<String>,
    progress_value: Option<i64>,
    started_on: Option<Date>,
    finished_on: Option<Date>,
    times_read: i64,
}

/// A stored progress (unit and value columns) read back; an unknown unit
/// or a value out of range reads as none, a percent over 100 as 100.
pub(crate) fn progress_of(unit: Option<&str>, value: Option<i64>) -> Option<Progress> {
    let v = u32::try_from(value?).ok()?;
    match unit? {
        "page" => Some(Progress::Page(v)),
        "percent" => Some(Progress::Percent(v.min(100) as u8)),
        "chapter" => Some(Progress::Chapter(v)),
        _ => None,
    }
}

/// Everything on a reader's shelves, in two queries.
pub async fn shelves(db: &Db, user: UserId) -> Result<Shelves> {
    // One row per (shelf, work). For readings, the latest reading of each
    // status; `times_read` counts finished readings.
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS}, x.shelf, x.shelf_name, x.progress_unit, x.progress_value,
                x.started_on, x.finished_on, x.times_read, x.sort_key
         FROM (
           SELECT q.work_id, 'queue' AS shelf, CAST(NULL AS TEXT) AS shelf_name,
                  CAST(NULL AS TEXT) AS progress_unit, CAST(NULL AS BIGINT) AS progress_value,
                  CAST(NULL AS DATE) AS started_on, CAST(NULL AS DATE) AS finished_on,
                  CAST(0 AS BIGINT) AS times_read, CAST(q.position AS BIGINT) AS sort_key
           FROM queue_entries q WHERE q.user_id = $1
           UNION ALL
           SELECT r.work_id, r.status, NULL, r.progress_unit, r.progress_value, r.started_on,
                  r.finished_on,
                  (SELECT COUNT(*) FROM readings r2 WHERE r2.user_id = r.user_id
                     AND r2.work_id = r.work_id AND r2.status = 'read'),
                  0
           FROM readings r WHERE r.user_id = $1 AND NOT EXISTS (
               SELECT 1 FROM readings n WHERE n.user_id = r.user_id AND n.work_id = r.work_id
                 AND n.status = r.status
                 AND (COALESCE(n.finished_on, n.started_on) > COALESCE(r.finished_on, r.started_on)
                      OR (COALESCE(n.finished_on, n.started_on) IS NOT DISTINCT FROM COALESCE(r.finished_on, r.started_on)
                          AND n.id > r.id)))
           UNION ALL
           SELECT si.work_id, 'custom', s.name, NULL, NULL, NULL, NULL, 0, 0
           FROM shelf_items si JOIN shelves s ON s.id = si.shelf_id WHERE s.user_id = $1
         ) x
         JOIN works w ON w.id = x.work_id LEFT JOIN work_stats s ON s.work_id = w.id
         ORDER BY x.shelf, x.shelf_name, x.sort_key, x.finished_on DESC, w.sort_title"
    );
    let rows: Vec<EntryRow> = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(user),
        fetch_all
    )?;
    let (meta, summary_rows): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .map(|r| {
            (
                (
                    r.shelf,
                    r.shelf_name,
                    progress_of(r.progress_unit.as_deref(), r.progress_value),
                    r.started_on,
                    r.finished_on,
                    r.times_read,
                ),
                r.summary,
            )
        })
        .unzip();
    let works = summaries(db, summary_rows).await?;
    let mut out = Shelves::default();
    for ((shelf, shelf_name, progress, started_on, finished_on, times_read), work) in
        meta.into_iter().zip(works)
    {
        let entry = ShelfEntry {
            work,
            progress,
            started_on,
            finished_on,
            times_read,
        };
        match shelf.as_str() {
            "queue" => out.queue.push(entry),
            "reading" => out.reading.push(entry),
            "read" => out.read.push(entry),
            "dnf" => out.did_not_finish.push(entry),
            _ => {
                let name = shelf_name.unwrap_or_default();
                match out.custom.last_mut() {
                    Some((n, _, list)) if *n == name => list.push(entry),
                    _ => {
                        let slug = shelf_slug(&name);
                        out.custom.push((name, slug, vec![entry]));
                    }
                }
            }
        }
    }
    // Readers see their read books newest first.
    out.read.sort_by_key(|e| std::cmp::Reverse(e.finished_on));
    Ok(out)
}

/// Custom shelves a reader has (name, slug), including empty ones.
pub async fn custom_shelf_names(db: &Db, user: UserId) -> Result<Vec<(String, String)>> {
    Ok(read!(
        db,
        sqlx::query_as("SELECT name, slug FROM shelves WHERE user_id = $1 ORDER BY name")
            .bind(user),
        fetch_all
    )?)
}
