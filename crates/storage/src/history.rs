//! The catalog's history: every addition, edit, merge, revert and lock is
//! kept as a change with a row per field (who, when, before and after), so a
//! work's history page can show readable differences and a librarian can
//! revert one. Writers record a change in the same transaction as the
//! change itself.

use crate::db::{Db, Tx, now};
use crate::{Result, StorageError};
use quire_domain::{UserId, WorkId};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

/// What kind of change a history entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    Create,
    Edit,
    Merge,
    MoveEdition,
    Revert,
    Lock,
    Unlock,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Create => "create",
            ChangeKind::Edit => "edit",
            ChangeKind::Merge => "merge",
            ChangeKind::MoveEdition => "move_edition",
            ChangeKind::Revert => "revert",
            ChangeKind::Lock => "lock",
            ChangeKind::Unlock => "unlock",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "create" => ChangeKind::Create,
            "edit" => ChangeKind::Edit,
            "merge" => ChangeKind::Merge,
            "move_edition" => ChangeKind::MoveEdition,
            "revert" => ChangeKind::Revert,
            "lock" => ChangeKind::Lock,
            "unlock" => ChangeKind::Unlock,
            _ => return None,
        })
    }
}

/// What a changed field belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entity {
    Work,
    Edition,
    Contributor,
    Series,
    Subject,
    Credit,
    Material,
    Review,
    Rating,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Work => "work",
            Entity::Edition => "edition",
            Entity::Contributor => "contributor",
            Entity::Series => "series",
            Entity::Subject => "subject",
            Entity::Credit => "credit",
            Entity::Material => "material",
            Entity::Review => "review",
            Entity::Rating => "rating",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "work" => Entity::Work,
            "edition" => Entity::Edition,
            "contributor" => Entity::Contributor,
            "series" => Entity::Series,
            "subject" => Entity::Subject,
            "credit" => Entity::Credit,
            "material" => Entity::Material,
            "review" => Entity::Review,
            "rating" => Entity::Rating,
            _ => return None,
        })
    }
}

/// One field's value before and after a change; `None` where it had no
/// value (or the thing did not exist yet, or no longer does).
#[derive(Clone, Debug, PartialEq)]
pub struct FieldChange {
    pub entity: Entity,
    pub entity_id: Uuid,
    pub field: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// A change about to be recorded.
#[derive(Clone, Debug)]
pub struct NewChange {
    pub work: Option<WorkId>,
    pub kind: ChangeKind,
    /// One line a person reads in the history: "Edited the title".
    pub summary: String,
    pub user: Option<UserId>,
    /// The change this one reverts, if it is a revert.
    pub reverts: Option<Uuid>,
    pub fields: Vec<FieldChange>,
}

/// Record a change inside the transaction that makes it. Returns its id.
pub(crate) async fn record(db: &Db, tx: &mut Tx, c: &NewChange) -> Result<Uuid> {
    let id = Uuid::now_v7();
    tx!(
        db,
        tx,
        sqlx::query(
            "INSERT INTO catalog_changes (id, work_id, kind, summary, user_id, reverts, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(id)
        .bind(c.work.map(|w| w.0))
        .bind(c.kind.as_str())
        .bind(&c.summary)
        .bind(c.user.map(|u| u.0))
        .bind(c.reverts)
        .bind(now()),
        execute
    )?;
    for (i, f) in c.fields.iter().enumerate() {
        tx!(
            db,
            tx,
            sqlx::query(
                "INSERT INTO catalog_change_fields
                    (change_id, position, entity, entity_id, field, before_value, after_value)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)"
            )
            .bind(id)
            .bind(i as i64)
            .bind(f.entity.as_str())
            .bind(f.entity_id)
            .bind(&f.field)
            .bind(f.before.as_ref().map(Value::to_string))
            .bind(f.after.as_ref().map(Value::to_string)),
            execute
        )?;
    }
    Ok(id)
}

/// A recorded change, as the history page shows it.
#[derive(Clone, Debug)]
pub struct Change {
    pub id: Uuid,
    pub work: Option<WorkId>,
    pub kind: ChangeKind,
    pub summary: String,
    pub user: Option<UserId>,
    /// The author's display name, when the account still exists.
    pub user_name: Option<String>,
    pub reverts: Option<Uuid>,
    pub created_at: OffsetDateTime,
    pub fields: Vec<FieldChange>,
    /// For an accepted proposal: the librarian who accepted it (`user` is
    /// the member who proposed it).
    pub accepted_by: Option<String>,
}

/// One page of a work's history, newest first.
#[derive(Clone, Debug)]
pub struct HistoryPage {
    pub changes: Vec<Change>,
    /// How many changes the work's history holds in all.
    pub total: i64,
}

type ChangeRow = (
    Uuid,
    Option<Uuid>,
    String,
    String,
    Option<Uuid>,
    Option<String>,
    Option<Uuid>,
    OffsetDateTime,
    Option<String>,
);

type FieldRow = (Uuid, String, Uuid, String, Option<String>, Option<String>);

const CHANGE_SELECT: &str = "SELECT c.id, c.work_id, c.kind, c.summary, c.user_id, u.display_name,
        c.reverts, c.created_at, a.display_name
     FROM catalog_changes c
     LEFT JOIN users u ON u.id = c.user_id
     LEFT JOIN edit_proposals p ON p.change_id = c.id
     LEFT JOIN users a ON a.id = p.decided_by";

fn fields_sql(n: usize) -> String {
    format!(
        "SELECT change_id, entity, entity_id, field, before_value, after_value
         FROM catalog_change_fields WHERE change_id IN ({}) ORDER BY change_id, position",
        crate::catalog::placeholders(1, n)
    )
}

fn json(s: Option<String>) -> Result<Option<Value>> {
    s.map(|s| {
        serde_json::from_str(&s)
            .map_err(|e| StorageError::Corrupt(format!("a history value is not JSON: {e}")))
    })
    .transpose()
}

fn assemble(rows: Vec<ChangeRow>, fields: Vec<FieldRow>) -> Result<Vec<Change>> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let kind = ChangeKind::parse(&r.2)
            .ok_or_else(|| StorageError::Corrupt(format!("unknown change kind {:?}", r.2)))?;
        let mut fs = Vec::new();
        for f in fields.iter().filter(|f| f.0 == r.0) {
            fs.push(FieldChange {
                entity: Entity::parse(&f.1)
                    .ok_or_else(|| StorageError::Corrupt(format!("unknown entity {:?}", f.1)))?,
                entity_id: f.2,
                field: f.3.clone(),
                before: json(f.4.clone())?,
                after: json(f.5.clone())?,
            });
        }
        out.push(Change {
            id: r.0,
            work: r.1.map(WorkId),
            kind,
            summary: r.3,
            user: r.4.map(UserId),
            user_name: r.5,
            reverts: r.6,
            created_at: r.7,
            fields: fs,
            accepted_by: r.8,
        });
    }
    Ok(out)
}

/// One page of a work's history, newest first (two queries, plus one for
/// the total).
pub async fn for_work(db: &Db, work: WorkId, page: u32, per_page: u32) -> Result<HistoryPage> {
    let page = page.max(1);
    let (total,): (i64,) = read!(
        db,
        sqlx::query_as("SELECT COUNT(*) FROM catalog_changes WHERE work_id = $1").bind(work.0),
        fetch_one
    )?;
    let sql = format!(
        "{CHANGE_SELECT} WHERE c.work_id = $1 ORDER BY c.created_at DESC, c.id DESC LIMIT $2 OFFSET $3"
    );
    let rows: Vec<ChangeRow> = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(work.0)
            .bind(i64::from(per_page))
            .bind(i64::from(page - 1) * i64::from(per_page)),
        fetch_all
    )?;
    Ok(HistoryPage {
        changes: with_fields(db, rows).await?,
        total,
    })
}

/// A page of a work's history for the API, newest first, after the change
/// `(created_at, id)` when given: keyset paging, so changes made while a
/// client walks the history neither repeat nor push others past it (two
/// queries, plus one for the total).
pub async fn for_work_after(
    db: &Db,
    work: WorkId,
    after: Option<(OffsetDateTime, Uuid)>,
    limit: u32,
) -> Result<HistoryPage> {
    let (total,): (i64,) = read!(
        db,
        sqlx::query_as("SELECT COUNT(*) FROM catalog_changes WHERE work_id = $1").bind(work.0),
        fetch_one
    )?;
    let (t, id) = after.unzip();
    let sql = format!(
        "{CHANGE_SELECT} WHERE c.work_id = $1
           AND ($2 IS NULL OR c.created_at < $2 OR (c.created_at = $2 AND c.id < $3))
         ORDER BY c.created_at DESC, c.id DESC LIMIT $4"
    );
    let rows: Vec<ChangeRow> = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(work.0)
            .bind(t)
            .bind(id)
            .bind(i64::from(limit)),
        fetch_all
    )?;
    Ok(HistoryPage {
        changes: with_fields(db, rows).await?,
        total,
    })
}

/// The changes of `rows` with their fields (one query; none for no rows).
async fn with_fields(db: &Db, rows: Vec<ChangeRow>) -> Result<Vec<Change>> {
    let fields: Vec<FieldRow> = if rows.is_empty() {
        Vec::new()
    } else {
        let sql = fields_sql(rows.len());
        read!(
            db,
            {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
                for r in &rows {
                    q = q.bind(r.0);
                }
                q
            },
            fetch_all
        )?
    };
    assemble(rows, fields)
}

/// One recorded change.
pub async fn change(db: &Db, id: Uuid) -> Result<Option<Change>> {
    let mut tx = db.begin().await?;
    let c = change_in(db, &mut tx, id).await?;
    tx.commit().await?;
    Ok(c)
}

async fn changes_in(db: &Db, tx: &mut Tx, rows: Vec<ChangeRow>) -> Result<Vec<Change>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let sql = fields_sql(rows.len());
    let fields: Vec<FieldRow> = tx!(
        db,
        tx,
        {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
            for r in &rows {
                q = q.bind(r.0);
            }
            q
        },
        fetch_all
    )?;
    assemble(rows, fields)
}

pub(crate) async fn change_in(db: &Db, tx: &mut Tx, id: Uuid) -> Result<Option<Change>> {
    let sql = format!("{CHANGE_SELECT} WHERE c.id = $1");
    let rows: Vec<ChangeRow> = tx!(
        db,
        tx,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id),
        fetch_all
    )?;
    Ok(changes_in(db, tx, rows).await?.into_iter().next())
}

/// The changes to one thing after the first `version` of them, oldest
/// first: what a stale form missed.
pub(crate) async fn since_in(
    db: &Db,
    tx: &mut Tx,
    entity: Entity,
    id: Uuid,
    version: i64,
) -> Result<Vec<Change>> {
    let sql = format!(
        "{CHANGE_SELECT} WHERE c.id IN (SELECT change_id FROM catalog_change_fields
            WHERE entity = $1 AND entity_id = $2)
         ORDER BY c.created_at, c.id LIMIT 50 OFFSET $3"
    );
    let rows: Vec<ChangeRow> = tx!(
        db,
        tx,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(entity.as_str())
            .bind(id)
            .bind(version.max(0)),
        fetch_all
    )?;
    changes_in(db, tx, rows).await
}

/// Every recorded field change on a work, oldest first, with the kind of
/// change it belongs to (a merge's dropped reviews and ratings among them).
pub async fn fields_of_work(db: &Db, work: WorkId) -> Result<Vec<(ChangeKind, FieldChange)>> {
    type Row = (String, String, Uuid, String, Option<String>, Option<String>);
    let rows: Vec<Row> = read!(
        db,
        sqlx::query_as(
            "SELECT c.kind, f.entity, f.entity_id, f.field, f.before_value, f.after_value
             FROM catalog_changes c JOIN catalog_change_fields f ON f.change_id = c.id
             WHERE c.work_id = $1 ORDER BY c.created_at, c.id, f.position"
        )
        .bind(work.0),
        fetch_all
    )?;
    let json = |v: Option<String>| -> Result<Option<Value>> {
        v.map(|s| serde_json::from_str(&s))
            .transpose()
            .map_err(|e| crate::StorageError::Corrupt(format!("a history value is not JSON: {e}")))
    };
    rows.into_iter()
        .map(|(kind, entity, id, field, before, after)| {
            let corrupt =
                |what: &str| crate::StorageError::Corrupt(format!("unknown {what} in the history"));
            Ok((
                ChangeKind::parse(&kind).ok_or_else(|| corrupt("change kind"))?,
                FieldChange {
                    entity: Entity::parse(&entity).ok_or_else(|| corrupt("entity"))?,
                    entity_id: id,
                    field,
                    before: json(before)?,
                    after: json(after)?,
                },
            ))
        })
        .collect()
}
