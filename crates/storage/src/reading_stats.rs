//! A reader's reading stats, counted by the database: books and pages per
//! year and per month, ratings given, subjects, formats, lengths and
//! re-reads. The same SQL runs on SQLite and PostgreSQL; a stats page is
//! three statements, however many books the reader has.
//!
//! A "book read" is a finished reading (status `read`), so a re-read
//! counts again in the year it was finished. Its pages are those of the
//! edition read, else of the book's main edition with a page count.

use crate::Result;
use crate::catalog::{SUMMARY_COLUMNS, SummaryRow, WorkSummary, summaries};
use crate::db::Db;
use crate::profile::READING_PAGES;
use quire_domain::{Format, UserId, WorkId};
use time::Date;
use uuid::Uuid;

/// Books and pages in one period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub books: i64,
    pub pages: i64,
}

/// The lengths books are grouped by: under 200 pages, 200–349, 350–499,
/// 500 and more.
pub const LENGTH_BUCKETS: [&str; 4] = ["Under 200", "200–349", "350–499", "500 or more"];

#[derive(Clone, Debug, Default)]
pub struct ReadingStats {
    /// Every finished reading, dated or not.
    pub total: Tally,
    /// Finished readings without a date (not in any year).
    pub undated: i64,
    /// Finished readings whose length is known.
    pub with_pages: i64,
    /// Dated finished readings per year, oldest first.
    pub years: Vec<(i32, Tally)>,
    /// The asked-for year, January to December.
    pub months: [Tally; 12],
    /// Ratings given, by half stars: index 0 is ½ star, 9 is 5 stars.
    pub ratings: [i64; 10],
    /// The most frequent subjects of the books read (distinct books).
    pub subjects: Vec<(String, i64)>,
    /// Finished readings by the format of the edition.
    pub formats: Vec<(Format, i64)>,
    /// Finished readings of known length, by [`LENGTH_BUCKETS`].
    pub lengths: [i64; 4],
    /// Books read more than once, and how many readings they make.
    pub reread_books: i64,
    pub reread_readings: i64,
    /// The most re-read books (title, address parts) and their reads.
    pub most_reread: Vec<(WorkId, String, String, i64)>,
}

impl ReadingStats {
    /// Average length of the books read whose length is known.
    pub fn average_pages(&self) -> Option<f64> {
        (self.with_pages > 0).then(|| self.total.pages as f64 / self.with_pages as f64)
    }
}

/// How many subjects the stats list.
pub const TOP_SUBJECTS: u32 = 10;

/// The finished readings of one reader (`$1`), with their year and month
/// as text ("2024", "05"): a date cast to text is ISO `YYYY-MM-DD` on both
/// engines (PostgreSQL's default `DateStyle`).
const FINISHED: &str = "SELECT r.work_id, SUBSTR(CAST(r.finished_on AS TEXT), 1, 4) AS y,
        SUBSTR(CAST(r.finished_on AS TEXT), 6, 2) AS m,
        CAST(PAGES AS BIGINT) AS pages,
        COALESCE(ed.format, (SELECT e.format FROM editions e WHERE e.work_id = r.work_id
                             ORDER BY e.is_primary DESC, e.created_at LIMIT 1), 'other') AS format
     FROM readings r LEFT JOIN editions ed ON ed.id = r.edition_id
     WHERE r.user_id = $1 AND r.status = 'read'";

/// The stats of `user`, with the months of `year`.
pub async fn stats(db: &Db, user: UserId, year: i32) -> Result<ReadingStats> {
    let finished = FINISHED.replace("PAGES", READING_PAGES);
    let sql = format!(
        "WITH rr AS ({finished})
         SELECT 'year' AS kind, y AS label, COUNT(*) AS n,
                CAST(COALESCE(SUM(pages), 0) AS BIGINT) AS m
           FROM rr WHERE y IS NOT NULL GROUP BY y
         UNION ALL SELECT 'month', m, COUNT(*), CAST(COALESCE(SUM(pages), 0) AS BIGINT)
           FROM rr WHERE y = $2 GROUP BY m
         UNION ALL SELECT 'total', '', COUNT(*), CAST(COALESCE(SUM(pages), 0) AS BIGINT) FROM rr
         UNION ALL SELECT 'undated', '', COUNT(*), CAST(COUNT(pages) AS BIGINT) FROM rr WHERE y IS NULL
         UNION ALL SELECT 'with_pages', '', COUNT(pages), CAST(0 AS BIGINT) FROM rr
         UNION ALL SELECT 'format', format, COUNT(*), CAST(0 AS BIGINT) FROM rr GROUP BY format
         UNION ALL SELECT 'length', CASE WHEN pages < 200 THEN '0' WHEN pages < 350 THEN '1'
                                        WHEN pages < 500 THEN '2' ELSE '3' END,
                COUNT(*), CAST(0 AS BIGINT)
           FROM rr WHERE pages IS NOT NULL
           GROUP BY CASE WHEN pages < 200 THEN '0' WHEN pages < 350 THEN '1'
                         WHEN pages < 500 THEN '2' ELSE '3' END
         UNION ALL SELECT 'rating', CAST(halves AS TEXT), COUNT(*), CAST(0 AS BIGINT)
           FROM ratings WHERE user_id = $1 GROUP BY halves
         UNION ALL SELECT 'subject', t.name, t.n, CAST(0 AS BIGINT) FROM (
             SELECT sj.name AS name, COUNT(DISTINCT rr.work_id) AS n FROM rr
             JOIN work_subjects ws ON ws.work_id = rr.work_id
             JOIN subjects sj ON sj.id = ws.subject_id
             GROUP BY sj.id, sj.name ORDER BY COUNT(DISTINCT rr.work_id) DESC, sj.name
             LIMIT {TOP_SUBJECTS}) t
         UNION ALL SELECT 'reread', '', COUNT(*), CAST(COALESCE(SUM(t.c), 0) AS BIGINT) FROM (
             SELECT work_id, COUNT(*) AS c FROM rr GROUP BY work_id HAVING COUNT(*) > 1) t"
    );
    let rows: Vec<(String, String, i64, i64)> = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(user)
            .bind(format!("{year:04}")),
        fetch_all
    )?;
    let mut out = ReadingStats::default();
    for (kind, label, n, m) in rows {
        match kind.as_str() {
            "year" => {
                if let Ok(y) = label.parse::<i32>() {
                    out.years.push((y, Tally { books: n, pages: m }));
                }
            }
            "month" => {
                if let Some(t) = label
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| out.months.get_mut(i.wrapping_sub(1)))
                {
                    *t = Tally { books: n, pages: m };
                }
            }
            "total" => out.total = Tally { books: n, pages: m },
            "undated" => out.undated = n,
            "with_pages" => out.with_pages = n,
            "format" => out
                .formats
                .push((Format::parse(&label).unwrap_or(Format::Other), n)),
            "length" => {
                if let Some(b) = label
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| out.lengths.get_mut(i))
                {
                    *b = n;
                }
            }
            "rating" => {
                if let Some(b) = label
                    .parse::<usize>()
                    .ok()
                    .and_then(|h| out.ratings.get_mut(h.wrapping_sub(1)))
                {
                    *b = n;
                }
            }
            "subject" => out.subjects.push((label, n)),
            "reread" => {
                out.reread_books = n;
                out.reread_readings = m;
            }
            _ => {}
        }
    }
    out.years.sort_by_key(|(y, _)| *y);
    out.subjects
        .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out.formats.sort_by_key(|f| std::cmp::Reverse(f.1));
    if out.reread_books > 0 {
        let top: Vec<(Uuid, String, String, i64)> = read!(
            db,
            sqlx::query_as(
                "SELECT w.id, w.slug, w.title, t.c FROM (
                   SELECT work_id, COUNT(*) AS c FROM readings
                   WHERE user_id = $1 AND status = 'read'
                   GROUP BY work_id HAVING COUNT(*) > 1
                   ORDER BY COUNT(*) DESC LIMIT 10) t
                 JOIN works w ON w.id = t.work_id ORDER BY t.c DESC, w.sort_title"
            )
            .bind(user),
            fetch_all
        )?;
        out.most_reread = top
            .into_iter()
            .map(|(id, slug, title, c)| (WorkId(id), slug, title, c))
            .collect();
    }
    Ok(out)
}

/// A book finished in a year.
#[derive(Clone, Debug)]
pub struct YearBook {
    pub work: WorkSummary,
    pub finished_on: Date,
    pub pages: Option<i64>,
    /// The reader's own rating, in half stars.
    pub halves: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct YearRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    finished_on: Date,
    pages: Option<i64>,
    halves: Option<i64>,
}

/// At most this many books are listed on a year page.
pub const YEAR_LIMIT: u32 = 200;

/// The books `user` finished in `year`, in the order they were finished
/// (at most [`YEAR_LIMIT`]); two statements.
pub async fn year_books(db: &Db, user: UserId, year: i32) -> Result<Vec<YearBook>> {
    let (Ok(from), Ok(to)) = (
        Date::from_ordinal_date(year, 1),
        Date::from_ordinal_date(year.saturating_add(1), 1),
    ) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS}, r.finished_on, CAST({READING_PAGES} AS BIGINT) AS pages,
                CAST(rt.halves AS BIGINT) AS halves
         FROM readings r JOIN works w ON w.id = r.work_id
         LEFT JOIN work_stats s ON s.work_id = w.id
         LEFT JOIN editions ed ON ed.id = r.edition_id
         LEFT JOIN ratings rt ON rt.user_id = r.user_id AND rt.work_id = r.work_id
         WHERE r.user_id = $1 AND r.status = 'read' AND r.finished_on >= $2 AND r.finished_on < $3
         ORDER BY r.finished_on, w.sort_title, r.id LIMIT {YEAR_LIMIT}"
    );
    let rows: Vec<YearRow> = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(user)
            .bind(from)
            .bind(to),
        fetch_all
    )?;
    let (meta, summary_rows): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .map(|r| ((r.finished_on, r.pages, r.halves), r.summary))
        .unzip();
    let works = summaries(db, summary_rows).await?;
    Ok(meta
        .into_iter()
        .zip(works)
        .map(|((finished_on, pages, halves), work)| YearBook {
            work,
            finished_on,
            pages,
            halves,
        })
        .collect())
}
