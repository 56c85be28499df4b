//! What the search index is built from: each work with its authors,
//! series, subjects, ISBNs, language, formats and rating totals; each
//! author with how often their books are rated; each public club with its
//! member count. Plain rows: the web crate turns them into
//! `quire-search` documents, so storage does not depend on the index.
//!
//! Works are read in pages in id order (a rebuild of a million streams
//! through a few thousand at a time), and [`changed_since`] tells a
//! running server which works to index again: every catalog change bumps a
//! work's `updated_at` (`catalog::works::bump`), and a merge leaves a row
//! in `work_redirects`.

use crate::catalog::placeholders;
use crate::{Db, Result};
use quire_domain::{ClubId, ContributorId, WorkId};
use std::collections::HashMap;
use time::OffsetDateTime;

/// One work, as the index needs it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BookRow {
    pub id: WorkId,
    pub title: String,
    pub subtitle: Option<String>,
    /// Authors in credit order.
    pub authors: Vec<String>,
    pub series: Option<String>,
    pub subjects: Vec<String>,
    /// Every edition's ISBN-13 (the index also finds them by ISBN-10).
    pub isbns: Vec<String>,
    pub year: Option<i32>,
    /// The main edition's language.
    pub language: Option<String>,
    /// Every edition's format, once each.
    pub formats: Vec<String>,
    pub ratings: u64,
    /// Average in stars (1 to 5).
    pub average: Option<f32>,
}

#[derive(sqlx::FromRow)]
struct WorkRow {
    id: WorkId,
    title: String,
    subtitle: Option<String>,
    first_published: Option<String>,
    series: Option<String>,
    rating_count: Option<i64>,
    rating_sum: Option<i64>,
}

const WORK_COLUMNS: &str = "w.id, w.title, w.subtitle, w.first_published, se.name AS series,
    s.rating_count, s.rating_sum
    FROM works w
    LEFT JOIN series se ON se.id = w.series_id
    LEFT JOIN work_stats s ON s.work_id = w.id";

/// Up to `limit` works after `after` in id order (from the first when
/// `None`); fewer than `limit` means the end.
pub async fn books_page(db: &Db, after: Option<WorkId>, limit: u32) -> Result<Vec<BookRow>> {
    let rows: Vec<WorkRow> = match after {
        Some(a) => read!(
            db,
            sqlx::query_as(sqlx::AssertSqlSafe(
                format!("SELECT {WORK_COLUMNS} WHERE w.id > $1 ORDER BY w.id LIMIT $2").as_str()
            ))
            .bind(a)
            .bind(i64::from(limit)),
            fetch_all
        )?,
        None => read!(
            db,
            sqlx::query_as(sqlx::AssertSqlSafe(
                format!("SELECT {WORK_COLUMNS} ORDER BY w.id LIMIT $1").as_str()
            ))
            .bind(i64::from(limit)),
            fetch_all
        )?,
    };
    fill(db, rows).await
}

/// The works of `ids` that exist (at most a few thousand at once).
pub async fn books_of(db: &Db, ids: &[WorkId]) -> Result<Vec<BookRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {WORK_COLUMNS} WHERE w.id IN ({}) ORDER BY w.id",
        placeholders(1, ids.len())
    );
    let rows: Vec<WorkRow> = read!(
        db,
        {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
            for id in ids {
                q = q.bind(*id);
            }
            q
        },
        fetch_all
    )?;
    fill(db, rows).await
}

/// Each work's credits, subjects and editions, in three statements for the
/// whole page.
async fn fill(db: &Db, rows: Vec<WorkRow>) -> Result<Vec<BookRow>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<WorkId> = rows.iter().map(|r| r.id).collect();
    let list = placeholders(1, ids.len());
    // One statement over the page's ids, for either engine.
    macro_rules! over_ids {
        ($sql:expr) => {{
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe($sql.as_str()));
            for id in &ids {
                q = q.bind(*id);
            }
            q
        }};
    }
    let sql_authors = format!(
        "SELECT cr.work_id, c.name FROM credits cr JOIN contributors c ON c.id = cr.contributor_id
         WHERE cr.work_id IN ({list}) AND cr.role = 'author'
         ORDER BY cr.work_id, cr.position"
    );
    let sql_subjects = format!(
        "SELECT ws.work_id, su.name FROM work_subjects ws JOIN subjects su ON su.id = ws.subject_id
         WHERE ws.work_id IN ({list}) ORDER BY ws.work_id, ws.weight DESC"
    );
    let sql_editions = format!(
        "SELECT e.work_id, e.isbn13, e.format, e.language, e.is_primary FROM editions e
         WHERE e.work_id IN ({list}) ORDER BY e.work_id, e.is_primary DESC, e.created_at"
    );
    let authors: Vec<(WorkId, String)> = read!(db, over_ids!(sql_authors), fetch_all)?;
    let subjects: Vec<(WorkId, String)> = read!(db, over_ids!(sql_subjects), fetch_all)?;
    type EditionRow = (WorkId, Option<String>, String, Option<String>, bool);
    let editions: Vec<EditionRow> = read!(db, over_ids!(sql_editions), fetch_all)?;
    let mut by_work: HashMap<WorkId, BookRow> = rows
        .into_iter()
        .map(|r| {
            let year = r.first_published.as_deref().and_then(year_of);
            let ratings = u64::try_from(r.rating_count.unwrap_or(0)).unwrap_or(0);
            let average = (ratings > 0)
                .then(|| r.rating_sum.unwrap_or(0) as f32 / 2.0 / ratings as f32)
                .filter(|a| *a > 0.0);
            (
                r.id,
                BookRow {
                    id: r.id,
                    title: r.title,
                    subtitle: r.subtitle,
                    series: r.series,
                    year,
                    ratings,
                    average,
                    ..BookRow::default()
                },
            )
        })
        .collect();
    for (w, name) in authors {
        if let Some(b) = by_work.get_mut(&w)
            && !b.authors.contains(&name)
        {
            b.authors.push(name);
        }
    }
    for (w, name) in subjects {
        if let Some(b) = by_work.get_mut(&w) {
            b.subjects.push(name);
        }
    }
    for (w, isbn13, format, language, primary) in editions {
        if let Some(b) = by_work.get_mut(&w) {
            b.isbns.extend(isbn13);
            if !b.formats.contains(&format) {
                b.formats.push(format);
            }
            if b.language.is_none() || primary {
                b.language = language.or(b.language.take());
            }
        }
    }
    let mut out: Vec<BookRow> = by_work.into_values().collect();
    out.sort_by_key(|b| b.id);
    Ok(out)
}

/// The year of a stored publication date ("1813", "1813-01", "1813-01-28").
fn year_of(date: &str) -> Option<i32> {
    let digits: String = date
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    let (neg, rest) = match digits.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, digits.as_str()),
    };
    let y: i32 = rest.split('-').next()?.parse().ok()?;
    Some(if neg { -y } else { y })
}

/// What changed in the catalog at or after `since`, each with its time.
/// Times are whole seconds (`db::now`), so the caller keeps the ids it
/// has already seen in the last second it reached, and skips them.
#[derive(Debug, Default)]
pub struct Changes {
    /// Works added or changed: index them again.
    pub changed: Vec<(WorkId, OffsetDateTime)>,
    /// Works merged into another: take them out.
    pub removed: Vec<(WorkId, OffsetDateTime)>,
}

/// Works changed or merged away at or after `since`, at most `limit` of
/// each, the oldest first (a long backlog is worked off in order).
pub async fn changed_since(db: &Db, since: OffsetDateTime, limit: u32) -> Result<Changes> {
    let changed: Vec<(WorkId, OffsetDateTime)> = read!(
        db,
        sqlx::query_as(
            "SELECT id, updated_at FROM works WHERE updated_at >= $1 ORDER BY updated_at LIMIT $2"
        )
        .bind(since)
        .bind(i64::from(limit)),
        fetch_all
    )?;
    let removed: Vec<(WorkId, OffsetDateTime)> = read!(
        db,
        sqlx::query_as(
            "SELECT old_id, merged_at FROM work_redirects WHERE merged_at >= $1 ORDER BY merged_at LIMIT $2"
        )
        .bind(since)
        .bind(i64::from(limit)),
        fetch_all
    )?;
    Ok(Changes { changed, removed })
}

/// An author and how many ratings their books have.
#[derive(Clone, Debug, PartialEq)]
pub struct AuthorRow {
    pub id: ContributorId,
    pub name: String,
    pub ratings: u64,
}

/// Everyone credited as the author of a work.
pub async fn authors(db: &Db) -> Result<Vec<AuthorRow>> {
    let rows: Vec<(ContributorId, String, Option<i64>)> = read!(
        db,
        sqlx::query_as(
            "SELECT c.id, c.name, CAST(SUM(COALESCE(s.rating_count, 0)) AS BIGINT) FROM contributors c
             JOIN credits cr ON cr.contributor_id = c.id AND cr.role = 'author'
             LEFT JOIN work_stats s ON s.work_id = cr.work_id
             GROUP BY c.id, c.name"
        ),
        fetch_all
    )?;
    Ok(rows
        .into_iter()
        .map(|(id, name, n)| AuthorRow {
            id,
            name,
            ratings: u64::try_from(n.unwrap_or(0)).unwrap_or(0),
        })
        .collect())
}

/// A public club and how many members it has.
#[derive(Clone, Debug, PartialEq)]
pub struct ClubRow {
    pub id: ClubId,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub members: u64,
}

/// The public clubs only: private and secret clubs are never indexed.
pub async fn public_clubs(db: &Db) -> Result<Vec<ClubRow>> {
    let rows: Vec<(ClubId, String, String, String, i64)> = read!(
        db,
        sqlx::query_as(
            "SELECT c.id, c.slug, c.name, c.description,
                    (SELECT COUNT(*) FROM club_members m WHERE m.club_id = c.id)
             FROM clubs c WHERE c.visibility = 'public'"
        ),
        fetch_all
    )?;
    Ok(rows
        .into_iter()
        .map(|(id, slug, name, description, n)| ClubRow {
            id,
            slug,
            name,
            description,
            members: u64::try_from(n).unwrap_or(0),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn years_come_from_any_precision() {
        assert_eq!(super::year_of("1813"), Some(1813));
        assert_eq!(super::year_of("1813-01-28"), Some(1813));
        assert_eq!(super::year_of("-0800"), Some(-800));
        assert_eq!(super::year_of("unknown"), None);
    }
}

/// A member whose profile search may list, and how many reviews they wrote
/// (their weight in ranking).
#[derive(Clone, Debug, PartialEq)]
pub struct MemberRow {
    pub username: String,
    pub display_name: String,
    pub reviews: u64,
}

/// Members who can sign in, and demo readers who wrote reviews. Accounts
/// made only to carry a data set's ratings (tens of thousands in the demo)
/// would drown every other name, so they are left out.
pub async fn members(db: &Db) -> Result<Vec<MemberRow>> {
    let rows: Vec<(String, String, i64)> = read!(
        db,
        sqlx::query_as(
            "SELECT u.username, u.display_name,
                    (SELECT COUNT(*) FROM reviews r WHERE r.user_id = u.id)
             FROM users u
             WHERE NOT u.is_demo OR EXISTS (SELECT 1 FROM reviews r WHERE r.user_id = u.id)"
        ),
        fetch_all
    )?;
    Ok(rows
        .into_iter()
        .map(|(username, display_name, n)| MemberRow {
            username,
            display_name,
            reviews: u64::try_from(n).unwrap_or(0),
        })
        .collect())
}
