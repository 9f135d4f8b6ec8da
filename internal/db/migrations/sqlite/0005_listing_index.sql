-- Listings read translations newest first within a language. With status
-- between lang and publish_at, the old index made every listing sort in a
-- temporary tree; this one walks in date order and covers what the
-- visibility filter and the join need.
DROP INDEX translations_listing;
CREATE INDEX translations_by_date ON translations (lang, publish_at DESC, id DESC, status, entry_id);

-- The home page's featured campaign: found from the few featured entries,
-- not by walking every translation in date order until one turns up.
CREATE INDEX entries_featured ON entries (featured, kind);
