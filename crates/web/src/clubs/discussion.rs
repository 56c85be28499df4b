//! Spoiler-safe discussion on the web: a selection's threads (each
//! anchored at a place in the book), the thread page with its replies,
//! moderation (pin, lock, hide, delete), reports and the organisers' list
//! of them, and the members' own discussion questions with votes; pages
//! and JSON API.
//!
//! What a visitor may read of anchored content is decided in storage by
//! the one gate (`storage::clubs::discussion`): a closed thread comes back
//! without its title and posts, a closed question without its text. These
//! handlers draw what they are given and, for a closed item, only where
//! it opens ("Unlocks when you finish chapter 12"). The thread's title is
//! the poster's words, so it is content and gated too; a closed thread
//! shows "A thread up to chapter 12".

use super::Club;
use super::reading::{selection_href, selection_of};
use crate::AppState;
use crate::api::cursor;
use crate::error::{AppError, FieldError};
use crate::input::{Form, Json, Query};
use crate::permissions::ClubPermission;
use crate::view::{Layout, day, page};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use quire_domain::position::{Anchor, Chapters};
use quire_domain::{ClubQuestionId, PostId, ReportId, ThreadId, UserId};
use quire_storage::clubs::discussion::{self as d, Moderation, NewThread, ThreadRow};
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/clubs/{slug}/selections/{selection}/threads",
            post(start_form),
        )
        .route("/clubs/{slug}/threads/{thread}", get(thread_page))
        .route("/clubs/{slug}/threads/{thread}/replies", post(reply_form))
        .route(
            "/clubs/{slug}/threads/{thread}/moderate",
            post(moderate_thread_form),
        )
        .route(
            "/clubs/{slug}/posts/{post}/moderate",
            post(moderate_post_form),
        )
        .route("/clubs/{slug}/posts/{post}/report", post(report_form))
        .route("/clubs/{slug}/reports", get(reports_page))
        .route("/clubs/{slug}/reports/{report}/dismiss", post(dismiss_form))
        .route(
            "/clubs/{slug}/selections/{selection}/questions",
            post(ask_form),
        )
        .route("/clubs/{slug}/questions/{question}/vote", post(vote_form))
        .route(
            "/clubs/{slug}/questions/{question}/delete",
            post(remove_question_form),
        )
        .route(
            "/api/v1/clubs/{slug}/selections/{selection}/threads",
            get(threads_api).post(start_api),
        )
        .route("/api/v1/clubs/{slug}/threads/{thread}", get(thread_api))
        .route(
            "/api/v1/clubs/{slug}/threads/{thread}/posts",
            post(reply_api),
        )
        .route(
            "/api/v1/clubs/{slug}/threads/{thread}/moderation",
            post(moderate_thread_api),
        )
        .route(
            "/api/v1/clubs/{slug}/posts/{post}/moderation",
            post(moderate_post_api),
        )
        .route(
            "/api/v1/clubs/{slug}/posts/{post}/reports",
            post(report_api),
        )
        .route("/api/v1/clubs/{slug}/reports", get(reports_api))
        .route(
            "/api/v1/clubs/{slug}/reports/{report}",
            axum::routing::delete(dismiss_api),
        )
        .route(
            "/api/v1/clubs/{slug}/selections/{selection}/questions",
            get(questions_api).post(ask_api),
        )
        .route(
            "/api/v1/clubs/{slug}/questions/{question}/vote",
            put(vote_api).delete(unvote_api),
        )
        .route(
            "/api/v1/clubs/{slug}/questions/{question}",
            axum::routing::delete(remove_question_api),
        )
}

// ------------------------------------------------------------ shared

/// A form's or body's place in the book, checked against the selection's
/// chapters; the message names the field.
pub fn anchor_field(
    unit: &str,
    value: &str,
    chapters: Option<&Chapters>,
) -> Result<Anchor, FieldError> {
    Anchor::parse(unit, value, chapters).map_err(|e| {
        let m = e.to_string();
        let mut c = m.chars();
        FieldError {
            field: "value",
            message: match c.next() {
                Some(first) => first.to_uppercase().chain(c).collect::<String>() + ".",
                None => m,
            },
        }
    })
}

/// An anchor in the API: `{"unit": "chapter", "value": 12, "label": "Up to chapter 12"}`.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Anchor)]
pub struct AnchorJson {
    /// start, percent or chapter.
    pub unit: &'static str,
    pub value: u32,
    pub label: String,
    /// What a reader before it reads: "Unlocks when you finish chapter 12".
    pub unlocks: String,
}

impl AnchorJson {
    pub fn of(a: Anchor) -> Self {
        Self {
            unit: a.unit(),
            value: a.value(),
            label: a.scope(),
            unlocks: a.unlocks(),
        }
    }
}

/// Trimmed text of 1 to `max` characters that shows something.
fn text(
    field: &'static str,
    what: &str,
    s: &str,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let t = s.trim();
    let len = t.chars().count();
    if !quire_markup::has_visible_text(t) {
        errors.push(FieldError {
            field,
            message: format!("{what} is empty; write something first."),
        });
        None
    } else if len > max {
        errors.push(FieldError {
            field,
            message: format!(
                "{what} is {len} characters long; the most is {max}. Shorten it; nothing was saved."
            ),
        });
        None
    } else {
        Some(t.to_string())
    }
}

fn thread_id(raw: &str) -> Result<ThreadId, AppError> {
    ThreadId::parse(raw)
        .ok_or_else(|| AppError::NotFound("There is no such thread in this club.".into()))
}

fn post_id(raw: &str) -> Result<PostId, AppError> {
    PostId::parse(raw)
        .ok_or_else(|| AppError::NotFound("There is no such post in this club.".into()))
}

fn question_id(raw: &str) -> Result<ClubQuestionId, AppError> {
    ClubQuestionId::parse(raw)
        .ok_or_else(|| AppError::NotFound("There is no such question in this club.".into()))
}

fn me(club: &Club) -> Option<UserId> {
    club.viewer.as_ref().map(|u| u.user_id())
}

/// `/clubs/{slug}/threads/{id}`.
pub fn thread_href(club: &Club, t: ThreadId) -> String {
    format!("{}/threads/{t}", club.href())
}

// ------------------------------------------------------------ views

/// A thread in a list. `title` is `None` when closed for the viewer.
pub struct ThreadView {
    pub href: String,
    pub title: Option<String>,
    pub scope: String,
    pub unlocks: String,
    pub book: String,
    pub by: Option<(String, String)>,
    pub posts: String,
    pub last: String,
    pub pinned: bool,
    pub locked: bool,
    pub hidden: bool,
}

impl ThreadView {
    pub fn of(club: &Club, t: &ThreadRow) -> Self {
        Self {
            href: thread_href(club, t.id),
            title: t.title.clone().filter(|_| t.open),
            scope: t.anchor.scope(),
            unlocks: t.anchor.unlocks(),
            book: t.book.clone(),
            by: t.by_username.clone().zip(t.by_name.clone()),
            posts: crate::view::plural(t.posts, "post", "posts"),
            last: day(t.last_post_at),
            pinned: t.pinned,
            locked: t.locked,
            hidden: t.hidden,
        }
    }
}

pub struct QuestionView {
    pub id: String,
    pub body: Option<String>,
    pub scope: String,
    pub unlocks: String,
    pub by: Option<(String, String)>,
    pub votes: String,
    pub my_vote: bool,
    pub removable: bool,
}

impl QuestionView {
    pub fn of(q: &d::QuestionRow, me: Option<UserId>, organiser: bool) -> Self {
        Self {
            id: q.id.to_string(),
            body: q.body.clone().filter(|_| q.open),
            scope: q.anchor.scope(),
            unlocks: q.anchor.unlocks(),
            by: q.by_username.clone().zip(q.by_name.clone()),
            votes: crate::view::plural(q.votes, "vote", "votes"),
            my_vote: q.my_vote,
            removable: organiser || (me.is_some() && q.author_id == me),
        }
    }
}

pub struct PostView {
    pub id: String,
    pub html: String,
    pub by: Option<(String, String)>,
    pub when: String,
    pub moved: Option<String>,
    pub hidden: bool,
}

#[derive(Template)]
#[template(path = "clubs/thread.html")]
struct ThreadTemplate {
    layout: Layout,
    flash: Option<&'static str>,
    club_href: String,
    club_name: String,
    selection_href: String,
    book: String,
    href: String,
    thread: ThreadView,
    open: bool,
    posts: Vec<PostView>,
    can_reply: bool,
    organiser: bool,
    member: bool,
    chapter_count: Option<i64>,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn thread_page(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Query(q): Query<DoneQuery>,
) -> Result<Html<String>, AppError> {
    club.check(ClubPermission::Read)?;
    let id = thread_id(&raw)?;
    let organiser = club.allows(ClubPermission::Organise);
    let (t, posts) = d::thread(&st.db, club.club.id, id, me(&club), organiser)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such thread in this club.".into()))?;
    let s = quire_storage::clubs::selections::get(&st.db, club.club.id, t.selection_id).await?;
    page(&ThreadTemplate {
        layout: Layout::for_user(club.viewer.as_ref()),
        flash: q.done.as_deref().and_then(super::reading::done_message),
        club_href: club.href(),
        club_name: club.club.name.clone(),
        selection_href: selection_href(&club, t.selection_id),
        book: t.book.clone(),
        href: thread_href(&club, t.id),
        open: t.open,
        can_reply: t.open && !t.locked && club.allows(ClubPermission::Participate),
        organiser,
        member: club.access.is_member(),
        chapter_count: s
            .as_ref()
            .and_then(d::chapters_of)
            .map(|c| i64::from(c.count())),
        posts: posts
            .iter()
            .map(|p| PostView {
                id: p.id.to_string(),
                html: p.body_html.clone(),
                by: p.by_username.clone().zip(p.by_name.clone()),
                when: day(p.created_at),
                moved: p.moved_to().map(|a| a.scope()),
                hidden: p.hidden,
            })
            .collect(),
        thread: ThreadView::of(&club, &t),
    })
}

// ------------------------------------------------------------ threads

#[derive(Deserialize, Default)]
pub struct ThreadFields {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    /// Where in the book it is about: start, chapter, percent, finished.
    #[serde(default)]
    unit: String,
    #[serde(default)]
    value: String,
}

async fn start(
    st: &AppState,
    club: &Club,
    raw: &str,
    f: &ThreadFields,
) -> Result<ThreadId, AppError> {
    club.check(ClubPermission::Participate)?;
    let s = selection_of(st, club, raw).await?;
    let mut errors = Vec::new();
    let title = text("title", "The title", &f.title, d::TITLE_MAX, &mut errors);
    let body = text("body", "The post", &f.body, d::POST_MAX, &mut errors);
    let anchor = anchor_field(&f.unit, &f.value, d::chapters_of(&s).as_ref())
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(title), Some(body), Some(anchor)) = (title, body, anchor) else {
        return Err(AppError::Invalid(errors));
    };
    let html = quire_markup::render(&body);
    Ok(d::start_thread(
        &st.db,
        club.club.id,
        s.id,
        club.user()?.user_id(),
        &NewThread {
            title: &title,
            body: &body,
            body_html: &html,
            anchor,
        },
    )
    .await?)
}

pub async fn start_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Form(f): Form<ThreadFields>,
) -> Result<Redirect, AppError> {
    let id = start(&st, &club, &raw, &f).await?;
    Ok(Redirect::to(&format!(
        "{}?done=thread",
        thread_href(&club, id)
    )))
}

/// A thread in the API. `title` is `null` while the thread is closed for
/// the caller (their place in the book is before its anchor).
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Thread)]
pub struct ThreadJson {
    pub id: String,
    pub selection: String,
    pub anchor: AnchorJson,
    pub open: bool,
    pub title: Option<String>,
    pub started_by: Option<String>,
    pub pinned: bool,
    pub locked: bool,
    pub hidden: bool,
    /// How many posts it holds.
    pub posts: i64,
    /// When it was started (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: time::OffsetDateTime,
    /// RFC 3339.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub last_post_at: time::OffsetDateTime,
}

impl ThreadJson {
    pub fn of(t: &ThreadRow) -> Self {
        Self {
            id: t.id.to_string(),
            selection: t.selection_id.to_string(),
            anchor: AnchorJson::of(t.anchor),
            open: t.open,
            title: t.title.clone().filter(|_| t.open),
            started_by: t.by_username.clone(),
            pinned: t.pinned,
            locked: t.locked,
            hidden: t.hidden,
            posts: t.posts,
            created_at: t.created_at,
            last_post_at: t.last_post_at,
        }
    }
}

/// A post in a thread, in the API.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Post)]
pub struct PostJson {
    pub id: String,
    /// The author's username (`null` once the account is gone).
    pub by: Option<String>,
    /// The Markdown as written.
    pub body: String,
    /// The safe HTML drawn from it.
    pub html: String,
    /// The later place this reply moved its thread to.
    pub moved_anchor_to: Option<AnchorJson>,
    /// Hidden by a moderator (only organisers see hidden posts).
    pub hidden: bool,
    /// RFC 3339.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: time::OffsetDateTime,
}

/// A thread and a page of its posts, oldest first (`items`, with
/// `next_cursor`); no posts while the thread is closed for the caller.
#[derive(Serialize)]
pub struct ThreadPageJson {
    #[serde(flatten)]
    pub thread: ThreadJson,
    #[serde(flatten)]
    pub posts_page: cursor::Page<PostJson>,
}

pub async fn start_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Json(f): Json<ThreadFields>,
) -> Result<Response, AppError> {
    let id = start(&st, &club, &raw, &f).await?;
    let body = thread_json(&st, &club, id, &cursor::PageQuery::default()).await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// A thread and one page of the posts the caller may read, paged by
/// (written at, id): the gate and the hidden filter are applied by the
/// posts' query itself, before its limit.
async fn thread_json(
    st: &AppState,
    club: &Club,
    id: ThreadId,
    q: &cursor::PageQuery,
) -> Result<ThreadPageJson, AppError> {
    let limit = q.limit()?;
    let after = q.after_time()?.map(|(t, p)| (t, PostId(p)));
    let organiser = club.allows(ClubPermission::Organise);
    let (t, posts) = d::thread_page(
        &st.db,
        club.club.id,
        id,
        me(club),
        organiser,
        after,
        i64::from(limit) + 1,
    )
    .await?
    .ok_or_else(|| AppError::NotFound("There is no such thread in this club.".into()))?;
    Ok(ThreadPageJson {
        thread: ThreadJson::of(&t),
        posts_page: cursor::page_of(
            posts,
            limit,
            |p| cursor::time_key(p.created_at, p.id.0),
            |p| PostJson {
                id: p.id.to_string(),
                moved_anchor_to: p.moved_to().map(AnchorJson::of),
                by: p.by_username,
                body: p.body,
                html: p.body_html,
                hidden: p.hidden,
                created_at: p.created_at,
            },
        ),
    })
}

/// `GET /api/v1/clubs/{slug}/threads/{thread}?limit=&cursor=`.
pub async fn thread_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Query(q): Query<cursor::PageQuery>,
) -> Result<Json<ThreadPageJson>, AppError> {
    club.check(ClubPermission::Read)?;
    Ok(Json(thread_json(&st, &club, thread_id(&raw)?, &q).await?))
}

/// `GET /api/v1/clubs/{slug}/selections/{selection}/threads?limit=&cursor=`:
/// newest first, paged by (started at, id); each behind the caller's gate.
pub async fn threads_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Query(q): Query<cursor::PageQuery>,
) -> Result<Json<cursor::Page<ThreadJson>>, AppError> {
    club.check(ClubPermission::Read)?;
    let limit = q.limit()?;
    let after = q.after_time()?.map(|(t, id)| (t, ThreadId(id)));
    let s = selection_of(&st, &club, &raw).await?;
    let organiser = club.allows(ClubPermission::Organise);
    let rows = d::threads_after(
        &st.db,
        club.club.id,
        s.id,
        me(&club),
        organiser,
        after,
        limit + 1,
    )
    .await?;
    Ok(Json(cursor::page_of(
        rows,
        limit,
        |t| cursor::time_key(t.created_at, t.id.0),
        |t| ThreadJson::of(&t),
    )))
}

#[derive(Deserialize, Default)]
pub struct ReplyFields {
    #[serde(default)]
    body: String,
    /// A later place in the book to move the thread to (empty: keep it).
    #[serde(default)]
    unit: String,
    #[serde(default)]
    value: String,
}

async fn reply(
    st: &AppState,
    club: &Club,
    raw: &str,
    f: &ReplyFields,
) -> Result<ThreadId, AppError> {
    club.check(ClubPermission::Participate)?;
    let id = thread_id(raw)?;
    let mut errors = Vec::new();
    let body = text("body", "The reply", &f.body, d::POST_MAX, &mut errors);
    let anchor = if f.unit.trim().is_empty() || f.unit.trim() == "keep" {
        None
    } else {
        // The chapters come from the thread's selection; the storage
        // checks the move against the thread's anchor in its transaction.
        let organiser = club.allows(ClubPermission::Organise);
        let t = d::thread(&st.db, club.club.id, id, me(club), organiser)
            .await?
            .ok_or_else(|| AppError::NotFound("There is no such thread in this club.".into()))?
            .0;
        let s = quire_storage::clubs::selections::get(&st.db, club.club.id, t.selection_id)
            .await?
            .ok_or_else(|| AppError::NotFound("There is no such thread in this club.".into()))?;
        anchor_field(&f.unit, &f.value, d::chapters_of(&s).as_ref())
            .map_err(|e| errors.push(e))
            .ok()
    };
    let Some(body) = body.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let html = quire_markup::render(&body);
    d::reply(
        &st.db,
        club.club.id,
        id,
        club.user()?.user_id(),
        &d::NewReply {
            body: &body,
            body_html: &html,
            anchor,
        },
        club.allows(ClubPermission::Organise),
    )
    .await?;
    Ok(id)
}

pub async fn reply_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Form(f): Form<ReplyFields>,
) -> Result<Redirect, AppError> {
    let id = reply(&st, &club, &raw, &f).await?;
    Ok(Redirect::to(&format!(
        "{}?done=reply#reply-h",
        thread_href(&club, id)
    )))
}

pub async fn reply_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Json(f): Json<ReplyFields>,
) -> Result<Response, AppError> {
    let id = reply(&st, &club, &raw, &f).await?;
    // The thread with its first page of posts, as a GET without a cursor.
    let body = thread_json(&st, &club, id, &cursor::PageQuery::default()).await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

// ------------------------------------------------------------ moderation

#[derive(Deserialize, Default)]
pub struct ModerateFields {
    #[serde(default)]
    action: String,
}

fn action(f: &ModerateFields) -> Result<Moderation, AppError> {
    Moderation::parse(f.action.trim()).ok_or_else(|| {
        AppError::bad(
            "action",
            "Say what to do: pin, unpin, lock, unlock, hide, show or delete.",
        )
    })
}

async fn moderate_thread(
    st: &AppState,
    club: &Club,
    raw: &str,
    f: &ModerateFields,
) -> Result<(ThreadId, Moderation), AppError> {
    club.check(ClubPermission::Organise)?;
    let id = thread_id(raw)?;
    let m = action(f)?;
    d::moderate_thread(&st.db, club.club.id, id, m).await?;
    Ok((id, m))
}

pub async fn moderate_thread_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Form(f): Form<ModerateFields>,
) -> Result<Redirect, AppError> {
    let (id, m) = moderate_thread(&st, &club, &raw, &f).await?;
    Ok(Redirect::to(&if m == Moderation::Delete {
        format!("{}?done=moderated", club.href())
    } else {
        format!("{}?done=moderated", thread_href(&club, id))
    }))
}

pub async fn moderate_thread_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Json(f): Json<ModerateFields>,
) -> Result<StatusCode, AppError> {
    moderate_thread(&st, &club, &raw, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn moderate_post(
    st: &AppState,
    club: &Club,
    raw: &str,
    f: &ModerateFields,
) -> Result<Option<ThreadId>, AppError> {
    club.check(ClubPermission::Organise)?;
    let id = post_id(raw)?;
    let m = action(f)?;
    Ok(d::moderate_post(&st.db, club.club.id, id, m).await?)
}

pub async fn moderate_post_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Form(f): Form<ModerateFields>,
) -> Result<Redirect, AppError> {
    let thread = moderate_post(&st, &club, &raw, &f).await?;
    Ok(Redirect::to(&match thread {
        Some(t) => format!("{}?done=moderated", thread_href(&club, t)),
        None => format!("{}?done=moderated", club.href()),
    }))
}

pub async fn moderate_post_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Json(f): Json<ModerateFields>,
) -> Result<StatusCode, AppError> {
    moderate_post(&st, &club, &raw, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ------------------------------------------------------------ reports

#[derive(Deserialize, Default)]
pub struct ReportFields {
    #[serde(default)]
    reason: String,
}

async fn report(
    st: &AppState,
    club: &Club,
    raw: &str,
    f: &ReportFields,
) -> Result<ReportId, AppError> {
    club.check(ClubPermission::Participate)?;
    let id = post_id(raw)?;
    let reason = quire_domain::ClubText::parse("The reason", &f.reason, d::REASON_MAX)
        .map_err(|e| AppError::bad("reason", e.to_string()))?;
    Ok(d::report(
        &st.db,
        club.club.id,
        id,
        club.user()?.user_id(),
        reason.as_str(),
    )
    .await?)
}

pub async fn report_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Form(f): Form<ReportFields>,
) -> Result<Redirect, AppError> {
    report(&st, &club, &raw, &f).await?;
    Ok(Redirect::to(&format!("{}?done=reported", club.href())))
}

#[derive(Serialize)]
pub struct ReportCreatedJson {
    pub id: String,
}

pub async fn report_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Json(f): Json<ReportFields>,
) -> Result<Response, AppError> {
    let id = report(&st, &club, &raw, &f).await?;
    Ok((
        StatusCode::CREATED,
        Json(ReportCreatedJson { id: id.to_string() }),
    )
        .into_response())
}

pub struct ReportView {
    pub id: String,
    pub post_id: String,
    pub thread_href: String,
    pub title: Option<String>,
    pub html: Option<String>,
    pub unlocks: String,
    pub scope: String,
    pub reason: String,
    pub by: (String, String),
    pub when: String,
    pub post_hidden: bool,
}

#[derive(Template)]
#[template(path = "clubs/reports.html")]
struct ReportsTemplate {
    layout: Layout,
    club_href: String,
    club_name: String,
    reports: Vec<ReportView>,
}

pub async fn reports_page(
    State(st): State<AppState>,
    club: Club,
) -> Result<Html<String>, AppError> {
    club.check(ClubPermission::Organise)?;
    let rows = d::reports(&st.db, club.club.id, club.user()?.user_id()).await?;
    page(&ReportsTemplate {
        layout: Layout::for_user(club.viewer.as_ref()),
        club_href: club.href(),
        club_name: club.club.name.clone(),
        reports: rows
            .iter()
            .map(|r| ReportView {
                id: r.id.to_string(),
                post_id: r.post_id.to_string(),
                thread_href: thread_href(&club, r.thread_id),
                title: r.thread_title.clone(),
                html: r.post_html.clone(),
                unlocks: r.anchor.unlocks(),
                scope: r.anchor.scope(),
                reason: r.reason.clone(),
                by: (r.by_username.clone(), r.by_name.clone()),
                when: day(r.created_at),
                post_hidden: r.post_hidden,
            })
            .collect(),
    })
}

#[derive(Serialize)]
pub struct ReportJson {
    pub id: String,
    pub post: String,
    pub thread: String,
    pub anchor: AnchorJson,
    pub open: bool,
    pub thread_title: Option<String>,
    pub post_html: Option<String>,
    pub post_hidden: bool,
    pub reason: String,
    pub reported_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
}

pub async fn reports_api(
    State(st): State<AppState>,
    club: Club,
) -> Result<Json<Vec<ReportJson>>, AppError> {
    club.check(ClubPermission::Organise)?;
    let rows = d::reports(&st.db, club.club.id, club.user()?.user_id()).await?;
    Ok(Json(
        rows.iter()
            .map(|r| ReportJson {
                id: r.id.to_string(),
                post: r.post_id.to_string(),
                thread: r.thread_id.to_string(),
                anchor: AnchorJson::of(r.anchor),
                open: r.open,
                thread_title: r.thread_title.clone(),
                post_html: r.post_html.clone(),
                post_hidden: r.post_hidden,
                reason: r.reason.clone(),
                reported_by: r.by_username.clone(),
                created_at: r.created_at,
            })
            .collect(),
    ))
}

async fn dismiss(st: &AppState, club: &Club, raw: &str) -> Result<(), AppError> {
    club.check(ClubPermission::Organise)?;
    let id = ReportId::parse(raw)
        .ok_or_else(|| AppError::NotFound("There is no such report in this club.".into()))?;
    d::dismiss_report(&st.db, club.club.id, id).await?;
    Ok(())
}

pub async fn dismiss_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
) -> Result<Redirect, AppError> {
    dismiss(&st, &club, &raw).await?;
    Ok(Redirect::to(&format!("{}/reports", club.href())))
}

pub async fn dismiss_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    dismiss(&st, &club, &raw).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ------------------------------------------------------------ questions

#[derive(Deserialize, Default)]
pub struct QuestionFields {
    #[serde(default)]
    body: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    value: String,
}

async fn ask(
    st: &AppState,
    club: &Club,
    raw: &str,
    f: &QuestionFields,
) -> Result<(quire_domain::SelectionId, ClubQuestionId), AppError> {
    club.check(ClubPermission::Participate)?;
    let s = selection_of(st, club, raw).await?;
    let mut errors = Vec::new();
    let body = text(
        "body",
        "The question",
        &f.body,
        d::QUESTION_MAX,
        &mut errors,
    );
    let anchor = anchor_field(&f.unit, &f.value, d::chapters_of(&s).as_ref())
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(body), Some(anchor)) = (body, anchor) else {
        return Err(AppError::Invalid(errors));
    };
    let id = d::ask(
        &st.db,
        club.club.id,
        s.id,
        club.user()?.user_id(),
        &body,
        anchor,
    )
    .await?;
    Ok((s.id, id))
}

pub async fn ask_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Form(f): Form<QuestionFields>,
) -> Result<Redirect, AppError> {
    let (s, _) = ask(&st, &club, &raw, &f).await?;
    Ok(Redirect::to(&format!(
        "{}?done=asked#questions-h",
        selection_href(&club, s)
    )))
}

/// A question in the API; `text` is `null` while closed for the caller.
#[derive(Serialize)]
pub struct QuestionJson {
    pub id: String,
    pub anchor: AnchorJson,
    pub open: bool,
    pub text: Option<String>,
    pub asked_by: Option<String>,
    pub votes: i64,
    pub my_vote: bool,
}

impl QuestionJson {
    pub fn of(q: &d::QuestionRow) -> Self {
        Self {
            id: q.id.to_string(),
            anchor: AnchorJson::of(q.anchor),
            open: q.open,
            text: q.body.clone().filter(|_| q.open),
            asked_by: q.by_username.clone(),
            votes: q.votes,
            my_vote: q.my_vote,
        }
    }
}

pub async fn ask_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Json(f): Json<QuestionFields>,
) -> Result<Response, AppError> {
    let (s, id) = ask(&st, &club, &raw, &f).await?;
    let all = d::questions(&st.db, club.club.id, s, me(&club)).await?;
    let q = all.iter().find(|q| q.id == id).map(QuestionJson::of);
    Ok((StatusCode::CREATED, Json(q)).into_response())
}

pub async fn questions_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
) -> Result<Json<Vec<QuestionJson>>, AppError> {
    club.check(ClubPermission::Read)?;
    let s = selection_of(&st, &club, &raw).await?;
    let all = d::questions(&st.db, club.club.id, s.id, me(&club)).await?;
    Ok(Json(all.iter().map(QuestionJson::of).collect()))
}

#[derive(Deserialize, Default)]
pub struct VoteFields {
    /// "up" to vote, "down" to take the vote back.
    #[serde(default)]
    vote: String,
    /// Where to come back to.
    #[serde(default)]
    selection: String,
}

async fn vote(st: &AppState, club: &Club, raw: &str, up: bool) -> Result<(), AppError> {
    club.check(ClubPermission::Participate)?;
    d::vote(
        &st.db,
        club.club.id,
        question_id(raw)?,
        club.user()?.user_id(),
        up,
    )
    .await?;
    Ok(())
}

fn back_to_selection(club: &Club, selection: &str, done: &str) -> String {
    match quire_domain::SelectionId::parse(selection) {
        Some(s) => format!("{}?done={done}#questions-h", selection_href(club, s)),
        None => format!("{}?done={done}", club.href()),
    }
}

pub async fn vote_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Form(f): Form<VoteFields>,
) -> Result<Redirect, AppError> {
    let up = f.vote != "down";
    vote(&st, &club, &raw, up).await?;
    Ok(Redirect::to(&back_to_selection(
        &club,
        &f.selection,
        if up { "voted" } else { "unvoted" },
    )))
}

pub async fn vote_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    vote(&st, &club, &raw, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn unvote_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    vote(&st, &club, &raw, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove_question(st: &AppState, club: &Club, raw: &str) -> Result<(), AppError> {
    club.check(ClubPermission::Participate)?;
    let id = question_id(raw)?;
    let me = club.user()?.user_id();
    let organiser = club.allows(ClubPermission::Organise);
    match d::question_author(&st.db, club.club.id, id).await? {
        None => {
            return Err(AppError::NotFound(
                "There is no such question in this club.".into(),
            ));
        }
        Some(author) if author != me && !organiser => {
            return Err(AppError::Forbidden(
                "Only the member who asked this question, or an organiser, may remove it.".into(),
            ));
        }
        Some(_) => {}
    }
    d::remove_question(&st.db, club.club.id, id, me, organiser).await?;
    Ok(())
}

pub async fn remove_question_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Form(f): Form<VoteFields>,
) -> Result<Redirect, AppError> {
    remove_question(&st, &club, &raw).await?;
    Ok(Redirect::to(&back_to_selection(
        &club,
        &f.selection,
        "question-removed",
    )))
}

pub async fn remove_question_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    remove_question(&st, &club, &raw).await?;
    Ok(StatusCode::NO_CONTENT)
}
