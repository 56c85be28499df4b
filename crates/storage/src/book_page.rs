//! Everything the book page shows, read in a fixed number of queries
//! whatever the number of editions, reviews, ratings or questions:
//! [`load`] runs exactly [`BOOK_PAGE_QUERIES`] statements and
//! [`viewer_state`] exactly [`VIEWER_QUERIES`].
//!
//! The page is read in three parts that change on their own, each with its
//! own revision (`catalog::Revisions`), so a cache can refresh only the part
//! a change touched: [`load_core`] (the work, editions, credits, subjects,
//! material), [`load_questions`] and [`load_activity`] (every count and one
//! page of reviews). [`reader_view`] reads the signed-in reader's own state
//! and the revisions in one statement.

use crate::Result;
use crate::db::Db;
use quire_domain::{
    ContributorId, ContributorRole, EditionId, Format, MaterialKind, Progress, PubDate, Rating,
    ReadingStatus, SeriesId, Source, SubjectId, UserId, WorkId,
};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

pub const BOOK_PAGE_QUERIES: u64 = CORE_QUERIES + QUESTIONS_QUERIES + ACTIVITY_QUERIES;
pub const CORE_QUERIES: u64 = 5;
pub const QUESTIONS_QUERIES: u64 = 1;
pub const ACTIVITY_QUERIES: u64 = 2;
pub const VIEWER_QUERIES: u64 = 2;
/// [`reader_view`]: the reader's state, own review, shelves, votes and the
/// page's revisions.
pub const READER_VIEW_QUERIES: u64 = 1;

#[derive(Clone, Debug, serde::Serialize)]
pub struct Work {
    pub id: WorkId,
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub original_title: Option<String>,
    pub first_published: Option<PubDate>,
    pub series: Option<String>,
    /// The series' id, for its page's address.
    pub series_id: Option<SeriesId>,
    pub series_position: Option<String>,
    pub revision: i64,
    /// When the work was locked against edits, and by whom (display name).
    pub locked_at: Option<OffsetDateTime>,
    pub locked_by: Option<String>,
    /// The work carries its full text, so it has an insight page.
    pub has_text: bool,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Edition {
    pub id: EditionId,
    pub title: String,
    pub subtitle: Option<String>,
    pub format: Format,
    pub pages: Option<u32>,
    pub isbn13: Option<String>,
    pub isbn10: Option<String>,
    pub publisher: Option<String>,
    pub published: Option<PubDate>,
    pub language: Option<String>,
    pub is_primary: bool,
    /// A cover is stored for this edition (so replacing it needs a librarian).
    pub has_cover: bool,
    /// Its thumbnails are made, so pages show it; until then they show the
    /// generated cover.
    pub cover_ready: bool,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Credit {
    /// The contributor, for their page's address.
    pub contributor: ContributorId,
    pub name: String,
    pub role: ContributorRole,
    /// `None` for a credit on the work itself.
    pub edition: Option<EditionId>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Material {
    pub id: Uuid,
    pub kind: MaterialKind,
    pub body: String,
    pub attribution: Option<String>,
    pub source: Source,
    /// Posted through a verified link to the work's author or publisher.
    pub verified: bool,
    /// The display name of the member who posted it, if one did.
    pub posted_by: Option<String>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Question {
    pub id: Uuid,
    pub body: String,
    pub source: Source,
    pub author: Option<String>,
    pub votes: i64,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Stats {
    pub reading_now: i64,
    pub have_read: i64,
    pub clubs_reading_now: i64,
    /// Clubs with this book in their archive of finished selections.
    pub clubs_have_read: i64,
    pub review_count: i64,
    pub recommend_yes: i64,
    pub recommend_answered: i64,
    /// Ratings by half stars: `histogram[0]` counts 0.5 stars, `[9]` 5 stars.
    pub histogram: [i64; 10],
}

impl Stats {
    pub fn rating_count(&self) -> i64 {
        self.histogram.iter().sum()
    }

    /// The mean rating in stars, from the same counts as the histogram.
    pub fn rating_average(&self) -> Option<f64> {
        let n = self.rating_count();
        (n > 0).then(|| {
            let halves: i64 = self
                .histogram
                .iter()
                .enumerate()
                .map(|(i, c)| (i as i64 + 1) * c)
                .sum();
            halves as f64 / n as f64 / 2.0
        })
    }

    /// Counts by whole stars (a half star counts with the star below it,
    /// 0.5 with 1): `[1★, 2★, 3★, 4★, 5★]`.
    pub fn by_star(&self) -> [i64; 5] {
        let mut out = [0; 5];
        for (i, c) in self.histogram.iter().enumerate() {
            let halves = i + 1;
            let star = (halves / 2).max(1);
            out[star - 1] += c;
        }
        out
    }
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Review {
    pub id: Uuid,
    pub reviewer_username: String,
    pub reviewer_name: String,
    pub headline: Option<String>,
    pub body_html: String,
    pub spoiler: bool,
    pub recommends: Option<bool>,
    pub rating: Option<Rating>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct BookPage {
    pub work: Work,
    pub editions: Vec<Edition>,
    pub credits: Vec<Credit>,
    pub subjects: Vec<String>,
    /// The id of each of `subjects`, in the same order (for their pages'
    /// addresses).
    pub subject_ids: Vec<SubjectId>,
    pub materials: Vec<Material>,
    pub questions: Vec<Question>,
    pub stats: Stats,
    pub reviews: Vec<Review>,
    pub review_page: u32,
    pub reviews_per_page: u32,
}

impl BookPage {
    pub fn review_pages(&self) -> u32 {
        let n = self.stats.review_count.max(0) as u64;
        n.div_ceil(u64::from(self.reviews_per_page.max(1))).max(1) as u32
    }

    pub fn materials_of(&self, kind: MaterialKind) -> impl Iterator<Item = &Material> {
        self.materials.iter().filter(move |m| m.kind == kind)
    }

    /// The edition shown: the one asked for, else the primary one, else the
    /// first.
    pub fn edition(&self, wanted: Option<EditionId>) -> Option<&Edition> {
        wanted
            .and_then(|w| self.editions.iter().find(|e| e.id == w))
            .or_else(|| self.editions.iter().find(|e| e.is_primary))
            .or_else(|| self.editions.first())
    }

    pub fn authors(&self) -> impl Iterator<Item = &Credit> {
        self.credits
            .iter()
            .filter(|c| c.edition.is_none() && c.role == ContributorRole::Author)
    }
}

#[derive(sqlx::FromRow)]
struct WorkRow {
    id: Uuid,
    slug: String,
    title: String,
    subtitle: Option<String>,
    original_title: Option<String>,
    first_published: Option<String>,
    series: Option<String>,
    series_id: Option<Uuid>,
    series_position: Option<String>,
    revision: i64,
    locked_at: Option<OffsetDateTime>,
    locked_by: Option<String>,
    has_text: bool,
}

#[derive(sqlx::FromRow)]
struct EditionRow {
    id: Uuid,
    title: String,
    subtitle: Option<String>,
    format: String,
    pages: Option<i64>,
    isbn13: Option<String>,
    publisher: Option<String>,
    published: Option<String>,
    language: Option<String>,
    is_primary: bool,
    has_cover: bool,
    cover_ready: bool,
}

#[derive(sqlx::FromRow)]
struct ReviewRow {
    id: Uuid,
    username: String,
    display_name: String,
    headline: Option<String>,
    body_html: String,
    spoiler: bool,
    recommends: Option<bool>,
    halves: Option<i64>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl ReviewRow {
    fn into_review(self) -> Review {
        Review {
            id: self.id,
            reviewer_username: self.username,
            reviewer_name: self.display_name,
            headline: self.headline,
            body_html: self.body_html,
            spoiler: self.spoiler,
            recommends: self.recommends,
            rating: self.halves.and_then(|h| Rating::from_halves(h).ok()),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

fn date(s: Option<String>) -> Option<PubDate> {
    s.and_then(|s| PubDate::parse(&s).ok())
}

/// Read the book page of `work`: reviews newest first, `page` counted from
/// 1. `None` when there is no such work.
pub async fn load(db: &Db, work: WorkId, page: u32, per_page: u32) -> Result<Option<BookPage>> {
    let Some(core) = load_core(db, work).await? else {
        return Ok(None);
    };
    let questions = load_questions(db, work).await?;
    let activity = load_activity(db, work, page, per_page).await?;
    Ok(Some(BookPage::assemble(core, questions, activity)))
}

/// What changes only when the catalog does: the work, its editions,
/// credits, subjects and book-club material.
#[derive(Clone, Debug)]
pub struct CorePart {
    pub work: Work,
    pub editions: Vec<Edition>,
    pub credits: Vec<Credit>,
    pub subjects: Vec<String>,
    /// The id of each of `subjects`, in the same order (for their pages'
    /// addresses).
    pub subject_ids: Vec<SubjectId>,
    pub materials: Vec<Material>,
}

/// Every count on the page and one page of reviews: what ratings, readings
/// and reviews change.
#[derive(Clone, Debug)]
pub struct ActivityPart {
    pub stats: Stats,
    pub reviews: Vec<Review>,
    pub review_page: u32,
    pub reviews_per_page: u32,
}

impl BookPage {
    pub fn assemble(core: CorePart, questions: Vec<Question>, activity: ActivityPart) -> Self {
        Self {
            work: core.work,
            editions: core.editions,
            credits: core.credits,
            subjects: core.subjects,
            subject_ids: core.subject_ids,
            materials: core.materials,
            questions,
            stats: activity.stats,
            reviews: activity.reviews,
            review_page: activity.review_page,
            reviews_per_page: activity.reviews_per_page,
        }
    }
}

/// The work, editions, credits, subjects and material in [`CORE_QUERIES`]
/// statements. `None` when there is no such work.
pub async fn load_core(db: &Db, work: WorkId) -> Result<Option<CorePart>> {
    // 1. The work and its series.
    let w: Option<WorkRow> = read!(
        db,
        sqlx::query_as(
            "SELECT w.id, w.slug, w.title, w.subtitle, w.original_title, w.first_published,
                    s.name AS series, w.series_id, w.series_position, w.revision,
                    w.locked_at, u.display_name AS locked_by,
                    EXISTS (SELECT 1 FROM work_texts t WHERE t.work_id = w.id) AS has_text
             FROM works w LEFT JOIN series s ON s.id = w.series_id
             LEFT JOIN users u ON u.id = w.locked_by WHERE w.id = $1"
        )
        .bind(work.0),
        fetch_optional
    )?;
    let Some(w) = w else {
        return Ok(None);
    };

    // 2. Editions, the primary first.
    let editions: Vec<EditionRow> = read!(
        db,
        sqlx::query_as(
            "SELECT e.id, e.title, e.subtitle, e.format, e.pages, e.isbn13, e.publisher, e.published,
                    e.language, e.is_primary,
                    EXISTS (SELECT 1 FROM covers c WHERE c.edition_id = e.id) AS has_cover,
                    EXISTS (SELECT 1 FROM cover_thumbnails t JOIN covers c
                            ON c.edition_id = t.edition_id AND c.version = t.version
                            WHERE t.edition_id = e.id AND t.size = 'page') AS cover_ready
             FROM editions e WHERE e.work_id = $1
             ORDER BY e.is_primary DESC, e.published DESC, e.created_at, e.id"
        )
        .bind(work.0),
        fetch_all
    )?;

    // 3. Contributors of the work and of every edition.
    let credits: Vec<(Uuid, String, String, Option<Uuid>)> = read!(
        db,
        sqlx::query_as(
            "SELECT c.id, c.name, cr.role, cr.edition_id FROM credits cr
             JOIN contributors c ON c.id = cr.contributor_id
             WHERE cr.work_id = $1 ORDER BY cr.position, c.sort_name"
        )
        .bind(work.0),
        fetch_all
    )?;

    // 4. Subjects, most-tagged first.
    let subjects: Vec<(String, Uuid)> = read!(
        db,
        sqlx::query_as(
            "SELECT s.name, s.id FROM work_subjects ws JOIN subjects s ON s.id = ws.subject_id
             WHERE ws.work_id = $1 ORDER BY ws.weight DESC, s.name"
        )
        .bind(work.0),
        fetch_all
    )?;

    // 5. Book-club material.
    type MaterialRow = (
        Uuid,
        String,
        String,
        Option<String>,
        String,
        bool,
        Option<String>,
    );
    let materials: Vec<MaterialRow> = read!(
        db,
        sqlx::query_as(
            "SELECT m.id, m.kind, m.body, m.attribution, m.source, m.verified, u.display_name
             FROM materials m LEFT JOIN users u ON u.id = m.created_by
             WHERE m.work_id = $1 ORDER BY m.kind, m.position, m.created_at"
        )
        .bind(work.0),
        fetch_all
    )?;

    Ok(Some(CorePart {
        work: Work {
            id: WorkId(w.id),
            slug: w.slug,
            title: w.title,
            subtitle: w.subtitle,
            original_title: w.original_title,
            first_published: date(w.first_published),
            series: w.series,
            series_id: w.series_id.map(SeriesId),
            series_position: w.series_position,
            revision: w.revision,
            locked_at: w.locked_at,
            locked_by: w.locked_by,
            has_text: w.has_text,
        },
        editions: editions
            .into_iter()
            .map(|e| {
                let isbn = e
                    .isbn13
                    .as_deref()
                    .and_then(|i| quire_domain::Isbn13::parse(i).ok());
                Edition {
                    id: EditionId(e.id),
                    title: e.title,
                    subtitle: e.subtitle,
                    format: Format::parse(&e.format).unwrap_or(Format::Other),
                    pages: e.pages.and_then(|p| u32::try_from(p).ok()),
                    isbn10: isbn.and_then(|i| i.to_isbn10().ok()).map(|i| i.to_string()),
                    isbn13: e.isbn13,
                    publisher: e.publisher,
                    published: date(e.published),
                    language: e.language,
                    is_primary: e.is_primary,
                    has_cover: e.has_cover,
                    cover_ready: e.cover_ready,
                }
            })
            .collect(),
        credits: credits
            .into_iter()
            .map(|(contributor, name, role, edition)| Credit {
                contributor: ContributorId(contributor),
                name,
                role: ContributorRole::parse(&role).unwrap_or(ContributorRole::Author),
                edition: edition.map(EditionId),
            })
            .collect(),
        subject_ids: subjects.iter().map(|(_, id)| SubjectId(*id)).collect(),
        subjects: subjects.into_iter().map(|(s, _)| s).collect(),
        materials: materials
            .into_iter()
            .filter_map(
                |(id, kind, body, attribution, source, verified, posted_by)| {
                    Some(Material {
                        id,
                        kind: MaterialKind::parse(&kind)?,
                        body,
                        attribution,
                        verified,
                        posted_by,
                        source: Source::parse(&source).unwrap_or(Source::Quire),
                    })
                },
            )
            .collect(),
    }))
}

/// The discussion questions with their votes, in one statement.
pub async fn load_questions(db: &Db, work: WorkId) -> Result<Vec<Question>> {
    // 6. Discussion questions: the publisher's and Quire's in their order,
    // then members' by votes.
    let questions: Vec<(Uuid, String, String, Option<String>, i64)> = read!(
        db,
        sqlx::query_as(
            "SELECT q.id, q.body, q.source, u.display_name,
                    (SELECT COUNT(*) FROM question_votes v WHERE v.question_id = q.id) AS votes
             FROM questions q LEFT JOIN users u ON u.id = q.created_by
             WHERE q.work_id = $1
             ORDER BY CASE WHEN q.source = 'member' THEN 1 ELSE 0 END, votes DESC, q.position"
        )
        .bind(work.0),
        fetch_all
    )?;

    Ok(questions
        .into_iter()
        .map(|(id, body, source, author, votes)| Question {
            id,
            body,
            source: Source::parse(&source).unwrap_or(Source::Member),
            author,
            votes,
        })
        .collect())
}

/// Every count and one page of reviews (newest first, `page` counted from
/// 1), in [`ACTIVITY_QUERIES`] statements.
pub async fn load_activity(
    db: &Db,
    work: WorkId,
    page: u32,
    per_page: u32,
) -> Result<ActivityPart> {
    let page = page.max(1);
    let per_page = per_page.clamp(1, 100);
    // 7. Every count on the page, in one statement, so they agree.
    #[derive(sqlx::FromRow)]
    struct StatsRow {
        reading_now: i64,
        have_read: i64,
        clubs_now: i64,
        clubs_read: i64,
        review_count: i64,
        recommend_yes: i64,
        recommend_answered: i64,
        h1: i64,
        h2: i64,
        h3: i64,
        h4: i64,
        h5: i64,
        h6: i64,
        h7: i64,
        h8: i64,
        h9: i64,
        h10: i64,
    }
    let s: StatsRow = read!(
        db,
        sqlx::query_as(
            "SELECT
               (SELECT COUNT(DISTINCT user_id) FROM readings WHERE work_id = $1 AND status = 'reading') AS reading_now,
               (SELECT COUNT(DISTINCT user_id) FROM readings WHERE work_id = $1 AND status = 'read') AS have_read,
               (SELECT COUNT(*) FROM club_selections WHERE work_id = $1 AND status = 'current') AS clubs_now,
               (SELECT COUNT(DISTINCT club_id) FROM club_selections WHERE work_id = $1 AND status = 'finished') AS clubs_read,
               (SELECT COUNT(*) FROM reviews WHERE work_id = $1) AS review_count,
               (SELECT COUNT(*) FROM reviews WHERE work_id = $1 AND recommends = TRUE) AS recommend_yes,
               (SELECT COUNT(*) FROM reviews WHERE work_id = $1 AND recommends IS NOT NULL) AS recommend_answered,
               r.h1, r.h2, r.h3, r.h4, r.h5, r.h6, r.h7, r.h8, r.h9, r.h10
             FROM (SELECT
               CAST(COALESCE(SUM(CASE WHEN halves = 1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS h1,
               CAST(COALESCE(SUM(CASE WHEN halves = 2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS h2,
               CAST(COALESCE(SUM(CASE WHEN halves = 3 THEN 1 ELSE 0 END), 0) AS BIGINT) AS h3,
               CAST(COALESCE(SUM(CASE WHEN halves = 4 THEN 1 ELSE 0 END), 0) AS BIGINT) AS h4,
               CAST(COALESCE(SUM(CASE WHEN halves = 5 THEN 1 ELSE 0 END), 0) AS BIGINT) AS h5,
               CAST(COALESCE(SUM(CASE WHEN halves = 6 THEN 1 ELSE 0 END), 0) AS BIGINT) AS h6,
               CAST(COALESCE(SUM(CASE WHEN halves = 7 THEN 1 ELSE 0 END), 0) AS BIGINT) AS h7,
               CAST(COALESCE(SUM(CASE WHEN halves = 8 THEN 1 ELSE 0 END), 0) AS BIGINT) AS h8,
               CAST(COALESCE(SUM(CASE WHEN halves = 9 THEN 1 ELSE 0 END), 0) AS BIGINT) AS h9,
               CAST(COALESCE(SUM(CASE WHEN halves = 10 THEN 1 ELSE 0 END), 0) AS BIGINT) AS h10
               FROM ratings WHERE work_id = $1) r"
        )
        .bind(work.0),
        fetch_one
    )?;

    // 8. One page of reviews with each reviewer's rating.
    let reviews: Vec<ReviewRow> = read!(
        db,
        sqlx::query_as(
            "SELECT r.id, u.username, u.display_name, r.headline, r.body_html, r.spoiler,
                    r.recommends, rt.halves, r.created_at, r.updated_at
             FROM reviews r JOIN users u ON u.id = r.user_id
             LEFT JOIN ratings rt ON rt.user_id = r.user_id AND rt.work_id = r.work_id
             WHERE r.work_id = $1
             ORDER BY r.created_at DESC, r.id DESC LIMIT $2 OFFSET $3"
        )
        .bind(work.0)
        .bind(i64::from(per_page))
        .bind(i64::from(page - 1) * i64::from(per_page)),
        fetch_all
    )?;

    Ok(ActivityPart {
        stats: Stats {
            reading_now: s.reading_now,
            have_read: s.have_read,
            clubs_reading_now: s.clubs_now,
            clubs_have_read: s.clubs_read,
            review_count: s.review_count,
            recommend_yes: s.recommend_yes,
            recommend_answered: s.recommend_answered,
            histogram: [s.h1, s.h2, s.h3, s.h4, s.h5, s.h6, s.h7, s.h8, s.h9, s.h10],
        },
        reviews: reviews.into_iter().map(ReviewRow::into_review).collect(),
        review_page: page,
        reviews_per_page: per_page,
    })
}

/// What the signed-in reader has to do with the work.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ViewerState {
    pub rating: Option<Rating>,
    pub queue_position: Option<i64>,
    pub status: Option<ReadingStatus>,
    pub progress: Option<Progress>,
    pub progress_edition: Option<EditionId>,
    pub started_on: Option<Date>,
    /// When the latest reading shown ended (read or not finished).
    pub finished_on: Option<Date>,
    pub times_read: i64,
    pub has_review: bool,
    pub voted_questions: Vec<Uuid>,
}

pub async fn viewer_state(db: &Db, user: UserId, work: WorkId) -> Result<ViewerState> {
    #[derive(sqlx::FromRow)]
    struct Row {
        halves: Option<i64>,
        queue_position: Option<i64>,
        status: Option<String>,
        progress_unit: Option<String>,
        progress_value: Option<i64>,
        edition_id: Option<Uuid>,
        started_on: Option<Date>,
        finished_on: Option<Date>,
        times_read: i64,
        has_review: bool,
    }
    let r: Row = read!(
        db,
        sqlx::query_as(
            "SELECT
               (SELECT halves FROM ratings WHERE user_id = $1 AND work_id = $2) AS halves,
               (SELECT position FROM queue_entries WHERE user_id = $1 AND work_id = $2) AS queue_position,
               cur.status, cur.progress_unit, cur.progress_value, cur.edition_id, cur.started_on,
               cur.finished_on,
               (SELECT COUNT(*) FROM readings WHERE user_id = $1 AND work_id = $2 AND status = 'read') AS times_read,
               EXISTS (SELECT 1 FROM reviews WHERE user_id = $1 AND work_id = $2) AS has_review
             FROM (SELECT 1 AS one) base
             LEFT JOIN (SELECT status, progress_unit, progress_value, edition_id, started_on, finished_on
                        FROM readings WHERE user_id = $1 AND work_id = $2
                        ORDER BY CASE WHEN status = 'reading' THEN 0 ELSE 1 END, updated_at DESC, id DESC
                        LIMIT 1) cur ON TRUE"
        )
        .bind(user.0)
        .bind(work.0),
        fetch_one
    )?;
    let voted: Vec<(Uuid,)> = read!(
        db,
        sqlx::query_as(
            "SELECT v.question_id FROM question_votes v JOIN questions q ON q.id = v.question_id
             WHERE q.work_id = $2 AND v.user_id = $1"
        )
        .bind(user.0)
        .bind(work.0),
        fetch_all
    )?;
    let progress = match (r.progress_unit.as_deref(), r.progress_value) {
        (Some(u), Some(v)) => Progress::parse(u, &v.to_string(), None).ok(),
        _ => None,
    };
    Ok(ViewerState {
        rating: r.halves.and_then(|h| Rating::from_halves(h).ok()),
        queue_position: r.queue_position,
        status: r.status.as_deref().and_then(ReadingStatus::parse),
        progress,
        progress_edition: r.edition_id.map(EditionId),
        started_on: r.started_on,
        finished_on: r.finished_on,
        times_read: r.times_read,
        has_review: r.has_review,
        voted_questions: voted.into_iter().map(|(q,)| q).collect(),
    })
}

pub use crate::reviews::OwnReview;

/// Everything of the signed-in reader's own that the book page shows, and
/// the page's revisions, read together.
#[derive(Clone, Debug)]
pub struct ReaderView {
    pub revisions: crate::catalog::Revisions,
    pub state: ViewerState,
    pub own_review: Option<OwnReview>,
    /// The reader's custom shelves: (name, slug), by name.
    pub shelves: Vec<(String, String)>,
    /// The slugs of those shelves this work is on.
    pub on_shelves: Vec<String>,
}

/// The statement behind [`reader_view`] and [`session_view`]: the reader
/// (`me`, one row or none, chosen by `$1`) and the work (`$2`). Rows of four
/// kinds stacked with `UNION ALL`, each kind using the columns it needs; the
/// `state` row is there whenever the work is, with the reader's account
/// when `me` found one. Only NULLs are cast: SQLite would turn a cast date
/// into a number.
///
/// Each kind finds the reader's rows by the id as a value
/// (`= (SELECT id FROM me)`, or `me.id` in the `state` row's own
/// subqueries) rather than by joining `me`: PostgreSQL runs this statement
/// with a kept generic plan, and starting that plan's nodes is most of what
/// a call costs it, so fewer joins make a cheaper call (counted with
/// callgrind on PostgreSQL 15: 800,000 instructions a call before, 660,000
/// after, most of the difference from the session lookup below).
macro_rules! reader_view_sql {
    ($me:literal) => {
        concat!(
            "WITH me AS (",
            $me,
            ")
             SELECT 'state' AS kind, cur.status AS s1, cur.progress_unit AS s2,
                    CAST((SELECT r.halves FROM ratings r WHERE r.user_id = me.id AND r.work_id = $2) AS BIGINT) AS n1,
                    CAST((SELECT q.position FROM queue_entries q WHERE q.user_id = me.id AND q.work_id = $2) AS BIGINT) AS n2,
                    CAST(cur.progress_value AS BIGINT) AS n3,
                    CAST((SELECT COUNT(*) FROM readings rd WHERE rd.user_id = me.id AND rd.work_id = $2 AND rd.status = 'read') AS BIGINT) AS n4,
                    CAST(w.revision AS BIGINT) AS n5, CAST(w.questions_revision AS BIGINT) AS n6,
                    CAST(w.activity_revision AS BIGINT) AS n7,
                    CAST(CASE WHEN me.is_demo THEN 1 ELSE 0 END AS BIGINT) AS n8,
                    cur.edition_id AS id, me.id AS uid, cur.started_on AS d1, cur.finished_on AS d2,
                    me.created_at AS t1, CAST(NULL AS TIMESTAMPTZ) AS t2,
                    me.username AS s3, me.display_name AS s4, me.bio AS s5, me.role AS s6
             FROM works w
             LEFT JOIN me ON TRUE
             LEFT JOIN (SELECT rd.status, rd.progress_unit, rd.progress_value, rd.edition_id, rd.started_on, rd.finished_on
                        FROM readings rd WHERE rd.user_id = (SELECT id FROM me) AND rd.work_id = $2
                        ORDER BY CASE WHEN rd.status = 'reading' THEN 0 ELSE 1 END, rd.updated_at DESC, rd.id DESC
                        LIMIT 1) cur ON TRUE
             WHERE w.id = $2
             UNION ALL
             SELECT 'review', rv.headline, rv.body,
                    CAST(CASE WHEN rv.spoiler THEN 1 ELSE 0 END AS BIGINT),
                    CAST(CASE WHEN rv.recommends IS NULL THEN NULL WHEN rv.recommends THEN 1 ELSE 0 END AS BIGINT),
                    CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
                    CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
                    rv.id, CAST(NULL AS UUID), CAST(NULL AS DATE), CAST(NULL AS DATE), rv.created_at, rv.updated_at,
                    CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT)
             FROM reviews rv WHERE rv.user_id = (SELECT id FROM me) AND rv.work_id = $2
             UNION ALL
             SELECT 'shelf', sh.name, sh.slug,
                    CAST(CASE WHEN EXISTS (SELECT 1 FROM shelf_items si
                                           WHERE si.shelf_id = sh.id AND si.work_id = $2)
                         THEN 1 ELSE 0 END AS BIGINT),
                    CAST(NULL AS BIGINT),
                    CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
                    CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
                    CAST(NULL AS UUID), CAST(NULL AS UUID), CAST(NULL AS DATE), CAST(NULL AS DATE),
                    CAST(NULL AS TIMESTAMPTZ), CAST(NULL AS TIMESTAMPTZ),
                    CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT)
             FROM shelves sh WHERE sh.user_id = (SELECT id FROM me)
             UNION ALL
             SELECT 'vote', CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS BIGINT),
                    CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
                    CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
                    v.question_id, CAST(NULL AS UUID), CAST(NULL AS DATE), CAST(NULL AS DATE),
                    CAST(NULL AS TIMESTAMPTZ), CAST(NULL AS TIMESTAMPTZ),
                    CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT)
             FROM question_votes v JOIN questions q ON q.id = v.question_id
             WHERE v.user_id = (SELECT id FROM me) AND q.work_id = $2"
        )
    };
}

/// Read by column position rather than by name (the statement's column
/// order is fixed above), so a row costs no name look-ups.
struct ReaderRow {
    kind: String,
    s1: Option<String>,
    s2: Option<String>,
    s3: Option<String>,
    s4: Option<String>,
    s5: Option<String>,
    s6: Option<String>,
    n1: Option<i64>,
    n2: Option<i64>,
    n3: Option<i64>,
    n4: Option<i64>,
    n5: Option<i64>,
    n6: Option<i64>,
    n7: Option<i64>,
    n8: Option<i64>,
    id: Option<Uuid>,
    uid: Option<Uuid>,
    d1: Option<Date>,
    d2: Option<Date>,
    t1: Option<OffsetDateTime>,
    t2: Option<OffsetDateTime>,
}

macro_rules! reader_row_by_position {
    ($row:ty) => {
        impl<'r> sqlx::FromRow<'r, $row> for ReaderRow {
            fn from_row(row: &'r $row) -> std::result::Result<Self, sqlx::Error> {
                use sqlx::Row;
                Ok(Self {
                    kind: row.try_get(0)?,
                    s1: row.try_get(1)?,
                    s2: row.try_get(2)?,
                    n1: row.try_get(3)?,
                    n2: row.try_get(4)?,
                    n3: row.try_get(5)?,
                    n4: row.try_get(6)?,
                    n5: row.try_get(7)?,
                    n6: row.try_get(8)?,
                    n7: row.try_get(9)?,
                    n8: row.try_get(10)?,
                    id: row.try_get(11)?,
                    uid: row.try_get(12)?,
                    d1: row.try_get(13)?,
                    d2: row.try_get(14)?,
                    t1: row.try_get(15)?,
                    t2: row.try_get(16)?,
                    s3: row.try_get(17)?,
                    s4: row.try_get(18)?,
                    s5: row.try_get(19)?,
                    s6: row.try_get(20)?,
                })
            }
        }
    };
}
reader_row_by_position!(sqlx::sqlite::SqliteRow);
reader_row_by_position!(sqlx::postgres::PgRow);

/// The reader's rating, queue place, current reading, times read, own
/// review, shelf names and question votes, with the work's revisions, in
/// one statement ([`READER_VIEW_QUERIES`]). `None` when there is no such
/// work.
pub async fn reader_view(db: &Db, user: UserId, work: WorkId) -> Result<Option<ReaderView>> {
    let rows: Vec<ReaderRow> = read!(
        db,
        sqlx::query_as(reader_view_sql!(
            "SELECT u.id, u.username, u.display_name, u.bio, u.role, u.is_demo, u.created_at
             FROM users u WHERE u.id = $1"
        ))
        .bind(user.0)
        .bind(work.0),
        fetch_all
    )?;
    Ok(assemble_reader_view(rows)?.map(|(_, view)| view))
}

/// A book page's reader from the session cookie, with everything
/// [`reader_view`] reads, in one statement ([`READER_VIEW_QUERIES`]): the
/// session lookup is folded into the reader's own query, so a signed-in
/// book page costs one query, as a signed-out one does. `None` when there
/// is no such work; the account is `None` when the session is unknown or
/// expired (the view is then empty, with the revisions).
pub async fn session_view(
    db: &Db,
    token_hash: &str,
    work: WorkId,
) -> Result<Option<(Option<crate::users::User>, ReaderView)>> {
    let rows: Vec<ReaderRow> = read!(
        db,
        // The session as a value, not a join: with so few users PostgreSQL
        // would otherwise hash the whole users table on every call.
        sqlx::query_as(reader_view_sql!(
            "SELECT u.id, u.username, u.display_name, u.bio, u.role, u.is_demo, u.created_at
             FROM users u
             WHERE u.id = (SELECT s.user_id FROM sessions s
                           WHERE s.token_hash = $1 AND s.expires_at > $3)"
        ))
        .bind(token_hash)
        .bind(work.0)
        .bind(crate::db::now()),
        fetch_all
    )?;
    assemble_reader_view(rows)
}

fn assemble_reader_view(
    rows: Vec<ReaderRow>,
) -> Result<Option<(Option<crate::users::User>, ReaderView)>> {
    let corrupt = crate::StorageError::Corrupt;
    let mut view: Option<ReaderView> = None;
    let mut user = None;
    let mut own_review = None;
    let mut shelves = Vec::new();
    let mut on_shelves = Vec::new();
    let mut voted = Vec::new();
    for r in rows {
        match r.kind.as_str() {
            "state" => {
                let progress = match (r.s2.as_deref(), r.n3) {
                    (Some(u), Some(v)) => Progress::parse(u, &v.to_string(), None).ok(),
                    _ => None,
                };
                let status = match r.s1.as_deref() {
                    Some(s) => Some(
                        ReadingStatus::parse(s)
                            .ok_or_else(|| corrupt(format!("unknown reading status {s:?}")))?,
                    ),
                    None => None,
                };
                if let (Some(id), Some(username), Some(display_name), Some(bio), Some(role)) =
                    (r.uid, r.s3, r.s4, r.s5, r.s6)
                {
                    user = Some(crate::users::User {
                        id,
                        username,
                        display_name,
                        bio,
                        role: quire_domain::SiteRole::try_from(role)
                            .map_err(|e| corrupt(e.to_string()))?,
                        is_demo: r.n8 == Some(1),
                        created_at: r.t1.ok_or_else(|| {
                            corrupt("an account without its creation time".into())
                        })?,
                        time_zone: None,
                    });
                }
                view = Some(ReaderView {
                    revisions: crate::catalog::Revisions {
                        core: r.n5.unwrap_or(0),
                        questions: r.n6.unwrap_or(0),
                        activity: r.n7.unwrap_or(0),
                    },
                    state: ViewerState {
                        rating: r.n1.and_then(|h| Rating::from_halves(h).ok()),
                        queue_position: r.n2,
                        status,
                        progress,
                        progress_edition: r.id.map(EditionId),
                        started_on: r.d1,
                        finished_on: r.d2,
                        times_read: r.n4.unwrap_or(0),
                        has_review: false,
                        voted_questions: Vec::new(),
                    },
                    own_review: None,
                    shelves: Vec::new(),
                    on_shelves: Vec::new(),
                });
            }
            "review" => {
                if let (Some(id), Some(body), Some(created_at), Some(updated_at)) =
                    (r.id, r.s2, r.t1, r.t2)
                {
                    own_review = Some(OwnReview {
                        id,
                        headline: r.s1,
                        body,
                        spoiler: r.n1 == Some(1),
                        recommends: r.n2.map(|n| n == 1),
                        created_at,
                        updated_at,
                    });
                }
            }
            "shelf" => {
                if let (Some(name), Some(slug)) = (r.s1, r.s2) {
                    if r.n1 == Some(1) {
                        on_shelves.push(slug.clone());
                    }
                    shelves.push((name, slug));
                }
            }
            _ => voted.extend(r.id),
        }
    }
    shelves.sort();
    Ok(view.map(|mut v| {
        v.state.has_review = own_review.is_some();
        v.state.voted_questions = voted;
        v.own_review = own_review;
        v.shelves = shelves;
        v.on_shelves = on_shelves;
        (user, v)
    }))
}

/// A page of a work's reviews for the API, newest first, after the review
/// `(created_at, id)` when given: keyset paging, so reviews written while a
/// client walks the list neither repeat nor push others past it. `None`
/// when there is no such work.
pub async fn reviews_after(
    db: &Db,
    work: WorkId,
    after: Option<(OffsetDateTime, Uuid)>,
    limit: u32,
) -> Result<Option<Vec<Review>>> {
    let (t, id) = match after {
        Some((t, id)) => (Some(t), Some(id)),
        None => (None, None),
    };
    let rows: Vec<ReviewRow> = read!(
        db,
        sqlx::query_as(
            "SELECT r.id, u.username, u.display_name, r.headline, r.body_html, r.spoiler,
                    r.recommends, rt.halves, r.created_at, r.updated_at
             FROM reviews r JOIN users u ON u.id = r.user_id
             LEFT JOIN ratings rt ON rt.user_id = r.user_id AND rt.work_id = r.work_id
             WHERE r.work_id = $1
               AND ($2 IS NULL OR r.created_at < $2 OR (r.created_at = $2 AND r.id < $3))
             ORDER BY r.created_at DESC, r.id DESC LIMIT $4"
        )
        .bind(work.0)
        .bind(t)
        .bind(id)
        .bind(i64::from(limit)),
        fetch_all
    )?;
    if rows.is_empty() {
        let (n,): (i64,) = read!(
            db,
            sqlx::query_as("SELECT COUNT(*) FROM works WHERE id = $1").bind(work.0),
            fetch_one
        )?;
        if n == 0 {
            return Ok(None);
        }
    }
    Ok(Some(rows.into_iter().map(ReviewRow::into_review).collect()))
}
