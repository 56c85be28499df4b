//! Clubs: the club itself, its members and how people join
//! ([`members`], [`invitations`]), and the books it reads and might read
//! ([`selections`]), and its meetings ([`meetings`]). Reads for whole pages
//! live in [`page`].
//!
//! Nothing here decides who may do what: the web crate's permission layer
//! does, from the [`Standing`] these reads return. Storage only keeps the
//! rules the data itself needs (one owner, one current selection, an
//! invitation's use limit) atomic.

pub mod discussion;
pub mod invitations;
pub mod meetings;
pub mod members;
pub mod page;
pub mod pictures;
pub mod polls;
pub mod selections;

use crate::Result;
use crate::db::{Db, now};
use quire_domain::text::{fold, slugify};
use quire_domain::{ClubId, ClubName, ClubRole, JoinPolicy, UserId, Visibility};
use time::OffsetDateTime;

/// A club as every page about it needs it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Club {
    pub id: ClubId,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub visibility: Visibility,
    pub join_policy: JoinPolicy,
    pub nominations_open: bool,
    pub time_zone: String,
    pub created_at: OffsetDateTime,
    pub members: i64,
    /// The picture's version, when it has one (it makes the picture's URL).
    pub picture: Option<String>,
}

/// What one account is to one club. An account that is none of these
/// (or a visitor) has `Standing::default()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    pub role: Option<ClubRole>,
    pub banned: bool,
    /// Has asked to join and waits for an organiser.
    pub requested: bool,
}

/// Columns of [`Club`], for `clubs c`.
macro_rules! club_columns {
    () => {
        "c.id, c.slug, c.name, c.description, c.visibility, c.join_policy, c.nominations_open,
         c.time_zone, c.created_at,
         (SELECT COUNT(*) FROM club_members m WHERE m.club_id = c.id) AS members,
         (SELECT p.version FROM club_pictures p WHERE p.club_id = c.id) AS picture"
    };
}

#[derive(sqlx::FromRow)]
struct ClubRow {
    #[sqlx(flatten)]
    club: Club,
    role: Option<ClubRole>,
    banned: bool,
    requested: bool,
}

/// The club at `slug` and what `viewer` is to it, in one query. `None`
/// when no club has that slug (whatever its visibility: the caller hides
/// a secret club from those who may not know it).
pub async fn by_slug(
    db: &Db,
    slug: &str,
    viewer: Option<UserId>,
) -> Result<Option<(Club, Standing)>> {
    let row: Option<ClubRow> = read!(
        db,
        sqlx::query_as(concat!(
            "SELECT ",
            club_columns!(),
            ",
               (SELECT m.role FROM club_members m WHERE m.club_id = c.id AND m.user_id = $2) AS role,
               EXISTS (SELECT 1 FROM club_bans b WHERE b.club_id = c.id AND b.user_id = $2) AS banned,
               EXISTS (SELECT 1 FROM club_join_requests r WHERE r.club_id = c.id AND r.user_id = $2) AS requested
             FROM clubs c WHERE c.slug = $1"
        ))
        .bind(slug)
        .bind(viewer),
        fetch_optional
    )?;
    Ok(row.map(|r| {
        (
            r.club,
            Standing {
                role: r.role,
                banned: r.banned,
                requested: r.requested,
            },
        )
    }))
}

/// The club with `id`, for jobs and the API's id-keyed reads.
pub async fn by_id(db: &Db, id: ClubId) -> Result<Option<Club>> {
    Ok(read!(
        db,
        sqlx::query_as(concat!(
            "SELECT ",
            club_columns!(),
            " FROM clubs c WHERE c.id = $1"
        ))
        .bind(id),
        fetch_optional
    )?)
}

/// What a new club is made of. The text is checked by the caller.
pub struct NewClub<'a> {
    pub name: &'a ClubName,
    pub description: &'a str,
    pub visibility: Visibility,
    pub join_policy: JoinPolicy,
    pub time_zone: &'a str,
}

/// Create a club owned by `owner`. Its slug comes from the name, with
/// "-2", "-3"… when another club has it. Returns the id and the slug.
pub async fn create(db: &Db, owner: UserId, new: &NewClub<'_>) -> Result<(ClubId, String)> {
    create_with_id(db, ClubId::new(), owner, new).await
}

/// [`create`] with a given id (the demo derives its ids, so loading it
/// twice changes nothing: an existing id is returned as it is).
pub async fn create_with_id(
    db: &Db,
    id: ClubId,
    owner: UserId,
    new: &NewClub<'_>,
) -> Result<(ClubId, String)> {
    let base = match slugify(new.name.as_str()) {
        s if s.is_empty() => "club".to_string(),
        s => s,
    };
    let mut tx = db.begin().await?;
    let existing: Option<(String,)> = tx!(
        db,
        &mut tx,
        sqlx::query_as("SELECT slug FROM clubs WHERE id = $1").bind(id),
        fetch_optional
    )?;
    if let Some((slug,)) = existing {
        return Ok((id, slug));
    }
    // Slugs already taken that start with the base, to pick the next free
    // one in one read (the unique index still guards a race).
    let taken: Vec<(String,)> = tx!(
        db,
        &mut tx,
        sqlx::query_as("SELECT slug FROM clubs WHERE slug = $1 OR slug LIKE $2")
            .bind(&base)
            .bind(format!("{base}-%")),
        fetch_all
    )?;
    let taken: std::collections::HashSet<String> = taken.into_iter().map(|t| t.0).collect();
    let slug = std::iter::once(base.clone())
        .chain((2..).map(|n| format!("{base}-{n}")))
        .find(|s| !taken.contains(s))
        .unwrap_or(base);
    let at = now();
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO clubs (id, name, slug, description, visibility, join_policy, time_zone,
                                name_key, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)"
        )
        .bind(id)
        .bind(new.name.as_str())
        .bind(&slug)
        .bind(new.description)
        .bind(new.visibility)
        .bind(new.join_policy)
        .bind(new.time_zone)
        .bind(fold(new.name.as_str()))
        .bind(at),
        execute
    )?;
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO club_members (club_id, user_id, role, joined_at) VALUES ($1, $2, 'owner', $3)"
        )
        .bind(id)
        .bind(owner)
        .bind(at),
        execute
    )?;
    tx.commit().await?;
    Ok((id, slug))
}

/// Change a club's settings. The slug stays, so links keep working.
pub async fn update(db: &Db, id: ClubId, new: &NewClub<'_>, nominations_open: bool) -> Result<()> {
    let done = write!(
        db,
        sqlx::query(
            "UPDATE clubs SET name = $2, description = $3, visibility = $4, join_policy = $5,
                time_zone = $6, name_key = $7, nominations_open = $8, updated_at = $9
             WHERE id = $1"
        )
        .bind(id)
        .bind(new.name.as_str())
        .bind(new.description)
        .bind(new.visibility)
        .bind(new.join_policy)
        .bind(new.time_zone)
        .bind(fold(new.name.as_str()))
        .bind(nominations_open)
        .bind(now()),
        execute
    )?;
    done.found("club")?;
    Ok(())
}

/// Delete a club and everything in it.
pub async fn delete(db: &Db, id: ClubId) -> Result<()> {
    write!(
        db,
        sqlx::query("DELETE FROM clubs WHERE id = $1").bind(id),
        execute
    )?;
    Ok(())
}

/// A club in a list: the directory, a member's clubs, a book's clubs.
/// What a club reads now is inside it: a list names it only for a public
/// club or one the viewer belongs to.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClubCard {
    #[sqlx(flatten)]
    pub club: Club,
    /// The title of the book it reads now.
    pub reading: Option<String>,
    /// The viewer's role in it, when a member.
    pub role: Option<ClubRole>,
}

/// Clubs per directory page.
pub const DIRECTORY_PAGE: i64 = 24;

/// The columns of a [`ClubCard`] of club `c` for viewer `$2`: the book
/// read now only for a public club or one the viewer is in, and the
/// viewer's role.
macro_rules! club_card_columns {
    () => {
        concat!(
            "SELECT ",
            club_columns!(),
            ",
               (SELECT w.title FROM club_selections s2 JOIN works w ON w.id = s2.work_id
                 WHERE s2.club_id = c.id AND s2.status = 'current'
                   AND (c.visibility = 'public'
                        OR EXISTS (SELECT 1 FROM club_members m WHERE m.club_id = c.id AND m.user_id = $2))) AS reading,
               (SELECT m.role FROM club_members m WHERE m.club_id = c.id AND m.user_id = $2) AS role"
        )
    };
}

/// Which clubs the directory lists for a search `$1` (a LIKE pattern):
/// public and private ones, never secret.
macro_rules! directory_filter {
    () => {
        "c.visibility <> 'secret' AND c.name_key LIKE $1 ESCAPE '\\'"
    };
}

/// How many clubs the directory lists for `pattern`.
async fn directory_count(db: &Db, pattern: &str) -> Result<i64> {
    let (total,): (i64,) = read!(
        db,
        sqlx::query_as(concat!(
            "SELECT COUNT(*) FROM clubs c WHERE ",
            directory_filter!()
        ))
        .bind(pattern),
        fetch_one
    )?;
    Ok(total)
}

/// The directory: public and private clubs whose folded name contains the
/// folded `query` (all of them without one), most members first, a page
/// at a time; and how many match.
pub async fn directory(
    db: &Db,
    query: &str,
    viewer: Option<UserId>,
    page: u32,
) -> Result<(Vec<ClubCard>, i64)> {
    let pattern = format!("%{}%", like_escape(&fold(query)));
    let offset = i64::from(page.saturating_sub(1)) * DIRECTORY_PAGE;
    let cards: Vec<ClubCard> = read!(
        db,
        sqlx::query_as(concat!(
            club_card_columns!(),
            " FROM clubs c WHERE ",
            directory_filter!(),
            " ORDER BY members DESC, c.name_key, c.id
             LIMIT $3 OFFSET $4"
        ))
        .bind(&pattern)
        .bind(viewer)
        .bind(DIRECTORY_PAGE)
        .bind(offset),
        fetch_all
    )?;
    Ok((cards, directory_count(db, &pattern).await?))
}

/// The directory for the API, newest club first, after the club
/// `(created_at, id)` when given: keyset paging on what never changes, so
/// clubs started (or joined) while a client walks the list neither repeat
/// nor push others past it. The same clubs as [`directory`], and how many
/// match.
pub async fn directory_after(
    db: &Db,
    query: &str,
    viewer: Option<UserId>,
    after: Option<(OffsetDateTime, ClubId)>,
    limit: u32,
) -> Result<(Vec<ClubCard>, i64)> {
    let pattern = format!("%{}%", like_escape(&fold(query)));
    let (t, id) = after.unzip();
    let cards: Vec<ClubCard> = read!(
        db,
        sqlx::query_as(concat!(
            club_card_columns!(),
            " FROM clubs c WHERE ",
            directory_filter!(),
            " AND ($3 IS NULL OR c.created_at < $3 OR (c.created_at = $3 AND c.id < $4))
             ORDER BY c.created_at DESC, c.id DESC LIMIT $5"
        ))
        .bind(&pattern)
        .bind(viewer)
        .bind(t)
        .bind(id)
        .bind(i64::from(limit)),
        fetch_all
    )?;
    Ok((cards, directory_count(db, &pattern).await?))
}

/// The clubs `user` belongs to, whatever their visibility (they are a
/// member), by name.
pub async fn of_member(db: &Db, user: UserId) -> Result<Vec<ClubCard>> {
    Ok(read!(
        db,
        sqlx::query_as(concat!(
            "SELECT ",
            club_columns!(),
            ",
               (SELECT w.title FROM club_selections s JOIN works w ON w.id = s.work_id
                 WHERE s.club_id = c.id AND s.status = 'current') AS reading,
               me.role AS role
             FROM club_members me JOIN clubs c ON c.id = me.club_id
             WHERE me.user_id = $1
             ORDER BY c.name_key, c.id"
        ))
        .bind(user),
        fetch_all
    )?)
}

/// `s` with LIKE's wildcards taken literally.
fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The clubs reading `work` now or that have read it, that `viewer` may
/// know of: public and private clubs, and secret ones they belong to.
/// Each with where the book stands (current first, then finished by when).
pub async fn for_work(
    db: &Db,
    work: quire_domain::WorkId,
    viewer: Option<UserId>,
) -> Result<Vec<(ClubCard, quire_domain::SelectionStatus)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        card: ClubCard,
        status: quire_domain::SelectionStatus,
    }
    let rows: Vec<Row> = read!(
        db,
        sqlx::query_as(concat!(
            club_card_columns!(),
            ", s.status
             FROM club_selections s JOIN clubs c ON c.id = s.club_id
             WHERE s.work_id = $1 AND s.status IN ('current', 'finished')
               AND (c.visibility <> 'secret'
                    OR EXISTS (SELECT 1 FROM club_members m WHERE m.club_id = c.id AND m.user_id = $2))
             ORDER BY CASE s.status WHEN 'current' THEN 0 ELSE 1 END, s.finished_at DESC, c.name_key, c.id
             LIMIT 200"
        ))
        .bind(work)
        .bind(viewer),
        fetch_all
    )?;
    // A club that read the book twice is listed once, at its latest.
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|r| seen.insert(r.card.club.id))
        .map(|r| (r.card, r.status))
        .collect())
}
