//! The club page's read model: everything the page shows about one club,
//! in a fixed number of queries whatever the number of members,
//! selections and nominations (a test counts them). Later parts of the
//! club (polls, meetings, discussion) add one query each here.

use super::members::ClubMember;
use super::selections::{Nomination, Selection, selection_columns};
use crate::Result;
use crate::catalog::{WorkSummary, summaries_of};
use crate::db::Db;
use quire_domain::{ClubId, SelectionStatus, UserId, WorkId};
use std::collections::HashMap;

/// Members the page lists by name; the rest are counted.
pub const MEMBERS_SHOWN: i64 = 48;
/// Finished selections the page lists; the archive page lists them all.
pub const ARCHIVE_SHOWN: i64 = 12;

/// A selection with what the club made of it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SelectionRow {
    #[sqlx(flatten)]
    pub selection: Selection,
    /// The average of the current members' ratings of the book, in stars.
    pub club_rating_halves: Option<f64>,
    pub club_ratings: i64,
}

/// What the club page needs (the club itself and the viewer's standing
/// come from [`super::by_slug`]).
#[derive(Clone, Debug, Default)]
pub struct ClubPage {
    pub current: Option<SelectionRow>,
    pub upcoming: Vec<SelectionRow>,
    /// The most recently finished first; at most [`ARCHIVE_SHOWN`].
    pub archive: Vec<SelectionRow>,
    pub archive_total: i64,
    pub nominations: Vec<Nomination>,
    pub members: Vec<ClubMember>,
    pub pending_requests: i64,
    /// Open polls, closing soonest first.
    pub open_polls: Vec<super::polls::PollSummary>,
    /// The latest threads of every selection, gated for the viewer
    /// (`discussion::recent`).
    pub recent: Vec<super::discussion::ThreadRow>,
    /// Every book named above.
    pub works: HashMap<WorkId, WorkSummary>,
    /// The next meeting, and attendance per past selection.
    pub meetings: super::meetings::PageMeetings,
}

/// Read the club page for `viewer` (the recent discussion is gated for
/// them): a fixed number of queries (one per part), and two for the
/// books' summaries.
pub async fn load(db: &Db, club: ClubId, viewer: Option<UserId>) -> Result<ClubPage> {
    // Current and upcoming selections whole, then the finished ones newest
    // first with the count of all of them in each row.
    let rows: Vec<(SelectionRow, i64)> = read!(
        db,
        sqlx::query_as(concat!(
            "SELECT ",
            selection_columns!(),
            ",
               (SELECT AVG(CAST(r.halves AS DOUBLE PRECISION)) FROM ratings r
                 JOIN club_members m ON m.user_id = r.user_id AND m.club_id = s.club_id
                 WHERE r.work_id = s.work_id) AS club_rating_halves,
               (SELECT COUNT(*) FROM ratings r
                 JOIN club_members m ON m.user_id = r.user_id AND m.club_id = s.club_id
                 WHERE r.work_id = s.work_id) AS club_ratings,
               (SELECT COUNT(*) FROM club_selections f WHERE f.club_id = s.club_id AND f.status = 'finished') AS finished
             FROM club_selections s JOIN works w ON w.id = s.work_id
             WHERE s.club_id = $1 AND (s.status <> 'finished' OR s.id IN (
                SELECT f.id FROM club_selections f WHERE f.club_id = $1 AND f.status = 'finished'
                ORDER BY f.finished_at DESC, f.id DESC LIMIT $2))
             ORDER BY CASE s.status WHEN 'current' THEN 0 WHEN 'upcoming' THEN 1 ELSE 2 END,
                      CASE WHEN s.status = 'finished' THEN NULL ELSE s.starts_on END,
                      s.finished_at DESC, s.created_at, s.id"
        ))
        .bind(club)
        .bind(ARCHIVE_SHOWN),
        fetch_all
    )
    .map(|rows: Vec<Pair>| rows.into_iter().map(|p| (p.row, p.finished)).collect())?;
    let nominations = super::selections::nominations(db, club).await?;
    let members: Vec<ClubMember> = read!(
        db,
        sqlx::query_as(
            "SELECT u.id AS user_id, u.username, u.display_name, m.role, m.joined_at
             FROM club_members m JOIN users u ON u.id = m.user_id
             WHERE m.club_id = $1
             ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'organiser' THEN 1 ELSE 2 END,
                      lower(u.display_name), u.id
             LIMIT $2"
        )
        .bind(club)
        .bind(MEMBERS_SHOWN),
        fetch_all
    )?;
    let (pending_requests,): (i64,) = read!(
        db,
        sqlx::query_as("SELECT COUNT(*) FROM club_join_requests WHERE club_id = $1").bind(club),
        fetch_one
    )?;
    let open_polls = super::polls::open(db, club).await?;
    let meetings = super::meetings::for_page(db, club).await?;
    let recent = super::discussion::recent(db, club, viewer).await?;
    let mut page = ClubPage {
        meetings,
        recent,
        archive_total: rows.first().map(|r| r.1).unwrap_or(0),
        nominations,
        members,
        pending_requests,
        open_polls,
        ..ClubPage::default()
    };
    for (row, _) in rows {
        match row.selection.status {
            SelectionStatus::Current => page.current = Some(row),
            SelectionStatus::Upcoming => page.upcoming.push(row),
            SelectionStatus::Finished => page.archive.push(row),
        }
    }
    let ids: Vec<WorkId> = page
        .current
        .iter()
        .chain(&page.upcoming)
        .chain(&page.archive)
        .map(|r| r.selection.work_id)
        .chain(page.nominations.iter().map(|n| n.work_id))
        .collect();
    page.works = summaries_of(db, &ids).await?;
    Ok(page)
}

#[derive(sqlx::FromRow)]
struct Pair {
    #[sqlx(flatten)]
    row: SelectionRow,
    finished: i64,
}
