-- Quire's first schema (SQLite). The PostgreSQL file of the same name must
-- define the same tables, columns and indexes; a test compares them.

CREATE TABLE users (
    id BLOB PRIMARY KEY,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    bio TEXT NOT NULL DEFAULT '',
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    is_demo BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_attempts (
    id BLOB PRIMARY KEY,
    username_key TEXT NOT NULL,
    client TEXT NOT NULL,
    succeeded BOOLEAN NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_attempts_user ON login_attempts(username_key, at);
CREATE INDEX login_attempts_client ON login_attempts(client, at);

CREATE TABLE series (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE
);

CREATE TABLE works (
    id BLOB PRIMARY KEY,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    subtitle TEXT,
    sort_title TEXT NOT NULL,
    original_title TEXT,
    original_language TEXT,
    first_published TEXT,
    series_id BLOB REFERENCES series(id) ON DELETE SET NULL,
    series_position TEXT,
    revision INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX works_sort_title ON works(sort_title);
CREATE INDEX works_series ON works(series_id);

CREATE TABLE editions (
    id BLOB PRIMARY KEY,
    work_id BLOB NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    subtitle TEXT,
    format TEXT NOT NULL,
    pages INTEGER,
    isbn13 TEXT UNIQUE,
    publisher TEXT,
    published TEXT,
    language TEXT,
    is_primary BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL
);
CREATE INDEX editions_work ON editions(work_id);

CREATE TABLE covers (
    edition_id BLOB PRIMARY KEY REFERENCES editions(id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    data BLOB NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE contributors (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    bio TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX contributors_name_key ON contributors(name_key);

CREATE TABLE credits (
    id BLOB PRIMARY KEY,
    work_id BLOB NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    edition_id BLOB REFERENCES editions(id) ON DELETE CASCADE,
    contributor_id BLOB NOT NULL REFERENCES contributors(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    position INTEGER NOT NULL
);
CREATE INDEX credits_work ON credits(work_id, position);
CREATE INDEX credits_contributor ON credits(contributor_id);

CREATE TABLE subjects (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE
);

CREATE TABLE work_subjects (
    work_id BLOB NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    subject_id BLOB NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
    weight INTEGER NOT NULL,
    PRIMARY KEY (work_id, subject_id)
);
CREATE INDEX work_subjects_subject ON work_subjects(subject_id);

CREATE TABLE work_identifiers (
    scheme TEXT NOT NULL,
    value TEXT NOT NULL,
    work_id BLOB NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    PRIMARY KEY (scheme, value)
);
CREATE INDEX work_identifiers_work ON work_identifiers(work_id);

CREATE TABLE materials (
    id BLOB PRIMARY KEY,
    work_id BLOB NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    attribution TEXT,
    source TEXT NOT NULL,
    position INTEGER NOT NULL,
    created_by BLOB REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX materials_work ON materials(work_id, kind, position);

CREATE TABLE questions (
    id BLOB PRIMARY KEY,
    work_id BLOB NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    source TEXT NOT NULL,
    position INTEGER NOT NULL,
    created_by BLOB REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX questions_work ON questions(work_id, position);

CREATE TABLE question_votes (
    question_id BLOB NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (question_id, user_id)
);

CREATE TABLE ratings (
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    work_id BLOB NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    halves INTEGER NOT NULL CHECK (halves BETWEEN 1 AND 10),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, work_id)
);
CREATE INDEX ratings_work ON ratings(work_id, halves);

-- Rating totals per work, recomputed from `ratings` in the same transaction
-- as every rating change; used to rank books, never as the page's count.
CREATE TABLE work_stats (
    work_id BLOB PRIMARY KEY REFERENCES works(id) ON DELETE CASCADE,
    rating_count INTEGER NOT NULL,
    rating_sum INTEGER NOT NULL
);
CREATE INDEX work_stats_count ON work_stats(rating_count);

CREATE TABLE reviews (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    work_id BLOB NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    headline TEXT,
    body TEXT NOT NULL,
    body_html TEXT NOT NULL,
    spoiler BOOLEAN NOT NULL,
    recommends BOOLEAN,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (user_id, work_id)
);
CREATE INDEX reviews_work_created ON reviews(work_id, created_at);

CREATE TABLE queue_entries (
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    work_id BLOB NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (user_id, work_id)
);

CREATE TABLE readings (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    work_id BLOB NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    edition_id BLOB REFERENCES editions(id) ON DELETE SET NULL,
    status TEXT NOT NULL,
    started_on TEXT,
    finished_on TEXT,
    progress_unit TEXT,
    progress_value INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX readings_work_status ON readings(work_id, status);
CREATE INDEX readings_user_status ON readings(user_id, status);
CREATE INDEX readings_status_updated ON readings(status, updated_at);

CREATE TABLE shelves (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    slug TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (user_id, slug)
);

CREATE TABLE shelf_items (
    shelf_id BLOB NOT NULL REFERENCES shelves(id) ON DELETE CASCADE,
    work_id BLOB NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    added_at TEXT NOT NULL,
    PRIMARY KEY (shelf_id, work_id)
);

-- Clubs arrive in part 2; the book page already counts the clubs reading a
-- work, so the tables it reads exist from the start.
CREATE TABLE clubs (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE club_books (
    club_id BLOB NOT NULL REFERENCES clubs(id) ON DELETE CASCADE,
    work_id BLOB NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (club_id, work_id)
);
CREATE INDEX club_books_work ON club_books(work_id, status);
