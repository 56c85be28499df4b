//! One work per book: finding the work a book already has in the catalog.
//!
//! Two users: [`candidates`], the likely existing works a member sees
//! before adding a book, and the import matcher [`find_match`], which
//! `insert_works` asks before adding a work. The rules, in order:
//!
//! 1. the same id (the work is already there, or was merged into another);
//! 2. an outside identifier of the work ("goodreads" 2767052) or the ISBN
//!    of any of its editions;
//! 3. the same first author (normalised name) and the same normalised
//!    title, where at most one side may have lost its subtitle ("Ancillary
//!    Justice" matches "Ancillary Justice: A Novel", but "Batman: Year One"
//!    never matches "Batman: Hush"), or the same place in the same series
//!    ("Harry Potter, #1" is one book whether it is called "Sorcerer's" or
//!    "Philosopher's Stone"); never two works in different places of a
//!    series, and never two records that one data set keeps apart (two
//!    goodbooks rows are two Goodreads works: a librarian decides those).

use super::keys::WorkKeys;
use super::*;

/// Outside identifier schemes whose records are distinct works: two works
/// with different values of one of these are not matched by title.
const SEPARATE_RECORD_SCHEMES: &[&str] = &["goodbooks", "gutenberg"];

/// The SQL condition (on `work_keys k`) for key rows that match `keys`,
/// with its values bound from `$start`; `None` when there is nothing to
/// match by. `author` false ignores the author (a title alone).
fn key_condition(keys: &WorkKeys, start: usize, author: bool) -> Option<(String, Vec<String>)> {
    if keys.rows.is_empty() || (author && keys.author.is_empty()) {
        return None;
    }
    let mut binds = Vec::new();
    let mut ors = Vec::new();
    for r in &keys.rows {
        binds.push(r.key.clone());
        let n = start + binds.len() - 1;
        ors.push(if r.kind == "main" {
            format!("(k.match_key = ${n} AND k.kind <> 'main')")
        } else {
            format!("k.match_key = ${n}")
        });
    }
    let mut sql = format!("({})", ors.join(" OR "));
    if author {
        binds.push(keys.author.clone());
        sql.push_str(&format!(" AND k.author_key = ${}", start + binds.len() - 1));
    }
    binds.push(keys.series.clone());
    let n = start + binds.len() - 1;
    sql.push_str(&format!(
        " AND (k.series_key = ${n} OR k.series_key = '' OR ${n} = '')"
    ));
    Some((sql, binds))
}

/// Works a new book may already be: those with an edition of any of
/// `isbns` first, then those with the same normalised title (and first
/// author, when one is given), most rated first. At most `limit`.
pub async fn candidates(
    db: &Db,
    isbns: &[Isbn13],
    title: &str,
    first_author: Option<&str>,
    limit: u32,
) -> Result<Vec<WorkSummary>> {
    let mut rows: Vec<SummaryRow> = Vec::new();
    if !isbns.is_empty() {
        let sql = format!(
            "SELECT DISTINCT {SUMMARY_COLUMNS} FROM editions e JOIN works w ON w.id = e.work_id
             LEFT JOIN work_stats s ON s.work_id = w.id
             WHERE e.isbn13 IN ({}) LIMIT {limit}",
            placeholders(1, isbns.len())
        );
        rows = read!(
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
    }
    let keys = WorkKeys::of(title, None, first_author);
    let with_author = first_author.is_some_and(|a| !a.trim().is_empty());
    if rows.len() < limit as usize
        && let Some((cond, binds)) = key_condition(&keys, 1, with_author)
    {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM works w LEFT JOIN work_stats s ON s.work_id = w.id
             WHERE w.id IN (SELECT k.work_id FROM work_keys k WHERE {cond})
             ORDER BY COALESCE(s.rating_count, 0) DESC, w.sort_title LIMIT {limit}"
        );
        let more: Vec<SummaryRow> = read!(
            db,
            {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
                for b in &binds {
                    q = q.bind(b);
                }
                q
            },
            fetch_all
        )?;
        for r in more {
            if rows.len() >= limit as usize {
                break;
            }
            if !rows.iter().any(|x| x.id == r.id) {
                rows.push(r);
            }
        }
    }
    summaries(db, rows).await
}

/// The existing work an incoming one is, by the rules above; `w.id`
/// itself when the work is already there.
pub(crate) async fn find_match(db: &Db, tx: &mut Tx, w: &NewWork) -> Result<Option<WorkId>> {
    // 1. Already there, or merged into another work since.
    let row: Option<(Uuid,)> = tx!(
        db,
        tx,
        sqlx::query_as(
            "SELECT id FROM works WHERE id = $1
             UNION ALL SELECT work_id FROM work_redirects WHERE old_id = $1"
        )
        .bind(w.id.0),
        fetch_optional
    )?;
    if let Some((id,)) = row {
        return Ok(Some(WorkId(id)));
    }
    // 2. An outside identifier, then an ISBN.
    let isbns: Vec<String> = w
        .editions
        .iter()
        .filter_map(|e| e.isbn13.map(|i| i.to_string()))
        .collect();
    if !w.identifiers.is_empty() || !isbns.is_empty() {
        let mut parts = Vec::new();
        let mut n = 0;
        for _ in &w.identifiers {
            parts.push(format!(
                "SELECT 0 AS rank, work_id FROM work_identifiers WHERE scheme = ${} AND value = ${}",
                n + 1,
                n + 2
            ));
            n += 2;
        }
        if !isbns.is_empty() {
            parts.push(format!(
                "SELECT 1 AS rank, work_id FROM editions WHERE isbn13 IN ({})",
                placeholders(n + 1, isbns.len())
            ));
        }
        let sql = format!(
            "SELECT work_id FROM ({}) m ORDER BY rank LIMIT 1",
            parts.join(" UNION ALL ")
        );
        let row: Option<(Uuid,)> = tx!(
            db,
            tx,
            {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
                for (scheme, value) in &w.identifiers {
                    q = q.bind(scheme).bind(value);
                }
                for i in &isbns {
                    q = q.bind(i);
                }
                q
            },
            fetch_optional
        )?;
        if let Some((id,)) = row {
            return Ok(Some(WorkId(id)));
        }
    }
    // 3. Title, series place and first author.
    let keys = WorkKeys::of_new(w);
    let Some((cond, binds)) = key_condition(&keys, 1, true) else {
        return Ok(None);
    };
    let separate: Vec<&(String, String)> = w
        .identifiers
        .iter()
        .filter(|(s, _)| SEPARATE_RECORD_SCHEMES.contains(&s.as_str()))
        .collect();
    let mut sql =
        format!("SELECT k.work_id FROM work_keys k JOIN works w ON w.id = k.work_id WHERE {cond}");
    let mut n = binds.len();
    for _ in &separate {
        sql.push_str(&format!(
            " AND NOT EXISTS (SELECT 1 FROM work_identifiers i WHERE i.work_id = k.work_id
                 AND i.scheme = ${} AND i.value <> ${})",
            n + 1,
            n + 2
        ));
        n += 2;
    }
    sql.push_str(" ORDER BY w.created_at, w.id LIMIT 1");
    let row: Option<(Uuid,)> = tx!(
        db,
        tx,
        {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
            for b in &binds {
                q = q.bind(b);
            }
            for (scheme, value) in &separate {
                q = q.bind(scheme).bind(value);
            }
            q
        },
        fetch_optional
    )?;
    Ok(row.map(|(id,)| WorkId(id)))
}
