//! Edits proposed by members. A proposal keeps, per field, the value the
//! member saw and the value they want; a librarian accepts it (applied by
//! [`super::edit::apply_in`], the same path as a direct edit, credited to the
//! member, and refused if a field changed since) or declines it with a
//! reason. The member may withdraw it while it is open.

use super::edit::{self, EditError, EditRequest, Expect, Fields, Target, field_label};
use super::*;
use crate::history::{ChangeKind, Entity};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

/// Where a proposal stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    Open,
    Accepted,
    Declined,
    Withdrawn,
}

impl ProposalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalStatus::Open => "open",
            ProposalStatus::Accepted => "accepted",
            ProposalStatus::Declined => "declined",
            ProposalStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "open" => ProposalStatus::Open,
            "accepted" => ProposalStatus::Accepted,
            "declined" => ProposalStatus::Declined,
            "withdrawn" => ProposalStatus::Withdrawn,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            ProposalStatus::Open => "Waiting for a librarian",
            ProposalStatus::Accepted => "Accepted",
            ProposalStatus::Declined => "Declined",
            ProposalStatus::Withdrawn => "Withdrawn",
        }
    }
}

/// One proposed field: what the member saw, and what they want.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProposedField {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

#[derive(Clone, Debug, Serialize)]
pub struct Proposal {
    pub id: Uuid,
    pub target: Target,
    pub work: Option<WorkId>,
    /// The title or name of what it changes, as it is now.
    pub subject: String,
    pub changes: Vec<ProposedField>,
    pub note: String,
    pub status: ProposalStatus,
    pub proposed_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub decided_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    pub reason: Option<String>,
    /// The change an accepted proposal made.
    pub change: Option<Uuid>,
}

const NOTE_MAX: usize = 2_000;

/// Propose an edit. Only fields that differ from the stored values are
/// kept; a proposal that changes nothing, or one on a locked book, is
/// refused.
pub async fn propose(
    db: &Db,
    target: Target,
    values: &Fields,
    note: &str,
    user: UserId,
) -> Result<Uuid, EditError> {
    let note = note.trim();
    if note.chars().count() > NOTE_MAX {
        return Err(EditError::Invalid {
            field: "note",
            message: format!("A note can be at most {NOTE_MAX} characters long."),
        });
    }
    let cur = edit::current(db, target)
        .await?
        .ok_or(StorageError::NotFound("book"))?;
    if let Some(lock) = cur.lock {
        return Err(EditError::Locked(lock));
    }
    let changed = edit::preview(db, target, values).await?;
    if changed.is_empty() {
        return Err(EditError::Invalid {
            field: "title",
            message: "Your proposal changes nothing: every value is the one already stored. Change a field, then propose it.".into(),
        });
    }
    let changes: Vec<ProposedField> = changed
        .into_iter()
        .map(|(f, before, after)| ProposedField {
            field: f.to_string(),
            before,
            after,
        })
        .collect();
    let json = serde_json::to_string(&changes).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    let id = Uuid::now_v7();
    write!(
        db,
        sqlx::query(
            "INSERT INTO edit_proposals (id, entity, entity_id, work_id, changes, note, status,
                proposed_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8)"
        )
        .bind(id)
        .bind(target.entity().as_str())
        .bind(target.id())
        .bind(cur.work.map(|w| w.0))
        .bind(json)
        .bind(note)
        .bind(user.0)
        .bind(now()),
        execute
    )
    .map_err(StorageError::Sql)?;
    Ok(id)
}

/// Accept an open proposal: its fields are applied as an edit by the member
/// who proposed it, and the proposal names the librarian who accepted it.
pub async fn accept(
    db: &Db,
    id: Uuid,
    librarian: UserId,
    override_lock: bool,
) -> Result<Option<Uuid>, EditError> {
    let mut tx = db.begin().await?;
    let row: Option<(String, Uuid, String, Option<Uuid>)> = tx!(
        db,
        &mut tx,
        sqlx::query_as(
            "SELECT entity, entity_id, changes, proposed_by FROM edit_proposals
             WHERE id = $1 AND status = 'open'"
        )
        .bind(id),
        fetch_optional
    )?;
    let Some((entity, entity_id, changes, proposer)) = row else {
        return Err(not_open(db, id).await?.into());
    };
    let target = Entity::parse(&entity)
        .and_then(|e| Target::from_parts(e, entity_id))
        .ok_or_else(|| StorageError::Corrupt(format!("unknown proposal entity {entity:?}")))?;
    let changes: Vec<ProposedField> = serde_json::from_str(&changes)
        .map_err(|e| StorageError::Corrupt(format!("a proposal is not JSON: {e}")))?;
    let mut values = Fields::new();
    let mut before = Fields::new();
    for c in changes {
        values.insert(c.field.clone(), c.after);
        before.insert(c.field, c.before);
    }
    let applied = edit::apply_in(
        db,
        &mut tx,
        &EditRequest {
            target,
            values,
            expect: Expect::Values(before),
            // A proposer whose account is gone: the librarian carries it.
            user: proposer.map(UserId).unwrap_or(librarian),
            override_lock,
            kind: ChangeKind::Edit,
            reverts: None,
        },
    )
    .await?;
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "UPDATE edit_proposals SET status = 'accepted', decided_by = $2, decided_at = $3,
                change_id = $4 WHERE id = $1"
        )
        .bind(id)
        .bind(librarian.0)
        .bind(now())
        .bind(applied.change),
        execute
    )?;
    tx.commit().await?;
    Ok(applied.change)
}

async fn not_open(db: &Db, id: Uuid) -> Result<StorageError> {
    let row: Option<(String,)> = read!(
        db,
        sqlx::query_as("SELECT status FROM edit_proposals WHERE id = $1").bind(id),
        fetch_optional
    )?;
    Ok(match row {
        None => StorageError::NotFound("proposal"),
        Some((status,)) => StorageError::Conflict(format!(
            "This proposal is already {}; nothing was changed.",
            ProposalStatus::parse(&status)
                .map(|s| s.as_str())
                .unwrap_or("decided")
        )),
    })
}

/// Who proposed an edit (`None` when the account is gone) and whether it
/// is still open; `None` when there is no such proposal. The web layer
/// asks before a withdrawal, to refuse someone else's as forbidden.
pub async fn proposer(db: &Db, id: Uuid) -> Result<Option<(Option<UserId>, bool)>> {
    let row: Option<(Option<Uuid>, String)> = read!(
        db,
        sqlx::query_as("SELECT proposed_by, status FROM edit_proposals WHERE id = $1").bind(id),
        fetch_optional
    )?;
    Ok(row.map(|(by, status)| (by.map(UserId), status == "open")))
}

/// Decline an open proposal with a reason the member will read.
pub async fn decline(db: &Db, id: Uuid, librarian: UserId, reason: &str) -> Result<(), EditError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > NOTE_MAX {
        return Err(EditError::Invalid {
            field: "reason",
            message: format!(
                "Say why the proposal is declined (1 to {NOTE_MAX} characters); the member reads it."
            ),
        });
    }
    let done = write!(
        db,
        sqlx::query(
            "UPDATE edit_proposals SET status = 'declined', decided_by = $2, decided_at = $3,
                reason = $4 WHERE id = $1 AND status = 'open'"
        )
        .bind(id)
        .bind(librarian.0)
        .bind(now())
        .bind(reason),
        execute
    )
    .map_err(StorageError::Sql)?;
    if done.rows_affected() == 0 {
        return Err(not_open(db, id).await?.into());
    }
    Ok(())
}

/// The member takes back their own open proposal.
pub async fn withdraw(db: &Db, id: Uuid, user: UserId) -> Result<()> {
    let done = write!(
        db,
        sqlx::query(
            "UPDATE edit_proposals SET status = 'withdrawn', decided_by = $2, decided_at = $3
             WHERE id = $1 AND status = 'open' AND proposed_by = $2"
        )
        .bind(id)
        .bind(user.0)
        .bind(now()),
        execute
    )?;
    if done.rows_affected() == 0 {
        return Err(not_open(db, id).await?);
    }
    Ok(())
}

type ProposalRow = (
    Uuid,
    String,
    Uuid,
    Option<Uuid>,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    OffsetDateTime,
    Option<String>,
    Option<OffsetDateTime>,
    Option<String>,
    Option<Uuid>,
);

const PROPOSAL_SELECT: &str = "SELECT p.id, p.entity, p.entity_id, p.work_id,
        COALESCE(e.title, w.title, c.name, s.name, sj.name), p.changes, p.note, p.status,
        u.display_name, p.created_at, d.display_name, p.decided_at, p.reason, p.change_id
     FROM edit_proposals p
     LEFT JOIN editions e ON p.entity = 'edition' AND e.id = p.entity_id
     LEFT JOIN works w ON w.id = p.work_id
     LEFT JOIN contributors c ON p.entity = 'contributor' AND c.id = p.entity_id
     LEFT JOIN series s ON p.entity = 'series' AND s.id = p.entity_id
     LEFT JOIN subjects sj ON p.entity = 'subject' AND sj.id = p.entity_id
     LEFT JOIN users u ON u.id = p.proposed_by
     LEFT JOIN users d ON d.id = p.decided_by";

fn to_proposal(r: ProposalRow) -> Result<Proposal> {
    let target = Entity::parse(&r.1)
        .and_then(|e| Target::from_parts(e, r.2))
        .ok_or_else(|| StorageError::Corrupt(format!("unknown proposal entity {:?}", r.1)))?;
    Ok(Proposal {
        id: r.0,
        target,
        work: r.3.map(WorkId),
        subject: r.4.unwrap_or_default(),
        changes: serde_json::from_str(&r.5)
            .map_err(|e| StorageError::Corrupt(format!("a proposal is not JSON: {e}")))?,
        note: r.6,
        status: ProposalStatus::parse(&r.7)
            .ok_or_else(|| StorageError::Corrupt(format!("unknown proposal status {:?}", r.7)))?,
        proposed_by: r.8,
        created_at: r.9,
        decided_by: r.10,
        decided_at: r.11,
        reason: r.12,
        change: r.13,
    })
}

/// Open proposals, oldest first (the queue librarians work through).
pub async fn open(db: &Db, limit: u32) -> Result<Vec<Proposal>> {
    let sql =
        format!("{PROPOSAL_SELECT} WHERE p.status = 'open' ORDER BY p.created_at, p.id LIMIT $1");
    let rows: Vec<ProposalRow> = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(i64::from(limit)),
        fetch_all
    )?;
    rows.into_iter().map(to_proposal).collect()
}

/// A member's own proposals, newest first, whatever their status.
pub async fn by_user(db: &Db, user: UserId, limit: u32) -> Result<Vec<Proposal>> {
    let sql = format!(
        "{PROPOSAL_SELECT} WHERE p.proposed_by = $1 ORDER BY p.created_at DESC, p.id DESC LIMIT $2"
    );
    let rows: Vec<ProposalRow> = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(user.0)
            .bind(i64::from(limit)),
        fetch_all
    )?;
    rows.into_iter().map(to_proposal).collect()
}

/// One proposal.
pub async fn get(db: &Db, id: Uuid) -> Result<Option<Proposal>> {
    let sql = format!("{PROPOSAL_SELECT} WHERE p.id = $1");
    let row: Option<ProposalRow> = read!(
        db,
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id),
        fetch_optional
    )?;
    row.map(to_proposal).transpose()
}

/// "the title, the ISBN": the fields a proposal changes, for one line.
pub fn describe(changes: &[ProposedField]) -> String {
    changes
        .iter()
        .map(|c| field_label(&c.field))
        .collect::<Vec<_>>()
        .join(", ")
}
