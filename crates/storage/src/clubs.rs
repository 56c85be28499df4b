//! Clubs arrive in part 2. Until then only this: a club with a book on its
//! list, which the book page counts and a merge carries over (tests and the
//! merge fixtures use it).

use crate::Result;
use crate::db::{Db, now};
use quire_domain::WorkId;
use quire_domain::text::slugify;
use uuid::Uuid;

/// Put `work` on the list of the club named `name` (made when missing)
/// with `status` ('current', 'possible', …). Returns the club's id.
pub async fn add_book(db: &Db, name: &str, work: WorkId, status: &str) -> Result<Uuid> {
    let id = Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        format!("club:{}", slugify(name)).as_bytes(),
    );
    let mut tx = db.begin().await?;
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO clubs (id, name, slug, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING"
        )
        .bind(id)
        .bind(name)
        .bind(slugify(name))
        .bind(now()),
        execute
    )?;
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO club_books (club_id, work_id, status, added_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING"
        )
        .bind(id)
        .bind(work.0)
        .bind(status)
        .bind(now()),
        execute
    )?;
    tx.commit().await?;
    Ok(id)
}
