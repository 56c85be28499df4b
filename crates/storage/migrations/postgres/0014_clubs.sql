-- Clubs (part 2): who a club is, who belongs to it, how people join, and
-- the books it reads and might read. Polls, meetings, reading schedules and
-- discussion come in later migrations of their own. The SQLite file of the
-- same name defines the same.

ALTER TABLE clubs ADD COLUMN description TEXT NOT NULL DEFAULT '';
-- public: listed, readable by anyone; private: listed, content for members
-- only; secret: unlisted, invisible to anyone who is not a member.
ALTER TABLE clubs ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public'
    CHECK (visibility IN ('public', 'private', 'secret'));
-- open: anyone who may see the club joins; request: an organiser approves;
-- invite: only with an invitation link.
ALTER TABLE clubs ADD COLUMN join_policy TEXT NOT NULL DEFAULT 'open'
    CHECK (join_policy IN ('open', 'request', 'invite'));
ALTER TABLE clubs ADD COLUMN nominations_open BOOLEAN NOT NULL DEFAULT TRUE;
-- The club's home zone: meeting forms start in it.
ALTER TABLE clubs ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
-- The name folded for the directory's search (lower case, no accents).
ALTER TABLE clubs ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE clubs ADD COLUMN updated_at TIMESTAMPTZ;
CREATE INDEX clubs_directory ON clubs(visibility, name_key);

-- The club's picture, re-encoded on the server like a cover.
CREATE TABLE club_pictures (
    club_id UUID PRIMARY KEY REFERENCES clubs(id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    data BYTEA NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    version TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE club_members (
    club_id UUID NOT NULL REFERENCES clubs(id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'organiser', 'member')),
    -- Whether the group progress view shows where this member is.
    shares_progress BOOLEAN NOT NULL DEFAULT TRUE,
    joined_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (club_id, user_id)
);
-- One owner a club, enforced by the database, so a transfer cannot leave two.
CREATE UNIQUE INDEX club_members_one_owner ON club_members(club_id) WHERE role = 'owner';
CREATE INDEX club_members_user ON club_members(user_id);

CREATE TABLE club_bans (
    club_id UUID NOT NULL REFERENCES clubs(id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    banned_by UUID REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (club_id, user_id)
);

CREATE TABLE club_join_requests (
    club_id UUID NOT NULL REFERENCES clubs(id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    message TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (club_id, user_id)
);

-- An invitation link: only the token's hash is kept. Uses are counted in
-- the same statement that checks the limit, so a burst cannot overspend it.
CREATE TABLE club_invitations (
    id UUID PRIMARY KEY,
    club_id UUID NOT NULL REFERENCES clubs(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_by UUID REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    max_uses BIGINT CHECK (max_uses IS NULL OR max_uses > 0),
    uses BIGINT NOT NULL DEFAULT 0,
    revoked_at TIMESTAMPTZ,
    CHECK (max_uses IS NULL OR uses <= max_uses)
);
CREATE INDEX club_invitations_club ON club_invitations(club_id, created_at);

-- The books a club reads: upcoming, the current one (at most one), and the
-- archive of finished ones. A club may read a book again, so the id is the
-- selection's own.
CREATE TABLE club_selections (
    id UUID PRIMARY KEY,
    club_id UUID NOT NULL REFERENCES clubs(id) ON DELETE CASCADE,
    work_id UUID NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('upcoming', 'current', 'finished')),
    starts_on DATE,
    ends_on DATE,
    -- How many chapters the book has, for chapter milestones and positions
    -- (until the book's text is known).
    chapter_count BIGINT CHECK (chapter_count IS NULL OR chapter_count > 0),
    added_by UUID REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on)
);
CREATE UNIQUE INDEX club_selections_one_current ON club_selections(club_id) WHERE status = 'current';
CREATE INDEX club_selections_club ON club_selections(club_id, status, starts_on);
CREATE INDEX club_selections_work ON club_selections(work_id, status);

-- Possible selections: a member's nomination with a short pitch.
CREATE TABLE club_nominations (
    id UUID PRIMARY KEY,
    club_id UUID NOT NULL REFERENCES clubs(id) ON DELETE CASCADE,
    work_id UUID NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    user_id UUID REFERENCES users(id) ON DELETE SET NULL,
    pitch TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (club_id, work_id)
);
CREATE INDEX club_nominations_work ON club_nominations(work_id);

-- The placeholder list of part 1 becomes the two tables above.
INSERT INTO club_selections (id, club_id, work_id, status, created_at)
    SELECT gen_random_uuid(), club_id, work_id,
           CASE status WHEN 'finished' THEN 'finished' WHEN 'current' THEN 'current' ELSE 'upcoming' END,
           added_at
    FROM club_books WHERE status <> 'possible';
INSERT INTO club_nominations (id, club_id, work_id, created_at)
    SELECT gen_random_uuid(), club_id, work_id, added_at
    FROM club_books WHERE status = 'possible';
DROP TABLE club_books;
UPDATE clubs SET name_key = lower(name), updated_at = created_at;
