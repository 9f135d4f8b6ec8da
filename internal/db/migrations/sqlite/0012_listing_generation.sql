-- A count of the changes that can move an entry in or out of a listing,
-- or along it: a translation added, deleted, or given another publication
-- time, status, language or entry; an entry's kind, section or source
-- language changed, or the entry deleted; a tag added or taken off. The
-- page bounds of listings (content.Store.listingBounds) are kept until it
-- moves, so edits to titles and bodies, signatures, tributes and the like
-- no longer make every listing scan its index again.
CREATE TABLE listing_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO listing_state (id, generation) VALUES (1, 0);

CREATE TRIGGER translations_listing_insert AFTER INSERT ON translations
BEGIN UPDATE listing_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER translations_listing_delete AFTER DELETE ON translations
BEGIN UPDATE listing_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER translations_listing_update AFTER UPDATE OF publish_at, status, lang, entry_id ON translations
WHEN OLD.publish_at IS NOT NEW.publish_at OR OLD.status IS NOT NEW.status OR OLD.lang IS NOT NEW.lang OR OLD.entry_id IS NOT NEW.entry_id
BEGIN UPDATE listing_state SET generation = generation + 1 WHERE id = 1; END;

CREATE TRIGGER entries_listing_update AFTER UPDATE OF kind, section_id, source_lang ON entries
WHEN OLD.kind IS NOT NEW.kind OR OLD.section_id IS NOT NEW.section_id OR OLD.source_lang IS NOT NEW.source_lang
BEGIN UPDATE listing_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER entries_listing_delete AFTER DELETE ON entries
BEGIN UPDATE listing_state SET generation = generation + 1 WHERE id = 1; END;

CREATE TRIGGER entry_tags_listing_insert AFTER INSERT ON entry_tags
BEGIN UPDATE listing_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER entry_tags_listing_delete AFTER DELETE ON entry_tags
BEGIN UPDATE listing_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER entry_tags_listing_update AFTER UPDATE ON entry_tags
BEGIN UPDATE listing_state SET generation = generation + 1 WHERE id = 1; END;

-- Listings' bounds also expire when the next scheduled translation is
-- published; this finds that time with one seek.
CREATE INDEX translations_publish ON translations (publish_at);
