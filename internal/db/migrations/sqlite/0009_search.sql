-- Search. peerpress analyses text itself (words, lower case, accents
-- folded, Snowball stems; see internal/search/analyze.go) and stores the
-- terms as "<lang>_<stem>" words, so that SQLite and PostgreSQL index the
-- same words and return the same rows. Per translation, search_docs holds
-- its title's words, its summary's (for ranking), and all its words in
-- terms; facets are its filters as words ("k_article s_3 y_2024"), added
-- to title_terms and terms, so the full-text index narrows by kind,
-- section and year as fast as by words. status and publish_at repeat the
-- translation's, so a search reads one table. search_fts indexes the
-- words, kept in step by the triggers; a deleted translation takes its
-- row with it.
CREATE TABLE search_docs (
    translation_id INTEGER PRIMARY KEY REFERENCES translations(id) ON DELETE CASCADE,
    lang           TEXT NOT NULL,
    status         TEXT NOT NULL,
    publish_at     BIGINT NOT NULL,
    facets         TEXT NOT NULL,
    title_terms    TEXT NOT NULL,
    summary_terms  TEXT NOT NULL,
    terms          TEXT NOT NULL
);

-- External content: the index reads its words from search_docs, so they
-- are stored once. detail=column keeps which column a word is in (title
-- matches rank first), not its positions.
CREATE VIRTUAL TABLE search_fts USING fts5(
    title_terms, terms,
    content = 'search_docs', content_rowid = 'translation_id', detail = column,
    tokenize = "ascii tokenchars '_'"
);

CREATE TRIGGER search_docs_inserted AFTER INSERT ON search_docs BEGIN
    INSERT INTO search_fts (rowid, title_terms, terms) VALUES (new.translation_id, new.title_terms, new.terms);
END;
CREATE TRIGGER search_docs_deleted AFTER DELETE ON search_docs BEGIN
    INSERT INTO search_fts (search_fts, rowid, title_terms, terms) VALUES ('delete', old.translation_id, old.title_terms, old.terms);
END;
CREATE TRIGGER search_docs_updated AFTER UPDATE OF title_terms, terms ON search_docs BEGIN
    INSERT INTO search_fts (search_fts, rowid, title_terms, terms) VALUES ('delete', old.translation_id, old.title_terms, old.terms);
    INSERT INTO search_fts (rowid, title_terms, terms) VALUES (new.translation_id, new.title_terms, new.terms);
END;
