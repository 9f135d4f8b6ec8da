-- Open letters: a statement opened for signatures, and the signatures.
-- A signatory's name, website and contact email are sealed with the site
-- key; only keyed hashes stay in the clear, to refuse duplicates.

CREATE TABLE letters (
    entry_id      INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
    open          INTEGER NOT NULL DEFAULT 0,
    organisations INTEGER NOT NULL DEFAULT 1,
    individuals   INTEGER NOT NULL DEFAULT 0,
    goal          INTEGER NOT NULL DEFAULT 0,
    closes_at     BIGINT NOT NULL DEFAULT 0,
    moderated     INTEGER NOT NULL DEFAULT 0,
    updated_at    BIGINT NOT NULL
);

-- status: unverified (email not yet confirmed; purged after two days),
-- waiting (for a moderator), approved (public), rejected.
CREATE TABLE signatures (
    id            INTEGER PRIMARY KEY,
    entry_id      INTEGER NOT NULL REFERENCES letters(entry_id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('organisation', 'individual')),
    name          TEXT NOT NULL,
    org_type      TEXT NOT NULL DEFAULT '',
    country       TEXT NOT NULL,
    website       TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL,
    email_hash    TEXT NOT NULL,
    org_hash      TEXT NOT NULL DEFAULT '',
    lang          TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('unverified', 'waiting', 'approved', 'rejected')),
    flagged       INTEGER NOT NULL DEFAULT 0,
    verify_hash   TEXT NOT NULL DEFAULT '',
    withdraw_hash TEXT NOT NULL UNIQUE,
    created_at    BIGINT NOT NULL,
    verified_at   BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX signatures_email ON signatures (entry_id, email_hash);
CREATE UNIQUE INDEX signatures_org ON signatures (entry_id, org_hash) WHERE org_hash <> '';
CREATE INDEX signatures_listing ON signatures (entry_id, status, country);
CREATE INDEX signatures_verify ON signatures (verify_hash) WHERE verify_hash <> '';
CREATE INDEX signatures_unverified ON signatures (status, created_at);
