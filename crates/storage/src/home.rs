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
