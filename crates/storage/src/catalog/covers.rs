//! Stored cover images: the re-encoded original of each edition's cover and
//! its thumbnails. Every image here was made by `quire-covers`, never kept
//! as uploaded. The original's `version` changes with every upload: it is
//! the ETag of what `/covers/{edition}` serves, and a thumbnail made from an
//! older version is never stored over a newer cover.

use super::*;
use quire_domain::CoverSize;

/// An encoded image to store.
#[derive(Clone, Copy, Debug)]
pub struct NewCoverImage<'a> {
    pub size: CoverSize,
    pub content_type: &'a str,
    pub data: &'a [u8],
    pub width: u32,
    pub height: u32,
}

/// A stored image, as served.
#[derive(Clone, Debug)]
pub struct StoredCover {
    /// The size actually served: the original when the asked-for thumbnail
    /// does not exist yet.
    pub size: CoverSize,
    pub content_type: String,
    pub data: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The version of the original this image belongs to.
    pub version: String,
}

/// What storing a cover did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoverSaved {
    pub work: WorkId,
    /// The new version of the cover.
    pub version: String,
    /// Whether a cover was there before and was replaced.
    pub replaced: bool,
}

/// An edition's cover, as a form needs to know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoverState {
    pub work: WorkId,
    pub has_cover: bool,
}

/// The work an edition belongs to and whether it has a stored cover;
/// `None` when there is no such edition.
pub async fn cover_state(db: &Db, edition: EditionId) -> Result<Option<CoverState>> {
    let row: Option<(Uuid, bool)> = read!(
        db,
        sqlx::query_as(
            "SELECT e.work_id, EXISTS (SELECT 1 FROM covers c WHERE c.edition_id = e.id)
             FROM editions e WHERE e.id = $1"
        )
        .bind(edition.0),
        fetch_optional
    )?;
    Ok(row.map(|(work, has_cover)| CoverState {
        work: WorkId(work),
        has_cover,
    }))
}

type CoverRow = (String, Vec<u8>, i64, i64, String);

fn stored(size: CoverSize, (content_type, data, width, height, version): CoverRow) -> StoredCover {
    StoredCover {
        size,
        content_type,
        data,
        width: u32::try_from(width).unwrap_or(0),
        height: u32::try_from(height).unwrap_or(0),
        version,
    }
}

/// The stored image of an edition's cover in `size`, or the original when
/// that thumbnail has not been made yet. `None` when the edition has no
/// stored cover.
pub async fn cover(db: &Db, edition: EditionId, size: CoverSize) -> Result<Option<StoredCover>> {
    if size != CoverSize::Original {
        let thumb: Option<CoverRow> = read!(
            db,
            sqlx::query_as(
                "SELECT t.content_type, t.data, t.width, t.height, t.version
                 FROM cover_thumbnails t JOIN covers c ON c.edition_id = t.edition_id
                 WHERE t.edition_id = $1 AND t.size = $2 AND t.version = c.version"
            )
            .bind(edition.0)
            .bind(size.as_str()),
            fetch_optional
        )?;
        if let Some(row) = thumb {
            return Ok(Some(stored(size, row)));
        }
    }
    let original: Option<CoverRow> = read!(
        db,
        sqlx::query_as(
            "SELECT content_type, data, width, height, version FROM covers WHERE edition_id = $1"
        )
        .bind(edition.0),
        fetch_optional
    )?;
    Ok(original.map(|row| stored(CoverSize::Original, row)))
}

/// The size and version [`cover`] would serve, without reading the image:
/// enough to answer a conditional request with 304.
pub async fn cover_version(
    db: &Db,
    edition: EditionId,
    size: CoverSize,
) -> Result<Option<(CoverSize, String)>> {
    let row: Option<(String, bool)> = read!(
        db,
        sqlx::query_as(
            "SELECT c.version, EXISTS (SELECT 1 FROM cover_thumbnails t
                 WHERE t.edition_id = c.edition_id AND t.size = $2 AND t.version = c.version)
             FROM covers c WHERE c.edition_id = $1"
        )
        .bind(edition.0)
        .bind(size.as_str()),
        fetch_optional
    )?;
    Ok(row.map(|(version, has_thumb)| {
        let served = if size != CoverSize::Original && has_thumb {
            size
        } else {
            CoverSize::Original
        };
        (served, version)
    }))
}

/// Store an edition's cover: the re-encoded original and whatever
/// thumbnails are ready (none when a job will make them). With `replace`
/// false, an edition that already has a cover is left alone and the answer
/// is a conflict; the check and the write are one statement, so two
/// members adding a cover at once cannot both succeed. Thumbnails of an
/// earlier cover are removed. The work's revision is bumped, so its cached
/// pages are redrawn.
pub async fn set_cover(
    db: &Db,
    edition: EditionId,
    original: NewCoverImage<'_>,
    thumbnails: &[NewCoverImage<'_>],
    replace: bool,
) -> Result<CoverSaved> {
    let mut tx = db.begin().await?;
    let saved = set_cover_in(db, &mut tx, edition, original, thumbnails, replace).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Store an edition's re-encoded original (as [`set_cover`], without
/// thumbnails) and queue `thumbnail_job` in the same transaction: the cover
/// and the job that shrinks it are saved together or not at all. Pages show
/// the generated cover until the job has stored the thumbnails.
pub async fn set_cover_queueing(
    db: &Db,
    edition: EditionId,
    original: NewCoverImage<'_>,
    replace: bool,
    thumbnail_job: &crate::jobs::NewJob,
) -> Result<CoverSaved> {
    let mut tx = db.begin().await?;
    let saved = set_cover_in(db, &mut tx, edition, original, &[], replace).await?;
    crate::jobs::enqueue_in(db, &mut tx, thumbnail_job).await?;
    tx.commit().await?;
    Ok(saved)
}

/// [`set_cover`] inside the caller's transaction.
async fn set_cover_in(
    db: &Db,
    tx: &mut Tx,
    edition: EditionId,
    original: NewCoverImage<'_>,
    thumbnails: &[NewCoverImage<'_>],
    replace: bool,
) -> Result<CoverSaved> {
    let row: Option<(Uuid, bool)> = tx!(
        db,
        &mut *tx,
        sqlx::query_as(
            "SELECT e.work_id, EXISTS (SELECT 1 FROM covers c WHERE c.edition_id = e.id)
             FROM editions e WHERE e.id = $1"
        )
        .bind(edition.0),
        fetch_optional
    )?;
    let Some((work, had_cover)) = row else {
        return Err(StorageError::NotFound("edition"));
    };
    let version = Uuid::now_v7().simple().to_string();
    let at = now();
    let sql = if replace {
        "INSERT INTO covers (edition_id, content_type, data, width, height, version, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (edition_id) DO UPDATE SET content_type = excluded.content_type,
            data = excluded.data, width = excluded.width, height = excluded.height,
            version = excluded.version, updated_at = excluded.updated_at"
    } else {
        "INSERT INTO covers (edition_id, content_type, data, width, height, version, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (edition_id) DO NOTHING"
    };
    let written = tx!(
        db,
        &mut *tx,
        sqlx::query(sql)
            .bind(edition.0)
            .bind(original.content_type)
            .bind(original.data)
            .bind(i64::from(original.width))
            .bind(i64::from(original.height))
            .bind(&version)
            .bind(at),
        execute
    )?
    .rows_affected();
    if written == 0 {
        return Err(StorageError::Conflict(
            "This edition already has a cover; only a librarian can replace it.".into(),
        ));
    }
    tx!(
        db,
        &mut *tx,
        sqlx::query("DELETE FROM cover_thumbnails WHERE edition_id = $1").bind(edition.0),
        execute
    )?;
    for t in thumbnails {
        insert_thumbnail(db, tx, edition, &version, t).await?;
    }
    bump_revision(db, tx, WorkId(work)).await?;
    Ok(CoverSaved {
        work: WorkId(work),
        version,
        replaced: had_cover && replace,
    })
}

async fn insert_thumbnail(
    db: &Db,
    tx: &mut Tx,
    edition: EditionId,
    version: &str,
    t: &NewCoverImage<'_>,
) -> Result<()> {
    if t.size == CoverSize::Original {
        return Err(StorageError::Conflict(
            "the original is not a thumbnail".into(),
        ));
    }
    tx!(
        db,
        tx,
        sqlx::query(
            "INSERT INTO cover_thumbnails (edition_id, size, content_type, data, width, height,
                version, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (edition_id, size) DO UPDATE SET content_type = excluded.content_type,
                data = excluded.data, width = excluded.width, height = excluded.height,
                version = excluded.version, created_at = excluded.created_at"
        )
        .bind(edition.0)
        .bind(t.size.as_str())
        .bind(t.content_type)
        .bind(t.data)
        .bind(i64::from(t.width))
        .bind(i64::from(t.height))
        .bind(version)
        .bind(now()),
        execute
    )?;
    Ok(())
}

/// Store thumbnails made from version `version` of an edition's cover.
/// When the cover was replaced or removed since (a newer upload will get
/// its own thumbnails), nothing is stored and the answer is `false`. The
/// work's revision is bumped, so its pages show the thumbnails. A job
/// passes its claim: the job is completed in the same transaction, so a
/// worker whose lease ran out saves nothing and the job is done once.
pub async fn set_thumbnails(
    db: &Db,
    edition: EditionId,
    version: &str,
    thumbnails: &[NewCoverImage<'_>],
    job: Option<&crate::jobs::Claim>,
) -> Result<bool> {
    let mut tx = db.begin().await?;
    if let Some(claim) = job {
        crate::jobs::finish_in(db, &mut tx, claim).await?;
    }
    let current: Option<(Uuid,)> = tx!(
        db,
        &mut tx,
        sqlx::query_as(
            "SELECT e.work_id FROM covers c JOIN editions e ON e.id = c.edition_id
             WHERE c.edition_id = $1 AND c.version = $2"
        )
        .bind(edition.0)
        .bind(version),
        fetch_optional
    )?;
    let Some((work,)) = current else {
        // Still commit: the job is done, there is nothing to shrink.
        tx.commit().await?;
        return Ok(false);
    };
    for t in thumbnails {
        insert_thumbnail(db, &mut tx, edition, version, t).await?;
    }
    bump_revision(db, &mut tx, WorkId(work)).await?;
    tx.commit().await?;
    Ok(true)
}
