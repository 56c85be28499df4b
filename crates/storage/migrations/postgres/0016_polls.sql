-- Club polls: choosing the next book from a shortlist, or a meeting time
-- from a few candidates. The PostgreSQL file of the same name defines the
-- same schema. Counting is done in Rust (quire_domain::poll); the winner
-- is kept once the poll closes, and the ballots stay so the result can be
-- shown round by round.

CREATE TABLE polls (
    id UUID PRIMARY KEY,
    club_id UUID NOT NULL REFERENCES clubs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('book', 'date')),
    method TEXT NOT NULL CHECK (method IN ('plurality', 'approval', 'ranked_choice', 'borda')),
    question TEXT NOT NULL,
    results TEXT NOT NULL CHECK (results IN ('live', 'hidden')),
    -- Book polls only: on close, the winner joins the club's list as upcoming.
    select_winner BOOLEAN NOT NULL DEFAULT FALSE,
    closes_at TIMESTAMPTZ NOT NULL,
    closed_at TIMESTAMPTZ,
    -- Filled in once, when the poll closes: the winning option's position
    -- (none when nobody voted) and how many ballots were counted.
    winner_position BIGINT,
    ballots_counted BIGINT,
    -- The selection the winner became, when it did.
    selection_id UUID REFERENCES club_selections(id) ON DELETE SET NULL,
    created_by UUID REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CHECK (kind = 'book' OR method = 'approval'),
    CHECK (kind = 'book' OR NOT select_winner)
);
CREATE INDEX polls_club ON polls(club_id, closed_at, closes_at);

-- A poll's options in the order they were added (`position`, from 0): the
-- order that settles ties, so it never changes once the poll exists.
CREATE TABLE poll_options (
    poll_id UUID NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    position BIGINT NOT NULL CHECK (position >= 0),
    work_id UUID REFERENCES works(id) ON DELETE SET NULL,
    starts_at TIMESTAMPTZ,
    -- What the option said when it was added (the title, or the time), so
    -- a removed book still reads in an old result.
    label TEXT NOT NULL,
    PRIMARY KEY (poll_id, position)
);
CREATE INDEX poll_options_work ON poll_options(work_id);

-- One ballot per member and poll, replaced until the poll closes. The
-- choices are option positions as a JSON array, best first when ranked.
CREATE TABLE ballots (
    poll_id UUID NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    choices TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (poll_id, user_id)
);
CREATE INDEX ballots_user ON ballots(user_id);
