//! Readers' accounts, sign-in sessions and the record of sign-in attempts.

use crate::db::{Db, now};
use crate::{Result, StorageError};
use quire_domain::{SiteRole, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub bio: String,
    #[sqlx(try_from = "String")]
    pub role: SiteRole,
    pub is_demo: bool,
    pub created_at: OffsetDateTime,
}

impl User {
    pub fn user_id(&self) -> UserId {
        UserId(self.id)
    }
}

pub struct NewUser<'a> {
    pub id: UserId,
    pub username: &'a str,
    pub display_name: &'a str,
    /// `None` for accounts that cannot sign in (demo readers).
    pub password_hash: Option<&'a str>,
    pub role: SiteRole,
    pub is_demo: bool,
}

/// The form of a username that must be unique: case does not count.
pub fn username_key(username: &str) -> String {
    username.trim().to_lowercase()
}

pub(crate) const USER_COLUMNS: &str = "id, username, display_name, bio, role, is_demo, created_at";

pub async fn create(db: &Db, u: &NewUser<'_>) -> Result<User> {
    let r = write!(
        db,
        sqlx::query(
            "INSERT INTO users (id, username, username_key, display_name, password_hash, bio,
                role, is_demo, created_at)
             VALUES ($1, $2, $3, $4, $5, '', $6, $7, $8)"
        )
        .bind(u.id.0)
        .bind(u.username.trim())
        .bind(username_key(u.username))
        .bind(u.display_name.trim())
        .bind(u.password_hash)
        .bind(u.role.as_str())
        .bind(u.is_demo)
        .bind(now()),
        execute
    );
    if let Err(e) = r {
        let e = StorageError::Sql(e);
        if e.is_unique_violation() {
            return Err(StorageError::Conflict(format!(
                "the username \"{}\" is taken; choose another",
                u.username.trim()
            )));
        }
        return Err(e);
    }
    by_id(db, u.id).await?.ok_or(StorageError::NotFound("user"))
}

/// Create demo readers (who cannot sign in) in bulk; existing ids are kept.
/// Each row is (id, username, display name, bio). Returns how many were new.
pub async fn insert_demo_readers(
    db: &Db,
    rows: &[(UserId, String, String, String)],
) -> Result<u64> {
    let mut tx = db.begin().await?;
    let at = now();
    let mut added = 0;
    for chunk in rows.chunks(400) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = i * 5;
                format!(
                    "(${}, ${}, ${}, ${}, NULL, ${}, 'member', TRUE, $1)",
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO users (id, username, username_key, display_name, password_hash, bio,
                role, is_demo, created_at) VALUES {} ON CONFLICT DO NOTHING",
            values.join(", ")
        );
        added += tx!(
            db,
            &mut tx,
            {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(at);
                for (id, username, display, bio) in chunk {
                    q = q
                        .bind(id.0)
                        .bind(username)
                        .bind(username_key(username))
                        .bind(display)
                        .bind(bio);
                }
                q
            },
            execute
        )?
        .rows_affected();
    }
    tx.commit().await?;
    Ok(added)
}

pub async fn by_id(db: &Db, id: UserId) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    Ok(read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id.0),
        fetch_optional
    )?)
}

pub async fn by_username(db: &Db, username: &str) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username_key = $1");
    Ok(read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(username_key(username)),
        fetch_optional
    )?)
}

/// The user and their password hash, for signing in.
pub async fn credentials(db: &Db, username: &str) -> Result<Option<(User, Option<String>)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: User,
        password_hash: Option<String>,
    }
    let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE username_key = $1");
    let row: Option<Row> = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(username_key(username)),
        fetch_optional
    )?;
    Ok(row.map(|r| (r.user, r.password_hash)))
}

/// Set a new password and end every other session of the user.
pub async fn set_password(db: &Db, user: UserId, hash: &str, keep_session: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    tx!(
        db,
        &mut tx,
        sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(user.0)
            .bind(hash),
        execute
    )?;
    tx!(
        db,
        &mut tx,
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user.0)
            .bind(keep_session),
        execute
    )?;
    tx.commit().await
}

pub async fn set_profile(db: &Db, user: UserId, display_name: &str, bio: &str) -> Result<()> {
    write!(
        db,
        sqlx::query("UPDATE users SET display_name = $2, bio = $3 WHERE id = $1")
            .bind(user.0)
            .bind(display_name.trim())
            .bind(bio.trim()),
        execute
    )?;
    Ok(())
}

pub async fn count(db: &Db) -> Result<i64> {
    let (n,): (i64,) = read!(db, sqlx::query_as("SELECT COUNT(*) FROM users"), fetch_one)?;
    Ok(n)
}

// Sessions. The cookie holds a random token; the database holds only its
// hash, so a leaked database does not leak live sessions.

pub async fn create_session(
    db: &Db,
    token_hash: &str,
    user: UserId,
    expires_at: OffsetDateTime,
) -> Result<()> {
    write!(
        db,
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(now())
        .bind(expires_at),
        execute
    )?;
    Ok(())
}

/// The user of a live session.
pub async fn session_user(db: &Db, token_hash: &str) -> Result<Option<User>> {
    Ok(read!(
        db,
        sqlx::query_as(
            "SELECT u.id, u.username, u.display_name, u.bio, u.role, u.is_demo, u.created_at
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2"
        )
        .bind(token_hash)
        .bind(now()),
        fetch_optional
    )?)
}

pub async fn delete_session(db: &Db, token_hash: &str) -> Result<()> {
    write!(
        db,
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash),
        execute
    )?;
    Ok(())
}

pub async fn record_login_attempt(
    db: &Db,
    username: &str,
    client: &str,
    succeeded: bool,
) -> Result<()> {
    write!(
        db,
        sqlx::query(
            "INSERT INTO login_attempts (id, username_key, client, succeeded, at) VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(Uuid::now_v7())
        .bind(username_key(username))
        .bind(client)
        .bind(succeeded)
        .bind(now()),
        execute
    )?;
    Ok(())
}

/// Failed sign-ins since `since`: for this username, and from this client.
pub async fn failed_logins_since(
    db: &Db,
    username: &str,
    client: &str,
    since: OffsetDateTime,
) -> Result<(i64, i64)> {
    Ok(read!(
        db,
        sqlx::query_as(
            "SELECT
               (SELECT COUNT(*) FROM login_attempts WHERE username_key = $1 AND at > $3 AND NOT succeeded),
               (SELECT COUNT(*) FROM login_attempts WHERE client = $2 AND at > $3 AND NOT succeeded)"
        )
        .bind(username_key(username))
        .bind(client)
        .bind(since),
        fetch_one
    )?)
}

/// Give an account a site role (`quire admin grant`, the admin pages).
pub async fn set_role(db: &Db, user: UserId, role: SiteRole) -> Result<()> {
    let done = write!(
        db,
        sqlx::query("UPDATE users SET role = $2 WHERE id = $1")
            .bind(user.0)
            .bind(role.as_str()),
        execute
    )?;
    if done.rows_affected() == 0 {
        return Err(StorageError::NotFound("user"));
    }
    Ok(())
}
