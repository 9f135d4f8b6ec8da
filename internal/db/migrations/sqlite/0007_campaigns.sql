-- Campaigns: their details, tribute walls and the moderator role who looks
-- after them; and the responsive sizes made of every uploaded image.

-- The moderator role. SQLite cannot change a CHECK constraint, and the
-- usual rebuild (new table, copy, drop, rename) cannot be done here: the
-- migration runs in a transaction, where foreign_keys cannot be turned off,
-- so dropping users would cascade-delete every session, API token and
-- translator language, and unset every entry's author. A CHECK constraint
-- does not change how rows are stored, so the documented shortcut for such
-- changes applies (sqlite.org/lang_altertable.html, "making other kinds of
-- table schema changes"): rewrite the table's stored definition and reload
-- the schema. The CREATE TABLEs below change the schema cookie, so other
-- connections reload it too.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''author'', ''translator'')', '''author'', ''translator'', ''moderator'')')
 WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = RESET;

-- Proof that the rewrite took: this fails the migration if the constraint
-- still refuses moderators. The row is gone again before the transaction
-- commits, and an INTEGER PRIMARY KEY without AUTOINCREMENT reuses its id.
INSERT INTO users (email, name, password_hash, role, disabled, created_at)
VALUES ('moderator-check@migration.invalid', '', '', 'moderator', 0, 0);
DELETE FROM users WHERE email = 'moderator-check@migration.invalid';

-- A campaign's details, one row per campaign entry that has them. Dates
-- are the first and last day, as Unix seconds at 00:00 UTC; 0 when unset.
CREATE TABLE campaigns (
    entry_id   INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
    starts_on  BIGINT NOT NULL DEFAULT 0,
    ends_on    BIGINT NOT NULL DEFAULT 0,
    wall_open  INTEGER NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);

-- The campaign's words per language: objectives, asks and ways to take
-- part, one item per line.
CREATE TABLE campaign_texts (
    entry_id             INTEGER NOT NULL REFERENCES campaigns(entry_id) ON DELETE CASCADE,
    lang                 TEXT NOT NULL,
    primary_objective    TEXT NOT NULL DEFAULT '',
    secondary_objectives TEXT NOT NULL DEFAULT '',
    asks                 TEXT NOT NULL DEFAULT '',
    ways                 TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (entry_id, lang)
);

-- Entries linked from a campaign (events, statements, publications), in
-- the order the editor chose.
CREATE TABLE campaign_links (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(entry_id) ON DELETE CASCADE,
    entry_id    INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, entry_id)
);

-- Tributes submitted to a campaign's wall. Nothing is public before a
-- moderator approves it. The submitter's email is sealed with the site
-- key (only for the withdrawal link); dup_hash is a keyed hash of email
-- and name remembered, to refuse the same tribute twice; the withdrawal
-- token is kept only as a hash. A withdrawn tribute is deleted.
CREATE TABLE tributes (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    status       TEXT NOT NULL CHECK (status IN ('waiting', 'approved', 'rejected')),
    lang         TEXT NOT NULL,
    remembered   TEXT NOT NULL,
    body         TEXT NOT NULL,
    media_id     INTEGER REFERENCES media(id) ON DELETE SET NULL,
    email_sealed TEXT NOT NULL,
    dup_hash     TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    flagged      INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    decided_at   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX tributes_wall ON tributes (campaign_id, status, decided_at, id);
CREATE INDEX tributes_waiting ON tributes (status, created_at);
CREATE UNIQUE INDEX tributes_dup ON tributes (campaign_id, dup_hash);

-- Smaller copies of an uploaded image for srcset, made in the background.
CREATE TABLE media_variants (
    media_id INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    width    INTEGER NOT NULL,
    height   INTEGER NOT NULL,
    path     TEXT NOT NULL UNIQUE,
    bytes    BIGINT NOT NULL,
    PRIMARY KEY (media_id, width)
);
