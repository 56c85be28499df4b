//! What the insight page reads besides the text and its analysis
//! (`texts`): where the analysis stands without its (large) result, the
//! reviews the answers quote, and the books that share readers or subjects
//! with this one.

use crate::texts::AnalysisStatus;
use crate::{Db, Result, StorageError};
use quire_domain::WorkId;
use uuid::Uuid;

/// The state of an analysis without its result: what a page needs to
/// decide between a progress bar and the insights.
#[derive(Clone, Debug, PartialEq)]
pub struct AnalysisState {
    pub status: AnalysisStatus,
    pub progress: f64,
    pub error: Option<String>,
}

pub async fn analysis_state(
    db: &Db,
    work: WorkId,
    sha256: &str,
    version: i64,
) -> Result<Option<AnalysisState>> {
    let row: Option<(String, f64, Option<String>)> = read!(
        db,
        sqlx::query_as(
            "SELECT status, progress, error FROM text_analyses
             WHERE work_id = $1 AND text_sha256 = $2 AND algorithm_version = $3"
        )
        .bind(work)
        .bind(sha256)
        .bind(version),
        fetch_optional
    )?;
    row.map(|(status, progress, error)| {
        Ok(AnalysisState {
            status: AnalysisStatus::parse(&status)
                .ok_or_else(|| StorageError::Corrupt(format!("analysis status {status}")))?,
            progress,
            error,
        })
    })
    .transpose()
}

/// A review as the answers read it: Markdown body, its place in the book
/// page's order (newest first), and the reviewer's rating.
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewText {
    pub id: Uuid,
    /// 0 for the newest: the book page shows `index / per_page + 1`.
    pub index: u32,
    pub reviewer: String,
    pub body: String,
    pub spoiler: bool,
    pub recommends: Option<bool>,
    /// Half stars, 1 to 10.
    pub halves: Option<i64>,
}

/// The newest `limit` reviews of a work, in the book page's order.
pub async fn reviews(db: &Db, work: WorkId, limit: u32) -> Result<Vec<ReviewText>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: Uuid,
        display_name: String,
        body: String,
        spoiler: bool,
        recommends: Option<bool>,
        halves: Option<i64>,
    }
    let rows: Vec<Row> = read!(
        db,
        sqlx::query_as(
            "SELECT r.id, u.display_name, r.body, r.spoiler, r.recommends, rt.halves
             FROM reviews r JOIN users u ON u.id = r.user_id
             LEFT JOIN ratings rt ON rt.user_id = r.user_id AND rt.work_id = r.work_id
             WHERE r.work_id = $1
             ORDER BY r.created_at DESC, r.id DESC LIMIT $2"
        )
        .bind(work.0)
        .bind(i64::from(limit)),
        fetch_all
    )?;
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| ReviewText {
            id: r.id,
            index: i as u32,
            reviewer: r.display_name,
            body: r.body,
            spoiler: r.spoiler,
            recommends: r.recommends,
            halves: r.halves,
        })
        .collect())
}

/// A book like this one.
#[derive(Clone, Debug, PartialEq)]
pub struct SimilarBook {
    pub work: WorkId,
    pub title: String,
    pub author: Option<String>,
    /// Of the raters sampled, how many also rated that book.
    pub shared_readers: u32,
    pub shared_subjects: Vec<String>,
}

/// Raters of the work looked at when counting shared readers: enough to
/// rank, bounded so a book with a hundred thousand ratings costs the same.
const RATERS_SAMPLED: i64 = 400;

/// How many books [`similar`] names.
pub const SIMILAR: usize = 3;

/// The first author of the work in column `t.work_id`.
macro_rules! author_of_t {
    () => {
        "(SELECT c.name FROM credits cr JOIN contributors c ON c.id = cr.contributor_id
          WHERE cr.work_id = t.work_id AND cr.role = 'author' ORDER BY cr.position LIMIT 1)"
    };
}

/// Up to [`SIMILAR`] books that most of this book's raters also rated,
/// then (to fill) books with the most subjects in common (two at least);
/// each with the subjects it shares. Three statements.
pub async fn similar(db: &Db, work: WorkId) -> Result<Vec<SimilarBook>> {
    type Found = (Uuid, String, Option<String>, i64);
    // 1. Shared readers, over a bounded sample of this book's raters.
    let by_readers: Vec<Found> = read!(
        db,
        sqlx::query_as(concat!(
            "SELECT t.work_id, w.title, ",
            author_of_t!(),
            " AS author, t.shared
             FROM (SELECT o.work_id, COUNT(*) AS shared
                   FROM (SELECT user_id FROM ratings WHERE work_id = $1
                         ORDER BY user_id LIMIT $2) me
                   JOIN ratings o ON o.user_id = me.user_id AND o.work_id <> $1
                   GROUP BY o.work_id HAVING COUNT(*) >= 2
                   ORDER BY COUNT(*) DESC, o.work_id LIMIT $3) t
             JOIN works w ON w.id = t.work_id
             ORDER BY t.shared DESC, t.work_id"
        ))
        .bind(work.0)
        .bind(RATERS_SAMPLED)
        .bind(SIMILAR as i64),
        fetch_all
    )?;
    // 2. Most subjects in common.
    let by_subjects: Vec<Found> = read!(
        db,
        sqlx::query_as(concat!(
            "SELECT t.work_id, w.title, ",
            author_of_t!(),
            " AS author, t.n
             FROM (SELECT o.work_id, COUNT(*) AS n
                   FROM work_subjects mine
                   JOIN work_subjects o ON o.subject_id = mine.subject_id AND o.work_id <> $1
                   WHERE mine.work_id = $1
                   GROUP BY o.work_id HAVING COUNT(*) >= 2
                   ORDER BY COUNT(*) DESC, o.work_id LIMIT $2) t
             JOIN works w ON w.id = t.work_id
             ORDER BY t.n DESC, t.work_id"
        ))
        .bind(work.0)
        .bind(SIMILAR as i64),
        fetch_all
    )?;
    let mut chosen: Vec<(Uuid, String, Option<String>, i64)> = by_readers;
    for (w, title, author, _) in by_subjects {
        if chosen.len() >= SIMILAR {
            break;
        }
        if !chosen.iter().any(|c| c.0 == w) {
            chosen.push((w, title, author, 0));
        }
    }
    if chosen.is_empty() {
        return Ok(Vec::new());
    }
    // 3. The subjects each shares (always three ids bound; the work
    // itself pads the list and matches nothing).
    let id = |i: usize| chosen.get(i).map_or(work.0, |c| c.0);
    let shared: Vec<(Uuid, String)> = read!(
        db,
        sqlx::query_as(
            "SELECT o.work_id, s.name
             FROM work_subjects mine
             JOIN work_subjects o ON o.subject_id = mine.subject_id AND o.work_id <> $1
             JOIN subjects s ON s.id = mine.subject_id
             WHERE mine.work_id = $1 AND o.work_id IN ($2, $3, $4)
             ORDER BY mine.weight DESC, s.name"
        )
        .bind(work.0)
        .bind(id(0))
        .bind(id(1))
        .bind(id(2)),
        fetch_all
    )?;
    Ok(chosen
        .into_iter()
        .map(|(w, title, author, n)| SimilarBook {
            work: WorkId(w),
            title,
            author,
            shared_readers: u32::try_from(n).unwrap_or(u32::MAX),
            shared_subjects: shared
                .iter()
                .filter(|(o, _)| *o == w)
                .map(|(_, s)| s.clone())
                .collect(),
        })
        .collect())
}

/// Where one reader is in a work, as far as the insight page's guard needs
/// to know: whether they have finished it (any finished reading), and the
/// progress of their reading in hand with its edition's page count.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReaderPlace {
    pub finished: bool,
    pub progress: Option<quire_domain::Progress>,
    pub pages: Option<u32>,
}

/// One statement: the reader's furthest state of the work.
pub async fn reader_place(
    db: &Db,
    user: quire_domain::UserId,
    work: WorkId,
) -> Result<ReaderPlace> {
    #[derive(sqlx::FromRow)]
    struct Row {
        finished: i64,
        progress_unit: Option<String>,
        progress_value: Option<i64>,
        pages: Option<i64>,
    }
    let row: Option<Row> = read!(
        db,
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM readings f
                     WHERE f.user_id = $1 AND f.work_id = $2 AND f.status = 'read') AS finished,
                    r.progress_unit, r.progress_value, e.pages
             FROM (SELECT 1 AS one) x
             LEFT JOIN readings r ON r.user_id = $1 AND r.work_id = $2 AND r.status = 'reading'
             LEFT JOIN editions e ON e.id = r.edition_id
             ORDER BY r.updated_at DESC LIMIT 1"
        )
        .bind(user)
        .bind(work.0),
        fetch_optional
    )?;
    Ok(row.map_or_else(ReaderPlace::default, |r| ReaderPlace {
        finished: r.finished > 0,
        progress: crate::shelves::progress_of(r.progress_unit.as_deref(), r.progress_value),
        pages: r.pages.and_then(|p| u32::try_from(p).ok()),
    }))
}

/// Every work that has a text, with its title, by title.
pub async fn works_with_text(db: &Db) -> Result<Vec<(WorkId, String)>> {
    let rows: Vec<(Uuid, String)> = read!(
        db,
        sqlx::query_as(
            "SELECT w.id, w.title FROM work_texts t JOIN works w ON w.id = t.work_id
             ORDER BY w.title, w.id"
        ),
        fetch_all
    )?;
    Ok(rows.into_iter().map(|(w, t)| (WorkId(w), t)).collect())
}

/// Whether `user` organises (or owns) a club whose current or upcoming
/// selection is `work`: such an organiser may attach the book's text.
pub async fn organises_selection_of(
    db: &Db,
    user: quire_domain::UserId,
    work: WorkId,
) -> Result<bool> {
    let row: Option<(i64,)> = read!(
        db,
        sqlx::query_as(
            "SELECT 1 FROM club_selections s
             JOIN club_members m ON m.club_id = s.club_id
             WHERE s.work_id = $1 AND m.user_id = $2
               AND m.role IN ('owner', 'organiser') AND s.status IN ('current', 'upcoming')
             LIMIT 1"
        )
        .bind(work.0)
        .bind(user),
        fetch_optional
    )?;
    Ok(row.is_some())
}
