-- The year words of the search index changed (a translation now carries
-- every year it falls in in some time zone; see internal/search), so the
-- index starts empty and peerpress rebuilds it at start-up from the
-- translations. (On PostgreSQL this migration also partitions the table;
-- SQLite's full-text index already walks the newest rows first.)
DELETE FROM search_docs;
