-- CHECK constraints on the enum columns, so a value the code does not know
-- can never be stored. The SQLite file of the same name rebuilds each table
-- with the same constraints (SQLite cannot add one to a table).

ALTER TABLE editions ADD CONSTRAINT editions_format_check CHECK (format IN ('hardcover', 'paperback', 'ebook', 'audiobook', 'other'));

ALTER TABLE credits ADD CONSTRAINT credits_role_check CHECK (role IN ('author', 'translator', 'narrator', 'illustrator', 'editor', 'foreword'));

ALTER TABLE materials ADD CONSTRAINT materials_kind_check CHECK (kind IN ('blurb', 'description', 'editorial_review', 'excerpt', 'author_note', 'award'));

ALTER TABLE materials ADD CONSTRAINT materials_source_check CHECK (source IN ('publisher', 'author', 'member', 'quire'));

ALTER TABLE questions ADD CONSTRAINT questions_source_check CHECK (source IN ('publisher', 'author', 'member', 'quire'));

ALTER TABLE readings ADD CONSTRAINT readings_status_check CHECK (status IN ('reading', 'read', 'dnf'));

ALTER TABLE readings ADD CONSTRAINT readings_progress_unit_check CHECK (progress_unit IN ('page', 'percent', 'chapter'));

ALTER TABLE club_books ADD CONSTRAINT club_books_status_check CHECK (status IN ('possible', 'selected', 'current', 'finished'));
