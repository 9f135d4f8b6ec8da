-- An organisation's signature is unique per letter among the approved
-- ones only: refusing a second pending one would tell anyone who tries
-- that someone had tried to sign for it (security audit, F8). Duplicates
-- that wait are merged by a moderator, as duplicates always were.
DROP INDEX signatures_org;
CREATE UNIQUE INDEX signatures_org ON signatures (entry_id, org_hash) WHERE org_hash <> '' AND status = 'approved';
