-- An incremental export of the static mirror (package mirror) asks which
-- entries have a translation saved since the last export
-- (content.Store.ChangedSince). Without an index on the time a
-- translation was saved, that read every translation: 10 s of an
-- incremental export at 20,000 entries in three languages, where the
-- budget is 2 s. With entry_id in it, the question is answered from the
-- index alone; the other half of it (published since) walks
-- translations_publish.
CREATE INDEX translations_updated ON translations (updated_at, entry_id);

-- When each listing of a language last changed (content.Store.
-- ArchivesModified: the sitemap's dates, asked for the index and every
-- part of it) was a read of every translation in the language, bodies
-- and all: 0.2 s a call at 20,000 entries. This index answers it alone,
-- in the order it groups by.
CREATE INDEX translations_modified ON translations (lang, entry_kind, entry_section_id, status, publish_at, updated_at);

-- The sitemap lists a language's entries by id, with every language's
-- slug (content.Store.SitemapURLs): read from the rows, whose status and
-- times come after the body, that was most of a part's 0.3 s at 20,000
-- entries. This index answers both of its queries alone.
CREATE INDEX translations_sitemap ON translations (lang, entry_id, status, publish_at, updated_at, entry_kind, slug);
