//! When a member sees a flashcard again: the FSRS scheduler (the `fsrs`
//! crate, Anki's), wrapped so a caller gives a card's state, a rating and
//! the time, and gets the next state with its due time. Pure: no clock,
//! no storage (storage keeps a state per member and card).
//!
//! "Again" brings the card back after a short relearning step
//! ([`RELEARN_MINUTES`], as Anki does by default) rather than after FSRS's
//! fraction of a day; the other ratings wait FSRS's interval, rounded to
//! whole days and at least one.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::{Duration, OffsetDateTime};

/// Minutes until a card rated "again" is due.
pub const RELEARN_MINUTES: i64 = 10;
/// The retention FSRS aims at unless told otherwise (Anki's default).
pub const DEFAULT_RETENTION: f32 = 0.9;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Again,
    Hard,
    Good,
    Easy,
}

/// What a member remembers of a card after their reviews.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CardState {
    /// FSRS stability: days until recall falls to 90%.
    pub stability: f32,
    /// FSRS difficulty, 1 to 10.
    pub difficulty: f32,
    pub last_review: OffsetDateTime,
    pub due: OffsetDateTime,
    pub reviews: u32,
    /// Times rated "again".
    pub lapses: u32,
}

#[derive(Debug, Error, PartialEq)]
pub enum ScheduleError {
    #[error(
        "the desired retention {0} is outside 0.7 to 0.99: choose a share of cards to remember in that range (0.9 is usual)"
    )]
    Retention(f32),
    #[error(
        "the FSRS scheduler refused the card's state (stability {stability}, difficulty {difficulty}): {source:?}; reset the card's review history"
    )]
    Fsrs {
        stability: f32,
        difficulty: f32,
        source: fsrs::FSRSError,
    },
}

/// The scheduler, with FSRS's default parameters.
#[derive(Clone, Debug)]
pub struct Schedule {
    fsrs: fsrs::FSRS,
    retention: f32,
}

impl Schedule {
    /// A scheduler aiming to keep `retention` of cards remembered.
    pub fn new(retention: f32) -> Result<Schedule, ScheduleError> {
        if !(0.7..=0.99).contains(&retention) {
            return Err(ScheduleError::Retention(retention));
        }
        let fsrs = fsrs::FSRS::new(&[]).map_err(|source| ScheduleError::Fsrs {
            stability: 0.0,
            difficulty: 0.0,
            source,
        })?;
        Ok(Schedule { fsrs, retention })
    }

    /// The state after a review at `now` rated `rating`; `state` is None
    /// for a card never reviewed. A clock earlier than the last review
    /// counts as the same day.
    pub fn review(
        &self,
        state: Option<&CardState>,
        rating: Rating,
        now: OffsetDateTime,
    ) -> Result<CardState, ScheduleError> {
        let memory = state.map(|s| fsrs::MemoryState {
            stability: s.stability,
            difficulty: s.difficulty,
        });
        let elapsed = state.map_or(0, |s| {
            u32::try_from((now - s.last_review).whole_days().max(0)).unwrap_or(u32::MAX)
        });
        let next = self
            .fsrs
            .next_states(memory, self.retention, elapsed)
            .map_err(|source| ScheduleError::Fsrs {
                stability: memory.map_or(0.0, |m| m.stability),
                difficulty: memory.map_or(0.0, |m| m.difficulty),
                source,
            })?;
        let chosen = match rating {
            Rating::Again => next.again,
            Rating::Hard => next.hard,
            Rating::Good => next.good,
            Rating::Easy => next.easy,
        };
        let wait = match rating {
            Rating::Again => Duration::minutes(RELEARN_MINUTES),
            _ => Duration::days(chosen.interval.round().max(1.0) as i64),
        };
        Ok(CardState {
            stability: chosen.memory.stability,
            difficulty: chosen.memory.difficulty,
            last_review: now,
            due: now + wait,
            reviews: state.map_or(0, |s| s.reviews) + 1,
            lapses: state.map_or(0, |s| s.lapses) + u32::from(rating == Rating::Again),
        })
    }
}
