//! The insight page, `/books/{id}/insights`, its JSON twin, and the
//! passage pages its answers link to.
//!
//! What it shows is drawn from three places: the analysis of the book's
//! text (`quire_insight`, run by the `AnalyseText` job and kept by
//! storage under the text's digest), the catalog, and members' reviews.
//! The FAQ is assembled per request by `quire_insight::faq`, in Quire's
//! own words around verbatim quotes, each line with its source.
//!
//! The spoiler guard: a reader's place in the book (their reading, or the
//! start for a visitor) becomes a [`Guard`]; nothing at or after it is
//! quoted, linked, charted or summarised, on any route here, unless the
//! reader lifts the guard (`?reveal=all`) or has finished the book.
//!
//! The text and analysis of a book are read once and kept (bounded, by
//! size) under the text's digest; the catalog facts, reviews and similar
//! books for a short while (`FACTS_FOR`), so a busy page costs two small
//! queries (and one more for a signed-in reader's place).

use super::charts;
use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::input::Query;
use crate::paths::WorkPath;
use crate::view::{Layout, page, thousands};
use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Html;
use moka::future::Cache;
use quire_domain::WorkId;
use quire_domain::position::{self, Chapters, Point};
use quire_insight::{
    Analysis, BookFacts, FaqInput, Guard, Line, Ratings, ReviewInput, ReviewInsights, Similar,
    Source,
};
use quire_storage::book_page;
use quire_storage::insights as store;
use quire_storage::texts::{self, AnalysisStatus, TextInfo};
use quire_text::{Place, Text};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// How long catalog facts, reviews and similar books are kept before the
/// page reads them again.
const FACTS_FOR: Duration = Duration::from_secs(30);
/// Reviews read for the answers (the newest).
const REVIEWS_READ: u32 = 300;

/// A book's text and its analysis, as the page uses them.
pub struct Loaded {
    pub text: Text,
    pub analysis: Analysis,
    /// Each sentence's start on the position scale, in reading order.
    starts: Vec<(Point, Place)>,
}

impl Loaded {
    fn new(text: Text, analysis: Analysis) -> Self {
        let starts = text
            .sentences()
            .map(|(p, _)| (text.point_of(p), p))
            .collect();
        Loaded {
            text,
            analysis,
            starts,
        }
    }

    /// The guard for a reader at `point`: the first sentence that starts
    /// at or after it is the first one withheld.
    pub fn guard_at(&self, point: Point) -> Guard {
        if point == Point::FINISHED {
            return Guard::Lifted;
        }
        let i = self.starts.partition_point(|(p, _)| *p < point);
        match self.starts.get(i) {
            Some((_, place)) => Guard::Before(*place),
            None => Guard::Lifted,
        }
    }

    /// Sections wholly before the guard.
    pub fn sections_read(&self, guard: Guard) -> usize {
        match guard {
            Guard::Lifted => self.text.sections.len(),
            Guard::Before(p) => p.section as usize,
        }
    }

    pub fn chapters(&self) -> Chapters {
        Chapters::Exact(self.text.section_starts())
    }
}

/// The catalog's side, kept for [`FACTS_FOR`].
pub(crate) struct Facts {
    pub facts: BookFacts,
    pub reviews: ReviewInsights,
    /// Review id → the book-page address that shows it.
    review_links: Vec<(String, String)>,
    by_star: [u64; 5],
    /// The book's language as a BCP 47 tag (its main edition's, else
    /// English).
    pub language: String,
}

/// The insight page's caches.
pub struct InsightCache {
    loaded: Cache<(WorkId, String), Arc<Loaded>>,
    facts: Cache<WorkId, Arc<Facts>>,
    stories: Cache<(WorkId, String, u32), Arc<Vec<Place>>>,
}

impl Default for InsightCache {
    fn default() -> Self {
        InsightCache {
            // About eight novels' worth of text and analysis.
            loaded: Cache::builder()
                .weigher(|_, l: &Arc<Loaded>| {
                    u32::try_from(l.text.len().saturating_mul(3)).unwrap_or(u32::MAX)
                })
                .max_capacity(64 * 1024 * 1024)
                .build(),
            facts: Cache::builder()
                .max_capacity(2_000)
                .time_to_live(FACTS_FOR)
                .build(),
            stories: Cache::builder().max_capacity(4_000).build(),
        }
    }
}

/// Where a book's insights stand.
pub(crate) enum Stage {
    NoText,
    Pending { progress: f64 },
    Failed { reason: String },
    Ready(TextInfo, Arc<Loaded>),
}

pub(crate) fn no_such_book(work: WorkId) -> AppError {
    AppError::NotFound(format!(
        "There is no book with the id \"{work}\" in Quire. Search for it by title, author or ISBN."
    ))
}

pub(crate) async fn state_of(st: &AppState, work: WorkId) -> Result<Stage, AppError> {
    let Some(info) = texts::info(&st.db, work).await? else {
        return Ok(Stage::NoText);
    };
    let sha = info.version.sha256.clone();
    let version = quire_jobs::analysis_version();
    let state = store::analysis_state(&st.db, work, &sha, version).await?;
    match state.map(|s| (s.status, s.progress, s.error)) {
        None => {
            // Never analysed (a text attached before this version): queue
            // it; the job's dedup key keeps a burst of visits to one job.
            quire_jobs::enqueue(&st.db, &quire_jobs::AnalyseText { work: work.0 })
                .await
                .map_err(|e| AppError::internal("The book's analysis could not be queued.", e))?;
            Ok(Stage::Pending { progress: 0.0 })
        }
        Some((AnalysisStatus::Queued | AnalysisStatus::Running, progress, _)) => {
            Ok(Stage::Pending { progress })
        }
        Some((AnalysisStatus::Failed, _, error)) => Ok(Stage::Failed {
            reason: error.unwrap_or_else(|| "the analysis stopped".into()),
        }),
        Some((AnalysisStatus::Done, _, _)) => {
            let key = (work, sha.clone());
            let db = st.db.clone();
            let loaded = st
                .insights
                .loaded
                .try_get_with(key, async move {
                    let text = texts::load(&db, work)
                        .await?
                        .ok_or(quire_storage::StorageError::NotFound("text"))?;
                    let stored = texts::analysis(&db, work, &sha, version)
                        .await?
                        .and_then(|a| a.result)
                        .ok_or(quire_storage::StorageError::NotFound("analysis"))?;
                    let analysis: Analysis = serde_json::from_value(stored).map_err(|e| {
                        quire_storage::StorageError::Corrupt(format!("analysis of {work}: {e}"))
                    })?;
                    Ok::<_, quire_storage::StorageError>(Arc::new(Loaded::new(text, analysis)))
                })
                .await
                .map_err(|e| AppError::internal("The book's insights could not be read.", e))?;
            Ok(Stage::Ready(info, loaded))
        }
    }
}

/// The reader's place in the book, and the guard it sets.
pub(crate) async fn guard_for(
    st: &AppState,
    work: WorkId,
    viewer: &Viewer,
    loaded: &Loaded,
    reveal: bool,
) -> Result<(Guard, Point), AppError> {
    let point = match &viewer.0 {
        Some(u) => {
            let r = store::reader_place(&st.db, u.user_id(), work).await?;
            position::of_reading(r.finished, r.progress, r.pages, Some(&loaded.chapters()))
        }
        None => Point::START,
    };
    let guard = if reveal {
        Guard::Lifted
    } else {
        loaded.guard_at(point)
    };
    Ok((guard, point))
}

pub(crate) async fn facts_of(st: &AppState, work: WorkId) -> Result<Arc<Facts>, AppError> {
    let db = st.db.clone();
    let per_page = st.config.reviews_per_page.max(1);
    st.insights
        .facts
        .try_get_with(work, async move {
            let core = book_page::load_core(&db, work)
                .await?
                .ok_or(quire_storage::StorageError::NotFound("book"))?;
            let activity = book_page::load_activity(&db, work, 1, 1).await?;
            let reviews = store::reviews(&db, work, REVIEWS_READ).await?;
            let similar = store::similar(&db, work).await?;
            Ok::<_, quire_storage::StorageError>(Arc::new(assemble_facts(
                work, core, activity, reviews, similar, per_page,
            )))
        })
        .await
        .map_err(|e| match &*e {
            quire_storage::StorageError::NotFound(_) => no_such_book(work),
            _ => AppError::internal("The book's facts could not be read.", e),
        })
}

fn assemble_facts(
    work: WorkId,
    core: book_page::CorePart,
    activity: book_page::ActivityPart,
    reviews: Vec<store::ReviewText>,
    similar: Vec<store::SimilarBook>,
    per_page: u32,
) -> Facts {
    let stats = &activity.stats;
    let language = core
        .editions
        .iter()
        .find(|e| e.is_primary)
        .or(core.editions.first())
        .and_then(|e| e.language.as_deref())
        .map(language_tag)
        .unwrap_or_else(|| "en".into());
    let by_star = stats.by_star().map(|n| u64::try_from(n).unwrap_or(0));
    let description = core
        .materials
        .iter()
        .find(|m| m.kind == quire_domain::MaterialKind::Description)
        .map(|m| quire_markup::plain_excerpt(&m.body, 2_000));
    let facts = BookFacts {
        title: core.work.title.clone(),
        authors: core
            .credits
            .iter()
            .filter(|c| c.role == quire_domain::ContributorRole::Author)
            .map(|c| c.name.clone())
            .collect(),
        first_published: core.work.first_published.as_ref().map(|d| d.to_string()),
        subjects: core.subjects.clone(),
        description,
        ratings: stats.rating_average().map(|average| Ratings {
            average: average as f32,
            count: u64::try_from(stats.rating_count()).unwrap_or(0),
            by_star,
        }),
        similar: similar
            .into_iter()
            .map(|s| Similar {
                work: s.work.to_string(),
                title: s.title,
                author: s.author.unwrap_or_else(|| "an unknown author".into()),
                shared_readers: s.shared_readers,
                shared_subjects: s.shared_subjects,
            })
            .collect(),
    };
    let inputs: Vec<ReviewInput> = reviews
        .iter()
        .map(|r| ReviewInput {
            id: r.id.to_string(),
            author: r.reviewer.clone(),
            rating: r.halves.map(|h| h as f32 / 2.0),
            body: quire_markup::plain_excerpt(&r.body, 20_000),
            spoiler: r.spoiler,
            recommends: r.recommends,
        })
        .collect();
    let review_links = reviews
        .iter()
        .map(|r| {
            let page = r.index / per_page + 1;
            let query = if page > 1 {
                format!("?page={page}")
            } else {
                String::new()
            };
            (
                r.id.to_string(),
                format!("/books/{work}{query}#review-{}", r.id),
            )
        })
        .collect();
    Facts {
        facts,
        reviews: quire_insight::reviews(&inputs, 5),
        review_links,
        by_star,
        language,
    }
}

/// A catalog language ("en", "en-GB", or the three-letter "eng" of many
/// imports) as a BCP 47 tag; anything unusable counts as English.
fn language_tag(raw: &str) -> String {
    let raw = raw.trim();
    let two = match raw.to_ascii_lowercase().as_str() {
        "eng" => "en",
        "fre" | "fra" => "fr",
        "ger" | "deu" => "de",
        "spa" => "es",
        "ita" => "it",
        "por" => "pt",
        "dut" | "nld" => "nl",
        _ => "",
    };
    if !two.is_empty() {
        return two.into();
    }
    let well_formed = raw.split('-').enumerate().all(|(i, part)| {
        let n = part.len();
        if i == 0 {
            (2..=3).contains(&n) && part.bytes().all(|b| b.is_ascii_alphabetic())
        } else {
            (1..=8).contains(&n) && part.bytes().all(|b| b.is_ascii_alphanumeric())
        }
    });
    if well_formed {
        raw.to_string()
    } else {
        "en".into()
    }
}

/// The story so far for a guard, from the sentences before the start of
/// the reader's section (so one cached answer serves a whole chapter).
pub(crate) async fn story(
    st: &AppState,
    work: WorkId,
    sha: &str,
    loaded: &Arc<Loaded>,
    guard: Guard,
) -> Arc<Vec<Place>> {
    let section = match guard {
        Guard::Lifted => return Arc::new(loaded.analysis.synopsis.clone()),
        Guard::Before(p) => p.section,
    };
    if section == 0 {
        return Arc::new(Vec::new());
    }
    let l = loaded.clone();
    st.insights
        .stories
        .get_with((work, sha.to_string(), section), async move {
            let until = Place {
                section,
                paragraph: 0,
                sentence: 0,
            };
            tokio::task::spawn_blocking(move || {
                quire_insight::synopsis_until(&l.text, until, &quire_insight::Options::default())
            })
            .await
            .map(Arc::new)
            .unwrap_or_default()
        })
        .await
}

/// A book whose text is analysed, and the reader's guard on it.
pub(crate) struct Ready {
    pub work: WorkId,
    pub info: TextInfo,
    pub sha: String,
    pub loaded: Arc<Loaded>,
    pub facts: Arc<Facts>,
    pub guard: Guard,
    pub point: Point,
}

impl Ready {
    /// Where drawing from the text must stop: `None` once the guard is
    /// lifted.
    pub fn up_to(&self) -> Option<Place> {
        match self.guard {
            Guard::Before(p) => Some(p),
            Guard::Lifted => None,
        }
    }
}

/// The book, its analysis and the reader's guard; or, when the book has no
/// analysed text, the reason it has no `what` ("flashcards", "insight
/// pack") yet.
pub(crate) async fn ready(
    st: &AppState,
    work: WorkId,
    viewer: &Viewer,
    reveal: bool,
    what: &str,
) -> Result<Ready, AppError> {
    let facts = facts_of(st, work).await?;
    match state_of(st, work).await? {
        Stage::Ready(info, loaded) => {
            let (guard, point) = guard_for(st, work, viewer, &loaded, reveal).await?;
            Ok(Ready {
                work,
                sha: info.version.sha256.clone(),
                info,
                loaded,
                facts,
                guard,
                point,
            })
        }
        Stage::NoText => Err(AppError::NotFound(format!(
            "This book has no text in Quire yet, so it has no {what}. A librarian can attach one (quire import text FILE --book ID)."
        ))),
        Stage::Pending { progress } => Err(AppError::Unavailable {
            message: format!(
                "Quire is still reading this book ({:.0}% done); its {what} will be ready in a few seconds.",
                progress * 100.0
            ),
            retry_after: 2,
        }),
        Stage::Failed { reason } => Err(AppError::internal(
            format!("The analysis of this book failed, so it has no {what}: {reason}"),
            quire_storage::StorageError::Corrupt(reason.clone()),
        )),
    }
}

#[derive(Deserialize, Default)]
pub struct InsightQuery {
    /// "all" lifts the spoiler guard for this request.
    reveal: Option<String>,
    /// What was just done, for the confirmation line.
    done: Option<String>,
}

impl InsightQuery {
    fn reveal(&self) -> bool {
        self.reveal.as_deref() == Some("all")
    }
}

// ---------------------------------------------------------------- views

/// One line of an answer, ready to draw.
#[derive(Serialize)]
pub struct LineView {
    pub lead: String,
    pub quote: Option<String>,
    /// Where it comes from: a passage, a review, a part of the book page
    /// or this page's account of its measures.
    pub href: String,
    pub source: String,
}

#[derive(Serialize)]
pub struct AnswerView {
    pub slug: &'static str,
    pub question: String,
    pub lines: Vec<LineView>,
    pub hidden: bool,
}

#[derive(Serialize)]
pub struct CharacterView {
    pub name: String,
    pub variants: String,
    pub mentions: u32,
    pub first: String,
    pub first_href: String,
}

#[derive(Serialize)]
pub struct SectionView {
    pub label: String,
    pub summary: Vec<LineView>,
    pub terms: String,
}

pub fn passage_href(work: WorkId, p: Place) -> String {
    format!(
        "/books/{work}/passages/{}/{}?sentence={}#sentence-{}",
        p.section, p.paragraph, p.sentence, p.sentence
    )
}

pub(crate) fn line_view(work: WorkId, text: &Text, facts: &Facts, l: &Line) -> LineView {
    let (href, source) = match &l.source {
        Source::Passage { place } => (
            passage_href(work, *place),
            quire_insight::section_name(text, place.section),
        ),
        Source::Review { review, author } => (
            facts
                .review_links
                .iter()
                .find(|(id, _)| id == review)
                .map(|(_, h)| h.clone())
                .unwrap_or_else(|| format!("/books/{work}#reviews")),
            format!("{author}'s review"),
        ),
        Source::Catalog { field } => {
            use quire_insight::Fact;
            let (anchor, label) = match field {
                Fact::Authors => ("", "The catalog"),
                Fact::Description => ("#description", "The book's description"),
                Fact::Subjects => ("", "The catalog's subjects"),
                Fact::Ratings => ("#ratings", "Members' ratings"),
                Fact::Reviews => ("#reviews", "Members' reviews"),
                Fact::Similar => ("", "Members' shelves"),
            };
            (format!("/books/{work}{anchor}"), label.to_string())
        }
        Source::Measure { what } => {
            use quire_insight::Measure;
            let anchor = match what {
                Measure::Reading => "how-reading",
                Measure::Themes => "how-themes",
                Measure::Warnings => "how-warnings",
            };
            (
                format!("/books/{work}/insights#{anchor}"),
                "How Quire reads a book".to_string(),
            )
        }
    };
    LineView {
        lead: l.lead.clone(),
        quote: l.quote.clone(),
        href,
        source,
    }
}

/// Everything the page and the JSON show, for one reader.
#[derive(Serialize)]
pub struct InsightsJson {
    pub work: String,
    pub title: String,
    /// The reader's place, in ten-thousandths of the book.
    pub reader_point: u16,
    pub guard: &'static str,
    pub sections_shown: usize,
    pub sections: usize,
    pub faq: Vec<AnswerView>,
    pub key_ideas: Vec<LineView>,
    pub characters: Vec<CharacterView>,
    pub chapters: Vec<SectionView>,
    pub reading: ReadingView,
    pub warnings: Vec<String>,
}

#[derive(Serialize)]
pub struct ReadingView {
    pub words: String,
    pub hours: String,
    pub grade: String,
    pub ease: String,
}

pub(crate) fn build(
    work: WorkId,
    loaded: &Loaded,
    facts: &Facts,
    story: &[Place],
    guard: Guard,
    point: Point,
) -> InsightsJson {
    let text = &loaded.text;
    let a = &loaded.analysis;
    let answers = quire_insight::faq(&FaqInput {
        text,
        analysis: a,
        facts: &facts.facts,
        reviews: &facts.reviews,
        story,
        guard,
    });
    let shown = loaded.sections_read(guard);
    let faq = answers
        .iter()
        .map(|ans| AnswerView {
            slug: ans.key.slug(),
            question: ans.question.clone(),
            lines: ans
                .lines
                .iter()
                .map(|l| line_view(work, text, facts, l))
                .collect(),
            hidden: ans.hidden,
        })
        .collect();
    let key_ideas = quire_insight::key_ideas(text, a, guard, 6)
        .iter()
        .map(|l| line_view(work, text, facts, l))
        .collect();
    let characters = a
        .characters
        .iter()
        .filter(|c| guard.allows(c.first))
        .take(16)
        .map(|c| CharacterView {
            name: c.name.clone(),
            variants: c
                .variants
                .iter()
                .filter(|v| v.form != c.name)
                .take(4)
                .map(|v| v.form.clone())
                .collect::<Vec<_>>()
                .join(", "),
            mentions: c.by_section.iter().take(shown).sum(),
            first: quire_insight::section_name(text, c.first.section),
            first_href: passage_href(work, c.first),
        })
        .collect();
    let chapters = a
        .sections
        .iter()
        .take(shown)
        .map(|s| SectionView {
            label: quire_insight::section_name(text, s.section),
            summary: s
                .summary
                .iter()
                .filter(|p| guard.allows(**p))
                .filter_map(|p| {
                    Some(LineView {
                        lead: String::new(),
                        quote: Some(quire_insight::sentence_at(text, *p)?.to_string()),
                        href: passage_href(work, *p),
                        source: quire_insight::section_name(text, p.section),
                    })
                })
                .collect(),
            terms: s.key_terms.join(", "),
        })
        .collect();
    let r = &a.reading;
    InsightsJson {
        work: work.to_string(),
        title: facts.facts.title.clone(),
        reader_point: point.value(),
        guard: match guard {
            Guard::Lifted => "lifted",
            Guard::Before(_) => "before_your_place",
        },
        sections_shown: shown,
        sections: text.sections.len(),
        faq,
        key_ideas,
        characters,
        chapters,
        reading: ReadingView {
            words: thousands(i64::from(r.words)),
            hours: format!("{:.0}", (f64::from(r.minutes) / 60.0).max(1.0)),
            grade: format!("{:.0}", r.flesch_kincaid_grade.max(1.0)),
            ease: format!("{:.0}", r.flesch_reading_ease),
        },
        warnings: a.warnings.iter().map(|w| format!("{:?}", w.kind)).collect(),
    }
}

// ---------------------------------------------------------------- pages

#[derive(Template)]
#[template(path = "books/insights.html")]
struct InsightsTemplate {
    layout: Layout,
    book_href: String,
    href: String,
    title: String,
    state: &'static str,
    progress: u32,
    reason: String,
    source_line: String,
    guard_line: String,
    lifted: bool,
    can_lift: bool,
    i: Option<InsightsJson>,
    presence_svg: String,
    presence_rows: Vec<(String, Vec<u32>)>,
    presence_cols: Vec<String>,
    mood_svg: String,
    mood_rows: Vec<(String, String)>,
    spread_svg: String,
    spread_rows: Vec<(u8, u64)>,
    /// The visitor may attach or replace the book's text.
    can_attach: bool,
    flash: Option<&'static str>,
    /// The licence the text's file came with, shown apart from the text.
    licence: Option<String>,
}

pub(crate) fn place_words(point: Point, loaded: &Loaded, guard: Guard) -> String {
    match guard {
        Guard::Lifted if point == Point::FINISHED => {
            "You have finished this book, so everything is shown.".into()
        }
        Guard::Lifted => "Everything is shown, the ending too, because you asked to see it.".into(),
        Guard::Before(p) if point == Point::START => format!(
            "You have not started this book here, so nothing from its story is shown past the opening{}. Answers that would give something away say so.",
            if p.section == 0 { "" } else { " chapters" }
        ),
        Guard::Before(p) => format!(
            "You are {}% of the way through, in {}: nothing from later in the book is shown.",
            point.percent(),
            quire_insight::section_name(&loaded.text, p.section)
        ),
    }
}

pub async fn insights_page(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    viewer: Viewer,
    Query(q): Query<InsightQuery>,
) -> Result<Html<String>, AppError> {
    let facts = facts_of(&st, work).await?;
    let href = format!("/books/{work}/insights");
    let mut t = InsightsTemplate {
        layout: Layout::for_user(viewer.0.as_ref()),
        book_href: format!("/books/{work}"),
        title: facts.facts.title.clone(),
        state: "none",
        progress: 0,
        reason: String::new(),
        source_line: String::new(),
        guard_line: String::new(),
        lifted: false,
        can_lift: false,
        i: None,
        presence_svg: String::new(),
        presence_rows: Vec::new(),
        presence_cols: Vec::new(),
        mood_svg: String::new(),
        mood_rows: Vec::new(),
        spread_svg: String::new(),
        spread_rows: Vec::new(),
        can_attach: match &viewer.0 {
            Some(u) => super::text_upload::may_attach(&st, u, work).await.is_ok(),
            None => false,
        },
        flash: match q.done.as_deref() {
            Some("text") => Some("The text is attached. Quire is reading it now."),
            Some("text-same") => Some("That file is already this book's text; nothing changed."),
            _ => None,
        },
        licence: None,
        href,
    };
    if facts.by_star.iter().sum::<u64>() > 0 {
        t.spread_svg = charts::ratings(&facts.by_star);
        t.spread_rows = (1..=5u8)
            .rev()
            .map(|s| (s, facts.by_star[usize::from(s) - 1]))
            .collect();
    }
    match state_of(&st, work).await? {
        Stage::NoText => {}
        Stage::Pending { progress } => {
            t.state = "pending";
            t.progress = (progress * 100.0).round() as u32;
        }
        Stage::Failed { reason } => {
            t.state = "failed";
            t.reason = reason;
        }
        Stage::Ready(info, loaded) => {
            let (guard, point) = guard_for(&st, work, &viewer, &loaded, q.reveal()).await?;
            let story = story(&st, work, &info.version.sha256, &loaded, guard).await;
            let i = build(work, &loaded, &facts, &story, guard, point);
            let shown = i.sections_shown;
            let n = loaded.text.sections.len();
            t.state = "ready";
            t.licence = loaded.text.licence.clone();
            t.source_line = format!(
                "Drawn from the book's text ({}, {} {}) and from {} {} here.",
                match info.source.format {
                    texts::SourceFormat::Epub => "an EPUB",
                    texts::SourceFormat::GutenbergTxt => "a Project Gutenberg text",
                },
                n,
                if n == 1 { "section" } else { "sections" },
                facts.reviews.reviews,
                if facts.reviews.reviews == 1 {
                    "review"
                } else {
                    "reviews"
                },
            );
            t.guard_line = place_words(point, &loaded, guard);
            t.lifted = guard == Guard::Lifted && point != Point::FINISHED;
            t.can_lift = guard != Guard::Lifted;
            let a = &loaded.analysis;
            t.presence_rows = a
                .characters
                .iter()
                .filter(|c| guard.allows(c.first))
                .take(8)
                .map(|c| (c.name.clone(), c.by_section.clone()))
                .collect();
            t.presence_svg = charts::presence(&t.presence_rows, n, shown);
            t.presence_cols = (0..shown.min(n))
                .map(|s| loaded.text.sections[s].label.clone())
                .collect();
            let smoothed: Vec<f32> = a.mood.iter().map(|m| m.smoothed).collect();
            t.mood_svg = charts::mood(&smoothed, n, shown);
            t.mood_rows = a
                .mood
                .iter()
                .take(shown)
                .map(|m| {
                    (
                        quire_insight::section_name(&loaded.text, m.section),
                        format!("{:+.2}", m.smoothed),
                    )
                })
                .collect();
            t.i = Some(i);
        }
    }
    page(&t)
}

/// `GET /api/v1/books/{id}/insights`: the same, as JSON (202 with the
/// progress while the analysis runs).
pub async fn insights_api(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    viewer: Viewer,
    Query(q): Query<InsightQuery>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let facts = facts_of(&st, work).await?;
    match state_of(&st, work).await? {
        Stage::NoText => Err(AppError::NotFound(
            "This book has no text in Quire yet, so there are no insights. A librarian can attach one (quire import text FILE --book ID).".into(),
        )),
        Stage::Pending { progress } => Ok((
            axum::http::StatusCode::ACCEPTED,
            Json(serde_json::json!({ "status": "analysing", "progress": progress })),
        )
            .into_response()),
        Stage::Failed { reason } => Err(AppError::internal(
            format!("The analysis of this book failed: {reason}"),
            quire_storage::StorageError::Corrupt(reason.clone()),
        )),
        Stage::Ready(info, loaded) => {
            let (guard, point) = guard_for(&st, work, &viewer, &loaded, q.reveal()).await?;
            let story = story(&st, work, &info.version.sha256, &loaded, guard).await;
            Ok(Json(build(work, &loaded, &facts, &story, guard, point)).into_response())
        }
    }
}

// ---------------------------------------------------------------- passages

#[derive(Template)]
#[template(path = "books/passage.html")]
struct PassageTemplate {
    layout: Layout,
    book_href: String,
    insights_href: String,
    title: String,
    section: String,
    /// The paragraph's sentences, the cited one marked.
    sentences: Vec<(u32, String, bool)>,
    hidden: bool,
    reveal_href: String,
    before: Option<String>,
    after: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct PassageQuery {
    sentence: Option<u32>,
    reveal: Option<String>,
}

/// `GET /books/{id}/passages/{section}/{paragraph}`: one paragraph of the
/// book, the cited sentence marked, with links to the paragraphs either
/// side. Behind the same guard as the insights: a passage past the
/// reader's place is not shown until they lift it.
pub async fn passage_page(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    Path((_, section, paragraph)): Path<(String, u32, u32)>,
    viewer: Viewer,
    Query(q): Query<PassageQuery>,
) -> Result<Html<String>, AppError> {
    let missing = || {
        AppError::NotFound(
            "This book's text has no such passage; the link may be older than the text.".into(),
        )
    };
    let facts = facts_of(&st, work).await?;
    let Stage::Ready(_, loaded) = state_of(&st, work).await? else {
        return Err(missing());
    };
    let para = loaded
        .text
        .sections
        .get(section as usize)
        .and_then(|s| s.paragraphs.get(paragraph as usize))
        .ok_or_else(missing)?;
    let reveal = q.reveal.as_deref() == Some("all");
    let (guard, _) = guard_for(&st, work, &viewer, &loaded, reveal).await?;
    let first = Place {
        section,
        paragraph,
        sentence: 0,
    };
    let hidden = !guard.allows(first);
    let marked = q.sentence.unwrap_or(u32::MAX);
    let sentences = if hidden {
        Vec::new()
    } else {
        (0..para.sentences.len())
            .filter_map(|i| {
                let p = Place {
                    section,
                    paragraph,
                    sentence: i as u32,
                };
                guard
                    .allows(p)
                    .then(|| para.sentence(i))
                    .flatten()
                    .map(|s| (i as u32, s.to_string(), i as u32 == marked))
            })
            .collect()
    };
    let base = format!("/books/{work}/passages");
    let suffix = if reveal { "?reveal=all" } else { "" };
    let before = (paragraph > 0).then(|| format!("{base}/{section}/{}{suffix}", paragraph - 1));
    let after_place = Place {
        section,
        paragraph: paragraph + 1,
        sentence: 0,
    };
    let after = (!hidden
        && (paragraph as usize + 1) < loaded.text.sections[section as usize].paragraphs.len()
        && guard.allows(after_place))
    .then(|| format!("{base}/{section}/{}{suffix}", paragraph + 1));
    page(&PassageTemplate {
        layout: Layout::for_user(viewer.0.as_ref()),
        book_href: format!("/books/{work}"),
        insights_href: format!("/books/{work}/insights"),
        title: facts.facts.title.clone(),
        section: quire_insight::section_name(&loaded.text, section),
        sentences,
        hidden,
        reveal_href: format!(
            "{base}/{section}/{paragraph}?reveal=all&sentence={}#sentence-{}",
            q.sentence.unwrap_or(0),
            q.sentence.unwrap_or(0)
        ),
        before,
        after,
    })
}
