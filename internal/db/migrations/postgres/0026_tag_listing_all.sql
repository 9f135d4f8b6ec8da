-- A tag's archive with entries not translated into the page's language
-- (ListFilter.IncludeUntranslated, the default until an admin saves the
-- settings): every language's rows of the tag, in the listing's order, so
-- the listing walks the tag's own rows instead of every translation of
-- the site looking for the tag (1.6 ms a page at 10,000 entries, issue 23).
CREATE INDEX tag_listing_all ON tag_listing (tag_id, publish_at DESC, entry_id DESC, lang, status, entry_kind, translation_id);
