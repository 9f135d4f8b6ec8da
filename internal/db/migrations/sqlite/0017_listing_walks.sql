-- Every listing walks an index of its own, in its order, from its newest
-- entry (issue 23). Listings filter by what entries hold (kind, section,
-- tags) but sort by what translations hold (publish time), so no index
-- over either table alone could serve a section or a tag listing: SQLite
-- read the section's entries through entries_section and sorted them all
-- on every page. Translations now carry copies of their entry's kind and
-- section, and tag_listing one row per tag and translation, each kept by
-- the triggers below. Listings sort by (publish_at, entry_id): an entry
-- has one translation in a listing, and a page's items carry it.

ALTER TABLE translations ADD COLUMN entry_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE translations ADD COLUMN entry_section_id INTEGER;
UPDATE translations SET
    entry_kind = (SELECT kind FROM entries e WHERE e.id = translations.entry_id),
    entry_section_id = (SELECT section_id FROM entries e WHERE e.id = translations.entry_id);

-- Every kind but pages (the home page, the language's feed, the API).
DROP INDEX translations_by_date;
CREATE INDEX translations_by_date ON translations (lang, publish_at DESC, entry_id DESC, status, entry_kind, id);
-- A kind's archive and feed.
CREATE INDEX translations_by_kind ON translations (lang, entry_kind, publish_at DESC, entry_id DESC, status, id);
-- Listings that add entries untranslated into the language, in their
-- source language (an option, off by default), cannot start from one
-- language: they walk every translation in the listing's order. The
-- index also finds the next scheduled publication, as the one it
-- replaces did (migration 0012).
DROP INDEX translations_publish;
CREATE INDEX translations_publish ON translations (publish_at DESC, entry_id DESC, lang, status, entry_kind, entry_section_id, id);
-- A section's archive and feed.
CREATE INDEX translations_by_section ON translations (lang, entry_section_id, publish_at DESC, entry_id DESC, status, entry_kind, id);

-- A tag's archive: one row per tag of an entry and translation of it.
CREATE TABLE tag_listing (
    tag_id         INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    translation_id INTEGER NOT NULL REFERENCES translations(id) ON DELETE CASCADE,
    entry_id       INTEGER NOT NULL,
    lang           TEXT NOT NULL,
    publish_at     BIGINT NOT NULL,
    status         TEXT NOT NULL,
    entry_kind     TEXT NOT NULL,
    -- By translation: the triggers find a translation's rows, or an
    -- entry's through translations_entry.
    PRIMARY KEY (translation_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX tag_listing_walk ON tag_listing (tag_id, lang, publish_at DESC, entry_id DESC, status, entry_kind, translation_id);
INSERT INTO tag_listing (tag_id, translation_id, entry_id, lang, publish_at, status, entry_kind)
    SELECT et.tag_id, t.id, t.entry_id, t.lang, t.publish_at, t.status, t.entry_kind
    FROM entry_tags et JOIN translations t ON t.entry_id = et.entry_id;

-- A translation added, or moved to another entry, takes its entry's kind,
-- section and tags. A writer that gives the copies itself (a bulk load)
-- spares the update: written twice, a row's listing indexes are too.
CREATE TRIGGER translations_copy_insert AFTER INSERT ON translations
WHEN NEW.entry_kind IS NOT (SELECT kind FROM entries WHERE id = NEW.entry_id)
    OR NEW.entry_section_id IS NOT (SELECT section_id FROM entries WHERE id = NEW.entry_id)
BEGIN
    UPDATE translations SET
        entry_kind = (SELECT kind FROM entries WHERE id = NEW.entry_id),
        entry_section_id = (SELECT section_id FROM entries WHERE id = NEW.entry_id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER translations_copy_insert_tags AFTER INSERT ON translations
BEGIN
    INSERT INTO tag_listing (tag_id, translation_id, entry_id, lang, publish_at, status, entry_kind)
        SELECT et.tag_id, NEW.id, NEW.entry_id, NEW.lang, NEW.publish_at, NEW.status, e.kind
        FROM entry_tags et JOIN entries e ON e.id = et.entry_id WHERE et.entry_id = NEW.entry_id
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER translations_copy_move AFTER UPDATE OF entry_id ON translations
WHEN OLD.entry_id IS NOT NEW.entry_id
BEGIN
    UPDATE translations SET
        entry_kind = (SELECT kind FROM entries WHERE id = NEW.entry_id),
        entry_section_id = (SELECT section_id FROM entries WHERE id = NEW.entry_id)
    WHERE id = NEW.id;
    DELETE FROM tag_listing WHERE translation_id = NEW.id;
    INSERT INTO tag_listing (tag_id, translation_id, entry_id, lang, publish_at, status, entry_kind)
        SELECT et.tag_id, NEW.id, NEW.entry_id, NEW.lang, NEW.publish_at, NEW.status, e.kind
        FROM entry_tags et JOIN entries e ON e.id = et.entry_id WHERE et.entry_id = NEW.entry_id
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER translations_copy_update AFTER UPDATE OF lang, publish_at, status ON translations
WHEN OLD.lang IS NOT NEW.lang OR OLD.publish_at IS NOT NEW.publish_at OR OLD.status IS NOT NEW.status
BEGIN
    UPDATE tag_listing SET lang = NEW.lang, publish_at = NEW.publish_at, status = NEW.status
    WHERE translation_id = NEW.id;
END;

-- An entry given another kind or section passes it to its translations.
CREATE TRIGGER entries_copy_update AFTER UPDATE OF kind, section_id ON entries
WHEN OLD.kind IS NOT NEW.kind OR OLD.section_id IS NOT NEW.section_id
BEGIN
    UPDATE translations SET entry_kind = NEW.kind, entry_section_id = NEW.section_id WHERE entry_id = NEW.id;
    UPDATE tag_listing SET entry_kind = NEW.kind
    WHERE translation_id IN (SELECT id FROM translations WHERE entry_id = NEW.id);
END;

-- A tag put on an entry or taken off it.
CREATE TRIGGER entry_tags_copy_insert AFTER INSERT ON entry_tags
BEGIN
    INSERT INTO tag_listing (tag_id, translation_id, entry_id, lang, publish_at, status, entry_kind)
        SELECT NEW.tag_id, t.id, t.entry_id, t.lang, t.publish_at, t.status, t.entry_kind
        FROM translations t WHERE t.entry_id = NEW.entry_id
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER entry_tags_copy_delete AFTER DELETE ON entry_tags
BEGIN
    DELETE FROM tag_listing WHERE tag_id = OLD.tag_id
        AND translation_id IN (SELECT id FROM translations WHERE entry_id = OLD.entry_id);
END;
CREATE TRIGGER entry_tags_copy_update AFTER UPDATE ON entry_tags
BEGIN
    DELETE FROM tag_listing WHERE tag_id = OLD.tag_id
        AND translation_id IN (SELECT id FROM translations WHERE entry_id = OLD.entry_id);
    INSERT INTO tag_listing (tag_id, translation_id, entry_id, lang, publish_at, status, entry_kind)
        SELECT NEW.tag_id, t.id, t.entry_id, t.lang, t.publish_at, t.status, t.entry_kind
        FROM translations t WHERE t.entry_id = NEW.entry_id
        ON CONFLICT DO NOTHING;
END;
