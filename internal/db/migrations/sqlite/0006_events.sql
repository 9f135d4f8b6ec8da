-- What the events work adds to an event entry: the details the spine's
-- events table lacks, registrations (personal fields sealed with the site
-- key, found by a keyed hash of the email), the reminders already sent,
-- and the counts kept once personal data is purged.
--
-- Lists an editor edits as a whole on one form (interpretation languages,
-- speakers, agenda, questions) are JSON text: they are never queried
-- item by item, and their order is the editor's.

CREATE TABLE event_details (
    entry_id           INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
    join_url           TEXT NOT NULL DEFAULT '',
    recording_url      TEXT NOT NULL DEFAULT '',
    languages          TEXT NOT NULL DEFAULT '[]',
    speakers           TEXT NOT NULL DEFAULT '[]',
    agenda             TEXT NOT NULL DEFAULT '[]',
    registration_open  INTEGER NOT NULL DEFAULT 0,
    closes_at          BIGINT NOT NULL DEFAULT 0,
    capacity           INTEGER NOT NULL DEFAULT 0,
    questions          TEXT NOT NULL DEFAULT '[]',
    consent            TEXT NOT NULL DEFAULT '',
    reminders          TEXT NOT NULL DEFAULT '1440,60',
    purged_at          BIGINT NOT NULL DEFAULT 0,
    kept_confirmed     INTEGER NOT NULL DEFAULT 0,
    kept_waitlisted    INTEGER NOT NULL DEFAULT 0,
    kept_attended      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE registrations (
    id              INTEGER PRIMARY KEY,
    entry_id        INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    email_hash      TEXT NOT NULL,
    email           TEXT NOT NULL,
    name            TEXT NOT NULL,
    answers         TEXT NOT NULL,
    pending_update  TEXT NOT NULL DEFAULT '',
    lang            TEXT NOT NULL,
    origin          TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'waitlisted', 'cancelled')),
    attended        INTEGER NOT NULL DEFAULT 0,
    confirm_hash    TEXT NOT NULL DEFAULT '',
    confirm_expires BIGINT NOT NULL DEFAULT 0,
    manage_hash     TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    status_at       BIGINT NOT NULL,
    UNIQUE (entry_id, email_hash)
);
CREATE INDEX registrations_entry_status ON registrations (entry_id, status, status_at);
CREATE INDEX registrations_confirm ON registrations (confirm_hash);
CREATE INDEX registrations_manage ON registrations (manage_hash);

CREATE TABLE registration_reminders (
    registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
    starts_at       BIGINT NOT NULL,
    offset_minutes  INTEGER NOT NULL,
    sent_at         BIGINT NOT NULL,
    PRIMARY KEY (registration_id, starts_at, offset_minutes)
);
