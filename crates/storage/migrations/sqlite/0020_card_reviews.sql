-- Flashcards (issue 8, "memory cues"): each member's review state of each
-- card of a work's deck. The cards themselves are drawn from the text by
-- quire-insight, with ids hashed from their kind and place, so only the
-- states are stored here; a card whose text changed is simply a new card.
-- The PostgreSQL file of the same name defines the same.
--
-- `reps` and `last_review` are what a review is conditional on: a second
-- submission of the same review finds them changed and counts for nothing
-- (storage/src/cards.rs::record).

CREATE TABLE card_reviews (
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    work_id BLOB NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    -- quire_insight::Card::id: 16 hex digits.
    card_id TEXT NOT NULL CHECK (length(card_id) = 16),
    -- FSRS memory state.
    stability REAL NOT NULL CHECK (stability > 0),
    difficulty REAL NOT NULL CHECK (difficulty >= 1 AND difficulty <= 10),
    due_at TEXT NOT NULL,
    last_review TEXT NOT NULL,
    -- When the card stopped being new: the daily limit of new cards counts
    -- these.
    first_review TEXT NOT NULL,
    reps INTEGER NOT NULL CHECK (reps >= 1),
    lapses INTEGER NOT NULL CHECK (lapses >= 0 AND lapses <= reps),
    last_rating TEXT NOT NULL CHECK (last_rating IN ('again', 'hard', 'good', 'easy')),
    PRIMARY KEY (user_id, work_id, card_id)
);
-- The due list: a member's cards of a work by due time.
CREATE INDEX card_reviews_due ON card_reviews(user_id, work_id, due_at);
