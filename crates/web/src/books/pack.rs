//! The insight pack to download (issue 8, "PDF and EPUB"):
//! `/books/{id}/insights/pack.pdf` and `/books/{id}/insights/pack.epub`.
//!
//! The pack holds what the insight page shows the same reader: the FAQ,
//! key ideas, the chapter summaries, the book's discussion questions and
//! flashcards, all stopped at the reader's place (the page's guard; a
//! visitor is at the start) unless they ask for everything with
//! `?reveal=all`. `?paper=a4` sets the PDF's page size (A5 otherwise).
//!
//! Typesetting takes a core for a fraction of a second to seconds, so at
//! most [`RENDERS`] run at once, each in a task of its own (a reader who
//! gives up still leaves the file in the cache for the next), and a
//! request that waits [`WAIT`] for a turn is told to come back. Files are
//! kept for [`KEEP`] per book, text version, guard, paper and format, so
//! a club downloading the same pack before a meeting costs one render.

use super::insights::{self, AnswerView, Ready};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::input::Query;
use crate::paths::WorkPath;
use crate::view::file_stem;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use moka::future::Cache;
use quire_domain::WorkId;
use quire_insight::Guard;
use quire_pack::{Answer, Card, ChapterSummary, Line, Pack, Paper};
use quire_storage::book_page;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Packs typeset at once.
pub const RENDERS: usize = 2;
/// How long a request waits for a turn before it is told to come back.
const WAIT: Duration = Duration::from_secs(20);
/// How long a made pack is kept: reviews and questions change the FAQ, so
/// not for ever.
const KEEP: Duration = Duration::from_secs(10 * 60);
/// Bytes of packs kept in memory.
const CACHE_BYTES: u64 = 64 * 1024 * 1024;
/// Flashcards printed in a pack: spread through the deck, so a long book's
/// pack stays a booklet.
pub const MAX_CARDS: usize = 60;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/books/{id}/insights/pack.pdf", get(pdf))
        .route("/books/{id}/insights/pack.epub", get(epub))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Format {
    Pdf,
    Epub,
}

/// Book, text version, guard (`None` when lifted), paper, format.
type PackKey = (WorkId, String, Option<(u32, u32, u32)>, bool, Format);

pub struct PackWork {
    made: Cache<PackKey, Arc<Vec<u8>>>,
    turns: Arc<Semaphore>,
}

impl Default for PackWork {
    fn default() -> Self {
        PackWork {
            made: Cache::builder()
                .weigher(|_, b: &Arc<Vec<u8>>| u32::try_from(b.len()).unwrap_or(u32::MAX))
                .max_capacity(CACHE_BYTES)
                .time_to_live(KEEP)
                .build(),
            turns: Arc::new(Semaphore::new(RENDERS)),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct PackQuery {
    reveal: Option<String>,
    paper: Option<String>,
}

async fn pdf(
    st: State<AppState>,
    work: WorkPath,
    viewer: Viewer,
    q: Query<PackQuery>,
) -> Result<Response, AppError> {
    download(st, work, viewer, q, Format::Pdf).await
}

async fn epub(
    st: State<AppState>,
    work: WorkPath,
    viewer: Viewer,
    q: Query<PackQuery>,
) -> Result<Response, AppError> {
    download(st, work, viewer, q, Format::Epub).await
}

async fn download(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    viewer: Viewer,
    Query(q): Query<PackQuery>,
    format: Format,
) -> Result<Response, AppError> {
    let a4 = match q.paper.as_deref() {
        None | Some("") | Some("a5") => false,
        Some("a4") => true,
        Some(other) => {
            return Err(AppError::bad(
                "paper",
                format!(
                    "\"{}\" is not a paper size Quire prints on; use paper=a5 (the default) or paper=a4.",
                    other.chars().take(20).collect::<String>()
                ),
            ));
        }
    };
    let reveal = q.reveal.as_deref() == Some("all");
    let r = insights::ready(&st, work, &viewer, reveal, "insight pack").await?;
    let key: PackKey = (
        work,
        r.sha.clone(),
        match r.guard {
            Guard::Before(p) => Some((p.section, p.paragraph, p.sentence)),
            Guard::Lifted => None,
        },
        a4,
        format,
    );
    let bytes = match st.packs.made.get(&key).await {
        Some(b) => b,
        None => {
            let mut pack = gather(&st, &r).await?;
            pack.paper = if a4 { Paper::A4 } else { Paper::A5 };
            render(&st, key, pack).await?
        }
    };
    let (mime, ext) = match format {
        Format::Pdf => ("application/pdf", "pdf"),
        Format::Epub => ("application/epub+zip", "epub"),
    };
    let name = format!("{}-insights.{ext}", file_stem(&r.facts.facts.title, "book"));
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            // Drawn for this reader's place: no shared cache may keep it.
            (header::CACHE_CONTROL, "private, no-cache".to_string()),
        ],
        bytes.to_vec(),
    )
        .into_response())
}

/// Typesets `pack` on a blocking thread when a turn is free, and keeps the
/// file.
async fn render(st: &AppState, key: PackKey, pack: Pack) -> Result<Arc<Vec<u8>>, AppError> {
    let turns = st.packs.turns.clone();
    let permit = tokio::time::timeout(WAIT, turns.acquire_owned())
        .await
        .map_err(|_| AppError::Unavailable {
            message: "Quire is busy making other readers' packs. Try the download again in a few seconds.".into(),
            retry_after: 5,
        })?
        .map_err(|e| AppError::internal("The pack could not be made.", e))?;
    let cache = st.packs.made.clone();
    let format = key.4;
    // A task of its own: the file is finished and kept even if the reader
    // stops waiting.
    let task = tokio::spawn(async move {
        let _permit = permit;
        let made = tokio::task::spawn_blocking(move || match format {
            Format::Pdf => quire_pack::to_pdf(&pack),
            Format::Epub => quire_pack::to_epub(&pack),
        })
        .await;
        let bytes = Arc::new(
            made.map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?,
        );
        cache.insert(key, bytes.clone()).await;
        Ok::<_, String>(bytes)
    });
    task.await
        .map_err(|e| e.to_string())
        .and_then(|r| r)
        .map_err(|e| AppError::internal("The pack could not be made.", std::io::Error::other(e)))
}

/// Everything in the pack for this reader, already behind their guard.
async fn gather(st: &AppState, r: &Ready) -> Result<Pack, AppError> {
    let story = insights::story(st, r.work, &r.sha, &r.loaded, r.guard).await;
    let shown = insights::build(r.work, &r.loaded, &r.facts, &story, r.guard, r.point);
    let questions = book_page::load_questions(&st.db, r.work).await?;
    let text = &r.loaded.text;
    let deck = quire_insight::cards(text, &r.loaded.analysis, r.up_to());
    let facts = &r.facts.facts;
    Ok(Pack {
        title: facts.title.clone(),
        authors: facts.authors.clone(),
        identifier: format!("urn:uuid:{}", r.work),
        language: r.facts.language.clone(),
        date: quire_storage::now().date().to_string(),
        guard: insights::place_words(r.point, &r.loaded, r.guard),
        paper: Paper::A5,
        faq: shown.faq.iter().map(answer).collect(),
        // The page shows a key idea as its quotation and source.
        key_ideas: shown
            .key_ideas
            .iter()
            .map(|l| Line {
                lead: String::new(),
                quote: l.quote.clone(),
                source: l.source.clone(),
            })
            .collect(),
        chapters: shown
            .chapters
            .iter()
            .filter(|c| !c.summary.is_empty())
            .map(|c| ChapterSummary {
                label: c.label.clone(),
                sentences: c.summary.iter().filter_map(|l| l.quote.clone()).collect(),
            })
            .collect(),
        questions: questions.into_iter().map(|q| q.body).collect(),
        cards: spread(&deck, MAX_CARDS)
            .map(|c| Card {
                prompt: c.prompt.clone(),
                answer: c.answer.clone(),
                chapter: quire_insight::section_name(text, c.section()),
            })
            .collect(),
    })
}

/// A line of the page as the pack prints it. On paper the source is not a
/// link, so it is left out where the lead already names it ("From
/// Chapter 4: …").
fn line(l: &insights::LineView) -> Line {
    let named = !l.source.is_empty() && l.lead.contains(&l.source);
    Line {
        lead: l.lead.clone(),
        quote: l.quote.clone(),
        source: if named {
            String::new()
        } else {
            l.source.clone()
        },
    }
}

fn answer(a: &AnswerView) -> Answer {
    Answer {
        question: a.question.clone(),
        lines: if a.hidden {
            vec![Line {
                lead: "The answer is past your place in the book, so it is left out. Download the pack with everything shown from the insight page when you want it.".into(),
                quote: None,
                source: String::new(),
            }]
        } else {
            a.lines.iter().map(line).collect()
        },
    }
}

/// At most `n` of `items`, evenly through them, in order.
fn spread<T>(items: &[T], n: usize) -> impl Iterator<Item = &T> {
    let len = items.len();
    (0..len.min(n)).map(move |i| &items[i * len / len.min(n).max(1)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_keeps_order_and_reaches_the_end() {
        let v: Vec<u32> = (0..200).collect();
        let got: Vec<u32> = spread(&v, 60).copied().collect();
        assert_eq!(got.len(), 60);
        assert_eq!(got[0], 0);
        assert!(got[59] >= 196, "{got:?}");
        assert!(got.windows(2).all(|w| w[0] < w[1]));
        let few: Vec<u32> = spread(&v[..5], 60).copied().collect();
        assert_eq!(few, vec![0, 1, 2, 3, 4]);
    }
}
