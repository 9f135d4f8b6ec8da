-- Staff sign-in with passkeys; signatories sealed until published.

-- Passkeys (WebAuthn) for staff sign-in (internal/auth).
--
-- A user's passkeys: the credential as the library keeps it (public
-- key, sign counter, flags; JSON, nothing secret in it), found by its
-- id (base64url) when a browser presents it. The name is the user's
-- own, to tell their keys apart.
CREATE TABLE passkeys (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    credential_id TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    credential    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX passkeys_user ON passkeys (user_id, id);

-- The user handle the authenticator keeps for a passkey: random, so it
-- says nothing about the person; '' until their first passkey.
ALTER TABLE users ADD COLUMN passkey_handle TEXT NOT NULL DEFAULT '';

-- A ceremony's challenge travels sealed to the browser and back, so
-- asking for one writes nothing; a challenge answered is kept (as a
-- hash) until it expires, so that an answer cannot be played twice.
CREATE TABLE passkey_challenges_used (
    challenge_hash TEXT PRIMARY KEY,
    expires_at     BIGINT NOT NULL
);

-- Signatories not yet published (internal/letter): their name and
-- website are sealed to the organisation's key (staff read them after
-- unlocking), and held, for publishing at confirmation, under a key
-- only the confirmation link carries; the server alone can read neither.
ALTER TABLE signatures ADD COLUMN held TEXT NOT NULL DEFAULT '';

-- A fresh withdrawal link asked for with one's address (a lost mail):
-- when the last was given, so that asking again and again mails at most
-- one link per ten minutes.
ALTER TABLE signatures ADD COLUMN relinked_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tributes ADD COLUMN relinked_at BIGINT NOT NULL DEFAULT 0;

-- A job's payload may carry personal data (a mail's recipient and
-- private links): failed for good, it goes when that data would at its
-- holder (a signature's confirmation after 48 hours, a registrant's
-- mail with the event's retention); 0: by its kind's Keep alone.
ALTER TABLE jobs ADD COLUMN purge_at BIGINT NOT NULL DEFAULT 0;
