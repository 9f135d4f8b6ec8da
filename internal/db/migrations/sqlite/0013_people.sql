-- Personal data in one place (internal/participant).
--
-- The log of staff access to personal data: who opened or exported what,
-- from which holder, how many records, when. It never holds the data, nor
-- the email a staff member looked up: at most its keyed hash (subject).
-- user_id is the staff user, NULL for the command line; no foreign key, so
-- the record outlives the user.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       BIGINT NOT NULL,
    user_id  BIGINT,
    action   TEXT NOT NULL,
    holder   TEXT NOT NULL DEFAULT '',
    target   TEXT NOT NULL DEFAULT '',
    records  INTEGER NOT NULL DEFAULT 0,
    subject  TEXT NOT NULL DEFAULT ''
);

-- A registration's manage link is random now (it was derived from the
-- registration with the site key, so it could never change): its hash
-- finds the registration, and the token itself is kept sealed so that
-- every mail to the registrant can carry it. Empty for registrations
-- confirmed before, whose derived link keeps working until their purge.
ALTER TABLE registrations ADD COLUMN manage_sealed TEXT NOT NULL DEFAULT '';

-- A keyed hash of the submitter's email, to find what a person sent (for
-- their export or erasure). Empty for tributes sent before: they are
-- filled in the first time someone is looked up.
ALTER TABLE tributes ADD COLUMN email_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX tributes_email ON tributes (email_hash);
