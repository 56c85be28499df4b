//! Match keys: the normalised forms of a work's title, series place and
//! first author that imports match by and the "possible duplicates" page
//! lists (`work_keys`). The keys are computed in Rust
//! ([`quire_domain::text::title_key`] and friends), so SQL never has to fold
//! text the same way on two engines.

use super::*;
use quire_domain::text::{full_title_key, name_key, title_key};

/// One way a work is known, as stored in `work_keys`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KeyRow {
    /// 'title', 'main' (the title without its subtitle) or 'series'.
    pub kind: &'static str,
    pub key: String,
}

/// The keys of a work: its rows, its first author's key and its series
/// place ("" when it has none).
#[derive(Clone, Debug, Default)]
pub(crate) struct WorkKeys {
    pub rows: Vec<KeyRow>,
    pub author: String,
    pub series: String,
}

impl WorkKeys {
    pub fn of(
        title: &str,
        series: Option<(&str, Option<&str>)>,
        first_author: Option<&str>,
    ) -> Self {
        let full = full_title_key(title);
        let main = title_key(title);
        let mut rows = vec![KeyRow {
            kind: "title",
            key: full.clone(),
        }];
        if main != full && !main.is_empty() {
            rows.push(KeyRow {
                kind: "main",
                key: main.clone(),
            });
        }
        let series = match series {
            Some((name, Some(pos)))
                if !full_title_key(name).is_empty() && !pos.trim().is_empty() =>
            {
                format!("{}#{}", full_title_key(name), pos.trim())
            }
            _ => String::new(),
        };
        // A series place identifies a book only when it is a whole number
        // and the title is plain: "#0.5" novellas, "#3: Part 1 of 2" halves
        // and "Title: Subtitle" companions share places with other books.
        if !series.is_empty()
            && main == full
            && !is_a_part(&full)
            && series
                .rsplit('#')
                .next()
                .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
        {
            // "series:" cannot collide with a title key, which has no colon.
            rows.push(KeyRow {
                kind: "series",
                key: format!("series:{series}"),
            });
        }
        rows.retain(|r| !r.key.is_empty());
        Self {
            rows,
            author: first_author.map(name_key).unwrap_or_default(),
            series,
        }
    }

    /// The keys of a work about to be added.
    pub fn of_new(w: &NewWork) -> Self {
        let author = w
            .credits
            .iter()
            .find(|c| c.role == ContributorRole::Author)
            .map(|c| c.name.as_str());
        let series = w
            .series
            .as_ref()
            .map(|(name, pos)| (name.as_str(), pos.as_deref()));
        Self::of(&w.title, series, author)
    }
}

/// Whether a title names one part of a book ("To Green Angel Tower, Part
/// 2", "… Volume 1"): parts share their book's place in a series.
fn is_a_part(full_key: &str) -> bool {
    let w: Vec<&str> = full_key.split(' ').collect();
    w.len() >= 2 && matches!(w[w.len() - 2], "part" | "volume" | "vol" | "book")
}

/// Write a work's keys (replacing any it had).
async fn write_keys(db: &Db, tx: &mut Tx, work: WorkId, k: &WorkKeys, fresh: bool) -> Result<()> {
    if !fresh {
        tx!(
            db,
            tx,
            sqlx::query("DELETE FROM work_keys WHERE work_id = $1").bind(work.0),
            execute
        )?;
    }
    if k.rows.is_empty() {
        return Ok(());
    }
    // One statement for all of a work's rows: imports write thousands.
    let values: Vec<String> = (0..k.rows.len())
        .map(|i| format!("($1, ${}, ${}, $2, $3)", 4 + 2 * i, 5 + 2 * i))
        .collect();
    let sql = format!(
        "INSERT INTO work_keys (work_id, kind, match_key, author_key, series_key) VALUES {}
         ON CONFLICT DO NOTHING",
        values.join(", ")
    );
    tx!(
        db,
        tx,
        {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(work.0)
                .bind(&k.author)
                .bind(&k.series);
            for r in &k.rows {
                q = q.bind(r.kind).bind(&r.key);
            }
            q
        },
        execute
    )?;
    Ok(())
}

/// Keys of a work just inserted (it has none yet).
pub(crate) async fn write_new_keys(db: &Db, tx: &mut Tx, work: WorkId, w: &NewWork) -> Result<()> {
    write_keys(db, tx, work, &WorkKeys::of_new(w), true).await
}

type KeySourceRow = (Uuid, String, Option<String>, Option<String>, Option<String>);

/// Title, series name, series position and first author's name of works.
const KEY_SOURCE: &str = "SELECT w.id, w.title, s.name, w.series_position,
        (SELECT c.name FROM credits cr JOIN contributors c ON c.id = cr.contributor_id
         WHERE cr.work_id = w.id AND cr.edition_id IS NULL AND cr.role = 'author'
         ORDER BY cr.position LIMIT 1)
     FROM works w LEFT JOIN series s ON s.id = w.series_id";

fn keys_of(r: &KeySourceRow) -> WorkKeys {
    let series = r.2.as_deref().map(|name| (name, r.3.as_deref()));
    WorkKeys::of(&r.1, series, r.4.as_deref())
}

/// Recompute a work's match keys from what is stored, inside the writer's
/// transaction. Call it whenever a work's title, series or authors change.
pub async fn refresh_keys(db: &Db, tx: &mut Tx, work: WorkId) -> Result<()> {
    let sql = format!("{KEY_SOURCE} WHERE w.id = $1");
    let row: Option<KeySourceRow> = tx!(
        db,
        tx,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(work.0),
        fetch_optional
    )?;
    match row {
        Some(r) => write_keys(db, tx, work, &keys_of(&r), false).await,
        None => Ok(()),
    }
}

/// Give every work that has no match keys its keys: works stored before
/// keys existed, once, when the database is migrated. Returns how many.
pub async fn backfill_keys(db: &Db) -> Result<u64> {
    let sql =
        format!("{KEY_SOURCE} WHERE NOT EXISTS (SELECT 1 FROM work_keys k WHERE k.work_id = w.id)");
    let rows: Vec<KeySourceRow> = write!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())),
        fetch_all
    )?;
    for chunk in rows.chunks(1000) {
        let mut tx = db.begin().await?;
        for r in chunk {
            write_keys(db, &mut tx, WorkId(r.0), &keys_of(r), true).await?;
        }
        tx.commit().await?;
    }
    Ok(rows.len() as u64)
}
