-- Search. peerpress analyses text itself (words, lower case, accents
-- folded, Snowball stems; see internal/search/analyze.go) and stores the
-- terms as "<lang>_<stem>" words, so that SQLite and PostgreSQL index the
-- same words and return the same rows. Per translation, search_docs holds
-- its title's words, its summary's (for ranking), and all its words in
-- terms; facets are its filters as words ("k_article s_3 y_2024"), added
-- to title_terms and terms, so the index narrows by kind, section and
-- year as fast as by words. status and publish_at repeat the
-- translation's, so a search reads one table. The words are stored as
-- tsvectors made by a plain cast, which splits on spaces and nothing else
-- (a text search configuration would re-parse "en_drug"); SQLite keeps
-- the same columns as text.
CREATE TABLE search_docs (
    translation_id BIGINT PRIMARY KEY REFERENCES translations(id) ON DELETE CASCADE,
    lang           TEXT NOT NULL,
    status         TEXT NOT NULL,
    publish_at     BIGINT NOT NULL,
    facets         TEXT NOT NULL,
    title_terms    TSVECTOR NOT NULL,
    summary_terms  TSVECTOR NOT NULL,
    terms          TSVECTOR NOT NULL
);
CREATE INDEX search_docs_title ON search_docs USING GIN (title_terms) WITH (fastupdate = off);
CREATE INDEX search_docs_terms ON search_docs USING GIN (terms) WITH (fastupdate = off);
