-- Search documents that modules give the index (internal/search,
-- Document): the words of an entry's extension (an event's venue and
-- speakers), which join the entry's translations' rows in search_docs and
-- go with the entry; and things of a module's own that are not entries (a
-- directory's organisations), found and shown as themselves. A module
-- names its documents by source (the module) and key; lang '' is an
-- entry's document in each of the entry's languages. The text is kept as
-- written, so that re-indexing an entry's translation analyses it in the
-- translation's language. Only documents of their own (entry_id NULL)
-- carry terms; search_documents_fts indexes them, kept in step by the
-- triggers as search_fts is.
CREATE TABLE search_documents (
    id            INTEGER PRIMARY KEY,
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
    title_terms   TEXT NOT NULL,
    summary_terms TEXT NOT NULL,
    terms         TEXT NOT NULL,
    UNIQUE (source, key, lang)
);
CREATE INDEX search_documents_entry ON search_documents (entry_id) WHERE entry_id IS NOT NULL;

CREATE VIRTUAL TABLE search_documents_fts USING fts5(
    title_terms, terms,
    content = 'search_documents', content_rowid = 'id', detail = column,
    tokenize = "ascii tokenchars '_'"
);

CREATE TRIGGER search_documents_inserted AFTER INSERT ON search_documents BEGIN
    INSERT INTO search_documents_fts (rowid, title_terms, terms) VALUES (new.id, new.title_terms, new.terms);
END;
CREATE TRIGGER search_documents_deleted AFTER DELETE ON search_documents BEGIN
    INSERT INTO search_documents_fts (search_documents_fts, rowid, title_terms, terms) VALUES ('delete', old.id, old.title_terms, old.terms);
END;
CREATE TRIGGER search_documents_updated AFTER UPDATE OF title_terms, terms ON search_documents BEGIN
    INSERT INTO search_documents_fts (search_documents_fts, rowid, title_terms, terms) VALUES ('delete', old.id, old.title_terms, old.terms);
    INSERT INTO search_documents_fts (rowid, title_terms, terms) VALUES (new.id, new.title_terms, new.terms);
END;
