//! A series' page: its books in series order, and where a signed-in reader
//! is in it.

use super::Paging;
use crate::Result;
use crate::catalog::{SUMMARY_COLUMNS, SummaryRow, WorkSummary, placeholders, summaries};
use crate::db::Db;
use crate::shelves::progress_of;
use quire_domain::{SeriesId, UserId, WorkId};
use std::cmp::Ordering;
use std::collections::HashMap;
use time::Date;
use uuid::Uuid;

/// The most books of one series a page considers; a longer series shows
/// its first ones in order and says how many there are.
pub const MAX_SERIES_BOOKS: i64 = 2_000;

/// Where a reader is with one book of the series.
#[derive(Clone, Debug, PartialEq)]
pub enum SeriesStatus {
    /// In their personal queue, not started.
    WantToRead,
    /// Reading now; percent through when it can be known.
    Reading {
        percent: Option<u8>,
    },
    /// Finished (the latest finish, when dated).
    Read {
        finished_on: Option<Date>,
    },
    DidNotFinish,
}

/// A book in its place.
#[derive(Clone, Debug)]
pub struct SeriesEntry {
    /// The place as written ("1", "1.5", "0.5", "1-3"); `None` for a book
    /// without one.
    pub position: Option<String>,
    pub work: WorkSummary,
    /// The signed-in reader's status with it.
    pub status: Option<SeriesStatus>,
}

#[derive(Clone, Debug)]
pub struct SeriesPage {
    pub id: SeriesId,
    pub name: String,
    /// Books in the series.
    pub total: i64,
    /// Of those, how many the reader has read (0 signed out).
    pub read: i64,
    pub books: Vec<SeriesEntry>,
}

/// The number a place sorts by: the leading number of "1", "1.5", "0.5",
/// "1-3" (1), "2 of 3"; `None` when it starts with no number.
pub fn series_position_key(position: &str) -> Option<f64> {
    let p = position.trim().trim_start_matches('#');
    let end = p
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || (c == '.' && i > 0)))
        .map_or(p.len(), |(i, _)| i);
    let n = p[..end].trim_end_matches('.');
    if n.is_empty() {
        return None;
    }
    n.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Series order: by number (fractions between whole numbers), books
/// without a number last, ties by title.
fn by_place(a: &(Uuid, Option<String>, String), b: &(Uuid, Option<String>, String)) -> Ordering {
    let ka = a.1.as_deref().and_then(series_position_key);
    let kb = b.1.as_deref().and_then(series_position_key);
    match (ka, kb) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
    .then_with(|| a.2.cmp(&b.2))
    .then_with(|| a.0.cmp(&b.0))
}

/// The series and one page of its books in order, with `reader`'s status
/// with each: four statements (five signed in), whatever its length.
/// `None` when there is no such series.
pub async fn series_page(
    db: &Db,
    id: SeriesId,
    reader: Option<UserId>,
    paging: Paging,
) -> Result<Option<SeriesPage>> {
    let head: Option<(String,)> = read!(
        db,
        sqlx::query_as("SELECT name FROM series WHERE id = $1").bind(id),
        fetch_optional
    )?;
    let Some((name,)) = head else {
        return Ok(None);
    };
    // Every book's place (indexed by works_series), ordered here: places
    // are text ("1.5", "1-3") that neither engine sorts as numbers.
    let mut places: Vec<(Uuid, Option<String>, String)> = read!(
        db,
        sqlx::query_as(
            "SELECT id, series_position, sort_title FROM works WHERE series_id = $1
             ORDER BY sort_title, id LIMIT $2"
        )
        .bind(id)
        .bind(MAX_SERIES_BOOKS),
        fetch_all
    )?;
    places.sort_by(by_place);
    let total = places.len() as i64;

    let statuses = match reader {
        Some(user) => reader_statuses(db, user, id).await?,
        None => HashMap::new(),
    };
    let read = places
        .iter()
        .filter(|(w, _, _)| matches!(statuses.get(w), Some(SeriesStatus::Read { .. })))
        .count() as i64;

    let start = usize::try_from(paging.offset()).unwrap_or(usize::MAX);
    let shown: Vec<&(Uuid, Option<String>, String)> = places
        .iter()
        .skip(start)
        .take(paging.per_page as usize)
        .collect();
    let books = if shown.is_empty() {
        Vec::new()
    } else {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM works w LEFT JOIN work_stats s ON s.work_id = w.id
             WHERE w.id IN ({})",
            placeholders(1, shown.len())
        );
        let rows: Vec<SummaryRow> = read!(
            db,
            {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
                for (w, _, _) in &shown {
                    q = q.bind(*w);
                }
                q
            },
            fetch_all
        )?;
        let mut by_id: HashMap<WorkId, WorkSummary> = summaries(db, rows)
            .await?
            .into_iter()
            .map(|w| (w.id, w))
            .collect();
        shown
            .iter()
            .filter_map(|(w, position, _)| {
                by_id.remove(&WorkId(*w)).map(|work| SeriesEntry {
                    position: position.clone(),
                    status: statuses.get(w).cloned(),
                    work,
                })
            })
            .collect()
    };
    Ok(Some(SeriesPage {
        id,
        name,
        total,
        read,
        books,
    }))
}

/// The reader's status with each book of the series they have touched, in
/// one statement: readings (a finished reading wins, then one under way,
/// then one given up) and queue entries.
async fn reader_statuses(
    db: &Db,
    user: UserId,
    series: SeriesId,
) -> Result<HashMap<Uuid, SeriesStatus>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        work_id: Uuid,
        kind: String,
        finished_on: Option<Date>,
        progress_unit: Option<String>,
        progress_value: Option<i64>,
        pages: Option<i64>,
    }
    let rows: Vec<Row> = read!(
        db,
        sqlx::query_as(
            "SELECT r.work_id, r.status AS kind, r.finished_on, r.progress_unit,
                    CAST(r.progress_value AS BIGINT) AS progress_value,
                    CAST(e.pages AS BIGINT) AS pages
             FROM readings r JOIN works w ON w.id = r.work_id
             LEFT JOIN editions e ON e.id = r.edition_id
             WHERE r.user_id = $1 AND w.series_id = $2
             UNION ALL
             SELECT q.work_id, 'queue', NULL, NULL, NULL, NULL
             FROM queue_entries q JOIN works w ON w.id = q.work_id
             WHERE q.user_id = $1 AND w.series_id = $2"
        )
        .bind(user)
        .bind(series),
        fetch_all
    )?;
    let rank = |s: &SeriesStatus| match s {
        SeriesStatus::Read { .. } => 3,
        SeriesStatus::Reading { .. } => 2,
        SeriesStatus::DidNotFinish => 1,
        SeriesStatus::WantToRead => 0,
    };
    let mut out: HashMap<Uuid, SeriesStatus> = HashMap::new();
    for r in rows {
        let status = match r.kind.as_str() {
            "read" => SeriesStatus::Read {
                finished_on: r.finished_on,
            },
            "reading" => SeriesStatus::Reading {
                percent: progress_of(r.progress_unit.as_deref(), r.progress_value)
                    .and_then(|p| p.percent(r.pages.and_then(|n| u32::try_from(n).ok()))),
            },
            "dnf" => SeriesStatus::DidNotFinish,
            _ => SeriesStatus::WantToRead,
        };
        match out.get(&r.work_id) {
            // The latest finish of several readings.
            Some(SeriesStatus::Read { finished_on: old }) if matches!(status, SeriesStatus::Read { finished_on } if finished_on > *old) =>
            {
                out.insert(r.work_id, status);
            }
            Some(old) if rank(old) >= rank(&status) => {}
            _ => {
                out.insert(r.work_id, status);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::series_position_key as key;

    #[test]
    fn places_sort_by_their_leading_number() {
        assert_eq!(key("1"), Some(1.0));
        assert_eq!(key("1.5"), Some(1.5));
        assert_eq!(key("0.5"), Some(0.5));
        assert_eq!(key("1-3"), Some(1.0));
        assert_eq!(key("#2"), Some(2.0));
        assert_eq!(key("10"), Some(10.0));
        assert_eq!(key("3."), Some(3.0));
        assert_eq!(key("prequel"), None);
        assert_eq!(key(""), None);
        assert_eq!(key(".5"), None);
    }
}
