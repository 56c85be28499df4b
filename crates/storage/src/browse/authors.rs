//! A contributor's page: who they are, the books they wrote, and the books
//! they translated, narrated, illustrated, edited or introduced.

use super::{Paging, Sort};
use crate::Result;
use crate::catalog::{SUMMARY_COLUMNS, SummaryRow, WorkSummary, summaries};
use crate::db::Db;
use quire_domain::{ContributorId, ContributorRole};

/// How many books a contributor has in one role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleCount {
    pub role: ContributorRole,
    pub books: i64,
}

/// A book and the role the contributor had in it.
#[derive(Clone, Debug)]
pub struct Contribution {
    pub role: ContributorRole,
    pub work: WorkSummary,
}

/// One page of a contributor's books.
#[derive(Clone, Debug)]
pub struct AuthorPage {
    pub id: ContributorId,
    pub name: String,
    pub bio: String,
    /// Every role they have, authors first, with its number of books.
    pub roles: Vec<RoleCount>,
    /// The books in the list asked for (all roles, or one).
    pub total: i64,
    /// This page of them: grouped by role (authors first), each group in
    /// the order asked for.
    pub books: Vec<Contribution>,
}

/// Roles in the order a contributor's page lists them.
const ROLE_ORDER: &str = "CASE x.role WHEN 'author' THEN 0 WHEN 'translator' THEN 1
    WHEN 'narrator' THEN 2 WHEN 'illustrator' THEN 3 WHEN 'editor' THEN 4 ELSE 5 END";

fn role_rank(r: ContributorRole) -> usize {
    ContributorRole::ALL
        .iter()
        .position(|x| *x == r)
        .unwrap_or(usize::MAX)
}

/// The contributor, their roles and one page of their books, in three
/// statements; `None` when there is no such contributor. A credit on the
/// work or on any of its editions counts, each book once per role.
pub async fn author_page(
    db: &Db,
    id: ContributorId,
    role: Option<ContributorRole>,
    sort: Sort,
    paging: Paging,
) -> Result<Option<AuthorPage>> {
    // 1. Who, and how many books in each role (one row per role; a
    // contributor with no credits gives one row with no role).
    let head: Vec<(String, String, Option<ContributorRole>, i64)> = read!(
        db,
        sqlx::query_as(
            "SELECT c.name, c.bio, cr.role, CAST(COUNT(DISTINCT cr.work_id) AS BIGINT)
             FROM contributors c LEFT JOIN credits cr ON cr.contributor_id = c.id
             WHERE c.id = $1 GROUP BY c.name, c.bio, cr.role"
        )
        .bind(id),
        fetch_all
    )?;
    let Some((name, bio, _, _)) = head.first().cloned() else {
        return Ok(None);
    };
    let mut roles: Vec<RoleCount> = head
        .into_iter()
        .filter_map(|(_, _, role, books)| role.map(|role| RoleCount { role, books }))
        .collect();
    roles.sort_by_key(|r| role_rank(r.role));
    let total: i64 = roles
        .iter()
        .filter(|r| role.is_none_or(|x| x == r.role))
        .map(|r| r.books)
        .sum();

    // 2. The page's books with their role, then 3. their authors and
    // subjects (`summaries`).
    let books = if total > paging.offset() {
        #[derive(sqlx::FromRow)]
        struct Row {
            role: ContributorRole,
            #[sqlx(flatten)]
            summary: SummaryRow,
        }
        let sql = format!(
            "SELECT x.role, {SUMMARY_COLUMNS}
             FROM (SELECT DISTINCT work_id, role FROM credits
                   WHERE contributor_id = $1 AND (CAST($2 AS TEXT) IS NULL OR role = $2)) x
             JOIN works w ON w.id = x.work_id LEFT JOIN work_stats s ON s.work_id = w.id
             ORDER BY {ROLE_ORDER}, {} LIMIT $3 OFFSET $4",
            sort.order_by()
        );
        let rows: Vec<Row> = read!(
            db,
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(id)
                .bind(role.map(|r| r.as_str()))
                .bind(paging.limit())
                .bind(paging.offset()),
            fetch_all
        )?;
        let (roles_of, rows): (Vec<_>, Vec<_>) =
            rows.into_iter().map(|r| (r.role, r.summary)).unzip();
        summaries(db, rows)
            .await?
            .into_iter()
            .zip(roles_of)
            .map(|(work, role)| Contribution { role, work })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Some(AuthorPage {
        id,
        name,
        bio,
        roles,
        total,
        books,
    }))
}
