-- A reader's readings of one work, for the profile's "latest reading of
-- each book" and "times read" lookups. Without it SQLite (before ANALYZE
-- has run) searches readings_user_status and reads every reading of the
-- reader for each of them: 50 s for a reader with 10,000 books.
CREATE INDEX readings_user_work ON readings(user_id, work_id, status);
