//! Listening: any part of the insight page read aloud in a voice the
//! reader picks, played in the page and downloadable as a WAV file.
//!
//! A part's text is made by the same functions that draw it on the page,
//! under the same spoiler guard, so the audio never says what the page
//! would hold back. The voices are found once per process (`voices()`);
//! a missing one is listed with the command that installs it, and asking
//! for it answers 503 with that command.
//!
//! Synthesis is CPU-bound and slow for the neural voice (about a quarter
//! of real time on one core), so it runs on a blocking thread under a cap
//! per kind of voice, in a task of its own: a request that gives up (the
//! request timeout) still leaves the finished audio in the cache for the
//! next one. The cache is keyed by work, text digest, part, guard and
//! voice, and bounded by bytes.

use super::ask;
use super::insights;
use super::insights::Ready;
use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::input::Query;
use crate::paths::WorkPath;
use crate::view::{Layout, page};
use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum_htmx::HxRequest;
use moka::future::Cache;
use quire_domain::WorkId;
use quire_insight::Guard;
use quire_voice::{VoiceInfo, VoiceKind, Voices};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

/// The most text read aloud in one part, by kind of voice: the neural
/// voice reads about four times faster than real time on one core, and a
/// part should be ready well within a request's time limit.
const NEURAL_CHARS: usize = 1_500;
const FORMANT_CHARS: usize = 6_000;
/// Passages of an ask-anything answer that are read aloud.
const ASK_PASSAGES: usize = 3;
/// Audio kept, in bytes (a minute of speech is about 2.6 MB).
const CACHE_BYTES: u64 = 256 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/books/{id}/insights/audio", get(audio))
        .route("/books/{id}/insights/listen", get(listen_page))
        .route(
            "/api/v1/books/{id}/insights/audio-text",
            get(audio_text_api),
        )
        .route("/api/v1/voices", get(voices_api))
}

/// The voices of this process, found at the first call (the server's
/// start): they depend on what is installed, not on the database.
pub fn voices() -> &'static Voices {
    static VOICES: OnceLock<Voices> = OnceLock::new();
    VOICES.get_or_init(|| Voices::discover(&quire_voice::Config::from_env()))
}

/// The voice used when the reader has not picked one: the neural voice
/// when installed (it is the natural one), else the first that is.
fn default_voice() -> Option<String> {
    voices()
        .list()
        .into_iter()
        .find(|v| v.available)
        .map(|v| v.id)
}

/// One voice as the picker shows it.
#[derive(Clone)]
pub struct VoiceChoice {
    pub id: String,
    pub label: String,
    pub kind: &'static str,
    pub available: bool,
    pub install: Option<String>,
    pub chosen: bool,
}

/// Every voice, installed or not, for the picker; `chosen` marks the
/// default one.
pub fn voice_choices() -> Vec<VoiceChoice> {
    let chosen = default_voice();
    choices(chosen.as_deref())
}

fn choices(chosen: Option<&str>) -> Vec<VoiceChoice> {
    voices()
        .list()
        .into_iter()
        .map(|v: VoiceInfo| VoiceChoice {
            chosen: chosen == Some(v.id.as_str()),
            kind: kind_name(v.kind),
            id: v.id,
            label: v.label,
            available: v.available,
            install: v.install,
        })
        .collect()
}

fn kind_name(k: VoiceKind) -> &'static str {
    match k {
        VoiceKind::Neural => "natural, neural",
        VoiceKind::Formant => "synthetic, espeak-ng",
    }
}

type AudioKey = (WorkId, String, String, String, String);

/// The audio cache and the caps on synthesis.
pub struct AudioWork {
    cache: Cache<AudioKey, Arc<Vec<u8>>>,
    neural: Arc<Semaphore>,
    formant: Arc<Semaphore>,
}

impl Default for AudioWork {
    fn default() -> Self {
        // Found now, so the first page that lists the voices does not wait.
        voices();
        AudioWork {
            cache: Cache::builder()
                .weigher(|_, w: &Arc<Vec<u8>>| u32::try_from(w.len()).unwrap_or(u32::MAX))
                .max_capacity(CACHE_BYTES)
                .build(),
            // One neural synthesis at a time: it takes a core for seconds.
            neural: Arc::new(Semaphore::new(1)),
            formant: Arc::new(Semaphore::new(2)),
        }
    }
}

// ---------------------------------------------------------------- parts

/// A part of the page that can be listened to.
#[derive(Clone, Debug, PartialEq)]
enum Part {
    /// The story so far.
    Story,
    /// One FAQ answer, by its slug.
    Answer(String),
    /// One chapter's summary, by its number from 1.
    Chapter(u32),
    /// The answer to a question.
    Ask(String),
}

impl Part {
    fn parse(raw: &str) -> Result<Part, AppError> {
        let bad = || {
            AppError::bad(
                "part",
                format!(
                    "The part to read (part) must be story, answer:SLUG, chapter:N or ask:QUESTION; it was \"{}\".",
                    raw.chars().take(60).collect::<String>()
                ),
            )
        };
        if raw == "story" {
            return Ok(Part::Story);
        }
        let (kind, rest) = raw.split_once(':').ok_or_else(bad)?;
        match kind {
            "answer" if !rest.is_empty() => Ok(Part::Answer(rest.to_string())),
            "chapter" => rest
                .parse::<u32>()
                .ok()
                .filter(|n| *n >= 1)
                .map(Part::Chapter)
                .ok_or_else(bad),
            "ask" => Ok(Part::Ask(ask::checked_question(Some(rest))?)),
            _ => Err(bad()),
        }
    }

    fn key(&self) -> String {
        match self {
            Part::Story => "story".into(),
            Part::Answer(s) => format!("answer:{s}"),
            Part::Chapter(n) => format!("chapter:{n}"),
            Part::Ask(q) => format!("ask:{q}"),
        }
    }

    fn file_name(&self) -> String {
        match self {
            Part::Story => "story-so-far".into(),
            Part::Answer(s) => format!(
                "answer-{}",
                s.chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect::<String>()
            ),
            Part::Chapter(n) => format!("chapter-{n}"),
            Part::Ask(_) => "answer".into(),
        }
    }
}

/// The text a part is read from, as units (sentences or paragraphs).
async fn units_of(
    st: &AppState,
    r: &Ready,
    part: &Part,
) -> Result<(String, Vec<String>), AppError> {
    let text = &r.loaded.text;
    let past = || {
        AppError::NotFound(
            "That part is past your place in the book, or the book has no such part; lift the guard (reveal=all) to hear it.".into(),
        )
    };
    match part {
        Part::Story => {
            let story = insights::story(st, r.work, &r.sha, &r.loaded, r.guard).await;
            let mut units: Vec<String> = story
                .iter()
                .filter(|p| r.guard.allows(**p))
                .filter_map(|p| quire_insight::sentence_at(text, *p).map(str::to_string))
                .collect();
            if units.is_empty() {
                return Err(AppError::NotFound(
                    "There is no story so far to read yet: it starts once you are past the first chapter.".into(),
                ));
            }
            units.insert(0, "The story so far.".into());
            Ok(("The story so far".into(), units))
        }
        Part::Answer(slug) => {
            let story = insights::story(st, r.work, &r.sha, &r.loaded, r.guard).await;
            let page = insights::build(r.work, &r.loaded, &r.facts, &story, r.guard, r.point);
            let a = page
                .faq
                .into_iter()
                .find(|a| a.slug == slug.as_str())
                .ok_or_else(|| {
                    AppError::NotFound(format!(
                        "The page has no question \"{slug}\"; its questions are linked from the insight page."
                    ))
                })?;
            if a.hidden || a.lines.is_empty() {
                return Err(past());
            }
            let mut units = vec![a.question.clone()];
            units.extend(a.lines.iter().map(|l| match &l.quote {
                Some(q) if l.lead.is_empty() => q.clone(),
                Some(q) => format!("{} \u{201c}{q}\u{201d}", l.lead),
                None => l.lead.clone(),
            }));
            Ok((a.question, units))
        }
        Part::Chapter(n) => {
            let story = Vec::new();
            let page = insights::build(r.work, &r.loaded, &r.facts, &story, r.guard, r.point);
            let c = page
                .chapters
                .into_iter()
                .nth(*n as usize - 1)
                .ok_or_else(past)?;
            let mut units = vec![format!("{}.", c.label)];
            units.extend(c.summary.into_iter().filter_map(|l| l.quote));
            Ok((c.label, units))
        }
        Part::Ask(q) => {
            let a = ask::answer(st, r, q, ASK_PASSAGES).await?;
            let mut units = Vec::new();
            if !a.question.is_empty() {
                units.push(format!("You asked: {}", a.question));
            }
            if let Some(m) = &a.message {
                units.push(m.clone());
            }
            for h in &a.hits {
                units.push(format!("From {}.", h.chapter));
                units.extend(h.text.split("\n\n").map(str::to_string));
            }
            Ok(("Your answer".into(), units))
        }
    }
}

/// What is read aloud for one part.
#[derive(Serialize)]
pub struct PartText {
    pub part: String,
    pub title: String,
    pub guard: &'static str,
    pub voice: String,
    /// Exactly the text given to the voice.
    pub text: String,
    /// Whether the part was longer than a recording takes: then only its
    /// first `units_read` sentences or paragraphs are read, and the
    /// recording says so at its end.
    pub truncated: bool,
    pub units_read: usize,
    pub units: usize,
}

fn spoken(units: &[String], max_chars: usize) -> (String, usize, bool) {
    let mut text = String::new();
    let mut read = 0;
    for u in units {
        let u = u.split_whitespace().collect::<Vec<_>>().join(" ");
        if u.is_empty() {
            read += 1;
            continue;
        }
        let n = text.chars().count() + u.chars().count() + 1;
        if n > max_chars && read > 0 {
            break;
        }
        if !text.is_empty() {
            text.push('\n');
        }
        // A single unit longer than the cap is cut at a word.
        if u.chars().count() > max_chars {
            let cut: String = u.chars().take(max_chars).collect();
            let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
            text.push_str(cut);
        } else {
            text.push_str(&u);
        }
        read += 1;
    }
    let truncated = read < units.len();
    if truncated {
        text.push_str(&format!(
            "\nThis recording stops here, after {read} of {} passages; the rest is on the page.",
            units.len()
        ));
    }
    (text, read, truncated)
}

fn guard_key(g: Guard) -> String {
    match g {
        Guard::Lifted => "all".into(),
        Guard::Before(p) => format!("{}.{}.{}", p.section, p.paragraph, p.sentence),
    }
}

#[derive(Deserialize, Default)]
pub struct AudioQuery {
    part: Option<String>,
    voice: Option<String>,
    reveal: Option<String>,
    download: Option<String>,
}

/// The voice asked for, installed: 404 for a name Quire does not know,
/// 503 with the install command for one not installed here.
fn chosen_voice(raw: Option<&str>) -> Result<VoiceInfo, AppError> {
    let list = voices().list();
    let id = match raw.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => v.to_string(),
        None => default_voice().ok_or_else(|| AppError::Unavailable {
            message: format!(
                "No voice is installed on this server. Install espeak-ng with `{}`, and the neural voice with `{}`.",
                quire_voice::INSTALL_ESPEAK,
                quire_voice::INSTALL_NEURAL
            ),
            retry_after: 3_600,
        })?,
    };
    let v = list.into_iter().find(|v| v.id == id).ok_or_else(|| {
        AppError::bad(
            "voice",
            format!(
                "There is no voice \"{id}\" (voice); the voices are {}.",
                voices()
                    .list()
                    .iter()
                    .map(|v| v.id.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })?;
    if !v.available {
        return Err(AppError::Unavailable {
            message: format!(
                "The voice {} is not installed on this server. An administrator can install it with: {}",
                v.label,
                v.install.as_deref().unwrap_or(quire_voice::INSTALL_ESPEAK)
            ),
            retry_after: 3_600,
        });
    }
    Ok(v)
}

/// The part, the voice and the reader's guard a request asks for.
async fn prepare(
    st: &AppState,
    work: WorkId,
    viewer: &Viewer,
    q: &AudioQuery,
) -> Result<(Ready, Part, VoiceInfo), AppError> {
    let part = Part::parse(q.part.as_deref().unwrap_or_default().trim())?;
    let voice = chosen_voice(q.voice.as_deref())?;
    let r = ask::ready(st, work, viewer, q.reveal.as_deref() == Some("all")).await?;
    Ok((r, part, voice))
}

/// The text read aloud for a part, as the voice will be given it.
async fn text_of(
    st: &AppState,
    r: &Ready,
    part: &Part,
    voice: &VoiceInfo,
) -> Result<PartText, AppError> {
    let (title, units) = units_of(st, r, part).await?;
    let max = match voice.kind {
        VoiceKind::Neural => NEURAL_CHARS,
        VoiceKind::Formant => FORMANT_CHARS,
    };
    let (text, read, truncated) = spoken(&units, max);
    let t = PartText {
        part: part.key(),
        title,
        guard: match r.guard {
            Guard::Lifted => "lifted",
            Guard::Before(_) => "before_your_place",
        },
        voice: voice.id.clone(),
        text,
        truncated,
        units_read: read,
        units: units.len(),
    };
    Ok(t)
}

/// `GET /api/v1/books/{id}/insights/audio-text?part=…&voice=…`: exactly the
/// text the audio route would read for this reader, so what is spoken can
/// be checked without listening.
pub async fn audio_text_api(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    viewer: Viewer,
    Query(q): Query<AudioQuery>,
) -> Result<Json<PartText>, AppError> {
    let (r, part, voice) = prepare(&st, work, &viewer, &q).await?;
    Ok(Json(text_of(&st, &r, &part, &voice).await?))
}

/// `GET /api/v1/voices`: every voice, installed or not, with the command
/// that installs a missing one.
pub async fn voices_api() -> Json<serde_json::Value> {
    let list: Vec<_> = voice_choices()
        .into_iter()
        .map(|v| {
            serde_json::json!({
                "id": v.id, "label": v.label, "kind": v.kind,
                "available": v.available, "install": v.install, "default": v.chosen,
            })
        })
        .collect();
    Json(serde_json::json!({ "voices": list }))
}

async fn synthesise(
    st: &AppState,
    key: AudioKey,
    voice: &VoiceInfo,
    text: String,
) -> Result<Arc<Vec<u8>>, AppError> {
    let cap = match voice.kind {
        VoiceKind::Neural => st.audio.neural.clone(),
        VoiceKind::Formant => st.audio.formant.clone(),
    };
    let cache = st.audio.cache.clone();
    let id = voice.id.clone();
    let k = key.clone();
    st.audio
        .cache
        .try_get_with(key, async move {
            // A task of its own: if this request gives up, the audio is
            // still made and kept for the next.
            let task = tokio::spawn(async move {
                let _permit = cap.acquire_owned().await.map_err(|e| e.to_string())?;
                let audio = tokio::task::spawn_blocking(move || voices().synthesise(&id, &text))
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| e.to_string())?;
                let wav = Arc::new(audio.wav);
                cache.insert(k, wav.clone()).await;
                Ok::<_, String>(wav)
            });
            task.await.map_err(|e| e.to_string())?
        })
        .await
        .map_err(|e: Arc<String>| {
            AppError::internal(
                format!("The part could not be read aloud: {e}."),
                std::io::Error::other(e.to_string()),
            )
        })
}

/// A single `bytes=` range of a body of `len` bytes, as (start, end
/// inclusive); `None` for no or an unusable header (the whole body is
/// sent), `Err` for one that lies past the end.
fn range(headers: &HeaderMap, len: usize) -> Result<Option<(usize, usize)>, ()> {
    let Some(raw) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    let Some(spec) = raw.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') || len == 0 {
        return Ok(None);
    }
    let Some((a, b)) = spec.split_once('-') else {
        return Ok(None);
    };
    let (a, b) = (a.trim(), b.trim());
    let (start, end) = if a.is_empty() {
        let n: usize = b.parse().map_err(|_| ())?;
        if n == 0 {
            return Err(());
        }
        (len.saturating_sub(n), len - 1)
    } else {
        let s: usize = a.parse().map_err(|_| ())?;
        let e = if b.is_empty() {
            len - 1
        } else {
            b.parse::<usize>().map_err(|_| ())?.min(len - 1)
        };
        (s, e)
    };
    if start >= len || start > end {
        return Err(());
    }
    Ok(Some((start, end)))
}

/// `GET /books/{id}/insights/audio?part=…&voice=…`: the part read aloud, as
/// a WAV file; `Range` requests are answered for scrubbing, and
/// `download=1` makes it a download.
pub async fn audio(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    viewer: Viewer,
    headers: HeaderMap,
    Query(q): Query<AudioQuery>,
) -> Result<Response, AppError> {
    let (r, part, voice) = prepare(&st, work, &viewer, &q).await?;
    let key = (
        work,
        r.sha.clone(),
        part.key(),
        guard_key(r.guard),
        voice.id.clone(),
    );
    // A part heard before is not made again, nor is its text.
    let wav = match st.audio.cache.get(&key).await {
        Some(wav) => wav,
        None => {
            let t = text_of(&st, &r, &part, &voice).await?;
            synthesise(&st, key, &voice, t.text).await?
        }
    };
    let len = wav.len();
    let mut h = HeaderMap::new();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("audio/wav"));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    // The audio depends on the reader's place: never shared.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    if q.download.as_deref() == Some("1") {
        let name = format!("{}-{}.wav", part.file_name(), voice.id);
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    match range(&headers, len) {
        Ok(None) => {
            h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
            Ok((StatusCode::OK, h, wav.to_vec()).into_response())
        }
        Ok(Some((s, e))) => {
            h.insert(header::CONTENT_LENGTH, HeaderValue::from(e - s + 1));
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {s}-{e}/{len}")) {
                h.insert(header::CONTENT_RANGE, v);
            }
            Ok((StatusCode::PARTIAL_CONTENT, h, wav[s..=e].to_vec()).into_response())
        }
        Err(()) => {
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                h.insert(header::CONTENT_RANGE, v);
            }
            h.remove(header::CONTENT_TYPE);
            Ok((StatusCode::RANGE_NOT_SATISFIABLE, h).into_response())
        }
    }
}

// ---------------------------------------------------------------- the page

/// One part with its player.
pub struct Listenable {
    pub title: String,
    pub src: String,
    pub download: String,
}

#[derive(Template)]
#[template(path = "books/listen.html")]
struct ListenPage {
    layout: Layout,
    title: String,
    book_href: String,
    insights_href: String,
    reveal: bool,
    voices: Vec<VoiceChoice>,
    voice: Option<VoiceChoice>,
    parts: Vec<Listenable>,
}

#[derive(Template)]
#[template(path = "books/_listen_parts.html")]
struct ListenParts {
    voice: Option<VoiceChoice>,
    parts: Vec<Listenable>,
}

/// `GET /books/{id}/insights/listen?voice=…`: every part the reader may
/// hear, each with a player and a download link, in the chosen voice; for
/// htmx, the players alone.
pub async fn listen_page(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    viewer: Viewer,
    HxRequest(htmx): HxRequest,
    Query(q): Query<AudioQuery>,
) -> Result<Html<String>, AppError> {
    let reveal = q.reveal.as_deref() == Some("all");
    let r = ask::ready(&st, work, &viewer, reveal).await?;
    let asked = q
        .voice
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .or_else(default_voice);
    let all = choices(asked.as_deref());
    let voice = all.iter().find(|v| v.chosen).cloned();
    let mut parts = Vec::new();
    if let Some(v) = voice.as_ref().filter(|v| v.available) {
        let href = |part: &str| {
            let mut s = form_urlencoded::Serializer::new(String::new());
            s.append_pair("part", part);
            s.append_pair("voice", &v.id);
            if reveal {
                s.append_pair("reveal", "all");
            }
            format!("/books/{work}/insights/audio?{}", s.finish())
        };
        let story = insights::story(&st, work, &r.sha, &r.loaded, r.guard).await;
        let built = insights::build(work, &r.loaded, &r.facts, &story, r.guard, r.point);
        let mut push = |title: String, part: String| {
            let src = href(&part);
            parts.push(Listenable {
                download: format!("{src}&download=1"),
                src,
                title,
            });
        };
        if !story.is_empty() {
            push("The story so far".into(), "story".into());
        }
        for a in built
            .faq
            .iter()
            .filter(|a| !a.hidden && !a.lines.is_empty())
        {
            push(a.question.clone(), format!("answer:{}", a.slug));
        }
        for (n, c) in built.chapters.iter().enumerate() {
            if !c.summary.is_empty() {
                push(
                    format!("{}: summary", c.label),
                    format!("chapter:{}", n + 1),
                );
            }
        }
    }
    if htmx {
        return page(&ListenParts { voice, parts });
    }
    page(&ListenPage {
        layout: Layout::for_user(viewer.0.as_ref()),
        title: r.facts.facts.title.clone(),
        book_href: format!("/books/{work}"),
        insights_href: format!("/books/{work}/insights"),
        reveal,
        voices: all,
        voice,
        parts,
    })
}
