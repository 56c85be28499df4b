//! A reader's library brought in from another site (Goodreads, StoryGraph,
//! BookWyrm, LibraryThing) and given back out: the rows of an imported file
//! written for one reader, and everything a reader has, read for an
//! export.
//!
//! Each imported row has a stable id (the importer derives it from the
//! reader and the row's source key) and is remembered in `library_entries`
//! with a digest of what it said, in the same transaction as its shelves,
//! rating, readings and review. A second run of the same file therefore
//! finds every row unchanged and writes nothing, and a run cut short (a
//! crash between two batches) is completed by running the file again.
//! Works are placed by the catalog's one-work-per-book rules
//! (`catalog::place_work`, the same as `catalog::import_works`).

use crate::catalog::{self, NewWork, placeholders};
use crate::db::{Db, Tx, now, value_rows};
use crate::{Result, StorageError};
use quire_domain::{Format, Rating, ReadingStatus, UserId, WorkId};
use std::collections::{HashMap, HashSet};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// Where an imported library came from (the `source` column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LibrarySource {
    Goodreads,
    StoryGraph,
    BookWyrm,
    LibraryThing,
}

impl LibrarySource {
    pub fn as_str(self) -> &'static str {
        match self {
            LibrarySource::Goodreads => "goodreads",
            LibrarySource::StoryGraph => "storygraph",
            LibrarySource::BookWyrm => "bookwyrm",
            LibrarySource::LibraryThing => "librarything",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            LibrarySource::Goodreads,
            LibrarySource::StoryGraph,
            LibrarySource::BookWyrm,
            LibrarySource::LibraryThing,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// One reading of an imported row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowReading {
    pub status: ReadingStatus,
    pub started_on: Option<Date>,
    pub finished_on: Option<Date>,
}

/// An imported review: Markdown body and its rendering.
#[derive(Clone, Debug)]
pub struct RowReview {
    pub body: String,
    pub body_html: String,
    pub spoiler: bool,
    pub at: OffsetDateTime,
}

/// One row of an imported file, ready to write for a reader.
#[derive(Clone, Debug)]
pub struct LibraryRow {
    /// Stable per (reader, source, source key): the importer derives it.
    pub id: Uuid,
    pub source_key: String,
    /// A hash of what the row says; the same digest means nothing changed.
    pub digest: String,
    pub work: NewWork,
    pub rating: Option<Rating>,
    pub readings: Vec<RowReading>,
    /// The row's place in the file's queue (lower first; gaps allowed),
    /// when it is on the want-to-read queue.
    pub queued: Option<i64>,
    /// Custom shelf names.
    pub shelves: Vec<String>,
    pub review: Option<RowReview>,
    /// JSON of the values Quire keeps only for export.
    pub extras: String,
    pub added_on: Option<Date>,
}

/// What writing a row did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowDone {
    /// A new work was added to the catalog for it.
    Created(WorkId),
    /// It joined a work the catalog had.
    Matched(WorkId),
    /// It was imported before and said something else then: rewritten.
    Updated(WorkId),
    /// It was imported before, the same: nothing written.
    Unchanged(WorkId),
}

impl RowDone {
    pub fn work(self) -> WorkId {
        match self {
            RowDone::Created(w)
            | RowDone::Matched(w)
            | RowDone::Updated(w)
            | RowDone::Unchanged(w) => w,
        }
    }
}

/// The rows of `ids` already imported: their digest and work.
pub async fn existing(db: &Db, ids: &[Uuid]) -> Result<HashMap<Uuid, (String, WorkId)>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT id, digest, work_id FROM library_entries WHERE id IN ({})",
            placeholders(1, chunk.len())
        );
        let rows: Vec<(Uuid, String, Uuid)> = read!(
            db,
            {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
                for id in chunk {
                    q = q.bind(id);
                }
                q
            },
            fetch_all
        )?;
        out.extend(rows.into_iter().map(|(id, d, w)| (id, (d, WorkId(w)))));
    }
    Ok(out)
}

async fn existing_in(
    db: &Db,
    tx: &mut Tx,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, (String, WorkId)>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT id, digest, work_id FROM library_entries WHERE id IN ({})",
            placeholders(1, chunk.len())
        );
        let rows: Vec<(Uuid, String, Uuid)> = tx!(
            db,
            tx,
            {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
                for id in chunk {
                    q = q.bind(id);
                }
                q
            },
            fetch_all
        )?;
        out.extend(rows.into_iter().map(|(id, d, w)| (id, (d, WorkId(w)))));
    }
    Ok(out)
}

/// Where an import's queued books start in the reader's queue: after every
/// queued book other than `own` (the works this file's rows were placed on
/// by an earlier run), so a resumed or repeated import puts its books at
/// the same places, and a second file's queue follows the first's.
pub async fn queue_base(db: &Db, user: UserId, own: &HashSet<WorkId>) -> Result<i64> {
    let rows: Vec<(Uuid, i64)> = read!(
        db,
        sqlx::query_as("SELECT work_id, position FROM queue_entries WHERE user_id = $1").bind(user),
        fetch_all
    )?;
    Ok(rows
        .into_iter()
        .filter(|(w, _)| !own.contains(&WorkId(*w)))
        .map(|(_, p)| p)
        .max()
        .unwrap_or(0))
}

/// The id of the `i`th reading an imported row writes.
fn reading_id(row: Uuid, i: usize) -> Uuid {
    Uuid::new_v5(&row, format!("reading:{i}").as_bytes())
}

/// Write `rows` for `user` in one transaction. Rows whose id is known with
/// the same digest are left alone (`Unchanged`); known rows with another
/// digest are rewritten on the work they were placed on (`Updated`); new
/// rows are placed by the catalog's rules and written.
pub async fn apply(
    db: &Db,
    user: UserId,
    source: LibrarySource,
    queue_base: i64,
    rows: &[LibraryRow],
) -> Result<Vec<RowDone>> {
    let mut tx = db.begin().await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let known = existing_in(db, &mut tx, &ids).await?;
    let at = now();
    let mut out = Vec::with_capacity(rows.len());
    let mut touched: Vec<WorkId> = Vec::new();
    let mut shelf_slugs: HashMap<String, Uuid> = HashMap::new();
    let mut written: Vec<(&LibraryRow, WorkId)> = Vec::new();
    for r in rows {
        let done = match known.get(&r.id) {
            Some((digest, work)) if *digest == r.digest => {
                out.push(RowDone::Unchanged(*work));
                continue;
            }
            Some((_, work)) => RowDone::Updated(*work),
            None => {
                let (work, added) = catalog::place_work(db, &mut tx, &r.work).await?;
                if added {
                    RowDone::Created(work)
                } else {
                    RowDone::Matched(work)
                }
            }
        };
        let work = done.work();
        write_row(db, &mut tx, user, queue_base, r, work, at, &mut shelf_slugs).await?;
        written.push((r, work));
        touched.push(work);
        out.push(done);
    }
    write_many(db, &mut tx, user, source, &written, at).await?;
    refresh_works(db, &mut tx, &touched).await?;
    tx.commit().await?;
    Ok(out)
}

/// The queue place, shelves and review of one row (rarer than the
/// ratings, readings and entries [`write_many`] writes together).
#[allow(clippy::too_many_arguments)]
async fn write_row(
    db: &Db,
    tx: &mut Tx,
    user: UserId,
    queue_base: i64,
    r: &LibraryRow,
    work: WorkId,
    at: OffsetDateTime,
    shelf_slugs: &mut HashMap<String, Uuid>,
) -> Result<()> {
    if let Some(place) = r.queued {
        let added = r.added_on.map_or(at, |d| d.midnight().assume_utc());
        tx!(
            db,
            tx,
            sqlx::query(
                "INSERT INTO queue_entries (user_id, work_id, position, added_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (user_id, work_id) DO UPDATE SET position = excluded.position"
            )
            .bind(user)
            .bind(work)
            .bind(queue_base + place)
            .bind(added),
            execute
        )?;
    }
    for name in &r.shelves {
        let slug = crate::shelves::shelf_slug(name);
        if slug.is_empty() {
            continue;
        }
        let shelf = match shelf_slugs.get(&slug) {
            Some(id) => *id,
            None => {
                tx!(
                    db,
                    tx,
                    sqlx::query(
                        "INSERT INTO shelves (id, user_id, name, slug, created_at) VALUES ($1, $2, $3, $4, $5)
                         ON CONFLICT (user_id, slug) DO NOTHING"
                    )
                    .bind(Uuid::new_v5(&user.0, format!("shelf:{slug}").as_bytes()))
                    .bind(user)
                    .bind(name.trim())
                    .bind(&slug)
                    .bind(at),
                    execute
                )?;
                let (id,): (Uuid,) = tx!(
                    db,
                    tx,
                    sqlx::query_as("SELECT id FROM shelves WHERE user_id = $1 AND slug = $2")
                        .bind(user)
                        .bind(&slug),
                    fetch_one
                )?;
                shelf_slugs.insert(slug, id);
                id
            }
        };
        tx!(
            db,
            tx,
            sqlx::query(
                "INSERT INTO shelf_items (shelf_id, work_id, added_at) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING"
            )
            .bind(shelf)
            .bind(work)
            .bind(at),
            execute
        )?;
    }
    if let Some(review) = &r.review {
        tx!(
            db,
            tx,
            sqlx::query(
                "INSERT INTO reviews (id, user_id, work_id, headline, body, body_html, spoiler,
                    recommends, created_at, updated_at)
                 VALUES ($1, $2, $3, NULL, $4, $5, $6, NULL, $7, $7)
                 ON CONFLICT (user_id, work_id) DO UPDATE SET body = excluded.body,
                    body_html = excluded.body_html, spoiler = excluded.spoiler,
                    updated_at = excluded.updated_at"
            )
            .bind(Uuid::new_v5(&r.id, b"review"))
            .bind(user)
            .bind(work)
            .bind(&review.body)
            .bind(&review.body_html)
            .bind(review.spoiler)
            .bind(review.at),
            execute
        )?;
    }
    Ok(())
}

/// The ratings, readings and entries of the rows written, in multi-row
/// statements (far fewer round trips than one a row).
async fn write_many(
    db: &Db,
    tx: &mut Tx,
    user: UserId,
    source: LibrarySource,
    rows: &[(&LibraryRow, WorkId)],
    at: OffsetDateTime,
) -> Result<()> {
    // One rating per work in a statement (two rows of one book: the later).
    let mut by_work: HashMap<WorkId, i64> = HashMap::new();
    for (r, w) in rows {
        if let Some(rating) = r.rating {
            by_work.insert(*w, i64::from(rating.halves()));
        }
    }
    let ratings: Vec<(WorkId, i64)> = by_work.into_iter().collect();
    for chunk in ratings.chunks(300) {
        let sql = format!(
            "INSERT INTO ratings (user_id, work_id, halves, created_at, updated_at) VALUES {}
             ON CONFLICT (user_id, work_id) DO UPDATE SET halves = excluded.halves,
                updated_at = excluded.updated_at",
            value_rows(1, chunk.len(), 5)
        );
        tx!(
            db,
            tx,
            {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                for (w, halves) in chunk {
                    q = q.bind(user).bind(*w).bind(*halves).bind(at).bind(at);
                }
                q
            },
            execute
        )?;
    }
    let readings: Vec<(Uuid, WorkId, &RowReading)> = rows
        .iter()
        .flat_map(|(r, w)| {
            r.readings
                .iter()
                .enumerate()
                .map(move |(i, reading)| (reading_id(r.id, i), *w, reading))
        })
        .collect();
    for chunk in readings.chunks(200) {
        let sql = format!(
            "INSERT INTO readings (id, user_id, work_id, status, started_on, finished_on,
                created_at, updated_at) VALUES {}
             ON CONFLICT (id) DO UPDATE SET work_id = excluded.work_id, status = excluded.status,
                started_on = excluded.started_on, finished_on = excluded.finished_on,
                updated_at = excluded.updated_at",
            value_rows(1, chunk.len(), 8)
        );
        tx!(
            db,
            tx,
            {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                for (id, w, reading) in chunk {
                    q = q
                        .bind(*id)
                        .bind(user)
                        .bind(*w)
                        .bind(reading.status)
                        .bind(reading.started_on)
                        .bind(reading.finished_on)
                        .bind(at)
                        .bind(at);
                }
                q
            },
            execute
        )?;
    }
    for chunk in rows.chunks(200) {
        let sql = format!(
            "INSERT INTO library_entries (id, user_id, work_id, source, source_key, digest, extras,
                added_on, imported_at) VALUES {}
             ON CONFLICT (id) DO UPDATE SET work_id = excluded.work_id, digest = excluded.digest,
                extras = excluded.extras, added_on = excluded.added_on,
                imported_at = excluded.imported_at",
            value_rows(1, chunk.len(), 9)
        );
        tx!(
            db,
            tx,
            {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                for (r, w) in chunk {
                    q = q
                        .bind(r.id)
                        .bind(user)
                        .bind(*w)
                        .bind(source.as_str())
                        .bind(&r.source_key)
                        .bind(&r.digest)
                        .bind(&r.extras)
                        .bind(r.added_on)
                        .bind(at);
                }
                q
            },
            execute
        )?;
    }
    Ok(())
}

/// Rating totals and the activity revision of the works an import wrote.
async fn refresh_works(db: &Db, tx: &mut Tx, works: &[WorkId]) -> Result<()> {
    let mut ids: Vec<Uuid> = works.iter().map(|w| w.0).collect();
    ids.sort();
    ids.dedup();
    for chunk in ids.chunks(500) {
        let list = placeholders(1, chunk.len());
        let stats = format!(
            "INSERT INTO work_stats (work_id, rating_count, rating_sum)
             SELECT work_id, COUNT(*), CAST(SUM(halves) AS BIGINT) FROM ratings
             WHERE work_id IN ({list}) GROUP BY work_id
             ON CONFLICT (work_id) DO UPDATE SET rating_count = excluded.rating_count,
                rating_sum = excluded.rating_sum"
        );
        let bump = format!(
            "UPDATE works SET activity_revision = activity_revision + 1 WHERE id IN ({list})"
        );
        for sql in [&stats, &bump] {
            tx!(
                db,
                tx,
                {
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                    for id in chunk {
                        q = q.bind(id);
                    }
                    q
                },
                execute
            )?;
        }
    }
    Ok(())
}

/// One book of a reader's library, as an export writes it.
#[derive(Clone, Debug, Default)]
pub struct LibraryItem {
    pub work: WorkId,
    pub title: String,
    pub series: Option<(String, Option<String>)>,
    /// Authors in credit order (the first is the primary author).
    pub authors: Vec<String>,
    /// From the primary edition, or else any edition.
    pub isbn13: Option<String>,
    pub publisher: Option<String>,
    pub format: Option<Format>,
    pub pages: Option<u32>,
    /// The edition's publication date and the work's first publication,
    /// as stored ("2004", "2004-05-01").
    pub published: Option<String>,
    pub first_published: Option<String>,
    pub goodreads_id: Option<String>,
    pub rating: Option<Rating>,
    /// Oldest first.
    pub readings: Vec<RowReading>,
    /// The place in the reader's queue (1 first), when queued.
    pub queue_place: Option<u32>,
    pub shelves: Vec<String>,
    /// Markdown body and spoiler flag.
    pub review: Option<(String, bool)>,
    /// The latest imported row's extras JSON, source and source key.
    pub extras: Option<String>,
    pub source: Option<(LibrarySource, String)>,
    pub added_on: Option<Date>,
}

/// The works a reader has anything on, as a subquery with `$1` the reader.
const MINE: &str = "SELECT work_id FROM ratings WHERE user_id = $1
    UNION SELECT work_id FROM readings WHERE user_id = $1
    UNION SELECT work_id FROM queue_entries WHERE user_id = $1
    UNION SELECT work_id FROM reviews WHERE user_id = $1
    UNION SELECT work_id FROM library_entries WHERE user_id = $1
    UNION SELECT i.work_id FROM shelf_items i JOIN shelves s ON s.id = i.shelf_id WHERE s.user_id = $1";

type WorkRow = (Uuid, String, Option<String>, Option<String>, Option<String>);
type EditionRow = (
    Uuid,
    Option<String>,
    Option<String>,
    String,
    Option<i64>,
    Option<String>,
);

/// Everything `user` has in their library, one item per work, ordered by
/// title. A fixed number of queries, whatever the size of the library.
pub async fn export(db: &Db, user: UserId) -> Result<Vec<LibraryItem>> {
    let works: Vec<WorkRow> = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT w.id, w.title, s.name, w.series_position, w.first_published FROM works w
             LEFT JOIN series s ON s.id = w.series_id WHERE w.id IN ({MINE})
             ORDER BY w.sort_title, w.id"
        )))
        .bind(user),
        fetch_all
    )?;
    let mut items: Vec<LibraryItem> = works
        .into_iter()
        .map(|(id, title, series, position, first)| LibraryItem {
            work: WorkId(id),
            title,
            series: series.map(|s| (s, position)),
            first_published: first,
            ..Default::default()
        })
        .collect();
    let index: HashMap<Uuid, usize> = items
        .iter()
        .enumerate()
        .map(|(i, it)| (it.work.0, i))
        .collect();
    let at = |id: &Uuid| index.get(id).copied();

    let authors: Vec<(Uuid, String)> = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT cr.work_id, c.name FROM credits cr JOIN contributors c ON c.id = cr.contributor_id
             WHERE cr.edition_id IS NULL AND cr.role = 'author' AND cr.work_id IN ({MINE})
             ORDER BY cr.work_id, cr.position"
        )))
        .bind(user),
        fetch_all
    )?;
    for (w, name) in authors {
        if let Some(i) = at(&w) {
            items[i].authors.push(name);
        }
    }
    let editions: Vec<EditionRow> = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT e.work_id, e.isbn13, e.publisher, e.format, e.pages, e.published FROM editions e
             WHERE e.work_id IN ({MINE}) ORDER BY e.work_id, e.is_primary DESC, e.created_at, e.id"
        )))
        .bind(user),
        fetch_all
    )?;
    let mut seen = std::collections::HashSet::new();
    for (w, isbn, publisher, format, pages, published) in editions {
        let Some(i) = at(&w) else { continue };
        let it = &mut items[i];
        if seen.insert(w) {
            it.isbn13 = isbn;
            it.publisher = publisher;
            it.format = Format::parse(&format);
            it.pages = pages.and_then(|p| u32::try_from(p).ok());
            it.published = published;
        } else if it.isbn13.is_none() {
            it.isbn13 = isbn;
        }
    }
    let ids: Vec<(Uuid, String)> = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT work_id, value FROM work_identifiers WHERE scheme = 'goodreads'
             AND work_id IN ({MINE}) ORDER BY work_id, value"
        )))
        .bind(user),
        fetch_all
    )?;
    for (w, value) in ids {
        if let Some(i) = at(&w)
            && items[i].goodreads_id.is_none()
        {
            items[i].goodreads_id = Some(value);
        }
    }
    let ratings: Vec<(Uuid, i64)> = read!(
        db,
        sqlx::query_as("SELECT work_id, halves FROM ratings WHERE user_id = $1").bind(user),
        fetch_all
    )?;
    for (w, halves) in ratings {
        if let Some(i) = at(&w) {
            items[i].rating = Rating::from_halves(halves).ok();
        }
    }
    let readings: Vec<(Uuid, ReadingStatus, Option<Date>, Option<Date>)> = read!(
        db,
        sqlx::query_as(
            "SELECT work_id, status, started_on, finished_on FROM readings WHERE user_id = $1
             ORDER BY work_id, CASE WHEN COALESCE(finished_on, started_on) IS NULL THEN 0 ELSE 1 END,
                COALESCE(finished_on, started_on), status, id"
        )
        .bind(user),
        fetch_all
    )?;
    for (w, status, started_on, finished_on) in readings {
        if let Some(i) = at(&w) {
            items[i].readings.push(RowReading {
                status,
                started_on,
                finished_on,
            });
        }
    }
    let queue: Vec<(Uuid, OffsetDateTime)> = read!(
        db,
        sqlx::query_as(
            "SELECT work_id, added_at FROM queue_entries WHERE user_id = $1 ORDER BY position, added_at"
        )
        .bind(user),
        fetch_all
    )?;
    for (n, (w, added)) in queue.into_iter().enumerate() {
        if let Some(i) = at(&w) {
            items[i].queue_place = u32::try_from(n + 1).ok();
            items[i].added_on.get_or_insert(added.date());
        }
    }
    let shelves: Vec<(Uuid, String)> = read!(
        db,
        sqlx::query_as(
            "SELECT i.work_id, s.name FROM shelf_items i JOIN shelves s ON s.id = i.shelf_id
             WHERE s.user_id = $1 ORDER BY i.work_id, s.name"
        )
        .bind(user),
        fetch_all
    )?;
    for (w, name) in shelves {
        if let Some(i) = at(&w) {
            items[i].shelves.push(name);
        }
    }
    let reviews: Vec<(Uuid, String, bool)> = read!(
        db,
        sqlx::query_as("SELECT work_id, body, spoiler FROM reviews WHERE user_id = $1").bind(user),
        fetch_all
    )?;
    for (w, body, spoiler) in reviews {
        if let Some(i) = at(&w) {
            items[i].review = Some((body, spoiler));
        }
    }
    let entries: Vec<(Uuid, String, String, String, Option<Date>)> = read!(
        db,
        sqlx::query_as(
            "SELECT work_id, source, source_key, extras, added_on FROM library_entries
             WHERE user_id = $1 ORDER BY imported_at, id"
        )
        .bind(user),
        fetch_all
    )?;
    for (w, source, key, extras, added_on) in entries {
        let Some(i) = at(&w) else { continue };
        let source = LibrarySource::parse(&source)
            .ok_or_else(|| StorageError::Corrupt(format!("unknown library source {source:?}")))?;
        let it = &mut items[i];
        it.extras = Some(extras);
        it.source = Some((source, key));
        if added_on.is_some() {
            it.added_on = added_on;
        }
    }
    Ok(items)
}
