-- Calls for applications (issue 19): a call entry's settings, and the
-- applications to it. An applicant's email and answers are sealed with
-- the site key and found by a keyed hash of the email; the private links
-- are kept as hashes. Lists the editor writes as a whole (texts by
-- language, the form's fields, the review criteria) are JSON text.
-- Files of an application are blobs named in application_files; the rows
-- go with the application, the blobs are deleted by the store.

CREATE TABLE calls (
    entry_id          INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
    opens_at          BIGINT NOT NULL,
    closes_at         BIGINT NOT NULL,
    time_zone         TEXT NOT NULL,
    grace_minutes     INTEGER NOT NULL DEFAULT 0,
    file_types        TEXT NOT NULL DEFAULT '',
    max_file_mb       INTEGER NOT NULL DEFAULT 0,
    max_video_minutes INTEGER NOT NULL DEFAULT 0,
    one_per_email     INTEGER NOT NULL DEFAULT 1,
    work_languages    TEXT NOT NULL DEFAULT '',
    retention_days    INTEGER NOT NULL DEFAULT 90,
    texts             TEXT NOT NULL DEFAULT '{}',
    form              TEXT NOT NULL DEFAULT '[]',
    criteria          TEXT NOT NULL DEFAULT '[]',
    purged_at         BIGINT NOT NULL DEFAULT 0,
    kept_applications INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE applications (
    id              INTEGER PRIMARY KEY,
    entry_id        INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    email_hash      TEXT NOT NULL,
    email           TEXT NOT NULL,
    answers         TEXT NOT NULL,
    lang            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'confirmed')),
    confirm_hash    TEXT NOT NULL DEFAULT '',
    confirm_expires BIGINT NOT NULL DEFAULT 0,
    manage_hash     TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX applications_entry_email ON applications (entry_id, email_hash);
CREATE INDEX applications_email ON applications (email_hash);
CREATE INDEX applications_confirm ON applications (confirm_hash);
CREATE INDEX applications_manage ON applications (manage_hash);

CREATE TABLE application_files (
    id               INTEGER PRIMARY KEY,
    application_id   INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    field            TEXT NOT NULL,
    blob_key         TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    content_type     TEXT NOT NULL,
    size             BIGINT NOT NULL,
    duration_seconds INTEGER NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    UNIQUE (application_id, field)
);
