//! Who belongs to a club: joining, asking to join and the organisers'
//! answer, leaving, roles, removing and banning, and handing ownership on.
//! Each change that must stay consistent (one owner, nobody both banned
//! and a member) is one transaction.

use crate::db::{Db, Tx, now};
use crate::{Result, StorageError};
use quire_domain::{ClubId, ClubRole, UserId};
use time::OffsetDateTime;

/// A member as the members list shows them.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClubMember {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: ClubRole,
    pub joined_at: OffsetDateTime,
}

/// Someone waiting for an organiser's answer.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct JoinRequest {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub message: String,
    pub created_at: OffsetDateTime,
}

/// Make `user` a member (a join by an open club, an approved request or an
/// accepted invitation: the caller has decided they may). Refused when
/// they are banned; nothing happens when they are already a member.
pub async fn join(db: &Db, club: ClubId, user: UserId) -> Result<()> {
    let mut tx = db.begin().await?;
    add_in(db, &mut tx, club, user).await?;
    tx.commit().await?;
    Ok(())
}

/// [`join`] inside a transaction.
pub(crate) async fn add_in(db: &Db, tx: &mut Tx, club: ClubId, user: UserId) -> Result<()> {
    let banned: Option<(UserId,)> = tx!(
        db,
        &mut *tx,
        sqlx::query_as("SELECT user_id FROM club_bans WHERE club_id = $1 AND user_id = $2")
            .bind(club)
            .bind(user),
        fetch_optional
    )?;
    if banned.is_some() {
        return Err(StorageError::Conflict(
            "The club's organisers have removed you from this club, so you cannot join it again."
                .into(),
        ));
    }
    tx!(
        db,
        &mut *tx,
        sqlx::query(
            "INSERT INTO club_members (club_id, user_id, role, joined_at) VALUES ($1, $2, 'member', $3)
             ON CONFLICT DO NOTHING"
        )
        .bind(club)
        .bind(user)
        .bind(now()),
        execute
    )?;
    tx!(
        db,
        &mut *tx,
        sqlx::query("DELETE FROM club_join_requests WHERE club_id = $1 AND user_id = $2")
            .bind(club)
            .bind(user),
        execute
    )?;
    Ok(())
}

/// Ask to join; asking again replaces the message.
pub async fn request(db: &Db, club: ClubId, user: UserId, message: &str) -> Result<()> {
    write!(
        db,
        sqlx::query(
            "INSERT INTO club_join_requests (club_id, user_id, message, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (club_id, user_id) DO UPDATE SET message = excluded.message"
        )
        .bind(club)
        .bind(user)
        .bind(message)
        .bind(now()),
        execute
    )?;
    Ok(())
}

/// Take back one's own request.
pub async fn withdraw_request(db: &Db, club: ClubId, user: UserId) -> Result<()> {
    write!(
        db,
        sqlx::query("DELETE FROM club_join_requests WHERE club_id = $1 AND user_id = $2")
            .bind(club)
            .bind(user),
        execute
    )?;
    Ok(())
}

/// An organiser's answer to a request: a member on yes, the request gone
/// either way. `NotFound` when there is no such request.
pub async fn answer_request(db: &Db, club: ClubId, user: UserId, approve: bool) -> Result<()> {
    let mut tx = db.begin().await?;
    let done = tx!(
        db,
        &mut tx,
        sqlx::query("DELETE FROM club_join_requests WHERE club_id = $1 AND user_id = $2")
            .bind(club)
            .bind(user),
        execute
    )?;
    done.found("join request")?;
    if approve {
        add_in(db, &mut tx, club, user).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Leave a club. The owner must hand the club on first.
pub async fn leave(db: &Db, club: ClubId, user: UserId) -> Result<()> {
    let mut tx = db.begin().await?;
    let role = role_in(db, &mut tx, club, user).await?;
    match role {
        None => return Err(StorageError::NotFound("membership")),
        Some(ClubRole::Owner) => {
            return Err(StorageError::Conflict(
                "You own this club. Make another member the owner first, then leave.".into(),
            ));
        }
        Some(_) => {}
    }
    remove_in(db, &mut tx, club, user).await?;
    tx.commit().await?;
    Ok(())
}

/// Make a member an organiser or a member again. The owner's role changes
/// only by [`transfer`].
pub async fn set_role(db: &Db, club: ClubId, user: UserId, role: ClubRole) -> Result<()> {
    if role == ClubRole::Owner {
        return Err(StorageError::Conflict(
            "Ownership is handed on with \"Make owner\", not as a role.".into(),
        ));
    }
    let done = write!(
        db,
        sqlx::query(
            "UPDATE club_members SET role = $3 WHERE club_id = $1 AND user_id = $2 AND role <> 'owner'"
        )
        .bind(club)
        .bind(user)
        .bind(role),
        execute
    )?;
    done.found("member (who is not the owner)")?;
    Ok(())
}

/// Hand the club from its owner `from` to the member `to`; `from` stays
/// as an organiser. One transaction, so there is always exactly one owner.
pub async fn transfer(db: &Db, club: ClubId, from: UserId, to: UserId) -> Result<()> {
    let mut tx = db.begin().await?;
    if role_in(db, &mut tx, club, from).await? != Some(ClubRole::Owner) {
        return Err(StorageError::Conflict(
            "Only the owner hands the club on.".into(),
        ));
    }
    if role_in(db, &mut tx, club, to).await?.is_none() {
        return Err(StorageError::NotFound("member"));
    }
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "UPDATE club_members SET role = 'organiser' WHERE club_id = $1 AND user_id = $2"
        )
        .bind(club)
        .bind(from),
        execute
    )?;
    tx!(
        db,
        &mut tx,
        sqlx::query("UPDATE club_members SET role = 'owner' WHERE club_id = $1 AND user_id = $2")
            .bind(club)
            .bind(to),
        execute
    )?;
    tx.commit().await?;
    Ok(())
}

/// Remove a member (not the owner); with `ban`, they cannot come back by
/// any route until unbanned. Banning someone who is not a member (a
/// troublesome requester) works too.
pub async fn remove(db: &Db, club: ClubId, user: UserId, ban: bool, by: UserId) -> Result<()> {
    let mut tx = db.begin().await?;
    if role_in(db, &mut tx, club, user).await? == Some(ClubRole::Owner) {
        return Err(StorageError::Conflict(
            "The owner cannot be removed. The owner can hand the club on and then leave.".into(),
        ));
    }
    remove_in(db, &mut tx, club, user).await?;
    tx!(
        db,
        &mut tx,
        sqlx::query("DELETE FROM club_join_requests WHERE club_id = $1 AND user_id = $2")
            .bind(club)
            .bind(user),
        execute
    )?;
    if ban {
        tx!(
            db,
            &mut tx,
            sqlx::query(
                "INSERT INTO club_bans (club_id, user_id, banned_by, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING"
            )
            .bind(club)
            .bind(user)
            .bind(by)
            .bind(now()),
            execute
        )?;
    }
    tx.commit().await?;
    Ok(())
}

/// Lift a ban.
pub async fn unban(db: &Db, club: ClubId, user: UserId) -> Result<()> {
    write!(
        db,
        sqlx::query("DELETE FROM club_bans WHERE club_id = $1 AND user_id = $2")
            .bind(club)
            .bind(user),
        execute
    )?;
    Ok(())
}

async fn remove_in(db: &Db, tx: &mut Tx, club: ClubId, user: UserId) -> Result<()> {
    super::meetings::release_member(db, tx, club, user).await?;
    tx!(
        db,
        &mut *tx,
        sqlx::query("DELETE FROM club_members WHERE club_id = $1 AND user_id = $2")
            .bind(club)
            .bind(user),
        execute
    )?;
    Ok(())
}

async fn role_in(db: &Db, tx: &mut Tx, club: ClubId, user: UserId) -> Result<Option<ClubRole>> {
    let r: Option<(ClubRole,)> = tx!(
        db,
        &mut *tx,
        sqlx::query_as("SELECT role FROM club_members WHERE club_id = $1 AND user_id = $2")
            .bind(club)
            .bind(user),
        fetch_optional
    )?;
    Ok(r.map(|r| r.0))
}

/// Every member, owner and organisers first, then by name.
pub async fn list(db: &Db, club: ClubId) -> Result<Vec<ClubMember>> {
    Ok(read!(
        db,
        sqlx::query_as(
            "SELECT u.id AS user_id, u.username, u.display_name, m.role, m.joined_at
             FROM club_members m JOIN users u ON u.id = m.user_id
             WHERE m.club_id = $1
             ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'organiser' THEN 1 ELSE 2 END,
                      lower(u.display_name), u.id"
        )
        .bind(club),
        fetch_all
    )?)
}

/// A page of a club's members for the API, longest-standing first, after
/// the member `(joined_at, user)` when given: keyset paging on what a
/// role or a new name does not change, so members who join while a client
/// walks the list neither repeat nor push others past it.
pub async fn list_after(
    db: &Db,
    club: ClubId,
    after: Option<(OffsetDateTime, UserId)>,
    limit: u32,
) -> Result<Vec<ClubMember>> {
    let (t, id) = after.unzip();
    Ok(read!(
        db,
        sqlx::query_as(
            "SELECT u.id AS user_id, u.username, u.display_name, m.role, m.joined_at
             FROM club_members m JOIN users u ON u.id = m.user_id
             WHERE m.club_id = $1
               AND ($2 IS NULL OR m.joined_at > $2 OR (m.joined_at = $2 AND m.user_id > $3))
             ORDER BY m.joined_at, m.user_id LIMIT $4"
        )
        .bind(club)
        .bind(t)
        .bind(id)
        .bind(i64::from(limit)),
        fetch_all
    )?)
}

/// Requests waiting for an answer, oldest first.
pub async fn requests(db: &Db, club: ClubId) -> Result<Vec<JoinRequest>> {
    Ok(read!(
        db,
        sqlx::query_as(
            "SELECT u.id AS user_id, u.username, u.display_name, r.message, r.created_at
             FROM club_join_requests r JOIN users u ON u.id = r.user_id
             WHERE r.club_id = $1 ORDER BY r.created_at, u.id"
        )
        .bind(club),
        fetch_all
    )?)
}

/// Banned accounts, for the organisers' list.
pub async fn banned(db: &Db, club: ClubId) -> Result<Vec<ClubMember>> {
    Ok(read!(
        db,
        sqlx::query_as(
            "SELECT u.id AS user_id, u.username, u.display_name, 'member' AS role, b.created_at AS joined_at
             FROM club_bans b JOIN users u ON u.id = b.user_id
             WHERE b.club_id = $1 ORDER BY b.created_at, u.id"
        )
        .bind(club),
        fetch_all
    )?)
}

/// What `user` is in `club`: their role, or `None` when not a member.
pub async fn role(db: &Db, club: ClubId, user: UserId) -> Result<Option<ClubRole>> {
    let r: Option<(ClubRole,)> = read!(
        db,
        sqlx::query_as("SELECT role FROM club_members WHERE club_id = $1 AND user_id = $2")
            .bind(club)
            .bind(user),
        fetch_optional
    )?;
    Ok(r.map(|r| r.0))
}
