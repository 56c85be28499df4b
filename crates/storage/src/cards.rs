//! Flashcard reviews (issue 8, "memory cues"): each member's review state
//! of each card of a work's deck, keyed by the card's id.
//!
//! The cards are drawn from the book's text by `quire-insight` with ids
//! that stay the same when the text is analysed again, so only what a
//! member has done with them is stored here. Which cards a member may see
//! (nothing past their place in the book) is decided above, in Rust, from
//! the cards' places: this module reads a member's whole deck of states for
//! a work in one statement and lets the caller match them to the cards it
//! shows.
//!
//! A review is one conditional statement: it applies only if the card's
//! state is still the one the reviewer saw (same `reps` and `last_review`,
//! or no state for a new card), so the same review sent twice, at once or
//! one after the other, counts once.

use crate::{Db, Result, StorageError};
use quire_domain::{UserId, WorkId};
use std::collections::HashMap;
use time::OffsetDateTime;

/// A rating of a review, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CardRating {
    Again,
    Hard,
    Good,
    Easy,
}

impl CardRating {
    pub fn as_str(self) -> &'static str {
        match self {
            CardRating::Again => "again",
            CardRating::Hard => "hard",
            CardRating::Good => "good",
            CardRating::Easy => "easy",
        }
    }

    pub fn parse(s: &str) -> Option<CardRating> {
        Some(match s {
            "again" => CardRating::Again,
            "hard" => CardRating::Hard,
            "good" => CardRating::Good,
            "easy" => CardRating::Easy,
            _ => return None,
        })
    }
}

/// What a member's reviews of one card left: the FSRS memory state and
/// when the card is next due.
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewState {
    pub stability: f64,
    pub difficulty: f64,
    pub due: OffsetDateTime,
    pub last_review: OffsetDateTime,
    /// The first review, when the card stopped being new.
    pub first_review: OffsetDateTime,
    pub reps: u32,
    pub lapses: u32,
    pub last_rating: CardRating,
}

/// A member's states for one work's cards, by card id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Deck {
    pub states: HashMap<String, ReviewState>,
}

impl Deck {
    /// Cards first reviewed at or after `since` (the start of the member's
    /// day): the daily limit of new cards counts these.
    pub fn new_since(&self, since: OffsetDateTime) -> u32 {
        let n = self
            .states
            .values()
            .filter(|s| s.first_review >= since)
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

/// The state the reviewer saw before rating a card: none for a new card.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Seen {
    pub reps: u32,
    pub last_review: OffsetDateTime,
}

impl ReviewState {
    pub fn seen(&self) -> Seen {
        Seen {
            reps: self.reps,
            last_review: self.last_review,
        }
    }
}

/// Whole seconds in UTC: SQLite keeps times as text, which compares and
/// matches only when every value has the same form.
fn stored(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.replace_nanosecond(0).unwrap_or(t)
}

/// The longest card id accepted (`quire_insight::Card::id` is 16 hex
/// digits; the table checks the length too).
const CARD_ID_LEN: usize = 16;

fn check_card_id(card: &str) -> Result<()> {
    if card.len() == CARD_ID_LEN && card.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(StorageError::Conflict(format!(
            "\"{card}\" is not a card id: a card id is 16 hexadecimal digits, as the deck lists them"
        )))
    }
}

/// Every state of a member's deck for a work: one statement. A deck is a
/// book's cards (a few hundred at most), so it is read whole.
pub async fn deck(db: &Db, user: UserId, work: WorkId) -> Result<Deck> {
    #[derive(sqlx::FromRow)]
    struct Row {
        card_id: String,
        stability: f64,
        difficulty: f64,
        due_at: OffsetDateTime,
        last_review: OffsetDateTime,
        first_review: OffsetDateTime,
        reps: i64,
        lapses: i64,
        last_rating: String,
    }
    let rows: Vec<Row> = read!(
        db,
        sqlx::query_as(
            "SELECT card_id, stability, difficulty, due_at, last_review, first_review,
                    reps, lapses, last_rating
             FROM card_reviews WHERE user_id = $1 AND work_id = $2"
        )
        .bind(user)
        .bind(work.0),
        fetch_all
    )?;
    let mut states = HashMap::with_capacity(rows.len());
    for r in rows {
        let last_rating = CardRating::parse(&r.last_rating).ok_or_else(|| {
            StorageError::Corrupt(format!(
                "card_reviews.last_rating \"{}\" of card {}",
                r.last_rating, r.card_id
            ))
        })?;
        let count = |n: i64, what: &str| {
            u32::try_from(n).map_err(|_| {
                StorageError::Corrupt(format!("card_reviews.{what} {n} of card {}", r.card_id))
            })
        };
        let state = ReviewState {
            stability: r.stability,
            difficulty: r.difficulty,
            due: r.due_at,
            last_review: r.last_review,
            first_review: r.first_review,
            reps: count(r.reps, "reps")?,
            lapses: count(r.lapses, "lapses")?,
            last_rating,
        };
        states.insert(r.card_id, state);
    }
    Ok(Deck { states })
}

/// Card ids of a member's deck for a work that are due at `at`, soonest
/// first, at most `limit`. The caller still drops those past the member's
/// place, so it asks for more than it shows.
pub async fn due(
    db: &Db,
    user: UserId,
    work: WorkId,
    at: OffsetDateTime,
    limit: u32,
) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = read!(
        db,
        sqlx::query_as(
            "SELECT card_id FROM card_reviews
             WHERE user_id = $1 AND work_id = $2 AND due_at <= $3
             ORDER BY due_at, card_id LIMIT $4"
        )
        .bind(user)
        .bind(work.0)
        .bind(stored(at))
        .bind(i64::from(limit)),
        fetch_all
    )?;
    Ok(rows.into_iter().map(|(c,)| c).collect())
}

/// What [`record`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// The review counted.
    Counted,
    /// The card's state had already moved on from what the reviewer saw
    /// (the same review sent twice, or from two windows): nothing changed.
    AlreadyRecorded,
}

/// Store the state after a review of `card` at `at`, if the card's state is
/// still `seen` (None: the card was new). One statement, so one short
/// write; a review whose `seen` is out of date changes nothing.
pub async fn record(
    db: &Db,
    user: UserId,
    work: WorkId,
    card: &str,
    seen: Option<Seen>,
    next: &ReviewState,
) -> Result<Recorded> {
    check_card_id(card)?;
    if !(next.stability > 0.0 && (1.0..=10.0).contains(&next.difficulty)) {
        return Err(StorageError::Conflict(format!(
            "the review of card {card} gives stability {} and difficulty {}: stability must be above 0 and difficulty 1 to 10",
            next.stability, next.difficulty
        )));
    }
    if next.lapses > next.reps || next.reps == 0 {
        return Err(StorageError::Conflict(format!(
            "the review of card {card} gives {} reviews and {} lapses: a reviewed card has at least one review and no more lapses than reviews",
            next.reps, next.lapses
        )));
    }
    let done = match seen {
        None => write!(
            db,
            sqlx::query(
                "INSERT INTO card_reviews (user_id, work_id, card_id, stability, difficulty,
                     due_at, last_review, first_review, reps, lapses, last_rating)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 ON CONFLICT (user_id, work_id, card_id) DO NOTHING"
            )
            .bind(user)
            .bind(work.0)
            .bind(card)
            .bind(next.stability)
            .bind(next.difficulty)
            .bind(stored(next.due))
            .bind(stored(next.last_review))
            .bind(stored(next.first_review))
            .bind(i64::from(next.reps))
            .bind(i64::from(next.lapses))
            .bind(next.last_rating.as_str()),
            execute
        )
        .map_err(crate::db::missing_book)?,
        Some(seen) => write!(
            db,
            sqlx::query(
                "UPDATE card_reviews SET stability = $4, difficulty = $5, due_at = $6,
                     last_review = $7, reps = $8, lapses = $9, last_rating = $10
                 WHERE user_id = $1 AND work_id = $2 AND card_id = $3
                   AND reps = $11 AND last_review = $12"
            )
            .bind(user)
            .bind(work.0)
            .bind(card)
            .bind(next.stability)
            .bind(next.difficulty)
            .bind(stored(next.due))
            .bind(stored(next.last_review))
            .bind(i64::from(next.reps))
            .bind(i64::from(next.lapses))
            .bind(next.last_rating.as_str())
            .bind(i64::from(seen.reps))
            .bind(stored(seen.last_review)),
            execute
        )?,
    };
    Ok(if done.rows_affected() == 1 {
        Recorded::Counted
    } else {
        Recorded::AlreadyRecorded
    })
}
