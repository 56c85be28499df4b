//! Flashcards on the web (issue 8, "memory cues"): a member's deck of a
//! book (`/books/{id}/cards`), the review screen (one card at a time, the
//! four FSRS ratings as buttons of a form, a small script for the
//! keyboard), the Anki file (`/books/{id}/cards.txt`) and the JSON twins
//! under `/api/v1/books/{id}/cards`.
//!
//! The cards are drawn from the book's text by `quire_insight::cards`, with
//! stable ids; storage keeps only each member's review state per card id
//! (`quire_storage::cards`). Every route shows only cards whose sentence is
//! before the reader's place (the insight page's `guard_for`; a visitor is
//! at the start), on the page, in the JSON and in the export alike. The
//! guard is never lifted on request here: only finishing the book opens
//! the whole deck. A card reviewed earlier that is now past the place (the
//! reader moved back) is left out, states and all, until they reach it
//! again.
//!
//! What comes next on the review screen: the cards due now, soonest first;
//! then new cards in the book's order, at most [`NEW_PER_DAY`] first
//! reviews a day (a UTC day) per book, as Anki's default; then nothing
//! until the next is due.

use super::insights::{Loaded, passage_href};
use crate::AppState;
use crate::auth::{Member, Viewer};
use crate::error::AppError;
use crate::input::{Form, Json, Query};
use crate::paths::WorkPath;
use crate::view::{Layout, page, plural};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use moka::future::Cache;
use quire_domain::position::Point;
use quire_domain::{UserId, WorkId};
use quire_insight::{Card, CardKind, CardState, Rating, Schedule};
use quire_storage::cards::{self as store, CardRating, Deck, Recorded, ReviewState, Seen};
use quire_storage::now;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use time::OffsetDateTime;

/// First reviews a member may make per book and day: new cards wait
/// beyond this, so a long book does not bury its reader on the first day.
pub const NEW_PER_DAY: u32 = 20;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/books/{id}/cards", get(deck_page))
        .route(
            "/books/{id}/cards/review",
            get(review_page).post(review_form),
        )
        .route("/books/{id}/cards.txt", get(anki_file))
        .route("/api/v1/books/{id}/cards", get(deck_api))
        .route("/api/v1/books/{id}/cards/{card}/review", post(review_api))
}

/// Each book's whole deck, drawn once per text (keyed by its digest).
pub struct CardCache {
    decks: Cache<(WorkId, String), Arc<Vec<Card>>>,
}

impl Default for CardCache {
    fn default() -> Self {
        CardCache {
            // A novel's deck is a few hundred cards of a sentence each.
            decks: Cache::builder().max_capacity(200).build(),
        }
    }
}

/// A reader's view of a book's deck: the cards before their place, with
/// their review states (none for a visitor).
struct Drawn {
    title: String,
    loaded: Arc<Loaded>,
    point: Point,
    /// In the book's order.
    cards: Vec<Card>,
    deck: Deck,
}

/// The cards up to the viewer's place, and (for a member) their states.
async fn draw(st: &AppState, work: WorkId, viewer: &Viewer) -> Result<Drawn, AppError> {
    let super::insights::Ready {
        info,
        loaded,
        facts,
        guard,
        point,
        ..
    } = super::insights::ready(st, work, viewer, false, "flashcards").await?;
    let l = loaded.clone();
    let all = st
        .cards
        .decks
        .get_with((work, info.version.sha256.clone()), async move {
            let drawn = tokio::task::spawn_blocking(move || {
                quire_insight::cards(&l.text, &l.analysis, None)
            })
            .await;
            Arc::new(drawn.unwrap_or_default())
        })
        .await;
    let cards: Vec<Card> = all
        .iter()
        .filter(|c| guard.allows(c.place))
        .cloned()
        .collect();
    let deck = match &viewer.0 {
        Some(u) => store::deck(&st.db, u.user_id(), work).await?,
        None => Deck::default(),
    };
    Ok(Drawn {
        title: facts.facts.title.clone(),
        loaded,
        point,
        cards,
        deck,
    })
}

fn day_start(at: OffsetDateTime) -> OffsetDateTime {
    at.to_offset(time::UtcOffset::UTC)
        .replace_time(time::Time::MIDNIGHT)
}

/// How a reader's deck stands now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Cards up to the reader's place.
    pub total: u32,
    /// Never reviewed.
    pub new: u32,
    /// Of the new ones, how many may still be started today.
    pub new_today: u32,
    /// Reviewed, and due now.
    pub due: u32,
    /// Reviewed, and not due yet.
    pub learned: u32,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Drawn {
    fn state(&self, card: &Card) -> Option<&ReviewState> {
        self.deck.states.get(&card.id)
    }

    fn new_left_today(&self, at: OffsetDateTime) -> u32 {
        NEW_PER_DAY.saturating_sub(self.deck.new_since(day_start(at)))
    }

    fn counts(&self, at: OffsetDateTime) -> Counts {
        let mut c = Counts {
            total: count(self.cards.len()),
            ..Counts::default()
        };
        for card in &self.cards {
            match self.state(card) {
                None => c.new += 1,
                Some(s) if s.due <= at => c.due += 1,
                Some(_) => c.learned += 1,
            }
        }
        c.new_today = c.new.min(self.new_left_today(at));
        c
    }

    /// The card to review next: the most overdue, else the first new one
    /// in the book while today's new cards last.
    fn next(&self, at: OffsetDateTime) -> Option<&Card> {
        let due = self
            .cards
            .iter()
            .filter_map(|c| self.state(c).map(|s| (s.due, c)))
            .filter(|(d, _)| *d <= at)
            .min_by(|a, b| a.0.cmp(&b.0).then(a.1.place.cmp(&b.1.place)));
        if let Some((_, c)) = due {
            return Some(c);
        }
        if self.new_left_today(at) == 0 {
            return None;
        }
        self.cards.iter().find(|c| self.state(c).is_none())
    }

    /// When the next card falls due, if none is due now.
    fn next_due(&self) -> Option<OffsetDateTime> {
        self.cards
            .iter()
            .filter_map(|c| self.state(c).map(|s| s.due))
            .min()
    }

    fn find(&self, id: &str) -> Option<&Card> {
        self.cards.iter().find(|c| c.id == id)
    }

    fn chapter(&self, card: &Card) -> String {
        quire_insight::section_name(&self.loaded.text, card.section())
    }
}

fn rating_of(r: Rating) -> CardRating {
    match r {
        Rating::Again => CardRating::Again,
        Rating::Hard => CardRating::Hard,
        Rating::Good => CardRating::Good,
        Rating::Easy => CardRating::Easy,
    }
}

fn parse_rating(s: &str) -> Result<Rating, AppError> {
    match s.trim().to_ascii_lowercase().as_str() {
        "again" | "1" => Ok(Rating::Again),
        "hard" | "2" => Ok(Rating::Hard),
        "good" | "3" => Ok(Rating::Good),
        "easy" | "4" => Ok(Rating::Easy),
        other => Err(AppError::bad(
            "rating",
            format!(
                "\"{}\" is not a rating: rate a card again, hard, good or easy.",
                other.chars().take(40).collect::<String>()
            ),
        )),
    }
}

fn not_in_deck(card: &str) -> AppError {
    AppError::NotFound(format!(
        "There is no card \"{}\" in your deck of this book up to your place. Cards past your place join the deck when you reach them.",
        card.chars().take(40).collect::<String>()
    ))
}

/// One rating of one card, against the state the reviewer saw.
struct Rate<'a> {
    card: &'a str,
    rating: Rating,
    seen: SeenForm,
}

/// Store a review made at `at`, if the card is in the reader's deck and
/// its state is still the one they rated. Returns whether it counted and
/// the state it stored (or, when it did not count, the one it found).
async fn review(
    st: &AppState,
    user: UserId,
    work: WorkId,
    d: &Drawn,
    rate: Rate<'_>,
    at: OffsetDateTime,
) -> Result<(Recorded, Option<ReviewState>), AppError> {
    let Rate { card, rating, seen } = rate;
    let card = d.find(card).ok_or_else(|| not_in_deck(card))?;
    let current = d.state(card);
    let seen = match seen {
        SeenForm::Current => current.map(ReviewState::seen),
        SeenForm::New => None,
        SeenForm::At(s) => Some(s),
    };
    // The reviewer rated a state that has moved on: this is a repeat.
    if current.map(ReviewState::seen) != seen {
        return Ok((Recorded::AlreadyRecorded, current.cloned()));
    }
    let schedule = Schedule::new(quire_insight::DEFAULT_RETENTION)
        .map_err(|e| AppError::internal("The review scheduler could not start.", e))?;
    let before = current.map(card_state);
    let next = schedule.review(before.as_ref(), rating, at).map_err(|e| {
        AppError::internal(
            format!("Card {} could not be scheduled: {e}", card.id),
            e.to_string(),
        )
    })?;
    let stored = ReviewState {
        stability: f64::from(next.stability),
        difficulty: f64::from(next.difficulty),
        due: next.due,
        last_review: next.last_review,
        first_review: current.map_or(at, |s| s.first_review),
        reps: next.reviews,
        lapses: next.lapses,
        last_rating: rating_of(rating),
    };
    let done = store::record(&st.db, user, work, &card.id, seen, &stored).await?;
    Ok((done, Some(stored)))
}

/// What state a rating was given against.
enum SeenForm {
    /// Whatever is stored now (an API client that does not say).
    Current,
    /// The card was new.
    New,
    At(Seen),
}

impl SeenForm {
    /// "new", or "REPS-UNIXTIME" as the review form writes it.
    fn parse(raw: Option<&str>) -> Result<SeenForm, AppError> {
        let bad = || {
            AppError::bad(
                "seen",
                "The review form was damaged (its \"seen\" field); open the review screen again.",
            )
        };
        match raw.map(str::trim) {
            None | Some("") => Ok(SeenForm::Current),
            Some("new") => Ok(SeenForm::New),
            Some(s) => {
                let (reps, t) = s.split_once('-').ok_or_else(bad)?;
                let reps = reps.parse().map_err(|_| bad())?;
                let t: i64 = t.parse().map_err(|_| bad())?;
                let last_review = OffsetDateTime::from_unix_timestamp(t).map_err(|_| bad())?;
                Ok(SeenForm::At(Seen { reps, last_review }))
            }
        }
    }
}

fn seen_field(state: Option<&ReviewState>) -> String {
    match state {
        None => "new".into(),
        Some(s) => format!("{}-{}", s.reps, s.last_review.unix_timestamp()),
    }
}

/// "in 10 minutes", "in 3 days".
fn wait_words(from: OffsetDateTime, to: OffsetDateTime) -> String {
    let d = to - from;
    if d.whole_minutes() < 1 {
        "now".into()
    } else if d.whole_hours() < 1 {
        format!("in {}", plural(d.whole_minutes(), "minute", "minutes"))
    } else if d.whole_days() < 1 {
        format!("in {}", plural(d.whole_hours(), "hour", "hours"))
    } else {
        format!("in {}", plural(d.whole_days(), "day", "days"))
    }
}

fn kind_words(k: CardKind) -> &'static str {
    match k {
        CardKind::Cloze => "Fill in the blank",
        CardKind::Character => "Who is this?",
        CardKind::Quotation => "Which chapter is this from?",
        CardKind::Event => "In which chapter does this happen?",
    }
}

fn place_line(d: &Drawn) -> String {
    if d.point == Point::FINISHED {
        "You have finished this book, so the whole deck is yours.".into()
    } else if d.point == Point::START {
        "You have not started this book here, so the deck holds only cards from its opening, if any.".into()
    } else {
        format!(
            "You are {}% of the way through: the deck holds cards from before your place only, and grows as you read.",
            d.point.percent()
        )
    }
}

// ------------------------------------------------------------------ pages

#[derive(Template)]
#[template(path = "books/cards.html")]
struct DeckTemplate {
    layout: Layout,
    book_href: String,
    title: String,
    place_line: String,
    signed_in: bool,
    counts: Counts,
    can_review: bool,
    next_due: Option<String>,
    new_per_day: u32,
}

/// `GET /books/{id}/cards`: the reader's deck at a glance.
pub async fn deck_page(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    viewer: Viewer,
) -> Result<Html<String>, AppError> {
    let d = draw(&st, work, &viewer).await?;
    let at = now();
    let counts = d.counts(at);
    page(&DeckTemplate {
        layout: Layout::for_user(viewer.0.as_ref()),
        book_href: format!("/books/{work}"),
        title: d.title.clone(),
        place_line: place_line(&d),
        signed_in: viewer.0.is_some(),
        can_review: d.next(at).is_some(),
        next_due: d.next_due().filter(|t| *t > at).map(|t| wait_words(at, t)),
        counts,
        new_per_day: NEW_PER_DAY,
    })
}

#[derive(Template)]
#[template(path = "books/cards_review.html")]
struct ReviewTemplate {
    layout: Layout,
    book_href: String,
    title: String,
    counts: Counts,
    card: Option<CardView>,
    /// The answer is shown without the script (after "Show answer").
    open: bool,
    last: Option<String>,
    next_due: Option<String>,
    new_per_day: u32,
}

struct CardView {
    id: String,
    kind: &'static str,
    prompt: String,
    answer: String,
    chapter: String,
    source_href: String,
    seen: String,
    /// For each rating: value, label, key, when it would come back.
    ratings: Vec<(&'static str, &'static str, u8, String)>,
    show_href: String,
}

#[derive(Deserialize, Default)]
pub struct ReviewQuery {
    /// Show this card with its answer (the "Show answer" link).
    card: Option<String>,
    /// The card just rated, to say when it comes back.
    rated: Option<String>,
}

/// A stored review state as the scheduler reads it.
fn card_state(s: &ReviewState) -> CardState {
    CardState {
        stability: s.stability as f32,
        difficulty: s.difficulty as f32,
        last_review: s.last_review,
        due: s.due,
        reviews: s.reps,
        lapses: s.lapses,
    }
}

/// When each rating would bring the card back, shown on its button.
fn previews(state: Option<&ReviewState>, at: OffsetDateTime) -> Vec<String> {
    let before = state.map(card_state);
    let Ok(schedule) = Schedule::new(quire_insight::DEFAULT_RETENTION) else {
        return vec![String::new(); 4];
    };
    [Rating::Again, Rating::Hard, Rating::Good, Rating::Easy]
        .into_iter()
        .map(|r| {
            schedule
                .review(before.as_ref(), r, at)
                .map(|n| wait_words(at, n.due))
                .unwrap_or_default()
        })
        .collect()
}

/// `GET /books/{id}/cards/review`: the next card (members only).
pub async fn review_page(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    member: Member,
    Query(q): Query<ReviewQuery>,
) -> Result<Html<String>, AppError> {
    let viewer = Viewer(Some(member.0.clone()));
    let d = draw(&st, work, &viewer).await?;
    let at = now();
    let (card, open) = match q.card.as_deref() {
        Some(id) => (Some(d.find(id).ok_or_else(|| not_in_deck(id))?), true),
        None => (d.next(at), false),
    };
    let base = format!("/books/{work}/cards/review");
    let card = card.map(|c| {
        let state = d.state(c);
        let waits = previews(state, at);
        let labels = [
            ("again", "Again"),
            ("hard", "Hard"),
            ("good", "Good"),
            ("easy", "Easy"),
        ];
        CardView {
            id: c.id.clone(),
            kind: kind_words(c.kind),
            prompt: c.prompt.clone(),
            answer: c.answer.clone(),
            chapter: d.chapter(c),
            source_href: passage_href(work, c.place),
            seen: seen_field(state),
            ratings: labels
                .iter()
                .zip(waits)
                .zip(1u8..)
                .map(|(((v, l), w), k)| (*v, *l, k, w))
                .collect(),
            show_href: format!("{base}?card={}#answer", c.id),
        }
    });
    let last = q.rated.as_deref().and_then(|id| {
        let c = d.find(id)?;
        let s = d.state(c)?;
        Some(format!(
            "Rated {}: that card comes back {}.",
            s.last_rating.as_str(),
            wait_words(at, s.due)
        ))
    });
    page(&ReviewTemplate {
        layout: Layout::for_user(Some(&member.0)),
        book_href: format!("/books/{work}"),
        title: d.title.clone(),
        counts: d.counts(at),
        card,
        open,
        last,
        next_due: d.next_due().filter(|t| *t > at).map(|t| wait_words(at, t)),
        new_per_day: NEW_PER_DAY,
    })
}

#[derive(Deserialize)]
pub struct ReviewForm {
    card: String,
    rating: String,
    #[serde(default)]
    seen: Option<String>,
}

/// `POST /books/{id}/cards/review`: rate a card, then on to the next
/// (a redirect, so reloading does not rate again).
pub async fn review_form(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    member: Member,
    Form(f): Form<ReviewForm>,
) -> Result<Redirect, AppError> {
    let rating = parse_rating(&f.rating)?;
    let seen = SeenForm::parse(f.seen.as_deref())?;
    let viewer = Viewer(Some(member.0.clone()));
    let d = draw(&st, work, &viewer).await?;
    let rate = Rate {
        card: &f.card,
        rating,
        seen,
    };
    review(&st, member.id(), work, &d, rate, now()).await?;
    Ok(Redirect::to(&format!(
        "/books/{work}/cards/review?rated={}",
        f.card
    )))
}

/// `GET /books/{id}/cards.txt`: the cards up to the reader's place as a
/// file Anki imports (visitors get the cards before the start: usually
/// none).
pub async fn anki_file(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    viewer: Viewer,
) -> Result<Response, AppError> {
    let d = draw(&st, work, &viewer).await?;
    let body = quire_insight::anki_export(&d.loaded.text, &d.title, &d.cards);
    let slug: String = quire_domain::text::slugify(&d.title);
    let name = if slug.is_empty() {
        "flashcards.txt".to_string()
    } else {
        format!("{slug}-flashcards.txt")
    };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/plain; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        body,
    )
        .into_response())
}

// ------------------------------------------------------------------- JSON

#[derive(Serialize)]
pub struct PlaceJson {
    pub section: u32,
    pub paragraph: u32,
    pub sentence: u32,
}

#[derive(Serialize)]
pub struct StateJson {
    pub due: String,
    pub due_now: bool,
    pub last_review: String,
    pub last_rating: &'static str,
    pub reviews: u32,
    pub lapses: u32,
    pub stability: f64,
    pub difficulty: f64,
}

#[derive(Serialize)]
pub struct CardJson {
    pub id: String,
    pub kind: CardKind,
    pub prompt: String,
    pub answer: String,
    pub chapter: String,
    pub place: PlaceJson,
    /// Where the card's sentence is, 0 to 10000 on the clubs' scale.
    pub point: u16,
    pub source: String,
    /// Null for a new card (and for every card of a visitor).
    pub state: Option<StateJson>,
}

#[derive(Serialize)]
pub struct DeckJson {
    pub work: String,
    pub title: String,
    pub reader_point: u16,
    pub new_per_day: u32,
    pub counts: Counts,
    /// The card the review screen would show now.
    pub next: Option<String>,
    pub cards: Vec<CardJson>,
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn state_json(s: &ReviewState, at: OffsetDateTime) -> StateJson {
    StateJson {
        due: rfc3339(s.due),
        due_now: s.due <= at,
        last_review: rfc3339(s.last_review),
        last_rating: s.last_rating.as_str(),
        reviews: s.reps,
        lapses: s.lapses,
        stability: s.stability,
        difficulty: s.difficulty,
    }
}

/// `GET /api/v1/books/{id}/cards`: the cards up to the reader's place with
/// each one's state.
pub async fn deck_api(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    viewer: Viewer,
) -> Result<Json<DeckJson>, AppError> {
    let d = draw(&st, work, &viewer).await?;
    let at = now();
    let cards = d
        .cards
        .iter()
        .map(|c| CardJson {
            id: c.id.clone(),
            kind: c.kind,
            prompt: c.prompt.clone(),
            answer: c.answer.clone(),
            chapter: d.chapter(c),
            place: PlaceJson {
                section: c.place.section,
                paragraph: c.place.paragraph,
                sentence: c.place.sentence,
            },
            point: d.loaded.text.point_of(c.place).value(),
            source: passage_href(work, c.place),
            state: d.state(c).map(|s| state_json(s, at)),
        })
        .collect();
    Ok(Json(DeckJson {
        work: work.to_string(),
        title: d.title.clone(),
        reader_point: d.point.value(),
        new_per_day: NEW_PER_DAY,
        counts: d.counts(at),
        next: d.next(at).map(|c| c.id.clone()),
        cards,
    }))
}

#[derive(Deserialize)]
pub struct ReviewBody {
    /// again, hard, good or easy.
    rating: String,
    /// The state the rating answers: "new", or "REPS-UNIXTIME" of the
    /// card's last review (as the deck's JSON gives it). Without it the
    /// rating answers whatever is stored when it arrives.
    #[serde(default)]
    seen: Option<String>,
}

#[derive(Serialize)]
pub struct ReviewJson {
    pub card: String,
    /// False when the same review had already been counted.
    pub counted: bool,
    pub state: Option<StateJson>,
}

/// `POST /api/v1/books/{id}/cards/{card}/review` `{"rating": "good"}`.
pub async fn review_api(
    State(st): State<AppState>,
    WorkPath(work): WorkPath,
    Path((_, card)): Path<(String, String)>,
    member: Member,
    Json(body): Json<ReviewBody>,
) -> Result<Json<ReviewJson>, AppError> {
    let rating = parse_rating(&body.rating)?;
    let seen = SeenForm::parse(body.seen.as_deref())?;
    let viewer = Viewer(Some(member.0.clone()));
    let d = draw(&st, work, &viewer).await?;
    let at = now();
    let rate = Rate {
        card: &card,
        rating,
        seen,
    };
    let (done, state) = review(&st, member.id(), work, &d, rate, at).await?;
    let state = if done == Recorded::Counted {
        state
    } else {
        // Show what is stored, not what this request would have stored.
        store::deck(&st.db, member.id(), work)
            .await?
            .states
            .remove(&card)
    };
    Ok(Json(ReviewJson {
        card,
        counted: done == Recorded::Counted,
        state: state.as_ref().map(|s| state_json(s, at)),
    }))
}
