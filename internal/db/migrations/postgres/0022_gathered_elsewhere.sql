-- Signatures (internal/letter) and tributes (internal/campaign) that staff
-- add from what was gathered elsewhere: a paper list, a form on an old
-- site, a message on social media. consent_evidence says how the person
-- agreed (and, for a tribute, consent_by who gave it), sealed with the
-- site key like the rest of what the row says about a person; added_by is
-- the staff member who added it. Both stay empty for what people sent
-- through the site themselves.
ALTER TABLE signatures ADD COLUMN consent_evidence TEXT NOT NULL DEFAULT '';
ALTER TABLE signatures ADD COLUMN added_by BIGINT REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE tributes ADD COLUMN consent_evidence TEXT NOT NULL DEFAULT '';
ALTER TABLE tributes ADD COLUMN consent_by TEXT NOT NULL DEFAULT '';
ALTER TABLE tributes ADD COLUMN added_by BIGINT REFERENCES users(id) ON DELETE SET NULL;
