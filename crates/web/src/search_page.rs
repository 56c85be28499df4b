//! The search page (`/search`), its JSON twin (`/api/v1/search`) and
//! completion as you type (`/search/suggest` for the header's datalist,
//! `/api/v1/search/suggest`), over the index of [`crate::search`].
//!
//! An ISBN that a book of the catalog carries goes straight to that book.
//! Facets (subject, decade, language, format) narrow the results by
//! links that keep the query. While the index is still being built after
//! a start, the page answers from the catalog's plain folded matching and
//! says so.

use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::home::Card;
use crate::input::Query;
use crate::view::{Layout, page};
use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use quire_domain::{Isbn13, WorkId};
use quire_search::{Filter, Hit, Kind, Results, Why};
use quire_storage::catalog;
use serde::{Deserialize, Serialize};

/// Hits a page.
pub const PER_PAGE: usize = 20;
/// The last page offered (the index pages up to 1,000 hits).
const LAST_PAGE: usize = 50;
/// Completions offered as you type.
const SUGGESTIONS: usize = 8;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/search", get(search))
        .route("/search/suggest", get(suggest_options))
        .route("/api/v1/search", get(search_api))
        .route("/api/v1/search/suggest", get(suggest_api))
}

#[derive(Deserialize, Default, Clone)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    subject: Option<String>,
    /// A decade's first year: 1990 means 1990–1999.
    decade: Option<i32>,
    language: Option<String>,
    format: Option<String>,
    /// "book", "author" or "club"; all when absent.
    kind: Option<String>,
    page: Option<usize>,
}

impl SearchQuery {
    /// The query's text: control characters dropped, trimmed, at most 200
    /// characters.
    fn text(&self) -> Result<String, AppError> {
        let text: String = self.q.chars().filter(|c| !c.is_control()).collect();
        let text = text.trim().to_string();
        if text.chars().count() > 200 {
            return Err(AppError::bad(
                "q",
                "A search can be at most 200 characters.",
            ));
        }
        Ok(text)
    }

    fn filter(&self) -> Filter {
        let given = |v: &Option<String>| v.as_ref().filter(|s| !s.trim().is_empty()).cloned();
        Filter {
            subject: given(&self.subject),
            year_from: self.decade,
            year_to: self.decade.map(|d| d + 9),
            language: given(&self.language),
            format: given(&self.format),
        }
    }

    fn kinds(&self) -> Result<Vec<Kind>, AppError> {
        Ok(match self.kind.as_deref() {
            None | Some("") => Vec::new(),
            Some("book") => vec![Kind::Book],
            Some("author") => vec![Kind::Author],
            Some("club") => vec![Kind::Club],
            Some(_) => {
                return Err(AppError::bad(
                    "kind",
                    "kind is book, author or club (or absent for all).",
                ));
            }
        })
    }

    fn page(&self) -> usize {
        self.page.unwrap_or(1).clamp(1, LAST_PAGE)
    }

    /// This search's address with one parameter changed (`None` drops it)
    /// and the page reset.
    fn href_with(&self, key: &'static str, value: Option<&str>) -> String {
        let mut pairs: Vec<(&str, String)> = vec![("q", self.q.clone())];
        let keep = |k: &str, v: Option<String>| (k != key).then_some(v).flatten();
        let decade = self.decade.map(|d| d.to_string());
        for (k, v) in [
            ("kind", self.kind.clone()),
            ("subject", self.subject.clone()),
            ("decade", decade),
            ("language", self.language.clone()),
            ("format", self.format.clone()),
        ] {
            if let Some(v) = keep(k, v).filter(|v| !v.is_empty()) {
                pairs.push((k, v));
            }
        }
        if let Some(v) = value {
            pairs.push((key, v.to_string()));
        }
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &pairs {
            out.append_pair(k, v);
        }
        format!("/search?{}", out.finish())
    }
}

/// Where a hit leads.
fn href_of(hit: &Hit) -> String {
    match hit.kind {
        Kind::Book => format!("/books/{}", hit.id),
        Kind::Author => format!("/authors/{}", hit.id),
        Kind::Club => format!(
            "/clubs/{}",
            hit.id
                .strip_prefix(crate::search::CLUB_ID_PREFIX)
                .unwrap_or(&hit.id)
        ),
        Kind::Member => format!(
            "/people/{}",
            hit.id
                .strip_prefix(crate::search::MEMBER_ID_PREFIX)
                .unwrap_or(&hit.id)
        ),
    }
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Book => "book",
        Kind::Author => "author",
        Kind::Member => "member",
        Kind::Club => "club",
    }
}

/// The index's answer, run on a blocking thread (a broad query over a big
/// catalog takes milliseconds of CPU).
async fn run(st: &AppState, q: &SearchQuery, text: &str) -> Result<Results, AppError> {
    let query = quire_search::Query::new(text)
        .kinds(&q.kinds()?)
        .filter(q.filter())
        .limit(PER_PAGE)
        .offset((q.page() - 1) * PER_PAGE);
    let index = st.search.index().clone();
    tokio::task::spawn_blocking(move || index.search(&query))
        .await
        .map_err(|e| AppError::internal("The search could not be run.", e))?
        .map_err(|e| AppError::internal("The search could not be run.", e))
}

/// Whether a query is meant as an ISBN: digits (and X, hyphens, spaces),
/// at least nine digits.
pub fn looks_like_isbn(q: &str) -> bool {
    let q = q.trim();
    q.chars().filter(char::is_ascii_digit).count() >= 9
        && q.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | 'x' | 'X'))
}

/// An ISBN a book of the catalog carries: that book's address.
async fn isbn_hit(st: &AppState, text: &str) -> Result<Option<String>, AppError> {
    if !looks_like_isbn(text) {
        return Ok(None);
    }
    let Ok(isbn) = Isbn13::parse(text) else {
        return Ok(None);
    };
    Ok(catalog::find_by_isbn(&st.db, isbn)
        .await?
        .map(|w| format!("/books/{}/{}", w.id, w.slug)))
}

/// One facet value as a link that toggles it.
pub struct FacetLink {
    pub label: String,
    pub count: u64,
    pub href: String,
    pub on: bool,
}

pub struct FacetGroup {
    pub name: &'static str,
    pub links: Vec<FacetLink>,
}

/// An author or a club among the hits.
pub struct OtherHit {
    pub kind: &'static str,
    pub title: String,
    pub href: String,
    pub note: String,
}

/// A discussion thread of one of the viewer's clubs that matched.
pub struct FoundDiscussion {
    pub title: String,
    pub href: String,
    pub club: String,
    pub book: String,
    /// The words around the match in a post, when the post matched.
    pub snippet: Option<String>,
}

/// Threads searched per query (the first page only).
const DISCUSSIONS_SHOWN: i64 = 10;

/// About `width` characters of `body` around the first place `needle`
/// occurs (case aside), with an ellipsis where it was cut.
fn snippet(body: &str, needle: &str, width: usize) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = flat.chars().collect();
    let lower: Vec<char> = flat.to_lowercase().chars().collect();
    let wanted: Vec<char> = needle.to_lowercase().chars().collect();
    // Lower-casing can change a text's length; fall back to the start then.
    let at = if lower.len() == chars.len() && !wanted.is_empty() {
        lower
            .windows(wanted.len())
            .position(|w| w == wanted.as_slice())
            .unwrap_or(0)
    } else {
        0
    };
    let start = at.saturating_sub(width / 3);
    let end = (start + width).min(chars.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push('…');
    }
    out
}

async fn discussions(
    st: &AppState,
    viewer: &quire_storage::users::User,
    text: &str,
) -> Result<Vec<FoundDiscussion>, AppError> {
    let found =
        quire_storage::clubs::discussion::search(&st.db, viewer.user_id(), text, DISCUSSIONS_SHOWN)
            .await?;
    Ok(found
        .into_iter()
        .map(|f| FoundDiscussion {
            title: f.thread.title.clone().unwrap_or_default(),
            href: format!("/clubs/{}/threads/{}", f.club_slug, f.thread.id),
            club: f.club_name,
            book: f.thread.book,
            snippet: f.matched_post.map(|b| snippet(&b, text, 160)),
        })
        .collect())
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    q: String,
    results: Vec<Card>,
    others: Vec<OtherHit>,
    /// Threads of the viewer's own clubs, within their spoiler gates.
    discussions: Vec<FoundDiscussion>,
    facets: Vec<FacetGroup>,
    /// "12 books match", "About 4,000 books match".
    count_line: String,
    /// A note under the count: a typo corrected, a word left out, the
    /// index still being built.
    notes: Vec<String>,
    error: Option<String>,
    searched: bool,
    clear_href: Option<String>,
    prev_href: Option<String>,
    next_href: Option<String>,
}

fn facet_groups(q: &SearchQuery, r: &Results) -> Vec<FacetGroup> {
    let f = &r.facets;
    let link =
        |key: &'static str, value: String, label: String, count: u64, current: Option<String>| {
            let on = current
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case(&value));
            FacetLink {
                href: q.href_with(key, (!on).then_some(value.as_str())),
                label,
                count,
                on,
            }
        };
    let mut out = Vec::new();
    let subjects: Vec<FacetLink> = f
        .subjects
        .iter()
        .take(12)
        .map(|c| {
            link(
                "subject",
                c.value.clone(),
                sentence_case(&c.value),
                c.count,
                q.subject.clone(),
            )
        })
        .collect();
    let decades: Vec<FacetLink> = f
        .decades
        .iter()
        .rev()
        .take(12)
        .map(|d| {
            link(
                "decade",
                d.decade.to_string(),
                format!("{}s", d.decade),
                d.count,
                q.decade.map(|x| x.to_string()),
            )
        })
        .collect();
    let languages: Vec<FacetLink> = f
        .languages
        .iter()
        .take(8)
        .map(|c| {
            link(
                "language",
                c.value.clone(),
                language_name(&c.value),
                c.count,
                q.language.clone(),
            )
        })
        .collect();
    let formats: Vec<FacetLink> = f
        .formats
        .iter()
        .take(8)
        .map(|c| {
            link(
                "format",
                c.value.clone(),
                sentence_case(&c.value.replace('_', " ")),
                c.count,
                q.format.clone(),
            )
        })
        .collect();
    for (name, links) in [
        ("Subject", subjects),
        ("Published", decades),
        ("Language", languages),
        ("Format", formats),
    ] {
        if !links.is_empty() {
            out.push(FacetGroup { name, links });
        }
    }
    out
}

pub async fn search(
    State(st): State<AppState>,
    Query(q): Query<SearchQuery>,
    Viewer(v): Viewer,
) -> Result<Response, AppError> {
    let layout = Layout::for_user(v.as_ref());
    let text = q.text()?;
    let mut t = SearchPage {
        layout,
        searched: !text.is_empty(),
        q: text.clone(),
        results: Vec::new(),
        others: Vec::new(),
        discussions: Vec::new(),
        facets: Vec::new(),
        count_line: String::new(),
        notes: Vec::new(),
        error: None,
        clear_href: None,
        prev_href: None,
        next_href: None,
    };
    if text.is_empty() {
        return Ok(page(&t)?.into_response());
    }
    if let Some(href) = isbn_hit(&st, &text).await? {
        return Ok(Redirect::to(&href).into_response());
    }
    if looks_like_isbn(&text)
        && let Err(e) = Isbn13::parse(&text)
    {
        t.error = Some(format!(
            "{}. Check the number on the book's back cover or copyright page.",
            crate::books::actions::capitalise(&e.to_string()).trim_end_matches('.')
        ));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&t)?).into_response());
    }
    if let Some(v) = &v
        && q.page() == 1
    {
        t.discussions = discussions(&st, v, &text).await?;
    }
    if !st.search.is_ready() {
        // The index is still being built: the catalog's plain matching.
        t.results = catalog::search(&st.db, &text, 30)
            .await?
            .iter()
            .map(|w| Card::from(w, None))
            .collect();
        t.count_line = books_line(t.results.len(), false);
        t.notes.push("Quire is still building its search index, so only exact spellings match for now. Try again in a minute for typos and more.".into());
        return Ok(page(&t)?.into_response());
    }
    let r = run(&st, &q, &text).await?;
    let books: Vec<WorkId> = r
        .hits
        .iter()
        .filter(|h| h.kind == Kind::Book)
        .filter_map(|h| WorkId::parse(&h.id))
        .collect();
    let summaries = catalog::summaries_of(&st.db, &books).await?;
    t.results = books
        .iter()
        .filter_map(|id| summaries.get(id))
        .map(|w| Card::from(w, None))
        .collect();
    t.others = r
        .hits
        .iter()
        .filter(|h| h.kind != Kind::Book)
        .map(|h| OtherHit {
            kind: match h.kind {
                Kind::Author => "Author",
                Kind::Club => "Book club",
                _ => "Member",
            },
            title: h.title.clone(),
            href: href_of(h),
            note: match h.kind {
                Kind::Club => crate::view::plural(
                    i64::try_from(h.popularity).unwrap_or(0),
                    "member",
                    "members",
                ),
                _ => String::new(),
            },
        })
        .collect();
    t.count_line = if r.total == 0 {
        String::new()
    } else {
        format!(
            "{}{} {} “{}”.",
            if r.estimated { "About " } else { "" },
            crate::view::thousands(i64::try_from(r.total).unwrap_or(i64::MAX)),
            if r.total == 1 {
                "result matches"
            } else {
                "results match"
            },
            text
        )
    };
    if r.hits.iter().take(3).any(|h| h.why.contains(&Why::Typo)) {
        t.notes.push(
            "Words that matched nothing exactly were matched with a letter or two changed.".into(),
        );
    }
    if r.relaxed {
        t.notes.push(
            "No result has every word, so these miss one (and perhaps small words such as “the”)."
                .into(),
        );
    }
    t.facets = facet_groups(&q, &r);
    let filtered = q.filter() != Filter::default() || !q.kinds()?.is_empty();
    t.clear_href = filtered.then(|| {
        let mut out = form_urlencoded::Serializer::new(String::new());
        out.append_pair("q", &text);
        format!("/search?{}", out.finish())
    });
    let page_no = q.page();
    let base = q.href_with("page", None);
    if page_no > 1 {
        t.prev_href = Some(format!("{base}&page={}", page_no - 1));
    }
    if page_no * PER_PAGE < r.total && page_no < LAST_PAGE {
        t.next_href = Some(format!("{base}&page={}", page_no + 1));
    }
    Ok(page(&t)?.into_response())
}

/// A facet value as the index keeps it (lower case) with a capital first
/// letter: "science fiction", "world war ii" read as in a sentence.
fn sentence_case(v: &str) -> String {
    let mut c = v.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A language code of the catalog ("en", "eng", "en-US") as its name.
fn language_name(code: &str) -> String {
    let base = code.split('-').next().unwrap_or(code).to_ascii_lowercase();
    crate::view::language_name(&base)
}

fn books_line(n: usize, estimated: bool) -> String {
    match n {
        0 => String::new(),
        1 => "1 book matches.".into(),
        n => format!("{}{n} books match.", if estimated { "About " } else { "" }),
    }
}

#[derive(Serialize)]
pub struct HitJson {
    pub kind: &'static str,
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    pub href: String,
    /// How the words matched: title, author, isbn, typo, prefix, …
    pub matched: Vec<String>,
}

#[derive(Serialize)]
pub struct CountJson {
    pub value: String,
    pub count: u64,
}

#[derive(Serialize)]
pub struct SearchJson {
    /// "ready", or "building" while the index is made after a start (the
    /// hits then come from plain matching of titles and authors).
    pub index: &'static str,
    pub total: usize,
    pub estimated: bool,
    pub hits: Vec<HitJson>,
    pub facets: std::collections::BTreeMap<&'static str, Vec<CountJson>>,
}

/// `GET /api/v1/search?q=…`: the same search as JSON.
pub async fn search_api(
    State(st): State<AppState>,
    Query(q): Query<SearchQuery>,
) -> Result<Json<SearchJson>, AppError> {
    let text = q.text()?;
    if !st.search.is_ready() {
        let found = if text.is_empty() {
            Vec::new()
        } else {
            catalog::search(&st.db, &text, PER_PAGE as u32).await?
        };
        return Ok(Json(SearchJson {
            index: "building",
            total: found.len(),
            estimated: false,
            hits: found
                .into_iter()
                .map(|w| HitJson {
                    kind: "book",
                    id: w.id.to_string(),
                    href: crate::paths::book(w.id, &w.slug),
                    title: w.title,
                    subtitle: w.subtitle,
                    authors: w.authors,
                    year: w.first_published.map(|d| d.year_value()),
                    matched: Vec::new(),
                })
                .collect(),
            facets: Default::default(),
        }));
    }
    let r = if text.is_empty() {
        Results::default()
    } else {
        run(&st, &q, &text).await?
    };
    let counts = |v: &[quire_search::FacetCount]| {
        v.iter()
            .map(|c| CountJson {
                value: c.value.clone(),
                count: c.count,
            })
            .collect::<Vec<_>>()
    };
    let mut facets = std::collections::BTreeMap::new();
    facets.insert("subject", counts(&r.facets.subjects));
    facets.insert(
        "decade",
        r.facets
            .decades
            .iter()
            .map(|d| CountJson {
                value: d.decade.to_string(),
                count: d.count,
            })
            .collect(),
    );
    facets.insert("language", counts(&r.facets.languages));
    facets.insert("format", counts(&r.facets.formats));
    Ok(Json(SearchJson {
        index: "ready",
        total: r.total,
        estimated: r.estimated,
        hits: r
            .hits
            .iter()
            .map(|h| HitJson {
                kind: kind_name(h.kind),
                id: h.id.clone(),
                title: h.title.clone(),
                subtitle: h.subtitle.clone(),
                authors: h.authors.clone(),
                year: h.year,
                href: href_of(h),
                matched: h
                    .why
                    .iter()
                    .map(|w| format!("{w:?}").to_lowercase())
                    .collect(),
            })
            .collect(),
        facets,
    }))
}

#[derive(Deserialize, Default)]
pub struct SuggestQuery {
    #[serde(default)]
    q: String,
}

#[derive(Serialize)]
pub struct SuggestionJson {
    pub text: String,
    pub kind: &'static str,
}

async fn suggestions(st: &AppState, raw: &str) -> Result<Vec<SuggestionJson>, AppError> {
    let text: String = raw.chars().filter(|c| !c.is_control()).take(200).collect();
    if text.trim().chars().count() < 2 || !st.search.is_ready() {
        return Ok(Vec::new());
    }
    let index = st.search.index().clone();
    let found = tokio::task::spawn_blocking(move || index.suggest(&text, SUGGESTIONS))
        .await
        .map_err(|e| AppError::internal("Completions could not be found.", e))?
        .map_err(|e| AppError::internal("Completions could not be found.", e))?;
    Ok(found
        .into_iter()
        .map(|s| SuggestionJson {
            text: s.text,
            kind: kind_name(s.kind),
        })
        .collect())
}

/// `GET /api/v1/search/suggest?q=pride and prej`: titles and names that
/// complete what is typed, most read first.
pub async fn suggest_api(
    State(st): State<AppState>,
    Query(q): Query<SuggestQuery>,
) -> Result<Json<Vec<SuggestionJson>>, AppError> {
    Ok(Json(suggestions(&st, &q.q).await?))
}

#[derive(Template)]
#[template(
    source = "{% for s in found %}<option value=\"{{ s.text }}\">{% endfor %}",
    ext = "html"
)]
struct Options {
    found: Vec<SuggestionJson>,
}

/// `GET /search/suggest?q=…`: the same as `<option>`s for the header
/// box's `<datalist>` (htmx swaps them in as the reader types).
pub async fn suggest_options(
    State(st): State<AppState>,
    Query(q): Query<SuggestQuery>,
) -> Result<Html<String>, AppError> {
    let found = suggestions(&st, &q.q).await?;
    Options { found }
        .render()
        .map(Html)
        .map_err(|e| AppError::internal("Completions could not be shown.", e))
}

#[cfg(test)]
mod tests {
    #[test]
    fn language_codes_read_as_names() {
        assert_eq!(super::language_name("eng"), "English");
        assert_eq!(super::language_name("en-US"), "English");
        assert_eq!(super::language_name("xx"), "xx");
    }

    #[test]
    fn isbn_like_queries() {
        assert!(super::looks_like_isbn("978-0-7352-1983-5"));
        assert!(super::looks_like_isbn("080442957X"));
        assert!(!super::looks_like_isbn("1984"));
        assert!(!super::looks_like_isbn("Catch-22"));
    }
}
