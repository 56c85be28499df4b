-- The catalog the community keeps: site roles, verified links to a
-- contributor or publisher, the history of every catalog change, and locks.
-- The PostgreSQL file of the same name defines the same.

ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'member'
    CHECK (role IN ('member', 'librarian', 'admin'));
UPDATE users SET role = 'admin' WHERE is_admin;
ALTER TABLE users DROP COLUMN is_admin;

-- An account's verified link, granted by an admin, to a contributor (the
-- author) or to a publisher's name: it may then post material on its own
-- works marked "from the author" or "from the publisher".
CREATE TABLE verified_links (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('contributor', 'publisher')),
    contributor_id BLOB REFERENCES contributors(id) ON DELETE CASCADE,
    publisher TEXT,
    publisher_key TEXT,
    granted_by BLOB REFERENCES users(id) ON DELETE SET NULL,
    granted_at TEXT NOT NULL,
    CHECK ((kind = 'contributor' AND contributor_id IS NOT NULL AND publisher IS NULL)
        OR (kind = 'publisher' AND publisher IS NOT NULL AND contributor_id IS NULL))
);
CREATE INDEX verified_links_user ON verified_links(user_id);
CREATE INDEX verified_links_contributor ON verified_links(contributor_id);

-- One row per change to the catalog (an addition, an edit, a merge, a
-- revert, a lock), with a row per field it changed. `work_id` has no foreign
-- key on purpose: the history of a work merged away is kept.
CREATE TABLE catalog_changes (
    id BLOB PRIMARY KEY,
    work_id BLOB,
    kind TEXT NOT NULL CHECK (kind IN ('create', 'edit', 'merge', 'move_edition', 'revert', 'lock', 'unlock')),
    summary TEXT NOT NULL,
    user_id BLOB REFERENCES users(id) ON DELETE SET NULL,
    reverts BLOB REFERENCES catalog_changes(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX catalog_changes_work ON catalog_changes(work_id, created_at);
CREATE INDEX catalog_changes_user ON catalog_changes(user_id, created_at);

-- Values are JSON (NULL: the field had no value, or the thing did not exist).
CREATE TABLE catalog_change_fields (
    change_id BLOB NOT NULL REFERENCES catalog_changes(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    entity TEXT NOT NULL CHECK (entity IN ('work', 'edition', 'contributor', 'series', 'subject', 'credit', 'material', 'review', 'rating')),
    entity_id BLOB NOT NULL,
    field TEXT NOT NULL,
    before_value TEXT,
    after_value TEXT,
    PRIMARY KEY (change_id, position)
);
CREATE INDEX catalog_change_fields_entity ON catalog_change_fields(entity, entity_id);

ALTER TABLE works ADD COLUMN locked_at TEXT;
ALTER TABLE works ADD COLUMN locked_by BLOB REFERENCES users(id) ON DELETE SET NULL;
