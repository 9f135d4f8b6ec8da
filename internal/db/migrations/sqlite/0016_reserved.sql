-- Reserved: another branch's migration takes this number (the WordPress
-- import's 0015, the events module's 0016). Migrations must be numbered
-- without gaps, so this branch holds the place; delete this file when
-- merging the branch that brings the real one.
SELECT 1;
