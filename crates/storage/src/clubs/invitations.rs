//! Invitation links. Only a hash of the link's token is stored; the link
//! itself is shown once, to the organiser who made it. A link expires,
//! can be revoked, and may have a use limit that is checked and spent in
//! one statement, so a burst of people following it cannot exceed it.

use crate::Result;
use crate::db::{Db, now};
use quire_domain::{ClubId, InvitationId, UserId};
use time::OffsetDateTime;

/// An invitation as the organisers' list shows it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Invitation {
    pub id: InvitationId,
    pub created_by: Option<String>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub max_uses: Option<i64>,
    pub uses: i64,
    pub revoked_at: Option<OffsetDateTime>,
}

impl Invitation {
    /// Whether the link still lets people in at `at`.
    pub fn usable(&self, at: OffsetDateTime) -> bool {
        self.revoked_at.is_none()
            && self.expires_at > at
            && self.max_uses.is_none_or(|m| self.uses < m)
    }
}

/// Why a link does not let someone in, in the words they read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unusable {
    Unknown,
    Expired,
    UsedUp,
    Revoked,
}

impl Unusable {
    pub fn message(self) -> &'static str {
        match self {
            Unusable::Unknown => {
                "This invitation link is not one Quire knows. Check that the whole link was copied, or ask the club for a new one."
            }
            Unusable::Expired => {
                "This invitation link has expired. Ask the club's organisers for a new one."
            }
            Unusable::UsedUp => {
                "This invitation link has been used as many times as its organisers allowed. Ask them for a new one."
            }
            Unusable::Revoked => {
                "The club's organisers have withdrawn this invitation link. Ask them for a new one."
            }
        }
    }
}

/// A link as `peek` and `accept` judge it: its club, expiry, use limit,
/// uses and when it was revoked.
type LinkRow = (
    ClubId,
    OffsetDateTime,
    Option<i64>,
    i64,
    Option<OffsetDateTime>,
);

/// Store a new invitation under `token_hash`.
pub async fn create(
    db: &Db,
    club: ClubId,
    by: UserId,
    token_hash: &str,
    expires_at: OffsetDateTime,
    max_uses: Option<i64>,
) -> Result<InvitationId> {
    let id = InvitationId::new();
    write!(
        db,
        sqlx::query(
            "INSERT INTO club_invitations (id, club_id, token_hash, created_by, created_at, expires_at, max_uses)
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(id)
        .bind(club)
        .bind(token_hash)
        .bind(by)
        .bind(now())
        .bind(expires_at)
        .bind(max_uses),
        execute
    )?;
    Ok(id)
}

/// The club's invitations, newest first.
pub async fn list(db: &Db, club: ClubId) -> Result<Vec<Invitation>> {
    Ok(read!(
        db,
        sqlx::query_as(
            "SELECT i.id, u.display_name AS created_by, i.created_at, i.expires_at, i.max_uses, i.uses, i.revoked_at
             FROM club_invitations i LEFT JOIN users u ON u.id = i.created_by
             WHERE i.club_id = $1 ORDER BY i.created_at DESC, i.id DESC"
        )
        .bind(club),
        fetch_all
    )?)
}

/// Withdraw a link of `club`.
pub async fn revoke(db: &Db, club: ClubId, id: InvitationId) -> Result<()> {
    let done = write!(
        db,
        sqlx::query(
            "UPDATE club_invitations SET revoked_at = COALESCE(revoked_at, $3) WHERE id = $1 AND club_id = $2"
        )
        .bind(id)
        .bind(club)
        .bind(now()),
        execute
    )?;
    done.found("invitation")?;
    Ok(())
}

/// The club a link invites to, when it still lets people in; otherwise
/// why not. Reads only: following the link shows the club before joining.
pub async fn peek(db: &Db, token_hash: &str) -> Result<Result<ClubId, Unusable>> {
    let row: Option<LinkRow> = read!(
        db,
        sqlx::query_as(
            "SELECT club_id, expires_at, max_uses, uses, revoked_at FROM club_invitations WHERE token_hash = $1"
        )
        .bind(token_hash),
        fetch_optional
    )?;
    Ok(judge(row, now()))
}

fn judge(row: Option<LinkRow>, at: OffsetDateTime) -> Result<ClubId, Unusable> {
    match row {
        None => Err(Unusable::Unknown),
        Some((_, _, _, _, Some(_))) => Err(Unusable::Revoked),
        Some((_, exp, _, _, None)) if exp <= at => Err(Unusable::Expired),
        Some((_, _, Some(max), uses, None)) if uses >= max => Err(Unusable::UsedUp),
        Some((club, ..)) => Ok(club),
    }
}

/// Follow a link as `user`: spend one use and make them a member, in one
/// transaction. A member already in the club spends nothing. The use is
/// spent by a conditional update, so however many people follow a link
/// with one use left at once, one gets in.
pub async fn accept(db: &Db, token_hash: &str, user: UserId) -> Result<Result<ClubId, Unusable>> {
    let at = now();
    let mut tx = db.begin().await?;
    let row: Option<LinkRow> = tx!(
        db,
        &mut tx,
        sqlx::query_as(
            "SELECT club_id, expires_at, max_uses, uses, revoked_at FROM club_invitations WHERE token_hash = $1"
        )
        .bind(token_hash),
        fetch_optional
    )?;
    let club = match judge(row, at) {
        Ok(club) => club,
        Err(why) => return Ok(Err(why)),
    };
    let member: Option<(UserId,)> = tx!(
        db,
        &mut tx,
        sqlx::query_as("SELECT user_id FROM club_members WHERE club_id = $1 AND user_id = $2")
            .bind(club)
            .bind(user),
        fetch_optional
    )?;
    if member.is_some() {
        return Ok(Ok(club));
    }
    let spent = tx!(
        db,
        &mut tx,
        sqlx::query(
            "UPDATE club_invitations SET uses = uses + 1
             WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2
               AND (max_uses IS NULL OR uses < max_uses)"
        )
        .bind(token_hash)
        .bind(at),
        execute
    )?;
    if spent.rows_affected() == 0 {
        return Ok(Err(Unusable::UsedUp));
    }
    super::members::add_in(db, &mut tx, club, user).await?;
    tx.commit().await?;
    Ok(Ok(club))
}
