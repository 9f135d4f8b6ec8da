-- The durable job queue and the outbox of mail kept when no SMTP server is
-- configured. Payloads and messages are sealed with the site key.

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    run_at       BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, run_at, id);

CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    message    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX outbox_created ON outbox (created_at);
