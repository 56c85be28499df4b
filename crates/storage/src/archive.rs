//! What a member or a club takes away: every row they own, as tables of
//! named columns with plain values, ready to be written as JSON and CSV.
//!
//! Each table is one statement with its columns declared once (name and
//! kind), so the same code reads it on both engines and the archive's
//! column order is fixed. Secrets (password and token hashes) and other
//! people's private data are never selected: a club's ballots are listed
//! without who cast them, as the poll pages show them.

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::Result;
use crate::db::{Db, Pool};
use quire_domain::{ClubId, UserId};

/// How a column is read and written.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Id,
    Text,
    Int,
    Real,
    Bool,
    /// A stored instant, written in RFC 3339.
    Time,
    /// A calendar date, written `YYYY-MM-DD`.
    Day,
    /// A rating in half stars, written as stars (4.5).
    Stars,
}

/// One statement of an archive: its rows are bound to one id (`$1`).
struct Spec {
    name: &'static str,
    about: &'static str,
    columns: &'static [(&'static str, Kind)],
    sql: &'static str,
}

/// One table of an archive.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// File-safe name (`ratings`, `club_posts`).
    pub name: &'static str,
    /// One sentence on what the rows are.
    pub about: &'static str,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    /// The rows as JSON objects keyed by column name.
    pub fn objects(&self) -> Vec<serde_json::Map<String, Value>> {
        self.rows
            .iter()
            .map(|row| {
                self.columns
                    .iter()
                    .map(|c| c.to_string())
                    .zip(row.iter().cloned())
                    .collect()
            })
            .collect()
    }
}

/// Everything one member made: profile, shelves, readings, ratings,
/// reviews, questions, cards, club contributions and catalog edits.
pub async fn account(db: &Db, user: UserId) -> Result<Vec<Table>> {
    let mut out = Vec::with_capacity(ACCOUNT.len());
    for spec in ACCOUNT {
        out.push(fetch(db, spec, user.0).await?);
    }
    Ok(out)
}

/// Everything a club holds: its settings, members, selections, polls,
/// meetings, questions and discussions.
pub async fn club(db: &Db, club: ClubId) -> Result<Vec<Table>> {
    let mut out = Vec::with_capacity(CLUB.len());
    for spec in CLUB {
        out.push(fetch(db, spec, club.0).await?);
    }
    Ok(out)
}

/// Read one column of a row as a JSON value; `$row` is a row of either
/// engine (the same code is expanded for each).
macro_rules! cell {
    ($row:expr, $i:expr, $kind:expr) => {{
        use sqlx::Row;
        let row = $row;
        let i: usize = $i;
        match $kind {
            Kind::Id => row
                .try_get::<Option<Uuid>, _>(i)?
                .map(|v| Value::String(v.to_string())),
            Kind::Text => row.try_get::<Option<String>, _>(i)?.map(Value::String),
            Kind::Int => row.try_get::<Option<i64>, _>(i)?.map(Value::from),
            Kind::Real => row.try_get::<Option<f64>, _>(i)?.map(Value::from),
            Kind::Bool => row.try_get::<Option<bool>, _>(i)?.map(Value::Bool),
            Kind::Time => row
                .try_get::<Option<OffsetDateTime>, _>(i)?
                .and_then(|t| t.format(&Rfc3339).ok())
                .map(Value::String),
            Kind::Day => row
                .try_get::<Option<Date>, _>(i)?
                .map(|d| Value::String(d.to_string())),
            Kind::Stars => row
                .try_get::<Option<i64>, _>(i)?
                .map(|h| Value::from(h as f64 / 2.0)),
        }
        .unwrap_or(Value::Null)
    }};
}

/// Run `spec` on a pool of either engine and read its rows (the same code
/// is expanded for each).
macro_rules! rows_of {
    ($pool:expr, $spec:expr, $id:expr) => {{
        let mut c = $pool.get().await?;
        let r = sqlx::query($spec.sql)
            .bind($id)
            .fetch_all(&mut c.conn)
            .await;
        c.done(&r);
        let mut rows = Vec::new();
        for row in r? {
            let mut out = Vec::with_capacity($spec.columns.len());
            for (i, (_, kind)) in $spec.columns.iter().enumerate() {
                out.push(cell!(&row, i, *kind));
            }
            rows.push(out);
        }
        rows
    }};
}

async fn fetch(db: &Db, spec: &Spec, id: Uuid) -> Result<Table> {
    db.count_query();
    let rows = match db.pool() {
        Pool::Sqlite { read, .. } => rows_of!(read, spec, id),
        Pool::Postgres { read, .. } => rows_of!(read, spec, id),
    };
    Ok(Table {
        name: spec.name,
        about: spec.about,
        columns: spec.columns.iter().map(|(n, _)| *n).collect(),
        rows,
    })
}

use Kind::{Bool, Day, Id, Int, Real, Stars, Text, Time};

/// A work's title and first author, for rows that name a book: `$w` is the
/// work id column. Written as a correlated sub-select so every table reads
/// the same way.
macro_rules! book_columns {
    ($w:literal) => {
        concat!(
            "(SELECT title FROM works WHERE id = ",
            $w,
            ") AS book_title, (SELECT c.name FROM credits cr JOIN contributors c ON c.id = cr.contributor_id WHERE cr.work_id = ",
            $w,
            " AND cr.edition_id IS NULL ORDER BY cr.position LIMIT 1) AS book_author"
        )
    };
}

const ACCOUNT: &[Spec] = &[
    Spec {
        name: "profile",
        about: "Your account: name, biography, time zone and role.",
        columns: &[
            ("username", Text),
            ("display_name", Text),
            ("bio", Text),
            ("time_zone", Text),
            ("role", Text),
            ("joined_at", Time),
        ],
        sql: "SELECT username, display_name, bio, time_zone, role, created_at
              FROM users WHERE id = $1",
    },
    Spec {
        name: "ratings",
        about: "Your star ratings, one per book.",
        columns: &[
            ("work_id", Id),
            ("book_title", Text),
            ("book_author", Text),
            ("stars", Stars),
            ("rated_at", Time),
            ("updated_at", Time),
        ],
        sql: concat!(
            "SELECT r.work_id, ",
            book_columns!("r.work_id"),
            ", CAST(r.halves AS BIGINT), r.created_at, r.updated_at
              FROM ratings r WHERE r.user_id = $1 ORDER BY r.created_at, r.work_id"
        ),
    },
    Spec {
        name: "reviews",
        about: "Your reviews as you wrote them (Markdown), with the spoiler mark and whether you recommend the book to book clubs.",
        columns: &[
            ("work_id", Id),
            ("book_title", Text),
            ("book_author", Text),
            ("headline", Text),
            ("body", Text),
            ("spoiler", Bool),
            ("recommends_to_clubs", Bool),
            ("written_at", Time),
            ("updated_at", Time),
        ],
        sql: concat!(
            "SELECT r.work_id, ",
            book_columns!("r.work_id"),
            ", r.headline, r.body, r.spoiler, r.recommends, r.created_at, r.updated_at
              FROM reviews r WHERE r.user_id = $1 ORDER BY r.created_at, r.id"
        ),
    },
    Spec {
        name: "readings",
        about: "Each time you read, are reading or set aside a book, with dates and your place.",
        columns: &[
            ("work_id", Id),
            ("book_title", Text),
            ("book_author", Text),
            ("edition_id", Id),
            ("status", Text),
            ("started_on", Day),
            ("finished_on", Day),
            ("place_unit", Text),
            ("place_value", Int),
            ("updated_at", Time),
        ],
        sql: concat!(
            "SELECT r.work_id, ",
            book_columns!("r.work_id"),
            ", r.edition_id, r.status, r.started_on, r.finished_on, r.progress_unit,
              CAST(r.progress_value AS BIGINT), r.updated_at
              FROM readings r WHERE r.user_id = $1 ORDER BY r.created_at, r.id"
        ),
    },
    Spec {
        name: "queue",
        about: "Your want-to-read queue, in your order.",
        columns: &[
            ("position", Int),
            ("work_id", Id),
            ("book_title", Text),
            ("book_author", Text),
            ("added_at", Time),
        ],
        sql: concat!(
            "SELECT CAST(q.position AS BIGINT), q.work_id, ",
            book_columns!("q.work_id"),
            ", q.added_at FROM queue_entries q WHERE q.user_id = $1 ORDER BY q.position"
        ),
    },
    Spec {
        name: "shelves",
        about: "Your own shelves and the books on them (a shelf with no book has one row with an empty book).",
        columns: &[
            ("shelf", Text),
            ("shelf_slug", Text),
            ("work_id", Id),
            ("book_title", Text),
            ("book_author", Text),
            ("added_at", Time),
        ],
        sql: concat!(
            "SELECT s.name, s.slug, si.work_id, ",
            book_columns!("si.work_id"),
            ", si.added_at FROM shelves s LEFT JOIN shelf_items si ON si.shelf_id = s.id
              WHERE s.user_id = $1 ORDER BY s.name, si.added_at"
        ),
    },
    Spec {
        name: "book_questions",
        about: "Discussion questions you added to books.",
        columns: &[
            ("work_id", Id),
            ("book_title", Text),
            ("book_author", Text),
            ("question", Text),
            ("source", Text),
            ("asked_at", Time),
        ],
        sql: concat!(
            "SELECT q.work_id, ",
            book_columns!("q.work_id"),
            ", q.body, q.source, q.created_at FROM questions q
              WHERE q.created_by = $1 ORDER BY q.created_at"
        ),
    },
    Spec {
        name: "book_question_votes",
        about: "Discussion questions you voted for.",
        columns: &[("question", Text), ("book_title", Text), ("voted_at", Time)],
        sql: "SELECT q.body, w.title, v.created_at FROM question_votes v
              JOIN questions q ON q.id = v.question_id JOIN works w ON w.id = q.work_id
              WHERE v.user_id = $1 ORDER BY v.created_at",
    },
    Spec {
        name: "material",
        about: "Blurbs, notes and other material you posted on book pages.",
        columns: &[
            ("work_id", Id),
            ("book_title", Text),
            ("book_author", Text),
            ("kind", Text),
            ("body", Text),
            ("attribution", Text),
            ("source", Text),
            ("verified", Bool),
            ("posted_at", Time),
        ],
        sql: concat!(
            "SELECT m.work_id, ",
            book_columns!("m.work_id"),
            ", m.kind, m.body, m.attribution, m.source, m.verified, m.created_at
              FROM materials m WHERE m.created_by = $1 ORDER BY m.created_at"
        ),
    },
    Spec {
        name: "flashcards",
        about: "Your flashcard reviews: each card's schedule (FSRS stability and difficulty) and history counts.",
        columns: &[
            ("work_id", Id),
            ("book_title", Text),
            ("card", Text),
            ("stability", Real),
            ("difficulty", Real),
            ("due_at", Time),
            ("first_review", Time),
            ("last_review", Time),
            ("reviews", Int),
            ("lapses", Int),
            ("last_answer", Text),
        ],
        sql: "SELECT c.work_id, w.title, c.card_id, CAST(c.stability AS DOUBLE PRECISION),
              CAST(c.difficulty AS DOUBLE PRECISION), c.due_at, c.first_review, c.last_review,
              CAST(c.reps AS BIGINT), CAST(c.lapses AS BIGINT), c.last_rating
              FROM card_reviews c JOIN works w ON w.id = c.work_id
              WHERE c.user_id = $1 ORDER BY w.title, c.card_id",
    },
    Spec {
        name: "clubs",
        about: "The clubs you belong to, your role, and whether you share your progress there.",
        columns: &[
            ("club", Text),
            ("club_slug", Text),
            ("role", Text),
            ("shares_progress", Bool),
            ("joined_at", Time),
        ],
        sql: "SELECT c.name, c.slug, m.role, m.shares_progress, m.joined_at
              FROM club_members m JOIN clubs c ON c.id = m.club_id
              WHERE m.user_id = $1 ORDER BY m.joined_at",
    },
    Spec {
        name: "club_nominations",
        about: "Books you nominated in clubs, with your pitch.",
        columns: &[
            ("club", Text),
            ("work_id", Id),
            ("book_title", Text),
            ("book_author", Text),
            ("pitch", Text),
            ("nominated_at", Time),
        ],
        sql: concat!(
            "SELECT c.name, n.work_id, ",
            book_columns!("n.work_id"),
            ", n.pitch, n.created_at FROM club_nominations n JOIN clubs c ON c.id = n.club_id
              WHERE n.user_id = $1 ORDER BY n.created_at"
        ),
    },
    Spec {
        name: "club_threads",
        about: "Discussion threads you started.",
        columns: &[
            ("club", Text),
            ("thread_id", Id),
            ("title", Text),
            ("anchor_unit", Text),
            ("anchor_value", Int),
            ("started_at", Time),
        ],
        sql: "SELECT c.name, t.id, t.title, t.anchor_unit, CAST(t.anchor_value AS BIGINT), t.created_at
              FROM club_threads t JOIN clubs c ON c.id = t.club_id
              WHERE t.author_id = $1 ORDER BY t.created_at",
    },
    Spec {
        name: "club_posts",
        about: "Everything you posted in club discussions (Markdown as written).",
        columns: &[
            ("club", Text),
            ("thread_id", Id),
            ("thread", Text),
            ("body", Text),
            ("hidden_by_organiser", Bool),
            ("posted_at", Time),
        ],
        sql: "SELECT c.name, t.id, t.title, p.body, p.hidden, p.created_at
              FROM club_posts p JOIN club_threads t ON t.id = p.thread_id
              JOIN clubs c ON c.id = t.club_id
              WHERE p.author_id = $1 ORDER BY p.created_at",
    },
    Spec {
        name: "club_questions",
        about: "Questions you proposed for club meetings.",
        columns: &[
            ("club", Text),
            ("question", Text),
            ("anchor_unit", Text),
            ("anchor_value", Int),
            ("votes", Int),
            ("asked_at", Time),
        ],
        sql: "SELECT c.name, q.body, q.anchor_unit, CAST(q.anchor_value AS BIGINT),
              CAST(q.votes AS BIGINT), q.created_at
              FROM club_questions q JOIN clubs c ON c.id = q.club_id
              WHERE q.author_id = $1 ORDER BY q.created_at",
    },
    Spec {
        name: "ballots",
        about: "Your ballots in club polls: your choices as option positions, in your order.",
        columns: &[
            ("club", Text),
            ("poll", Text),
            ("choices", Text),
            ("cast_at", Time),
        ],
        sql: "SELECT c.name, p.question, b.choices, b.updated_at
              FROM ballots b JOIN polls p ON p.id = b.poll_id JOIN clubs c ON c.id = p.club_id
              WHERE b.user_id = $1 ORDER BY b.updated_at",
    },
    Spec {
        name: "rsvps",
        about: "Your answers to meeting invitations and whether you attended.",
        columns: &[
            ("club", Text),
            ("meeting_starts_at", Time),
            ("answer", Text),
            ("state", Text),
            ("attended", Bool),
            ("finished_book", Bool),
            ("answered_at", Time),
        ],
        sql: "SELECT c.name, m.starts_at, r.answer, r.state, a.attended, a.finished_book, r.updated_at
              FROM meeting_rsvps r JOIN meetings m ON m.id = r.meeting_id
              JOIN clubs c ON c.id = m.club_id
              LEFT JOIN meeting_attendance a ON a.meeting_id = r.meeting_id AND a.user_id = r.user_id
              WHERE r.user_id = $1 ORDER BY m.starts_at",
    },
    Spec {
        name: "catalog_edits",
        about: "Changes you made to the catalog.",
        columns: &[
            ("work_id", Id),
            ("book_title", Text),
            ("kind", Text),
            ("summary", Text),
            ("made_at", Time),
        ],
        sql: "SELECT ch.work_id, w.title, ch.kind, ch.summary, ch.created_at
              FROM catalog_changes ch LEFT JOIN works w ON w.id = ch.work_id
              WHERE ch.user_id = $1 ORDER BY ch.created_at",
    },
    Spec {
        name: "edit_proposals",
        about: "Edits you proposed to the catalog and what became of them.",
        columns: &[
            ("work_id", Id),
            ("book_title", Text),
            ("changes", Text),
            ("note", Text),
            ("status", Text),
            ("reason", Text),
            ("proposed_at", Time),
            ("decided_at", Time),
        ],
        sql: "SELECT e.work_id, w.title, e.changes, e.note, e.status, e.reason, e.created_at, e.decided_at
              FROM edit_proposals e LEFT JOIN works w ON w.id = e.work_id
              WHERE e.proposed_by = $1 ORDER BY e.created_at",
    },
];

const CLUB: &[Spec] = &[
    Spec {
        name: "club",
        about: "The club's name, description and settings.",
        columns: &[
            ("name", Text),
            ("slug", Text),
            ("description", Text),
            ("visibility", Text),
            ("join_policy", Text),
            ("nominations_open", Bool),
            ("time_zone", Text),
            ("founded_at", Time),
        ],
        sql: "SELECT name, slug, description, visibility, join_policy, nominations_open, time_zone, created_at
              FROM clubs WHERE id = $1",
    },
    Spec {
        name: "members",
        about: "Who belongs to the club and in what role.",
        columns: &[
            ("username", Text),
            ("display_name", Text),
            ("role", Text),
            ("joined_at", Time),
        ],
        sql: "SELECT u.username, u.display_name, m.role, m.joined_at
              FROM club_members m JOIN users u ON u.id = m.user_id
              WHERE m.club_id = $1 ORDER BY m.joined_at",
    },
    Spec {
        name: "selections",
        about: "The books the club chose, read or is reading, with their dates.",
        columns: &[
            ("selection_id", Id),
            ("work_id", Id),
            ("book_title", Text),
            ("book_author", Text),
            ("status", Text),
            ("starts_on", Day),
            ("ends_on", Day),
            ("finished_at", Time),
            ("added_by", Text),
            ("added_at", Time),
        ],
        sql: concat!(
            "SELECT s.id, s.work_id, ",
            book_columns!("s.work_id"),
            ", s.status, s.starts_on, s.ends_on, s.finished_at,
              (SELECT username FROM users WHERE id = s.added_by), s.created_at
              FROM club_selections s WHERE s.club_id = $1 ORDER BY s.created_at"
        ),
    },
    Spec {
        name: "milestones",
        about: "The reading schedule: where the club aims to be by when.",
        columns: &[
            ("selection_id", Id),
            ("unit", Text),
            ("value", Int),
            ("due_on", Day),
            ("note", Text),
        ],
        sql: "SELECT m.selection_id, m.anchor_unit, CAST(m.anchor_value AS BIGINT), m.due_on, m.note
              FROM club_milestones m JOIN club_selections s ON s.id = m.selection_id
              WHERE s.club_id = $1 ORDER BY m.due_on",
    },
    Spec {
        name: "nominations",
        about: "Books members nominated, with their pitches.",
        columns: &[
            ("work_id", Id),
            ("book_title", Text),
            ("book_author", Text),
            ("nominated_by", Text),
            ("pitch", Text),
            ("nominated_at", Time),
        ],
        sql: concat!(
            "SELECT n.work_id, ",
            book_columns!("n.work_id"),
            ", (SELECT username FROM users WHERE id = n.user_id), n.pitch, n.created_at
              FROM club_nominations n WHERE n.club_id = $1 ORDER BY n.created_at"
        ),
    },
    Spec {
        name: "polls",
        about: "Polls on books and dates: method, closing time, results and the winner.",
        columns: &[
            ("poll_id", Id),
            ("kind", Text),
            ("method", Text),
            ("question", Text),
            ("closes_at", Time),
            ("closed_at", Time),
            ("ballots_counted", Int),
            ("winner_position", Int),
            ("results", Text),
            ("created_at", Time),
        ],
        sql: "SELECT id, kind, method, question, closes_at, closed_at, CAST(ballots_counted AS BIGINT),
              CAST(winner_position AS BIGINT), results, created_at
              FROM polls WHERE club_id = $1 ORDER BY created_at",
    },
    Spec {
        name: "poll_options",
        about: "Each poll's options, by position.",
        columns: &[
            ("poll_id", Id),
            ("position", Int),
            ("work_id", Id),
            ("book_title", Text),
            ("starts_at", Time),
            ("label", Text),
        ],
        sql: "SELECT o.poll_id, CAST(o.position AS BIGINT), o.work_id, w.title, o.starts_at, o.label
              FROM poll_options o JOIN polls p ON p.id = o.poll_id LEFT JOIN works w ON w.id = o.work_id
              WHERE p.club_id = $1 ORDER BY p.created_at, o.position",
    },
    Spec {
        name: "ballots",
        about: "The ballots as counted: choices by option position, without who cast them.",
        columns: &[("poll_id", Id), ("choices", Text)],
        sql: "SELECT b.poll_id, b.choices FROM ballots b JOIN polls p ON p.id = b.poll_id
              WHERE p.club_id = $1 ORDER BY p.created_at, b.choices",
    },
    Spec {
        name: "meetings",
        about: "Meetings: when, where, the book, the agenda and what became of them.",
        columns: &[
            ("meeting_id", Id),
            ("starts_at", Time),
            ("ends_at", Time),
            ("time_zone", Text),
            ("place", Text),
            ("video_url", Text),
            ("host", Text),
            ("book_title", Text),
            ("agenda", Text),
            ("capacity", Int),
            ("status", Text),
        ],
        sql: "SELECT m.id, m.starts_at, m.ends_at, m.zone, m.place, m.video_url,
              (SELECT username FROM users WHERE id = m.host_id),
              (SELECT w.title FROM club_selections s JOIN works w ON w.id = s.work_id WHERE s.id = m.selection_id),
              m.agenda, CAST(m.capacity AS BIGINT), m.status
              FROM meetings m WHERE m.club_id = $1 ORDER BY m.starts_at",
    },
    Spec {
        name: "rsvps",
        about: "Who answered each meeting, whether they got a seat, and who came.",
        columns: &[
            ("meeting_id", Id),
            ("username", Text),
            ("answer", Text),
            ("state", Text),
            ("attended", Bool),
            ("answered_at", Time),
        ],
        sql: "SELECT r.meeting_id, u.username, r.answer, r.state, a.attended, r.updated_at
              FROM meeting_rsvps r JOIN meetings m ON m.id = r.meeting_id
              JOIN users u ON u.id = r.user_id
              LEFT JOIN meeting_attendance a ON a.meeting_id = r.meeting_id AND a.user_id = r.user_id
              WHERE m.club_id = $1 ORDER BY m.starts_at, u.username",
    },
    Spec {
        name: "questions",
        about: "Questions members proposed for discussion, with where in the book they belong and their votes.",
        columns: &[
            ("question_id", Id),
            ("selection_id", Id),
            ("asked_by", Text),
            ("question", Text),
            ("anchor_unit", Text),
            ("anchor_value", Int),
            ("votes", Int),
            ("asked_at", Time),
        ],
        sql: "SELECT q.id, q.selection_id, (SELECT username FROM users WHERE id = q.author_id), q.body,
              q.anchor_unit, CAST(q.anchor_value AS BIGINT), CAST(q.votes AS BIGINT), q.created_at
              FROM club_questions q WHERE q.club_id = $1 ORDER BY q.created_at",
    },
    Spec {
        name: "threads",
        about: "Discussion threads, with the place in the book each is anchored at.",
        columns: &[
            ("thread_id", Id),
            ("selection_id", Id),
            ("title", Text),
            ("started_by", Text),
            ("anchor_unit", Text),
            ("anchor_value", Int),
            ("pinned", Bool),
            ("locked", Bool),
            ("hidden", Bool),
            ("started_at", Time),
        ],
        sql: "SELECT t.id, t.selection_id, t.title, (SELECT username FROM users WHERE id = t.author_id),
              t.anchor_unit, CAST(t.anchor_value AS BIGINT), t.pinned, t.locked, t.hidden, t.created_at
              FROM club_threads t WHERE t.club_id = $1 ORDER BY t.created_at",
    },
    Spec {
        name: "posts",
        about: "Every post in every thread (Markdown as written).",
        columns: &[
            ("thread_id", Id),
            ("posted_by", Text),
            ("body", Text),
            ("hidden", Bool),
            ("posted_at", Time),
        ],
        sql: "SELECT p.thread_id, (SELECT username FROM users WHERE id = p.author_id), p.body, p.hidden,
              p.created_at
              FROM club_posts p JOIN club_threads t ON t.id = p.thread_id
              WHERE t.club_id = $1 ORDER BY p.created_at",
    },
];
