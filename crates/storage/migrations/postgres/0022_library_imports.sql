-- A reader's library brought in from another site (issue 9): one row per
-- row of an imported file, keyed by an id derived from the reader and the
-- row's source key, so a second run of the same file finds its rows and a
-- run cut short by a crash resumes where it stopped. `digest` is a hash of
-- what the row said: the same digest means nothing to write. `extras`
-- keeps, as JSON, what Quire has no other home for yet (StoryGraph's
-- moods, pace, character questions, content warnings, owned), so that an
-- export gives it back. The PostgreSQL file of the same name defines the
-- same.
CREATE TABLE library_entries (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    work_id UUID NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    source TEXT NOT NULL CHECK (source IN ('goodreads', 'storygraph', 'bookwyrm', 'librarything')),
    source_key TEXT NOT NULL,
    digest TEXT NOT NULL,
    extras TEXT NOT NULL,
    added_on DATE,
    imported_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX library_entries_user_work ON library_entries(user_id, work_id);
