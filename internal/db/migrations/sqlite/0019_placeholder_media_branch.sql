-- Placeholder of the media branch: migrations must be consecutive, and
-- this branch was given 0021 while 0019 and 0020 belong to other
-- branches. Delete this file when merging (the lead renumbers 0021).
SELECT 1;
