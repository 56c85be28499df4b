-- A reading-history export a member uploaded (issue 9): kept from the
-- preview until the import job has run, so the job reads exactly the bytes
-- the member saw previewed, and a crash mid-way resumes from them. The
-- PostgreSQL file of the same name defines the same.
CREATE TABLE library_uploads (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    content BYTEA NOT NULL,
    byte_size BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('previewed', 'queued', 'running', 'done', 'failed')),
    keep_rows TEXT NOT NULL DEFAULT 'good' CHECK (keep_rows IN ('good', 'all')),
    rows_done BIGINT NOT NULL DEFAULT 0,
    rows_total BIGINT NOT NULL DEFAULT 0,
    summary TEXT,
    report TEXT,
    error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX library_uploads_user ON library_uploads(user_id, created_at);
