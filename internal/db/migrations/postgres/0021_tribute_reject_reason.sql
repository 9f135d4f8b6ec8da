-- A moderator may say why a tribute was rejected (internal/campaign): a
-- note for staff on the moderation dashboard, never mailed or shown to
-- the public. Empty when none was given, and cleared on approval.
ALTER TABLE tributes ADD COLUMN reject_reason TEXT NOT NULL DEFAULT '';
