//! Ask anything and "catch me up to chapter N" on the insight page, and
//! their JSON twins.
//!
//! Both stand behind the insight page's spoiler guard: a question searches
//! only the passages wholly before the reader's place, and a catch-up stops
//! there whatever chapter was asked for, unless the reader lifts the guard
//! (`reveal=all`) or has finished the book.
//!
//! The retrieval index and the prepared recap of a text are built once, on
//! a blocking thread, and kept (bounded) under the work and the text's
//! digest, so a new text is never answered from an old index.

use super::insights::{self, Ready, passage_href};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::input::Query;
use crate::paths::WorkPath;
use crate::view::{Layout, page, thousands};
use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum_htmx::HxRequest;
use moka::future::Cache;
use quire_domain::WorkId;
use quire_insight::{AskIndex, Guard, Hit, Recap};
use quire_text::{Place, Text};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The longest question taken, in characters: a question, not a pasted
/// page (the index reads at most 32 terms anyway).
pub const MAX_QUESTION: usize = 300;
/// Passages shown for a question unless `k` says otherwise.
const DEFAULT_HITS: usize = 5;
/// The most passages one answer may ask for.
const MAX_HITS: usize = 20;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/books/{id}/insights/ask", get(ask_page))
        .route("/books/{id}/insights/catch-up", get(catch_up_page))
        .route("/api/v1/books/{id}/ask", get(ask_api))
        .route("/api/v1/books/{id}/recap", get(recap_api))
}

/// The indexes and recaps of the texts asked about lately.
pub struct AskCache {
    index: Cache<(WorkId, String), Arc<AskIndex>>,
    recap: Cache<(WorkId, String), Arc<Recap>>,
}

impl Default for AskCache {
    fn default() -> Self {
        // A novel's index or recap is a few megabytes: a handful of books
        // in use at once fit, and a rebuild costs a fraction of a second.
        AskCache {
            index: Cache::builder().max_capacity(16).build(),
            recap: Cache::builder().max_capacity(16).build(),
        }
    }
}

/// The book, its analysis and the reader's guard, or the reason there is
/// nothing to ask yet.
pub(crate) async fn ready(
    st: &AppState,
    work: WorkId,
    viewer: &Viewer,
    reveal: bool,
) -> Result<Ready, AppError> {
    insights::ready(st, work, viewer, reveal, "passages to search or read aloud").await
}

pub(crate) async fn index_of(st: &AppState, r: &Ready) -> Result<Arc<AskIndex>, AppError> {
    let l = r.loaded.clone();
    st.ask
        .index
        .try_get_with((r.work, r.sha.clone()), async move {
            tokio::task::spawn_blocking(move || Arc::new(AskIndex::build(&l.text, &l.analysis)))
                .await
        })
        .await
        .map_err(|e| AppError::internal("The book's search index could not be built.", e))
}

async fn recap_of(st: &AppState, r: &Ready) -> Result<Arc<Recap>, AppError> {
    let l = r.loaded.clone();
    st.ask
        .recap
        .try_get_with((r.work, r.sha.clone()), async move {
            tokio::task::spawn_blocking(move || Arc::new(Recap::new(&l.text))).await
        })
        .await
        .map_err(|e| AppError::internal("The book's recap could not be prepared.", e))
}

fn guard_name(g: Guard) -> &'static str {
    match g {
        Guard::Lifted => "lifted",
        Guard::Before(_) => "before_your_place",
    }
}

// ---------------------------------------------------------------- asking

#[derive(Deserialize, Default)]
pub struct AskQuery {
    q: Option<String>,
    k: Option<String>,
    reveal: Option<String>,
    /// The voice the page's "Listen" player uses.
    voice: Option<String>,
}

/// The question as asked, checked: at most [`MAX_QUESTION`] characters.
pub(crate) fn checked_question(q: Option<&str>) -> Result<String, AppError> {
    let q = q.unwrap_or_default().trim();
    let n = q.chars().count();
    if n > MAX_QUESTION {
        return Err(AppError::bad(
            "q",
            format!(
                "The question (q) is {} characters long; ask in at most {MAX_QUESTION}.",
                thousands(n as i64)
            ),
        ));
    }
    Ok(q.to_string())
}

fn checked_k(k: Option<&str>) -> Result<usize, AppError> {
    let Some(k) = k.map(str::trim).filter(|k| !k.is_empty()) else {
        return Ok(DEFAULT_HITS);
    };
    match k.parse::<usize>() {
        Ok(n) if (1..=MAX_HITS).contains(&n) => Ok(n),
        _ => Err(AppError::bad(
            "k",
            format!(
                "The number of passages (k) must be a whole number from 1 to {MAX_HITS}; it was \"{k}\"."
            ),
        )),
    }
}

/// A word or name the question was searched for.
#[derive(Serialize)]
pub struct TermView {
    pub words: String,
    /// The character it names, when it is a name.
    pub character: Option<String>,
    /// Whether the book (up to the reader's place) uses it at all.
    pub known: bool,
}

/// A passage that answers, with its matched words marked.
#[derive(Serialize)]
pub struct HitView {
    pub chapter: String,
    pub href: String,
    pub first: Place,
    pub last: Place,
    /// The passage's paragraphs, blank lines between them.
    pub text: String,
    /// The matched words, in reading order.
    pub matched: Vec<String>,
    /// Each paragraph as pieces of text, `true` for a matched word.
    #[serde(skip)]
    pub paragraphs: Vec<Vec<(String, bool)>>,
}

/// What a question found, for the page and the JSON alike.
#[derive(Serialize)]
pub struct AskAnswer {
    pub question: String,
    pub guard: &'static str,
    /// What was searched for (empty when the question named nothing the
    /// book could be searched for).
    pub searched_for: Vec<TermView>,
    /// Said instead of, or above, the passages: nothing asked, nothing
    /// to search for, nothing found.
    pub message: Option<String>,
    pub hits: Vec<HitView>,
}

impl AskAnswer {
    /// The searched-for words as a line for the page.
    pub fn searched_line(&self) -> String {
        self.searched_for
            .iter()
            .map(|t| match &t.character {
                Some(c) if !c.eq_ignore_ascii_case(&t.words) => format!("“{}” ({c})", t.words),
                _ => format!("“{}”", t.words),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Cuts a paragraph into pieces at its highlights (byte ranges, checked).
fn marked(text: &str, ranges: &[std::ops::Range<u32>]) -> Vec<(String, bool)> {
    let mut ranges = ranges.to_vec();
    ranges.sort_by_key(|r| r.start);
    let mut out = Vec::new();
    let mut at = 0usize;
    for r in ranges {
        let (s, e) = (r.start as usize, r.end as usize);
        if s < at || text.get(s..e).is_none() {
            continue;
        }
        if s > at {
            out.push((text[at..s].to_string(), false));
        }
        out.push((text[s..e].to_string(), true));
        at = e;
    }
    if at < text.len() {
        out.push((text[at..].to_string(), false));
    }
    out
}

fn hit_view(work: WorkId, text: &Text, hit: &Hit) -> Option<HitView> {
    let section = text.sections.get(hit.section as usize)?;
    let mut paragraphs = Vec::new();
    let mut plain = Vec::new();
    let mut matched = Vec::new();
    for p in hit.paragraphs.clone() {
        let para = section.paragraphs.get(p as usize)?;
        let ranges: Vec<_> = hit
            .highlights
            .iter()
            .filter(|h| h.paragraph == p)
            .map(|h| h.range.clone())
            .collect();
        let pieces = marked(&para.text, &ranges);
        matched.extend(pieces.iter().filter(|(_, m)| *m).map(|(s, _)| s.clone()));
        plain.push(para.text.clone());
        paragraphs.push(pieces);
    }
    Some(HitView {
        chapter: quire_insight::section_name(text, hit.section),
        href: passage_href(work, hit.first),
        first: hit.first,
        last: hit.last,
        text: plain.join("\n\n"),
        matched,
        paragraphs,
    })
}

/// Answers `question` for the reader: passages wholly before their place
/// only, unless the guard is lifted.
pub(crate) async fn answer(
    st: &AppState,
    r: &Ready,
    question: &str,
    k: usize,
) -> Result<AskAnswer, AppError> {
    let guard = guard_name(r.guard);
    let scope = match r.guard {
        Guard::Lifted => "the book",
        Guard::Before(_) => "the book up to your place",
    };
    if question.is_empty() {
        return Ok(AskAnswer {
            question: String::new(),
            guard,
            searched_for: Vec::new(),
            message: Some(
                "Nothing was asked: type a question about the book, such as \u{201c}Who is Mr. Collins?\u{201d} or \u{201c}Why does she refuse him?\u{201d}".into(),
            ),
            hits: Vec::new(),
        });
    }
    let index = index_of(st, r).await?;
    let up_to = r.up_to();
    let understood = index.understood(question, up_to);
    let searched_for: Vec<TermView> = understood
        .iter()
        .map(|t| TermView {
            words: t.words.clone(),
            character: t.character.clone(),
            known: t.known,
        })
        .collect();
    let message = if searched_for.is_empty() {
        Some(format!(
            "There was nothing to search for in \u{201c}{question}\u{201d}: ask with a name or a word the book might use."
        ))
    } else if !searched_for.iter().any(|t| t.known) {
        Some(format!(
            "None of the words asked about occurs in {scope}, so nothing was found."
        ))
    } else {
        None
    };
    let hits: Vec<HitView> = if message.is_some() {
        Vec::new()
    } else {
        let l = r.loaded.clone();
        let q = question.to_string();
        let work = r.work;
        let guard_now = r.guard;
        tokio::task::spawn_blocking(move || {
            index
                .ask(&l.text, &q, up_to, k)
                .iter()
                // The index already stops at the place; this keeps the
                // page's own rule even if it did not.
                .filter(|h| guard_now.allows(h.last))
                .filter_map(|h| hit_view(work, &l.text, h))
                .collect()
        })
        .await
        .map_err(|e| AppError::internal("The question could not be answered.", e))?
    };
    let message = message.or_else(|| {
        hits.is_empty()
            .then(|| format!("Nothing in {scope} answers that."))
    });
    Ok(AskAnswer {
        question: question.to_string(),
        guard,
        searched_for,
        message,
        hits,
    })
}

#[derive(Template)]
#[template(path = "books/ask.html")]
struct AskPage {
    layout: Layout,
    title: String,
    book_href: String,
    insights_href: String,
    reveal: bool,
    can_lift: bool,
    a: AskAnswer,
    listen_href: String,
    lift_href: String,
}

#[derive(Template)]
#[template(path = "books/_ask_results.html")]
struct AskResults {
    lift_href: String,
    can_lift: bool,
    a: AskAnswer,
    listen_href: String,
}

fn reveal_of(r: Option<&str>) -> bool {
    r == Some("all")
}

/// The "Listen" link of an answer: its text read in the chosen voice.
fn listen_href(work: WorkId, question: &str, voice: Option<&str>, reveal: bool) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("part", &format!("ask:{question}"));
    if let Some(v) = voice.filter(|v| !v.is_empty()) {
        q.append_pair("voice", v);
    }
    if reveal {
        q.append_pair("reveal", "all");
    }
    format!("/books/{work}/insights/audio?{}", q.finish())
}

/// `GET /books/{id}/insights/ask?q=…`: the passages that answer, as a page,
/// or (for htmx) the results alone, swapped in under the question box.
pub async fn ask_page(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    viewer: Viewer,
    HxRequest(htmx): HxRequest,
    Query(q): Query<AskQuery>,
) -> Result<Html<String>, AppError> {
    let question = checked_question(q.q.as_deref())?;
    let k = checked_k(q.k.as_deref())?;
    let reveal = reveal_of(q.reveal.as_deref());
    let r = ready(&st, work, &viewer, reveal).await?;
    let a = answer(&st, &r, &question, k).await?;
    let insights_href = format!("/books/{work}/insights");
    let can_lift = r.guard != Guard::Lifted;
    let listen = listen_href(work, &question, q.voice.as_deref(), reveal);
    let lift_href = format!(
        "{insights_href}/ask?{}",
        form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &question)
            .append_pair("reveal", "all")
            .finish()
    );
    if htmx {
        return page(&AskResults {
            lift_href,
            can_lift,
            a,
            listen_href: listen,
        });
    }
    page(&AskPage {
        layout: Layout::for_user(viewer.0.as_ref()),
        title: r.facts.facts.title.clone(),
        book_href: format!("/books/{work}"),
        insights_href,
        reveal,
        can_lift,
        a,
        listen_href: listen,
        lift_href,
    })
}

/// `GET /api/v1/books/{id}/ask?q=…&k=…`: the same answer as JSON.
pub async fn ask_api(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    viewer: Viewer,
    Query(q): Query<AskQuery>,
) -> Result<Json<AskAnswer>, AppError> {
    let question = checked_question(q.q.as_deref())?;
    let k = checked_k(q.k.as_deref())?;
    let r = ready(&st, work, &viewer, reveal_of(q.reveal.as_deref())).await?;
    Ok(Json(answer(&st, &r, &question, k).await?))
}

// ---------------------------------------------------------------- catching up

#[derive(Deserialize, Default)]
pub struct CatchUpQuery {
    /// The chapter to be caught up to the end of: its number in the
    /// book's list of sections, from 1.
    chapter: Option<String>,
    reveal: Option<String>,
}

/// One sentence of a recap.
#[derive(Serialize)]
pub struct RecapLine {
    pub quote: String,
    pub chapter: String,
    pub href: String,
    pub place: Place,
}

#[derive(Serialize)]
pub struct CatchUp {
    /// The chapter asked for, as numbered in the request (from 1).
    pub chapter: u32,
    pub chapter_label: String,
    pub guard: &'static str,
    /// The recap stops at the reader's place rather than at the end of the
    /// chapter asked for.
    pub clamped: bool,
    pub message: String,
    pub lines: Vec<RecapLine>,
}

fn checked_chapter(raw: Option<&str>, sections: usize) -> Result<u32, AppError> {
    let raw = raw.map(str::trim).unwrap_or_default();
    match raw.parse::<u32>() {
        Ok(n) if n >= 1 && n as usize <= sections => Ok(n),
        _ => Err(AppError::bad(
            "chapter",
            format!(
                "Say which chapter to be caught up to (chapter): a number from 1 to {sections}; it was \"{raw}\"."
            ),
        )),
    }
}

pub(crate) async fn catch_up(st: &AppState, r: &Ready, chapter: u32) -> Result<CatchUp, AppError> {
    let text = &r.loaded.text;
    let section = chapter - 1;
    let label = quire_insight::section_name(text, section);
    let up_to = r.up_to();
    let clamped = up_to.is_some_and(|p| p.section <= section);
    let recap = recap_of(st, r).await?;
    let places = tokio::task::spawn_blocking(move || {
        recap.through(section, up_to, &quire_insight::Options::default())
    })
    .await
    .map_err(|e| AppError::internal("The recap could not be made.", e))?;
    let lines: Vec<RecapLine> = places
        .iter()
        .filter(|p| r.guard.allows(**p))
        .filter_map(|p| {
            Some(RecapLine {
                quote: quire_insight::sentence_at(text, *p)?.to_string(),
                chapter: quire_insight::section_name(text, p.section),
                href: passage_href(r.work, *p),
                place: *p,
            })
        })
        .collect();
    let message = match (clamped, up_to) {
        (true, Some(p)) => format!(
            "You asked to be caught up to the end of {label}, but you are in {}: this recap stops at your place.",
            quire_insight::section_name(text, p.section)
        ),
        _ => format!("The story up to the end of {label}, in the book's own sentences."),
    };
    let message = if lines.is_empty() {
        format!("{message} There is nothing to recap yet: the story has barely begun.")
    } else {
        message
    };
    Ok(CatchUp {
        chapter,
        chapter_label: label,
        guard: guard_name(r.guard),
        clamped,
        message,
        lines,
    })
}

#[derive(Template)]
#[template(path = "books/catch_up.html")]
struct CatchUpPage {
    layout: Layout,
    title: String,
    book_href: String,
    insights_href: String,
    c: CatchUp,
}

#[derive(Template)]
#[template(path = "books/_catch_up_results.html")]
struct CatchUpResults {
    c: CatchUp,
}

/// `GET /books/{id}/insights/catch-up?chapter=N`: the story up to the end of
/// chapter N, never past the reader's place.
pub async fn catch_up_page(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    viewer: Viewer,
    HxRequest(htmx): HxRequest,
    Query(q): Query<CatchUpQuery>,
) -> Result<Html<String>, AppError> {
    let r = ready(&st, work, &viewer, reveal_of(q.reveal.as_deref())).await?;
    let chapter = checked_chapter(q.chapter.as_deref(), r.loaded.text.sections.len())?;
    let c = catch_up(&st, &r, chapter).await?;
    if htmx {
        return page(&CatchUpResults { c });
    }
    page(&CatchUpPage {
        layout: Layout::for_user(viewer.0.as_ref()),
        title: r.facts.facts.title.clone(),
        book_href: format!("/books/{work}"),
        insights_href: format!("/books/{work}/insights"),
        c,
    })
}

/// `GET /api/v1/books/{id}/recap?chapter=N`: the same recap as JSON.
pub async fn recap_api(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    viewer: Viewer,
    Query(q): Query<CatchUpQuery>,
) -> Result<Response, AppError> {
    let r = ready(&st, work, &viewer, reveal_of(q.reveal.as_deref())).await?;
    let chapter = checked_chapter(q.chapter.as_deref(), r.loaded.text.sections.len())?;
    Ok(Json(catch_up(&st, &r, chapter).await?).into_response())
}
