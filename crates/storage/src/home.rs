//! The lists on the home page.

use crate::Result;
use crate::catalog::{SUMMARY_COLUMNS, SummaryRow, WorkSummary, summaries};
use crate::db::Db;

/// Books members are reading now, the most-read first.
pub async fn reading_now(db: &Db, limit: u32) -> Result<Vec<(WorkSummary, i64)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        summary: SummaryRow,
        readers: i64,
    }
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS}, x.readers FROM (
            SELECT work_id, COUNT(DISTINCT user_id) AS readers, MAX(updated_at) AS latest
            FROM readings WHERE status = 'reading' GROUP BY work_id
         ) x JOIN works w ON w.id = x.work_id LEFT JOIN work_stats s ON s.work_id = w.id
         ORDER BY x.readers DESC, x.latest DESC LIMIT $1"
    );
    let rows: Vec<Row> = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(i64::from(limit)),
        fetch_all
    )?;
    let counts: Vec<i64> = rows.iter().map(|r| r.readers).collect();
    let works = summaries(db, rows.into_iter().map(|r| r.summary).collect()).await?;
    Ok(works.into_iter().zip(counts).collect())
}

/// The best-rated books with at least `min_ratings` ratings, ranked by a
/// damped mean (each book's mean pulled towards 3.5 stars by ten imaginary
/// ratings) so that a single 5-star rating does not top the list.
pub async fn best_rated(db: &Db, min_ratings: i64, limit: u32) -> Result<Vec<WorkSummary>> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM work_stats s JOIN works w ON w.id = s.work_id
         WHERE s.rating_count >= $1
         ORDER BY (CAST(s.rating_sum AS DOUBLE PRECISION) + 70.0) / (s.rating_count + 10) DESC, w.sort_title
         LIMIT $2"
    );
    let rows: Vec<SummaryRow> = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(min_ratings)
            .bind(i64::from(limit)),
        fetch_all
    )?;
    summaries(db, rows).await
}

/// A review as the home page lists it: who, which book, a short excerpt.
#[derive(Clone, Debug)]
pub struct RecentReview {
    pub work: quire_domain::WorkId,
    pub work_slug: String,
    pub work_title: String,
    pub reviewer_username: String,
    pub reviewer_name: String,
    pub headline: Option<String>,
    /// The start of the body as written (Markdown), at most
    /// [`RECENT_REVIEW_CHARS`] characters; the caller makes an excerpt.
    pub body_start: String,
    /// The reviewer's own rating of the book.
    pub rating: Option<quire_domain::Rating>,
    pub created_at: time::OffsetDateTime,
}

/// How much of each review body [`recent_reviews`] reads.
pub const RECENT_REVIEW_CHARS: i64 = 600;

/// The newest reviews, newest first, one statement. Reviews marked as
/// spoilers are left out: the home page has no room to fold them, and a
/// visitor who did not ask for a book should not meet its ending.
pub async fn recent_reviews(db: &Db, limit: u32) -> Result<Vec<RecentReview>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        work_id: uuid::Uuid,
        slug: String,
        title: String,
        username: String,
        display_name: String,
        headline: Option<String>,
        body_start: String,
        halves: Option<i64>,
        created_at: time::OffsetDateTime,
    }
    let rows: Vec<Row> = read!(
        db,
        sqlx::query_as(
            "SELECT r.work_id, w.slug, w.title, u.username, u.display_name, r.headline,
                    SUBSTR(r.body, 1, CAST($2 AS INTEGER)) AS body_start, CAST(rt.halves AS BIGINT) AS halves,
                    r.created_at
             FROM reviews r JOIN works w ON w.id = r.work_id JOIN users u ON u.id = r.user_id
             LEFT JOIN ratings rt ON rt.user_id = r.user_id AND rt.work_id = r.work_id
             WHERE r.spoiler = FALSE
             ORDER BY r.created_at DESC, r.id DESC LIMIT $1"
        )
        .bind(i64::from(limit))
        .bind(RECENT_REVIEW_CHARS),
        fetch_all
    )?;
    Ok(rows
        .into_iter()
        .map(|r| RecentReview {
            work: quire_domain::WorkId(r.work_id),
            work_slug: r.slug,
            work_title: r.title,
            reviewer_username: r.username,
            reviewer_name: r.display_name,
            headline: r.headline,
            body_start: r.body_start,
            rating: r
                .halves
                .and_then(|h| quire_domain::Rating::from_halves(h).ok()),
            created_at: r.created_at,
        })
        .collect())
}
