//! Readers' profiles: the profile (counts and a row of covers per shelf),
//! each shelf a page at a time (`people/shelf.rs`), the reader's ratings
//! and reviews, and their reading stats and year in books
//! (`people/stats.rs`, charts drawn by `people/charts.rs`).

pub mod charts;
pub mod shelf;
pub mod stats;

use crate::AppState;
use crate::auth::{Member, Viewer};
use crate::error::AppError;
use crate::home::Card;
use crate::input::Form;
use crate::view::{Layout, Stars, date, page, plural};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use quire_domain::Progress;
use quire_storage::profile::{self, Counts, ProfileEntry, ShelfKey};
use quire_storage::shelves;
use quire_storage::users::{self, User};
use serde::Deserialize;

/// Books shown per shelf on the profile itself.
const PREVIEW: u32 = 8;

/// The reader named in the address, or a 404 that says so.
pub(crate) async fn reader(st: &AppState, username: &str) -> Result<User, AppError> {
    users::by_username(&st.db, username).await?.ok_or_else(|| {
        AppError::NotFound(format!(
            "No reader is called \"{}\" here.",
            username.chars().take(40).collect::<String>()
        ))
    })
}

/// A shelf's name as the reader sees it.
pub(crate) fn shelf_title(key: &ShelfKey, counts: &Counts) -> String {
    match key {
        ShelfKey::Queue => "Want to read".into(),
        ShelfKey::Reading => "Currently reading".into(),
        ShelfKey::Read => "Read".into(),
        ShelfKey::DidNotFinish => "Did not finish".into(),
        ShelfKey::Custom(slug) => counts
            .shelves
            .iter()
            .find(|s| &s.key == key)
            .map_or_else(|| slug.clone(), |s| s.name.clone()),
    }
}

/// "twice", "3 times".
fn times(n: i64) -> String {
    match n {
        2 => "twice".into(),
        n => format!("{n} times"),
    }
}

/// What a shelf says of a book, in the reader's words: "Reading · p. 50
/// of 320 (16%)", "Read 12 May 2024", "Read twice, last 12 May 2024",
/// "Did not finish · stopped 31 May 2015", "Want to read".
pub(crate) fn status_line(key: &ShelfKey, e: &ProfileEntry) -> String {
    match key {
        ShelfKey::Queue => "Want to read".into(),
        ShelfKey::Reading => {
            let pages = e
                .pages
                .and_then(|p| u32::try_from(p).ok())
                .filter(|p| *p > 0);
            match (e.progress, pages) {
                (Some(Progress::Page(p)), Some(total)) => format!(
                    "Reading · p. {p} of {total} ({}%)",
                    ((u64::from(p) * 100 + u64::from(total) / 2) / u64::from(total)).min(100)
                ),
                (Some(Progress::Page(p)), None) => format!("Reading · p. {p}"),
                (Some(Progress::Percent(n)), _) => format!("Reading · {n}%"),
                (Some(Progress::Chapter(n)), _) => format!("Reading · chapter {n}"),
                (None, _) => match e.started_on {
                    Some(d) => format!("Reading · since {}", date(d)),
                    None => "Reading".into(),
                },
            }
        }
        ShelfKey::Read => match (e.times_read, e.finished_on) {
            (n, Some(d)) if n > 1 => format!("Read {}, last {}", times(n), date(d)),
            (_, Some(d)) => format!("Read {}", date(d)),
            (n, None) if n > 1 => format!("Read {}", times(n)),
            _ => "Read".into(),
        },
        ShelfKey::DidNotFinish => match e.finished_on.or(e.started_on) {
            Some(d) => format!("Did not finish · stopped {}", date(d)),
            None => "Did not finish".into(),
        },
        ShelfKey::Custom(_) => match e.added_at {
            Some(t) => format!("Added {}", date(t.date())),
            None => String::new(),
        },
    }
}

/// "Rated 3.5 out of 5".
pub(crate) fn rated(halves: i64) -> String {
    let whole = halves / 2;
    if halves % 2 == 1 {
        format!("Rated {whole}.5 out of 5")
    } else {
        format!("Rated {whole} out of 5")
    }
}

/// A reader's own rating (stored in half stars) as the small star figure.
pub(crate) fn reader_stars(halves: Option<i64>) -> Option<Stars> {
    let rating = quire_domain::Rating::from_halves(halves?).ok()?;
    Some(Stars::of_rating(rating))
}

/// A book on a shelf as a card: the status line as its note, the reader's
/// own rating in place of the average.
pub(crate) fn shelf_card(key: &ShelfKey, e: &ProfileEntry) -> Card {
    let mut c = Card::from(&e.work, None);
    let note = status_line(key, e);
    c.note = (!note.is_empty()).then_some(note);
    // The reader's own stars, and their number beside them.
    c.stars = reader_stars(e.halves);
    c.rating = e
        .halves
        .and_then(|h| quire_domain::Rating::from_halves(h).ok())
        .map(|r| r.to_string());
    c
}

pub struct ShelfRow {
    pub title: String,
    pub href: String,
    pub count: i64,
    pub cards: Vec<Card>,
    pub empty: &'static str,
}

pub struct CountLink {
    pub label: String,
    pub href: String,
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
    /// The owner has nothing on any shelf and no rating: a new member, who
    /// is offered to bring their library from another site.
    offer_import: bool,
    counts: Vec<CountLink>,
    rows: Vec<ShelfRow>,
    latest_year: Option<i32>,
}

pub async fn profile(
    State(st): State<AppState>,
    Path(username): Path<String>,
    Viewer(v): Viewer,
) -> Result<Html<String>, AppError> {
    let user = reader(&st, &username).await?;
    let id = user.user_id();
    let counts = profile::counts(&st.db, id).await?;
    let previews = profile::previews(&st.db, id, PREVIEW).await?;
    let latest_year = previews
        .iter()
        .filter(|(k, _)| *k == ShelfKey::Read)
        .filter_map(|(_, e)| e.finished_on.map(|d| d.year()))
        .max();
    let base = format!("/people/{}", user.username);
    let own = v.as_ref().is_some_and(|u| u.id == user.id);
    let mut links = Vec::new();
    let mut rows = Vec::new();
    for key in [
        ShelfKey::Reading,
        ShelfKey::Queue,
        ShelfKey::Read,
        ShelfKey::DidNotFinish,
    ]
    .into_iter()
    .chain(
        counts
            .shelves
            .iter()
            .filter(|s| matches!(s.key, ShelfKey::Custom(_)))
            .map(|s| s.key.clone()),
    ) {
        let n = counts.of(&key);
        let title = shelf_title(&key, &counts);
        let href = format!("{base}/shelves/{}", key.slug());
        links.push(CountLink {
            label: format!("{} {}", n, title.to_lowercase()),
            href: href.clone(),
        });
        // The owner reorders their queue in its list.
        let href = if own && key == ShelfKey::Queue {
            format!("{href}?sort=order&view=list")
        } else {
            href
        };
        let cards = previews
            .iter()
            .filter(|(k, _)| *k == key)
            .map(|(k, e)| shelf_card(k, e))
            .collect();
        let empty = match key {
            ShelfKey::Reading => "Nothing at the moment.",
            ShelfKey::Queue => "Nothing queued. “Want to read” on a book page puts it here.",
            ShelfKey::Read => "No finished books yet.",
            ShelfKey::DidNotFinish => "None.",
            ShelfKey::Custom(_) => "Empty.",
        };
        rows.push(ShelfRow {
            title,
            href,
            count: n,
            cards,
            empty,
        });
    }
    links.push(CountLink {
        label: plural(counts.ratings, "rating", "ratings"),
        href: format!("{base}/reviews"),
    });
    links.push(CountLink {
        label: plural(counts.reviews, "review", "reviews"),
        href: format!("{base}/reviews"),
    });
    page(&ProfilePage {
        layout: Layout::for_user(v.as_ref()),
        display_name: user.display_name.clone(),
        username: user.username.clone(),
        bio: user.bio.clone(),
        joined: date(user.created_at.date()),
        own,
        offer_import: own
            && counts.ratings == 0
            && counts.reviews == 0
            && counts.shelves.iter().all(|s| s.count == 0),
        counts: links,
        rows,
        latest_year,
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

/// A page number from the query: a whole number from 1, 1 when absent.
pub(crate) fn page_number(raw: Option<&str>) -> Result<u32, AppError> {
    let raw = raw.map(str::trim).unwrap_or_default();
    if raw.is_empty() {
        return Ok(1);
    }
    match raw.parse::<u32>() {
        Ok(0) => Err(AppError::bad(
            "page",
            "Pages are numbered from 1; there is no page 0.",
        )),
        Ok(n) if n <= 100_000 => Ok(n),
        _ if raw.bytes().all(|b| b.is_ascii_digit()) => Err(AppError::bad(
            "page",
            "That page is far past the last one; go back to page 1.",
        )),
        _ => Err(AppError::bad(
            "page",
            format!(
                "\"{}\" is not a page number: pages are whole numbers from 1.",
                raw.chars().take(20).collect::<String>()
            ),
        )),
    }
}

/// The number of pages `total` items make, at least 1.
pub(crate) fn page_count(total: i64, per_page: u32) -> u32 {
    let per = i64::from(per_page.max(1));
    u32::try_from(((total + per - 1) / per).max(1)).unwrap_or(u32::MAX)
}

/// A page past the last is refused by name, with the last page's number.
pub(crate) fn check_past_last(page: u32, pages: u32, what: &str) -> Result<(), AppError> {
    if page > pages {
        return Err(AppError::bad(
            "page",
            format!(
                "Page {page} is past the last page of {what} ({}); go to page {pages}.",
                plural(i64::from(pages), "page", "pages")
            ),
        ));
    }
    Ok(())
}

/// A pager: (number, address, is this page).
pub(crate) fn pager(
    pages: u32,
    current: u32,
    href: impl Fn(u32) -> String,
) -> Vec<(u32, String, bool)> {
    if pages <= 1 {
        return Vec::new();
    }
    // First, last, and two either side of the current page.
    let mut out = Vec::new();
    for n in 1..=pages {
        if n == 1 || n == pages || n.abs_diff(current) <= 2 {
            out.push((n, href(n), n == current));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_are_checked() {
        assert_eq!(page_number(None).unwrap(), 1);
        assert_eq!(page_number(Some("3")).unwrap(), 3);
        assert!(page_number(Some("0")).is_err());
        assert!(page_number(Some("-1")).is_err());
        assert!(page_number(Some("99999999999")).is_err());
        assert_eq!(page_count(0, 24), 1);
        assert_eq!(page_count(25, 24), 2);
        assert_eq!(rated(7), "Rated 3.5 out of 5");
        assert_eq!(reader_stars(Some(7)).unwrap().label, "Rated 3.5 out of 5");
    }
}
