-- Search, partitioned. A search wants the newest translations holding its
-- words; the GIN index finds the rows holding them but not the newest, so
-- PostgreSQL read every match from the table to keep the newest few. At
-- 100,000 entries a filtered search read 18,000 pages for 200 results.
-- Partitioned by ranges of translation_id, each range has its own GIN
-- index and its own pages, and internal/search reads the newest ranges
-- first, stopping once it has enough. internal/search creates a range's
-- partition (search_docs_p<N>, ids N*20000 to (N+1)*20000) when its first
-- translation is indexed.
--
-- The year words changed too (a translation now carries every year it
-- falls in in some time zone), so the index starts empty and peerpress
-- rebuilds it at start-up from the translations.
DROP TABLE search_docs;
CREATE TABLE search_docs (
    translation_id BIGINT PRIMARY KEY REFERENCES translations(id) ON DELETE CASCADE,
    lang           TEXT NOT NULL,
    status         TEXT NOT NULL,
    publish_at     BIGINT NOT NULL,
    facets         TEXT NOT NULL,
    title_terms    TSVECTOR NOT NULL,
    summary_terms  TSVECTOR NOT NULL,
    terms          TSVECTOR NOT NULL
) PARTITION BY RANGE (translation_id);
CREATE INDEX search_docs_title ON search_docs USING GIN (title_terms) WITH (fastupdate = off);
CREATE INDEX search_docs_terms ON search_docs USING GIN (terms) WITH (fastupdate = off);
