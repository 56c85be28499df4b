-- A meeting can carry the book's insights (issue 8, "Clubs"): the insight
-- pack to download and "the story so far". Each member sees them drawn up
-- to their own place in the book, so the flags are all that is stored.
-- The PostgreSQL file of the same name defines the same.
ALTER TABLE meetings ADD COLUMN shares_pack BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE meetings ADD COLUMN shares_story BOOLEAN NOT NULL DEFAULT FALSE;
