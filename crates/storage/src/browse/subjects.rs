//! A subject's page: its books, sorted and paged.

use super::{Paging, Sort};
use crate::Result;
use crate::catalog::{SUMMARY_COLUMNS, SummaryRow, WorkSummary, summaries};
use crate::db::Db;
use quire_domain::SubjectId;
use uuid::Uuid;

/// One page of a subject's books.
#[derive(Clone, Debug)]
pub struct SubjectPage {
    pub id: SubjectId,
    pub name: String,
    /// How many books carry the subject.
    pub total: i64,
    pub books: Vec<WorkSummary>,
}

/// The subject and one page of its books in three statements (the
/// subject with its count, the page's rows, their authors and subjects);
/// `None` when there is no such subject. A page past the last has no
/// books and the true total.
pub async fn subject_page(
    db: &Db,
    id: SubjectId,
    sort: Sort,
    paging: Paging,
) -> Result<Option<SubjectPage>> {
    let head: Option<(Uuid, String, i64)> = read!(
        db,
        sqlx::query_as(
            "SELECT s.id, s.name,
                    (SELECT COUNT(*) FROM work_subjects ws WHERE ws.subject_id = s.id)
             FROM subjects s WHERE s.id = $1"
        )
        .bind(id),
        fetch_optional
    )?;
    let Some((_, name, total)) = head else {
        return Ok(None);
    };
    let books = if total > paging.offset() {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM work_subjects ws
             JOIN works w ON w.id = ws.work_id LEFT JOIN work_stats s ON s.work_id = w.id
             WHERE ws.subject_id = $1
             ORDER BY {} LIMIT $2 OFFSET $3",
            sort.order_by()
        );
        let rows: Vec<SummaryRow> = read!(
            db,
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(id)
                .bind(paging.limit())
                .bind(paging.offset()),
            fetch_all
        )?;
        summaries(db, rows).await?
    } else {
        Vec::new()
    };
    Ok(Some(SubjectPage {
        id,
        name,
        total,
        books,
    }))
}
