//! Spoiler-safe discussion: where each member is in a selection's book,
//! the reading schedule, threads and posts anchored at a place in the
//! book, reports, and the members' own discussion questions.
//!
//! THE GATE. Anything anchored (a thread's title and posts, a question)
//! reaches a reader only when [`spoiler_gate!`] holds for them: the
//! anchor's point is at or before the reader's point. Every query here
//! that returns anchored content applies it in SQL, and returns either
//! nothing or `NULL` content with the anchor for a closed item, so a
//! caller cannot show what it was never given. Its Rust twin is
//! `quire_domain::position::{of_reading, Anchor::point, unlocked}`; a
//! test (`storage/tests/it/spoilers.rs`) checks the two agree.
//!
//! A reader's point is computed, not stored: from their readings of the
//! selection's work (`readings.status`, `progress_unit`/`progress_value`,
//! the edition's `pages`, the selection's `chapter_count`), the furthest
//! of them. Nothing has to be kept in step when a reading, an edition's
//! page count or a chapter count changes. An anonymous visitor has no
//! readings, so their point is 0: they see only what is anchored at the
//! start. A signed-in visitor of a public club who is not a member is
//! placed by their own readings like a member.

use super::selections::{Selection, text_chapters};
use crate::db::{Db, now};
use crate::{Result, StorageError};
use quire_domain::position::{Anchor, Chapters, Point};
use quire_domain::{
    ClubId, ClubQuestionId, MilestoneId, PostId, ReportId, SelectionId, ThreadId, UserId, WorkId,
};
use time::{Date, OffsetDateTime};

/// Whether the work of selection `s` has a text: then its chapters are
/// the text's sections (`text_sections`, chapter n at `section_index`
/// n - 1) and the selection's own chapter count is not used, as
/// `chapters_of` does in Rust.
macro_rules! has_text {
    ($s:literal) => {
        concat!(
            "EXISTS (SELECT 1 FROM work_texts xt WHERE xt.work_id = ",
            $s,
            ".work_id)"
        )
    };
}

/// The point of one reading `r` (a `readings` row) with its edition `e`
/// (LEFT JOINed `editions`) in selection `s`: the SQL twin of
/// `quire_domain::position::of_reading`.
macro_rules! reading_point {
    ($r:literal, $e:literal, $s:literal) => {
        concat!(
            "CASE WHEN ",
            $r,
            ".status = 'read' THEN 10000
              WHEN ",
            $r,
            ".progress_unit = 'percent' THEN
                CASE WHEN ",
            $r,
            ".progress_value >= 100 THEN 10000
                     WHEN ",
            $r,
            ".progress_value <= 0 THEN 0
                     ELSE ",
            $r,
            ".progress_value * 100 END
              WHEN ",
            $r,
            ".progress_unit = 'page' AND ",
            $e,
            ".pages > 0 THEN
                CASE WHEN ",
            $r,
            ".progress_value >= ",
            $e,
            ".pages THEN 10000
                     WHEN ",
            $r,
            ".progress_value <= 0 THEN 0
                     ELSE CAST(",
            $r,
            ".progress_value AS BIGINT) * 10000 / ",
            $e,
            ".pages END
              WHEN ",
            $r,
            ".progress_unit = 'chapter' AND ",
            has_text!($s),
            " THEN CASE WHEN ",
            $r,
            ".progress_value < 1 THEN 0
                     ELSE COALESCE((SELECT xs.start_point FROM text_sections xs
                                    WHERE xs.work_id = ",
            $s,
            ".work_id AND xs.section_index = ",
            $r,
            ".progress_value - 1), 10000) END
              WHEN ",
            $r,
            ".progress_unit = 'chapter' AND ",
            $s,
            ".chapter_count > 0 THEN
                CASE WHEN ",
            $r,
            ".progress_value > ",
            $s,
            ".chapter_count THEN 10000
                     WHEN ",
            $r,
            ".progress_value <= 1 THEN 0
                     ELSE CAST(",
            $r,
            ".progress_value - 1 AS BIGINT) * 10000 / ",
            $s,
            ".chapter_count END
              ELSE 0 END"
        )
    };
}

/// The point of account `$who` (an SQL expression: a parameter or a
/// column) in selection `s`: their furthest reading of its work, 0 with
/// none (and for a visitor, whose `$who` is NULL).
macro_rules! viewer_point {
    ($who:literal, $s:literal) => {
        concat!(
            "COALESCE((SELECT MAX(",
            reading_point!("gr", "ge", $s),
            ") FROM readings gr LEFT JOIN editions ge ON ge.id = gr.edition_id
               WHERE gr.user_id = ",
            $who,
            " AND gr.work_id = ",
            $s,
            ".work_id), 0)"
        )
    };
}

/// The point of the anchor of row `t` (`anchor_unit`, `anchor_value`) in
/// selection `s`: the SQL twin of `quire_domain::Anchor::point`. A chapter
/// the selection's count cannot place is at the end (closed, not open).
macro_rules! anchor_point {
    ($t:literal, $s:literal) => {
        concat!(
            "(CASE ",
            $t,
            ".anchor_unit WHEN 'start' THEN 0
               WHEN 'percent' THEN CASE WHEN ",
            $t,
            ".anchor_value >= 100 THEN 10000 ELSE ",
            $t,
            ".anchor_value * 100 END
               WHEN 'chapter' THEN CASE WHEN ",
            has_text!($s),
            " THEN COALESCE((SELECT xs.start_point FROM text_sections xs
                                   WHERE xs.work_id = ",
            $s,
            ".work_id AND xs.section_index = ",
            $t,
            ".anchor_value AND ",
            $t,
            ".anchor_value >= 1), 10000)
                                    WHEN ",
            $s,
            ".chapter_count > 0 AND ",
            $t,
            ".anchor_value >= 1
                                         AND ",
            $t,
            ".anchor_value < ",
            $s,
            ".chapter_count
                                    THEN CAST(",
            $t,
            ".anchor_value AS BIGINT) * 10000 / ",
            $s,
            ".chapter_count
                                    ELSE 10000 END
               ELSE 10000 END)"
        )
    };
}

/// THE spoiler gate: true when what row `t` anchors, in selection `s`, may
/// reach account `$who`. Every query that can return anchored content
/// uses it; nothing else decides.
macro_rules! spoiler_gate {
    ($t:literal, $s:literal, $who:literal) => {
        concat!(
            "(",
            anchor_point!($t, $s),
            " <= ",
            viewer_point!($who, $s),
            ")"
        )
    };
}

/// Longest thread title, post, question and report reason, in characters.
pub const TITLE_MAX: usize = 200;
pub const POST_MAX: usize = 20_000;
pub const QUESTION_MAX: usize = 1_000;
pub const REASON_MAX: usize = 500;
/// Most milestones a selection's schedule holds.
pub const MILESTONES_MAX: i64 = 100;
/// Most threads a selection lists, and posts a thread holds.
pub const THREADS_SHOWN: i64 = 200;
pub const POSTS_MAX: i64 = 1_000;
/// Most questions a selection lists; threads on the club page.
pub const QUESTIONS_SHOWN: i64 = 200;
pub const RECENT_SHOWN: i64 = 8;

/// The chapters a selection's book is divided into, as far as Quire knows:
/// where the sections of the work's text start when it has a text, else
/// the organiser's count in even slices.
pub fn chapters_of(s: &Selection) -> Option<Chapters> {
    chapters_from(s.text_chapters.as_deref(), s.chapter_count)
}

/// [`chapters_of`] from the stored values: `work_texts.section_starts`
/// and the selection's `chapter_count`.
fn chapters_from(text_starts: Option<&str>, chapter_count: Option<i64>) -> Option<Chapters> {
    if let Some(exact) = text_starts.and_then(crate::texts::parse_starts) {
        return Some(exact);
    }
    chapter_count
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0)
        .map(Chapters::Even)
}

fn anchor_of(unit: &str, value: i64) -> Result<Anchor> {
    Anchor::from_stored(unit, value)
        .ok_or_else(|| StorageError::Corrupt(format!("anchor {unit} {value}")))
}

fn point_of(n: i64) -> Point {
    Point::new(u32::try_from(n.clamp(0, 10_000)).unwrap_or(0)).unwrap_or(Point::START)
}

// ---------------------------------------------------------------- positions

/// Where one account is in a selection's book.
#[derive(Clone, Debug)]
pub struct MyPosition {
    pub point: Point,
    /// Their open reading's progress as they gave it.
    pub progress: Option<quire_domain::Progress>,
    /// The edition their page numbers count in, and its page count.
    pub edition: Option<quire_domain::EditionId>,
    pub pages: Option<u32>,
    pub shares: bool,
}

/// The viewer's point in `selection` (0 for a visitor), their open
/// reading, the edition pages count in (the open reading's, else the
/// work's first with a page count), and whether they share it.
pub async fn my_position(
    db: &Db,
    selection: SelectionId,
    viewer: Option<UserId>,
) -> Result<MyPosition> {
    #[derive(sqlx::FromRow)]
    struct Row {
        point: i64,
        progress_unit: Option<String>,
        progress_value: Option<i64>,
        edition_id: Option<quire_domain::EditionId>,
        pages: Option<i64>,
        shares: Option<bool>,
    }
    let row: Option<Row> = read!(
        db,
        sqlx::query_as(concat!(
            "SELECT ",
            viewer_point!("$2", "s"),
            " AS point, o.progress_unit, o.progress_value,
               COALESCE(o.edition_id, (SELECT e.id FROM editions e WHERE e.work_id = s.work_id AND e.pages > 0
                                        ORDER BY e.id LIMIT 1)) AS edition_id,
               COALESCE(oe.pages, (SELECT e.pages FROM editions e WHERE e.work_id = s.work_id AND e.pages > 0
                                    ORDER BY e.id LIMIT 1)) AS pages,
               (SELECT m.shares_progress FROM club_members m WHERE m.club_id = s.club_id AND m.user_id = $2) AS shares
             FROM club_selections s
             LEFT JOIN readings o ON o.id = (SELECT r.id FROM readings r WHERE r.user_id = $2 AND r.work_id = s.work_id
                                               AND r.status = 'reading' ORDER BY r.updated_at DESC LIMIT 1)
             LEFT JOIN editions oe ON oe.id = o.edition_id
             WHERE s.id = $1"
        ))
        .bind(selection)
        .bind(viewer),
        fetch_optional
    )?;
    let row = row.ok_or(StorageError::NotFound("selection"))?;
    Ok(MyPosition {
        point: point_of(row.point),
        progress: crate::shelves::progress_of(row.progress_unit.as_deref(), row.progress_value),
        edition: row.edition_id,
        pages: row.pages.and_then(|p| u32::try_from(p).ok()),
        shares: row.shares.unwrap_or(false),
    })
}

/// One member on the group progress view.
#[derive(Clone, Debug)]
pub struct MemberPosition {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub point: Point,
    pub shares: bool,
}

/// Most members the group progress view lists.
pub const PROGRESS_SHOWN: i64 = 500;

/// Where the club's members are in `selection`: those who share their
/// progress, and `viewer` themselves whether they share or not; furthest
/// first.
pub async fn group_progress(
    db: &Db,
    club: ClubId,
    selection: SelectionId,
    viewer: Option<UserId>,
) -> Result<Vec<MemberPosition>> {
    let rows: Vec<(UserId, String, String, i64, bool)> = read!(
        db,
        sqlx::query_as(concat!(
            "SELECT u.id, u.username, u.display_name, ",
            viewer_point!("m.user_id", "s"),
            " AS point, m.shares_progress
             FROM club_members m JOIN users u ON u.id = m.user_id
             JOIN club_selections s ON s.id = $2 AND s.club_id = m.club_id
             WHERE m.club_id = $1 AND (m.shares_progress OR m.user_id = $3)
             ORDER BY point DESC, lower(u.display_name), u.id
             LIMIT $4"
        ))
        .bind(club)
        .bind(selection)
        .bind(viewer)
        .bind(PROGRESS_SHOWN),
        fetch_all
    )?;
    Ok(rows
        .into_iter()
        .map(
            |(user_id, username, display_name, point, shares)| MemberPosition {
                user_id,
                username,
                display_name,
                point: point_of(point),
                shares,
            },
        )
        .collect())
}

/// Turn sharing one's progress with the club on or off.
pub async fn set_sharing(db: &Db, club: ClubId, user: UserId, share: bool) -> Result<()> {
    let done = write!(
        db,
        sqlx::query(
            "UPDATE club_members SET shares_progress = $3 WHERE club_id = $1 AND user_id = $2"
        )
        .bind(club)
        .bind(user)
        .bind(share),
        execute
    )?;
    done.found("membership")?;
    Ok(())
}

// ---------------------------------------------------------------- schedule

/// A milestone of a selection's reading schedule.
#[derive(Clone, Debug)]
pub struct Milestone {
    pub id: MilestoneId,
    pub anchor: Anchor,
    pub due_on: Date,
    pub note: String,
}

/// The schedule of `selection`, by date.
pub async fn milestones(db: &Db, selection: SelectionId) -> Result<Vec<Milestone>> {
    let rows: Vec<(MilestoneId, String, i64, Date, String)> = read!(
        db,
        sqlx::query_as(
            "SELECT id, anchor_unit, anchor_value, due_on, note FROM club_milestones
             WHERE selection_id = $1 ORDER BY due_on, anchor_value, id LIMIT $2"
        )
        .bind(selection)
        .bind(MILESTONES_MAX),
        fetch_all
    )?;
    rows.into_iter()
        .map(|(id, u, v, due_on, note)| {
            Ok(Milestone {
                id,
                anchor: anchor_of(&u, v)?,
                due_on,
                note,
            })
        })
        .collect()
}

/// Add a milestone (the anchor is checked by the caller). A full schedule
/// is refused.
pub async fn add_milestone(
    db: &Db,
    selection: SelectionId,
    anchor: Anchor,
    due_on: Date,
    note: &str,
) -> Result<MilestoneId> {
    let mut tx = db.begin().await?;
    let (n,): (i64,) = tx!(
        db,
        &mut tx,
        sqlx::query_as("SELECT COUNT(*) FROM club_milestones WHERE selection_id = $1")
            .bind(selection),
        fetch_one
    )?;
    if n >= MILESTONES_MAX {
        return Err(StorageError::Conflict(format!(
            "The schedule already has {MILESTONES_MAX} milestones; remove one before adding another."
        )));
    }
    let id = MilestoneId::new();
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO club_milestones (id, selection_id, anchor_unit, anchor_value, due_on, note, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(id)
        .bind(selection)
        .bind(anchor.unit())
        .bind(i64::from(anchor.value()))
        .bind(due_on)
        .bind(note)
        .bind(now()),
        execute
    )?;
    tx.commit().await?;
    Ok(id)
}

pub async fn remove_milestone(
    db: &Db,
    selection: SelectionId,
    milestone: MilestoneId,
) -> Result<()> {
    let done = write!(
        db,
        sqlx::query("DELETE FROM club_milestones WHERE id = $1 AND selection_id = $2")
            .bind(milestone)
            .bind(selection),
        execute
    )?;
    done.found("milestone")?;
    Ok(())
}

// ---------------------------------------------------------------- threads

/// A thread as lists show it. `title` is `None` when the gate is closed
/// for the viewer: they learn only that it exists and where it opens.
#[derive(Clone, Debug)]
pub struct ThreadRow {
    pub id: ThreadId,
    pub selection_id: SelectionId,
    /// The selection's book title (not content: the club reads it).
    pub book: String,
    pub anchor: Anchor,
    pub open: bool,
    pub title: Option<String>,
    pub by_username: Option<String>,
    pub by_name: Option<String>,
    pub pinned: bool,
    pub locked: bool,
    pub hidden: bool,
    pub posts: i64,
    pub created_at: OffsetDateTime,
    pub last_post_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct ThreadSql {
    id: ThreadId,
    selection_id: SelectionId,
    book: String,
    anchor_unit: String,
    anchor_value: i64,
    open: bool,
    title: Option<String>,
    by_username: Option<String>,
    by_name: Option<String>,
    pinned: bool,
    locked: bool,
    hidden: bool,
    posts: i64,
    created_at: OffsetDateTime,
    last_post_at: OffsetDateTime,
}

impl ThreadSql {
    fn into_row(self) -> Result<ThreadRow> {
        Ok(ThreadRow {
            anchor: anchor_of(&self.anchor_unit, self.anchor_value)?,
            id: self.id,
            selection_id: self.selection_id,
            book: self.book,
            open: self.open,
            // Belt and braces: content never leaves this module for a
            // closed thread even if a query forgot its CASE.
            title: self.title.filter(|_| self.open),
            by_username: self.by_username,
            by_name: self.by_name,
            pinned: self.pinned,
            locked: self.locked,
            hidden: self.hidden,
            posts: self.posts,
            created_at: self.created_at,
            last_post_at: self.last_post_at,
        })
    }
}

/// The gated thread columns, over `x` (a subquery that has the thread's
/// columns and its gate as `open`).
macro_rules! thread_columns {
    () => {
        "x.id, x.selection_id, x.book, x.anchor_unit, x.anchor_value, x.open,
         CASE WHEN x.open THEN x.title END AS title,
         x.by_username, x.by_name, x.pinned, x.locked, x.hidden, x.posts, x.created_at, x.last_post_at"
    };
}

/// The thread's own columns with the gate for `$3`, for `club_threads t
/// JOIN club_selections s JOIN works w LEFT JOIN users u`.
macro_rules! thread_inner {
    () => {
        concat!(
            "SELECT t.id, t.selection_id, w.title AS book, t.anchor_unit, t.anchor_value, t.title,
                    u.username AS by_username, u.display_name AS by_name,
                    t.pinned, t.locked, t.hidden, t.posts, t.created_at, t.last_post_at, ",
            spoiler_gate!("t", "s", "$3"),
            " AS open
             FROM club_threads t JOIN club_selections s ON s.id = t.selection_id
             JOIN works w ON w.id = s.work_id
             LEFT JOIN users u ON u.id = t.author_id"
        )
    };
}

/// The threads of `selection`, pinned first, then by latest post; hidden
/// ones only for organisers (`moderator`). Gated for `viewer`.
pub async fn threads(
    db: &Db,
    club: ClubId,
    selection: SelectionId,
    viewer: Option<UserId>,
    moderator: bool,
) -> Result<Vec<ThreadRow>> {
    let rows: Vec<ThreadSql> = read!(
        db,
        sqlx::query_as(concat!(
            "SELECT ",
            thread_columns!(),
            " FROM (",
            thread_inner!(),
            " WHERE t.club_id = $1 AND t.selection_id = $2 AND ($4 OR NOT t.hidden)) x
             ORDER BY x.pinned DESC, x.last_post_at DESC, x.id DESC LIMIT $5"
        ))
        .bind(club)
        .bind(selection)
        .bind(viewer)
        .bind(moderator)
        .bind(THREADS_SHOWN),
        fetch_all
    )?;
    rows.into_iter().map(ThreadSql::into_row).collect()
}

/// A page of the threads of `selection` for the API, newest first, after
/// the thread `(created_at, id)` when given: keyset paging on what a reply
/// or a pin does not change, so threads started while a client walks the
/// list neither repeat nor push others past it. The same threads as
/// [`threads`] (hidden ones only for organisers, filtered before the
/// `LIMIT`), each gated for `viewer`.
pub async fn threads_after(
    db: &Db,
    club: ClubId,
    selection: SelectionId,
    viewer: Option<UserId>,
    moderator: bool,
    after: Option<(OffsetDateTime, ThreadId)>,
    limit: u32,
) -> Result<Vec<ThreadRow>> {
    let (t, id) = after.unzip();
    let rows: Vec<ThreadSql> = read!(
        db,
        sqlx::query_as(concat!(
            "SELECT ",
            thread_columns!(),
            " FROM (",
            thread_inner!(),
            " WHERE t.club_id = $1 AND t.selection_id = $2 AND ($4 OR NOT t.hidden)
                AND ($5 IS NULL OR t.created_at < $5 OR (t.created_at = $5 AND t.id < $6))) x
             ORDER BY x.created_at DESC, x.id DESC LIMIT $7"
        ))
        .bind(club)
        .bind(selection)
        .bind(viewer)
        .bind(moderator)
        .bind(t)
        .bind(id)
        .bind(i64::from(limit)),
        fetch_all
    )?;
    rows.into_iter().map(ThreadSql::into_row).collect()
}

/// The club page's recent discussion: the latest threads of every
/// selection, gated for `viewer`, hidden ones left out.
pub async fn recent(db: &Db, club: ClubId, viewer: Option<UserId>) -> Result<Vec<ThreadRow>> {
    let rows: Vec<ThreadSql> = read!(
        db,
        sqlx::query_as(concat!(
            "SELECT ",
            thread_columns!(),
            " FROM (",
            thread_inner!(),
            " WHERE t.club_id = $1 AND t.club_id = $2 AND NOT t.hidden) x
             ORDER BY x.last_post_at DESC, x.id DESC LIMIT $4"
        ))
        .bind(club)
        .bind(club)
        .bind(viewer)
        .bind(RECENT_SHOWN),
        fetch_all
    )?;
    rows.into_iter().map(ThreadSql::into_row).collect()
}

/// A thread found by [`search`]: where it is, and the first post that
/// matched (when the match was in a post rather than the title).
#[derive(Clone, Debug)]
pub struct FoundThread {
    pub club_slug: String,
    pub club_name: String,
    pub thread: ThreadRow,
    pub matched_post: Option<String>,
}

#[derive(sqlx::FromRow)]
struct FoundSql {
    club_slug: String,
    club_name: String,
    matched_post: Option<String>,
    #[sqlx(flatten)]
    thread: ThreadSql,
}

/// Threads of the clubs `viewer` belongs to whose title or a visible post
/// holds `text` (case aside), newest activity first. Only threads whose
/// gate is open for the viewer are searched at all, so a match in a
/// passage past their place in the book is never revealed, not even as a
/// hit; hidden threads and posts are left out.
pub async fn search(db: &Db, viewer: UserId, text: &str, limit: i64) -> Result<Vec<FoundThread>> {
    let pattern = format!("%{}%", super::like_escape(&text.to_lowercase()));
    let rows: Vec<FoundSql> = read!(
        db,
        sqlx::query_as(concat!(
            "SELECT c.slug AS club_slug, c.name AS club_name,
                    (SELECT p.body FROM club_posts p WHERE p.thread_id = x.id AND NOT p.hidden
                       AND LOWER(p.body) LIKE $1 ESCAPE '\\' ORDER BY p.created_at LIMIT 1) AS matched_post, ",
            thread_columns!(),
            " FROM (",
            thread_inner!(),
            " WHERE NOT t.hidden
               AND t.club_id IN (SELECT m.club_id FROM club_members m WHERE m.user_id = $3)) x
             JOIN club_threads t2 ON t2.id = x.id
             JOIN clubs c ON c.id = t2.club_id
             WHERE x.open
               AND (LOWER(x.title) LIKE $1 ESCAPE '\\'
                    OR EXISTS (SELECT 1 FROM club_posts p WHERE p.thread_id = x.id AND NOT p.hidden
                                 AND LOWER(p.body) LIKE $1 ESCAPE '\\'))
             ORDER BY x.last_post_at DESC, x.id DESC LIMIT $2"
        ))
        .bind(pattern)
        .bind(limit)
        .bind(viewer),
        fetch_all
    )?;
    rows.into_iter()
        .map(|r| {
            Ok(FoundThread {
                club_slug: r.club_slug,
                club_name: r.club_name,
                matched_post: r.matched_post,
                thread: r.thread.into_row()?,
            })
        })
        .collect()
}

/// A post of a thread the viewer may read.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PostRow {
    pub id: PostId,
    pub author_id: Option<UserId>,
    pub by_username: Option<String>,
    pub by_name: Option<String>,
    pub body: String,
    pub body_html: String,
    pub moved_unit: Option<String>,
    pub moved_value: Option<i64>,
    pub hidden: bool,
    pub created_at: OffsetDateTime,
}

impl PostRow {
    /// The anchor this reply moved its thread to.
    pub fn moved_to(&self) -> Option<Anchor> {
        Anchor::from_stored(self.moved_unit.as_deref()?, self.moved_value?)
    }
}

/// One thread and, when its gate is open for `viewer`, its posts (hidden
/// ones only for organisers), the first [`POSTS_MAX`]. `None` when the
/// club has no such thread, or it is hidden and the viewer is no
/// organiser.
pub async fn thread(
    db: &Db,
    club: ClubId,
    id: ThreadId,
    viewer: Option<UserId>,
    moderator: bool,
) -> Result<Option<(ThreadRow, Vec<PostRow>)>> {
    thread_page(db, club, id, viewer, moderator, None, POSTS_MAX).await
}

/// As [`thread`], with a page of its posts, oldest first, after the post
/// `(created_at, id)` when given: keyset paging, so replies written while
/// a client walks the thread neither repeat nor push others past it. The
/// gate and the hidden filter are in the posts' query before its `LIMIT`,
/// so a page is never short for what the viewer may not see.
pub async fn thread_page(
    db: &Db,
    club: ClubId,
    id: ThreadId,
    viewer: Option<UserId>,
    moderator: bool,
    after: Option<(OffsetDateTime, PostId)>,
    limit: i64,
) -> Result<Option<(ThreadRow, Vec<PostRow>)>> {
    let row: Option<ThreadSql> = read!(
        db,
        sqlx::query_as(concat!(
            "SELECT ",
            thread_columns!(),
            " FROM (",
            thread_inner!(),
            " WHERE t.club_id = $1 AND t.id = $2 AND ($4 OR NOT t.hidden)) x"
        ))
        .bind(club)
        .bind(id)
        .bind(viewer)
        .bind(moderator),
        fetch_optional
    )?;
    let Some(row) = row else { return Ok(None) };
    let row = row.into_row()?;
    if !row.open {
        return Ok(Some((row, Vec::new())));
    }
    let (t, post) = after.unzip();
    let posts: Vec<PostRow> = read!(
        db,
        sqlx::query_as(concat!(
            "SELECT p.id, p.author_id, u.username AS by_username, u.display_name AS by_name,
                    p.body, p.body_html, p.moved_unit, p.moved_value, p.hidden, p.created_at
             FROM club_posts p JOIN club_threads t ON t.id = p.thread_id
             JOIN club_selections s ON s.id = t.selection_id
             LEFT JOIN users u ON u.id = p.author_id
             WHERE t.club_id = $1 AND p.thread_id = $2 AND ($4 OR NOT p.hidden) AND ",
            spoiler_gate!("t", "s", "$3"),
            " AND ($6 IS NULL OR p.created_at > $6 OR (p.created_at = $6 AND p.id > $7))
             ORDER BY p.created_at, p.id LIMIT $5"
        ))
        .bind(club)
        .bind(id)
        .bind(viewer)
        .bind(moderator)
        .bind(limit)
        .bind(t)
        .bind(post),
        fetch_all
    )?;
    Ok(Some((row, posts)))
}

/// A new thread: its title, first post (Markdown and its sanitised HTML)
/// and anchor, all checked by the caller.
pub struct NewThread<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub body_html: &'a str,
    pub anchor: Anchor,
}

/// Start a thread in `selection` with its first post.
pub async fn start_thread(
    db: &Db,
    club: ClubId,
    selection: SelectionId,
    by: UserId,
    new: &NewThread<'_>,
) -> Result<ThreadId> {
    let id = ThreadId::new();
    let at = now();
    let mut tx = db.begin().await?;
    let done = tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO club_threads (id, club_id, selection_id, author_id, title, anchor_unit, anchor_value,
                                       posts, created_at, last_post_at)
             SELECT $1, $2, $3, $4, $5, $6, $7, 1, $8, $8
             FROM club_selections s WHERE s.id = $3 AND s.club_id = $2"
        )
        .bind(id)
        .bind(club)
        .bind(selection)
        .bind(by)
        .bind(new.title)
        .bind(new.anchor.unit())
        .bind(i64::from(new.anchor.value()))
        .bind(at),
        execute
    )?;
    done.found("selection")?;
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO club_posts (id, thread_id, author_id, body, body_html, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(PostId::new())
        .bind(id)
        .bind(by)
        .bind(new.body)
        .bind(new.body_html)
        .bind(at),
        execute
    )?;
    tx.commit().await?;
    Ok(id)
}

/// A reply: Markdown, its sanitised HTML, and a later place in the book to
/// move the thread to, if any.
pub struct NewReply<'a> {
    pub body: &'a str,
    pub body_html: &'a str,
    pub anchor: Option<Anchor>,
}

/// Reply to a thread. `anchor`, when given, moves the thread's anchor to
/// it: later only; an earlier one is refused, and so is a reply from a
/// reader the gate keeps out, to a locked thread, or to a full one.
pub async fn reply(
    db: &Db,
    club: ClubId,
    thread: ThreadId,
    by: UserId,
    new: &NewReply<'_>,
    moderator: bool,
) -> Result<PostId> {
    let (body, body_html, anchor) = (new.body, new.body_html, new.anchor);
    #[derive(sqlx::FromRow)]
    struct Row {
        anchor_unit: String,
        anchor_value: i64,
        chapter_count: Option<i64>,
        text_chapters: Option<String>,
        locked: bool,
        hidden: bool,
        posts: i64,
        open: bool,
    }
    let mut tx = db.begin().await?;
    let row: Option<Row> = tx!(
        db,
        &mut tx,
        sqlx::query_as(concat!(
            "SELECT t.anchor_unit, t.anchor_value, s.chapter_count, ",
            text_chapters!("s"),
            " AS text_chapters, t.locked, t.hidden, t.posts, ",
            spoiler_gate!("t", "s", "$3"),
            " AS open
             FROM club_threads t JOIN club_selections s ON s.id = t.selection_id
             WHERE t.id = $1 AND t.club_id = $2"
        ))
        .bind(thread)
        .bind(club)
        .bind(by),
        fetch_optional
    )?;
    let Some(row) = row.filter(|r| moderator || !r.hidden) else {
        return Err(StorageError::NotFound("thread"));
    };
    let current = anchor_of(&row.anchor_unit, row.anchor_value)?;
    if !row.open {
        return Err(StorageError::Conflict(format!(
            "This thread is about the book {}; you have not reached it yet, so you cannot read or answer it. {}.",
            current.scope().to_lowercase(),
            current.unlocks()
        )));
    }
    if row.locked {
        return Err(StorageError::Conflict(
            "The organisers have locked this thread; it takes no more replies.".into(),
        ));
    }
    if row.posts >= POSTS_MAX {
        return Err(StorageError::Conflict(format!(
            "This thread has {POSTS_MAX} posts, the most one thread holds. Start a new thread to go on."
        )));
    }
    let chapters = chapters_from(row.text_chapters.as_deref(), row.chapter_count);
    let moved = match anchor {
        Some(a) if a != current => {
            let (from, to) = (current.point(chapters.as_ref()), a.point(chapters.as_ref()));
            if to < from {
                return Err(StorageError::Conflict(format!(
                    "This thread is about the book {}; a reply can move it later, never earlier. Leave the place as it is, or choose {} or later.",
                    current.scope().to_lowercase(),
                    current.label()
                )));
            }
            (to > from).then_some(a)
        }
        _ => None,
    };
    let at = now();
    let id = PostId::new();
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "INSERT INTO club_posts (id, thread_id, author_id, body, body_html, moved_unit, moved_value, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        )
        .bind(id)
        .bind(thread)
        .bind(by)
        .bind(body)
        .bind(body_html)
        .bind(moved.map(|a| a.unit()))
        .bind(moved.map(|a| i64::from(a.value())))
        .bind(at),
        execute
    )?;
    tx!(
        db,
        &mut tx,
        sqlx::query(
            "UPDATE club_threads SET posts = posts + 1, last_post_at = $2,
                anchor_unit = COALESCE($3, anchor_unit), anchor_value = COALESCE($4, anchor_value)
             WHERE id = $1"
        )
        .bind(thread)
        .bind(at)
        .bind(moved.map(|a| a.unit()))
        .bind(moved.map(|a| i64::from(a.value()))),
        execute
    )?;
    tx.commit().await?;
    Ok(id)
}

/// What an organiser does to a thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moderation {
    Pin,
    Unpin,
    Lock,
    Unlock,
    Hide,
    Show,
    Delete,
}

impl Moderation {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pin" => Self::Pin,
            "unpin" => Self::Unpin,
            "lock" => Self::Lock,
            "unlock" => Self::Unlock,
            "hide" => Self::Hide,
            "show" => Self::Show,
            "delete" => Self::Delete,
            _ => return None,
        })
    }
}

/// Pin, lock, hide (or undo each), or delete a thread.
pub async fn moderate_thread(db: &Db, club: ClubId, thread: ThreadId, m: Moderation) -> Result<()> {
    let sql = match m {
        Moderation::Pin => "UPDATE club_threads SET pinned = TRUE WHERE id = $1 AND club_id = $2",
        Moderation::Unpin => {
            "UPDATE club_threads SET pinned = FALSE WHERE id = $1 AND club_id = $2"
        }
        Moderation::Lock => "UPDATE club_threads SET locked = TRUE WHERE id = $1 AND club_id = $2",
        Moderation::Unlock => {
            "UPDATE club_threads SET locked = FALSE WHERE id = $1 AND club_id = $2"
        }
        Moderation::Hide => "UPDATE club_threads SET hidden = TRUE WHERE id = $1 AND club_id = $2",
        Moderation::Show => "UPDATE club_threads SET hidden = FALSE WHERE id = $1 AND club_id = $2",
        Moderation::Delete => "DELETE FROM club_threads WHERE id = $1 AND club_id = $2",
    };
    let done = write!(db, sqlx::query(sql).bind(thread).bind(club), execute)?;
    done.found("thread")?;
    Ok(())
}

/// Hide, show or delete one post. Deleting a thread's only post deletes
/// the thread. Returns the thread, or `None` when it went with the post.
pub async fn moderate_post(
    db: &Db,
    club: ClubId,
    post: PostId,
    m: Moderation,
) -> Result<Option<ThreadId>> {
    let mut tx = db.begin().await?;
    let thread: Option<(ThreadId,)> = tx!(
        db,
        &mut tx,
        sqlx::query_as(
            "SELECT p.thread_id FROM club_posts p JOIN club_threads t ON t.id = p.thread_id
             WHERE p.id = $1 AND t.club_id = $2"
        )
        .bind(post)
        .bind(club),
        fetch_optional
    )?;
    let Some((thread,)) = thread else {
        return Err(StorageError::NotFound("post"));
    };
    let sql = match m {
        Moderation::Hide => "UPDATE club_posts SET hidden = TRUE WHERE id = $1",
        Moderation::Show => "UPDATE club_posts SET hidden = FALSE WHERE id = $1",
        Moderation::Delete => "DELETE FROM club_posts WHERE id = $1",
        _ => {
            return Err(StorageError::Conflict(
                "A post can be hidden, shown again or deleted; pin and lock a thread instead."
                    .into(),
            ));
        }
    };
    tx!(db, &mut tx, sqlx::query(sql).bind(post), execute)?;
    let mut kept = Some(thread);
    if m == Moderation::Delete {
        let (left,): (i64,) = tx!(
            db,
            &mut tx,
            sqlx::query_as("SELECT COUNT(*) FROM club_posts WHERE thread_id = $1").bind(thread),
            fetch_one
        )?;
        if left == 0 {
            tx!(
                db,
                &mut tx,
                sqlx::query("DELETE FROM club_threads WHERE id = $1").bind(thread),
                execute
            )?;
            kept = None;
        } else {
            tx!(
                db,
                &mut tx,
                sqlx::query("UPDATE club_threads SET posts = $2 WHERE id = $1")
                    .bind(thread)
                    .bind(left),
                execute
            )?;
        }
    }
    tx.commit().await?;
    Ok(kept)
}

// ---------------------------------------------------------------- reports

/// Report a post to the organisers. The reporter must be able to read it
/// (the gate); a second report of the same post by the same member is
/// refused kindly.
pub async fn report(
    db: &Db,
    club: ClubId,
    post: PostId,
    by: UserId,
    reason: &str,
) -> Result<ReportId> {
    let id = ReportId::new();
    let done = write!(
        db,
        sqlx::query(concat!(
            "INSERT INTO club_post_reports (id, club_id, post_id, reporter_id, reason, created_at)
             SELECT $1, $2, p.id, $4, $5, $6
             FROM club_posts p JOIN club_threads t ON t.id = p.thread_id
             JOIN club_selections s ON s.id = t.selection_id
             WHERE p.id = $3 AND t.club_id = $2 AND NOT t.hidden AND NOT p.hidden AND ",
            spoiler_gate!("t", "s", "$4")
        ))
        .bind(id)
        .bind(club)
        .bind(post)
        .bind(by)
        .bind(reason)
        .bind(now()),
        execute
    );
    match done {
        Ok(d) if d.rows_affected() == 0 => Err(StorageError::NotFound("post")),
        Ok(_) => Ok(id),
        Err(e) => {
            let e = StorageError::from(e);
            Err(if e.is_unique_violation() {
                StorageError::Conflict(
                    "You have already reported this post; the organisers have it.".into(),
                )
            } else {
                e
            })
        }
    }
}

/// A report as organisers read it. The post's text is gated for the
/// organiser reading the list like any other content (`None` when closed
/// for them); they can hide or delete it without reading it.
#[derive(Clone, Debug)]
pub struct ReportRow {
    pub id: ReportId,
    pub post_id: PostId,
    pub thread_id: ThreadId,
    pub anchor: Anchor,
    pub open: bool,
    pub thread_title: Option<String>,
    pub post_html: Option<String>,
    pub post_hidden: bool,
    pub reason: String,
    pub by_username: String,
    pub by_name: String,
    pub created_at: OffsetDateTime,
}

/// Most reports the organisers' list shows, newest first.
pub const REPORTS_SHOWN: i64 = 200;

pub async fn reports(db: &Db, club: ClubId, viewer: UserId) -> Result<Vec<ReportRow>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: ReportId,
        post_id: PostId,
        thread_id: ThreadId,
        anchor_unit: String,
        anchor_value: i64,
        open: bool,
        thread_title: Option<String>,
        post_html: Option<String>,
        post_hidden: bool,
        reason: String,
        by_username: String,
        by_name: String,
        created_at: OffsetDateTime,
    }
    let rows: Vec<Row> = read!(
        db,
        sqlx::query_as(concat!(
            "SELECT x.id, x.post_id, x.thread_id, x.anchor_unit, x.anchor_value, x.open,
                    CASE WHEN x.open THEN x.title END AS thread_title,
                    CASE WHEN x.open THEN x.body_html END AS post_html,
                    x.post_hidden, x.reason, x.by_username, x.by_name, x.created_at
             FROM (SELECT r.id, r.post_id, p.thread_id, t.anchor_unit, t.anchor_value, t.title, p.body_html,
                          p.hidden AS post_hidden, r.reason, u.username AS by_username,
                          u.display_name AS by_name, r.created_at, ",
            spoiler_gate!("t", "s", "$2"),
            " AS open
                   FROM club_post_reports r JOIN club_posts p ON p.id = r.post_id
                   JOIN club_threads t ON t.id = p.thread_id
                   JOIN club_selections s ON s.id = t.selection_id
                   JOIN users u ON u.id = r.reporter_id
                   WHERE r.club_id = $1) x
             ORDER BY x.created_at DESC, x.id DESC LIMIT $3"
        ))
        .bind(club)
        .bind(viewer)
        .bind(REPORTS_SHOWN),
        fetch_all
    )?;
    rows.into_iter()
        .map(|r| {
            Ok(ReportRow {
                anchor: anchor_of(&r.anchor_unit, r.anchor_value)?,
                id: r.id,
                post_id: r.post_id,
                thread_id: r.thread_id,
                open: r.open,
                thread_title: r.thread_title.filter(|_| r.open),
                post_html: r.post_html.filter(|_| r.open),
                post_hidden: r.post_hidden,
                reason: r.reason,
                by_username: r.by_username,
                by_name: r.by_name,
                created_at: r.created_at,
            })
        })
        .collect()
}

/// Dismiss a report (the post stays as it is).
pub async fn dismiss_report(db: &Db, club: ClubId, report: ReportId) -> Result<()> {
    let done = write!(
        db,
        sqlx::query("DELETE FROM club_post_reports WHERE id = $1 AND club_id = $2")
            .bind(report)
            .bind(club),
        execute
    )?;
    done.found("report")?;
    Ok(())
}

// ---------------------------------------------------------------- questions

/// A member's discussion question. `body` is `None` when the gate is
/// closed for the viewer.
#[derive(Clone, Debug)]
pub struct QuestionRow {
    pub id: ClubQuestionId,
    pub anchor: Anchor,
    pub open: bool,
    pub body: Option<String>,
    pub by_username: Option<String>,
    pub by_name: Option<String>,
    pub author_id: Option<UserId>,
    pub votes: i64,
    pub my_vote: bool,
    pub created_at: OffsetDateTime,
}

/// The questions of `selection`, most votes first, gated for `viewer`.
pub async fn questions(
    db: &Db,
    club: ClubId,
    selection: SelectionId,
    viewer: Option<UserId>,
) -> Result<Vec<QuestionRow>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: ClubQuestionId,
        anchor_unit: String,
        anchor_value: i64,
        open: bool,
        body: Option<String>,
        by_username: Option<String>,
        by_name: Option<String>,
        author_id: Option<UserId>,
        votes: i64,
        my_vote: bool,
        created_at: OffsetDateTime,
    }
    let rows: Vec<Row> = read!(
        db,
        sqlx::query_as(concat!(
            "SELECT x.id, x.anchor_unit, x.anchor_value, x.open, CASE WHEN x.open THEN x.body END AS body,
                    x.by_username, x.by_name, x.author_id, x.votes, x.my_vote, x.created_at
             FROM (SELECT q.id, q.anchor_unit, q.anchor_value, q.body, u.username AS by_username,
                          u.display_name AS by_name, q.author_id, q.votes, q.created_at,
                          EXISTS (SELECT 1 FROM club_question_votes v WHERE v.question_id = q.id AND v.user_id = $3) AS my_vote, ",
            spoiler_gate!("q", "s", "$3"),
            " AS open
                   FROM club_questions q JOIN club_selections s ON s.id = q.selection_id
                   LEFT JOIN users u ON u.id = q.author_id
                   WHERE q.club_id = $1 AND q.selection_id = $2) x
             ORDER BY x.votes DESC, x.created_at, x.id LIMIT $4"
        ))
        .bind(club)
        .bind(selection)
        .bind(viewer)
        .bind(QUESTIONS_SHOWN),
        fetch_all
    )?;
    rows.into_iter()
        .map(|r| {
            Ok(QuestionRow {
                anchor: anchor_of(&r.anchor_unit, r.anchor_value)?,
                id: r.id,
                open: r.open,
                body: r.body.filter(|_| r.open),
                by_username: r.by_username,
                by_name: r.by_name,
                author_id: r.author_id,
                votes: r.votes,
                my_vote: r.my_vote,
                created_at: r.created_at,
            })
        })
        .collect()
}

/// Add a question to the club's list for `selection`.
pub async fn ask(
    db: &Db,
    club: ClubId,
    selection: SelectionId,
    by: UserId,
    body: &str,
    anchor: Anchor,
) -> Result<ClubQuestionId> {
    let id = ClubQuestionId::new();
    let done = write!(
        db,
        sqlx::query(
            "INSERT INTO club_questions (id, club_id, selection_id, author_id, body, anchor_unit, anchor_value, created_at)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8 FROM club_selections s WHERE s.id = $3 AND s.club_id = $2"
        )
        .bind(id)
        .bind(club)
        .bind(selection)
        .bind(by)
        .bind(body)
        .bind(anchor.unit())
        .bind(i64::from(anchor.value()))
        .bind(now()),
        execute
    )?;
    done.found("selection")?;
    Ok(id)
}

/// Vote for a question (`up`) or take the vote back. A reader cannot vote
/// for a question the gate keeps from them.
pub async fn vote(
    db: &Db,
    club: ClubId,
    question: ClubQuestionId,
    by: UserId,
    up: bool,
) -> Result<()> {
    let mut tx = db.begin().await?;
    let open: Option<(bool,)> = tx!(
        db,
        &mut tx,
        sqlx::query_as(concat!(
            "SELECT ",
            spoiler_gate!("q", "s", "$3"),
            " FROM club_questions q JOIN club_selections s ON s.id = q.selection_id
             WHERE q.id = $1 AND q.club_id = $2"
        ))
        .bind(question)
        .bind(club)
        .bind(by),
        fetch_optional
    )?;
    match open {
        None => return Err(StorageError::NotFound("question")),
        Some((false,)) => {
            return Err(StorageError::Conflict(
                "You have not reached the part of the book this question is about, so you cannot vote on it yet."
                    .into(),
            ));
        }
        Some((true,)) => {}
    }
    let changed = if up {
        tx!(
            db,
            &mut tx,
            sqlx::query(
                "INSERT INTO club_question_votes (question_id, user_id, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (question_id, user_id) DO NOTHING"
            )
            .bind(question)
            .bind(by)
            .bind(now()),
            execute
        )?
    } else {
        tx!(
            db,
            &mut tx,
            sqlx::query("DELETE FROM club_question_votes WHERE question_id = $1 AND user_id = $2")
                .bind(question)
                .bind(by),
            execute
        )?
    };
    if changed.rows_affected() > 0 {
        tx!(
            db,
            &mut tx,
            sqlx::query(
                "UPDATE club_questions SET votes = (SELECT COUNT(*) FROM club_question_votes WHERE question_id = $1)
                 WHERE id = $1"
            )
            .bind(question),
            execute
        )?;
    }
    tx.commit().await?;
    Ok(())
}

/// Take a question off the list: its author may, and organisers may.
pub async fn remove_question(
    db: &Db,
    club: ClubId,
    question: ClubQuestionId,
    by: UserId,
    any: bool,
) -> Result<()> {
    let done = write!(
        db,
        sqlx::query(
            "DELETE FROM club_questions WHERE id = $1 AND club_id = $2 AND ($4 OR author_id = $3)"
        )
        .bind(question)
        .bind(club)
        .bind(by)
        .bind(any),
        execute
    )?;
    done.found("question of yours")?;
    Ok(())
}

/// Who asked a club question, if it is one of this club's.
pub async fn question_author(
    db: &Db,
    club: ClubId,
    question: ClubQuestionId,
) -> Result<Option<UserId>> {
    let row: Option<(UserId,)> = read!(
        db,
        sqlx::query_as("SELECT author_id FROM club_questions WHERE id = $1 AND club_id = $2")
            .bind(question)
            .bind(club),
        fetch_optional
    )?;
    Ok(row.map(|(a,)| a))
}

/// The work of a selection, for tests and callers that hold only ids.
pub async fn work_of(db: &Db, club: ClubId, selection: SelectionId) -> Result<WorkId> {
    let row: Option<(WorkId,)> = read!(
        db,
        sqlx::query_as("SELECT work_id FROM club_selections WHERE id = $1 AND club_id = $2")
            .bind(selection)
            .bind(club),
        fetch_optional
    )?;
    row.map(|r| r.0).ok_or(StorageError::NotFound("selection"))
}

/// The SQL twin's answer for one reading, for the test that checks it
/// against `quire_domain::position::of_reading`: the point the gate
/// computes for `reader` in `selection`.
#[doc(hidden)]
pub async fn point_in_sql(db: &Db, selection: SelectionId, reader: UserId) -> Result<Point> {
    let (p,): (i64,) = read!(
        db,
        sqlx::query_as(concat!(
            "SELECT ",
            viewer_point!("$2", "s"),
            " FROM club_selections s WHERE s.id = $1"
        ))
        .bind(selection)
        .bind(reader),
        fetch_one
    )?;
    Ok(point_of(p))
}
