-- Covers re-encoded on the server: the stored original keeps its pixel
-- size and a version that changes with every upload (it makes the ETag,
-- and tells a thumbnail job whether the cover it was asked to shrink is
-- still the current one). Thumbnails for the book page and cards are kept
-- beside it. The SQLite file of the same name defines the same.
-- Rows stored before this migration keep width 0, height 0 and version ''.

ALTER TABLE covers ADD COLUMN width BIGINT NOT NULL DEFAULT 0;
ALTER TABLE covers ADD COLUMN height BIGINT NOT NULL DEFAULT 0;
ALTER TABLE covers ADD COLUMN version TEXT NOT NULL DEFAULT '';

CREATE TABLE cover_thumbnails (
    edition_id UUID NOT NULL REFERENCES covers(edition_id) ON DELETE CASCADE,
    size TEXT NOT NULL CHECK (size IN ('page', 'card')),
    content_type TEXT NOT NULL,
    data BYTEA NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    -- The version of the original it was made from.
    version TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (edition_id, size)
);
