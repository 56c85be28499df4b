//! `GET /books/{id}`: the book page, and its htmx partials.

use super::cache::{self, LoadError, Prepared, Shell, Slot};
use crate::AppState;
use crate::auth::{SessionToken, Viewer};
use crate::error::AppError;
use crate::input::Query;
use crate::paths::WorkPath;
use crate::view::{Layout, day, edition_form, language_name, page, plural, stars, stars_label};
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum_htmx::HxRequest;
use quire_domain::{ContributorRole, EditionId, MaterialKind, Source, UserId, WorkId};
use quire_storage::book_page::{self, Edition, ReaderView, ViewerState};
use quire_storage::catalog::Revisions;
use quire_storage::reviews::OwnReview;
use quire_storage::users::User;
use serde::Deserialize;
use std::sync::Arc;
use uuid::Uuid;

#[derive(Deserialize, Default)]
pub struct PageQuery {
    /// Read as text so a bad number gets a message that names `page`.
    pub page: Option<String>,
    pub edition: Option<String>,
    /// What a form just did (see [`done_message`]).
    pub done: Option<String>,
}

fn no_such_book(work: WorkId) -> AppError {
    AppError::NotFound(format!(
        "There is no book with the id \"{work}\" in Quire. It may have been removed; search for it by title, author or ISBN."
    ))
}

fn load_error(work: WorkId, e: LoadError) -> AppError {
    match e {
        LoadError::Missing => no_such_book(work),
        LoadError::Storage(e) => match Arc::try_unwrap(e) {
            Ok(e) => e.into(),
            Err(shared) => quire_storage::StorageError::Corrupt(shared.to_string()).into(),
        },
    }
}

impl PageQuery {
    /// The review page asked for: a whole number from 1 (1 when absent).
    pub fn review_page(&self) -> Result<u64, AppError> {
        let Some(raw) = self.page.as_deref().map(str::trim) else {
            return Ok(1);
        };
        if raw.is_empty() {
            return Ok(1);
        }
        match raw.parse::<u64>() {
            Ok(0) => Err(AppError::bad(
                "page",
                "Review pages are numbered from 1; there is no page 0.",
            )),
            Ok(n) => Ok(n),
            Err(_) if raw.bytes().all(|b| b.is_ascii_digit()) => Err(AppError::bad(
                "page",
                format!("Page {raw} is far past the last page of reviews; go back to page 1."),
            )),
            Err(_) => Err(AppError::bad(
                "page",
                format!("\"{raw}\" is not a page number: review pages are whole numbers from 1."),
            )),
        }
    }
}

/// A review page past the last is an error that says so and links to the
/// last, rather than an empty list beside a count of reviews.
fn past_last(p: &Prepared, wanted: u64) -> Result<(), AppError> {
    let pages = p.page.review_pages();
    if wanted <= u64::from(pages) {
        return Ok(());
    }
    let last = if pages <= 1 {
        format!("{}#reviews", book_path(p))
    } else {
        format!("{}?page={pages}#reviews", book_path(p))
    };
    Err(AppError::PastLastPage {
        page: wanted,
        pages,
        last,
    })
}

/// Load the prepared page or say plainly that the book does not exist.
pub async fn prepared(
    st: &AppState,
    work: WorkId,
    review_page: u32,
) -> Result<Arc<Prepared>, AppError> {
    cache::load(
        &st.db,
        &st.pages,
        st.config.page_cache,
        work,
        review_page,
        st.config.reviews_per_page,
    )
    .await
    .map_err(|e| load_error(work, e))
}

/// The prepared page at revisions the caller has just read (with the
/// reader's own state): no query of its own when the page is kept.
async fn prepared_at(
    st: &AppState,
    work: WorkId,
    revisions: Revisions,
    review_page: u32,
) -> Result<Arc<Prepared>, AppError> {
    if !st.config.page_cache {
        return prepared(st, work, review_page).await;
    }
    cache::load_at(
        &st.db,
        &st.pages,
        work,
        revisions,
        review_page,
        st.config.reviews_per_page,
    )
    .await
    .map_err(|e| load_error(work, e))
}

/// The signed-in reader's state and the page it goes on, in one query for
/// the reader (plus the page's parts when they changed).
pub async fn reader_page(
    st: &AppState,
    user: UserId,
    work: WorkId,
    review_page: u32,
) -> Result<(Arc<Prepared>, ViewerData), AppError> {
    let view = book_page::reader_view(&st.db, user, work)
        .await?
        .ok_or_else(|| no_such_book(work))?;
    let p = prepared_at(st, work, view.revisions, review_page).await?;
    Ok((p, ViewerData::from(view)))
}

/// One review as the page shows it.
pub struct ReviewView {
    pub id: String,
    pub name: String,
    pub username: String,
    pub date: String,
    pub edited: Option<String>,
    pub stars: Option<(String, String)>,
    pub headline: Option<String>,
    pub body_html: String,
    pub spoiler: bool,
    pub recommends: Option<bool>,
}

/// One value of the star widget: a half star, as a radio button.
pub struct StarChoice {
    /// What the form sends: "0.5" … "5".
    pub value: &'static str,
    pub halves: u8,
    /// Its accessible name: "3.5 stars".
    pub label: &'static str,
    /// "left" or "right": which half of a star it is drawn as.
    pub side: &'static str,
    pub checked: bool,
}

/// A custom shelf in the shelf menu.
pub struct ShelfChoice {
    pub name: String,
    pub slug: String,
    /// The book is on it.
    pub on: bool,
}

/// The reader's own box: their rating, where the book is on their shelves
/// and the menu to change it. Filled for each request (a hole in the page
/// drawn once), and what htmx swaps after a shelf action.
pub struct Activity {
    pub work_id: String,
    pub path: String,
    pub signed_in: bool,
    pub my_rating: Option<u8>,
    pub my_rating_label: Option<String>,
    pub star_choices: Vec<StarChoice>,
    /// What the primary control says when the book is somewhere:
    /// "Reading · 42%", "Want to read", "Read in May 2024", "On: Summer".
    pub state: Option<String>,
    pub in_queue: Option<i64>,
    pub reading: bool,
    pub progress_unit: String,
    pub progress_value: String,
    pub pages: Option<u32>,
    pub edition_id: String,
    pub times_read: i64,
    /// Today and the open reading's start, as a date field wants them.
    pub today: String,
    pub started_on: String,
    pub shelves: Vec<ShelfChoice>,
    /// On any shelf at all (so "Remove from my shelves" means something).
    pub on_anything: bool,
    /// Put focus on the primary control after an htmx swap.
    pub autofocus: bool,
}

/// The shared counts and the rating summary: drawn once per revision, and
/// sent again out of band after a change.
pub struct Readers {
    pub path: String,
    pub reading_now: String,
    pub have_read: String,
    pub clubs_now: String,
    /// "3 clubs have read this", when any has.
    pub clubs_read: Option<String>,
    /// The page naming the clubs the reader may know of.
    pub clubs_href: String,
    pub recommend: Option<String>,
    pub average: Option<String>,
    /// The average as the star figure draws it, in half stars (0–10).
    pub figure: Vec<&'static str>,
    /// "Rated 4.1 out of 5".
    pub figure_label: String,
    pub rating_count: String,
    pub review_count: String,
    /// (label, count, percent of all ratings) from 5 stars down to 1.
    pub histogram: Vec<(String, i64, i64)>,
}

pub struct ViewerData {
    pub state: ViewerState,
    pub own_review: Option<OwnReview>,
    pub shelves: Vec<(String, String)>,
    pub on_shelves: Vec<String>,
}

impl From<ReaderView> for ViewerData {
    fn from(v: ReaderView) -> Self {
        Self {
            state: v.state,
            own_review: v.own_review,
            shelves: v.shelves,
            on_shelves: v.on_shelves,
        }
    }
}

/// Five stars as classes ("full", "half", "empty") for a rating in stars.
pub fn star_figure(stars: f64) -> Vec<&'static str> {
    let halves = (stars * 2.0).round().clamp(0.0, 10.0) as u8;
    (1..=5u8)
        .map(|i| {
            if halves >= i * 2 {
                "full"
            } else if halves + 1 == i * 2 {
                "half"
            } else {
                "empty"
            }
        })
        .collect()
}

pub fn readers(p: &Prepared) -> Readers {
    let s = &p.page.stats;
    let total = s.rating_count();
    let by_star = s.by_star();
    let histogram = (1..=5)
        .rev()
        .map(|star: usize| {
            let n = by_star[star - 1];
            let pct = if total > 0 {
                (n * 100 + total / 2) / total
            } else {
                0
            };
            (plural(star as i64, "star", "stars"), n, pct)
        })
        .collect();
    let avg = s.rating_average();
    Readers {
        path: book_path(p),
        reading_now: format!(
            "{} reading this now",
            plural(s.reading_now, "member", "members")
        ),
        have_read: format!(
            "{} read this book",
            if s.have_read == 1 {
                "1 member has".to_string()
            } else {
                format!("{} members have", s.have_read)
            }
        ),
        clubs_now: format!(
            "{} reading this now",
            plural(s.clubs_reading_now, "club", "clubs")
        ),
        clubs_read: (s.clubs_have_read > 0).then(|| {
            if s.clubs_have_read == 1 {
                "1 club has read this".to_string()
            } else {
                format!("{} clubs have read this", s.clubs_have_read)
            }
        }),
        clubs_href: format!("/books/{}/clubs", p.page.work.id),
        recommend: (s.recommend_answered > 0).then(|| {
            format!(
                "Recommended to book clubs by {} of {} {}",
                s.recommend_yes,
                s.recommend_answered,
                if s.recommend_answered == 1 {
                    "member"
                } else {
                    "members"
                }
            )
        }),
        average: avg.map(|a| format!("{a:.2}")),
        figure: star_figure(avg.unwrap_or(0.0)),
        figure_label: avg
            .map(|a| {
                format!(
                    "Rated {} out of 5",
                    format!("{a:.1}").trim_end_matches(".0")
                )
            })
            .unwrap_or_else(|| "Not rated yet".into()),
        rating_count: plural(total, "rating", "ratings"),
        review_count: plural(s.review_count, "review", "reviews"),
        histogram,
    }
}

/// "May 2024".
fn month_year(d: time::Date) -> String {
    format!("{} {}", d.month(), d.year())
}

/// What the primary control says: the book's place on the reader's
/// shelves, most current first (reading, then the queue, then read, not
/// finished, custom shelves); `None` when it is on none.
fn shelf_state(v: &ViewerData, pages: Option<u32>, shelves: &[ShelfChoice]) -> Option<String> {
    use quire_domain::ReadingStatus as S;
    let st = &v.state;
    if st.status == Some(S::Reading) {
        return Some(match st.progress {
            Some(pr) => match pr.percent(pages) {
                Some(pc) => format!("Reading · {pc}%"),
                None => format!("Reading · {pr}"),
            },
            None => "Reading".into(),
        });
    }
    if st.queue_position.is_some() {
        return Some("Want to read".into());
    }
    match st.status {
        Some(S::Read) => {
            let mut s = match st.finished_on {
                Some(d) => format!("Read in {}", month_year(d)),
                None => "Read".into(),
            };
            match st.times_read {
                2 => s.push_str(" · twice"),
                n if n > 2 => s.push_str(&format!(" · {n} times")),
                _ => {}
            }
            return Some(s);
        }
        Some(S::DidNotFinish) => return Some("Did not finish".into()),
        _ => {}
    }
    let on: Vec<&str> = shelves
        .iter()
        .filter(|s| s.on)
        .map(|s| s.name.as_str())
        .collect();
    match on.as_slice() {
        [] => None,
        [one] => Some(format!("On: {one}")),
        [first, rest @ ..] => Some(format!("On: {first} and {} more", rest.len())),
    }
}

/// The star widget's values, half a star apart, as the form sends them
/// and as a screen reader names them (the same words as `stars_label`;
/// a unit test holds them to it).
const STAR_CHOICES: [(&str, &str); 10] = [
    ("0.5", "0.5 stars"),
    ("1", "1 star"),
    ("1.5", "1.5 stars"),
    ("2", "2 stars"),
    ("2.5", "2.5 stars"),
    ("3", "3 stars"),
    ("3.5", "3.5 stars"),
    ("4", "4 stars"),
    ("4.5", "4.5 stars"),
    ("5", "5 stars"),
];

pub fn activity(p: &Prepared, edition: Option<&Edition>, viewer: Option<&ViewerData>) -> Activity {
    let st = viewer.map(|v| &v.state);
    let rating = st.and_then(|v| v.rating);
    let pages = edition.and_then(|e| e.pages);
    let shelves: Vec<ShelfChoice> = viewer
        .map(|v| {
            v.shelves
                .iter()
                .map(|(name, slug)| ShelfChoice {
                    name: name.clone(),
                    slug: slug.clone(),
                    on: v.on_shelves.contains(slug),
                })
                .collect()
        })
        .unwrap_or_default();
    let state = viewer.and_then(|v| shelf_state(v, pages, &shelves));
    let today = quire_storage::now().date();
    Activity {
        work_id: p.page.work.id.to_string(),
        path: book_path(p),
        signed_in: viewer.is_some(),
        my_rating: rating.map(|r| r.halves()),
        my_rating_label: rating.map(stars_label),
        star_choices: STAR_CHOICES
            .iter()
            .zip(1..=10u8)
            .map(|(&(value, label), halves)| StarChoice {
                value,
                halves,
                label,
                side: if halves % 2 == 1 { "left" } else { "right" },
                checked: rating.is_some_and(|r| r.halves() == halves),
            })
            .collect(),
        on_anything: state.is_some(),
        state,
        in_queue: st.and_then(|v| v.queue_position),
        reading: st.and_then(|v| v.status) == Some(quire_domain::ReadingStatus::Reading),
        progress_unit: st
            .and_then(|v| v.progress)
            .map(|p| p.unit().to_string())
            .unwrap_or_else(|| "page".into()),
        progress_value: st
            .and_then(|v| v.progress)
            .map(|p| p.value().to_string())
            .unwrap_or_default(),
        // The dateless "read" that rating an unshelved book leaves is not a
        // reading the menu offers to repeat.
        times_read: st
            .map(|v| {
                let rated_only = v.status == Some(quire_domain::ReadingStatus::Read)
                    && v.times_read == 1
                    && v.started_on.is_none()
                    && v.finished_on.is_none();
                if rated_only { 0 } else { v.times_read }
            })
            .unwrap_or(0),
        pages,
        edition_id: edition.map(|e| e.id.to_string()).unwrap_or_default(),
        today: today.to_string(),
        started_on: st
            .filter(|v| v.status == Some(quire_domain::ReadingStatus::Reading))
            .and_then(|v| v.started_on)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        shelves,
        autofocus: false,
    }
}

pub fn book_path(p: &Prepared) -> String {
    format!("/books/{}/{}", p.page.work.id, p.page.work.slug)
}

pub fn review_views(p: &Prepared) -> Vec<ReviewView> {
    p.page
        .reviews
        .iter()
        .map(|r| ReviewView {
            id: r.id.to_string(),
            name: r.reviewer_name.clone(),
            username: r.reviewer_username.clone(),
            date: day(r.created_at),
            edited: (r.updated_at.date() != r.created_at.date()).then(|| day(r.updated_at)),
            stars: r.rating.map(|x| (stars(x), stars_label(x))),
            headline: r.headline.clone(),
            body_html: r.body_html.clone(),
            spoiler: r.spoiler,
            recommends: r.recommends,
        })
        .collect()
}

/// Page links for the reviews: (number, is_current).
pub fn review_pager(p: &Prepared) -> Vec<(u32, bool)> {
    let pages = p.page.review_pages();
    if pages <= 1 {
        return Vec::new();
    }
    (1..=pages).map(|n| (n, n == p.page.review_page)).collect()
}

pub struct Section {
    pub anchor: &'static str,
    pub label: &'static str,
}

/// A section of book-club material: its pieces as HTML, each with the line
/// that says where it comes from.
pub struct MaterialSection {
    pub anchor: &'static str,
    pub label: &'static str,
    pub items: Vec<(String, String)>,
}

/// Where a piece of material comes from, as the page says it: "From the
/// author (verified)", "From a member, Ann — The Guardian".
fn source_line(m: &quire_storage::book_page::Material) -> String {
    let mut line = m.source.label().to_string();
    if m.source == Source::Member
        && let Some(name) = &m.posted_by
    {
        line = format!("{line}, {name}");
    }
    if m.verified {
        line.push_str(" ✓ verified");
    }
    match &m.attribution {
        Some(a) => format!("{line} — {a}"),
        None => line,
    }
}

#[derive(Template)]
#[template(path = "books/page.html")]
pub struct BookTemplate<'a> {
    layout: Layout,
    p: &'a Prepared,
    title: String,
    /// (name, address of their page).
    authors: Vec<(String, String)>,
    /// (name, role, address of their page).
    edition_credits: Vec<(String, String, String)>,
    /// ("Discworld, book 4", address of the series' page).
    series: Option<(String, String)>,
    /// (name, address of the subject's page).
    subjects: Vec<(String, String)>,
    published: Option<String>,
    first_published: Option<String>,
    edition: Option<&'a Edition>,
    other_editions: Vec<&'a Edition>,
    jump: Vec<Section>,
    missing: Vec<&'static str>,
    blurbs: Vec<(String, Option<String>, String)>,
    sections: Vec<MaterialSection>,
    questions: Vec<(String, String, String, i64)>,
    reviews: Vec<ReviewView>,
    review_count: String,
    pager: Vec<(u32, bool)>,
    work_id: String,
    activity_path: String,
    edition_form: Option<String>,
    language: Option<String>,
    /// Every edition: (id, one-line description, is the one shown).
    edition_rows: Vec<(String, String, bool)>,
    /// "Locked against edits by … since …", when it is.
    lock_note: Option<String>,
    readers: Readers,
    /// The shared parts are drawn in place, not as out-of-band swaps.
    oob: bool,
}

/// Every edition: (id, one-line description, is the one shown).
fn edition_rows(p: &Prepared, edition: Option<&Edition>) -> Vec<(String, String, bool)> {
    p.page
        .editions
        .iter()
        .map(|e| {
            let mut parts = vec![edition_form(e).unwrap_or_else(|| "Edition".into())];
            parts.extend(e.publisher.clone());
            parts.extend(e.published.map(|d| d.to_string()));
            parts.extend(e.isbn13.as_ref().map(|i| format!("ISBN {i}")));
            (
                e.id.to_string(),
                parts.join(" · "),
                Some(e.id) == edition.map(|x| x.id),
            )
        })
        .collect()
}

/// The parts of the page that depend on what the reader may do: the cover
/// form, the material form, adding an edition, the librarians' tools. Each
/// fills its own hole in the shared page.
#[derive(Template)]
#[template(path = "books/_reader_tools.html")]
struct ToolsPartial<'a> {
    part: Slot,
    work_id: &'a str,
    signed_in: bool,
    cover_form: Option<CoverForm>,
    material_kinds: Vec<(&'static str, &'static str)>,
    may_post_as_quire: bool,
    librarian: bool,
    edition_rows: Vec<(String, String, bool)>,
}

/// "Add a cover" for members when the edition has none; "Replace cover"
/// for librarians when it has one.
pub struct CoverForm {
    action: String,
    label: &'static str,
    button: &'static str,
    /// Why the last upload was refused, shown beside the file field.
    error: Option<String>,
}

impl CoverForm {
    fn for_viewer(
        user: Option<&quire_storage::users::User>,
        edition: Option<&Edition>,
    ) -> Option<Self> {
        use crate::permissions::{Permission, require};
        let (user, e) = (user?, edition?);
        let (permission, label, button) = if e.has_cover {
            (
                Permission::ReplaceCover,
                "Replace cover",
                "Upload the new cover",
            )
        } else {
            (Permission::AddCover, "Add a cover", "Upload cover")
        };
        require(user, permission).ok()?;
        Some(Self {
            action: format!("/editions/{}/cover", e.id),
            label,
            button,
            error: None,
        })
    }
}

impl<'a> BookTemplate<'a> {
    /// The page with holes ([`Slot`]) where each reader's own parts go.
    fn new(p: &'a Prepared, wanted: Option<EditionId>) -> Self {
        let layout = Layout {
            slotted: true,
            ..Layout::default()
        };
        let page = &p.page;
        let edition = page.edition(wanted);
        let authors = page
            .authors()
            .map(|c| (c.name.clone(), crate::paths::author(c.contributor, &c.name)))
            .collect();
        let edition_credits = page
            .credits
            .iter()
            .filter(|c| c.role != ContributorRole::Author || c.edition.is_some())
            .filter(|c| c.edition.is_none() || c.edition == edition.map(|e| e.id))
            .map(|c| {
                (
                    c.name.clone(),
                    c.role.label().to_string(),
                    crate::paths::author(c.contributor, &c.name),
                )
            })
            .collect();
        let mut jump = Vec::new();
        let mut missing = Vec::new();
        let mut sections = Vec::new();
        let blurbs: Vec<_> = page
            .materials_of(MaterialKind::Blurb)
            .map(|m| {
                (
                    p.material_html.get(&m.id).cloned().unwrap_or_default(),
                    m.attribution.clone(),
                    source_line(&quire_storage::book_page::Material {
                        attribution: None,
                        ..m.clone()
                    }),
                )
            })
            .collect();
        if !blurbs.is_empty() {
            jump.push(Section {
                anchor: "praise",
                label: "Praise",
            });
        }
        for (kind, anchor, label) in [
            (MaterialKind::Description, "description", "Description"),
            (
                MaterialKind::EditorialReview,
                "editorial-review",
                "Editorial review",
            ),
            (MaterialKind::Excerpt, "excerpt", "Excerpt"),
        ] {
            let items: Vec<_> = page
                .materials_of(kind)
                .map(|m| {
                    (
                        p.material_html.get(&m.id).cloned().unwrap_or_default(),
                        source_line(m),
                    )
                })
                .collect();
            if items.is_empty() {
                missing.push(label);
            } else {
                jump.push(Section { anchor, label });
                sections.push(MaterialSection {
                    anchor,
                    label,
                    items,
                });
            }
        }
        jump.push(Section {
            anchor: "questions",
            label: "Discussion questions",
        });
        let notes: Vec<_> = page
            .materials_of(MaterialKind::AuthorNote)
            .map(|m| {
                (
                    p.material_html.get(&m.id).cloned().unwrap_or_default(),
                    source_line(m),
                )
            })
            .collect();
        if notes.is_empty() {
            missing.push("Notes from the author");
        } else {
            jump.push(Section {
                anchor: "author-notes",
                label: "Notes from the author",
            });
        }
        let awards: Vec<_> = page
            .materials_of(MaterialKind::Award)
            .map(|m| {
                (
                    p.material_html.get(&m.id).cloned().unwrap_or_default(),
                    source_line(m),
                )
            })
            .collect();
        jump.push(Section {
            anchor: "ratings",
            label: "Ratings",
        });
        jump.push(Section {
            anchor: "reviews",
            label: "Member reviews",
        });
        jump.push(Section {
            anchor: "editions",
            label: "Editions",
        });
        let mut sections_after = Vec::new();
        if !notes.is_empty() {
            sections_after.push(MaterialSection {
                anchor: "author-notes",
                label: "Notes from the author to book clubs",
                items: notes,
            });
        }
        if !awards.is_empty() {
            sections_after.push(MaterialSection {
                anchor: "awards",
                label: "Awards",
                items: awards,
            });
        }
        let questions = page
            .questions
            .iter()
            .map(|q| {
                let source = match (&q.source, &q.author) {
                    (Source::Member, Some(name)) => format!("Added by {name}"),
                    (s, _) => s.label().to_string(),
                };
                (q.id.to_string(), q.body.clone(), source, q.votes)
            })
            .collect();
        sections.extend(sections_after);
        Self {
            layout,
            title: page.work.title.clone(),
            authors,
            edition_credits,
            series: page.work.series.as_ref().map(|s| {
                let href = page
                    .work
                    .series_id
                    .map(|id| crate::paths::series(id, s))
                    .unwrap_or_default();
                match &page.work.series_position {
                    Some(n) => (format!("{s}, book {n}"), href),
                    None => (s.clone(), href),
                }
            }),
            subjects: page
                .subjects
                .iter()
                .zip(&page.subject_ids)
                .map(|(name, id)| (name.clone(), crate::paths::subject(*id, name)))
                .collect(),
            published: edition.and_then(|e| e.published).map(|d| d.to_string()),
            first_published: page.work.first_published.map(|d| d.to_string()),
            other_editions: page
                .editions
                .iter()
                .filter(|e| Some(e.id) != edition.map(|x| x.id))
                .collect(),
            edition,
            jump,
            missing,
            blurbs,
            sections,
            questions,
            reviews: review_views(p),
            review_count: plural(page.stats.review_count, "review", "reviews"),
            pager: review_pager(p),
            edition_form: edition.and_then(edition_form),
            language: edition
                .and_then(|e| e.language.as_deref())
                .map(language_name),
            edition_rows: edition_rows(p, edition),
            lock_note: page.work.locked_at.map(|at| {
                format!(
                    "Locked against edits by {} since {}",
                    page.work.locked_by.as_deref().unwrap_or("a librarian"),
                    day(at)
                )
            }),
            work_id: page.work.id.to_string(),
            activity_path: book_path(p),
            readers: readers(p),
            oob: false,
            p,
        }
    }
}

#[derive(Template)]
#[template(path = "books/_reviews.html")]
pub struct ReviewsPartial {
    activity_path: String,
    work_id: String,
    reviews: Vec<ReviewView>,
    review_count: String,
    pager: Vec<(u32, bool)>,
}

#[derive(Template)]
#[template(path = "books/_activity.html")]
pub struct ActivityPartial {
    pub activity: Activity,
    /// Its rating line and shelf control swapped out of band (after a
    /// rating) rather than drawn in place.
    pub oob_box: bool,
}

/// What htmx gets after a change on the book page: the reader's box (or,
/// after a rating, only the parts a rating changes, so the star the reader
/// is on stays focused), the shared counts out of band, and a line for
/// `#flash`.
#[derive(Template)]
#[template(path = "books/_after.html")]
pub struct AfterPartial {
    pub activity: Activity,
    pub readers: Readers,
    pub flash: String,
    pub rating_only: bool,
    /// The shared parts are sent out of band: always, here.
    pub oob: bool,
    /// So are the rating line and the shelf control, after a rating.
    pub oob_box: bool,
}

/// A confirmation on the page after a form a browser posted: `?done=CODE`
/// names one of these fixed lines, never text from the request.
pub fn done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "rated" => "Your rating is saved.",
        "unrated" => "Your rating is cleared.",
        "queued" => "Added to Want to read.",
        "unqueued" => "Taken off Want to read.",
        "moved" => "Your queue's order is saved.",
        "reading" => "Marked as currently reading.",
        "progress" => "Your progress is saved.",
        "read" => "Marked as read.",
        "dnf" => "Marked as did not finish.",
        "shelved" => "Added to your shelf.",
        "unshelved" => "Taken off your shelf.",
        "removed" => "Removed from your shelves. Your rating and review are kept.",
        "review" => "Your review is saved.",
        "review-deleted" => "Your review is deleted.",
        "question" => "Your question is added.",
        "voted" => "Your vote is saved.",
        _ => return None,
    })
}

#[derive(Template)]
#[template(path = "books/_flash.html")]
struct FlashPartial {
    message: &'static str,
}

/// The reader's own review's "Edit" in its place in the list.
#[derive(Template)]
#[template(path = "books/_review_tools.html")]
struct ReviewToolsPartial<'a> {
    work_id: &'a str,
    own_review: Option<&'a OwnReview>,
    own_recommends: Option<bool>,
}

#[derive(Template)]
#[template(path = "_nav.html")]
struct NavPartial {
    layout: Layout,
}

/// The vote button as a template: the reference `write_vote` is held to.
#[cfg(test)]
#[derive(Template)]
#[template(path = "books/_vote.html")]
struct VotePartial {
    qid: Uuid,
    signed_in: bool,
    voted: bool,
}

#[derive(Template)]
#[template(path = "books/_ask.html")]
struct AskPartial<'a> {
    signed_in: bool,
    work_id: &'a str,
    path: &'a str,
}

#[derive(Template)]
#[template(path = "books/_your_review.html")]
struct YourReviewPartial<'a> {
    signed_in: bool,
    work_id: &'a str,
    path: &'a str,
    own_review: Option<&'a OwnReview>,
    own_recommends: Option<bool>,
    /// The review is in the list on this page (with its own "Edit"), so
    /// it is not shown again here.
    in_list: bool,
    /// Otherwise it is shown here once: its text as HTML and its date.
    own_html: String,
    own_date: String,
}

/// Draw the page's shared parts once, with holes for each reader's own.
fn draw_shell(p: &Prepared, wanted: Option<EditionId>) -> Result<Shell, AppError> {
    let Html(html) = page(&BookTemplate::new(p, wanted))?;
    Ok(Shell::cut(&html))
}

/// Fill a drawn page's holes for one reader (or for a signed-out one).
fn fill(
    shell: &Shell,
    p: &Prepared,
    wanted: Option<EditionId>,
    user: Option<&User>,
    viewer: Option<&ViewerData>,
    done: Option<&'static str>,
) -> Result<String, AppError> {
    fill_with(shell, p, wanted, user, viewer, done, None)
}

/// The book page for `user` showing `edition`, with the cover form open
/// and `error` beside its file field: a refused upload from the page's
/// form answers with this rather than an error page.
pub async fn with_cover_error(
    st: &AppState,
    user: &User,
    work: WorkId,
    edition: EditionId,
    error: String,
) -> Result<String, AppError> {
    let (p, viewer) = reader_page(st, user.user_id(), work, 1).await?;
    let shell = draw_shell(&p, Some(edition))?;
    fill_with(
        &shell,
        &p,
        Some(edition),
        Some(user),
        Some(&viewer),
        None,
        Some(error),
    )
}

fn fill_with(
    shell: &Shell,
    p: &Prepared,
    wanted: Option<EditionId>,
    user: Option<&User>,
    viewer: Option<&ViewerData>,
    done: Option<&'static str>,
    cover_error: Option<String>,
) -> Result<String, AppError> {
    let ctx = SlotContext {
        p,
        edition: p.page.edition(wanted),
        work_id: p.page.work.id.to_string(),
        path: book_path(p),
        user,
        viewer,
        done,
        cover_error: cover_error.as_deref(),
    };
    shell.fill_into(|slot, out| fill_slot(slot, &ctx, out))
}

/// The holes whose content depends only on the reader's site role (and
/// on being signed in): filled once per role in [`Prepared::member_shells`].
fn by_role(slot: Slot) -> bool {
    matches!(
        slot,
        Slot::Ask | Slot::CoverForm | Slot::PostMaterial | Slot::AddEdition | Slot::Librarian
    )
}

/// The shell of the default edition with the role's holes filled, drawn
/// once per role and revisions.
fn member_shell<'a>(
    p: &'a Prepared,
    shell: &Shell,
    user: &User,
    viewer: &ViewerData,
) -> Result<&'a Shell, AppError> {
    let kept = &p.member_shells[user.role as usize];
    if let Some(s) = kept.get() {
        return Ok(s);
    }
    let ctx = SlotContext {
        p,
        edition: p.page.edition(None),
        work_id: p.page.work.id.to_string(),
        path: book_path(p),
        user: Some(user),
        viewer: Some(viewer),
        done: None,
        cover_error: None,
    };
    let drawn = shell.prefill(|slot| {
        if by_role(slot) {
            let mut out = String::new();
            fill_slot(slot, &ctx, &mut out).map(|()| Some(out))
        } else {
            Ok(None)
        }
    })?;
    Ok(kept.get_or_init(|| drawn))
}

/// What the holes of one drawing are filled from.
struct SlotContext<'a> {
    p: &'a Prepared,
    edition: Option<&'a Edition>,
    work_id: String,
    path: String,
    user: Option<&'a User>,
    viewer: Option<&'a ViewerData>,
    /// The confirmation after a plain form post (`?done=`).
    done: Option<&'static str>,
    /// Why a cover upload from the page was refused.
    cover_error: Option<&'a str>,
}

/// Draw a part into the page being built; a failure is a bug.
fn draw_into<T: Template>(t: &T, out: &mut String) -> Result<(), AppError> {
    t.render_into(out)
        .map_err(|e| AppError::internal("The page could not be drawn. This is a bug in Quire.", e))
}

/// A question's vote button for a signed-in reader, written straight into
/// the page: the same markup as `books/_vote.html` would draw (a unit test
/// holds them together), without a template run for each question.
fn write_vote(out: &mut String, qid: Uuid, voted: bool) {
    let mut id = Uuid::encode_buffer();
    out.push_str("      \n      <form action=\"/questions/");
    out.push_str(qid.hyphenated().encode_lower(&mut id));
    out.push_str(
        "/vote\" method=\"post\" class=\"inline\">\n        <input type=\"hidden\" name=\"up\" value=\"",
    );
    out.push_str(if voted { "false" } else { "true" });
    out.push_str("\">\n        <button type=\"submit\" class=\"small secondary\">");
    out.push_str(if voted {
        "Take back my vote"
    } else {
        "Vote up"
    });
    out.push_str("</button>\n      </form>\n      ");
}

/// Write what one hole holds for this reader into `out`.
fn fill_slot(slot: Slot, ctx: &SlotContext, out: &mut String) -> Result<(), AppError> {
    let SlotContext {
        p,
        edition,
        user,
        viewer,
        done,
        cover_error,
        ..
    } = *ctx;
    let (work_id, path) = (ctx.work_id.as_str(), ctx.path.as_str());
    let signed_in = viewer.is_some();
    match slot {
        Slot::Nav => draw_into(
            &NavPartial {
                layout: Layout::for_user(user),
            },
            out,
        ),
        Slot::Activity => draw_into(
            &ActivityPartial {
                activity: activity(p, edition, viewer),
                oob_box: false,
            },
            out,
        ),
        Slot::Flash => match done {
            Some(message) => draw_into(&FlashPartial { message }, out),
            None => Ok(()),
        },
        Slot::ReviewTools(id) => {
            let own_review = viewer
                .and_then(|v| v.own_review.as_ref())
                .filter(|r| r.id == id);
            match own_review {
                Some(r) => draw_into(
                    &ReviewToolsPartial {
                        work_id,
                        own_review: Some(r),
                        own_recommends: r.recommends,
                    },
                    out,
                ),
                None => Ok(()),
            }
        }
        Slot::Vote(qid) => {
            if let Some(v) = viewer {
                write_vote(out, qid, v.state.voted_questions.contains(&qid));
            }
            Ok(())
        }
        Slot::Ask => draw_into(
            &AskPartial {
                signed_in,
                work_id,
                path,
            },
            out,
        ),
        Slot::CoverForm | Slot::PostMaterial | Slot::AddEdition | Slot::Librarian => {
            let librarian = user.is_some_and(|u| u.role >= quire_domain::SiteRole::Librarian);
            draw_into(
                &ToolsPartial {
                    part: slot,
                    work_id,
                    signed_in,
                    cover_form: CoverForm::for_viewer(user, edition).map(|f| CoverForm {
                        error: cover_error.map(str::to_owned),
                        ..f
                    }),
                    material_kinds: MaterialKind::ALL
                        .iter()
                        .map(|k| (k.as_str(), k.label()))
                        .collect(),
                    may_post_as_quire: librarian,
                    librarian,
                    edition_rows: edition_rows(p, edition),
                },
                out,
            )
        }
        Slot::YourReview => {
            let own_review = viewer.and_then(|v| v.own_review.as_ref());
            let in_list = own_review.is_some_and(|o| p.page.reviews.iter().any(|r| r.id == o.id));
            draw_into(
                &YourReviewPartial {
                    signed_in,
                    work_id,
                    path,
                    own_review,
                    own_recommends: own_review.and_then(|r| r.recommends),
                    in_list,
                    own_html: match own_review {
                        Some(r) if !in_list => quire_markup::render(&r.body),
                        _ => String::new(),
                    },
                    own_date: own_review.map(|r| day(r.created_at)).unwrap_or_default(),
                },
                out,
            )
        }
    }
}

fn html_response(body: impl Into<axum::body::Body>) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body.into(),
    )
        .into_response()
}

pub async fn book_page(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    Query(q): Query<PageQuery>,
    SessionToken(session): SessionToken,
) -> Result<Response, AppError> {
    let asked = q.review_page()?;
    let review_page = u32::try_from(asked).unwrap_or(u32::MAX);
    let wanted = q.edition.as_deref().and_then(EditionId::parse);
    let done = q.done.as_deref().and_then(done_message);
    // With a session cookie, one statement reads the account, the reader's
    // own state and the page's revisions; without one, the revisions alone.
    let (p, user, viewer) = match session {
        Some(hash) => {
            let (user, view) = book_page::session_view(&st.db, &hash, work)
                .await?
                .ok_or_else(|| no_such_book(work))?;
            let p = prepared_at(&st, work, view.revisions, review_page).await?;
            match user {
                Some(u) => (p, Some(u), Some(ViewerData::from(view))),
                // An unknown or expired session: the signed-out page.
                None => (p, None, None),
            }
        }
        None => (prepared(&st, work, review_page).await?, None, None),
    };
    let v = Viewer(user);
    past_last(&p, asked)?;
    if wanted.is_some() {
        // Another edition than the default: drawn for this request alone.
        let shell = draw_shell(&p, wanted)?;
        return Ok(html_response(fill(
            &shell,
            &p,
            wanted,
            v.0.as_ref(),
            viewer.as_ref(),
            done,
        )?));
    }
    let shell = match p.shell.get() {
        Some(shell) => shell,
        None => {
            let drawn = draw_shell(&p, None)?;
            p.shell.get_or_init(|| drawn)
        }
    };
    if viewer.is_none() {
        // Signed-out readers all see the same page: filled once per revision.
        let html = match p.anonymous_html.get() {
            Some(html) => html.clone(),
            None => {
                let drawn = fill(shell, &p, None, None, None, None)?;
                p.anonymous_html.get_or_init(|| drawn.into()).clone()
            }
        };
        return Ok(html_response(html));
    }
    let (Some(user), Some(viewer)) = (v.0.as_ref(), viewer.as_ref()) else {
        return Ok(html_response(fill(shell, &p, None, None, None, done)?));
    };
    let shell = member_shell(&p, shell, user, viewer)?;
    Ok(html_response(fill(
        shell,
        &p,
        None,
        Some(user),
        Some(viewer),
        done,
    )?))
}

/// The reviews list alone, for htmx paging; a full page otherwise.
pub async fn reviews_partial(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    Query(q): Query<PageQuery>,
    HxRequest(htmx): HxRequest,
    v: Viewer,
) -> Result<Response, AppError> {
    let wanted = q.review_page()?;
    if !htmx {
        let target = format!("/books/{work}?page={wanted}#reviews");
        return Ok(axum::response::Redirect::to(&target).into_response());
    }
    let review_page = u32::try_from(wanted).unwrap_or(u32::MAX);
    let (p, viewer) = match &v.0 {
        Some(u) => {
            let (p, viewer) = reader_page(&st, u.user_id(), work, review_page).await?;
            (p, Some(viewer))
        }
        None => (prepared(&st, work, review_page).await?, None),
    };
    past_last(&p, wanted)?;
    let Html(html) = page(&ReviewsPartial {
        activity_path: book_path(&p),
        work_id: work.to_string(),
        reviews: review_views(&p),
        review_count: plural(p.page.stats.review_count, "review", "reviews"),
        pager: review_pager(&p),
    })?;
    // The reader's own review carries its "Edit" here too.
    let own = viewer.as_ref().and_then(|v| v.own_review.as_ref());
    let work_id = work.to_string();
    let html = Shell::cut(&html).fill(|slot| match (slot, own) {
        (Slot::ReviewTools(id), Some(r)) if r.id == id => page(&ReviewToolsPartial {
            work_id: &work_id,
            own_review: Some(r),
            own_recommends: r.recommends,
        })
        .map(|h| h.0),
        _ => Ok(String::new()),
    })?;
    Ok(html_response(html))
}

#[cfg(test)]
mod fast_parts {
    use super::*;

    #[test]
    fn a_vote_button_is_what_its_template_draws() {
        let qid = Uuid::new_v4();
        for voted in [false, true] {
            let mut out = String::new();
            write_vote(&mut out, qid, voted);
            let drawn = VotePartial {
                qid,
                signed_in: true,
                voted,
            }
            .render()
            .unwrap();
            assert_eq!(out, drawn);
        }
    }

    #[test]
    fn the_star_choices_say_what_stars_label_says() {
        for (h, (value, label)) in (1..=10).zip(STAR_CHOICES) {
            let r = quire_domain::Rating::from_halves(h).unwrap();
            assert_eq!(value, r.to_string());
            assert_eq!(label, stars_label(r));
        }
    }
}
