-- Clubs (reading together and spoiler-safe discussion): a reading schedule
-- per selection, threads and posts anchored at a place in the book,
-- reports, and the members' own discussion questions with votes. The
-- PostgreSQL file of the same name defines the same.
--
-- An anchor is a unit and a value ('chapter' 12, 'percent' 45, 'finished',
-- 'start' for no spoilers); its point on the work's scale is computed in
-- SQL from the selection's chapter count by the one gate in
-- storage/src/clubs/discussion.rs, so changing the count moves every
-- chapter anchor with it. A member's position is not stored here: it is
-- computed from their readings by the same module.

CREATE TABLE club_milestones (
    id UUID PRIMARY KEY,
    selection_id UUID NOT NULL REFERENCES club_selections(id) ON DELETE CASCADE,
    anchor_unit TEXT NOT NULL CHECK (anchor_unit IN ('chapter', 'percent', 'finished')),
    anchor_value BIGINT NOT NULL DEFAULT 0 CHECK (anchor_value >= 0),
    due_on DATE NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX club_milestones_selection ON club_milestones(selection_id, due_on);

CREATE TABLE club_threads (
    id UUID PRIMARY KEY,
    club_id UUID NOT NULL REFERENCES clubs(id) ON DELETE CASCADE,
    selection_id UUID NOT NULL REFERENCES club_selections(id) ON DELETE CASCADE,
    author_id UUID REFERENCES users(id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    anchor_unit TEXT NOT NULL CHECK (anchor_unit IN ('start', 'chapter', 'percent', 'finished')),
    anchor_value BIGINT NOT NULL DEFAULT 0 CHECK (anchor_value >= 0),
    pinned BOOLEAN NOT NULL DEFAULT FALSE,
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    posts BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    last_post_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX club_threads_selection ON club_threads(selection_id, pinned, last_post_at);
CREATE INDEX club_threads_club ON club_threads(club_id, last_post_at);

CREATE TABLE club_posts (
    id UUID PRIMARY KEY,
    thread_id UUID NOT NULL REFERENCES club_threads(id) ON DELETE CASCADE,
    author_id UUID REFERENCES users(id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    body_html TEXT NOT NULL,
    -- The anchor this reply moved the thread to, when it moved it.
    moved_unit TEXT CHECK (moved_unit IS NULL OR moved_unit IN ('start', 'chapter', 'percent', 'finished')),
    moved_value BIGINT,
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX club_posts_thread ON club_posts(thread_id, created_at);

CREATE TABLE club_post_reports (
    id UUID PRIMARY KEY,
    club_id UUID NOT NULL REFERENCES clubs(id) ON DELETE CASCADE,
    post_id UUID NOT NULL REFERENCES club_posts(id) ON DELETE CASCADE,
    reporter_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reason TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (post_id, reporter_id)
);
CREATE INDEX club_post_reports_club ON club_post_reports(club_id, created_at);

CREATE TABLE club_questions (
    id UUID PRIMARY KEY,
    club_id UUID NOT NULL REFERENCES clubs(id) ON DELETE CASCADE,
    selection_id UUID NOT NULL REFERENCES club_selections(id) ON DELETE CASCADE,
    author_id UUID REFERENCES users(id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    anchor_unit TEXT NOT NULL CHECK (anchor_unit IN ('start', 'chapter', 'percent', 'finished')),
    anchor_value BIGINT NOT NULL DEFAULT 0 CHECK (anchor_value >= 0),
    votes BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX club_questions_selection ON club_questions(selection_id, votes);

CREATE TABLE club_question_votes (
    question_id UUID NOT NULL REFERENCES club_questions(id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (question_id, user_id)
);
