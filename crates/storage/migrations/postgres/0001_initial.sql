-- Quire's first schema (PostgreSQL). The SQLite file of the same name must
-- define the same tables, columns and indexes; a test compares them.

CREATE TABLE users (
    id UUID PRIMARY KEY,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    bio TEXT NOT NULL DEFAULT '',
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    is_demo BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_attempts (
    id UUID PRIMARY KEY,
    username_key TEXT NOT NULL,
    client TEXT NOT NULL,
    succeeded BOOLEAN NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_attempts_user ON login_attempts(username_key, at);
CREATE INDEX login_attempts_client ON login_attempts(client, at);

CREATE TABLE series (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE
);

CREATE TABLE works (
    id UUID PRIMARY KEY,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    subtitle TEXT,
    sort_title TEXT NOT NULL,
    original_title TEXT,
    original_language TEXT,
    first_published TEXT,
    series_id UUID REFERENCES series(id) ON DELETE SET NULL,
    series_position TEXT,
    revision BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX works_sort_title ON works(sort_title);
CREATE INDEX works_series ON works(series_id);

CREATE TABLE editions (
    id UUID PRIMARY KEY,
    work_id UUID NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    subtitle TEXT,
    format TEXT NOT NULL,
    pages BIGINT,
    isbn13 TEXT UNIQUE,
    publisher TEXT,
    published TEXT,
    language TEXT,
    is_primary BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX editions_work ON editions(work_id);

CREATE TABLE covers (
    edition_id UUID PRIMARY KEY REFERENCES editions(id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    data BYTEA NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE contributors (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    bio TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX contributors_name_key ON contributors(name_key);

CREATE TABLE credits (
    id UUID PRIMARY KEY,
    work_id UUID NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    edition_id UUID REFERENCES editions(id) ON DELETE CASCADE,
    contributor_id UUID NOT NULL REFERENCES contributors(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    position BIGINT NOT NULL
);
CREATE INDEX credits_work ON credits(work_id, position);
CREATE INDEX credits_contributor ON credits(contributor_id);

CREATE TABLE subjects (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE
);

CREATE TABLE work_subjects (
    work_id UUID NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    subject_id UUID NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
    weight BIGINT NOT NULL,
    PRIMARY KEY (work_id, subject_id)
);
CREATE INDEX work_subjects_subject ON work_subjects(subject_id);

CREATE TABLE work_identifiers (
    scheme TEXT NOT NULL,
    value TEXT NOT NULL,
    work_id UUID NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    PRIMARY KEY (scheme, value)
);
CREATE INDEX work_identifiers_work ON work_identifiers(work_id);

CREATE TABLE materials (
    id UUID PRIMARY KEY,
    work_id UUID NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    attribution TEXT,
    source TEXT NOT NULL,
    position BIGINT NOT NULL,
    created_by UUID REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX materials_work ON materials(work_id, kind, position);

CREATE TABLE questions (
    id UUID PRIMARY KEY,
    work_id UUID NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    source TEXT NOT NULL,
    position BIGINT NOT NULL,
    created_by UUID REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX questions_work ON questions(work_id, position);

CREATE TABLE question_votes (
    question_id UUID NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (question_id, user_id)
);

CREATE TABLE ratings (
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    work_id UUID NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    halves BIGINT NOT NULL CHECK (halves BETWEEN 1 AND 10),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, work_id)
);
CREATE INDEX ratings_work ON ratings(work_id, halves);

-- Rating totals per work, recomputed from `ratings` in the same transaction
-- as every rating change; used to rank books, never as the page's count.
CREATE TABLE work_stats (
    work_id UUID PRIMARY KEY REFERENCES works(id) ON DELETE CASCADE,
    rating_count BIGINT NOT NULL,
    rating_sum BIGINT NOT NULL
);
CREATE INDEX work_stats_count ON work_stats(rating_count);

CREATE TABLE reviews (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    work_id UUID NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    headline TEXT,
    body TEXT NOT NULL,
    body_html TEXT NOT NULL,
    spoiler BOOLEAN NOT NULL,
    recommends BOOLEAN,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, work_id)
);
CREATE INDEX reviews_work_created ON reviews(work_id, created_at);

CREATE TABLE queue_entries (
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    work_id UUID NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    added_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, work_id)
);

CREATE TABLE readings (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    work_id UUID NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    edition_id UUID REFERENCES editions(id) ON DELETE SET NULL,
    status TEXT NOT NULL,
    started_on DATE,
    finished_on DATE,
    progress_unit TEXT,
    progress_value BIGINT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX readings_work_status ON readings(work_id, status);
CREATE INDEX readings_user_status ON readings(user_id, status);
CREATE INDEX readings_status_updated ON readings(status, updated_at);

CREATE TABLE shelves (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    slug TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, slug)
);

CREATE TABLE shelf_items (
    shelf_id UUID NOT NULL REFERENCES shelves(id) ON DELETE CASCADE,
    work_id UUID NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    added_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (shelf_id, work_id)
);

-- Clubs arrive in part 2; the book page already counts the clubs reading a
-- work, so the tables it reads exist from the start.
CREATE TABLE clubs (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE club_books (
    club_id UUID NOT NULL REFERENCES clubs(id) ON DELETE CASCADE,
    work_id UUID NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    added_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (club_id, work_id)
);
CREATE INDEX club_books_work ON club_books(work_id, status);
