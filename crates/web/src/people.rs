//! Readers' profiles and their shelves.

use crate::AppState;
use crate::auth::{Member, Viewer};
use crate::error::AppError;
use crate::home::Card;
use crate::input::Form;
use crate::view::{Layout, date, page, plural};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use quire_storage::shelves::{self, ShelfEntry};
use quire_storage::users;
use serde::Deserialize;

pub struct Shelf {
    pub title: String,
    pub anchor: String,
    pub empty: &'static str,
    pub entries: Vec<(Card, String, String)>,
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    layout: Layout,
    display_name: String,
    username: String,
    bio: String,
    joined: String,
    own: bool,
    queue: Vec<(Card, String, String)>,
    shelves: Vec<Shelf>,
}

fn entry_note(e: &ShelfEntry) -> String {
    let mut parts = Vec::new();
    if let Some(p) = e.progress {
        parts.push(format!("at {p}"));
    }
    if let Some(d) = e.started_on
        && e.finished_on.is_none()
    {
        parts.push(format!("started {}", date(d)));
    }
    if let Some(d) = e.finished_on {
        parts.push(format!("finished {}", date(d)));
    }
    if e.times_read > 1 {
        parts.push(format!("read {} times", e.times_read));
    }
    parts.join(" · ")
}

fn card(e: &ShelfEntry) -> (Card, String, String) {
    (
        Card::from(&e.work, None),
        entry_note(e),
        e.work.id.to_string(),
    )
}

pub async fn profile(
    State(st): State<AppState>,
    Path(username): Path<String>,
    Viewer(v): Viewer,
) -> Result<Html<String>, AppError> {
    let Some(user) = users::by_username(&st.db, &username).await? else {
        return Err(AppError::NotFound(format!(
            "No reader is called \"{username}\" here."
        )));
    };
    let s = shelves::shelves(&st.db, user.user_id()).await?;
    let mut list = vec![
        Shelf {
            title: format!("Currently reading ({})", s.reading.len()),
            anchor: "reading".into(),
            empty: "Nothing at the moment.",
            entries: s.reading.iter().map(card).collect(),
        },
        Shelf {
            title: format!("Read ({})", s.read.len()),
            anchor: "read".into(),
            empty: "No finished books yet.",
            entries: s.read.iter().map(card).collect(),
        },
        Shelf {
            title: format!("Did not finish ({})", s.did_not_finish.len()),
            anchor: "dnf".into(),
            empty: "None.",
            entries: s.did_not_finish.iter().map(card).collect(),
        },
    ];
    for (name, slug, entries) in &s.custom {
        list.push(Shelf {
            title: format!("{name} ({})", plural(entries.len() as i64, "book", "books")),
            anchor: format!("shelf-{slug}"),
            empty: "Empty.",
            entries: entries.iter().map(card).collect(),
        });
    }
    let own = v.as_ref().is_some_and(|u| u.id == user.id);
    page(&ProfilePage {
        layout: Layout::for_user(v.as_ref()),
        display_name: user.display_name.clone(),
        username: user.username.clone(),
        bio: user.bio.clone(),
        joined: date(user.created_at.date()),
        own,
        queue: s.queue.iter().map(card).collect(),
        shelves: list,
    })
}

#[derive(Deserialize)]
pub struct NewShelf {
    name: String,
}

pub async fn create_shelf(
    State(st): State<AppState>,
    m: Member,
    Form(f): Form<NewShelf>,
) -> Result<Response, AppError> {
    if f.name.chars().count() > 80 {
        return Err(AppError::bad(
            "name",
            "A shelf name can be at most 80 characters.",
        ));
    }
    shelves::create_shelf(&st.db, m.id(), &f.name).await?;
    Ok(Redirect::to(&format!("/people/{}", m.0.username)).into_response())
}
