//! Editions of a work.

use super::*;

#[derive(Clone, Debug)]
pub struct NewEdition {
    pub id: EditionId,
    pub title: String,
    pub subtitle: Option<String>,
    pub format: Format,
    pub pages: Option<u32>,
    pub isbn13: Option<Isbn13>,
    pub publisher: Option<String>,
    pub published: Option<PubDate>,
    pub language: Option<String>,
    pub is_primary: bool,
    /// Translators, narrators, illustrators of this edition.
    pub credits: Vec<NewCredit>,
}

/// Insert one edition row of `work`; an edition whose id or ISBN is already
/// there is left as it is (callers that must refuse a known ISBN check it
/// first). The raw result, so each caller maps its errors its own way.
pub(super) async fn insert_row(
    db: &Db,
    tx: &mut Tx,
    work: WorkId,
    e: &NewEdition,
    is_primary: bool,
    at: time::OffsetDateTime,
) -> std::result::Result<crate::db::Done, sqlx::Error> {
    tx!(
        db,
        tx,
        sqlx::query(
            "INSERT INTO editions (id, work_id, title, subtitle, format, pages, isbn13,
                publisher, published, language, is_primary, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT DO NOTHING"
        )
        .bind(e.id.0)
        .bind(work.0)
        .bind(&e.title)
        .bind(&e.subtitle)
        .bind(e.format.as_str())
        .bind(e.pages.map(i64::from))
        .bind(e.isbn13.map(|i| i.to_string()))
        .bind(&e.publisher)
        .bind(e.published.map(|d| d.to_iso()))
        .bind(&e.language)
        .bind(is_primary)
        .bind(at),
        execute
    )
}

impl NewEdition {
    pub fn new(id: EditionId, title: impl Into<String>, format: Format) -> Self {
        Self {
            id,
            title: title.into(),
            subtitle: None,
            format,
            pages: None,
            isbn13: None,
            publisher: None,
            published: None,
            language: None,
            is_primary: false,
            credits: Vec::new(),
        }
    }
}

/// Add an edition to an existing work. Adding an edition whose id exists
/// changes nothing (imports run twice); an ISBN already in the catalog is a
/// conflict.
pub async fn add_edition(db: &Db, work: WorkId, e: &NewEdition) -> Result<()> {
    let mut tx = db.begin().await?;
    let r = tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO editions (id, work_id, title, subtitle, format, pages, isbn13,
                publisher, published, language, is_primary, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (id) DO NOTHING"
        )
        .bind(e.id.0)
        .bind(work.0)
        .bind(&e.title)
        .bind(&e.subtitle)
        .bind(e.format.as_str())
        .bind(e.pages.map(i64::from))
        .bind(e.isbn13.map(|i| i.to_string()))
        .bind(&e.publisher)
        .bind(e.published.map(|d| d.to_iso()))
        .bind(&e.language)
        .bind(e.is_primary)
        .bind(now()),
        execute
    );
    let added = match r {
        Ok(done) => done.rows_affected(),
        Err(err) => {
            let err = StorageError::Sql(err);
            if err.is_unique_violation() {
                return Err(StorageError::Conflict(format!(
                    "an edition with ISBN {} is already in the catalog",
                    e.isbn13.map(|i| i.to_string()).unwrap_or_default()
                )));
            }
            return Err(err);
        }
    };
    if added > 0 {
        for (i, c) in e.credits.iter().enumerate() {
            insert_credit(db, &mut tx, work, Some(e.id), c, i).await?;
        }
        bump_revision(db, &mut tx, work).await?;
    }
    tx.commit().await
}
