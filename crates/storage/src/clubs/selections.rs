//! The books a club reads (selections: upcoming, the current one, the
//! finished archive) and the books its members put forward (nominations,
//! each with a pitch). Every change bumps the activity revision of the work
//! it touches, since the book page counts the clubs reading it.

use crate::catalog::{PagePart, bump_part};
use crate::db::{Db, Tx, missing_book, now};
use crate::{Result, StorageError};
use quire_domain::{ClubId, NominationId, SelectionId, SelectionStatus, UserId, WorkId};
use time::{Date, OffsetDateTime};

/// A selection as lists show it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Selection {
    pub id: SelectionId,
    pub club_id: ClubId,
    pub work_id: WorkId,
    pub title: String,
    pub status: SelectionStatus,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub chapter_count: Option<i64>,
    /// Where the sections of the work's text start (`work_texts.
    /// section_starts`), when the work has a text: then they are the
    /// club's chapters (`discussion::chapters_of`).
    pub text_chapters: Option<String>,
    pub finished_at: Option<OffsetDateTime>,
}

/// What an organiser fills in to put a book on the club's list.
#[derive(Clone, Debug)]
pub struct NewSelection {
    pub work: WorkId,
    pub status: SelectionStatus,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub chapter_count: Option<i64>,
}

/// The section starts of the text of selection `s`'s work, or NULL.
macro_rules! text_chapters {
    ($s:literal) => {
        concat!(
            "(SELECT xt.section_starts FROM work_texts xt WHERE xt.work_id = ",
            $s,
            ".work_id)"
        )
    };
}
pub(crate) use text_chapters;

/// Columns of [`Selection`] for `club_selections s JOIN works w`.
macro_rules! selection_columns {
    () => {
        concat!(
            "s.id, s.club_id, s.work_id, w.title, s.status, s.starts_on, s.ends_on, s.chapter_count, ",
            $crate::clubs::selections::text_chapters!("s"),
            " AS text_chapters, s.finished_at"
        )
    };
}
pub(crate) use selection_columns;

/// Put a book on the club's list. A second current selection is refused
/// with what to do instead; a finished one is stamped with its end date
/// (or now).
pub async fn add(db: &Db, club: ClubId, by: UserId, new: &NewSelection) -> Result<SelectionId> {
    let mut tx = db.begin().await?;
    let id = add_in(db, &mut tx, club, Some(by), new).await?;
    tx.commit().await?;
    Ok(id)
}

/// [`add`] inside a writer's transaction (a poll that closes puts its
/// winner on the list in the same step).
pub(crate) async fn add_in(
    db: &Db,
    tx: &mut Tx,
    club: ClubId,
    by: Option<UserId>,
    new: &NewSelection,
) -> Result<SelectionId> {
    check_dates(new.starts_on, new.ends_on)?;
    let id = SelectionId::new();
    if new.status == SelectionStatus::Current {
        refuse_second_current(db, tx, club, None).await?;
    }
    let at = now();
    tx!(
        db,
        &mut *tx,
        sqlx::query(
            "INSERT INTO club_selections (id, club_id, work_id, status, starts_on, ends_on, chapter_count,
                                          added_by, created_at, finished_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )
        .bind(id)
        .bind(club)
        .bind(new.work)
        .bind(new.status)
        .bind(new.starts_on)
        .bind(new.ends_on)
        .bind(new.chapter_count)
        .bind(by)
        .bind(at)
        .bind((new.status == SelectionStatus::Finished).then(|| finished_at(new.ends_on, at))),
        execute
    )
    .map_err(missing_book)?;
    // A nominated book that becomes a selection is no longer a nomination.
    tx!(
        db,
        &mut *tx,
        sqlx::query("DELETE FROM club_nominations WHERE club_id = $1 AND work_id = $2")
            .bind(club)
            .bind(new.work),
        execute
    )?;
    bump_part(db, tx, new.work, PagePart::Activity).await?;
    Ok(id)
}

/// Move a selection on: upcoming → current (refused while another is
/// current), current → finished, or back. Returns the work.
pub async fn set_status(
    db: &Db,
    club: ClubId,
    selection: SelectionId,
    status: SelectionStatus,
) -> Result<WorkId> {
    let mut tx = db.begin().await?;
    if status == SelectionStatus::Current {
        refuse_second_current(db, &mut tx, club, Some(selection)).await?;
    }
    let work: Option<(WorkId,)> = tx!(
        db,
        &mut tx,
        sqlx::query_as(
            "UPDATE club_selections SET status = $3,
                finished_at = CASE WHEN $3 = 'finished' THEN COALESCE(finished_at, $4) ELSE NULL END
             WHERE id = $1 AND club_id = $2 RETURNING work_id"
        )
        .bind(selection)
        .bind(club)
        .bind(status)
        .bind(now()),
        fetch_optional
    )?;
    let Some((work,)) = work else {
        return Err(StorageError::NotFound("selection"));
    };
    bump_part(db, &mut tx, work, PagePart::Activity).await?;
    tx.commit().await?;
    Ok(work)
}

/// Change a selection's dates and chapter count.
pub async fn reschedule(
    db: &Db,
    club: ClubId,
    selection: SelectionId,
    starts_on: Option<Date>,
    ends_on: Option<Date>,
    chapter_count: Option<i64>,
) -> Result<()> {
    check_dates(starts_on, ends_on)?;
    let done = write!(
        db,
        sqlx::query(
            "UPDATE club_selections SET starts_on = $3, ends_on = $4, chapter_count = $5
             WHERE id = $1 AND club_id = $2"
        )
        .bind(selection)
        .bind(club)
        .bind(starts_on)
        .bind(ends_on)
        .bind(chapter_count),
        execute
    )?;
    done.found("selection")?;
    Ok(())
}

/// Take a selection off the list.
pub async fn remove(db: &Db, club: ClubId, selection: SelectionId) -> Result<()> {
    let mut tx = db.begin().await?;
    let work: Option<(WorkId,)> = tx!(
        db,
        &mut tx,
        sqlx::query_as(
            "DELETE FROM club_selections WHERE id = $1 AND club_id = $2 RETURNING work_id"
        )
        .bind(selection)
        .bind(club),
        fetch_optional
    )?;
    let Some((work,)) = work else {
        return Err(StorageError::NotFound("selection"));
    };
    bump_part(db, &mut tx, work, PagePart::Activity).await?;
    tx.commit().await?;
    Ok(())
}

/// When a book added as already finished was finished: the end of its
/// reading when that is known and past, else now.
fn finished_at(ends_on: Option<Date>, now: OffsetDateTime) -> OffsetDateTime {
    ends_on
        .map(|d| d.with_hms(20, 0, 0).map_or(now, |t| t.assume_utc()))
        .filter(|t| *t < now)
        .unwrap_or(now)
}

fn check_dates(starts_on: Option<Date>, ends_on: Option<Date>) -> Result<()> {
    if let (Some(s), Some(e)) = (starts_on, ends_on)
        && e < s
    {
        return Err(StorageError::Conflict(format!(
            "The reading ends on {e}, before it starts on {s}. Put the end on or after the start."
        )));
    }
    Ok(())
}

async fn refuse_second_current(
    db: &Db,
    tx: &mut Tx,
    club: ClubId,
    except: Option<SelectionId>,
) -> Result<()> {
    let current: Option<(SelectionId, String)> = tx!(
        db,
        &mut *tx,
        sqlx::query_as(
            "SELECT s.id, w.title FROM club_selections s JOIN works w ON w.id = s.work_id
             WHERE s.club_id = $1 AND s.status = 'current'"
        )
        .bind(club),
        fetch_optional
    )?;
    match current {
        Some((id, title)) if Some(id) != except => Err(StorageError::Conflict(format!(
            "The club is reading \u{201c}{title}\u{201d} now. Mark it finished first, or add this book as upcoming."
        ))),
        _ => Ok(()),
    }
}

/// One selection of `club`.
pub async fn get(db: &Db, club: ClubId, selection: SelectionId) -> Result<Option<Selection>> {
    Ok(read!(
        db,
        sqlx::query_as(concat!(
            "SELECT ",
            selection_columns!(),
            " FROM club_selections s JOIN works w ON w.id = s.work_id
             WHERE s.id = $1 AND s.club_id = $2"
        ))
        .bind(selection)
        .bind(club),
        fetch_optional
    )?)
}

/// A nomination as the club page shows it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Nomination {
    pub id: NominationId,
    pub work_id: WorkId,
    pub title: String,
    pub pitch: String,
    pub user_id: Option<UserId>,
    pub by_username: Option<String>,
    pub by_name: Option<String>,
    pub created_at: OffsetDateTime,
}

/// Nominate a book with a pitch. A book already nominated, or already on
/// the club's list as upcoming or current, is refused by name.
pub async fn nominate(
    db: &Db,
    club: ClubId,
    work: WorkId,
    by: UserId,
    pitch: &str,
) -> Result<NominationId> {
    let mut tx = db.begin().await?;
    let listed: Option<(SelectionStatus,)> = tx!(
        db,
        &mut tx,
        sqlx::query_as(
            "SELECT status FROM club_selections WHERE club_id = $1 AND work_id = $2 AND status <> 'finished'"
        )
        .bind(club)
        .bind(work),
        fetch_optional
    )?;
    if let Some((status,)) = listed {
        return Err(StorageError::Conflict(format!(
            "This book is already on the club's list ({}).",
            status.label().to_lowercase()
        )));
    }
    let id = NominationId::new();
    let r = tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO club_nominations (id, club_id, work_id, user_id, pitch, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(id)
        .bind(club)
        .bind(work)
        .bind(by)
        .bind(pitch)
        .bind(now()),
        execute
    );
    match r {
        Ok(_) => {}
        Err(e) => {
            let e = missing_book(e);
            return Err(if e.is_unique_violation() {
                StorageError::Conflict(
                    "Someone has already nominated this book for the club. Add your voice in the poll instead."
                        .into(),
                )
            } else {
                e
            });
        }
    }
    tx.commit().await?;
    Ok(id)
}

/// Withdraw a nomination: its nominator may, and organisers may
/// (`any = true`).
pub async fn withdraw(
    db: &Db,
    club: ClubId,
    nomination: NominationId,
    by: UserId,
    any: bool,
) -> Result<()> {
    let done = write!(
        db,
        sqlx::query(
            "DELETE FROM club_nominations WHERE id = $1 AND club_id = $2 AND ($4 OR user_id = $3)"
        )
        .bind(nomination)
        .bind(club)
        .bind(by)
        .bind(any),
        execute
    )?;
    done.found("nomination of yours")?;
    Ok(())
}

/// The club's nominations, oldest first (the order a poll lists them in).
pub async fn nominations(db: &Db, club: ClubId) -> Result<Vec<Nomination>> {
    Ok(read!(
        db,
        sqlx::query_as(
            "SELECT n.id, n.work_id, w.title, n.pitch, n.user_id,
                    u.username AS by_username, u.display_name AS by_name, n.created_at
             FROM club_nominations n JOIN works w ON w.id = n.work_id
             LEFT JOIN users u ON u.id = n.user_id
             WHERE n.club_id = $1 ORDER BY n.created_at, n.id"
        )
        .bind(club),
        fetch_all
    )?)
}
