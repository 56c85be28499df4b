-- Club meetings: when and where, the agenda of discussion questions, who
-- is coming (RSVPs with an optional cap and a waitlist), who came, and the
-- secret calendar feeds members subscribe to. The SQLite file of the
-- same name defines the same.

-- A reader's own time zone: meeting times are shown in it. NULL means
-- "the club's zone".
ALTER TABLE users ADD COLUMN time_zone TEXT;

CREATE TABLE meetings (
    id UUID PRIMARY KEY,
    club_id UUID NOT NULL REFERENCES clubs(id) ON DELETE CASCADE,
    -- The book the meeting discusses, when it discusses one.
    selection_id UUID REFERENCES club_selections(id) ON DELETE SET NULL,
    -- The instant (UTC) and the zone the organiser set it in: calendars
    -- write the wall time in that zone.
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL,
    zone TEXT NOT NULL,
    duration_minutes BIGINT NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    place TEXT NOT NULL DEFAULT '',
    video_url TEXT NOT NULL DEFAULT '',
    host_id UUID REFERENCES users(id) ON DELETE SET NULL,
    agenda TEXT NOT NULL DEFAULT '',
    capacity BIGINT CHECK (capacity IS NULL OR capacity > 0),
    status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    -- iCalendar's SEQUENCE: goes up with every change, so calendar
    -- programs replace their copy.
    sequence BIGINT NOT NULL DEFAULT 0,
    -- Counts RSVPs. Each RSVP takes the next number while it holds the
    -- meeting's row, which orders the waitlist and serialises RSVPs.
    rsvp_turn BIGINT NOT NULL DEFAULT 0,
    created_by UUID REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX meetings_club ON meetings(club_id, starts_at);
CREATE INDEX meetings_selection ON meetings(selection_id);

-- The agenda: questions picked from the book's discussion questions, in order.
CREATE TABLE meeting_questions (
    meeting_id UUID NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    question_id UUID NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    PRIMARY KEY (meeting_id, question_id)
);

-- One answer per member per meeting. `state` is where a "yes" stands:
-- going, or waiting with `turn` giving the order of the waitlist; "no"
-- and "maybe" are out. A change of state happens while the meeting's row
-- is held (see `rsvp_turn`), so the cap is never exceeded.
CREATE TABLE meeting_rsvps (
    meeting_id UUID NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    answer TEXT NOT NULL CHECK (answer IN ('yes', 'no', 'maybe')),
    state TEXT NOT NULL CHECK (state IN ('going', 'waitlist', 'out')),
    turn BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (meeting_id, user_id),
    CHECK ((answer = 'yes') = (state <> 'out'))
);
CREATE INDEX meeting_rsvps_state ON meeting_rsvps(meeting_id, state, turn);

-- After the meeting: who came, and whether each had finished the book.
CREATE TABLE meeting_attendance (
    meeting_id UUID NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    attended BOOLEAN NOT NULL,
    finished_book BOOLEAN NOT NULL,
    PRIMARY KEY (meeting_id, user_id)
);

-- Secret calendar feed links: one per member per club, and one per member
-- for all their clubs (club_id NULL). Only the token's hash is kept;
-- making a new link replaces the old, which stops working at once.
CREATE TABLE calendar_feeds (
    token_hash TEXT PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    club_id UUID REFERENCES clubs(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX calendar_feeds_club ON calendar_feeds(user_id, club_id) WHERE club_id IS NOT NULL;
CREATE UNIQUE INDEX calendar_feeds_all ON calendar_feeds(user_id) WHERE club_id IS NULL;
