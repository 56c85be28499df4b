-- A work's full text (issue 8): the file it came from, its sections
-- (chapters with their titles and where they start), and its paragraphs
-- with their sentences, so the analysis, the chapter lists and the clubs'
-- position scale read the text without the file. The PostgreSQL file of
-- the same name defines the same.
--
-- One current text per work. Attaching different bytes replaces it whole
-- (the sections and paragraphs are rewritten, `version` goes up by one);
-- attaching the same bytes again (same `sha256`) changes nothing.
--
-- Offsets count characters (Unicode scalar values) of the body: the
-- paragraphs' texts one after another, nothing between them. A point is
-- on the clubs' scale, 0..10000 (storage/src/clubs/discussion.rs): the
-- share of the body's characters before the section starts. When a work
-- has a text, a club's "chapter n" is its n-th section (`section_index`
-- n - 1), in Rust (`Chapters::Exact` from `section_starts`) and in the
-- spoiler gate's SQL alike.

CREATE TABLE work_texts (
    work_id BLOB PRIMARY KEY REFERENCES works(id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version >= 1),
    -- Of the source file's bytes, as lowercase hex.
    sha256 TEXT NOT NULL,
    source_format TEXT NOT NULL CHECK (source_format IN ('epub', 'gutenberg_txt')),
    file_name TEXT NOT NULL,
    byte_size INTEGER NOT NULL CHECK (byte_size >= 0),
    -- What the file itself says; the catalog's title and credits win.
    title TEXT,
    -- A JSON array of names, in the file's order.
    authors TEXT NOT NULL DEFAULT '[]',
    language TEXT,
    -- Licence and distributor text, kept apart from the body.
    licence TEXT,
    -- Matter outside the body (quire_text::Text's front_matter sections
    -- and back_matter paragraphs), as JSON: kept and shown, never placed
    -- on the scale nor counted as chapters.
    front_matter TEXT NOT NULL DEFAULT '[]',
    back_matter TEXT NOT NULL DEFAULT '[]',
    attached_by BLOB REFERENCES users(id) ON DELETE SET NULL,
    attached_at TEXT NOT NULL,
    section_count INTEGER NOT NULL CHECK (section_count >= 1),
    paragraph_count INTEGER NOT NULL CHECK (paragraph_count >= 0),
    char_count INTEGER NOT NULL CHECK (char_count >= 0),
    -- Each section's start point, comma-separated in reading order: the
    -- same values as text_sections.start_point, kept here so a selection
    -- reads its chapters with one scalar subquery.
    section_starts TEXT NOT NULL
);

CREATE TABLE text_sections (
    work_id BLOB NOT NULL REFERENCES work_texts(work_id) ON DELETE CASCADE,
    section_index INTEGER NOT NULL CHECK (section_index >= 0),
    kind TEXT NOT NULL CHECK (kind IN ('preface', 'introduction', 'prologue', 'letter', 'chapter', 'story', 'epilogue', 'afterword')),
    label TEXT NOT NULL,
    title TEXT,
    part TEXT,
    start_offset INTEGER NOT NULL CHECK (start_offset >= 0),
    start_point INTEGER NOT NULL CHECK (start_point BETWEEN 0 AND 10000),
    PRIMARY KEY (work_id, section_index)
);

CREATE TABLE text_paragraphs (
    work_id BLOB NOT NULL REFERENCES work_texts(work_id) ON DELETE CASCADE,
    section_index INTEGER NOT NULL,
    paragraph_index INTEGER NOT NULL CHECK (paragraph_index >= 0),
    text TEXT NOT NULL,
    -- Sentence byte ranges of `text`: "start-end" pairs, comma-separated
    -- (storage/src/texts.rs::encode_sentences).
    sentences TEXT NOT NULL,
    char_offset INTEGER NOT NULL CHECK (char_offset >= 0),
    PRIMARY KEY (work_id, section_index, paragraph_index)
);
-- Passages up to a reader's point are read in body order by offset.
CREATE INDEX text_paragraphs_offset ON text_paragraphs(work_id, char_offset);

-- The analysis of a text (quire-insight), cached per text and algorithm
-- version: a changed text or a new algorithm is a new row, so a stale
-- result is never read as current.
CREATE TABLE text_analyses (
    work_id BLOB NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    text_sha256 TEXT NOT NULL,
    algorithm_version INTEGER NOT NULL CHECK (algorithm_version >= 1),
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    progress REAL NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
    error TEXT,
    -- JSON, set when done.
    result TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (work_id, text_sha256, algorithm_version)
);
