-- Invitations (internal/auth): a new user, or one added without a
-- password (an imported author), gets a single-use link by mail and
-- chooses their own password. Only a hash of the link's token is kept,
-- as for sessions. A used invitation keeps its row (used_at) so that its
-- link can say it was used; a newer invitation of the same user deletes
-- the older ones, whose links then say they are no longer valid. lang is
-- the mail's language, in which the link's page answers too.
CREATE TABLE invitations (
    token_hash  TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    invited_by  BIGINT REFERENCES users(id) ON DELETE SET NULL,
    lang        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX invitations_user ON invitations (user_id);
CREATE INDEX invitations_expires ON invitations (expires_at);
