//! One shelf a page at a time (`/people/{username}/shelves/{shelf}`), as a
//! cover grid or a list, sorted as the reader asks; and the reader's
//! ratings and reviews (`/people/{username}/reviews`).

use super::{
    check_past_last, page_count, page_number, pager, reader, reader_stars, shelf_card, shelf_title,
    status_line,
};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::home::Card;
use crate::input::Query;
use crate::view::Stars;
use crate::view::{Layout, day, page, plural};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use quire_storage::profile::{self, ShelfKey, ShelfSort};
use serde::Deserialize;

/// Books on one page of a shelf.
pub const PER_PAGE: u32 = 24;
/// Ratings and reviews on one page.
pub const OPINIONS_PER_PAGE: u32 = 10;

#[derive(Deserialize, Default)]
pub struct ShelfQuery {
    /// Read as text so a bad value gets a message naming its field.
    page: Option<String>,
    sort: Option<String>,
    view: Option<String>,
    /// What the reader just did here (a queue move): a fixed line, never
    /// the raw text.
    done: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum View {
    Grid,
    List,
}

fn sort_of(raw: Option<&str>, key: &ShelfKey) -> Result<ShelfSort, AppError> {
    Ok(match raw.map(str::trim).unwrap_or_default() {
        "" if *key == ShelfKey::Queue => ShelfSort::Order,
        "" | "date" => ShelfSort::Date,
        "order" if *key == ShelfKey::Queue => ShelfSort::Order,
        "title" => ShelfSort::Title,
        "rating" => ShelfSort::Rating,
        _ => {
            return Err(AppError::bad(
                "sort",
                "A shelf sorts by date, title or rating (the queue also by order).",
            ));
        }
    })
}

fn sort_name(s: ShelfSort) -> &'static str {
    match s {
        ShelfSort::Order => "order",
        ShelfSort::Date => "date",
        ShelfSort::Title => "title",
        ShelfSort::Rating => "rating",
    }
}

fn view_of(raw: Option<&str>) -> Result<View, AppError> {
    match raw.map(str::trim).unwrap_or_default() {
        "" | "grid" => Ok(View::Grid),
        "list" => Ok(View::List),
        _ => Err(AppError::bad(
            "view",
            "A shelf is shown as a grid or a list.",
        )),
    }
}

/// A book in the list view.
pub struct ListItem {
    pub card: Card,
    pub authors: String,
    pub work: String,
    pub status: String,
    pub stars: Option<Stars>,
}

pub struct Choice {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "people/shelf.html")]
struct ShelfPage {
    layout: Layout,
    display_name: String,
    profile: String,
    title: String,
    total: i64,
    grid: bool,
    cards: Vec<Card>,
    items: Vec<ListItem>,
    sorts: Vec<Choice>,
    views: Vec<Choice>,
    pages: Vec<(u32, String, bool)>,
    page_no: u32,
    page_total: u32,
    /// The owner's own queue, in its order: offer to reorder it.
    reorder: bool,
    /// The confirmation after a move in the queue.
    flash: Option<&'static str>,
}

pub async fn shelf(
    State(st): State<AppState>,
    Path((username, slug)): Path<(String, String)>,
    Viewer(v): Viewer,
    Query(q): Query<ShelfQuery>,
) -> Result<Html<String>, AppError> {
    let user = reader(&st, &username).await?;
    let key = ShelfKey::from_slug(&slug);
    let sort = sort_of(q.sort.as_deref(), &key)?;
    let view = view_of(q.view.as_deref())?;
    let page_no = page_number(q.page.as_deref())?;
    let counts = profile::counts(&st.db, user.user_id()).await?;
    if matches!(key, ShelfKey::Custom(_)) && !counts.shelves.iter().any(|s| s.key == key) {
        return Err(AppError::NotFound(format!(
            "{} has no shelf called \"{}\".",
            user.display_name,
            slug.chars().take(80).collect::<String>()
        )));
    }
    let (total, entries) =
        profile::shelf_page(&st.db, user.user_id(), &key, sort, page_no, PER_PAGE).await?;
    let page_total = page_count(total, PER_PAGE);
    check_past_last(page_no, page_total, "this shelf")?;
    let profile_href = format!("/people/{}", user.username);
    let base = format!("{profile_href}/shelves/{}", key.slug());
    let view_name = if view == View::List { "list" } else { "grid" };
    let href = |sort: ShelfSort, view: &str, page: u32| {
        let mut h = format!("{base}?sort={}&view={view}", sort_name(sort));
        if page > 1 {
            h.push_str(&format!("&page={page}"));
        }
        h
    };
    let own = v.as_ref().is_some_and(|u| u.id == user.id);
    let mut sorts = Vec::new();
    if key == ShelfKey::Queue {
        sorts.push((ShelfSort::Order, "Queue order"));
    }
    let date_label = match key {
        ShelfKey::Read | ShelfKey::DidNotFinish => "Date finished",
        ShelfKey::Reading => "Date started",
        _ => "Date added",
    };
    sorts.extend([
        (ShelfSort::Date, date_label),
        (ShelfSort::Title, "Title"),
        (
            ShelfSort::Rating,
            if own { "My rating" } else { "Their rating" },
        ),
    ]);
    let sorts = sorts
        .into_iter()
        .map(|(s, label)| Choice {
            label,
            href: href(s, view_name, 1),
            current: s == sort,
        })
        .collect();
    let views = [(View::Grid, "Covers", "grid"), (View::List, "List", "list")]
        .into_iter()
        .map(|(vw, label, name)| Choice {
            label,
            href: href(sort, name, page_no),
            current: vw == view,
        })
        .collect();
    let (cards, items) = if view == View::Grid {
        (
            entries.iter().map(|e| shelf_card(&key, e)).collect(),
            Vec::new(),
        )
    } else {
        (
            Vec::new(),
            entries
                .iter()
                .map(|e| ListItem {
                    card: Card::from(&e.work, None),
                    authors: few_authors(&e.work.authors),
                    work: e.work.id.to_string(),
                    status: status_line(&key, e),
                    stars: reader_stars(e.halves),
                })
                .collect(),
        )
    };
    page(&ShelfPage {
        layout: Layout::for_user(v.as_ref()),
        display_name: user.display_name.clone(),
        title: shelf_title(&key, &counts),
        profile: profile_href,
        total,
        grid: view == View::Grid,
        cards,
        items,
        sorts,
        views,
        pages: pager(page_total, page_no, |n| href(sort, view_name, n)),
        page_no,
        page_total,
        reorder: own && key == ShelfKey::Queue && sort == ShelfSort::Order,
        flash: q.done.as_deref().and_then(crate::books::page::done_message),
    })
}

pub struct OpinionItem {
    pub card: Card,
    pub authors: String,
    pub stars: Option<Stars>,
    pub headline: Option<String>,
    pub body_html: Option<String>,
    pub spoiler: bool,
    pub when: String,
}

#[derive(Template)]
#[template(path = "people/reviews.html")]
struct ReviewsPage {
    layout: Layout,
    display_name: String,
    profile: String,
    total: i64,
    items: Vec<OpinionItem>,
    pages: Vec<(u32, String, bool)>,
}

#[derive(Deserialize, Default)]
pub struct PageOnly {
    page: Option<String>,
}

pub async fn reviews(
    State(st): State<AppState>,
    Path(username): Path<String>,
    Viewer(v): Viewer,
    Query(q): Query<PageOnly>,
) -> Result<Html<String>, AppError> {
    let user = reader(&st, &username).await?;
    let page_no = page_number(q.page.as_deref())?;
    let (total, list) =
        profile::opinions(&st.db, user.user_id(), page_no, OPINIONS_PER_PAGE).await?;
    let page_total = page_count(total, OPINIONS_PER_PAGE);
    check_past_last(page_no, page_total, "ratings and reviews")?;
    let profile_href = format!("/people/{}", user.username);
    let items = list
        .into_iter()
        .map(|o| OpinionItem {
            card: Card::from(&o.work, None),
            authors: few_authors(&o.work.authors),
            stars: reader_stars(o.halves),
            headline: o.headline,
            body_html: o.body_html,
            spoiler: o.spoiler,
            when: day(o.at),
        })
        .collect();
    let base = format!("{profile_href}/reviews");
    page(&ReviewsPage {
        layout: Layout::for_user(v.as_ref()),
        display_name: user.display_name.clone(),
        profile: profile_href,
        total,
        items,
        pages: pager(page_total, page_no, |n| {
            if n == 1 {
                base.clone()
            } else {
                format!("{base}?page={n}")
            }
        }),
    })
}

/// "3 books".
pub fn books(n: i64) -> String {
    plural(n, "book", "books")
}

/// The first two authors, "and others" for the rest: a list line stays one
/// line for a book with a dozen translators and editors.
fn few_authors(all: &[String]) -> String {
    match all.len() {
        0..=2 => all.join(", "),
        _ => format!("{}, {} and others", all[0], all[1]),
    }
}
