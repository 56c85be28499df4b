-- no-transaction
-- CHECK constraints on the enum columns, so a value the code does not know
-- can never be stored. The PostgreSQL file of the same name adds the same
-- constraints with ALTER TABLE.
--
-- SQLite cannot add a constraint to a table: each table is rebuilt (create
-- the new one, copy the rows, drop the old, rename), with the same columns
-- and the same index names. Foreign keys are off during the rebuild, or
-- dropping `editions` would delete the covers, credits and readings that
-- refer to it; that pragma only takes effect outside a transaction, hence
-- `no-transaction` above and our own BEGIN/COMMIT. Before COMMIT, a failed
-- foreign key check stops the migration.

PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE editions_new (
    id BLOB PRIMARY KEY,
    work_id BLOB NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    subtitle TEXT,
    format TEXT NOT NULL CHECK (format IN ('hardcover', 'paperback', 'ebook', 'audiobook', 'other')),
    pages INTEGER,
    isbn13 TEXT UNIQUE,
    publisher TEXT,
    published TEXT,
    language TEXT,
    is_primary BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL
);
INSERT INTO editions_new (id, work_id, title, subtitle, format, pages, isbn13, publisher, published, language, is_primary, created_at)
    SELECT id, work_id, title, subtitle, format, pages, isbn13, publisher, published, language, is_primary, created_at FROM editions;
DROP TABLE editions;
ALTER TABLE editions_new RENAME TO editions;
CREATE INDEX editions_work ON editions(work_id);

CREATE TABLE credits_new (
    id BLOB PRIMARY KEY,
    work_id BLOB NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    edition_id BLOB REFERENCES editions(id) ON DELETE CASCADE,
    contributor_id BLOB NOT NULL REFERENCES contributors(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('author', 'translator', 'narrator', 'illustrator', 'editor', 'foreword')),
    position INTEGER NOT NULL
);
INSERT INTO credits_new (id, work_id, edition_id, contributor_id, role, position)
    SELECT id, work_id, edition_id, contributor_id, role, position FROM credits;
DROP TABLE credits;
ALTER TABLE credits_new RENAME TO credits;
CREATE INDEX credits_work ON credits(work_id, position);
CREATE INDEX credits_contributor ON credits(contributor_id);

CREATE TABLE materials_new (
    id BLOB PRIMARY KEY,
    work_id BLOB NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('blurb', 'description', 'editorial_review', 'excerpt', 'author_note', 'award')),
    body TEXT NOT NULL,
    attribution TEXT,
    source TEXT NOT NULL CHECK (source IN ('publisher', 'author', 'member', 'quire')),
    position INTEGER NOT NULL,
    created_by BLOB REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
INSERT INTO materials_new (id, work_id, kind, body, attribution, source, position, created_by, created_at)
    SELECT id, work_id, kind, body, attribution, source, position, created_by, created_at FROM materials;
DROP TABLE materials;
ALTER TABLE materials_new RENAME TO materials;
CREATE INDEX materials_work ON materials(work_id, kind, position);

CREATE TABLE questions_new (
    id BLOB PRIMARY KEY,
    work_id BLOB NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('publisher', 'author', 'member', 'quire')),
    position INTEGER NOT NULL,
    created_by BLOB REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
INSERT INTO questions_new (id, work_id, body, source, position, created_by, created_at)
    SELECT id, work_id, body, source, position, created_by, created_at FROM questions;
DROP TABLE questions;
ALTER TABLE questions_new RENAME TO questions;
CREATE INDEX questions_work ON questions(work_id, position);

CREATE TABLE readings_new (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    work_id BLOB NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    edition_id BLOB REFERENCES editions(id) ON DELETE SET NULL,
    status TEXT NOT NULL CHECK (status IN ('reading', 'read', 'dnf')),
    started_on TEXT,
    finished_on TEXT,
    progress_unit TEXT CHECK (progress_unit IN ('page', 'percent', 'chapter')),
    progress_value INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO readings_new (id, user_id, work_id, edition_id, status, started_on, finished_on, progress_unit, progress_value, created_at, updated_at)
    SELECT id, user_id, work_id, edition_id, status, started_on, finished_on, progress_unit, progress_value, created_at, updated_at FROM readings;
DROP TABLE readings;
ALTER TABLE readings_new RENAME TO readings;
CREATE INDEX readings_work_status ON readings(work_id, status);
CREATE INDEX readings_user_status ON readings(user_id, status);
CREATE INDEX readings_status_updated ON readings(status, updated_at);

CREATE TABLE club_books_new (
    club_id BLOB NOT NULL REFERENCES clubs(id) ON DELETE CASCADE,
    work_id BLOB NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('possible', 'selected', 'current', 'finished')),
    added_at TEXT NOT NULL,
    PRIMARY KEY (club_id, work_id)
);
INSERT INTO club_books_new (club_id, work_id, status, added_at)
    SELECT club_id, work_id, status, added_at FROM club_books;
DROP TABLE club_books;
ALTER TABLE club_books_new RENAME TO club_books;
CREATE INDEX club_books_work ON club_books(work_id, status);

-- Stop here, before COMMIT, if any row now points at nothing.
CREATE TEMP TABLE enum_checks_foreign_keys (violations INTEGER NOT NULL CHECK (violations = 0));
INSERT INTO enum_checks_foreign_keys SELECT COUNT(*) FROM pragma_foreign_key_check;
DROP TABLE enum_checks_foreign_keys;
COMMIT;
PRAGMA foreign_keys = ON;
