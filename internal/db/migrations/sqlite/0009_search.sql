-- Search. peerpress analyses text itself (words, lower case, accents
-- folded, Snowball stems; see internal/search/analyze.go) and stores the
-- terms as "<lang>_<stem>" words, so that SQLite and PostgreSQL index the
-- same terms and return the same rows. search_docs holds a translation's
-- terms (the same table on both engines); search_fts indexes them, kept in
-- step by the triggers. Status, dates, kind and section are read live from
-- translations and entries, so publishing or moving an entry needs no
-- re-indexing, and a deleted translation takes its row with it.
CREATE TABLE search_docs (
    translation_id INTEGER PRIMARY KEY REFERENCES translations(id) ON DELETE CASCADE,
    lang           TEXT NOT NULL,
    title_terms    TEXT NOT NULL,
    summary_terms  TEXT NOT NULL,
    body_terms     TEXT NOT NULL
);

-- External content: the index reads its text from search_docs, so the
-- terms are stored once. detail=column keeps which column a term is in
-- (title matches rank first), not its positions.
CREATE VIRTUAL TABLE search_fts USING fts5(
    title_terms, summary_terms, body_terms,
    content = 'search_docs', content_rowid = 'translation_id', detail = column,
    tokenize = "ascii tokenchars '_'"
);

CREATE TRIGGER search_docs_inserted AFTER INSERT ON search_docs BEGIN
    INSERT INTO search_fts (rowid, title_terms, summary_terms, body_terms)
    VALUES (new.translation_id, new.title_terms, new.summary_terms, new.body_terms);
END;
CREATE TRIGGER search_docs_deleted AFTER DELETE ON search_docs BEGIN
    INSERT INTO search_fts (search_fts, rowid, title_terms, summary_terms, body_terms)
    VALUES ('delete', old.translation_id, old.title_terms, old.summary_terms, old.body_terms);
END;
CREATE TRIGGER search_docs_updated AFTER UPDATE ON search_docs BEGIN
    INSERT INTO search_fts (search_fts, rowid, title_terms, summary_terms, body_terms)
    VALUES ('delete', old.translation_id, old.title_terms, old.summary_terms, old.body_terms);
    INSERT INTO search_fts (rowid, title_terms, summary_terms, body_terms)
    VALUES (new.translation_id, new.title_terms, new.summary_terms, new.body_terms);
END;
