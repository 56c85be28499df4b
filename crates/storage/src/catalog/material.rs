//! Book-club material: praise, descriptions, excerpts, notes from the author.

use super::*;

#[derive(Clone, Debug)]
pub struct NewMaterial {
    pub work_id: WorkId,
    pub kind: MaterialKind,
    pub body: String,
    pub attribution: Option<String>,
    pub source: Source,
    pub created_by: Option<UserId>,
}

/// Add book-club material to a work, after what it already has of that kind.
pub async fn add_material(db: &Db, m: &NewMaterial) -> Result<Uuid> {
    let id = Uuid::now_v7();
    add_material_with_id(db, id, m).await?;
    Ok(id)
}

/// Add material under a given id; nothing happens if that id exists (so an
/// import can run twice).
pub async fn add_material_with_id(db: &Db, id: Uuid, m: &NewMaterial) -> Result<()> {
    insert_material(db, id, m, false).await
}

/// Material a signed-in account posts from the book page or the API.
/// `verified` marks it as posted through a verified link to the work's
/// author or publisher; the permission layer decides that, not this.
pub async fn post_material(db: &Db, m: &NewMaterial, verified: bool) -> Result<Uuid> {
    let id = Uuid::now_v7();
    insert_material(db, id, m, verified).await?;
    Ok(id)
}

async fn insert_material(db: &Db, id: Uuid, m: &NewMaterial, verified: bool) -> Result<()> {
    let mut tx = db.begin().await?;
    let added = tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO materials (id, work_id, kind, body, attribution, source, position,
                created_by, created_at, verified)
             SELECT $1, $2, $3, $4, $5, $6,
                COALESCE((SELECT MAX(position) + 1 FROM materials WHERE work_id = $2 AND kind = $3), 0),
                $7, $8, $9
             ON CONFLICT (id) DO NOTHING"
        )
        .bind(id)
        .bind(m.work_id.0)
        .bind(m.kind.as_str())
        .bind(&m.body)
        .bind(&m.attribution)
        .bind(m.source.as_str())
        .bind(m.created_by.map(|u| u.0))
        .bind(now())
        .bind(verified),
        execute
    )
    .map_err(missing_book)?
    .rows_affected();
    if added > 0 {
        bump_revision(db, &mut tx, m.work_id).await?;
    }
    tx.commit().await
}
