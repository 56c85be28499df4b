//! Readers' accounts, sign-in sessions and the record of sign-in attempts.

use crate::db::{Db, Tx, now};
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
    /// The zone meeting times are shown in (an IANA name); `None` shows
    /// each club's meetings in the club's zone.
    pub time_zone: Option<String>,
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

pub(crate) const USER_COLUMNS: &str =
    "id, username, display_name, bio, role, is_demo, created_at, time_zone";

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
    let added = insert_demo_readers_in(db, &mut tx, rows).await?;
    tx.commit().await?;
    Ok(added)
}

/// [`insert_demo_readers`] inside an open transaction (bulk loads).
pub(crate) async fn insert_demo_readers_in(
    db: &Db,
    tx: &mut Tx,
    rows: &[(UserId, String, String, String)],
) -> Result<u64> {
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
            &mut *tx,
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
            "SELECT u.id, u.username, u.display_name, u.bio, u.role, u.is_demo, u.created_at, u.time_zone
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

/// Keep a record of a sign-in whose password was checked. `username` is
/// what was typed, already bounded by the caller; it is stored as its key.
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

/// Recorded sign-ins (checked passwords) for a username, for tests and for
/// an account's own history later.
pub async fn login_attempts_for(db: &Db, username: &str) -> Result<(i64, i64)> {
    let (failed, succeeded): (i64, i64) = read!(
        db,
        sqlx::query_as(
            "SELECT
               (SELECT COUNT(*) FROM login_attempts WHERE username_key = $1 AND NOT succeeded),
               (SELECT COUNT(*) FROM login_attempts WHERE username_key = $1 AND succeeded)"
        )
        .bind(username_key(username)),
        fetch_one
    )?;
    Ok((failed, succeeded))
}

// Attempt limits. Each kind of attempt that costs a password hash or could
// guess one is counted in `attempt_limits` BEFORE the work is done, by one
// upsert that both counts and decides. Because the decision is made by the
// database on one row, concurrent requests, and several servers sharing one
// PostgreSQL, cannot slip past the limit between a check and a record.

/// What is being limited. The subject that goes with it is chosen by the
/// caller (an account and a client address, an address, an account id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitScope {
    /// Sign-ins to one account from one client address.
    SignIn,
    /// Sign-ins from one client address, whatever the account.
    SignInClient,
    /// Wrong current passwords when changing one account's password.
    PasswordChange,
    /// New accounts from one client address.
    Register,
}

impl LimitScope {
    pub fn as_str(self) -> &'static str {
        match self {
            LimitScope::SignIn => "sign_in",
            LimitScope::SignInClient => "sign_in_client",
            LimitScope::PasswordChange => "password_change",
            LimitScope::Register => "register",
        }
    }
}

/// How many attempts are free, and how long to wait after them.
#[derive(Clone, Copy, Debug)]
pub struct LimitRule {
    /// Attempts allowed before the first wait (at least 1).
    pub free: i64,
    /// The wait after the last free attempt, then after each further one;
    /// the last entry repeats. Must not be empty.
    pub waits: &'static [time::Duration],
    /// A subject left alone this long starts again with its free attempts.
    /// Must be no longer than [`ATTEMPTS_KEPT`] and at least the longest wait.
    pub forget_after: time::Duration,
}

/// How long attempt counters and the record of sign-ins are kept before
/// [`purge_expired`] deletes them: the longest window any rule may use.
pub const ATTEMPTS_KEPT: time::Duration = time::Duration::days(1);

/// Whether an attempt may go ahead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// Counted; do the work. This is the n-th counted attempt.
    Allowed(i64),
    /// Not counted; try again at this time.
    Refused { retry_at: OffsetDateTime },
}

/// Count an attempt for `(scope, subject)` and decide whether it may go
/// ahead, in one statement. An allowed attempt stays counted until
/// [`clear_attempts`] (it succeeded) or [`give_back_attempt`] (the work was
/// never done); a refused one is not counted and extends nothing.
pub async fn take_attempt(
    db: &Db,
    scope: LimitScope,
    subject: &str,
    rule: &LimitRule,
    at: OffsetDateTime,
) -> Result<Attempt> {
    let free = rule.free.max(1);
    let stale = at - rule.forget_after;
    // The new count: a forgotten subject starts again at 1.
    let n =
        "(CASE WHEN attempt_limits.updated_at <= $4 THEN 1 ELSE attempt_limits.attempts + 1 END)";
    // The end of the wait that the n-th attempt starts: none before the
    // last free one, then each wait in turn, the last repeating. The waits
    // are bound as times ($5, $6, …) so both engines compare like values.
    let mut wait_cases = format!("CASE WHEN {n} < {free} THEN $3");
    for i in 0..rule.waits.len().saturating_sub(1) {
        wait_cases.push_str(&format!(" WHEN {n} = {} THEN ${}", free + i as i64, 5 + i));
    }
    wait_cases.push_str(&format!(" ELSE ${} END", 4 + rule.waits.len().max(1)));
    let sql = format!(
        "INSERT INTO attempt_limits (scope, subject, attempts, blocked_until, updated_at)
         VALUES ($1, $2, 1, {first}, $3)
         ON CONFLICT (scope, subject) DO UPDATE SET
           attempts = {n},
           blocked_until = {wait_cases},
           updated_at = $3
         WHERE attempt_limits.attempts < {free}
            OR attempt_limits.blocked_until <= $3
            OR attempt_limits.updated_at <= $4
         RETURNING attempts",
        first = if free == 1 { "$5" } else { "$3" },
    );
    let waits: Vec<OffsetDateTime> = if rule.waits.is_empty() {
        vec![at]
    } else {
        rule.waits.iter().map(|w| at + *w).collect()
    };
    let row: Option<(i64,)> = write!(
        db,
        {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(scope.as_str())
                .bind(subject)
                .bind(at)
                .bind(stale);
            for w in &waits {
                q = q.bind(*w);
            }
            q
        },
        fetch_optional
    )?;
    if let Some((n,)) = row {
        return Ok(Attempt::Allowed(n));
    }
    let until: Option<(OffsetDateTime,)> = read!(
        db,
        sqlx::query_as(
            "SELECT blocked_until FROM attempt_limits WHERE scope = $1 AND subject = $2"
        )
        .bind(scope.as_str())
        .bind(subject),
        fetch_optional
    )?;
    // The row may have been cleared in between; then a second is enough.
    let retry_at = until
        .map(|(t,)| t)
        .filter(|t| *t > at)
        .unwrap_or(at + time::Duration::seconds(1));
    Ok(Attempt::Refused { retry_at })
}

/// The attempt succeeded: forget the subject's count.
pub async fn clear_attempts(db: &Db, scope: LimitScope, subject: &str) -> Result<()> {
    write!(
        db,
        sqlx::query("DELETE FROM attempt_limits WHERE scope = $1 AND subject = $2")
            .bind(scope.as_str())
            .bind(subject),
        execute
    )?;
    Ok(())
}

/// Uncount one allowed attempt (it succeeded, or its work was never done).
/// A wait it started no longer holds once the count is below the free ones.
pub async fn give_back_attempt(db: &Db, scope: LimitScope, subject: &str) -> Result<()> {
    write!(
        db,
        sqlx::query(
            "UPDATE attempt_limits SET attempts = attempts - 1
             WHERE scope = $1 AND subject = $2 AND attempts > 0"
        )
        .bind(scope.as_str())
        .bind(subject),
        execute
    )?;
    Ok(())
}

/// Delete expired sessions, and sign-in records and attempt counters older
/// than [`ATTEMPTS_KEPT`] (counters only once their wait is over). Returns
/// (sessions deleted, attempt rows deleted). Run it from a periodic job.
pub async fn purge_expired(db: &Db, at: OffsetDateTime) -> Result<(u64, u64)> {
    let mut tx = db.begin().await?;
    let purged = purge_in(db, &mut tx, at).await?;
    tx.commit().await?;
    Ok(purged)
}

/// [`purge_expired`]'s deletes inside a transaction the caller commits
/// (the purge job completes itself in the same one).
pub(crate) async fn purge_in(db: &Db, tx: &mut Tx, at: OffsetDateTime) -> Result<(u64, u64)> {
    let old = at - ATTEMPTS_KEPT;
    let sessions = tx!(
        db,
        tx,
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(at),
        execute
    )?
    .rows_affected();
    let records = tx!(
        db,
        tx,
        sqlx::query("DELETE FROM login_attempts WHERE at <= $1").bind(old),
        execute
    )?
    .rows_affected();
    let counters = tx!(
        db,
        tx,
        sqlx::query("DELETE FROM attempt_limits WHERE updated_at <= $1 AND blocked_until <= $2")
            .bind(old)
            .bind(at),
        execute
    )?
    .rows_affected();
    Ok((sessions, records + counters))
}

/// Give an account a site role (`quire admin grant`, the admin pages).
/// Set or clear (`None`) the zone the reader sees meeting times in. The
/// caller checks the name.
pub async fn set_time_zone(db: &Db, user: UserId, zone: Option<&str>) -> Result<()> {
    write!(
        db,
        sqlx::query("UPDATE users SET time_zone = $2 WHERE id = $1")
            .bind(user.0)
            .bind(zone),
        execute
    )?;
    Ok(())
}

pub async fn set_role(db: &Db, user: UserId, role: SiteRole) -> Result<()> {
    let done = write!(
        db,
        sqlx::query("UPDATE users SET role = $2 WHERE id = $1")
            .bind(user.0)
            .bind(role.as_str()),
        execute
    )?;
    done.found("user")?;
    Ok(())
}
