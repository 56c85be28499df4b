//! `GET /series/{id}[/{slug}]`: a series in its order (by number, "1.5"
//! between 1 and 2, books without a number last) and, for a signed-in
//! reader, how far through it they are and their status with each book.

use super::{ListQuery, Pager, books, past_last};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::home::Card;
use crate::input::Query;
use crate::paths::{self, SeriesPath};
use crate::view::{Layout, page};
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use quire_storage::browse::{self, SeriesStatus, Sort};

/// Books a series page shows unless `?per=` says otherwise: most series
/// fit on one page.
pub const SERIES_PER_PAGE: u32 = 60;

/// One book in its place.
pub struct Entry {
    /// "Book 2", "Book 1.5", or "Also in the series" for a book with no
    /// number.
    pub place: String,
    pub card: Card,
    /// The reader's status in their words, and a class for its look.
    pub status: Option<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "browse/series.html")]
struct SeriesTemplate {
    layout: Layout,
    name: String,
    count: String,
    signed_in: bool,
    /// "You have read 2 of 5".
    progress: Option<String>,
    read: i64,
    total: i64,
    entries: Vec<Entry>,
    pager: Pager,
    sign_in_href: String,
    edit_href: String,
}

/// A status as the reader says it: "Want to read", "Reading · 42%",
/// "Read in May 2024", "Did not finish".
pub fn status_words(s: &SeriesStatus) -> (String, &'static str) {
    match s {
        SeriesStatus::WantToRead => ("Want to read".into(), "want"),
        SeriesStatus::Reading { percent: Some(p) } => (format!("Reading · {p}%"), "reading"),
        SeriesStatus::Reading { percent: None } => ("Reading".into(), "reading"),
        SeriesStatus::Read {
            finished_on: Some(d),
        } => (format!("Read in {} {}", d.month(), d.year()), "read"),
        SeriesStatus::Read { finished_on: None } => ("Read".into(), "read"),
        SeriesStatus::DidNotFinish => ("Did not finish".into(), "dnf"),
    }
}

pub async fn series_page(
    State(st): State<AppState>,
    SeriesPath(id): SeriesPath,
    Viewer(v): Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    let paging = q.checked_paging(SERIES_PER_PAGE)?;
    let reader = v.as_ref().map(|u| u.user_id());
    let p = browse::series_page(&st.db, id, reader, paging)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "There is no series with the id \"{id}\" in Quire. It may have been merged or renamed."
            ))
        })?;
    let pages = paging.pages(p.total);
    if paging.page > pages {
        return Err(past_last(paging.page, pages));
    }
    let base = paths::series(id, &p.name);
    let entries = p
        .books
        .iter()
        .map(|e| Entry {
            place: match &e.position {
                Some(n) if browse::series_position_key(n).is_some() => format!("Book {n}"),
                Some(n) => n.clone(),
                None => "Also in the series".into(),
            },
            card: Card::from(&e.work, None),
            status: e.status.as_ref().map(status_words),
        })
        .collect();
    page(&SeriesTemplate {
        layout: Layout::for_user(v.as_ref()),
        count: books(p.total),
        signed_in: reader.is_some(),
        progress: reader.map(|_| format!("You have read {} of {}", p.read, p.total)),
        read: p.read,
        total: p.total,
        entries,
        pager: Pager::new(&base, &[], Sort::default(), paging, p.total),
        sign_in_href: format!("/login?next={base}"),
        edit_href: format!("/series/{id}/edit"),
        name: p.name,
    })
}
