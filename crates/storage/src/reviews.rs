//! Reviews: at most one current review per reader per work.

use crate::Result;
use crate::catalog::{PagePart, bump_part};
use crate::db::{Db, missing_book, now};
use quire_domain::{UserId, WorkId};
use time::OffsetDateTime;
use uuid::Uuid;

/// A review as written. `body_html` is the sanitised rendering of `body`
/// (Markdown), made by the caller before saving.
pub struct ReviewInput<'a> {
    pub headline: Option<&'a str>,
    pub body: &'a str,
    pub body_html: &'a str,
    pub spoiler: bool,
    pub recommends: Option<bool>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OwnReview {
    pub id: Uuid,
    pub headline: Option<String>,
    pub body: String,
    pub spoiler: bool,
    pub recommends: Option<bool>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// Create the reader's review of a work, or replace it.
pub async fn upsert(db: &Db, user: UserId, work: WorkId, r: &ReviewInput<'_>) -> Result<()> {
    upsert_at(db, Uuid::now_v7(), user, work, r, now()).await
}

/// As [`upsert`], with a given id and time (imports keep the original date).
pub async fn upsert_at(
    db: &Db,
    id: Uuid,
    user: UserId,
    work: WorkId,
    r: &ReviewInput<'_>,
    at: OffsetDateTime,
) -> Result<()> {
    let mut tx = db.begin().await?;
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO reviews (id, user_id, work_id, headline, body, body_html, spoiler,
                recommends, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
             ON CONFLICT (user_id, work_id) DO UPDATE SET headline = excluded.headline,
                body = excluded.body, body_html = excluded.body_html, spoiler = excluded.spoiler,
                recommends = excluded.recommends, updated_at = excluded.updated_at"
        )
        .bind(id)
        .bind(user.0)
        .bind(work.0)
        .bind(r.headline.map(str::trim).filter(|h| !h.is_empty()))
        .bind(r.body)
        .bind(r.body_html)
        .bind(r.spoiler)
        .bind(r.recommends)
        .bind(at),
        execute
    )
    .map_err(missing_book)?;
    bump_part(db, &mut tx, work, PagePart::Activity).await?;
    tx.commit().await
}

pub async fn delete(db: &Db, user: UserId, work: WorkId) -> Result<bool> {
    let mut tx = db.begin().await?;
    let n = tx!(
        db,
        &mut tx,
        sqlx::query("DELETE FROM reviews WHERE user_id = $1 AND work_id = $2")
            .bind(user.0)
            .bind(work.0),
        execute
    )?
    .rows_affected();
    bump_part(db, &mut tx, work, PagePart::Activity).await?;
    tx.commit().await?;
    Ok(n > 0)
}

pub async fn own(db: &Db, user: UserId, work: WorkId) -> Result<Option<OwnReview>> {
    Ok(read!(
        db,
        sqlx::query_as(
            "SELECT id, headline, body, spoiler, recommends, created_at, updated_at
             FROM reviews WHERE user_id = $1 AND work_id = $2"
        )
        .bind(user.0)
        .bind(work.0),
        fetch_optional
    )?)
}
