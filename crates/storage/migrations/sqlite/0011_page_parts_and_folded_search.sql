-- The book page is cached in parts, each with its own revision, so a vote
-- refreshes only the questions and a rating only the counts and reviews.
-- works.revision still changes with anything else on the page.
ALTER TABLE works ADD COLUMN questions_revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE works ADD COLUMN activity_revision INTEGER NOT NULL DEFAULT 0;

-- Search compares folded text (lower case in any script, accents removed,
-- controls dropped: quire_domain::text::fold). The folding is Rust's, so
-- these start empty and are filled in by the server right after migrating,
-- and by every insert afterwards.
ALTER TABLE works ADD COLUMN title_fold TEXT;
ALTER TABLE contributors ADD COLUMN name_fold TEXT;
