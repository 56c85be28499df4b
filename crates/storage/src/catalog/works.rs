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

/// Mark a work's page as changed, so cached copies of it are rebuilt: every
/// part of the page, since the caller may have changed anything (an edit, a
/// merge). Writers that change one part say so with [`bump_part`] instead.
pub(crate) async fn bump_revision(db: &Db, tx: &mut Tx, work: WorkId) -> Result<()> {
    tx!(
        db,
        tx,
        sqlx::query(
            "UPDATE works SET revision = revision + 1, questions_revision = questions_revision + 1,
                activity_revision = activity_revision + 1, updated_at = $2 WHERE id = $1"
        )
        .bind(work.0)
        .bind(now()),
        execute
    )?;
    Ok(())
}

/// What an import did with its works.
#[derive(Clone, Debug, Default)]
pub struct Imported {
    /// How many works were new.
    pub added: u64,
    /// For each incoming work, in order, the work it is now part of: its
    /// own id when it was added (or was already there), otherwise the
    /// existing work it matched (see `matching`).
    pub placed: Vec<WorkId>,
}

/// Add works, in one transaction, matching each to the work the catalog
/// already has for that book (by id, outside identifier, ISBN, then
/// normalised title and first author; see `catalog::matching`). A matched
/// work gains the incoming editions, identifiers, credits, series and
/// subjects it lacks, without duplicates; an edition whose ISBN is already
/// in the catalog is skipped. Loading the same data twice adds nothing.
pub async fn import_works(db: &Db, works: &[NewWork]) -> Result<Imported> {
    let mut tx = db.begin().await?;
    let mut out = Imported::default();
    for w in works {
        let (work, added) = place_work(db, &mut tx, w).await?;
        out.added += u64::from(added);
        out.placed.push(work);
    }
    tx.commit().await?;
    Ok(out)
}

/// One incoming work of an import, inside the importer's transaction: the
/// work it is now part of, and whether it was added (true) or matched an
/// existing one (false). The rules are [`import_works`]'s.
pub(crate) async fn place_work(db: &Db, tx: &mut Tx, w: &NewWork) -> Result<(WorkId, bool)> {
    match matching::find_match(db, tx, w).await? {
        Some(existing) => {
            if existing != w.id {
                add_to_existing(db, tx, existing, w).await?;
            }
            Ok((existing, false))
        }
        None => {
            let added = insert_work_in(db, tx, w).await?;
            Ok((w.id, added > 0))
        }
    }
}

/// The existing work each incoming one would join under [`import_works`]'s
/// rules, or `None` where it would be added; nothing is written (the
/// lookups run in a transaction that is rolled back). Works earlier in the
/// list are not seen by later ones.
pub async fn find_matches(db: &Db, works: &[NewWork]) -> Result<Vec<Option<WorkId>>> {
    let mut tx = db.begin().await?;
    let mut out = Vec::with_capacity(works.len());
    for w in works {
        out.push(matching::find_match(db, &mut tx, w).await?);
    }
    tx.rollback().await?;
    Ok(out)
}

/// The parts of a book page that change on their own, each with its own
/// revision, so a cached page refreshes only what changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PagePart {
    /// Discussion questions and their votes.
    Questions,
    /// The counts (reading, read, ratings, recommendations) and the reviews.
    Activity,
}

/// Mark one part of a work's page as changed.
pub(crate) async fn bump_part(db: &Db, tx: &mut Tx, work: WorkId, part: PagePart) -> Result<()> {
    let sql = match part {
        PagePart::Questions => {
            "UPDATE works SET questions_revision = questions_revision + 1 WHERE id = $1"
        }
        PagePart::Activity => {
            "UPDATE works SET activity_revision = activity_revision + 1 WHERE id = $1"
        }
    };
    tx!(db, tx, sqlx::query(sql).bind(work.0), execute)?;
    Ok(())
}

/// Add works as new works, without matching them to existing ones: for a
/// member who has seen the likely matches and is adding a different book,
/// and for tests that need two works of one book. A work whose id exists is
/// left as it is. Returns how many works were new.
pub async fn insert_new_works(db: &Db, works: &[NewWork]) -> Result<u64> {
    let mut tx = db.begin().await?;
    let mut added = 0;
    for w in works {
        added += insert_work_in(db, &mut tx, w).await?;
    }
    tx.commit().await?;
    Ok(added)
}

/// [`import_works`], reporting only how many works were new.
pub async fn insert_works(db: &Db, works: &[NewWork]) -> Result<u64> {
    Ok(import_works(db, works).await?.added)
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
                created_at, updated_at, title_fold)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $11, $12)
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
        .bind(at)
        .bind(fold(&w.title)),
        execute
    )?
    .rows_affected();
    if inserted == 0 {
        return Ok(0);
    }
    for (i, c) in w.credits.iter().enumerate() {
        insert_credit(db, tx, w.id, None, c, i).await?;
    }
    insert_editions(db, tx, w.id, w, true).await?;
    insert_subjects_and_identifiers(db, tx, w.id, w).await?;
    keys::write_new_keys(db, tx, w.id, w).await?;
    Ok(1)
}

/// Add the editions of `w` to `work`. Only a new work keeps the incoming
/// primary flag: a work that gains editions keeps its own primary edition.
/// Returns how many editions were added.
async fn insert_editions(
    db: &Db,
    tx: &mut Tx,
    work: WorkId,
    w: &NewWork,
    new: bool,
) -> Result<u64> {
    let at = now();
    let mut total = 0;
    for e in &w.editions {
        let added = super::editions::insert_row(db, tx, work, e, e.is_primary && new, at)
            .await?
            .rows_affected();
        if added > 0 {
            for (i, c) in e.credits.iter().enumerate() {
                insert_credit(db, tx, work, Some(e.id), c, i).await?;
            }
        }
        total += added;
    }
    Ok(total)
}

async fn insert_subjects_and_identifiers(
    db: &Db,
    tx: &mut Tx,
    work: WorkId,
    w: &NewWork,
) -> Result<u64> {
    let mut added = 0;
    for (name, weight) in &w.subjects {
        ensure_named(db, tx, Named::Subject, name).await?;
        added += tx!(
            db,
            tx,
            sqlx::query(
                "INSERT INTO work_subjects (work_id, subject_id, weight)
                 SELECT $1, id, $3 FROM subjects WHERE name_key = $2
                 ON CONFLICT DO NOTHING"
            )
            .bind(work.0)
            .bind(key(name))
            .bind(weight),
            execute
        )?
        .rows_affected();
    }
    for (scheme, value) in &w.identifiers {
        added += tx!(
            db,
            tx,
            sqlx::query(
                "INSERT INTO work_identifiers (scheme, value, work_id) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING"
            )
            .bind(scheme)
            .bind(value)
            .bind(work.0),
            execute
        )?
        .rows_affected();
    }
    Ok(added)
}

/// Fold an incoming work into the existing work it matched: editions,
/// identifiers and subjects it lacks, credits for people (by normalised
/// name and role) it does not credit yet, and its series if it has none.
///
/// When it adds nothing (the same book imported again, or a reader's copy
/// of a book the catalog has whole), the work's keys and page revision are
/// left as they are.
async fn add_to_existing(db: &Db, tx: &mut Tx, work: WorkId, w: &NewWork) -> Result<()> {
    let mut changed = insert_editions(db, tx, work, w, false).await?;
    changed += insert_subjects_and_identifiers(db, tx, work, w).await?;
    let credited: Vec<(String, String, i64)> = tx!(
        db,
        tx,
        sqlx::query_as(
            "SELECT c.name, cr.role, cr.position FROM credits cr
             JOIN contributors c ON c.id = cr.contributor_id
             WHERE cr.work_id = $1 AND cr.edition_id IS NULL"
        )
        .bind(work.0),
        fetch_all
    )?;
    let mut next = credited.iter().map(|c| c.2 + 1).max().unwrap_or(0) as usize;
    let mut have: Vec<(String, String)> = credited
        .iter()
        .map(|(name, role, _)| (quire_domain::text::name_key(name), role.clone()))
        .collect();
    for c in &w.credits {
        let k = (
            quire_domain::text::name_key(&c.name),
            c.role.as_str().to_string(),
        );
        if have.contains(&k) {
            continue;
        }
        insert_credit(db, tx, work, None, c, next).await?;
        have.push(k);
        next += 1;
        changed += 1;
    }
    if let Some((name, position)) = &w.series {
        let series_id = ensure_named(db, tx, Named::Series, name).await?;
        changed += tx!(
            db,
            tx,
            sqlx::query(
                "UPDATE works SET series_id = $2, series_position = $3
                 WHERE id = $1 AND series_id IS NULL"
            )
            .bind(work.0)
            .bind(series_id)
            .bind(position),
            execute
        )?
        .rows_affected();
    }
    if changed == 0 {
        return Ok(());
    }
    keys::refresh_keys(db, tx, work).await?;
    bump_revision(db, tx, work).await
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
            "INSERT INTO contributors (id, name, sort_name, name_key, bio, created_at, name_fold)
             VALUES ($1, $2, $3, $4, '', $5, $6) ON CONFLICT (id) DO NOTHING"
        )
        .bind(contributor.0)
        .bind(name)
        .bind(sort_name(name))
        .bind(key(name))
        .bind(now())
        .bind(fold(name)),
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

/// The revisions of a work's page, one per part that changes on its own.
/// Each grows whenever anything shown in its part changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Revisions {
    /// The work, editions, credits, subjects and material (and any change
    /// that did not say which part it touched).
    pub core: i64,
    pub questions: i64,
    pub activity: i64,
}

/// The revisions of a work's page. `None` when there is no such work.
pub async fn revision(db: &Db, work: WorkId) -> Result<Option<Revisions>> {
    let row: Option<(i64, i64, i64)> = read!(
        db,
        sqlx::query_as(
            "SELECT revision, questions_revision, activity_revision FROM works WHERE id = $1"
        )
        .bind(work.0),
        fetch_optional
    )?;
    Ok(row.map(|(core, questions, activity)| Revisions {
        core,
        questions,
        activity,
    }))
}

/// How many works the catalog holds.
pub async fn count_works(db: &Db) -> Result<i64> {
    let (n,): (i64,) = read!(db, sqlx::query_as("SELECT COUNT(*) FROM works"), fetch_one)?;
    Ok(n)
}
