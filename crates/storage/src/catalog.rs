//! The catalog: works, their editions, contributors, series, subjects,
//! outside identifiers and book-club material.

use crate::db::{Db, Tx, missing_book, now};
use crate::{Result, StorageError};
use quire_domain::text::{slugify, sort_name, sort_title};
use quire_domain::{
    ContributorId, ContributorRole, EditionId, Format, Isbn13, MaterialKind, PubDate, Source,
    UserId, WorkId,
};
use uuid::Uuid;

/// A person credited on a work or an edition.
#[derive(Clone, Debug)]
pub struct NewCredit {
    pub name: String,
    pub role: ContributorRole,
}

impl NewCredit {
    pub fn author(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            role: ContributorRole::Author,
        }
    }
}

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

#[derive(Clone, Debug)]
pub struct NewWork {
    pub id: WorkId,
    pub title: String,
    pub subtitle: Option<String>,
    pub original_title: Option<String>,
    pub original_language: Option<String>,
    pub first_published: Option<PubDate>,
    /// Series name and the work's position in it ("1", "2.5", "1-3").
    pub series: Option<(String, Option<String>)>,
    pub credits: Vec<NewCredit>,
    /// Subject names with a weight (how many readers tagged it so).
    pub subjects: Vec<(String, i64)>,
    /// Outside identifiers: ("goodreads", "2767052"), ("gutenberg", "1342").
    pub identifiers: Vec<(String, String)>,
    pub editions: Vec<NewEdition>,
}

impl NewWork {
    pub fn new(id: WorkId, title: impl Into<String>) -> Self {
        Self {
            id,
            title: title.into(),
            subtitle: None,
            original_title: None,
            original_language: None,
            first_published: None,
            series: None,
            credits: Vec::new(),
            subjects: Vec::new(),
            identifiers: Vec::new(),
            editions: Vec::new(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct NewMaterial {
    pub work_id: WorkId,
    pub kind: MaterialKind,
    pub body: String,
    pub attribution: Option<String>,
    pub source: Source,
    pub created_by: Option<UserId>,
}

/// What a list of books shows for each book.
#[derive(Clone, Debug, serde::Serialize)]
pub struct WorkSummary {
    pub id: WorkId,
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    pub first_published: Option<PubDate>,
    pub rating_count: i64,
    pub rating_average: Option<f64>,
}

fn key(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// `$start, $start+1, …` for an IN list of `n` values.
pub(crate) fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn parse_date(s: Option<String>) -> Option<PubDate> {
    s.and_then(|s| PubDate::parse(&s).ok())
}

/// Mark a work's page as changed, so cached copies of it are rebuilt.
pub(crate) async fn bump_revision(db: &Db, tx: &mut Tx, work: WorkId) -> Result<()> {
    tx!(
        db,
        tx,
        sqlx::query("UPDATE works SET revision = revision + 1, updated_at = $2 WHERE id = $1")
            .bind(work.0)
            .bind(now()),
        execute
    )?;
    Ok(())
}

/// Insert works that are not there yet, in one transaction. A work whose id
/// exists is left as it is (imports derive ids from their source, so loading
/// the same data twice adds nothing); an edition whose ISBN is already in the
/// catalog is skipped. Returns how many works were new.
pub async fn insert_works(db: &Db, works: &[NewWork]) -> Result<u64> {
    let mut tx = db.begin().await?;
    let mut added = 0;
    for w in works {
        added += insert_work_in(db, &mut tx, w).await?;
    }
    tx.commit().await?;
    Ok(added)
}

async fn insert_work_in(db: &Db, tx: &mut Tx, w: &NewWork) -> Result<u64> {
    let at = now();
    let series_id = match &w.series {
        Some((name, _)) => Some(ensure_named(db, tx, Named::Series, name).await?),
        None => None,
    };
    let inserted = tx!(
        db,
        tx,
        sqlx::query(
            "INSERT INTO works (id, slug, title, subtitle, sort_title, original_title,
                original_language, first_published, series_id, series_position, revision,
                created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $11)
             ON CONFLICT (id) DO NOTHING"
        )
        .bind(w.id.0)
        .bind(slugify(&w.title))
        .bind(&w.title)
        .bind(&w.subtitle)
        .bind(sort_title(&w.title))
        .bind(&w.original_title)
        .bind(&w.original_language)
        .bind(w.first_published.map(|d| d.to_iso()))
        .bind(series_id)
        .bind(w.series.as_ref().and_then(|s| s.1.clone()))
        .bind(at),
        execute
    )?
    .rows_affected();
    if inserted == 0 {
        return Ok(0);
    }
    for (i, c) in w.credits.iter().enumerate() {
        insert_credit(db, tx, w.id, None, c, i).await?;
    }
    for e in &w.editions {
        let added = tx!(
            db,
            tx,
            sqlx::query(
                "INSERT INTO editions (id, work_id, title, subtitle, format, pages, isbn13,
                    publisher, published, language, is_primary, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                 ON CONFLICT DO NOTHING"
            )
            .bind(e.id.0)
            .bind(w.id.0)
            .bind(&e.title)
            .bind(&e.subtitle)
            .bind(e.format.as_str())
            .bind(e.pages.map(i64::from))
            .bind(e.isbn13.map(|i| i.to_string()))
            .bind(&e.publisher)
            .bind(e.published.map(|d| d.to_iso()))
            .bind(&e.language)
            .bind(e.is_primary)
            .bind(at),
            execute
        )?
        .rows_affected();
        if added > 0 {
            for (i, c) in e.credits.iter().enumerate() {
                insert_credit(db, tx, w.id, Some(e.id), c, i).await?;
            }
        }
    }
    for (name, weight) in &w.subjects {
        ensure_named(db, tx, Named::Subject, name).await?;
        tx!(
            db,
            tx,
            sqlx::query(
                "INSERT INTO work_subjects (work_id, subject_id, weight)
                 SELECT $1, id, $3 FROM subjects WHERE name_key = $2
                 ON CONFLICT DO NOTHING"
            )
            .bind(w.id.0)
            .bind(key(name))
            .bind(weight),
            execute
        )?;
    }
    for (scheme, value) in &w.identifiers {
        tx!(
            db,
            tx,
            sqlx::query(
                "INSERT INTO work_identifiers (scheme, value, work_id) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING"
            )
            .bind(scheme)
            .bind(value)
            .bind(w.id.0),
            execute
        )?;
    }
    Ok(1)
}

/// The tables of things known by their name alone.
#[derive(Clone, Copy)]
enum Named {
    Series,
    Subject,
}

/// The id of a series or subject by name, adding it the first time it is
/// seen. Names match whatever their case and spacing.
async fn ensure_named(db: &Db, tx: &mut Tx, kind: Named, name: &str) -> Result<Uuid> {
    let (prefix, sql) = match kind {
        Named::Series => (
            "series",
            "INSERT INTO series (id, name, name_key) VALUES ($1, $2, $3) ON CONFLICT (name_key) DO NOTHING",
        ),
        Named::Subject => (
            "subject",
            "INSERT INTO subjects (id, name, name_key) VALUES ($1, $2, $3) ON CONFLICT (name_key) DO NOTHING",
        ),
    };
    let id = Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        format!("{prefix}:{}", key(name)).as_bytes(),
    );
    tx!(
        db,
        tx,
        sqlx::query(sql).bind(id).bind(name).bind(key(name)),
        execute
    )?;
    Ok(id)
}

async fn insert_credit(
    db: &Db,
    tx: &mut Tx,
    work: WorkId,
    edition: Option<EditionId>,
    c: &NewCredit,
    position: usize,
) -> Result<()> {
    let name = c.name.trim();
    let contributor = ContributorId::derived("name", &key(name));
    tx!(
        db,
        tx,
        sqlx::query(
            "INSERT INTO contributors (id, name, sort_name, name_key, bio, created_at)
             VALUES ($1, $2, $3, $4, '', $5) ON CONFLICT (id) DO NOTHING"
        )
        .bind(contributor.0)
        .bind(name)
        .bind(sort_name(name))
        .bind(key(name))
        .bind(now()),
        execute
    )?;
    let credit_key = format!(
        "{}:{}:{}:{}",
        work,
        edition.map(|e| e.to_string()).unwrap_or_default(),
        contributor,
        c.role.as_str()
    );
    tx!(
        db,
        tx,
        sqlx::query(
            "INSERT INTO credits (id, work_id, edition_id, contributor_id, role, position)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING"
        )
        .bind(Uuid::new_v5(&Uuid::NAMESPACE_OID, credit_key.as_bytes()))
        .bind(work.0)
        .bind(edition.map(|e| e.0))
        .bind(contributor.0)
        .bind(c.role.as_str())
        .bind(position as i64),
        execute
    )?;
    Ok(())
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
    let mut tx = db.begin().await?;
    let added = tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO materials (id, work_id, kind, body, attribution, source, position,
                created_by, created_at)
             SELECT $1, $2, $3, $4, $5, $6,
                COALESCE((SELECT MAX(position) + 1 FROM materials WHERE work_id = $2 AND kind = $3), 0),
                $7, $8
             ON CONFLICT (id) DO NOTHING"
        )
        .bind(id)
        .bind(m.work_id.0)
        .bind(m.kind.as_str())
        .bind(&m.body)
        .bind(&m.attribution)
        .bind(m.source.as_str())
        .bind(m.created_by.map(|u| u.0))
        .bind(now()),
        execute
    )
    .map_err(missing_book)?
    .rows_affected();
    if added > 0 {
        bump_revision(db, &mut tx, m.work_id).await?;
    }
    tx.commit().await
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

/// A summary row, as selected with [`SUMMARY_COLUMNS`] from
/// `works w LEFT JOIN work_stats s ON s.work_id = w.id`.
#[derive(sqlx::FromRow)]
pub(crate) struct SummaryRow {
    id: Uuid,
    slug: String,
    title: String,
    subtitle: Option<String>,
    first_published: Option<String>,
    rating_count: Option<i64>,
    rating_sum: Option<i64>,
}

/// Turn summary rows into summaries, with their authors from one more query.
pub(crate) async fn summaries(db: &Db, rows: Vec<SummaryRow>) -> Result<Vec<WorkSummary>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT cr.work_id, c.name FROM credits cr JOIN contributors c ON c.id = cr.contributor_id
         WHERE cr.edition_id IS NULL AND cr.role = 'author' AND cr.work_id IN ({})
         ORDER BY cr.work_id, cr.position",
        placeholders(1, rows.len())
    );
    let names: Vec<(Uuid, String)> = read!(
        db,
        {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
            for r in &rows {
                q = q.bind(r.id);
            }
            q
        },
        fetch_all
    )?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let count = r.rating_count.unwrap_or(0);
            WorkSummary {
                id: WorkId(r.id),
                authors: names
                    .iter()
                    .filter(|(w, _)| *w == r.id)
                    .map(|(_, n)| n.clone())
                    .collect(),
                slug: r.slug,
                title: r.title,
                subtitle: r.subtitle,
                first_published: parse_date(r.first_published),
                rating_count: count,
                rating_average: (count > 0)
                    .then(|| r.rating_sum.unwrap_or(0) as f64 / count as f64 / 2.0),
            }
        })
        .collect())
}

pub(crate) const SUMMARY_COLUMNS: &str =
    "w.id, w.slug, w.title, w.subtitle, w.first_published, s.rating_count, s.rating_sum";

/// The work that has an edition with this ISBN.
pub async fn find_by_isbn(db: &Db, isbn: Isbn13) -> Result<Option<WorkSummary>> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM editions e JOIN works w ON w.id = e.work_id
         LEFT JOIN work_stats s ON s.work_id = w.id WHERE e.isbn13 = $1"
    );
    let rows: Vec<SummaryRow> = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(isbn.to_string()),
        fetch_all
    )?;
    Ok(summaries(db, rows).await?.into_iter().next())
}

/// Works whose title, or an author's name, contains `text` (any case).
/// An exact title comes first, then titles that start with the text, then
/// other title matches, then author matches; ties by how many members rated
/// the work.
pub async fn search(db: &Db, text: &str, limit: u32) -> Result<Vec<WorkSummary>> {
    let exact = key(text);
    let escaped = exact
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    let prefix = format!("{escaped}%");
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM works w LEFT JOIN work_stats s ON s.work_id = w.id
         WHERE LOWER(w.title) LIKE $1 ESCAPE '\\'
            OR EXISTS (SELECT 1 FROM credits cr JOIN contributors c ON c.id = cr.contributor_id
                       WHERE cr.work_id = w.id AND c.name_key LIKE $1 ESCAPE '\\')
         ORDER BY CASE WHEN LOWER(w.title) = $3 THEN 0
                       WHEN LOWER(w.title) LIKE $4 ESCAPE '\\' THEN 1
                       WHEN LOWER(w.title) LIKE $1 ESCAPE '\\' THEN 2 ELSE 3 END,
                  COALESCE(s.rating_count, 0) DESC, w.sort_title
         LIMIT $2"
    );
    let rows: Vec<SummaryRow> = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(&pattern)
            .bind(i64::from(limit))
            .bind(&exact)
            .bind(&prefix),
        fetch_all
    )?;
    summaries(db, rows).await
}

/// The work an outside identifier points at.
pub async fn find_by_identifier(db: &Db, scheme: &str, value: &str) -> Result<Option<WorkId>> {
    let row: Option<(Uuid,)> = read!(
        db,
        sqlx::query_as("SELECT work_id FROM work_identifiers WHERE scheme = $1 AND value = $2")
            .bind(scheme)
            .bind(value),
        fetch_optional
    )?;
    Ok(row.map(|(id,)| WorkId(id)))
}

/// The revision of a work's page; it changes whenever anything shown on the
/// page changes. `None` when there is no such work.
pub async fn revision(db: &Db, work: WorkId) -> Result<Option<i64>> {
    let row: Option<(i64,)> = read!(
        db,
        sqlx::query_as("SELECT revision FROM works WHERE id = $1").bind(work.0),
        fetch_optional
    )?;
    Ok(row.map(|(r,)| r))
}

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

/// How many works the catalog holds.
pub async fn count_works(db: &Db) -> Result<i64> {
    let (n,): (i64,) = read!(db, sqlx::query_as("SELECT COUNT(*) FROM works"), fetch_one)?;
    Ok(n)
}
