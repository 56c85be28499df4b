//! Finding the works a new book may already be: any ISBN exact first, then
//! the same title and first author. (A first, simple normalisation: case
//! and accents folded; the import matching refines it.)

use super::*;
use quire_domain::text::fold;

/// Works that may be the book described, most certain first: works with an
/// edition of any of `isbns`, then works whose title and first author fold
/// to the same text. At most `limit`, each once.
pub async fn candidates(
    db: &Db,
    isbns: &[Isbn13],
    title: &str,
    first_author: Option<&str>,
    limit: u32,
) -> Result<Vec<WorkSummary>> {
    let mut found: Vec<WorkSummary> = Vec::new();
    if !isbns.is_empty() {
        let sql = format!(
            "SELECT DISTINCT {SUMMARY_COLUMNS} FROM editions e JOIN works w ON w.id = e.work_id
             LEFT JOIN work_stats s ON s.work_id = w.id WHERE e.isbn13 IN ({})",
            placeholders(1, isbns.len())
        );
        let rows: Vec<SummaryRow> = read!(
            db,
            {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
                for i in isbns {
                    q = q.bind(i.to_string());
                }
                q
            },
            fetch_all
        )?;
        found.extend(summaries(db, rows).await?);
    }
    let wanted_title = fold(title.trim());
    if !wanted_title.is_empty() {
        // The sort key is indexed and lower-cased in Rust, so it narrows the
        // search on both engines; folding then compares accents too.
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM works w LEFT JOIN work_stats s ON s.work_id = w.id
             WHERE w.sort_title = $1 ORDER BY COALESCE(s.rating_count, 0) DESC, w.id LIMIT 50"
        );
        let rows: Vec<SummaryRow> = read!(
            db,
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(sort_title(title)),
            fetch_all
        )?;
        let author = first_author
            .map(|a| fold(a.trim()))
            .filter(|a| !a.is_empty());
        for w in summaries(db, rows).await? {
            let same_title = fold(&w.title) == wanted_title;
            let same_author = match &author {
                Some(a) => w.authors.first().is_some_and(|x| fold(x) == *a),
                None => true,
            };
            if same_title && same_author {
                found.push(w);
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    found.retain(|w| seen.insert(w.id));
    found.truncate(limit as usize);
    Ok(found)
}
