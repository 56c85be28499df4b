//! A club's list of books: organisers add a book as a selection (current,
//! upcoming or finished, with dates and a chapter count), move it along
//! and take it off; members nominate books with a pitch. The book page's
//! "Add to Club Selections" and "Add to Possible Club Selections" lead to
//! `/books/{id}/clubs`, which offers the clubs the reader may add to and
//! names the clubs reading or having read the book that the reader may
//! know of.

use super::page::{NominationJson, SelectionJson};
use super::{Club, href};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{AppError, FieldError};
use crate::input::{Form, Json};
use crate::paths::WorkPath;
use crate::permissions::ClubPermission;
use crate::view::{Layout, page};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use quire_domain::{ClubRole, ClubText, NominationId, SelectionId, SelectionStatus};
use quire_storage::clubs::{self, page as club_page, selections};
use serde::Deserialize;
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/books/{id}/clubs", get(book_clubs))
        .route("/clubs/{slug}/selections", post(add_form))
        .route("/clubs/{slug}/selections/{selection}", post(change_form))
        .route("/clubs/{slug}/nominations", post(nominate_form))
        .route(
            "/clubs/{slug}/nominations/{nomination}/withdraw",
            post(withdraw_form),
        )
        .route(
            "/api/v1/clubs/{slug}/selections",
            get(list_api).post(add_api),
        )
        .route(
            "/api/v1/clubs/{slug}/selections/{selection}",
            post(change_api).delete(remove_api),
        )
        .route(
            "/api/v1/clubs/{slug}/nominations",
            get(nominations_api).post(nominate_api),
        )
        .route(
            "/api/v1/clubs/{slug}/nominations/{nomination}",
            axum::routing::delete(withdraw_api),
        )
}

/// The most chapters a selection may say its book has.
const MAX_CHAPTERS: i64 = 2_000;

/// A selection as typed in a form or sent as JSON.
#[derive(Deserialize, Default, Clone)]
pub struct SelectionFields {
    #[serde(default)]
    pub book: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: String,
    #[serde(default)]
    pub chapter_count: String,
}

fn parse_day(field: &'static str, s: &str) -> Result<Option<Date>, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, &fmt).map(Some).map_err(|_| FieldError {
        field,
        message: format!("\u{201c}{s}\u{201d} is not a date; write it as 2026-12-01."),
    })
}

/// Check a selection's fields, every wrong one at once.
fn check_selection(f: &SelectionFields) -> Result<selections::NewSelection, AppError> {
    let mut errors = Vec::new();
    let work = crate::paths::work_ref(&f.book);
    if work.is_none() {
        errors.push(FieldError {
            field: "book",
            message: "Name the book by its Quire id or address.".into(),
        });
    }
    let status = match f.status.trim() {
        "" => Some(SelectionStatus::Upcoming),
        s => SelectionStatus::parse(s),
    };
    if status.is_none() {
        errors.push(FieldError {
            field: "status",
            message: "Say where the book goes: current, upcoming or finished.".into(),
        });
    }
    let starts_on = parse_day("starts_on", &f.starts_on)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let ends_on = parse_day("ends_on", &f.ends_on)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    if let (Some(s), Some(e)) = (starts_on, ends_on)
        && e < s
    {
        errors.push(FieldError {
            field: "ends_on",
            message: "The reading ends before it starts; put the end on or after the start.".into(),
        });
    }
    let chapter_count = match f.chapter_count.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(n) if (1..=MAX_CHAPTERS).contains(&n) => Some(n),
            _ => {
                errors.push(FieldError {
                    field: "chapter_count",
                    message: format!(
                        "The number of chapters is a whole number from 1 to {MAX_CHAPTERS}."
                    ),
                });
                None
            }
        },
    };
    match (work, status) {
        (Some(work), Some(status)) if errors.is_empty() => Ok(selections::NewSelection {
            work,
            status,
            starts_on,
            ends_on,
            chapter_count,
        }),
        _ => Err(AppError::Invalid(errors)),
    }
}

async fn add(st: &AppState, club: &Club, f: &SelectionFields) -> Result<SelectionId, AppError> {
    club.check(ClubPermission::Organise)?;
    let new = check_selection(f)?;
    Ok(selections::add(&st.db, club.club.id, club.user()?.user_id(), &new).await?)
}

pub async fn add_form(
    State(st): State<AppState>,
    club: Club,
    Form(f): Form<SelectionFields>,
) -> Result<Redirect, AppError> {
    add(&st, &club, &f).await?;
    Ok(Redirect::to(&format!("{}?done=selected", club.href())))
}

pub async fn add_api(
    State(st): State<AppState>,
    club: Club,
    Json(f): Json<SelectionFields>,
) -> Result<Response, AppError> {
    let id = add(&st, &club, &f).await?;
    let p = club_page::load(
        &st.db,
        club.club.id,
        club.viewer.as_ref().map(|u| u.user_id()),
    )
    .await?;
    let row = p
        .current
        .iter()
        .chain(&p.upcoming)
        .chain(&p.archive)
        .find(|r| r.selection.id == id)
        .map(SelectionJson::of);
    Ok((StatusCode::CREATED, Json(row)).into_response())
}

#[derive(Deserialize, Default)]
pub struct ChangeFields {
    #[serde(default)]
    status: String,
}

fn selection_id(raw: &str) -> Result<SelectionId, AppError> {
    SelectionId::parse(raw)
        .ok_or_else(|| AppError::NotFound("There is no such selection in this club.".into()))
}

async fn change(
    st: &AppState,
    club: &Club,
    raw: &str,
    status: &str,
) -> Result<&'static str, AppError> {
    club.check(ClubPermission::Organise)?;
    let id = selection_id(raw)?;
    if status == "remove" {
        selections::remove(&st.db, club.club.id, id).await?;
        return Ok("unselected");
    }
    let status = SelectionStatus::parse(status.trim()).ok_or_else(|| {
        AppError::bad(
            "status",
            "Say where the book goes: current, upcoming or finished.",
        )
    })?;
    selections::set_status(&st.db, club.club.id, id, status).await?;
    Ok("status")
}

pub async fn change_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Form(f): Form<ChangeFields>,
) -> Result<Redirect, AppError> {
    let done = change(&st, &club, &raw, &f.status).await?;
    Ok(Redirect::to(&format!("{}?done={done}", club.href())))
}

pub async fn change_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Json(f): Json<ChangeFields>,
) -> Result<StatusCode, AppError> {
    if f.status == "remove" {
        return Err(AppError::bad(
            "status",
            "Use DELETE to take a book off the list.",
        ));
    }
    change(&st, &club, &raw, &f.status).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn remove_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    change(&st, &club, &raw, "remove").await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list_api(
    State(st): State<AppState>,
    club: Club,
) -> Result<Json<Vec<SelectionJson>>, AppError> {
    club.check(ClubPermission::Read)?;
    let p = club_page::load(
        &st.db,
        club.club.id,
        club.viewer.as_ref().map(|u| u.user_id()),
    )
    .await?;
    Ok(Json(
        p.current
            .iter()
            .chain(&p.upcoming)
            .chain(&p.archive)
            .map(SelectionJson::of)
            .collect(),
    ))
}

#[derive(Deserialize, Default)]
pub struct NominationFields {
    #[serde(default)]
    book: String,
    #[serde(default)]
    pitch: String,
}

async fn nominate(
    st: &AppState,
    club: &Club,
    f: &NominationFields,
) -> Result<NominationId, AppError> {
    club.check(ClubPermission::Participate)?;
    if !club.club.nominations_open {
        return Err(AppError::Conflict(
            "The club's organisers have closed nominations for now.".into(),
        ));
    }
    let work = crate::paths::work_ref(&f.book)
        .ok_or_else(|| AppError::bad("book", "Name the book by its Quire id or address."))?;
    let pitch = ClubText::parse("The pitch", &f.pitch, ClubText::PITCH)
        .map_err(|e| AppError::bad("pitch", e.to_string()))?;
    Ok(selections::nominate(
        &st.db,
        club.club.id,
        work,
        club.user()?.user_id(),
        pitch.as_str(),
    )
    .await?)
}

pub async fn nominate_form(
    State(st): State<AppState>,
    club: Club,
    Form(f): Form<NominationFields>,
) -> Result<Redirect, AppError> {
    nominate(&st, &club, &f).await?;
    Ok(Redirect::to(&format!(
        "{}?done=nominated#possible-h",
        club.href()
    )))
}

pub async fn nominate_api(
    State(st): State<AppState>,
    club: Club,
    Json(f): Json<NominationFields>,
) -> Result<Response, AppError> {
    let id = nominate(&st, &club, &f).await?;
    let all = selections::nominations(&st.db, club.club.id).await?;
    let n = all.iter().find(|n| n.id == id).map(NominationJson::of);
    Ok((StatusCode::CREATED, Json(n)).into_response())
}

pub async fn nominations_api(
    State(st): State<AppState>,
    club: Club,
) -> Result<Json<Vec<NominationJson>>, AppError> {
    club.check(ClubPermission::Read)?;
    let all = selections::nominations(&st.db, club.club.id).await?;
    Ok(Json(all.iter().map(NominationJson::of).collect()))
}

async fn withdraw(st: &AppState, club: &Club, raw: &str) -> Result<(), AppError> {
    club.check(ClubPermission::Participate)?;
    let id = NominationId::parse(raw)
        .ok_or_else(|| AppError::NotFound("There is no such nomination in this club.".into()))?;
    selections::withdraw(
        &st.db,
        club.club.id,
        id,
        club.user()?.user_id(),
        club.allows(ClubPermission::Organise),
    )
    .await?;
    Ok(())
}

pub async fn withdraw_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
) -> Result<Redirect, AppError> {
    withdraw(&st, &club, &raw).await?;
    Ok(Redirect::to(&format!(
        "{}?done=unnominated#possible-h",
        club.href()
    )))
}

pub async fn withdraw_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    withdraw(&st, &club, &raw).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A club the reader may add the book to.
pub struct ClubChoice {
    pub slug: String,
    pub name: String,
}

/// A club the reader may know of that reads or has read the book.
pub struct ClubWithBook {
    pub href: String,
    pub name: String,
    pub now: bool,
}

#[derive(Template)]
#[template(path = "clubs/book_clubs.html")]
struct BookClubsTemplate {
    layout: Layout,
    title: String,
    book_href: String,
    work: String,
    /// "selections" or "possible": which form comes first.
    list: String,
    organised: Vec<ClubChoice>,
    nominating: Vec<ClubChoice>,
    signed_in: bool,
    member_anywhere: bool,
    reading_now: Vec<ClubWithBook>,
    have_read: Vec<ClubWithBook>,
    sign_in_href: String,
}

#[derive(Deserialize, Default)]
pub struct BookClubsQuery {
    list: Option<String>,
}

/// `GET /books/{id}/clubs`: add the book to a club's list or nominate it,
/// and the clubs reading it now or that have read it.
pub async fn book_clubs(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    Viewer(v): Viewer,
    crate::input::Query(q): crate::input::Query<BookClubsQuery>,
) -> Result<Html<String>, AppError> {
    let book = quire_storage::catalog::summaries_of(&st.db, &[work])
        .await?
        .remove(&work)
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "There is no book with the id \"{work}\" in Quire. Search for it by title, author or ISBN instead."
            ))
        })?;
    let me = v.as_ref().map(|u| u.user_id());
    let mine = match me {
        Some(u) => clubs::of_member(&st.db, u).await?,
        None => Vec::new(),
    };
    let known = clubs::for_work(&st.db, work, me).await?;
    let choice = |c: &clubs::ClubCard| ClubChoice {
        slug: c.club.slug.clone(),
        name: c.club.name.clone(),
    };
    let book_href = crate::paths::book(work, &book.slug);
    let (reading_now, have_read): (Vec<_>, Vec<_>) = known
        .iter()
        .map(|(c, status)| ClubWithBook {
            href: href(&c.club.slug),
            name: c.club.name.clone(),
            now: *status == SelectionStatus::Current,
        })
        .partition(|c| c.now);
    page(&BookClubsTemplate {
        layout: Layout::for_user(v.as_ref()),
        title: book.title.clone(),
        sign_in_href: format!("/login?next=/books/{work}/clubs"),
        book_href,
        work: work.to_string(),
        list: match q.list.as_deref() {
            Some("possible") => "possible".into(),
            _ => "selections".into(),
        },
        organised: mine
            .iter()
            .filter(|c| c.role >= Some(ClubRole::Organiser))
            .map(choice)
            .collect(),
        nominating: mine
            .iter()
            .filter(|c| c.club.nominations_open)
            .map(choice)
            .collect(),
        signed_in: v.is_some(),
        member_anywhere: !mine.is_empty(),
        reading_now,
        have_read,
    })
}
