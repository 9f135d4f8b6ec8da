-- Search. peerpress analyses text itself (words, lower case, accents
-- folded, Snowball stems; see internal/search/analyze.go) and stores the
-- terms as "<lang>_<stem>" words, so that SQLite and PostgreSQL index the
-- same terms and return the same rows. search_docs holds a translation's
-- terms (the same table on both engines); the GIN indexes read them as
-- tsvectors by a plain cast, which splits on spaces and nothing else (a
-- text search configuration would re-parse "en_drug" into two words).
-- Status, dates, kind and section are read live from translations and
-- entries, so publishing or moving an entry needs no re-indexing.
CREATE TABLE search_docs (
    translation_id BIGINT PRIMARY KEY REFERENCES translations(id) ON DELETE CASCADE,
    lang           TEXT NOT NULL,
    title_terms    TEXT NOT NULL,
    summary_terms  TEXT NOT NULL,
    body_terms     TEXT NOT NULL
);
CREATE INDEX search_docs_title ON search_docs USING GIN ((CAST(title_terms AS tsvector)));
CREATE INDEX search_docs_terms ON search_docs USING GIN ((CAST(title_terms || ' ' || summary_terms || ' ' || body_terms AS tsvector)));
