-- Search documents that modules give the index (internal/search,
-- Document): the words of an entry's extension (an event's venue and
-- speakers), which join the entry's translations' rows in search_docs and
-- go with the entry; and things of a module's own that are not entries (a
-- directory's organisations), found and shown as themselves. A module
-- names its documents by source (the module) and key; lang '' is an
-- entry's document in each of the entry's languages. The text is kept as
-- written, so that re-indexing an entry's translation analyses it in the
-- translation's language. Only documents of their own (entry_id NULL)
-- carry terms, as search_docs' do (tsvectors made by a plain cast).
CREATE TABLE search_documents (
    id            BIGSERIAL PRIMARY KEY,
    source        TEXT NOT NULL,
    key           TEXT NOT NULL,
    lang          TEXT NOT NULL,
    entry_id      BIGINT REFERENCES entries(id) ON DELETE CASCADE,
    label         TEXT NOT NULL,
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL,
    body          TEXT NOT NULL,
    url           TEXT NOT NULL,
    publish_at    BIGINT NOT NULL,
    title_terms   TSVECTOR NOT NULL,
    summary_terms TSVECTOR NOT NULL,
    terms         TSVECTOR NOT NULL,
    UNIQUE (source, key, lang)
);
CREATE INDEX search_documents_entry ON search_documents (entry_id) WHERE entry_id IS NOT NULL;
CREATE INDEX search_documents_title ON search_documents USING GIN (title_terms) WITH (fastupdate = off);
CREATE INDEX search_documents_terms ON search_documents USING GIN (terms) WITH (fastupdate = off);
