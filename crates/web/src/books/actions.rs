//! The forms on the book page: rate, shelve, record progress, review, add
//! and vote on discussion questions. Each answers htmx with the changed
//! part of the page, and a plain browser with a redirect back to the page.

use super::page::{Activity, ActivityPartial, activity, prepared, reader_page};
use crate::AppState;
use crate::auth::Member;
use crate::error::AppError;
use crate::input::Form;
use crate::paths::WorkPath;
use crate::view::page;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_htmx::{HxRequest, HxTarget};
use quire_domain::text::{MAX_HEADLINE_CHARS, MAX_QUESTION_CHARS, MAX_REVIEW_CHARS};
use quire_domain::{EditionId, Progress, Rating, ReadingStatus, Source, WorkId};
use quire_storage::reviews::ReviewInput;
use quire_storage::{questions, ratings, reviews, shelves};
use serde::Deserialize;
use uuid::Uuid;

fn today() -> time::Date {
    quire_storage::now().date()
}

/// Back to a section of the book's page, after a form a browser posted.
async fn back_to_page(st: &AppState, work: WorkId, anchor: &str) -> Result<Response, AppError> {
    st.home.changed();
    let p = prepared(st, work, 1).await?;
    Ok(Redirect::to(&format!("{}#{anchor}", super::page::book_path(&p))).into_response())
}

/// After a change: the updated activity box for htmx, else back to the page.
async fn answer(
    st: &AppState,
    htmx: bool,
    m: &Member,
    work: WorkId,
    anchor: &str,
) -> Result<Response, AppError> {
    if !htmx {
        return back_to_page(st, work, anchor).await;
    }
    st.home.changed();
    let (p, viewer) = reader_page(st, m.id(), work, 1).await?;
    let edition = p.page.edition(viewer.state.progress_edition);
    let activity: Activity = activity(&p, edition, Some(&viewer));
    Ok(page(&ActivityPartial { activity })?.into_response())
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
    if f.stars.trim().is_empty() || f.stars == "clear" {
        ratings::clear(&st.db, m.id(), work).await?;
    } else {
        let r = Rating::parse(&f.stars)
            .map_err(|e| AppError::bad("stars", capitalise(&e.to_string())))?;
        ratings::set(&st.db, m.id(), work, r).await?;
    }
    answer(&st, htmx, &m, work, "activity").await
}

#[derive(Deserialize)]
pub struct QueueForm {
    action: String,
}

pub async fn queue(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    HxRequest(htmx): HxRequest,
    HxTarget(target): HxTarget,
    m: Member,
    Form(f): Form<QueueForm>,
) -> Result<Response, AppError> {
    match f.action.as_str() {
        "add" => shelves::queue_add(&st.db, m.id(), work).await?,
        "remove" => shelves::queue_remove(&st.db, m.id(), work).await?,
        "up" | "down" => shelves::queue_move(&st.db, m.id(), work, f.action == "up").await?,
        other => {
            return Err(AppError::bad(
                "action",
                format!("\"{other}\" is not a queue action; use add, remove, up or down."),
            ));
        }
    }
    if target.as_deref() == Some("queue") {
        return Ok(Redirect::to(&format!("/people/{}", m.0.username)).into_response());
    }
    answer(&st, htmx, &m, work, "activity").await
}

#[derive(Deserialize)]
pub struct ReadingForm {
    action: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    edition: String,
}

pub async fn reading(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    HxRequest(htmx): HxRequest,
    m: Member,
    Form(f): Form<ReadingForm>,
) -> Result<Response, AppError> {
    let edition = EditionId::parse(&f.edition);
    match f.action.as_str() {
        "start" => shelves::start_reading(&st.db, m.id(), work, edition, today()).await?,
        "progress" => {
            let p = prepared(&st, work, 1).await?;
            let pages = p.page.edition(edition).and_then(|e| e.pages);
            let progress = Progress::parse(&f.unit, &f.value, pages)
                .map_err(|e| AppError::bad("value", capitalise(&e.to_string())))?;
            shelves::set_progress(&st.db, m.id(), work, edition, progress, today()).await?;
        }
        "finish" => shelves::finish(&st.db, m.id(), work, ReadingStatus::Read, today()).await?,
        "dnf" => {
            shelves::finish(&st.db, m.id(), work, ReadingStatus::DidNotFinish, today()).await?
        }
        other => {
            return Err(AppError::bad(
                "action",
                format!("\"{other}\" is not a reading action; use start, progress, finish or dnf."),
            ));
        }
    }
    answer(&st, htmx, &m, work, "activity").await
}

#[derive(Deserialize)]
pub struct ShelfForm {
    #[serde(default)]
    shelf: String,
    #[serde(default)]
    new_shelf: String,
    #[serde(default)]
    action: String,
}

pub async fn custom_shelf(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    HxRequest(htmx): HxRequest,
    m: Member,
    Form(f): Form<ShelfForm>,
) -> Result<Response, AppError> {
    let slug = if !f.new_shelf.trim().is_empty() {
        if f.new_shelf.chars().count() > 80 {
            return Err(AppError::bad(
                "new_shelf",
                "A shelf name can be at most 80 characters.",
            ));
        }
        shelves::create_shelf(&st.db, m.id(), &f.new_shelf).await?
    } else {
        f.shelf.clone()
    };
    if slug.is_empty() {
        return Err(AppError::bad("shelf", "Choose a shelf, or name a new one."));
    }
    if f.action == "remove" {
        shelves::unshelve(&st.db, m.id(), &slug, work).await?;
    } else {
        shelves::shelve(&st.db, m.id(), &slug, work).await?;
    }
    answer(&st, htmx, &m, work, "activity").await
}

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    headline: String,
    body: String,
    #[serde(default)]
    spoiler: Option<String>,
    #[serde(default)]
    recommends: String,
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
    check_review(&f)?;
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
    back_to_page(&st, work, "reviews").await
}

pub async fn delete_review(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    m: Member,
) -> Result<Response, AppError> {
    reviews::delete(&st.db, m.id(), work).await?;
    back_to_page(&st, work, "reviews").await
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
    back_to_page(&st, work, "questions").await
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
    back_to_page(&st, work, "questions").await
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
