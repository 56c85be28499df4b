//! Works: adding them with their credits, series, subjects and identifiers,
//! and the revision that tells cached pages they changed.

use super::*;

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

pub(super) async fn insert_work_in(db: &Db, tx: &mut Tx, w: &NewWork) -> Result<u64> {
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
pub(super) enum Named {
    Series,
    Subject,
}

/// The id of a series or subject by name, adding it the first time it is
/// seen. Names match whatever their case and spacing.
pub(super) async fn ensure_named(db: &Db, tx: &mut Tx, kind: Named, name: &str) -> Result<Uuid> {
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

pub(super) async fn insert_credit(
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

/// How many works the catalog holds.
pub async fn count_works(db: &Db) -> Result<i64> {
    let (n,): (i64,) = read!(db, sqlx::query_as("SELECT COUNT(*) FROM works"), fetch_one)?;
    Ok(n)
}
