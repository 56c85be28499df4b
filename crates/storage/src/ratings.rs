//! Star ratings: one per reader per work.

use crate::Result;
use crate::catalog::{PagePart, bump_part};
use crate::db::{Db, Tx, missing_book, now, value_rows};
use quire_domain::{Rating, UserId, WorkId};
use uuid::Uuid;

/// The id of the "read" reading that rating an unshelved book adds: derived
/// from the reader and the book, so loading the same ratings twice adds it
/// once.
pub(crate) fn rated_read_id(user: UserId, work: WorkId) -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        format!("rated-read:{}:{}", user.0, work.0).as_bytes(),
    )
}

/// A book the reader rates is a book they have read, unless they have put
/// it somewhere already (reading it, in the queue, on any shelf): as on
/// Goodreads, rating an unshelved book puts it on "read", so the page's
/// "have read" agrees with its ratings. Runs in the rating's transaction;
/// the readings of many (reader, book) pairs at once.
async fn shelve_unshelved_as_read(db: &Db, tx: &mut Tx, pairs: &[(UserId, WorkId)]) -> Result<u64> {
    let at = now();
    let mut added = 0;
    for chunk in pairs.chunks(300) {
        let sql = format!(
            "INSERT INTO readings (id, user_id, work_id, status, created_at, updated_at)
             SELECT v.column1, v.column2, v.column3, 'read', $1, $1 FROM (VALUES {}) v
             WHERE NOT EXISTS (SELECT 1 FROM readings r WHERE r.user_id = v.column2 AND r.work_id = v.column3)
               AND NOT EXISTS (SELECT 1 FROM queue_entries q WHERE q.user_id = v.column2 AND q.work_id = v.column3)
               AND NOT EXISTS (SELECT 1 FROM shelf_items e JOIN shelves s ON s.id = e.shelf_id
                               WHERE s.user_id = v.column2 AND e.work_id = v.column3)",
            value_rows(2, chunk.len(), 3)
        );
        added += tx!(
            db,
            tx,
            {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(at);
                for (u, w) in chunk {
                    q = q.bind(rated_read_id(*u, *w)).bind(u.0).bind(w.0);
                }
                q
            },
            execute
        )?
        .rows_affected();
    }
    Ok(added)
}

/// Recompute a work's rating totals from its ratings.
pub(crate) async fn refresh_stats(db: &Db, tx: &mut Tx, work: WorkId) -> Result<()> {
    tx!(
        db,
        tx,
        sqlx::query(
            "INSERT INTO work_stats (work_id, rating_count, rating_sum)
             SELECT $1, COUNT(*), CAST(COALESCE(SUM(halves), 0) AS BIGINT) FROM ratings WHERE work_id = $1
             ON CONFLICT (work_id) DO UPDATE SET rating_count = excluded.rating_count,
                rating_sum = excluded.rating_sum"
        )
        .bind(work.0),
        execute
    )?;
    Ok(())
}

pub async fn set(db: &Db, user: UserId, work: WorkId, rating: Rating) -> Result<()> {
    let mut tx = db.begin().await?;
    let at = now();
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO ratings (user_id, work_id, halves, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $4)
             ON CONFLICT (user_id, work_id) DO UPDATE SET halves = excluded.halves,
                updated_at = excluded.updated_at"
        )
        .bind(user.0)
        .bind(work.0)
        .bind(i64::from(rating.halves()))
        .bind(at),
        execute
    )
    .map_err(missing_book)?;
    shelve_unshelved_as_read(db, &mut tx, &[(user, work)]).await?;
    refresh_stats(db, &mut tx, work).await?;
    bump_part(db, &mut tx, work, PagePart::Activity).await?;
    tx.commit().await
}

pub async fn clear(db: &Db, user: UserId, work: WorkId) -> Result<()> {
    let mut tx = db.begin().await?;
    tx!(
        db,
        &mut tx,
        sqlx::query("DELETE FROM ratings WHERE user_id = $1 AND work_id = $2")
            .bind(user.0)
            .bind(work.0),
        execute
    )?;
    refresh_stats(db, &mut tx, work).await?;
    bump_part(db, &mut tx, work, PagePart::Activity).await?;
    tx.commit().await
}

/// Load many ratings at once (imports), keeping any rating already given.
/// Rating totals are recomputed for every work afterwards.
pub async fn insert_many(db: &Db, rows: &[(UserId, WorkId, Rating)]) -> Result<u64> {
    let mut tx = db.begin().await?;
    let at = now();
    let mut added = 0;
    // Multi-row inserts: far fewer round trips than one statement a row.
    for chunk in rows.chunks(500) {
        let mut sql = String::from(
            "INSERT INTO ratings (user_id, work_id, halves, created_at, updated_at) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            let b = i * 3;
            sql.push_str(&format!("(${}, ${}, ${}, $0, $0)", b + 1, b + 2, b + 3));
        }
        // `$0` stands for the shared timestamp, bound last.
        let last = chunk.len() * 3 + 1;
        let sql = sql.replace("$0", &format!("${last}"));
        let sql = format!("{sql} ON CONFLICT (user_id, work_id) DO NOTHING");
        added += tx!(
            db,
            &mut tx,
            {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                for (u, w, r) in chunk {
                    q = q.bind(u.0).bind(w.0).bind(i64::from(r.halves()));
                }
                q.bind(at)
            },
            execute
        )?
        .rows_affected();
    }
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO work_stats (work_id, rating_count, rating_sum)
             SELECT work_id, COUNT(*), CAST(SUM(halves) AS BIGINT) FROM ratings GROUP BY work_id
             ON CONFLICT (work_id) DO UPDATE SET rating_count = excluded.rating_count,
                rating_sum = excluded.rating_sum"
        ),
        execute
    )?;
    tx!(
        db,
        &mut tx,
        sqlx::query("UPDATE works SET activity_revision = activity_revision + 1"),
        execute
    )?;
    tx.commit().await?;
    Ok(added)
}

/// Put each rated book that is on none of its reader's shelves on "read",
/// as [`set`] does for one rating: for imports whose ratings stand for
/// books read (the goodbooks-10k demo). Idempotent: a second run adds
/// nothing. Returns how many readings were added.
pub async fn shelve_rated_as_read(db: &Db, rows: &[(UserId, WorkId, Rating)]) -> Result<u64> {
    let pairs: Vec<(UserId, WorkId)> = rows.iter().map(|(u, w, _)| (*u, *w)).collect();
    let mut tx = db.begin().await?;
    let added = shelve_unshelved_as_read(db, &mut tx, &pairs).await?;
    if added > 0 {
        tx!(
            db,
            &mut tx,
            sqlx::query("UPDATE works SET activity_revision = activity_revision + 1"),
            execute
        )?;
    }
    tx.commit().await?;
    Ok(added)
}
