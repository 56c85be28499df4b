-- Material posted through a verified link (an account linked by an admin to
-- the work's author or to its publisher) carries a verified mark. The mark is
-- kept with the material, so it stays true of what was verified when posted
-- even if the link is revoked later. The other engine's file defines the same.
ALTER TABLE materials ADD COLUMN verified BOOLEAN NOT NULL DEFAULT FALSE;

-- Finding the accounts linked to a publisher's name.
CREATE INDEX verified_links_publisher ON verified_links(publisher_key);
