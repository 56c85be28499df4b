//! Merging two works that are one book, and moving an edition to the work
//! it belongs to. Each runs in one transaction: either everything attached
//! moves, or nothing does.
//!
//! Whatever a merge has to drop is kept in the history first: a reader's
//! older review or rating, when they had one on each work, is recorded with
//! its full text and stars. The merged work's id stays in `work_redirects`,
//! so its old addresses answer with a redirect to the survivor.
//!
//! Any new table with a `work_id` must be handled here, or a merge deletes
//! its rows with the merged work (the foreign keys cascade).

use super::keys::refresh_keys;
use super::*;
use crate::history::{self, ChangeKind, Entity, FieldChange, NewChange};
use serde_json::json;
use time::OffsetDateTime;

/// How much is attached to a work: what a merge moves.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Attached {
    pub editions: i64,
    pub ratings: i64,
    pub reviews: i64,
    pub shelf_entries: i64,
    pub queue_entries: i64,
    pub readings: i64,
    pub questions: i64,
    pub question_votes: i64,
    pub material: i64,
    pub club_books: i64,
    pub identifiers: i64,
    pub credits: i64,
    pub subjects: i64,
}

/// Count what is attached to a work; `None` when there is no such work.
pub async fn attached(db: &Db, work: WorkId) -> Result<Option<Attached>> {
    type Row = (
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
    );
    let row: Option<Row> = read!(
        db,
        sqlx::query_as(
            "SELECT
                (SELECT COUNT(*) FROM editions WHERE work_id = w.id),
                (SELECT COUNT(*) FROM ratings WHERE work_id = w.id),
                (SELECT COUNT(*) FROM reviews WHERE work_id = w.id),
                (SELECT COUNT(*) FROM shelf_items WHERE work_id = w.id),
                (SELECT COUNT(*) FROM queue_entries WHERE work_id = w.id),
                (SELECT COUNT(*) FROM readings WHERE work_id = w.id),
                (SELECT COUNT(*) FROM questions WHERE work_id = w.id),
                (SELECT COUNT(*) FROM question_votes v JOIN questions q ON q.id = v.question_id
                 WHERE q.work_id = w.id),
                (SELECT COUNT(*) FROM materials WHERE work_id = w.id),
                (SELECT COUNT(*) FROM club_selections WHERE work_id = w.id)
                  + (SELECT COUNT(*) FROM club_nominations WHERE work_id = w.id),
                (SELECT COUNT(*) FROM work_identifiers WHERE work_id = w.id),
                (SELECT COUNT(*) FROM credits WHERE work_id = w.id),
                (SELECT COUNT(*) FROM work_subjects WHERE work_id = w.id)
             FROM works w WHERE w.id = $1"
        )
        .bind(work.0),
        fetch_optional
    )?;
    Ok(row.map(|r| Attached {
        editions: r.0,
        ratings: r.1,
        reviews: r.2,
        shelf_entries: r.3,
        queue_entries: r.4,
        readings: r.5,
        questions: r.6,
        question_votes: r.7,
        material: r.8,
        club_books: r.9,
        identifiers: r.10,
        credits: r.11,
        subjects: r.12,
    }))
}

/// The work an old id now answers as, when that work was merged away.
pub async fn redirect(db: &Db, old: WorkId) -> Result<Option<WorkId>> {
    let row: Option<(Uuid,)> = read!(
        db,
        sqlx::query_as("SELECT work_id FROM work_redirects WHERE old_id = $1").bind(old.0),
        fetch_optional
    )?;
    Ok(row.map(|(id,)| WorkId(id)))
}

/// Title and lock of a work, inside a transaction.
async fn title_of(db: &Db, tx: &mut Tx, work: WorkId) -> Result<(String, bool)> {
    let row: Option<(String, Option<OffsetDateTime>)> = tx!(
        db,
        tx,
        sqlx::query_as("SELECT title, locked_at FROM works WHERE id = $1").bind(work.0),
        fetch_optional
    )?;
    row.map(|(t, l)| (t, l.is_some()))
        .ok_or(StorageError::NotFound("book"))
}

type ReviewRow = (
    Uuid,
    Uuid,
    Uuid,
    Option<String>,
    String,
    bool,
    Option<bool>,
    OffsetDateTime,
    OffsetDateTime,
);

fn review_json(r: &ReviewRow) -> serde_json::Value {
    json!({
        "reader": r.1, "work": r.2, "headline": r.3, "body": r.4, "spoiler": r.5,
        "recommends": r.6, "created_at": r.7.to_string(), "updated_at": r.8.to_string(),
    })
}

/// Merge `from` into `into`: everything attached to `from` moves to `into`,
/// `from` is deleted and its id redirects to `into`. Returns the id of the
/// history entry.
pub async fn merge_works(db: &Db, from: WorkId, into: WorkId, by: UserId) -> Result<Uuid> {
    if from == into {
        return Err(StorageError::Conflict(
            "A book cannot be merged into itself; choose the other book.".into(),
        ));
    }
    let mut tx = db.begin().await?;
    let (from_title, from_locked) = title_of(db, &mut tx, from).await?;
    let (into_title, into_locked) = title_of(db, &mut tx, into).await?;
    if from_locked || into_locked {
        let locked = if from_locked {
            &from_title
        } else {
            &into_title
        };
        return Err(StorageError::Conflict(format!(
            "\"{locked}\" is locked against changes; unlock it before merging."
        )));
    }
    let t = &mut tx;
    let mut fields = vec![FieldChange {
        entity: Entity::Work,
        entity_id: from.0,
        field: "merged_into".into(),
        before: Some(json!({"id": from, "title": from_title})),
        after: Some(json!({"id": into, "title": into_title})),
    }];

    // Reviews: one per reader. The newer stays; the other goes to history.
    let reviews: Vec<ReviewRow> = tx!(
        db,
        t,
        sqlx::query_as(
            "SELECT id, user_id, work_id, headline, body, spoiler, recommends, created_at,
                    updated_at
             FROM reviews r WHERE work_id IN ($1, $2) AND EXISTS
                (SELECT 1 FROM reviews o WHERE o.user_id = r.user_id AND o.work_id IN ($1, $2)
                 AND o.id <> r.id)
             ORDER BY user_id, updated_at DESC, work_id = $2 DESC"
        )
        .bind(from.0)
        .bind(into.0),
        fetch_all
    )?;
    for r in superseded(&reviews, |r| r.1) {
        fields.push(FieldChange {
            entity: Entity::Review,
            entity_id: r.0,
            field: "review".into(),
            before: Some(review_json(r)),
            after: None,
        });
        tx!(
            db,
            t,
            sqlx::query("DELETE FROM reviews WHERE id = $1").bind(r.0),
            execute
        )?;
    }
    tx!(
        db,
        t,
        sqlx::query("UPDATE reviews SET work_id = $2 WHERE work_id = $1")
            .bind(from.0)
            .bind(into.0),
        execute
    )?;

    // Ratings: the same rule.
    let ratings: Vec<(Uuid, Uuid, i64, OffsetDateTime, OffsetDateTime)> = tx!(
        db,
        t,
        sqlx::query_as(
            "SELECT user_id, work_id, halves, created_at, updated_at FROM ratings r
             WHERE work_id IN ($1, $2) AND EXISTS
                (SELECT 1 FROM ratings o WHERE o.user_id = r.user_id AND o.work_id IN ($1, $2)
                 AND o.work_id <> r.work_id)
             ORDER BY user_id, updated_at DESC, work_id = $2 DESC"
        )
        .bind(from.0)
        .bind(into.0),
        fetch_all
    )?;
    for r in superseded(&ratings, |r| r.0) {
        fields.push(FieldChange {
            entity: Entity::Rating,
            entity_id: r.0,
            field: "rating".into(),
            before: Some(json!({
                "reader": r.0, "work": r.1, "stars": r.2 as f64 / 2.0,
                "created_at": r.3.to_string(), "updated_at": r.4.to_string(),
            })),
            after: None,
        });
        tx!(
            db,
            t,
            sqlx::query("DELETE FROM ratings WHERE user_id = $1 AND work_id = $2")
                .bind(r.0)
                .bind(r.1),
            execute
        )?;
    }
    tx!(
        db,
        t,
        sqlx::query("UPDATE ratings SET work_id = $2 WHERE work_id = $1")
            .bind(from.0)
            .bind(into.0),
        execute
    )?;

    // Rows keyed by (owner, work): a row the survivor already has stays,
    // the merged work's copy of it goes (the same shelf entry twice is one).
    for (table, owner) in [
        ("shelf_items", "shelf_id"),
        ("queue_entries", "user_id"),
        ("club_nominations", "club_id"),
        ("work_subjects", "subject_id"),
    ] {
        let update = format!(
            "UPDATE {table} SET work_id = $2 WHERE work_id = $1 AND NOT EXISTS
                (SELECT 1 FROM {table} o WHERE o.{owner} = {table}.{owner} AND o.work_id = $2)"
        );
        tx!(
            db,
            t,
            sqlx::query(sqlx::AssertSqlSafe(update.as_str()))
                .bind(from.0)
                .bind(into.0),
            execute
        )?;
        let delete = format!("DELETE FROM {table} WHERE work_id = $1");
        tx!(
            db,
            t,
            sqlx::query(sqlx::AssertSqlSafe(delete.as_str())).bind(from.0),
            execute
        )?;
    }

    // Readings, material, identifiers and editions (their covers and
    // edition credits follow the edition) simply move. The survivor keeps
    // its own primary edition.
    for sql in [
        "UPDATE readings SET work_id = $2 WHERE work_id = $1",
        "UPDATE club_selections SET work_id = $2 WHERE work_id = $1",
        "UPDATE materials SET work_id = $2, position = position + 1000 WHERE work_id = $1",
        "UPDATE work_identifiers SET work_id = $2 WHERE work_id = $1",
        "UPDATE editions SET work_id = $2, is_primary = FALSE WHERE work_id = $1",
        "UPDATE credits SET work_id = $2 WHERE work_id = $1 AND edition_id IS NOT NULL",
        // The survivor's history shows what happened to the merged work.
        "UPDATE catalog_changes SET work_id = $2 WHERE work_id = $1",
        // Chains collapse: what pointed at the merged work points at the survivor.
        "UPDATE work_redirects SET work_id = $2 WHERE work_id = $1",
        // Members' proposals stay open; one about the work itself now
        // proposes the change to the survivor (accepting still checks the
        // values it expected, so nothing is overwritten blindly).
        "UPDATE edit_proposals SET work_id = $2,
            entity_id = CASE WHEN entity = 'work' THEN $2 ELSE entity_id END
         WHERE work_id = $1",
    ] {
        tx!(db, t, sqlx::query(sql).bind(from.0).bind(into.0), execute)?;
    }

    // Work credits: a person already credited in that role is not added twice.
    tx!(
        db,
        t,
        sqlx::query(
            "DELETE FROM credits WHERE work_id = $1 AND edition_id IS NULL AND EXISTS
                (SELECT 1 FROM credits o WHERE o.work_id = $2 AND o.edition_id IS NULL
                 AND o.contributor_id = credits.contributor_id AND o.role = credits.role)"
        )
        .bind(from.0)
        .bind(into.0),
        execute
    )?;
    tx!(
        db,
        t,
        sqlx::query(
            "UPDATE credits SET work_id = $2, position = position + 1000
             WHERE work_id = $1 AND edition_id IS NULL"
        )
        .bind(from.0)
        .bind(into.0),
        execute
    )?;

    // Questions: the same question on both works becomes one, and its
    // votes join (a reader who voted for both keeps one vote).
    let questions: Vec<(Uuid, Uuid, String)> = tx!(
        db,
        t,
        sqlx::query_as("SELECT id, work_id, body FROM questions WHERE work_id IN ($1, $2)")
            .bind(from.0)
            .bind(into.0),
        fetch_all
    )?;
    for (qid, work, body) in questions.iter().filter(|q| q.1 == from.0) {
        let twin = questions.iter().find(|o| {
            o.1 == into.0 && quire_domain::text::fold(&o.2) == quire_domain::text::fold(body)
        });
        let Some((keep, _, _)) = twin else {
            continue;
        };
        debug_assert_eq!(*work, from.0);
        tx!(
            db,
            t,
            sqlx::query(
                "INSERT INTO question_votes (question_id, user_id, created_at)
                 SELECT $2, user_id, created_at FROM question_votes WHERE question_id = $1
                 ON CONFLICT DO NOTHING"
            )
            .bind(qid)
            .bind(keep),
            execute
        )?;
        tx!(
            db,
            t,
            sqlx::query("DELETE FROM questions WHERE id = $1").bind(qid),
            execute
        )?;
    }
    tx!(
        db,
        t,
        sqlx::query(
            "UPDATE questions SET work_id = $2, position = position + 1000 WHERE work_id = $1"
        )
        .bind(from.0)
        .bind(into.0),
        execute
    )?;

    // The survivor takes the merged work's series if it has none.
    tx!(
        db,
        t,
        sqlx::query(
            "UPDATE works SET series_id = (SELECT series_id FROM works WHERE id = $1),
                series_position = (SELECT series_position FROM works WHERE id = $1)
             WHERE id = $2 AND series_id IS NULL"
        )
        .bind(from.0)
        .bind(into.0),
        execute
    )?;

    history::record(
        db,
        t,
        &NewChange {
            work: Some(into),
            kind: ChangeKind::Merge,
            summary: format!("Merged \"{from_title}\" into this book"),
            user: Some(by),
            reverts: None,
            fields,
        },
    )
    .await?;
    bump_revision(db, t, from).await?;
    tx!(
        db,
        t,
        sqlx::query("DELETE FROM works WHERE id = $1").bind(from.0),
        execute
    )?;
    tx!(
        db,
        t,
        sqlx::query(
            "INSERT INTO work_redirects (old_id, work_id, merged_by, merged_at)
             VALUES ($1, $2, $3, $4)"
        )
        .bind(from.0)
        .bind(into.0)
        .bind(by.0)
        .bind(now()),
        execute
    )?;
    crate::ratings::refresh_stats(db, t, into).await?;
    refresh_keys(db, t, into).await?;
    bump_revision(db, t, into).await?;
    let change = last_change(db, t, into).await?;
    tx.commit().await?;
    Ok(change)
}

async fn last_change(db: &Db, tx: &mut Tx, work: WorkId) -> Result<Uuid> {
    let (id,): (Uuid,) = tx!(
        db,
        tx,
        sqlx::query_as(
            "SELECT id FROM catalog_changes WHERE work_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1"
        )
        .bind(work.0),
        fetch_one
    )?;
    Ok(id)
}

/// Move one edition (its cover, its credits, and the readings of it) to
/// another work. The last edition of a work cannot move: merge the works
/// instead.
pub async fn move_edition(db: &Db, edition: EditionId, to: WorkId, by: UserId) -> Result<()> {
    let mut tx = db.begin().await?;
    let t = &mut tx;
    let row: Option<(Uuid, String, bool)> = tx!(
        db,
        t,
        sqlx::query_as("SELECT work_id, title, is_primary FROM editions WHERE id = $1")
            .bind(edition.0),
        fetch_optional
    )?;
    let (from, edition_title, was_primary) = row.ok_or(StorageError::NotFound("edition"))?;
    let from = WorkId(from);
    if from == to {
        return Err(StorageError::Conflict(
            "The edition is already an edition of that book; choose another book.".into(),
        ));
    }
    let (from_title, from_locked) = title_of(db, t, from).await?;
    let (to_title, to_locked) = title_of(db, t, to).await?;
    if from_locked || to_locked {
        let locked = if from_locked { &from_title } else { &to_title };
        return Err(StorageError::Conflict(format!(
            "\"{locked}\" is locked against changes; unlock it before moving editions."
        )));
    }
    let (others,): (i64,) = tx!(
        db,
        t,
        sqlx::query_as("SELECT COUNT(*) FROM editions WHERE work_id = $1 AND id <> $2")
            .bind(from.0)
            .bind(edition.0),
        fetch_one
    )?;
    if others == 0 {
        return Err(StorageError::Conflict(format!(
            "This is the only edition of \"{from_title}\". Merge \"{from_title}\" into \"{to_title}\" instead."
        )));
    }
    for sql in [
        "UPDATE editions SET work_id = $2, is_primary = FALSE WHERE id = $1",
        "UPDATE credits SET work_id = $2 WHERE edition_id = $1",
        "UPDATE readings SET work_id = $2 WHERE edition_id = $1",
    ] {
        tx!(db, t, sqlx::query(sql).bind(edition.0).bind(to.0), execute)?;
    }
    if was_primary {
        tx!(
            db,
            t,
            sqlx::query(
                "UPDATE editions SET is_primary = TRUE WHERE id =
                    (SELECT id FROM editions WHERE work_id = $1 ORDER BY created_at, id LIMIT 1)"
            )
            .bind(from.0),
            execute
        )?;
    }
    let field = FieldChange {
        entity: Entity::Edition,
        entity_id: edition.0,
        field: "work".into(),
        before: Some(json!({"id": from, "title": from_title})),
        after: Some(json!({"id": to, "title": to_title})),
    };
    for (work, summary) in [
        (
            from,
            format!("Moved the edition \"{edition_title}\" to \"{to_title}\""),
        ),
        (
            to,
            format!("Moved the edition \"{edition_title}\" here from \"{from_title}\""),
        ),
    ] {
        history::record(
            db,
            t,
            &NewChange {
                work: Some(work),
                kind: ChangeKind::MoveEdition,
                summary,
                user: Some(by),
                reverts: None,
                fields: vec![field.clone()],
            },
        )
        .await?;
        bump_revision(db, t, work).await?;
    }
    tx.commit().await
}

/// A pair of works that may be one book, for the librarians' list.
#[derive(Clone, Debug)]
pub struct DuplicatePair {
    pub a: WorkSummary,
    pub b: WorkSummary,
    /// Why they are listed: "same title and first author", "same series
    /// place and first author".
    pub reason: &'static str,
}

const PAIRS: &str = "FROM work_keys a JOIN work_keys b
        ON b.match_key = a.match_key AND b.author_key = a.author_key AND a.work_id < b.work_id
     WHERE a.author_key <> '' AND NOT (a.kind = 'main' AND b.kind = 'main')
       AND (a.series_key = b.series_key OR a.series_key = '' OR b.series_key = '')";

/// How many pairs of works share a normalised title (or series place) and
/// first author.
pub async fn count_duplicate_pairs(db: &Db) -> Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM (SELECT DISTINCT a.work_id, b.work_id {PAIRS}) p");
    let (n,): (i64,) = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())),
        fetch_one
    )?;
    Ok(n)
}

/// One page of possible duplicates (the same normalised title, or the same
/// series place, and the same first author), the most rated pairs first.
/// Works that share an ISBN or an outside identifier cannot exist: both are
/// unique in the catalog, and imports join such works as they come.
pub async fn duplicate_pairs(db: &Db, page: u32, per_page: u32) -> Result<Vec<DuplicatePair>> {
    let sql = format!(
        "SELECT p.x, p.y, p.kind FROM
            (SELECT a.work_id AS x, b.work_id AS y, MIN(a.kind) AS kind {PAIRS}
             GROUP BY a.work_id, b.work_id) p
         LEFT JOIN work_stats sa ON sa.work_id = p.x LEFT JOIN work_stats sb ON sb.work_id = p.y
         ORDER BY COALESCE(sa.rating_count, 0) + COALESCE(sb.rating_count, 0) DESC, p.x, p.y
         LIMIT $1 OFFSET $2"
    );
    let pairs: Vec<(Uuid, Uuid, String)> = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(i64::from(per_page))
            .bind(i64::from(page.saturating_sub(1)) * i64::from(per_page)),
        fetch_all
    )?;
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = pairs.iter().flat_map(|p| [p.0, p.1]).collect();
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
    let works = summaries(db, rows).await?;
    let find = |id: Uuid| works.iter().find(|w| w.id.0 == id).cloned();
    Ok(pairs
        .into_iter()
        .filter_map(|(a, b, kind)| {
            Some(DuplicatePair {
                a: find(a)?,
                b: find(b)?,
                reason: if kind == "series" {
                    "the same place in the same series, by the same first author"
                } else {
                    "the same title and first author"
                },
            })
        })
        .collect())
}

/// What lists show for one work; `None` when there is no such work.
pub async fn work_summary(db: &Db, work: WorkId) -> Result<Option<WorkSummary>> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM works w LEFT JOIN work_stats s ON s.work_id = w.id
         WHERE w.id = $1"
    );
    let rows: Vec<SummaryRow> = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(work.0),
        fetch_all
    )?;
    Ok(summaries(db, rows).await?.into_iter().next())
}

/// The work an edition belongs to and the edition's title, format and
/// ISBN in one line ("The Push · Paperback · ISBN 9781984881670").
pub async fn edition_work(db: &Db, edition: EditionId) -> Result<Option<(WorkId, String)>> {
    type Row = (Uuid, String, String, Option<String>, Option<String>);
    let row: Option<Row> = read!(
        db,
        sqlx::query_as(
            "SELECT work_id, title, format, isbn13, publisher FROM editions WHERE id = $1"
        )
        .bind(edition.0),
        fetch_optional
    )?;
    Ok(row.map(|(work, title, format, isbn, publisher)| {
        let mut line = title;
        if let Some(f) = Format::parse(&format).filter(|f| *f != Format::Other) {
            line.push_str(&format!(" · {}", f.label()));
        }
        if let Some(p) = publisher {
            line.push_str(&format!(" · {p}"));
        }
        if let Some(i) = isbn {
            line.push_str(&format!(" · ISBN {i}"));
        }
        (WorkId(work), line)
    }))
}

/// Rows sorted by reader, newest first: every row after a reader's first,
/// i.e. the ones a newer row by the same reader replaces in a merge.
fn superseded<T>(rows: &[T], reader: impl Fn(&T) -> Uuid) -> impl Iterator<Item = &T> {
    let mut seen = std::collections::HashSet::new();
    rows.iter().filter(move |r| !seen.insert(reader(r)))
}
