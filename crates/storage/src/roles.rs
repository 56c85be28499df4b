//! Site roles and verified links: who is a librarian or an administrator,
//! and which accounts an admin has verified as a contributor (an author) or
//! as a publisher, so their material on their own works carries a mark.
//!
//! The web crate's permission layer asks [`standing`] what an account is to
//! one work; this module only stores and answers, it never decides.

use crate::catalog::key;
use crate::db::{Db, now};
use crate::users::{USER_COLUMNS, User};
use crate::{Result, StorageError};
use quire_domain::text::fold;
use quire_domain::{ContributorId, SiteRole, UserId, WorkId};
use time::OffsetDateTime;
use uuid::Uuid;

pub use crate::users::set_role;

/// What an account is verified as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkTarget {
    /// A contributor in the catalog, by id, with the name shown.
    Contributor { id: ContributorId, name: String },
    /// A publisher's name as the admin wrote it.
    Publisher(String),
}

/// One verified link of an account.
#[derive(Clone, Debug)]
pub struct VerifiedLink {
    pub id: Uuid,
    pub user: UserId,
    pub target: LinkTarget,
    pub granted_at: OffsetDateTime,
}

impl VerifiedLink {
    /// "Author: Ashley Audrain", "Publisher: Penguin".
    pub fn describe(&self) -> String {
        match &self.target {
            LinkTarget::Contributor { name, .. } => format!("Contributor: {name}"),
            LinkTarget::Publisher(p) => format!("Publisher: {p}"),
        }
    }
}

/// What an account is to one work, for deciding what it may post there.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    /// Linked to a contributor credited as an author of the work.
    pub author: bool,
    /// Linked to a publisher that published an edition of the work
    /// (names compared without regard to case or accents).
    pub publisher: bool,
}

/// The key a publisher's name is compared by.
pub fn publisher_key(name: &str) -> String {
    fold(name.trim())
}

/// The contributor whose name is exactly `name` (any case or spacing).
pub async fn contributor_by_name(db: &Db, name: &str) -> Result<Option<(ContributorId, String)>> {
    let row: Option<(Uuid, String)> = read!(
        db,
        sqlx::query_as(
            "SELECT id, name FROM contributors WHERE name_key = $1 ORDER BY created_at, id LIMIT 1"
        )
        .bind(key(name)),
        fetch_optional
    )?;
    Ok(row.map(|(id, n)| (ContributorId(id), n)))
}

/// Link an account to a contributor. Granting a link it already has
/// changes nothing and returns the existing link's id.
pub async fn grant_contributor(
    db: &Db,
    user: UserId,
    contributor: ContributorId,
    granted_by: Option<UserId>,
) -> Result<Uuid> {
    let mut tx = db.begin().await?;
    let existing: Option<(Uuid,)> = tx!(
        db,
        &mut tx,
        sqlx::query_as(
            "SELECT id FROM verified_links
             WHERE user_id = $1 AND kind = 'contributor' AND contributor_id = $2"
        )
        .bind(user.0)
        .bind(contributor.0),
        fetch_optional
    )?;
    if let Some((id,)) = existing {
        return Ok(id);
    }
    let id = Uuid::now_v7();
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO verified_links (id, user_id, kind, contributor_id, granted_by, granted_at)
             VALUES ($1, $2, 'contributor', $3, $4, $5)"
        )
        .bind(id)
        .bind(user.0)
        .bind(contributor.0)
        .bind(granted_by.map(|u| u.0))
        .bind(now()),
        execute
    )
    .map_err(missing_party)?;
    tx.commit().await?;
    Ok(id)
}

/// Link an account to a publisher's name. Granting a name it already has
/// (in any case) changes nothing and returns the existing link's id.
pub async fn grant_publisher(
    db: &Db,
    user: UserId,
    publisher: &str,
    granted_by: Option<UserId>,
) -> Result<Uuid> {
    let name = publisher.trim();
    if name.is_empty() {
        return Err(StorageError::Conflict(
            "a publisher link needs the publisher's name".into(),
        ));
    }
    let mut tx = db.begin().await?;
    let existing: Option<(Uuid,)> = tx!(
        db,
        &mut tx,
        sqlx::query_as(
            "SELECT id FROM verified_links
             WHERE user_id = $1 AND kind = 'publisher' AND publisher_key = $2"
        )
        .bind(user.0)
        .bind(publisher_key(name)),
        fetch_optional
    )?;
    if let Some((id,)) = existing {
        return Ok(id);
    }
    let id = Uuid::now_v7();
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO verified_links
                (id, user_id, kind, publisher, publisher_key, granted_by, granted_at)
             VALUES ($1, $2, 'publisher', $3, $4, $5, $6)"
        )
        .bind(id)
        .bind(user.0)
        .bind(name)
        .bind(publisher_key(name))
        .bind(granted_by.map(|u| u.0))
        .bind(now()),
        execute
    )
    .map_err(missing_party)?;
    tx.commit().await?;
    Ok(id)
}

/// Remove an account's link to a contributor. Returns whether it had one.
pub async fn revoke_contributor(db: &Db, user: UserId, contributor: ContributorId) -> Result<bool> {
    let done = write!(
        db,
        sqlx::query(
            "DELETE FROM verified_links
             WHERE user_id = $1 AND kind = 'contributor' AND contributor_id = $2"
        )
        .bind(user.0)
        .bind(contributor.0),
        execute
    )?;
    Ok(done.rows_affected() > 0)
}

/// Remove an account's link to a publisher's name (any case). Returns
/// whether it had one.
pub async fn revoke_publisher(db: &Db, user: UserId, publisher: &str) -> Result<bool> {
    let done = write!(
        db,
        sqlx::query(
            "DELETE FROM verified_links
             WHERE user_id = $1 AND kind = 'publisher' AND publisher_key = $2"
        )
        .bind(user.0)
        .bind(publisher_key(publisher)),
        execute
    )?;
    Ok(done.rows_affected() > 0)
}

/// Remove one link by its id, whoever holds it. Returns whether it existed.
pub async fn revoke(db: &Db, link: Uuid) -> Result<bool> {
    let done = write!(
        db,
        sqlx::query("DELETE FROM verified_links WHERE id = $1").bind(link),
        execute
    )?;
    Ok(done.rows_affected() > 0)
}

/// An account's verified links, oldest first.
pub async fn links_of(db: &Db, user: UserId) -> Result<Vec<VerifiedLink>> {
    type Row = (
        Uuid,
        String,
        Option<Uuid>,
        Option<String>,
        Option<String>,
        OffsetDateTime,
    );
    let rows: Vec<Row> = read!(
        db,
        sqlx::query_as(
            "SELECT l.id, l.kind, l.contributor_id, c.name, l.publisher, l.granted_at
             FROM verified_links l LEFT JOIN contributors c ON c.id = l.contributor_id
             WHERE l.user_id = $1 ORDER BY l.granted_at, l.id"
        )
        .bind(user.0),
        fetch_all
    )?;
    rows.into_iter()
        .map(|(id, kind, contributor, name, publisher, granted_at)| {
            let target = match (kind.as_str(), contributor, publisher) {
                ("contributor", Some(c), _) => LinkTarget::Contributor {
                    id: ContributorId(c),
                    name: name.unwrap_or_default(),
                },
                ("publisher", _, Some(p)) => LinkTarget::Publisher(p),
                _ => {
                    return Err(StorageError::Corrupt(format!(
                        "verified link {id} has kind \"{kind}\" without its target"
                    )));
                }
            };
            Ok(VerifiedLink {
                id,
                user,
                target,
                granted_at,
            })
        })
        .collect()
}

/// What `user` is to `work`: an author of it, its publisher, both or
/// neither. Two queries at most, one when the account has no links.
pub async fn standing(db: &Db, user: UserId, work: WorkId) -> Result<Standing> {
    let author: (bool, bool) = read!(
        db,
        sqlx::query_as(
            "SELECT
                EXISTS (SELECT 1 FROM verified_links l JOIN credits cr
                          ON cr.contributor_id = l.contributor_id
                        WHERE l.user_id = $1 AND l.kind = 'contributor'
                          AND cr.work_id = $2 AND cr.role = 'author'),
                EXISTS (SELECT 1 FROM verified_links l
                        WHERE l.user_id = $1 AND l.kind = 'publisher')"
        )
        .bind(user.0)
        .bind(work.0),
        fetch_one
    )?;
    let mut standing = Standing {
        author: author.0,
        publisher: false,
    };
    if author.1 {
        // Publisher names are compared folded (case and accents), which SQL
        // cannot do the same way on both engines: compare them here.
        let rows: Vec<(Option<String>, Option<String>)> = read!(
            db,
            sqlx::query_as(
                "SELECT l.publisher_key, e.publisher FROM verified_links l
                 CROSS JOIN editions e
                 WHERE l.user_id = $1 AND l.kind = 'publisher'
                   AND e.work_id = $2 AND e.publisher IS NOT NULL"
            )
            .bind(user.0)
            .bind(work.0),
            fetch_all
        )?;
        standing.publisher = rows.iter().any(|(k, p)| match (k, p) {
            (Some(k), Some(p)) => *k == publisher_key(p),
            _ => false,
        });
    }
    Ok(standing)
}

/// Accounts whose username or display name contains `text` (any case),
/// for the admin's people page; demo readers are left out.
pub async fn find_people(db: &Db, text: &str, limit: u32) -> Result<Vec<User>> {
    let needle = text.trim().to_lowercase();
    let escaped = needle
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users
         WHERE NOT is_demo AND (username_key LIKE $1 ESCAPE '\\' OR LOWER(display_name) LIKE $1 ESCAPE '\\')
         ORDER BY username_key LIMIT $2"
    );
    Ok(read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(format!("%{escaped}%"))
            .bind(i64::from(limit)),
        fetch_all
    )?)
}

/// Accounts with a role above member, for the admin's people page.
pub async fn staff(db: &Db) -> Result<Vec<User>> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users WHERE role <> $1 ORDER BY role, username_key LIMIT 200"
    );
    Ok(read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(SiteRole::Member.as_str()),
        fetch_all
    )?)
}

/// A link naming an account or contributor that does not exist.
fn missing_party(e: sqlx::Error) -> StorageError {
    match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
            StorageError::NotFound("account or contributor")
        }
        _ => StorageError::Sql(e),
    }
}
