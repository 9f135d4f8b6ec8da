-- Staff accounts that hold (internal/auth).
--
-- The sign-in limiter: one row per address typed into the sign-in form
-- (a hash of it, "email:…") and per account ("user:N"). An attempt is
-- reserved here before the password is hashed, so parallel attempts
-- cannot slip past; failures decide how long the next attempt waits
-- (exponential, capped), attempts counts every try. A success deletes
-- the rows; rows idle for a day are purged. No visitor address is kept.
CREATE TABLE login_limits (
    key        TEXT PRIMARY KEY,
    failures   INTEGER NOT NULL DEFAULT 0,
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);

-- Password reset links: only a hash of the token, as for sessions; a
-- link works once, within its hour, and no longer after any password
-- change of its user.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX password_resets_user ON password_resets (user_id);

-- The admin's language a user chose ('' = the browser's).
ALTER TABLE users ADD COLUMN lang TEXT NOT NULL DEFAULT '';

-- What a user sees of their sessions: the browser and system (a
-- summary of the user agent, never the address) and when it was last
-- used, for the idle timeout.
ALTER TABLE sessions ADD COLUMN agent TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN last_seen BIGINT NOT NULL DEFAULT 0;
CREATE INDEX sessions_user ON sessions (user_id);

-- Two-factor sign-in: the TOTP key (its otpauth URL), sealed with the
-- site key; one being enrolled, until a first code confirms it; and the
-- last time step used, so that a code works once. Recovery codes are
-- kept as hashes, each usable once.
ALTER TABLE users ADD COLUMN totp_sealed TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_pending TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_step BIGINT NOT NULL DEFAULT 0;
CREATE TABLE recovery_codes (
    user_id   BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, code_hash)
);
-- A session's stage: 0 signed in; 1 password given, waiting for the
-- second factor (it opens nothing); 2 an admin who must enrol a second
-- factor first (it opens only the enrolment).
ALTER TABLE sessions ADD COLUMN stage INTEGER NOT NULL DEFAULT 0;

-- The audit log takes staff actions too; filtered by user and action.
CREATE INDEX audit_log_user ON audit_log (user_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);

-- Nobody edits the audit log: no UPDATE at all, and a DELETE only of
-- rows past the retention (two years), which is the purge.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at <= EXTRACT(EPOCH FROM now())::BIGINT - 63072000 THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
