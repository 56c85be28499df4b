//! Discussion questions for book clubs, and members' votes on them.

use crate::catalog::{PagePart, bump_part};
use crate::db::{Db, missing_book, now};
use crate::{Result, StorageError};
use quire_domain::{Source, UserId, WorkId};
use uuid::Uuid;

/// Add a question after the work's existing ones. A given `id` makes the
/// call idempotent (imports); nothing happens if it exists.
pub async fn add(
    db: &Db,
    id: Option<Uuid>,
    work: WorkId,
    body: &str,
    source: Source,
    by: Option<UserId>,
) -> Result<Uuid> {
    let id = id.unwrap_or_else(Uuid::now_v7);
    let mut tx = db.begin().await?;
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO questions (id, work_id, body, source, position, created_by, created_at)
             SELECT $1, $2, $3, $4,
                COALESCE((SELECT MAX(position) + 1 FROM questions WHERE work_id = $2), 1), $5, $6
             ON CONFLICT (id) DO NOTHING"
        )
        .bind(id)
        .bind(work.0)
        .bind(body.trim())
        .bind(source.as_str())
        .bind(by.map(|u| u.0))
        .bind(now()),
        execute
    )
    .map_err(missing_book)?;
    bump_part(db, &mut tx, work, PagePart::Questions).await?;
    tx.commit().await?;
    Ok(id)
}

/// Vote a question up (`up = true`) or take the vote back. Returns the work
/// the question belongs to.
pub async fn vote(db: &Db, question: Uuid, user: UserId, up: bool) -> Result<WorkId> {
    let mut tx = db.begin().await?;
    let work: Option<(Uuid,)> = tx!(
        db,
        &mut tx,
        sqlx::query_as("SELECT work_id FROM questions WHERE id = $1").bind(question),
        fetch_optional
    )?;
    let Some((work,)) = work else {
        return Err(StorageError::NotFound("question"));
    };
    if up {
        tx!(
            db,
            &mut tx,
            sqlx::query(
                "INSERT INTO question_votes (question_id, user_id, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING"
            )
            .bind(question)
            .bind(user.0)
            .bind(now()),
            execute
        )?;
    } else {
        tx!(
            db,
            &mut tx,
            sqlx::query("DELETE FROM question_votes WHERE question_id = $1 AND user_id = $2")
                .bind(question)
                .bind(user.0),
            execute
        )?;
    }
    bump_part(db, &mut tx, WorkId(work), PagePart::Questions).await?;
    tx.commit().await?;
    Ok(WorkId(work))
}
