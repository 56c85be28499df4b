//! Members adding to the catalog: a new book with its first edition, or a
//! new edition of a book already there. Unlike an import, a member's ISBN
//! that is already in the catalog is a conflict that names the book holding
//! it, and each addition is kept in the catalog history in the same
//! transaction.

use super::works::insert_work_in;
use super::*;
use crate::history::{self, ChangeKind, Entity, FieldChange, NewChange};
use serde_json::{Value, json};

/// The book that already has an edition with this ISBN, if any: its id
/// and title.
async fn isbn_holder(db: &Db, tx: &mut Tx, isbn: Isbn13) -> Result<Option<(WorkId, String)>> {
    let row: Option<(Uuid, String)> = tx!(
        db,
        tx,
        sqlx::query_as(
            "SELECT w.id, w.title FROM editions e JOIN works w ON w.id = e.work_id
             WHERE e.isbn13 = $1"
        )
        .bind(isbn.to_string()),
        fetch_optional
    )?;
    Ok(row.map(|(id, t)| (WorkId(id), t)))
}

fn isbn_taken(isbn: Isbn13, work: WorkId, title: &str) -> StorageError {
    StorageError::Conflict(format!(
        "ISBN {isbn} is already in Quire, on an edition of \"{title}\" (/books/{work}). \
         Check the number, or add to that book instead."
    ))
}

async fn refuse_known_isbn(db: &Db, tx: &mut Tx, isbn: Option<Isbn13>) -> Result<()> {
    if let Some(isbn) = isbn
        && let Some((work, title)) = isbn_holder(db, tx, isbn).await?
    {
        return Err(isbn_taken(isbn, work, &title));
    }
    Ok(())
}

/// Whether the edition row is there: an insert that met a unique ISBN
/// written by a concurrent request does nothing rather than fail.
async fn edition_exists(db: &Db, tx: &mut Tx, edition: EditionId) -> Result<bool> {
    let (n,): (i64,) = tx!(
        db,
        tx,
        sqlx::query_as("SELECT COUNT(*) FROM editions WHERE id = $1").bind(edition.0),
        fetch_one
    )?;
    Ok(n > 0)
}

fn text(v: &Option<String>) -> Option<Value> {
    v.as_ref().map(|s| json!(s))
}

fn edition_fields(e: &NewEdition) -> Vec<FieldChange> {
    let f = |field: &str, after: Option<Value>| FieldChange {
        entity: Entity::Edition,
        entity_id: e.id.0,
        field: field.into(),
        before: None,
        after,
    };
    let mut out = vec![
        f("title", Some(json!(e.title))),
        f("subtitle", text(&e.subtitle)),
        f("format", Some(json!(e.format.as_str()))),
        f("pages", e.pages.map(|p| json!(p))),
        f("isbn13", e.isbn13.map(|i| json!(i.to_string()))),
        f("publisher", text(&e.publisher)),
        f("published", e.published.map(|d| json!(d.to_iso()))),
        f("language", text(&e.language)),
    ];
    out.retain(|c| c.after.is_some());
    out.extend(credit_fields(Some(e.id), &e.credits));
    out
}

fn credit_fields(edition: Option<EditionId>, credits: &[NewCredit]) -> Vec<FieldChange> {
    credits
        .iter()
        .map(|c| FieldChange {
            entity: Entity::Credit,
            entity_id: edition.map(|e| e.0).unwrap_or_default(),
            field: "credit".into(),
            before: None,
            after: Some(json!({"name": c.name.trim(), "role": c.role.as_str()})),
        })
        .collect()
}

fn work_fields(w: &NewWork) -> Vec<FieldChange> {
    let f = |field: &str, after: Option<Value>| FieldChange {
        entity: Entity::Work,
        entity_id: w.id.0,
        field: field.into(),
        before: None,
        after,
    };
    let mut out = vec![
        f("title", Some(json!(w.title))),
        f("subtitle", text(&w.subtitle)),
        f(
            "first_published",
            w.first_published.map(|d| json!(d.to_iso())),
        ),
        f(
            "series",
            w.series
                .as_ref()
                .map(|(name, n)| json!({"name": name, "position": n})),
        ),
        f(
            "subjects",
            (!w.subjects.is_empty())
                .then(|| json!(w.subjects.iter().map(|(s, _)| s).collect::<Vec<_>>())),
        ),
    ];
    out.retain(|c| c.after.is_some());
    out.extend(credit_fields(None, &w.credits));
    out
}

/// Add a member's new book with its editions, and record the addition in
/// the history. An ISBN already in the catalog is a conflict naming the
/// book that has it; nothing is saved then.
pub async fn create_work(db: &Db, w: &NewWork, by: Option<UserId>) -> Result<()> {
    let mut tx = db.begin().await?;
    for e in &w.editions {
        refuse_known_isbn(db, &mut tx, e.isbn13).await?;
    }
    if insert_work_in(db, &mut tx, w).await? == 0 {
        return Err(StorageError::Conflict(format!(
            "a book with the id {} is already in Quire",
            w.id
        )));
    }
    for e in &w.editions {
        if !edition_exists(db, &mut tx, e.id).await? {
            return Err(StorageError::Conflict(format!(
                "ISBN {} was added to Quire a moment ago by someone else; search for it",
                e.isbn13.map(|i| i.to_string()).unwrap_or_default()
            )));
        }
    }
    let mut fields = work_fields(w);
    for e in &w.editions {
        fields.extend(edition_fields(e));
    }
    history::record(
        db,
        &mut tx,
        &NewChange {
            work: Some(w.id),
            kind: ChangeKind::Create,
            summary: format!("Added the book \"{}\"", w.title),
            user: by,
            reverts: None,
            fields,
        },
    )
    .await?;
    tx.commit().await
}

/// Add a member's edition to an existing work, and record it in the
/// history. An ISBN already in the catalog is a conflict naming the book
/// that has it.
pub async fn add_edition_by(
    db: &Db,
    work: WorkId,
    e: &NewEdition,
    by: Option<UserId>,
) -> Result<()> {
    let mut tx = db.begin().await?;
    refuse_known_isbn(db, &mut tx, e.isbn13).await?;
    super::editions::insert_row(db, &mut tx, work, e, e.is_primary, now())
        .await
        .map_err(missing_book)?;
    if !edition_exists(db, &mut tx, e.id).await? {
        return Err(StorageError::Conflict(format!(
            "ISBN {} was added to Quire a moment ago by someone else; search for it",
            e.isbn13.map(|i| i.to_string()).unwrap_or_default()
        )));
    }
    for (i, c) in e.credits.iter().enumerate() {
        insert_credit(db, &mut tx, work, Some(e.id), c, i).await?;
    }
    bump_revision(db, &mut tx, work).await?;
    history::record(
        db,
        &mut tx,
        &NewChange {
            work: Some(work),
            kind: ChangeKind::Create,
            summary: format!("Added an edition: {}", edition_label(e)),
            user: by,
            reverts: None,
            fields: edition_fields(e),
        },
    )
    .await?;
    tx.commit().await
}

/// "Paperback, ISBN 9781984881670, Penguin".
fn edition_label(e: &NewEdition) -> String {
    let mut parts = vec![e.format.label().to_string()];
    parts.extend(e.isbn13.map(|i| format!("ISBN {i}")));
    parts.extend(e.publisher.clone());
    parts.join(", ")
}

/// Names of contributors that start with `prefix` (any case), then those
/// that contain it, for the "pick an existing contributor" list.
pub async fn find_contributors(db: &Db, prefix: &str, limit: u32) -> Result<Vec<String>> {
    let needle = key(prefix);
    if needle.is_empty() {
        return Ok(Vec::new());
    }
    let escaped = needle
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let rows: Vec<(String,)> = read!(
        db,
        sqlx::query_as(
            "SELECT name FROM contributors WHERE name_key LIKE $1 ESCAPE '\\'
             ORDER BY CASE WHEN name_key LIKE $2 ESCAPE '\\' THEN 0 ELSE 1 END, sort_name
             LIMIT $3"
        )
        .bind(format!("%{escaped}%"))
        .bind(format!("{escaped}%"))
        .bind(i64::from(limit)),
        fetch_all
    )?;
    Ok(rows.into_iter().map(|(n,)| n).collect())
}

/// The changes recorded for a work, newest first, without their fields:
/// (kind, summary, author's user id).
pub async fn change_summaries(
    db: &Db,
    work: WorkId,
) -> Result<Vec<(ChangeKind, String, Option<UserId>)>> {
    let rows: Vec<(String, String, Option<Uuid>)> = read!(
        db,
        sqlx::query_as(
            "SELECT kind, summary, user_id FROM catalog_changes WHERE work_id = $1
             ORDER BY created_at DESC, id DESC"
        )
        .bind(work.0),
        fetch_all
    )?;
    rows.into_iter()
        .map(|(kind, summary, user)| {
            let kind = ChangeKind::parse(&kind)
                .ok_or_else(|| StorageError::Corrupt(format!("unknown change kind \"{kind}\"")))?;
            Ok((kind, summary, user.map(UserId)))
        })
        .collect()
}
