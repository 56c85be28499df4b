-- One work per book: the keys imports and the "possible duplicates" page
-- match works by, and the ids of works merged away. The other engine's file
-- of the same name defines the same.

-- A work's match keys, one row per way it is known: its normalised title
-- ('title'), that title without its subtitle ('main', only when it has
-- one) and its series place ('series': "series-key#position"), each with
-- its first author's normalised name. Computed in Rust (quire_domain::text)
-- and rewritten whenever the work's title, series or authors change; a
-- work without rows gets them when the database is next migrated.
CREATE TABLE work_keys (
    work_id UUID NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('title', 'main', 'series')),
    match_key TEXT NOT NULL,
    author_key TEXT NOT NULL,
    -- The work's series place, or '' when it has none: two works in
    -- different places of a series are never the same book.
    series_key TEXT NOT NULL,
    PRIMARY KEY (work_id, kind, match_key)
);
CREATE INDEX work_keys_match ON work_keys(match_key, author_key);

-- A work merged into another keeps answering at its old address: the old
-- id points at the survivor (chains are collapsed when the survivor is
-- itself merged away).
CREATE TABLE work_redirects (
    old_id UUID PRIMARY KEY,
    work_id UUID NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    merged_by UUID REFERENCES users(id) ON DELETE SET NULL,
    merged_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX work_redirects_work ON work_redirects(work_id);
