-- What several instances on one database must agree on.

-- The rate of a kind of job across every instance (jobs.Options.Rate):
-- free_at is the time, in Unix milliseconds, from which the next job of
-- the kind may start. A worker that claims one moves it on by the
-- kind's interval, in the transaction of the claim.
CREATE TABLE job_rates (
    kind    TEXT PRIMARY KEY,
    free_at BIGINT NOT NULL
);

-- Periodic tasks (jobs.Task): the last slot of each task that an instance
-- claimed. A claim raises slot, only if it is lower, in one statement, so
-- each slot is run by one instance.
CREATE TABLE task_slots (
    name       TEXT PRIMARY KEY,
    slot       BIGINT NOT NULL,
    claimed_at BIGINT NOT NULL
);

-- The abuse guard's challenges already accepted (guard.DBStore), shared by
-- every instance so that a challenge is used once: the SHA-256 of each,
-- never the challenge, until it expires (Unix seconds). A periodic task
-- deletes the expired ones.
CREATE TABLE guard_used (
    challenge_hash TEXT PRIMARY KEY,
    expires_at     BIGINT NOT NULL
);
CREATE INDEX guard_used_expires ON guard_used (expires_at);

-- Topics announced to every process on the database (db.Notify): each
-- notification raises its topic's version; on SQLite the other processes
-- read the versions again when the file changes.
CREATE TABLE topics (
    name    TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
