-- The browse pages and the home page's recent reviews read lists in the
-- order of these indexes: a subject's books, a contributor's books by role,
-- and the newest reviews across the catalog.
CREATE INDEX work_subjects_subject_work ON work_subjects(subject_id, work_id);
CREATE INDEX credits_contributor_role ON credits(contributor_id, role, work_id);
CREATE INDEX reviews_created ON reviews(created_at);
