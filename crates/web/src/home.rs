//! The home page (what members are reading, the best-rated books, a
//! lookup) and search by title, author or ISBN.
//!
//! The home page's lists change with every rating and reading anywhere in
//! the catalog, and reading them costs a scan of the readings: they are
//! drawn once and kept for [`HOME_TTL`] (loaded once however many requests
//! come at the same moment), with a hole for the account links. A change
//! made through this server shows at once (its write handlers call
//! [`HomeCache::changed`]); one made through another server on the same
//! database shows within [`HOME_TTL`].

use crate::AppState;
use crate::auth::Viewer;
use crate::books::cache::{Shell, Slot};
use crate::error::AppError;
use crate::view::{Layout, Stars, page, plural};
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use moka::future::Cache;
use quire_storage::catalog::WorkSummary;
use quire_storage::home;
use std::sync::Arc;
use std::time::Duration;

/// A book in a list, ready to show.
pub struct Card {
    pub href: String,
    pub title: String,
    pub authors: String,
    pub year: Option<String>,
    pub rating: Option<String>,
    pub note: Option<String>,
    pub cover_svg: String,
    /// The stored cover's card-size image, when there is one.
    pub cover_url: Option<String>,
    /// A small read-only star figure for the mean rating, when there is one.
    pub stars: Option<Stars>,
}

impl Card {
    pub fn from(w: &WorkSummary, note: Option<String>) -> Self {
        let authors = w.authors.join(", ");
        Self {
            href: crate::paths::book(w.id, &w.slug),
            cover_svg: crate::cover::generated_svg(w.id, &w.title, &authors, &w.subjects),
            cover_url: w
                .cover
                .map(|e| crate::cover::url(e, quire_domain::CoverSize::Card)),
            title: w.title.clone(),
            authors,
            year: w.first_published.map(|d| d.year_value().to_string()),
            rating: w
                .rating_average
                .map(|a| format!("{a:.1} · {}", plural(w.rating_count, "rating", "ratings"))),
            stars: w.rating_average.map(Stars::of),
            note,
        }
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    reading_now: Vec<Card>,
    best: Vec<Card>,
    reviews: Vec<ReviewCard>,
}

/// A recent review as the home page shows it: the book (its one link),
/// the reviewer's stars, name and date, the headline and a plain excerpt.
pub struct ReviewCard {
    pub href: String,
    pub book: String,
    pub reviewer: String,
    pub when: String,
    pub stars: Option<Stars>,
    pub headline: Option<String>,
    pub excerpt: String,
}

/// How many recent reviews the home page shows, and how long an excerpt is.
const RECENT_REVIEWS: u32 = 6;
const EXCERPT_CHARS: usize = 180;

impl ReviewCard {
    fn from(r: &home::RecentReview) -> Self {
        Self {
            href: format!("{}#reviews", crate::paths::book(r.work, &r.work_slug)),
            book: r.work_title.clone(),
            reviewer: r.reviewer_name.clone(),
            when: crate::view::day(r.created_at),
            stars: r.rating.map(Stars::of_rating),
            headline: r.headline.clone(),
            excerpt: quire_markup::plain_excerpt(&goodreads_links(&r.body_start), EXCERPT_CHARS),
        }
    }
}

/// Goodreads writes links to books and authors in imported reviews as
/// `[b:Title|123|Full title|Author|https://…]` and `[a:Name|45|Name|https://…]`;
/// an excerpt shows just the title or name. One cut off by the excerpt's
/// length is dropped.
fn goodreads_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("[b:").into_iter().chain(rest.find("[a:")).min() {
        out.push_str(&rest[..at]);
        let inner = &rest[at + 3..];
        match inner.find(']') {
            Some(end) => {
                out.push_str(inner[..end].split('|').next().unwrap_or_default());
                rest = &inner[end + 1..];
            }
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// How long a drawn home page is kept.
pub const HOME_TTL: Duration = Duration::from_secs(5);

/// The home page, drawn once for every reader.
pub struct HomeCache {
    drawn: Cache<(), Arc<Shell>>,
}

impl Default for HomeCache {
    fn default() -> Self {
        Self {
            drawn: Cache::builder()
                .max_capacity(1)
                .time_to_live(HOME_TTL)
                .build(),
        }
    }
}

impl HomeCache {
    /// Something the home page lists changed: draw it afresh next time.
    pub fn changed(&self) {
        self.drawn.invalidate_all();
    }
}

#[derive(Template)]
#[template(path = "_nav.html")]
struct NavPartial {
    layout: Layout,
}

async fn draw_home(st: &AppState) -> Result<Arc<Shell>, AppError> {
    let reading = home::reading_now(&st.db, 12).await?;
    let best = home::best_rated(&st.db, 3, 12).await?;
    let reviews = home::recent_reviews(&st.db, RECENT_REVIEWS).await?;
    let Html(html) = page(&HomePage {
        layout: Layout {
            slotted: true,
            ..Layout::default()
        },
        reading_now: reading
            .iter()
            .map(|(w, n)| {
                Card::from(
                    w,
                    Some(format!("{} reading now", plural(*n, "member", "members"))),
                )
            })
            .collect(),
        best: best.iter().map(|w| Card::from(w, None)).collect(),
        reviews: reviews.iter().map(ReviewCard::from).collect(),
    })?;
    Ok(Arc::new(Shell::cut(&html)))
}

pub async fn home(State(st): State<AppState>, Viewer(v): Viewer) -> Result<Response, AppError> {
    let shell = st
        .home
        .drawn
        .try_get_with((), draw_home(&st))
        .await
        .map_err(|e| match Arc::try_unwrap(e) {
            Ok(e) => e,
            Err(shared) => AppError::internal(
                "The home page could not be drawn; try again in a moment.",
                shared.to_string(),
            ),
        })?;
    let layout = Layout::for_user(v.as_ref());
    let html = shell.fill(|slot| match slot {
        Slot::Nav => page(&NavPartial {
            layout: layout.clone(),
        })
        .map(|h| h.0),
        _ => Ok(String::new()),
    })?;
    Ok(Html(html).into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn goodreads_links_become_their_titles() {
        assert_eq!(
            super::goodreads_links(
                "Before [b:All Clear|7519231|All Clear (All Clear, #2)|Connie Willis|https://x.jpg|9] by [a:Connie Willis|123|Connie Willis|https://y] and [b:cut|1"
            ),
            "Before All Clear by Connie Willis and "
        );
    }
}
