//! The reader's profile read model: how many books each shelf holds, a
//! short preview of every shelf, one shelf a page at a time (sorted as the
//! reader asks), and the reader's ratings and reviews. Each read runs a
//! fixed number of statements, whatever the size of the shelves.

use crate::Result;
use crate::catalog::{SUMMARY_COLUMNS, SummaryRow, WorkSummary, placeholders, summaries};
use crate::db::Db;
use crate::shelves::progress_of;
use quire_domain::{Progress, UserId};
use std::collections::HashMap;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// Which shelf: the queue (want to read), a reading status, or a custom
/// shelf by its slug.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShelfKey {
    Queue,
    Reading,
    Read,
    DidNotFinish,
    Custom(String),
}

impl ShelfKey {
    /// The shelf's address segment: `want-to-read`, `currently-reading`,
    /// `read`, `did-not-finish`, or a custom shelf's slug.
    pub fn slug(&self) -> &str {
        match self {
            ShelfKey::Queue => "want-to-read",
            ShelfKey::Reading => "currently-reading",
            ShelfKey::Read => "read",
            ShelfKey::DidNotFinish => "did-not-finish",
            ShelfKey::Custom(s) => s,
        }
    }

    /// The shelf named by an address segment (`queue` is the queue too).
    pub fn from_slug(s: &str) -> Self {
        match s {
            "want-to-read" | "queue" => ShelfKey::Queue,
            "currently-reading" => ShelfKey::Reading,
            "read" => ShelfKey::Read,
            "did-not-finish" | "dnf" => ShelfKey::DidNotFinish,
            other => ShelfKey::Custom(other.to_string()),
        }
    }

    fn status(&self) -> Option<&'static str> {
        match self {
            ShelfKey::Reading => Some("reading"),
            ShelfKey::Read => Some("read"),
            ShelfKey::DidNotFinish => Some("dnf"),
            _ => None,
        }
    }
}

/// How a shelf page is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShelfSort {
    /// The reader's own order (the queue).
    Order,
    /// Newest first: date finished (read, did not finish), started
    /// (reading) or added (queue, custom shelves).
    Date,
    Title,
    /// The reader's own stars, highest first; unrated last.
    Rating,
}

/// A shelf and how many books it holds.
#[derive(Clone, Debug)]
pub struct ShelfCount {
    pub key: ShelfKey,
    /// A custom shelf's name; empty for the built-in shelves.
    pub name: String,
    pub count: i64,
}

/// The reader's counts: every shelf (custom shelves by name, empty ones
/// included), ratings and reviews.
#[derive(Clone, Debug, Default)]
pub struct Counts {
    pub shelves: Vec<ShelfCount>,
    pub ratings: i64,
    pub reviews: i64,
}

impl Counts {
    pub fn of(&self, key: &ShelfKey) -> i64 {
        self.shelves
            .iter()
            .find(|s| &s.key == key)
            .map_or(0, |s| s.count)
    }
}

/// One book on a shelf, with what that shelf knows of it.
#[derive(Clone, Debug)]
pub struct ProfileEntry {
    pub work: WorkSummary,
    pub progress: Option<Progress>,
    /// Pages of the edition being read, else of the book's main edition.
    pub pages: Option<i64>,
    pub started_on: Option<Date>,
    pub finished_on: Option<Date>,
    /// When it went on the queue or the custom shelf.
    pub added_at: Option<OffsetDateTime>,
    /// Finished readings of the book (re-reads count).
    pub times_read: i64,
    /// The reader's own rating, in half stars.
    pub halves: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    shelf: String,
    progress_unit: Option<String>,
    progress_value: Option<i64>,
    started_on: Option<Date>,
    finished_on: Option<Date>,
    added_at: Option<OffsetDateTime>,
    times_read: i64,
    pages: Option<i64>,
    halves: Option<i64>,
}

/// The pages of a reading's edition, else of the work's main edition with
/// a page count. `r` is the reading, `ed` its edition (LEFT JOINed).
pub(crate) const READING_PAGES: &str = "COALESCE(ed.pages, (SELECT e.pages FROM editions e
      WHERE e.work_id = r.work_id AND e.pages IS NOT NULL
      ORDER BY e.is_primary DESC, e.created_at LIMIT 1))";

/// The rows of one shelf (or of every shelf, for `None`), all with the same
/// columns: `shelf` names the shelf (a custom one by `custom:` + slug),
/// `d` is the date a reading ended or began, `position` the queue place.
/// `$1` is the reader; a custom shelf's slug is `$2`.
fn source(key: Option<&ShelfKey>) -> String {
    let queue = "SELECT q.work_id, 'queue' AS shelf, CAST(NULL AS TEXT) AS progress_unit,
            CAST(NULL AS BIGINT) AS progress_value, CAST(NULL AS DATE) AS started_on,
            CAST(NULL AS DATE) AS finished_on, CAST(NULL AS DATE) AS d, q.added_at AS added_at,
            CAST(0 AS BIGINT) AS times_read, CAST(q.position AS BIGINT) AS position,
            CAST(NULL AS BIGINT) AS pages
        FROM queue_entries q WHERE q.user_id = $1"
        .to_string();
    // The latest reading of each work in each status (a re-read shows
    // once; an undated reading is older than any dated one), numbered by a
    // window rather than a correlated NOT EXISTS, so the work is one scan
    // of the reader's readings and a sort whatever the planner knows.
    let readings = |status: Option<&str>| {
        let only = status.map_or(String::new(), |s| format!(" AND r.status = '{s}'"));
        format!(
            "SELECT r.work_id, r.status AS shelf, r.progress_unit, r.progress_value, r.started_on,
                r.finished_on, COALESCE(r.finished_on, r.started_on) AS d, r.created_at AS added_at,
                r.times_read, CAST(0 AS BIGINT) AS position, CAST({READING_PAGES} AS BIGINT) AS pages
             FROM (SELECT r0.*,
                     ROW_NUMBER() OVER (PARTITION BY r0.work_id, r0.status
                       ORDER BY COALESCE(r0.finished_on, r0.started_on, '0001-01-01') DESC, r0.id DESC)
                       AS latest,
                     CAST(SUM(CASE WHEN r0.status = 'read' THEN 1 ELSE 0 END)
                       OVER (PARTITION BY r0.work_id) AS BIGINT) AS times_read
                   FROM readings r0 WHERE r0.user_id = $1) r
             LEFT JOIN editions ed ON ed.id = r.edition_id
             WHERE r.latest = 1{only}"
        )
    };
    let custom = |one: bool| {
        format!(
            "SELECT si.work_id, 'custom:' || s.slug AS shelf, CAST(NULL AS TEXT) AS progress_unit,
                CAST(NULL AS BIGINT) AS progress_value, CAST(NULL AS DATE) AS started_on,
                CAST(NULL AS DATE) AS finished_on, CAST(NULL AS DATE) AS d, si.added_at AS added_at,
                CAST(0 AS BIGINT) AS times_read, CAST(0 AS BIGINT) AS position,
                CAST(NULL AS BIGINT) AS pages
             FROM shelf_items si JOIN shelves s ON s.id = si.shelf_id
             WHERE s.user_id = $1{}",
            if one { " AND s.slug = $2" } else { "" }
        )
    };
    match key {
        Some(ShelfKey::Queue) => queue,
        Some(k @ (ShelfKey::Reading | ShelfKey::Read | ShelfKey::DidNotFinish)) => {
            readings(k.status())
        }
        Some(ShelfKey::Custom(_)) => custom(true),
        None => format!(
            "{queue} UNION ALL {} UNION ALL {}",
            readings(None),
            custom(false)
        ),
    }
}

fn key_of(shelf: &str) -> ShelfKey {
    match shelf {
        "queue" => ShelfKey::Queue,
        "reading" => ShelfKey::Reading,
        "read" => ShelfKey::Read,
        "dnf" => ShelfKey::DidNotFinish,
        other => ShelfKey::Custom(other.strip_prefix("custom:").unwrap_or(other).to_string()),
    }
}

async fn entries(db: &Db, rows: Vec<EntryRow>) -> Result<Vec<(ShelfKey, ProfileEntry)>> {
    let (meta, summary_rows): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .map(|r| {
            let entry = (
                key_of(&r.shelf),
                progress_of(r.progress_unit.as_deref(), r.progress_value),
                r.pages,
                r.started_on,
                r.finished_on,
                r.added_at,
                r.times_read,
                r.halves,
            );
            (entry, r.summary)
        })
        .unzip();
    let works = summaries(db, summary_rows).await?;
    Ok(meta
        .into_iter()
        .zip(works)
        .map(
            |(
                (key, progress, pages, started_on, finished_on, added_at, times_read, halves),
                work,
            )| {
                (
                    key,
                    ProfileEntry {
                        work,
                        progress,
                        pages,
                        started_on,
                        finished_on,
                        added_at,
                        times_read,
                        halves,
                    },
                )
            },
        )
        .collect())
}

/// How many books each shelf holds, and the reader's ratings and reviews,
/// in one statement.
pub async fn counts(db: &Db, user: UserId) -> Result<Counts> {
    let rows: Vec<(String, String, i64)> = read!(
        db,
        sqlx::query_as(
            "SELECT 'queue', '', COUNT(*) FROM queue_entries WHERE user_id = $1
             UNION ALL
             SELECT r.status, '', COUNT(DISTINCT r.work_id) FROM readings r WHERE r.user_id = $1
               GROUP BY r.status
             UNION ALL
             SELECT 'custom:' || s.slug, s.name, COUNT(si.work_id) FROM shelves s
               LEFT JOIN shelf_items si ON si.shelf_id = s.id WHERE s.user_id = $1
               GROUP BY s.id, s.slug, s.name
             UNION ALL
             SELECT 'ratings', '', COUNT(*) FROM ratings WHERE user_id = $1
             UNION ALL
             SELECT 'reviews', '', COUNT(*) FROM reviews WHERE user_id = $1"
        )
        .bind(user),
        fetch_all
    )?;
    let mut out = Counts::default();
    for (kind, name, n) in rows {
        match kind.as_str() {
            "ratings" => out.ratings = n,
            "reviews" => out.reviews = n,
            _ => out.shelves.push(ShelfCount {
                key: key_of(&kind),
                name,
                count: n,
            }),
        }
    }
    // Custom shelves by name, after the built-in ones.
    out.shelves.sort_by(|a, b| {
        let rank = |k: &ShelfKey| match k {
            ShelfKey::Reading => 0,
            ShelfKey::Queue => 1,
            ShelfKey::Read => 2,
            ShelfKey::DidNotFinish => 3,
            ShelfKey::Custom(_) => 4,
        };
        (rank(&a.key), a.name.to_lowercase()).cmp(&(rank(&b.key), b.name.to_lowercase()))
    });
    Ok(out)
}

/// Up to `per_shelf` books of every shelf, each shelf in its own order
/// (the queue in the reader's order, readings newest first, custom shelves
/// newest added first), in three statements: the entries (numbered per
/// shelf, with no join, so the planner cannot rescan them per book), then
/// the books and the reader's ratings by id, then their authors.
pub async fn previews(
    db: &Db,
    user: UserId,
    per_shelf: u32,
) -> Result<Vec<(ShelfKey, ProfileEntry)>> {
    #[derive(sqlx::FromRow)]
    struct Picked {
        work_id: Uuid,
        shelf: String,
        progress_unit: Option<String>,
        progress_value: Option<i64>,
        started_on: Option<Date>,
        finished_on: Option<Date>,
        added_at: Option<OffsetDateTime>,
        times_read: i64,
        pages: Option<i64>,
    }
    #[derive(sqlx::FromRow)]
    struct Book {
        #[sqlx(flatten)]
        summary: SummaryRow,
        halves: Option<i64>,
    }
    let sql = format!(
        "SELECT x.work_id, x.shelf, x.progress_unit, x.progress_value, x.started_on,
                x.finished_on, x.added_at, x.times_read, x.pages
         FROM (SELECT y.*, ROW_NUMBER() OVER (PARTITION BY y.shelf
                 ORDER BY y.position, CASE WHEN y.d IS NULL THEN 1 ELSE 0 END, y.d DESC,
                          y.added_at DESC, y.work_id) AS rn
               FROM ({}) y) x
         WHERE x.rn <= {per_shelf}
         ORDER BY x.shelf, x.rn",
        source(None)
    );
    let picked: Vec<Picked> = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(user),
        fetch_all
    )?;
    if picked.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids: Vec<Uuid> = picked.iter().map(|p| p.work_id).collect();
    ids.sort();
    ids.dedup();
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS}, CAST(rt.halves AS BIGINT) AS halves
         FROM works w LEFT JOIN work_stats s ON s.work_id = w.id
         LEFT JOIN ratings rt ON rt.user_id = $1 AND rt.work_id = w.id
         WHERE w.id IN ({})",
        placeholders(2, ids.len())
    );
    let books: Vec<Book> = read!(
        db,
        {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(user);
            for id in &ids {
                q = q.bind(*id);
            }
            q
        },
        fetch_all
    )?;
    let (halves, rows): (Vec<_>, Vec<_>) = books.into_iter().map(|b| (b.halves, b.summary)).unzip();
    let works = summaries(db, rows).await?;
    let by_id: HashMap<Uuid, (WorkSummary, Option<i64>)> = works
        .into_iter()
        .zip(halves)
        .map(|(w, h)| (w.id.0, (w, h)))
        .collect();
    Ok(picked
        .into_iter()
        .filter_map(|p| {
            let (work, halves) = by_id.get(&p.work_id)?.clone();
            Some((
                key_of(&p.shelf),
                ProfileEntry {
                    work,
                    progress: progress_of(p.progress_unit.as_deref(), p.progress_value),
                    pages: p.pages,
                    started_on: p.started_on,
                    finished_on: p.finished_on,
                    added_at: p.added_at,
                    times_read: p.times_read,
                    halves,
                },
            ))
        })
        .collect())
}

/// One page of a shelf: the books on it and the shelf's total, in three
/// statements. `page` counts from 1.
pub async fn shelf_page(
    db: &Db,
    user: UserId,
    key: &ShelfKey,
    sort: ShelfSort,
    page: u32,
    per_page: u32,
) -> Result<(i64, Vec<ProfileEntry>)> {
    let src = source(Some(key));
    let slug = match key {
        ShelfKey::Custom(s) => Some(s.as_str()),
        _ => None,
    };
    let count_sql = format!("SELECT COUNT(*) FROM ({src}) x");
    let (total,): (i64,) = read!(
        db,
        {
            let q = sqlx::query_as(sqlx::AssertSqlSafe(count_sql.as_str())).bind(user);
            match slug {
                Some(s) => q.bind(s),
                None => q,
            }
        },
        fetch_one
    )?;
    let date = match key {
        ShelfKey::Queue | ShelfKey::Custom(_) => "x.added_at",
        _ => "x.d",
    };
    let order = match sort {
        ShelfSort::Order => format!("x.position, {date} DESC, w.sort_title, w.id"),
        ShelfSort::Date => {
            format!("CASE WHEN {date} IS NULL THEN 1 ELSE 0 END, {date} DESC, w.sort_title, w.id")
        }
        ShelfSort::Title => "w.sort_title, w.id".to_string(),
        ShelfSort::Rating => {
            "CASE WHEN rt.halves IS NULL THEN 1 ELSE 0 END, rt.halves DESC, w.sort_title, w.id"
                .to_string()
        }
    };
    let offset = u64::from(page.saturating_sub(1)) * u64::from(per_page);
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS}, x.shelf, x.progress_unit, x.progress_value, x.started_on,
                x.finished_on, x.added_at, x.times_read, x.pages, CAST(rt.halves AS BIGINT) AS halves
         FROM ({src}) x JOIN works w ON w.id = x.work_id LEFT JOIN work_stats s ON s.work_id = w.id
         LEFT JOIN ratings rt ON rt.user_id = $1 AND rt.work_id = w.id
         ORDER BY {order} LIMIT {per_page} OFFSET {offset}"
    );
    let rows: Vec<EntryRow> = read!(
        db,
        {
            let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(user);
            match slug {
                Some(s) => q.bind(s),
                None => q,
            }
        },
        fetch_all
    )?;
    let list = entries(db, rows).await?;
    Ok((total, list.into_iter().map(|(_, e)| e).collect()))
}

/// A reader's rating and review of one book.
#[derive(Clone, Debug)]
pub struct Opinion {
    pub work: WorkSummary,
    pub halves: Option<i64>,
    pub headline: Option<String>,
    /// Sanitised HTML, as stored.
    pub body_html: Option<String>,
    pub spoiler: bool,
    pub at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct OpinionRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    halves: Option<i64>,
    headline: Option<String>,
    body_html: Option<String>,
    spoiler: Option<bool>,
    at: OffsetDateTime,
}

/// One page of the books the reader rated or reviewed: reviews first,
/// newest first, then books only rated, newest rating first; with the
/// total; three statements.
pub async fn opinions(
    db: &Db,
    user: UserId,
    page: u32,
    per_page: u32,
) -> Result<(i64, Vec<Opinion>)> {
    let from = "(SELECT work_id FROM ratings WHERE user_id = $1
                 UNION SELECT work_id FROM reviews WHERE user_id = $1) x";
    let count_sql = format!("SELECT COUNT(*) FROM {from}");
    let (total,): (i64,) = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(count_sql.as_str())).bind(user),
        fetch_one
    )?;
    let offset = u64::from(page.saturating_sub(1)) * u64::from(per_page);
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS}, CAST(rt.halves AS BIGINT) AS halves, rv.headline,
                rv.body_html, rv.spoiler, COALESCE(rv.created_at, rt.updated_at) AS at
         FROM {from} JOIN works w ON w.id = x.work_id LEFT JOIN work_stats s ON s.work_id = w.id
         LEFT JOIN ratings rt ON rt.user_id = $1 AND rt.work_id = w.id
         LEFT JOIN reviews rv ON rv.user_id = $1 AND rv.work_id = w.id
         ORDER BY CASE WHEN rv.id IS NULL THEN 1 ELSE 0 END,
                  COALESCE(rv.created_at, rt.updated_at) DESC, w.sort_title, w.id
         LIMIT {per_page} OFFSET {offset}"
    );
    let rows: Vec<OpinionRow> = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(user),
        fetch_all
    )?;
    let (meta, summary_rows): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .map(|r| {
            (
                (r.halves, r.headline, r.body_html, r.spoiler, r.at),
                r.summary,
            )
        })
        .unzip();
    let works = summaries(db, summary_rows).await?;
    Ok((
        total,
        meta.into_iter()
            .zip(works)
            .map(
                |((halves, headline, body_html, spoiler, at), work)| Opinion {
                    work,
                    halves,
                    headline,
                    body_html,
                    spoiler: spoiler.unwrap_or(false),
                    at,
                },
            )
            .collect(),
    ))
}
