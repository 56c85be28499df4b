//! The catalog's history: every addition, edit, merge, revert and lock is
//! kept as a change with a row per field (who, when, before and after), so a
//! work's history page can show readable differences and a librarian can
//! revert one. Writers record a change in the same transaction as the
//! change itself.

use crate::Result;
use crate::db::{Db, Tx, now};
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
