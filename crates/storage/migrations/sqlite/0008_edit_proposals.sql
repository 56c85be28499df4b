-- Edits proposed by members for a librarian to accept or decline. The
-- PostgreSQL file of the same name defines the same.
--
-- `changes` is a JSON array of {"field", "before", "after"}: the values the
-- member saw and the values they want. Accepting applies it through the same
-- code as a direct edit, which refuses when a field changed meanwhile.
CREATE TABLE edit_proposals (
    id BLOB PRIMARY KEY,
    entity TEXT NOT NULL CHECK (entity IN ('work', 'edition', 'contributor', 'series', 'subject')),
    entity_id BLOB NOT NULL,
    work_id BLOB REFERENCES works(id) ON DELETE CASCADE,
    changes TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'declined', 'withdrawn')),
    proposed_by BLOB REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    decided_by BLOB REFERENCES users(id) ON DELETE SET NULL,
    decided_at TEXT,
    reason TEXT,
    change_id BLOB REFERENCES catalog_changes(id) ON DELETE SET NULL
);
CREATE INDEX edit_proposals_status ON edit_proposals(status, created_at);
CREATE INDEX edit_proposals_user ON edit_proposals(proposed_by, created_at);
CREATE INDEX edit_proposals_change ON edit_proposals(change_id);
