-- A registration whose form came without the abuse guard's proof of work
-- (a browser without JavaScript) is accepted and marked for the staff, as
-- signatures are (0008).
ALTER TABLE registrations ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0;
