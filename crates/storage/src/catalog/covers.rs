//! Stored cover images.

use super::*;

/// A stored cover image for an edition.
pub async fn cover(db: &Db, edition: EditionId) -> Result<Option<(String, Vec<u8>)>> {
    read!(
        db,
        sqlx::query_as("SELECT content_type, data FROM covers WHERE edition_id = $1")
            .bind(edition.0),
        fetch_optional
    )
    .map_err(Into::into)
}

pub async fn set_cover(db: &Db, edition: EditionId, content_type: &str, data: &[u8]) -> Result<()> {
    let mut tx = db.begin().await?;
    let work: Option<(Uuid,)> = tx!(
        db,
        &mut tx,
        sqlx::query_as("SELECT work_id FROM editions WHERE id = $1").bind(edition.0),
        fetch_optional
    )?;
    let Some((work,)) = work else {
        return Err(StorageError::NotFound("edition"));
    };
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO covers (edition_id, content_type, data, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (edition_id) DO UPDATE SET content_type = excluded.content_type,
                data = excluded.data, updated_at = excluded.updated_at"
        )
        .bind(edition.0)
        .bind(content_type)
        .bind(data)
        .bind(now()),
        execute
    )?;
    bump_revision(db, &mut tx, WorkId(work)).await?;
    tx.commit().await
}
