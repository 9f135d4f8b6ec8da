-- Every listing walks an index of its own, in its order, from its newest
-- entry (issue 23). Listings filter by what entries hold (kind, section,
-- tags) but sort by what translations hold (publish time), so no index
-- over either table alone could serve a section or a tag listing: the
-- planner joined and sorted the whole section or tag on every page.
-- Translations now carry copies of their entry's kind and section, and
-- tag_listing one row per tag and translation, each kept by the triggers
-- below. Listings sort by (publish_at, entry_id): an entry has one
-- translation in a listing, and a page's items carry it. Each index ends
-- with the translation's id, so that a listing's keys are read from the
-- index alone.

ALTER TABLE translations ADD COLUMN entry_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE translations ADD COLUMN entry_section_id BIGINT;
UPDATE translations t SET entry_kind = e.kind, entry_section_id = e.section_id
FROM entries e WHERE e.id = t.entry_id;

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
    tag_id         BIGINT NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    translation_id BIGINT NOT NULL REFERENCES translations(id) ON DELETE CASCADE,
    entry_id       BIGINT NOT NULL,
    lang           TEXT NOT NULL,
    publish_at     BIGINT NOT NULL,
    status         TEXT NOT NULL,
    entry_kind     TEXT NOT NULL,
    -- By translation: the triggers find a translation's rows, or an
    -- entry's through translations_entry.
    PRIMARY KEY (translation_id, tag_id)
);
CREATE INDEX tag_listing_walk ON tag_listing (tag_id, lang, publish_at DESC, entry_id DESC, status, entry_kind, translation_id);
INSERT INTO tag_listing (tag_id, translation_id, entry_id, lang, publish_at, status, entry_kind)
    SELECT et.tag_id, t.id, t.entry_id, t.lang, t.publish_at, t.status, t.entry_kind
    FROM entry_tags et JOIN translations t ON t.entry_id = et.entry_id;

-- A translation added, or moved to another entry, takes its entry's kind
-- and section before it is written, and its tags after.
CREATE FUNCTION translations_copy_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT kind, section_id INTO NEW.entry_kind, NEW.entry_section_id FROM entries WHERE id = NEW.entry_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER translations_copy_entry BEFORE INSERT OR UPDATE OF entry_id ON translations
FOR EACH ROW EXECUTE FUNCTION translations_copy_entry();

CREATE FUNCTION translations_copy_tags() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.entry_id IS DISTINCT FROM NEW.entry_id THEN
        DELETE FROM tag_listing WHERE translation_id = NEW.id;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE tag_listing SET lang = NEW.lang, publish_at = NEW.publish_at, status = NEW.status
        WHERE translation_id = NEW.id;
        RETURN NULL;
    END IF;
    INSERT INTO tag_listing (tag_id, translation_id, entry_id, lang, publish_at, status, entry_kind)
        SELECT et.tag_id, NEW.id, NEW.entry_id, NEW.lang, NEW.publish_at, NEW.status, NEW.entry_kind
        FROM entry_tags et WHERE et.entry_id = NEW.entry_id
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER translations_copy_tags_insert AFTER INSERT ON translations
FOR EACH ROW EXECUTE FUNCTION translations_copy_tags();
CREATE TRIGGER translations_copy_tags_update AFTER UPDATE OF entry_id, lang, publish_at, status ON translations
FOR EACH ROW WHEN (OLD.entry_id IS DISTINCT FROM NEW.entry_id OR OLD.lang IS DISTINCT FROM NEW.lang
    OR OLD.publish_at IS DISTINCT FROM NEW.publish_at OR OLD.status IS DISTINCT FROM NEW.status)
EXECUTE FUNCTION translations_copy_tags();

-- An entry given another kind or section passes it to its translations.
CREATE FUNCTION entries_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE translations SET entry_kind = NEW.kind, entry_section_id = NEW.section_id WHERE entry_id = NEW.id;
    UPDATE tag_listing SET entry_kind = NEW.kind
    WHERE translation_id IN (SELECT id FROM translations WHERE entry_id = NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER entries_copy AFTER UPDATE OF kind, section_id ON entries
FOR EACH ROW WHEN (OLD.kind IS DISTINCT FROM NEW.kind OR OLD.section_id IS DISTINCT FROM NEW.section_id)
EXECUTE FUNCTION entries_copy();

-- A tag put on an entry or taken off it.
CREATE FUNCTION entry_tags_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        DELETE FROM tag_listing WHERE tag_id = OLD.tag_id
            AND translation_id IN (SELECT id FROM translations WHERE entry_id = OLD.entry_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO tag_listing (tag_id, translation_id, entry_id, lang, publish_at, status, entry_kind)
            SELECT NEW.tag_id, t.id, t.entry_id, t.lang, t.publish_at, t.status, t.entry_kind
            FROM translations t WHERE t.entry_id = NEW.entry_id
            ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER entry_tags_copy AFTER INSERT OR DELETE OR UPDATE ON entry_tags
FOR EACH ROW EXECUTE FUNCTION entry_tags_copy();
