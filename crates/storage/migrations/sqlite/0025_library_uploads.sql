-- A reading-history export a member uploaded (issue 9): kept from the
-- preview until the import job has run, so the job reads exactly the bytes
-- the member saw previewed, and a crash mid-way resumes from them. The
-- PostgreSQL file of the same name defines the same.
CREATE TABLE library_uploads (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    content BLOB NOT NULL,
    byte_size INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('previewed', 'queued', 'running', 'done', 'failed')),
    keep_rows TEXT NOT NULL DEFAULT 'good' CHECK (keep_rows IN ('good', 'all')),
    rows_done INTEGER NOT NULL DEFAULT 0,
    rows_total INTEGER NOT NULL DEFAULT 0,
    summary TEXT,
    report TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX library_uploads_user ON library_uploads(user_id, created_at);
