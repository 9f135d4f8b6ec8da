-- Members' updates by email (issue 20): subscribers, an update entry's
-- chosen entries, and its sending. A subscriber's email is sealed with
-- the site key (the server must read it to send) and found by a keyed
-- hash; an erased subscriber keeps only that hash (status 'erased'), so
-- that an import cannot add the address back. Private links are kept as
-- hashes. One delivery row per (update, subscriber), unique, is what
-- makes a resumed send skip whoever had the edition already.

CREATE TABLE subscribers (
    id              INTEGER PRIMARY KEY,
    email_hash      TEXT NOT NULL UNIQUE,
    email           TEXT NOT NULL DEFAULT '',
    lang            TEXT NOT NULL DEFAULT '',
    lang2           TEXT NOT NULL DEFAULT '',
    topics          TEXT NOT NULL DEFAULT '',
    text_only       INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'active', 'paused', 'unsubscribed', 'bouncing', 'erased')),
    confirm_hash    TEXT NOT NULL DEFAULT '',
    confirm_expires BIGINT NOT NULL DEFAULT 0,
    prior           TEXT NOT NULL DEFAULT '',
    link_salt       TEXT NOT NULL DEFAULT '',
    consent_at      BIGINT NOT NULL DEFAULT 0,
    consent_source  TEXT NOT NULL DEFAULT '',
    bounces         INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX subscribers_confirm ON subscribers (confirm_hash);
CREATE INDEX subscribers_status ON subscribers (status, id);

CREATE TABLE updates (
    entry_id    INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
    picks       TEXT NOT NULL DEFAULT '',
    period_from BIGINT NOT NULL DEFAULT 0,
    period_to   BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE update_sends (
    entry_id   INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
    state      TEXT NOT NULL CHECK (state IN ('scheduled', 'queued')),
    send_at    BIGINT NOT NULL,
    origin     TEXT NOT NULL DEFAULT '',
    queued     INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE update_deliveries (
    entry_id      INTEGER NOT NULL REFERENCES update_sends(entry_id) ON DELETE CASCADE,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    state         TEXT NOT NULL CHECK (state IN ('waiting', 'sending', 'sent', 'failed', 'skipped')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    sent_at       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (entry_id, subscriber_id)
);
CREATE INDEX update_deliveries_subscriber ON update_deliveries (subscriber_id);
