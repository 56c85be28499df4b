//! Finding works: by ISBN, by outside identifier, by title or author, and
//! the summaries lists of books show.

use super::*;

/// What a list of books shows for each book.
#[derive(Clone, Debug, serde::Serialize)]
pub struct WorkSummary {
    pub id: WorkId,
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    /// Subject names, the heaviest first.
    pub subjects: Vec<String>,
    pub first_published: Option<PubDate>,
    pub rating_count: i64,
    pub rating_average: Option<f64>,
    /// An edition whose card-size cover is ready (the primary edition's
    /// when it has one); `None` shows the generated cover.
    pub cover: Option<EditionId>,
}

/// A summary row, as selected with [`SUMMARY_COLUMNS`] from
/// `works w LEFT JOIN work_stats s ON s.work_id = w.id`.
#[derive(sqlx::FromRow)]
pub(crate) struct SummaryRow {
    pub(crate) id: Uuid,
    slug: String,
    title: String,
    subtitle: Option<String>,
    first_published: Option<String>,
    rating_count: Option<i64>,
    rating_sum: Option<i64>,
    cover_edition: Option<Uuid>,
}

/// Turn summary rows into summaries, with their authors from one more query.
pub(crate) async fn summaries(db: &Db, rows: Vec<SummaryRow>) -> Result<Vec<WorkSummary>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // Authors and subjects in one statement: kind 0 is an author (in credit
    // order), kind 1 a subject (heaviest first), which a generated cover
    // takes its style from.
    let ids = placeholders(1, rows.len());
    let sql = format!(
        "SELECT cr.work_id, c.name, 0 AS kind, CAST(cr.position AS BIGINT) AS ord
         FROM credits cr JOIN contributors c ON c.id = cr.contributor_id
         WHERE cr.edition_id IS NULL AND cr.role = 'author' AND cr.work_id IN ({ids})
         UNION ALL
         SELECT ws.work_id, s.name, 1, CAST(-ws.weight AS BIGINT)
         FROM work_subjects ws JOIN subjects s ON s.id = ws.subject_id
         WHERE ws.work_id IN ({ids})
         ORDER BY 1, 3, 4, 2"
    );
    let names: Vec<(Uuid, String, i32, i64)> = read!(
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
                    .filter(|(w, _, kind, _)| *w == r.id && *kind == 0)
                    .map(|(_, n, _, _)| n.clone())
                    .collect(),
                subjects: names
                    .iter()
                    .filter(|(w, _, kind, _)| *w == r.id && *kind == 1)
                    .map(|(_, n, _, _)| n.clone())
                    .collect(),
                slug: r.slug,
                title: r.title,
                subtitle: r.subtitle,
                first_published: parse_date(r.first_published),
                rating_count: count,
                rating_average: (count > 0)
                    .then(|| r.rating_sum.unwrap_or(0) as f64 / count as f64 / 2.0),
                cover: r.cover_edition.map(EditionId),
            }
        })
        .collect())
}

/// The summaries of `ids` (any order, repeats allowed), by id: two
/// queries whatever their number. Ids of works that do not exist are left
/// out.
pub async fn summaries_of(
    db: &Db,
    ids: &[WorkId],
) -> Result<std::collections::HashMap<WorkId, WorkSummary>> {
    let mut ids: Vec<Uuid> = ids.iter().map(|w| w.0).collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM works w LEFT JOIN work_stats s ON s.work_id = w.id
         WHERE w.id IN ({})",
        placeholders(1, ids.len())
    );
    let rows: Vec<SummaryRow> = read!(
        db,
        {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
            for id in &ids {
                q = q.bind(id);
            }
            q
        },
        fetch_all
    )?;
    Ok(summaries(db, rows)
        .await?
        .into_iter()
        .map(|w| (w.id, w))
        .collect())
}

pub(crate) const SUMMARY_COLUMNS: &str = "w.id, w.slug, w.title, w.subtitle, w.first_published,
    s.rating_count, s.rating_sum,
    (SELECT t.edition_id FROM editions ce
        JOIN cover_thumbnails t ON t.edition_id = ce.id AND t.size = 'card'
        JOIN covers cc ON cc.edition_id = t.edition_id AND cc.version = t.version
     WHERE ce.work_id = w.id ORDER BY ce.is_primary DESC, ce.created_at LIMIT 1) AS cover_edition";

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

/// Works whose title, or an author's name, contains `text`, compared
/// folded (any case in any script, accents ignored, control characters
/// dropped: [`fold`]). An exact title comes first, then titles that start
/// with the text, then other title matches, then author matches; ties by
/// how many members rated the work. A query that folds to nothing finds
/// nothing.
pub async fn search(db: &Db, text: &str, limit: u32) -> Result<Vec<WorkSummary>> {
    let exact = fold(text);
    if exact.is_empty() {
        return Ok(Vec::new());
    }
    let escaped = exact
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    let prefix = format!("{escaped}%");
    // A row written before its folded column existed (or by code that does
    // not fill it) falls back to plain lower case until the next start fills it.
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM works w LEFT JOIN work_stats s ON s.work_id = w.id
         WHERE COALESCE(w.title_fold, LOWER(w.title)) LIKE $1 ESCAPE '\\'
            OR EXISTS (SELECT 1 FROM credits cr JOIN contributors c ON c.id = cr.contributor_id
                       WHERE cr.work_id = w.id AND COALESCE(c.name_fold, c.name_key) LIKE $1 ESCAPE '\\')
         ORDER BY CASE WHEN COALESCE(w.title_fold, LOWER(w.title)) = $3 THEN 0
                       WHEN COALESCE(w.title_fold, LOWER(w.title)) LIKE $4 ESCAPE '\\' THEN 1
                       WHEN COALESCE(w.title_fold, LOWER(w.title)) LIKE $1 ESCAPE '\\' THEN 2 ELSE 3 END,
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

/// Fill the folded title and name columns that search compares, for rows
/// written before they existed (migration 0011) or by code that left them
/// empty. Runs after every migration; a no-op once every row has them.
/// Returns how many rows were filled.
pub async fn backfill_folds(db: &Db) -> Result<u64> {
    let works: Vec<(Uuid, String)> = read!(
        db,
        sqlx::query_as("SELECT id, title FROM works WHERE title_fold IS NULL"),
        fetch_all
    )?;
    let people: Vec<(Uuid, String)> = read!(
        db,
        sqlx::query_as("SELECT id, name FROM contributors WHERE name_fold IS NULL"),
        fetch_all
    )?;
    if works.is_empty() && people.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    for (id, title) in &works {
        tx!(
            db,
            &mut tx,
            sqlx::query("UPDATE works SET title_fold = $2 WHERE id = $1")
                .bind(id)
                .bind(fold(title)),
            execute
        )?;
    }
    for (id, name) in &people {
        tx!(
            db,
            &mut tx,
            sqlx::query("UPDATE contributors SET name_fold = $2 WHERE id = $1")
                .bind(id)
                .bind(fold(name)),
            execute
        )?;
    }
    tx.commit().await?;
    Ok((works.len() + people.len()) as u64)
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
