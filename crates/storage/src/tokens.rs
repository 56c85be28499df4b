//! Personal access tokens for the JSON API (migration 0024): a member's
//! named tokens, each with its scopes and an optional expiry. Only the
//! secret's hash is stored; the web crate makes the secret, hashes it and
//! decides what the scopes allow. Revoking deletes the row.

use crate::db::{Db, now};
use crate::users::User;
use crate::{Result, StorageError};
use quire_domain::UserId;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// A token as its owner sees it in the list (never the secret).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Token {
    pub id: Uuid,
    pub name: String,
    /// Space-separated scope names, as stored.
    pub scopes: String,
    pub created_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
    pub last_used_at: Option<OffsetDateTime>,
}

pub struct NewToken<'a> {
    pub id: Uuid,
    pub user: UserId,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub scopes: &'a str,
    pub expires_at: Option<OffsetDateTime>,
}

/// Who a live token belongs to, and what it may do.
#[derive(Clone, Debug)]
pub struct Bearer {
    pub token_id: Uuid,
    pub user: User,
    pub scopes: String,
}

/// How often `last_used_at` is written for a token in use.
pub const LAST_USED_GRANULARITY: Duration = Duration::minutes(1);

/// At most this many tokens per member; a new one past it is refused.
pub const MAX_TOKENS_PER_MEMBER: i64 = 50;

/// Store a new token. Refused with `Conflict` when the member already has
/// [`MAX_TOKENS_PER_MEMBER`] (expired ones count until revoked).
pub async fn create(db: &Db, t: &NewToken<'_>) -> Result<()> {
    let mut tx = db.begin().await?;
    let (n,): (i64,) = tx!(
        db,
        &mut tx,
        sqlx::query_as("SELECT COUNT(*) FROM api_tokens WHERE user_id = $1").bind(t.user),
        fetch_one
    )?;
    if n >= MAX_TOKENS_PER_MEMBER {
        return Err(StorageError::Conflict(format!(
            "You already have {MAX_TOKENS_PER_MEMBER} tokens; revoke one you no longer use first."
        )));
    }
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, scopes, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(t.id)
        .bind(t.user)
        .bind(t.name)
        .bind(t.token_hash)
        .bind(t.scopes)
        .bind(now())
        .bind(t.expires_at),
        execute
    )?;
    tx.commit().await?;
    Ok(())
}

/// A member's tokens, newest first.
pub async fn list(db: &Db, user: UserId) -> Result<Vec<Token>> {
    Ok(read!(
        db,
        sqlx::query_as(
            "SELECT id, name, scopes, created_at, expires_at, last_used_at
             FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC"
        )
        .bind(user),
        fetch_all
    )?)
}

/// Delete one of the member's tokens; it stops working at once. `NotFound`
/// when the member has no token with that id (someone else's included).
pub async fn revoke(db: &Db, user: UserId, id: Uuid) -> Result<()> {
    let done = write!(
        db,
        sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user),
        execute
    )?;
    if done.rows_affected() == 0 {
        return Err(StorageError::NotFound("token"));
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct BearerRow {
    token_id: Uuid,
    scopes: String,
    last_used_at: Option<OffsetDateTime>,
    #[sqlx(flatten)]
    user: User,
}

/// The member and scopes of a live (unexpired) token, by its hash; notes
/// the use when the last one noted is older than
/// [`LAST_USED_GRANULARITY`]. One read, and at most one write a minute.
pub async fn authenticate(db: &Db, token_hash: &str, at: OffsetDateTime) -> Result<Option<Bearer>> {
    let row: Option<BearerRow> = read!(
        db,
        sqlx::query_as(
            "SELECT t.id AS token_id, t.scopes, t.last_used_at,
                    u.id, u.username, u.display_name, u.bio, u.role, u.is_demo, u.created_at, u.time_zone
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND (t.expires_at IS NULL OR t.expires_at > $2)"
        )
        .bind(token_hash)
        .bind(at),
        fetch_optional
    )?;
    let Some(row) = row else {
        return Ok(None);
    };
    if row
        .last_used_at
        .is_none_or(|t| t <= at - LAST_USED_GRANULARITY)
    {
        write!(
            db,
            sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
                .bind(row.token_id)
                .bind(at.replace_nanosecond(0).unwrap_or(at)),
            execute
        )?;
    }
    Ok(Some(Bearer {
        token_id: row.token_id,
        user: row.user,
        scopes: row.scopes,
    }))
}
