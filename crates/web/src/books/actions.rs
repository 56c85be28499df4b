//! The forms on the book page: rate, shelve, record progress, review, add
//! and vote on discussion questions. Each answers htmx with the changed
//! part of the page, and a plain browser with a redirect back to the page.

use super::page::{AfterPartial, activity, done_message, prepared, reader_page, readers};
use crate::AppState;
use crate::auth::Member;
use crate::error::AppError;
use crate::input::Form;
use crate::paths::WorkPath;
use crate::view::{page, stars_label};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_htmx::HxRequest;
use quire_domain::text::{MAX_HEADLINE_CHARS, MAX_QUESTION_CHARS, MAX_REVIEW_CHARS};
use quire_domain::{EditionId, Progress, Rating, ReadingStatus, Source, WorkId};
use quire_storage::reviews::ReviewInput;
use quire_storage::{questions, ratings, reviews, shelves};
use serde::Deserialize;
use uuid::Uuid;

fn today() -> time::Date {
    quire_storage::now().date()
}

/// Back to a section of the book's page, after a form a browser posted,
/// with `?done=CODE` so the page says what happened (once, in `#flash`).
async fn back_to_page(
    st: &AppState,
    work: WorkId,
    anchor: &str,
    done: &'static str,
) -> Result<Response, AppError> {
    st.home.changed();
    let p = prepared(st, work, 1).await?;
    debug_assert!(done_message(done).is_some());
    Ok(Redirect::to(&format!(
        "{}?done={done}#{anchor}",
        super::page::book_path(&p)
    ))
    .into_response())
}

/// What the reader just did, as the page confirms it.
struct Done {
    /// The `?done=` code for a plain browser.
    code: &'static str,
    /// The line htmx puts in `#flash`; the code's fixed line when `None`.
    message: Option<String>,
}

impl Done {
    fn code(code: &'static str) -> Self {
        Self {
            code,
            message: None,
        }
    }
}

/// After a change: for htmx, the reader's box (or only what a rating
/// changes), the shared counts out of band and a confirmation for `#flash`;
/// for a plain browser, back to the page.
async fn answer(
    st: &AppState,
    htmx: bool,
    m: &Member,
    work: WorkId,
    done: Done,
    rating_only: bool,
) -> Result<Response, AppError> {
    if !htmx {
        return back_to_page(st, work, "activity", done.code).await;
    }
    st.home.changed();
    let (p, viewer) = reader_page(st, m.id(), work, 1).await?;
    let edition = p.page.edition(viewer.state.progress_edition);
    let mut activity = activity(&p, edition, Some(&viewer));
    activity.autofocus = !rating_only;
    let flash = done
        .message
        .unwrap_or_else(|| done_message(done.code).unwrap_or_default().to_string());
    Ok(page(&AfterPartial {
        activity,
        readers: readers(&p),
        flash,
        rating_only,
        oob: true,
        oob_box: rating_only,
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct RateForm {
    #[serde(default)]
    stars: String,
}

pub async fn rate(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    HxRequest(htmx): HxRequest,
    m: Member,
    Form(f): Form<RateForm>,
) -> Result<Response, AppError> {
    let done = if f.stars.trim().is_empty() || f.stars == "clear" {
        ratings::clear(&st.db, m.id(), work).await?;
        Done::code("unrated")
    } else {
        let r = Rating::parse(&f.stars)
            .map_err(|e| AppError::bad("stars", capitalise(&e.to_string())))?;
        ratings::set(&st.db, m.id(), work, r).await?;
        Done {
            code: "rated",
            message: Some(format!("Saved: you gave this book {}.", stars_label(r))),
        }
    };
    answer(&st, htmx, &m, work, done, true).await
}

#[derive(Deserialize)]
pub struct QueueForm {
    action: String,
    /// `queue` when posted from the queue's own page, to go back there.
    #[serde(default)]
    back: String,
}

pub async fn queue(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    HxRequest(htmx): HxRequest,
    m: Member,
    Form(f): Form<QueueForm>,
) -> Result<Response, AppError> {
    let done = match f.action.as_str() {
        "add" => {
            shelves::queue_add(&st.db, m.id(), work).await?;
            "queued"
        }
        "remove" => {
            shelves::queue_remove(&st.db, m.id(), work).await?;
            "unqueued"
        }
        "up" | "down" => {
            shelves::queue_move(&st.db, m.id(), work, f.action == "up").await?;
            "moved"
        }
        other => {
            return Err(AppError::bad(
                "action",
                format!("\"{other}\" is not a queue action; use add, remove, up or down."),
            ));
        }
    };
    if f.back == "queue" {
        // From the queue's own page: back to it, where the book now stands.
        return Ok(Redirect::to(&format!(
            "/people/{}/shelves/want-to-read?view=list&sort=order&done={done}#q-{work}",
            m.0.username
        ))
        .into_response());
    }
    answer(&st, htmx, &m, work, Done::code(done), false).await
}

#[derive(Deserialize)]
pub struct ReadingForm {
    pub(crate) action: String,
    #[serde(default)]
    pub(crate) unit: String,
    #[serde(default)]
    pub(crate) value: String,
    #[serde(default)]
    pub(crate) edition: String,
    #[serde(default)]
    pub(crate) started_on: String,
    #[serde(default)]
    pub(crate) finished_on: String,
}

/// A date from a date field ("2024-05-31"), not in the future and not
/// before 1900; empty is none. The error names the field.
fn form_date(
    field: &'static str,
    raw: &str,
    today: time::Date,
) -> Result<Option<time::Date>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let bad = || {
        AppError::bad(
            field,
            format!(
                "\"{}\" is not a date; give it as year-month-day, e.g. 2024-05-31.",
                raw.chars().take(40).collect::<String>()
            ),
        )
    };
    let mut parts = raw.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u8>(), d.parse::<u8>()) else {
        return Err(bad());
    };
    let month = time::Month::try_from(m).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(y, month, d).map_err(|_| bad())?;
    if date.year() < 1900 {
        return Err(AppError::bad(field, "Give a date from 1900 on."));
    }
    // A day's grace for readers ahead of the server's clock.
    if date > today.next_day().unwrap_or(today) {
        return Err(AppError::bad(field, "That date is in the future."));
    }
    Ok(Some(date))
}

pub async fn reading(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    HxRequest(htmx): HxRequest,
    m: Member,
    Form(f): Form<ReadingForm>,
) -> Result<Response, AppError> {
    let done = apply_reading(&st, &m, work, &f).await?;
    answer(&st, htmx, &m, work, Done::code(done), false).await
}

/// Start, place, finish or give up a book, from the menu's form or the
/// JSON API (the same fields); what was done, as the page's flash code.
pub async fn apply_reading(
    st: &AppState,
    m: &Member,
    work: WorkId,
    f: &ReadingForm,
) -> Result<&'static str, AppError> {
    let edition = EditionId::parse(&f.edition);
    Ok(match f.action.as_str() {
        "start" => {
            shelves::start_reading(&st.db, m.id(), work, edition, today()).await?;
            "reading"
        }
        // The menu's "Currently reading": an empty place just starts.
        "progress" if f.value.trim().is_empty() => {
            shelves::start_reading(&st.db, m.id(), work, edition, today()).await?;
            "reading"
        }
        "progress" => {
            let p = prepared(st, work, 1).await?;
            let pages = p.page.edition(edition).and_then(|e| e.pages);
            let progress = Progress::parse(&f.unit, &f.value, pages)
                .map_err(|e| AppError::bad("value", capitalise(&e.to_string())))?;
            shelves::set_progress(&st.db, m.id(), work, edition, progress, today()).await?;
            "progress"
        }
        "finish" => {
            let now = today();
            let finished = form_date("finished_on", &f.finished_on, now)?.unwrap_or(now);
            let started = form_date("started_on", &f.started_on, now)?;
            if started.is_some_and(|s| s > finished) {
                return Err(AppError::bad(
                    "started_on",
                    "The start date is after the day you finished; change one of them.",
                ));
            }
            shelves::finish_on(&st.db, m.id(), work, ReadingStatus::Read, started, finished)
                .await?;
            "read"
        }
        "dnf" => {
            shelves::finish(&st.db, m.id(), work, ReadingStatus::DidNotFinish, today()).await?;
            "dnf"
        }
        other => {
            return Err(AppError::bad(
                "action",
                format!("\"{other}\" is not a reading action; use start, progress, finish or dnf."),
            ));
        }
    })
}

#[derive(Deserialize)]
pub struct ShelfForm {
    #[serde(default)]
    shelf: String,
    #[serde(default)]
    new_shelf: String,
    #[serde(default)]
    action: String,
    /// The menu's shelf buttons: put on (`add`) or take off (`remove`) the
    /// shelf with this slug.
    #[serde(default)]
    add: String,
    #[serde(default)]
    remove: String,
}

pub async fn custom_shelf(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    HxRequest(htmx): HxRequest,
    m: Member,
    Form(f): Form<ShelfForm>,
) -> Result<Response, AppError> {
    if f.action == "clear" {
        shelves::remove_everywhere(&st.db, m.id(), work).await?;
        return answer(&st, htmx, &m, work, Done::code("removed"), false).await;
    }
    let (slug, remove) = if !f.new_shelf.trim().is_empty() {
        if f.new_shelf.chars().count() > 80 {
            return Err(AppError::bad(
                "new_shelf",
                "A shelf name can be at most 80 characters.",
            ));
        }
        (
            shelves::create_shelf(&st.db, m.id(), &f.new_shelf).await?,
            false,
        )
    } else if !f.add.is_empty() {
        (f.add.clone(), false)
    } else if !f.remove.is_empty() {
        (f.remove.clone(), true)
    } else {
        (f.shelf.clone(), f.action == "remove")
    };
    if slug.is_empty() {
        return Err(AppError::bad("shelf", "Choose a shelf, or name a new one."));
    }
    if slug.chars().count() > 200 {
        return Err(AppError::bad("shelf", "There is no such shelf."));
    }
    if remove {
        shelves::unshelve(&st.db, m.id(), &slug, work).await?;
    } else {
        shelves::shelve(&st.db, m.id(), &slug, work).await?;
    }
    answer(
        &st,
        htmx,
        &m,
        work,
        Done::code(if remove { "unshelved" } else { "shelved" }),
        false,
    )
    .await
}

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    pub(crate) headline: String,
    pub(crate) body: String,
    #[serde(default)]
    pub(crate) spoiler: Option<String>,
    #[serde(default)]
    pub(crate) recommends: String,
}

/// Check a review before anything is written: a rejected review leaves the
/// reader's saved review exactly as it was.
pub fn check_review(f: &ReviewForm) -> Result<(), AppError> {
    let n = f.body.chars().count();
    if !quire_markup::has_visible_text(&f.body) {
        return Err(AppError::bad(
            "body",
            "A review needs some words a reader can see; this one would show nothing. Nothing was saved.",
        ));
    }
    if n > MAX_REVIEW_CHARS {
        return Err(AppError::bad(
            "body",
            format!(
                "Your review is {n} characters long; the limit is {MAX_REVIEW_CHARS}. Nothing was saved: shorten it and send it again. Any review you saved before is unchanged."
            ),
        ));
    }
    let h = f.headline.chars().count();
    if h > MAX_HEADLINE_CHARS {
        return Err(AppError::bad(
            "headline",
            format!(
                "The headline is {h} characters long; the limit is {MAX_HEADLINE_CHARS}. Nothing was saved."
            ),
        ));
    }
    Ok(())
}

pub async fn review(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    m: Member,
    Form(f): Form<ReviewForm>,
) -> Result<Response, AppError> {
    save_review(&st, &m, work, &f).await?;
    back_to_page(&st, work, "reviews", "review").await
}

/// Check and save a review, from the page's form or the JSON API;
/// `recommends` is "yes", "no" or empty. A refused review leaves the saved
/// one as it was.
pub async fn save_review(
    st: &AppState,
    m: &Member,
    work: WorkId,
    f: &ReviewForm,
) -> Result<(), AppError> {
    check_review(f)?;
    let recommends = match f.recommends.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        "" => None,
        other => {
            return Err(AppError::bad(
                "recommends",
                format!("\"{other}\" is not an answer; choose yes, no or leave it empty."),
            ));
        }
    };
    let html = quire_markup::render(&f.body);
    reviews::upsert(
        &st.db,
        m.id(),
        work,
        &ReviewInput {
            headline: Some(f.headline.as_str()),
            body: &f.body,
            body_html: &html,
            spoiler: f.spoiler.is_some(),
            recommends,
        },
    )
    .await?;
    Ok(())
}

pub async fn delete_review(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    m: Member,
) -> Result<Response, AppError> {
    reviews::delete(&st.db, m.id(), work).await?;
    back_to_page(&st, work, "reviews", "review-deleted").await
}

#[derive(Deserialize)]
pub struct QuestionForm {
    body: String,
}

pub async fn add_question(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    m: Member,
    Form(f): Form<QuestionForm>,
) -> Result<Response, AppError> {
    if !quire_markup::is_visible_text(&f.body) {
        return Err(AppError::bad(
            "body",
            "A discussion question needs words a reader can see; this one would show nothing. Nothing was saved.",
        ));
    }
    let n = f.body.trim().chars().count();
    if n < 10 {
        return Err(AppError::bad(
            "body",
            "A discussion question needs at least 10 characters.",
        ));
    }
    if n > MAX_QUESTION_CHARS {
        return Err(AppError::bad(
            "body",
            format!(
                "The question is {n} characters long; the limit is {MAX_QUESTION_CHARS}. Nothing was saved."
            ),
        ));
    }
    questions::add(&st.db, None, work, &f.body, Source::Member, Some(m.id())).await?;
    back_to_page(&st, work, "questions", "question").await
}

#[derive(Deserialize)]
pub struct VoteForm {
    #[serde(default)]
    up: String,
}

pub async fn vote_question(
    State(st): State<AppState>,
    Path(id): Path<String>,
    m: Member,
    Form(f): Form<VoteForm>,
) -> Result<Response, AppError> {
    let question = Uuid::try_parse(&id)
        .map_err(|_| AppError::NotFound(format!("There is no discussion question \"{id}\".")))?;
    let work = questions::vote(&st.db, question, m.id(), f.up != "false").await?;
    back_to_page(&st, work, "questions", "voted").await
}

pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => {
            f.to_uppercase().chain(c).collect::<String>() + if s.ends_with('.') { "" } else { "." }
        }
        None => String::new(),
    }
}
