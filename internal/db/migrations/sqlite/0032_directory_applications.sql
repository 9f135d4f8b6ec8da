-- The directory, slice 2 (internal/directory).
--
-- An organisation that signed an open letter, linked by staff to its
-- directory entry (where its name on the letter is not the directory's:
-- the same names match without a link). Its page lists the letter.
ALTER TABLE signatures ADD COLUMN organisation_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL;
CREATE INDEX signatures_organisation ON signatures (organisation_id) WHERE organisation_id IS NOT NULL;

-- Applications to join the directory. profile is the proposed profile
-- (JSON: what the directory publishes once staff accept it). The private
-- contact (a person's name and email) is sealed for staff, to the
-- organisation's key when the site has one; email is the address again,
-- sealed with the site key, which the server reads to send the
-- verification link and staff's questions. Both are emptied a set time
-- after the decision (decided_at); an application never verified goes
-- after two days. The verification token is kept as a hash only.
-- status: unverified (email not confirmed), waiting (for staff),
-- accepted (organisation_id is its profile), declined.
CREATE TABLE organisation_applications (
    id              INTEGER PRIMARY KEY,
    status          TEXT NOT NULL CHECK (status IN ('unverified', 'waiting', 'accepted', 'declined')),
    name            TEXT NOT NULL,
    country         TEXT NOT NULL,
    profile         TEXT NOT NULL,
    contact         TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    email_hash      TEXT NOT NULL,
    lang            TEXT NOT NULL,
    verify_hash     TEXT NOT NULL DEFAULT '',
    organisation_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
    created_at      BIGINT NOT NULL,
    verified_at     BIGINT NOT NULL DEFAULT 0,
    decided_at      BIGINT NOT NULL DEFAULT 0,
    purged_at       BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX organisation_applications_status ON organisation_applications (status, created_at);
CREATE INDEX organisation_applications_verify ON organisation_applications (verify_hash) WHERE verify_hash <> '';
CREATE INDEX organisation_applications_email ON organisation_applications (email_hash);
