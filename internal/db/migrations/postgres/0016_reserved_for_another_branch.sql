-- A placeholder: version 16 belongs to a migration on another branch.
-- Migrations must be consecutive, so this branch's 0017 needs a 16 to
-- run; at the merge, this file is deleted in favour of the real 0016.
SELECT 1;
