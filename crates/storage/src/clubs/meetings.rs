//! Club meetings: when and where (an instant with the zone it was set in),
//! the agenda of discussion questions, RSVPs with an optional cap and a
//! waitlist, who came, and the secret calendar feed links.
//!
//! The cap is kept by the database's order of writes, not by luck: every
//! change to who holds a place begins by updating the meeting's own row
//! (`rsvp_turn = rsvp_turn + 1`). On PostgreSQL that locks the row until
//! the transaction ends, so RSVPs to one meeting run one after another;
//! SQLite has one writer anyway. The number taken is the answer's place in
//! the waitlist's order. A "yes" when the meeting is full waits; when
//! someone going drops out (answers no or maybe, leaves the club, or the
//! cap is raised) the first waiting move up in the same transaction.

use crate::db::{Db, Tx, now};
use crate::{Result, StorageError};
use quire_domain::meeting::{MeetingStatus, RsvpAnswer, RsvpState};
use quire_domain::{ClubId, MeetingId, SelectionId, UserId, WorkId};
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// The most questions one agenda holds.
pub const MAX_AGENDA_QUESTIONS: usize = 20;
/// The most meetings a list or a feed holds.
pub const LIST_LIMIT: i64 = 200;
/// Feeds keep meetings that ended up to this long ago.
pub const FEED_PAST_DAYS: i64 = 90;
/// The most people one attendance record names.
pub const MAX_ATTENDANCE: usize = 1000;

/// A meeting as every page about it needs it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Meeting {
    pub id: MeetingId,
    pub club_id: ClubId,
    pub selection_id: Option<SelectionId>,
    /// The title of the selection's book.
    pub book_title: Option<String>,
    /// The selection's book.
    pub work_id: Option<WorkId>,
    /// The organiser attached the book's insight pack and "the story so
    /// far"; each member sees them up to their own place.
    pub shares_pack: bool,
    pub shares_story: bool,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    /// The IANA zone the organiser set it in.
    pub zone: String,
    pub duration_minutes: i64,
    pub place: String,
    pub video_url: String,
    pub host_id: Option<UserId>,
    pub host_username: Option<String>,
    pub host_name: Option<String>,
    pub agenda: String,
    pub capacity: Option<i64>,
    pub status: MeetingStatus,
    pub sequence: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub going: i64,
    pub waiting: i64,
    pub maybe: i64,
}

/// Columns of [`Meeting`], for `FROM` [`MEETING_FROM`].
macro_rules! meeting_columns {
    () => {
        "m.id, m.club_id, m.selection_id, w.title AS book_title, s.work_id AS work_id,
         m.shares_pack, m.shares_story, m.starts_at, m.ends_at, m.zone,
         m.duration_minutes, m.place, m.video_url, m.host_id, hu.username AS host_username,
         hu.display_name AS host_name, m.agenda, m.capacity, m.status, m.sequence, m.created_at,
         m.updated_at,
         (SELECT COUNT(*) FROM meeting_rsvps r WHERE r.meeting_id = m.id AND r.state = 'going') AS going,
         (SELECT COUNT(*) FROM meeting_rsvps r WHERE r.meeting_id = m.id AND r.state = 'waitlist') AS waiting,
         (SELECT COUNT(*) FROM meeting_rsvps r WHERE r.meeting_id = m.id AND r.answer = 'maybe') AS maybe"
    };
}

macro_rules! meeting_from {
    () => {
        " FROM meetings m
          LEFT JOIN club_selections s ON s.id = m.selection_id
          LEFT JOIN works w ON w.id = s.work_id
          LEFT JOIN users hu ON hu.id = m.host_id "
    };
}

/// A meeting as an organiser sets it. Checked by the caller (the web
/// crate names the wrong field); storage refuses only what would break
/// the data: a start in the past, a host who is not a member, a book not
/// on the club's list.
#[derive(Clone, Debug)]
pub struct MeetingFields {
    pub selection: Option<SelectionId>,
    pub starts_at: OffsetDateTime,
    pub zone: String,
    pub duration_minutes: i64,
    pub place: String,
    pub video_url: String,
    pub host: Option<UserId>,
    pub agenda: String,
    pub capacity: Option<i64>,
    /// Question ids of the selection's book, in agenda order.
    pub questions: Vec<Uuid>,
    /// Attach the book's insight pack and "the story so far" (they need a
    /// book; without one they are kept off).
    pub shares_pack: bool,
    pub shares_story: bool,
}

/// What the refusal of a meeting in the past says.
pub const PAST_MESSAGE: &str =
    "That time has already passed. Choose a date and time in the future; nothing was saved.";

async fn check_fields(db: &Db, tx: &mut Tx, club: ClubId, f: &MeetingFields) -> Result<()> {
    if f.starts_at <= now() {
        return Err(StorageError::Conflict(PAST_MESSAGE.into()));
    }
    if let Some(host) = f.host {
        let found: Option<(i32,)> = tx!(
            db,
            &mut *tx,
            sqlx::query_as("SELECT 1 FROM club_members WHERE club_id = $1 AND user_id = $2")
                .bind(club)
                .bind(host),
            fetch_optional
        )?;
        if found.is_none() {
            return Err(StorageError::Conflict(
                "The host must be a member of the club.".into(),
            ));
        }
    }
    if let Some(selection) = f.selection {
        let found: Option<(i32,)> = tx!(
            db,
            &mut *tx,
            sqlx::query_as("SELECT 1 FROM club_selections WHERE club_id = $1 AND id = $2")
                .bind(club)
                .bind(selection),
            fetch_optional
        )?;
        if found.is_none() {
            return Err(StorageError::Conflict(
                "That book is not on the club's list.".into(),
            ));
        }
    }
    Ok(())
}

fn ends(f: &MeetingFields) -> OffsetDateTime {
    f.starts_at + Duration::minutes(f.duration_minutes)
}

async fn set_questions(db: &Db, tx: &mut Tx, meeting: MeetingId, f: &MeetingFields) -> Result<()> {
    tx!(
        db,
        &mut *tx,
        sqlx::query("DELETE FROM meeting_questions WHERE meeting_id = $1").bind(meeting),
        execute
    )?;
    let Some(selection) = f.selection else {
        return Ok(());
    };
    for (position, q) in f.questions.iter().take(MAX_AGENDA_QUESTIONS).enumerate() {
        // Only a question of the selection's own book joins the agenda.
        tx!(
            db,
            &mut *tx,
            sqlx::query(
                "INSERT INTO meeting_questions (meeting_id, question_id, position)
                 SELECT $1, q.id, $3 FROM questions q JOIN club_selections s ON s.work_id = q.work_id
                 WHERE q.id = $2 AND s.id = $4
                 ON CONFLICT DO NOTHING"
            )
            .bind(meeting)
            .bind(*q)
            .bind(position as i64)
            .bind(selection),
            execute
        )?;
    }
    Ok(())
}

/// Schedule a meeting of `club`.
pub async fn create(db: &Db, club: ClubId, by: UserId, f: &MeetingFields) -> Result<MeetingId> {
    let id = MeetingId::new();
    let mut tx = db.begin().await?;
    check_fields(db, &mut tx, club, f).await?;
    let at = now();
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO meetings (id, club_id, selection_id, starts_at, ends_at, zone, duration_minutes,
                                   place, video_url, host_id, agenda, capacity, created_by,
                                   created_at, updated_at, shares_pack, shares_story)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, $16)"
        )
        .bind(id)
        .bind(club)
        .bind(f.selection)
        .bind(f.starts_at)
        .bind(ends(f))
        .bind(&f.zone)
        .bind(f.duration_minutes)
        .bind(&f.place)
        .bind(&f.video_url)
        .bind(f.host)
        .bind(&f.agenda)
        .bind(f.capacity)
        .bind(by)
        .bind(at)
        .bind(f.shares_pack && f.selection.is_some())
        .bind(f.shares_story && f.selection.is_some()),
        execute
    )?;
    set_questions(db, &mut tx, id, f).await?;
    tx.commit().await?;
    Ok(id)
}

/// Why a change to a meeting that is not on is refused.
const CANCELLED_MESSAGE: &str = "This meeting is cancelled; schedule a new one instead.";

/// Change a scheduled meeting. Raising the cap lets the first waiting in;
/// lowering it below the number already going is refused, since nobody
/// who was told they have a place loses it.
pub async fn update(db: &Db, club: ClubId, id: MeetingId, f: &MeetingFields) -> Result<()> {
    let mut tx = db.begin().await?;
    // The meeting's row first: it is the lock RSVPs take.
    let locked: Option<(MeetingStatus,)> = tx!(
        db,
        &mut tx,
        sqlx::query_as(
            "UPDATE meetings SET rsvp_turn = rsvp_turn + 1 WHERE id = $1 AND club_id = $2 RETURNING status"
        )
        .bind(id)
        .bind(club),
        fetch_optional
    )?;
    match locked {
        None => return Err(StorageError::NotFound("meeting")),
        Some((MeetingStatus::Cancelled,)) => {
            return Err(StorageError::Conflict(CANCELLED_MESSAGE.into()));
        }
        Some(_) => {}
    }
    check_fields(db, &mut tx, club, f).await?;
    if let Some(cap) = f.capacity {
        let going = count_going(db, &mut tx, id).await?;
        if going > cap {
            return Err(StorageError::Conflict(format!(
                "{going} people already have a place, so the cap cannot be {cap}. Set it to {going} or more, or leave it empty; nothing was saved."
            )));
        }
    }
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "UPDATE meetings SET selection_id = $3, starts_at = $4, ends_at = $5, zone = $6,
                duration_minutes = $7, place = $8, video_url = $9, host_id = $10, agenda = $11,
                capacity = $12, sequence = sequence + 1, updated_at = $13, shares_pack = $14,
                shares_story = $15
             WHERE id = $1 AND club_id = $2"
        )
        .bind(id)
        .bind(club)
        .bind(f.selection)
        .bind(f.starts_at)
        .bind(ends(f))
        .bind(&f.zone)
        .bind(f.duration_minutes)
        .bind(&f.place)
        .bind(&f.video_url)
        .bind(f.host)
        .bind(&f.agenda)
        .bind(f.capacity)
        .bind(now())
        .bind(f.shares_pack && f.selection.is_some())
        .bind(f.shares_story && f.selection.is_some()),
        execute
    )?;
    set_questions(db, &mut tx, id, f).await?;
    fill(db, &mut tx, id, f.capacity).await?;
    tx.commit().await?;
    Ok(())
}

/// Call a meeting off. It stays listed (and in feeds, marked cancelled)
/// so calendar programs strike it out.
pub async fn cancel(db: &Db, club: ClubId, id: MeetingId) -> Result<()> {
    let done = write!(
        db,
        sqlx::query(
            "UPDATE meetings SET status = 'cancelled', sequence = sequence + 1, updated_at = $3
             WHERE id = $1 AND club_id = $2 AND status = 'scheduled'"
        )
        .bind(id)
        .bind(club)
        .bind(now()),
        execute
    )?;
    if done.rows_affected() == 0 {
        return match get(db, club, id).await? {
            None => Err(StorageError::NotFound("meeting")),
            Some(_) => Err(StorageError::Conflict(
                "This meeting is already cancelled.".into(),
            )),
        };
    }
    Ok(())
}

/// The meeting `id` of `club`.
pub async fn get(db: &Db, club: ClubId, id: MeetingId) -> Result<Option<Meeting>> {
    Ok(read!(
        db,
        sqlx::query_as(concat!(
            "SELECT ",
            meeting_columns!(),
            meeting_from!(),
            "WHERE m.id = $1 AND m.club_id = $2"
        ))
        .bind(id)
        .bind(club),
        fetch_optional
    )?)
}

/// The club's meetings that have not ended, soonest first; or, with
/// `past`, those that have, latest first. At most [`LIST_LIMIT`].
pub async fn list(db: &Db, club: ClubId, past: bool) -> Result<Vec<Meeting>> {
    let sql = if past {
        concat!(
            "SELECT ",
            meeting_columns!(),
            meeting_from!(),
            "WHERE m.club_id = $1 AND m.ends_at <= $2 ORDER BY m.starts_at DESC, m.id LIMIT $3"
        )
    } else {
        concat!(
            "SELECT ",
            meeting_columns!(),
            meeting_from!(),
            "WHERE m.club_id = $1 AND m.ends_at > $2 ORDER BY m.starts_at, m.id LIMIT $3"
        )
    };
    Ok(read!(
        db,
        sqlx::query_as(sql).bind(club).bind(now()).bind(LIST_LIMIT),
        fetch_all
    )?)
}

/// One question on a meeting's agenda, or one the organiser may pick.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AgendaQuestion {
    pub id: Uuid,
    pub body: String,
}

/// The meeting's agenda, in order.
pub async fn questions(db: &Db, meeting: MeetingId) -> Result<Vec<AgendaQuestion>> {
    Ok(read!(
        db,
        sqlx::query_as(
            "SELECT q.id, q.body FROM meeting_questions mq JOIN questions q ON q.id = mq.question_id
             WHERE mq.meeting_id = $1 ORDER BY mq.position"
        )
        .bind(meeting),
        fetch_all
    )?)
}

/// The discussion questions of a selection's book, for the agenda picker.
pub async fn book_questions(db: &Db, selection: SelectionId) -> Result<Vec<AgendaQuestion>> {
    Ok(read!(
        db,
        sqlx::query_as(
            "SELECT q.id, q.body FROM questions q JOIN club_selections s ON s.work_id = q.work_id
             WHERE s.id = $1 ORDER BY q.position, q.id LIMIT 200"
        )
        .bind(selection),
        fetch_all
    )?)
}

/// One member's answer as the meeting page lists it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Rsvp {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub answer: RsvpAnswer,
    pub state: RsvpState,
    /// For the waitlist: 1 for the first waiting.
    #[sqlx(default)]
    pub position: Option<i64>,
}

/// Every answer to the meeting: going, then the waitlist in order, then
/// maybe and no.
pub async fn rsvps(db: &Db, meeting: MeetingId) -> Result<Vec<Rsvp>> {
    let mut rows: Vec<Rsvp> = read!(
        db,
        sqlx::query_as(
            "SELECT r.user_id, u.username, u.display_name, r.answer, r.state
             FROM meeting_rsvps r JOIN users u ON u.id = r.user_id
             WHERE r.meeting_id = $1
             ORDER BY CASE r.state WHEN 'going' THEN 0 WHEN 'waitlist' THEN 1 ELSE 2 END,
                      CASE r.answer WHEN 'maybe' THEN 0 ELSE 1 END, r.turn"
        )
        .bind(meeting),
        fetch_all
    )?;
    let mut n = 0;
    for r in &mut rows {
        if r.state == RsvpState::Waitlist {
            n += 1;
            r.position = Some(n);
        }
    }
    Ok(rows)
}

/// Where one member's answer stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MyRsvp {
    pub answer: RsvpAnswer,
    pub state: RsvpState,
    /// On the waitlist: 1 for the first waiting.
    pub position: Option<i64>,
}

/// `user`'s answer to the meeting, if any.
pub async fn mine(db: &Db, meeting: MeetingId, user: UserId) -> Result<Option<MyRsvp>> {
    let row: Option<(RsvpAnswer, RsvpState, i64)> = read!(
        db,
        sqlx::query_as(MINE_SQL).bind(meeting).bind(user),
        fetch_optional
    )?;
    Ok(row.map(my_rsvp))
}

const MINE_SQL: &str = "SELECT r.answer, r.state,
       (SELECT COUNT(*) FROM meeting_rsvps w
         WHERE w.meeting_id = r.meeting_id AND w.state = 'waitlist' AND w.turn <= r.turn) AS position
     FROM meeting_rsvps r WHERE r.meeting_id = $1 AND r.user_id = $2";

fn my_rsvp((answer, state, position): (RsvpAnswer, RsvpState, i64)) -> MyRsvp {
    MyRsvp {
        answer,
        state,
        position: (state == RsvpState::Waitlist).then_some(position),
    }
}

async fn count_going(db: &Db, tx: &mut Tx, meeting: MeetingId) -> Result<i64> {
    let (n,): (i64,) = tx!(
        db,
        &mut *tx,
        sqlx::query_as(
            "SELECT COUNT(*) FROM meeting_rsvps WHERE meeting_id = $1 AND state = 'going'"
        )
        .bind(meeting),
        fetch_one
    )?;
    Ok(n)
}

/// Give free places to the first waiting, in order. Runs while the
/// meeting's row is held.
async fn fill(db: &Db, tx: &mut Tx, meeting: MeetingId, capacity: Option<i64>) -> Result<()> {
    let free = match capacity {
        None => i64::from(i32::MAX),
        Some(cap) => cap - count_going(db, tx, meeting).await?,
    };
    if free <= 0 {
        return Ok(());
    }
    tx!(
        db,
        &mut *tx,
        sqlx::query(
            "UPDATE meeting_rsvps SET state = 'going', updated_at = $3
             WHERE meeting_id = $1 AND state = 'waitlist' AND turn IN (
                SELECT w.turn FROM meeting_rsvps w WHERE w.meeting_id = $1 AND w.state = 'waitlist'
                ORDER BY w.turn LIMIT $2)"
        )
        .bind(meeting)
        .bind(free)
        .bind(now()),
        execute
    )?;
    Ok(())
}

/// Answer "are you coming?" for `user` (the caller has checked they are a
/// member). A "yes" takes a place, or the next place on the waitlist when
/// the meeting is full; saying "yes" again keeps the place held. A "no"
/// or "maybe" gives a held place up, and the first waiting moves up.
pub async fn rsvp(
    db: &Db,
    club: ClubId,
    meeting: MeetingId,
    user: UserId,
    answer: RsvpAnswer,
) -> Result<MyRsvp> {
    let mut tx = db.begin().await?;
    let locked: Option<(i64, Option<i64>, MeetingStatus, OffsetDateTime)> = tx!(
        db,
        &mut tx,
        sqlx::query_as(
            "UPDATE meetings SET rsvp_turn = rsvp_turn + 1 WHERE id = $1 AND club_id = $2
             RETURNING rsvp_turn, capacity, status, starts_at"
        )
        .bind(meeting)
        .bind(club),
        fetch_optional
    )?;
    let Some((turn, capacity, status, starts_at)) = locked else {
        return Err(StorageError::NotFound("meeting"));
    };
    if status == MeetingStatus::Cancelled {
        return Err(StorageError::Conflict(
            "This meeting is cancelled, so it takes no answers.".into(),
        ));
    }
    if starts_at <= now() {
        return Err(StorageError::Conflict(
            "This meeting has already started, so it takes no more answers.".into(),
        ));
    }
    let before: Option<(RsvpState,)> = tx!(
        db,
        &mut tx,
        sqlx::query_as("SELECT state FROM meeting_rsvps WHERE meeting_id = $1 AND user_id = $2")
            .bind(meeting)
            .bind(user),
        fetch_optional
    )?;
    let before = before.map(|b| b.0);
    let at = now();
    let holding = matches!(before, Some(RsvpState::Going | RsvpState::Waitlist));
    if answer == RsvpAnswer::Yes && holding {
        tx!(
            db,
            &mut tx,
            sqlx::query(
                "UPDATE meeting_rsvps SET updated_at = $3 WHERE meeting_id = $1 AND user_id = $2"
            )
            .bind(meeting)
            .bind(user)
            .bind(at),
            execute
        )?;
    } else {
        let state = match (answer, capacity) {
            (RsvpAnswer::No | RsvpAnswer::Maybe, _) => RsvpState::Out,
            (RsvpAnswer::Yes, None) => RsvpState::Going,
            (RsvpAnswer::Yes, Some(cap)) => {
                if count_going(db, &mut tx, meeting).await? < cap {
                    RsvpState::Going
                } else {
                    RsvpState::Waitlist
                }
            }
        };
        tx!(
            db,
            &mut tx,
            sqlx::query(
                "INSERT INTO meeting_rsvps (meeting_id, user_id, answer, state, turn, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (meeting_id, user_id) DO UPDATE SET answer = excluded.answer,
                    state = excluded.state, turn = excluded.turn, updated_at = excluded.updated_at"
            )
            .bind(meeting)
            .bind(user)
            .bind(answer)
            .bind(state)
            .bind(turn)
            .bind(at),
            execute
        )?;
        if before == Some(RsvpState::Going) && state == RsvpState::Out {
            fill(db, &mut tx, meeting, capacity).await?;
        }
    }
    let row: (RsvpAnswer, RsvpState, i64) = tx!(
        db,
        &mut tx,
        sqlx::query_as(MINE_SQL).bind(meeting).bind(user),
        fetch_one
    )?;
    tx.commit().await?;
    Ok(my_rsvp(row))
}

/// A member leaving or removed from `club` gives up every place they hold
/// at its meetings still to come; the first waiting move up. Runs inside
/// the transaction that removes the membership.
pub(crate) async fn release_member(db: &Db, tx: &mut Tx, club: ClubId, user: UserId) -> Result<()> {
    let at = now();
    let held: Vec<(MeetingId, Option<i64>)> = tx!(
        db,
        &mut *tx,
        sqlx::query_as(
            "UPDATE meetings SET rsvp_turn = rsvp_turn + 1
             WHERE club_id = $1 AND ends_at > $3 AND id IN (
                SELECT r.meeting_id FROM meeting_rsvps r WHERE r.user_id = $2 AND r.state <> 'out')
             RETURNING id, capacity"
        )
        .bind(club)
        .bind(user)
        .bind(at),
        fetch_all
    )?;
    for (meeting, capacity) in held {
        tx!(
            db,
            &mut *tx,
            sqlx::query("DELETE FROM meeting_rsvps WHERE meeting_id = $1 AND user_id = $2")
                .bind(meeting)
                .bind(user),
            execute
        )?;
        fill(db, tx, meeting, capacity).await?;
    }
    Ok(())
}

/// Who came to a meeting, as recorded.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Attendance {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub attended: bool,
    pub finished_book: bool,
}

/// The recorded attendance of a meeting, by name.
pub async fn attendance(db: &Db, meeting: MeetingId) -> Result<Vec<Attendance>> {
    Ok(read!(
        db,
        sqlx::query_as(
            "SELECT a.user_id, u.username, u.display_name, a.attended, a.finished_book
             FROM meeting_attendance a JOIN users u ON u.id = a.user_id
             WHERE a.meeting_id = $1 ORDER BY lower(u.display_name), u.id"
        )
        .bind(meeting),
        fetch_all
    )?)
}

/// One line of an attendance record.
#[derive(Clone, Copy, Debug)]
pub struct AttendanceEntry {
    pub user: UserId,
    pub attended: bool,
    pub finished_book: bool,
}

/// Record who came (replacing an earlier record). Only after the meeting
/// has started; people who are not members are left out.
pub async fn record_attendance(
    db: &Db,
    club: ClubId,
    meeting: MeetingId,
    entries: &[AttendanceEntry],
) -> Result<()> {
    if entries.len() > MAX_ATTENDANCE {
        return Err(StorageError::Conflict(format!(
            "An attendance record names at most {MAX_ATTENDANCE} people."
        )));
    }
    let Some(m) = get(db, club, meeting).await? else {
        return Err(StorageError::NotFound("meeting"));
    };
    if m.starts_at > now() {
        return Err(StorageError::Conflict(
            "The meeting has not started yet; record who came once it has.".into(),
        ));
    }
    if m.status == MeetingStatus::Cancelled {
        return Err(StorageError::Conflict(
            "This meeting was cancelled, so nobody came to it.".into(),
        ));
    }
    let mut tx = db.begin().await?;
    tx!(
        db,
        &mut tx,
        sqlx::query("DELETE FROM meeting_attendance WHERE meeting_id = $1").bind(meeting),
        execute
    )?;
    for e in entries {
        tx!(
            db,
            &mut tx,
            sqlx::query(
                "INSERT INTO meeting_attendance (meeting_id, user_id, attended, finished_book)
                 SELECT $1, m.user_id, $3, $4 FROM club_members m WHERE m.club_id = $5 AND m.user_id = $2
                 ON CONFLICT DO NOTHING"
            )
            .bind(meeting)
            .bind(e.user)
            .bind(e.attended)
            .bind(e.finished_book)
            .bind(club),
            execute
        )?;
    }
    tx.commit().await?;
    Ok(())
}

/// The next meeting and how many came to each past selection's meetings,
/// for the club page (one query, see [`super::page::load`]).
#[derive(Clone, Debug, Default)]
pub struct PageMeetings {
    pub next: Option<NextMeeting>,
    /// Members who came to at least one meeting about the selection.
    pub came: HashMap<SelectionId, i64>,
}

/// The club's next meeting, as the club page shows it.
#[derive(Clone, Debug)]
pub struct NextMeeting {
    pub id: MeetingId,
    pub starts_at: OffsetDateTime,
    pub zone: String,
    pub place: String,
    pub video_url: String,
    pub going: i64,
}

#[derive(sqlx::FromRow)]
struct PageRow {
    kind: String,
    id: Option<MeetingId>,
    selection_id: Option<SelectionId>,
    starts_at: Option<OffsetDateTime>,
    zone: Option<String>,
    place: Option<String>,
    video_url: Option<String>,
    n: i64,
}

pub(crate) async fn for_page(db: &Db, club: ClubId) -> Result<PageMeetings> {
    let rows: Vec<PageRow> = read!(
        db,
        sqlx::query_as(
            "SELECT 'next' AS kind, m.id, m.selection_id, m.starts_at, m.zone, m.place, m.video_url,
                    (SELECT COUNT(*) FROM meeting_rsvps r WHERE r.meeting_id = m.id AND r.state = 'going') AS n
             FROM meetings m
             WHERE m.id = (SELECT n.id FROM meetings n
                           WHERE n.club_id = $1 AND n.status = 'scheduled' AND n.ends_at > $2
                           ORDER BY n.starts_at, n.id LIMIT 1)
             UNION ALL
             SELECT 'came' AS kind, NULL, m.selection_id, NULL, NULL, NULL, NULL, COUNT(DISTINCT a.user_id)
             FROM meetings m JOIN meeting_attendance a ON a.meeting_id = m.id
             WHERE m.club_id = $1 AND a.attended AND m.selection_id IS NOT NULL
             GROUP BY m.selection_id"
        )
        .bind(club)
        .bind(now()),
        fetch_all
    )?;
    let mut out = PageMeetings::default();
    for r in rows {
        match (r.kind.as_str(), r.id, r.starts_at, r.selection_id) {
            ("next", Some(id), Some(starts_at), _) => {
                out.next = Some(NextMeeting {
                    id,
                    starts_at,
                    zone: r.zone.unwrap_or_default(),
                    place: r.place.unwrap_or_default(),
                    video_url: r.video_url.unwrap_or_default(),
                    going: r.n,
                });
            }
            ("came", _, _, Some(selection)) => {
                out.came.insert(selection, r.n);
            }
            _ => {}
        }
    }
    Ok(out)
}

/// A meeting in a calendar feed, with its club.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FeedMeeting {
    #[sqlx(flatten)]
    pub meeting: Meeting,
    pub club_name: String,
    pub club_slug: String,
}

/// The meetings a feed shows: those of `club`, or (`None`) of every club
/// `user` is a member of; from [`FEED_PAST_DAYS`] ago on, at most
/// [`LIST_LIMIT`]. The caller has checked `user` may read `club`.
pub async fn feed(db: &Db, user: UserId, club: Option<ClubId>) -> Result<Vec<FeedMeeting>> {
    let since = now() - Duration::days(FEED_PAST_DAYS);
    let rows = match club {
        Some(club) => read!(
            db,
            sqlx::query_as(concat!(
                "SELECT ",
                meeting_columns!(),
                ", c.name AS club_name, c.slug AS club_slug",
                meeting_from!(),
                "JOIN clubs c ON c.id = m.club_id
                 WHERE m.club_id = $1 AND m.ends_at > $2 ORDER BY m.starts_at, m.id LIMIT $3"
            ))
            .bind(club)
            .bind(since)
            .bind(LIST_LIMIT),
            fetch_all
        )?,
        None => read!(
            db,
            sqlx::query_as(concat!(
                "SELECT ",
                meeting_columns!(),
                ", c.name AS club_name, c.slug AS club_slug",
                meeting_from!(),
                "JOIN clubs c ON c.id = m.club_id
                 JOIN club_members cm ON cm.club_id = m.club_id AND cm.user_id = $1
                 WHERE m.ends_at > $2 ORDER BY m.starts_at, m.id LIMIT $3"
            ))
            .bind(user)
            .bind(since)
            .bind(LIST_LIMIT),
            fetch_all
        )?,
    };
    Ok(rows)
}

/// Store a new feed link for `user` (for `club`, or all their clubs),
/// replacing the old one, which stops working at once.
pub async fn set_feed(db: &Db, user: UserId, club: Option<ClubId>, token_hash: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    match club {
        Some(club) => tx!(
            db,
            &mut tx,
            sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1 AND club_id = $2")
                .bind(user)
                .bind(club),
            execute
        )?,
        None => tx!(
            db,
            &mut tx,
            sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1 AND club_id IS NULL")
                .bind(user),
            execute
        )?,
    };
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO calendar_feeds (token_hash, user_id, club_id, created_at) VALUES ($1, $2, $3, $4)"
        )
        .bind(token_hash)
        .bind(user)
        .bind(club)
        .bind(now()),
        execute
    )?;
    tx.commit().await?;
    Ok(())
}

/// Turn a feed link off.
pub async fn drop_feed(db: &Db, user: UserId, club: Option<ClubId>) -> Result<()> {
    match club {
        Some(club) => write!(
            db,
            sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1 AND club_id = $2")
                .bind(user)
                .bind(club),
            execute
        )?,
        None => write!(
            db,
            sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1 AND club_id IS NULL")
                .bind(user),
            execute
        )?,
    };
    Ok(())
}

/// Whose feed a link is, and of which club (`None`: all their clubs).
pub async fn feed_owner(db: &Db, token_hash: &str) -> Result<Option<(UserId, Option<ClubId>)>> {
    Ok(read!(
        db,
        sqlx::query_as("SELECT user_id, club_id FROM calendar_feeds WHERE token_hash = $1")
            .bind(token_hash),
        fetch_optional
    )?)
}

/// When `user` made their feed links: per club id, and `None` for all clubs.
pub async fn feeds_of(db: &Db, user: UserId) -> Result<Vec<(Option<ClubId>, OffsetDateTime)>> {
    Ok(read!(
        db,
        sqlx::query_as("SELECT club_id, created_at FROM calendar_feeds WHERE user_id = $1")
            .bind(user),
        fetch_all
    )?)
}

/// Move a meeting to `starts_at` without the check that it is in the
/// future, keeping its length: for the demo's and tests' meetings that
/// have already happened. Pages never call it.
pub async fn reschedule_unchecked(db: &Db, id: MeetingId, starts_at: OffsetDateTime) -> Result<()> {
    let m: Option<(i64,)> = read!(
        db,
        sqlx::query_as("SELECT duration_minutes FROM meetings WHERE id = $1").bind(id),
        fetch_optional
    )?;
    let Some((minutes,)) = m else {
        return Err(StorageError::NotFound("meeting"));
    };
    write!(
        db,
        sqlx::query("UPDATE meetings SET starts_at = $2, ends_at = $3 WHERE id = $1")
            .bind(id)
            .bind(starts_at)
            .bind(starts_at + Duration::minutes(minutes)),
        execute
    )?;
    Ok(())
}
