//! Club polls: an organiser asks the club to choose its next book (from
//! the nominations or any books) or a meeting time, members cast one
//! ballot each and may change it until the poll closes, and the poll
//! closes at its time (a queued job) or earlier by hand. Closing counts
//! the ballots once (`quire_domain::poll::count`), keeps the winner, and,
//! when the organiser asked for it, puts the winning book on the club's
//! list as upcoming, all in one transaction.
//!
//! Voting and closing cannot cross: a ballot is written in a transaction
//! that first touches the poll's row on the condition that the poll is
//! still open, and closing updates that same row. On PostgreSQL the row
//! lock orders the two (a ballot waiting behind a close finds the poll
//! closed, a close waiting behind a ballot counts it); SQLite has one
//! writer at a time.
//!
//! Options keep the order they were added in (`position`, from 0), which
//! is the index the counting rules use and the last word on ties.

use super::selections::{NewSelection, add_in};
use crate::db::{Db, Tx, missing_book, now};
use crate::jobs::NewJob;
use crate::{Result, StorageError};
use quire_domain::poll::{self, Ballot, Tally};
use quire_domain::{
    ClubId, PollId, PollKind, PollMethod, PollResults, SelectionId, SelectionStatus, UserId, WorkId,
};
use time::OffsetDateTime;

/// Polls a club's list shows; older closed ones drop off the end.
pub const LIST_LIMIT: i64 = 100;
/// Open polls the club page shows.
pub const OPEN_SHOWN: i64 = 10;
/// The longest question.
pub const MAX_QUESTION: usize = 200;

/// A poll's own row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Poll {
    pub id: PollId,
    pub club_id: ClubId,
    pub kind: PollKind,
    pub method: PollMethod,
    pub question: String,
    pub results: PollResults,
    pub select_winner: bool,
    pub closes_at: OffsetDateTime,
    pub closed_at: Option<OffsetDateTime>,
    pub winner_position: Option<i64>,
    pub ballots_counted: Option<i64>,
    pub selection_id: Option<SelectionId>,
    pub created_by: Option<UserId>,
    pub created_at: OffsetDateTime,
    /// Ballots cast so far.
    pub ballots: i64,
}

impl Poll {
    /// Closed, or past its closing time (the closing job may not have run
    /// yet): no more ballots.
    pub fn is_over(&self, at: OffsetDateTime) -> bool {
        self.closed_at.is_some() || self.closes_at <= at
    }

    /// Whether totals may be shown now: live polls always, hidden ones
    /// only once closed (to everyone alike, organisers included).
    pub fn results_visible(&self) -> bool {
        self.results == PollResults::Live || self.closed_at.is_some()
    }
}

macro_rules! poll_columns {
    () => {
        "p.id, p.club_id, p.kind, p.method, p.question, p.results, p.select_winner, p.closes_at,
         p.closed_at, p.winner_position, p.ballots_counted, p.selection_id, p.created_by, p.created_at,
         (SELECT COUNT(*) FROM ballots b WHERE b.poll_id = p.id) AS ballots"
    };
}

/// One option of a poll.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PollOption {
    pub position: i64,
    pub work_id: Option<WorkId>,
    pub starts_at: Option<OffsetDateTime>,
    pub label: String,
}

/// A poll with everything needed to show and count it.
#[derive(Clone, Debug)]
pub struct PollDetail {
    pub poll: Poll,
    /// In the order they were added.
    pub options: Vec<PollOption>,
    /// Every ballot, checked against the poll.
    pub ballots: Vec<(UserId, Ballot)>,
}

impl PollDetail {
    /// `user`'s ballot, when they cast one.
    pub fn ballot_of(&self, user: UserId) -> Option<&Ballot> {
        self.ballots.iter().find(|b| b.0 == user).map(|b| &b.1)
    }

    /// The count of the ballots as they stand.
    pub fn tally(&self) -> Result<Tally> {
        let ballots: Vec<Ballot> = self.ballots.iter().map(|b| b.1.clone()).collect();
        poll::count(self.poll.method, self.options.len(), &ballots)
            .map_err(|e| StorageError::Corrupt(format!("poll {}: {e}", self.poll.id)))
    }
}

/// What a poll offers.
#[derive(Clone, Debug)]
pub enum NewOptions {
    /// Books, in this order.
    Books(Vec<WorkId>),
    /// Meeting times, in this order.
    Times(Vec<OffsetDateTime>),
}

impl NewOptions {
    fn len(&self) -> usize {
        match self {
            NewOptions::Books(b) => b.len(),
            NewOptions::Times(t) => t.len(),
        }
    }
}

/// What an organiser fills in. The caller picks the id, so it can build
/// the closing job (which names the poll) before the poll exists.
#[derive(Clone, Debug)]
pub struct NewPoll {
    pub id: PollId,
    pub method: PollMethod,
    pub question: String,
    pub results: PollResults,
    pub select_winner: bool,
    pub closes_at: OffsetDateTime,
    pub options: NewOptions,
}

/// A request the poll refuses, in words for the member.
fn refuse(message: impl Into<String>) -> StorageError {
    StorageError::Conflict(message.into())
}

/// Create a poll with its options, and queue `close_job` to run at the
/// closing time, in one transaction. A poll with too few or too many
/// options, the same option twice, a closing time already past, or a date
/// poll not counted by approval is refused with what to change.
pub async fn create(
    db: &Db,
    club: ClubId,
    by: UserId,
    new: &NewPoll,
    close_job: &NewJob,
) -> Result<PollId> {
    poll::validate_options(new.options.len()).map_err(|e| refuse(e.to_string()))?;
    let question = new.question.trim();
    if question.is_empty() || question.chars().count() > MAX_QUESTION {
        return Err(refuse(format!(
            "Write the poll's question, at most {MAX_QUESTION} characters."
        )));
    }
    let at = now();
    if new.closes_at <= at {
        return Err(refuse(
            "The closing time has already passed; choose a time in the future.",
        ));
    }
    let kind = match &new.options {
        NewOptions::Books(books) => {
            if let Some(i) = first_repeat(books) {
                return Err(refuse(format!(
                    "Choice {} is the same book as an earlier choice; list each book once.",
                    i + 1
                )));
            }
            PollKind::Book
        }
        NewOptions::Times(times) => {
            if let Some(i) = first_repeat(times) {
                return Err(refuse(format!(
                    "Choice {} is the same time as an earlier choice; list each time once.",
                    i + 1
                )));
            }
            if new.method != PollMethod::Approval {
                return Err(refuse(
                    "A meeting-time poll is counted by approval: members tick every time they can make.",
                ));
            }
            PollKind::Date
        }
    };
    let select_winner = new.select_winner && kind == PollKind::Book;
    let mut tx = db.begin().await?;
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO polls (id, club_id, kind, method, question, results, select_winner,
                                closes_at, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )
        .bind(new.id)
        .bind(club)
        .bind(kind)
        .bind(new.method)
        .bind(question)
        .bind(new.results)
        .bind(select_winner)
        .bind(new.closes_at)
        .bind(by)
        .bind(at),
        execute
    )?;
    match &new.options {
        NewOptions::Books(books) => {
            for (position, work) in books.iter().enumerate() {
                // The title is copied as the label in the same statement,
                // so a book that does not exist adds no row.
                let done = tx!(
                    db,
                    &mut tx,
                    sqlx::query(
                        "INSERT INTO poll_options (poll_id, position, work_id, label)
                         SELECT $1, $2, w.id, w.title FROM works w WHERE w.id = $3"
                    )
                    .bind(new.id)
                    .bind(position as i64)
                    .bind(*work),
                    execute
                )
                .map_err(missing_book)?;
                done.found("book")?;
            }
        }
        NewOptions::Times(times) => {
            for (position, starts_at) in times.iter().enumerate() {
                tx!(
                    db,
                    &mut tx,
                    sqlx::query(
                        "INSERT INTO poll_options (poll_id, position, starts_at, label)
                         VALUES ($1, $2, $3, $4)"
                    )
                    .bind(new.id)
                    .bind(position as i64)
                    .bind(*starts_at)
                    .bind(starts_at.to_string()),
                    execute
                )?;
            }
        }
    }
    let job = close_job.clone().run_at(new.closes_at);
    crate::jobs::enqueue_in(db, &mut tx, &job).await?;
    tx.commit().await?;
    Ok(new.id)
}

fn first_repeat<T: PartialEq>(items: &[T]) -> Option<usize> {
    (1..items.len()).find(|&i| items[..i].contains(&items[i]))
}

/// Cast or replace `user`'s ballot: `choices` are option positions, best
/// first for a ranked poll. A ballot the poll's method cannot take, or one
/// sent after the poll closed, is refused and the ballot already stored
/// stays as it was.
pub async fn cast(
    db: &Db,
    club: ClubId,
    poll_id: PollId,
    user: UserId,
    choices: &[usize],
) -> Result<Ballot> {
    let at = now();
    let mut tx = db.begin().await?;
    // Touch the row only while the poll is open: this is both the check
    // and the lock that keeps a close from slipping in before the write.
    let open: Option<(PollMethod, i64)> = tx!(
        db,
        &mut tx,
        sqlx::query_as(
            "UPDATE polls SET closes_at = closes_at
             WHERE id = $1 AND club_id = $2 AND closed_at IS NULL AND closes_at > $3
             RETURNING method, (SELECT COUNT(*) FROM poll_options o WHERE o.poll_id = polls.id)"
        )
        .bind(poll_id)
        .bind(club)
        .bind(at),
        fetch_optional
    )?;
    let Some((method, n)) = open else {
        let found: Option<(OffsetDateTime,)> = tx!(
            db,
            &mut tx,
            sqlx::query_as("SELECT closes_at FROM polls WHERE id = $1 AND club_id = $2")
                .bind(poll_id)
                .bind(club),
            fetch_optional
        )?;
        return Err(match found {
            None => StorageError::NotFound("poll"),
            Some(_) => refuse(
                "This poll has closed, so ballots can no longer be cast or changed. Your earlier ballot, if any, was counted as it was.",
            ),
        });
    };
    let ballot = Ballot::new(method, n as usize, choices).map_err(|e| refuse(e.to_string()))?;
    let stored = serde_json::to_string(ballot.choices())
        .map_err(|e| StorageError::Corrupt(format!("a ballot could not be written: {e}")))?;
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO ballots (poll_id, user_id, choices, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (poll_id, user_id) DO UPDATE SET choices = excluded.choices,
                 updated_at = excluded.updated_at"
        )
        .bind(poll_id)
        .bind(user)
        .bind(&stored)
        .bind(at),
        execute
    )?;
    tx.commit().await?;
    Ok(ballot)
}

/// Who closes a poll.
#[derive(Clone, Copy, Debug)]
pub enum Closer<'a> {
    /// An organiser of `club`, early: the poll closes now.
    Organiser(ClubId),
    /// The closing job: the poll closes as of its closing time, and the
    /// job is completed in the same transaction.
    Job(&'a crate::jobs::Claim),
}

/// What closing did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Closed {
    /// Closed now, with this winner (by position; none without ballots)
    /// and the selection the winning book became.
    Now {
        winner: Option<usize>,
        selection: Option<SelectionId>,
    },
    /// It was closed already; nothing changed.
    Already,
}

/// Close a poll: count it once, keep the winner, and when the organiser
/// asked, put the winning book on the club's list as upcoming (unless it
/// is on the list already), in one transaction. Closing a closed poll
/// changes nothing.
pub async fn close(db: &Db, poll_id: PollId, closer: Closer<'_>) -> Result<Closed> {
    let mut tx = db.begin().await?;
    let (club, closed_at) = match closer {
        Closer::Organiser(club) => (Some(club), Some(now())),
        Closer::Job(claim) => {
            crate::jobs::finish_in(db, &mut tx, claim).await?;
            (None, None)
        }
    };
    let row: Option<Poll> = tx!(
        db,
        &mut tx,
        sqlx::query_as(
            "UPDATE polls SET closed_at = COALESCE($2, closes_at)
             WHERE id = $1 AND closed_at IS NULL AND ($3 IS NULL OR club_id = $3)
             RETURNING id, club_id, kind, method, question, results, select_winner, closes_at,
                closed_at, winner_position, ballots_counted, selection_id, created_by, created_at,
                CAST(0 AS BIGINT) AS ballots"
        )
        .bind(poll_id)
        .bind(closed_at)
        .bind(club),
        fetch_optional
    )?;
    let Some(poll) = row else {
        let exists: Option<(ClubId,)> = tx!(
            db,
            &mut tx,
            sqlx::query_as("SELECT club_id FROM polls WHERE id = $1").bind(poll_id),
            fetch_optional
        )?;
        tx.commit().await?;
        return match (club, exists) {
            // The job of a poll closed by hand, or deleted: nothing to do.
            (None, _) => Ok(Closed::Already),
            (Some(club), Some((c,))) if club == c => Ok(Closed::Already),
            _ => Err(StorageError::NotFound("poll")),
        };
    };
    let (options, ballots) = options_and_ballots(db, &mut tx, &poll).await?;
    let counted: Vec<Ballot> = ballots.iter().map(|b| b.1.clone()).collect();
    let tally = poll::count(poll.method, options.len(), &counted)
        .map_err(|e| StorageError::Corrupt(format!("poll {}: {e}", poll.id)))?;
    let mut selection = None;
    if poll.select_winner
        && let Some(work) = tally
            .winner
            .and_then(|w| options.get(w))
            .and_then(|o| o.work_id)
    {
        let listed: Option<(SelectionId,)> = tx!(
            db,
            &mut tx,
            sqlx::query_as(
                "SELECT id FROM club_selections WHERE club_id = $1 AND work_id = $2 AND status <> 'finished'"
            )
            .bind(poll.club_id)
            .bind(work),
            fetch_optional
        )?;
        selection = Some(match listed {
            Some((id,)) => id,
            None => {
                add_in(
                    db,
                    &mut tx,
                    poll.club_id,
                    poll.created_by,
                    &NewSelection {
                        work,
                        status: SelectionStatus::Upcoming,
                        starts_on: None,
                        ends_on: None,
                        chapter_count: None,
                    },
                )
                .await?
            }
        });
    }
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "UPDATE polls SET winner_position = $2, ballots_counted = $3, selection_id = $4 WHERE id = $1"
        )
        .bind(poll.id)
        .bind(tally.winner.map(|w| w as i64))
        .bind(tally.ballots as i64)
        .bind(selection),
        execute
    )?;
    tx.commit().await?;
    Ok(Closed::Now {
        winner: tally.winner,
        selection,
    })
}

async fn options_and_ballots(
    db: &Db,
    tx: &mut Tx,
    poll: &Poll,
) -> Result<(Vec<PollOption>, Vec<(UserId, Ballot)>)> {
    let options: Vec<PollOption> = tx!(
        db,
        &mut *tx,
        sqlx::query_as(
            "SELECT position, work_id, starts_at, label FROM poll_options WHERE poll_id = $1 ORDER BY position"
        )
        .bind(poll.id),
        fetch_all
    )?;
    let rows: Vec<(UserId, String)> = tx!(
        db,
        &mut *tx,
        sqlx::query_as("SELECT user_id, choices FROM ballots WHERE poll_id = $1 ORDER BY user_id")
            .bind(poll.id),
        fetch_all
    )?;
    let ballots = read_ballots(poll, options.len(), rows)?;
    Ok((options, ballots))
}

fn read_ballots(
    poll: &Poll,
    n_options: usize,
    rows: Vec<(UserId, String)>,
) -> Result<Vec<(UserId, Ballot)>> {
    rows.into_iter()
        .map(|(user, text)| {
            let raw: Vec<usize> = serde_json::from_str(&text)
                .map_err(|e| StorageError::Corrupt(format!("a ballot in poll {}: {e}", poll.id)))?;
            let ballot = Ballot::new(poll.method, n_options, &raw)
                .map_err(|e| StorageError::Corrupt(format!("a ballot in poll {}: {e}", poll.id)))?;
            Ok((user, ballot))
        })
        .collect()
}

/// A poll of `club` with its options and ballots, in three queries.
pub async fn get(db: &Db, club: ClubId, poll_id: PollId) -> Result<Option<PollDetail>> {
    let poll: Option<Poll> = read!(
        db,
        sqlx::query_as(concat!(
            "SELECT ",
            poll_columns!(),
            " FROM polls p WHERE p.id = $1 AND p.club_id = $2"
        ))
        .bind(poll_id)
        .bind(club),
        fetch_optional
    )?;
    let Some(poll) = poll else {
        return Ok(None);
    };
    let options: Vec<PollOption> = read!(
        db,
        sqlx::query_as(
            "SELECT position, work_id, starts_at, label FROM poll_options WHERE poll_id = $1 ORDER BY position"
        )
        .bind(poll_id),
        fetch_all
    )?;
    let rows: Vec<(UserId, String)> = read!(
        db,
        sqlx::query_as("SELECT user_id, choices FROM ballots WHERE poll_id = $1 ORDER BY user_id")
            .bind(poll_id),
        fetch_all
    )?;
    let ballots = read_ballots(&poll, options.len(), rows)?;
    Ok(Some(PollDetail {
        poll,
        options,
        ballots,
    }))
}

/// A poll in a list.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PollSummary {
    #[sqlx(flatten)]
    pub poll: Poll,
    /// The winning option's label, once closed.
    pub winner_label: Option<String>,
    /// A date poll's winning time, once closed.
    pub winner_starts_at: Option<OffsetDateTime>,
    pub options: i64,
}

macro_rules! summary_select {
    () => {
        concat!(
            "SELECT ",
            poll_columns!(),
            ",
               (SELECT o.label FROM poll_options o
                 WHERE o.poll_id = p.id AND o.position = p.winner_position) AS winner_label,
               (SELECT o.starts_at FROM poll_options o
                 WHERE o.poll_id = p.id AND o.position = p.winner_position) AS winner_starts_at,
               (SELECT COUNT(*) FROM poll_options o WHERE o.poll_id = p.id) AS options
             FROM polls p WHERE p.club_id = $1"
        )
    };
}

/// A club's polls: open ones first, closing soonest first, then closed
/// ones, latest first; at most [`LIST_LIMIT`]. One query.
pub async fn list(db: &Db, club: ClubId) -> Result<Vec<PollSummary>> {
    Ok(read!(
        db,
        sqlx::query_as(concat!(
            summary_select!(),
            " ORDER BY CASE WHEN p.closed_at IS NULL THEN 0 ELSE 1 END, p.closes_at,
                      p.closed_at DESC, p.id
             LIMIT $2"
        ))
        .bind(club)
        .bind(LIST_LIMIT),
        fetch_all
    )?)
}

/// The club's open polls, closing soonest first; at most [`OPEN_SHOWN`].
/// One query (the club page's).
pub async fn open(db: &Db, club: ClubId) -> Result<Vec<PollSummary>> {
    Ok(read!(
        db,
        sqlx::query_as(concat!(
            summary_select!(),
            " AND p.closed_at IS NULL ORDER BY p.closes_at, p.id LIMIT $2"
        ))
        .bind(club)
        .bind(OPEN_SHOWN),
        fetch_all
    )?)
}
