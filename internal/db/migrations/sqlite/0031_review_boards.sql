-- Review boards of calls (issue 19, slice 2): who sits on a call's board,
-- the conflicts of interest they declare, which submissions each scores,
-- their scores, and the decisions staff take with what winners agreed to
-- publish.

-- The reviewer role: a board member who sees nothing else of the admin.
-- The constraint is rewritten as 0007 did for moderators (read why there).
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''translator'', ''moderator'')', '''translator'', ''moderator'', ''reviewer'')')
 WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = RESET;
INSERT INTO users (email, name, password_hash, role, disabled, created_at)
VALUES ('reviewer-check@migration.invalid', '', '', 'reviewer', 0, 0);
DELETE FROM users WHERE email = 'reviewer-check@migration.invalid';

-- A call's board settings. blind hides every identity field from its
-- reviewers; show_scores lets a reviewer see the others' scores once they
-- have submitted theirs; per_submission is how many reviewers the
-- automatic assignment gives each submission; normalise ranks on each
-- reviewer's z-scores. sealed_at is when the close resealed the answers
-- to the organisation's key, identity_purged_at when identity and contact
-- fields were purged.
CREATE TABLE call_boards (
    entry_id          INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
    blind             INTEGER NOT NULL DEFAULT 1,
    show_scores       INTEGER NOT NULL DEFAULT 0,
    per_submission    INTEGER NOT NULL DEFAULT 2,
    normalise         INTEGER NOT NULL DEFAULT 0,
    identity_days     INTEGER NOT NULL DEFAULT 30,
    sealed_at         BIGINT NOT NULL DEFAULT 0,
    identity_purged_at BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE call_reviewers (
    entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (entry_id, user_id)
);
CREATE INDEX call_reviewers_user ON call_reviewers (user_id);

CREATE TABLE review_conflicts (
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    declared_at    BIGINT NOT NULL,
    PRIMARY KEY (application_id, user_id)
);

-- One reviewer's review of one submission: assigned, then scored. scores
-- is a JSON object of criterion key to score; submitted_at 0 until sent.
CREATE TABLE reviews (
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    assigned_at    BIGINT NOT NULL,
    scores         TEXT NOT NULL DEFAULT '{}',
    comments       TEXT NOT NULL DEFAULT '',
    submitted_at   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (application_id, user_id)
);
CREATE INDEX reviews_user ON reviews (user_id);

-- A decision on a submission: an award (in a category), the shortlist, or
-- declined. A winner agrees to publish by a private link (consent_hash),
-- giving the name and the work's title the awards page shows; until then
-- nothing of theirs is public. notified_at: when the applicant was mailed.
-- The row outlives its application (purged on schedule, or withdrawn) so
-- that the awards page keeps what winners agreed to publish.
CREATE TABLE application_decisions (
    id             INTEGER PRIMARY KEY,
    entry_id       INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    application_id INTEGER UNIQUE REFERENCES applications(id) ON DELETE SET NULL,
    decision       TEXT NOT NULL CHECK (decision IN ('award', 'shortlist', 'declined')),
    category       TEXT NOT NULL DEFAULT '',
    decided_at     BIGINT NOT NULL,
    notified_at    BIGINT NOT NULL DEFAULT 0,
    consent_hash   TEXT NOT NULL DEFAULT '',
    public_name    TEXT NOT NULL DEFAULT '',
    public_work    TEXT NOT NULL DEFAULT '',
    published      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX application_decisions_consent ON application_decisions (consent_hash);
CREATE INDEX application_decisions_entry ON application_decisions (entry_id);

-- What reviewers see of a submission once the answers are resealed to the
-- organisation's key: its work (links, the work's language), sealed with
-- the site key.
ALTER TABLE applications ADD COLUMN work TEXT NOT NULL DEFAULT '';
