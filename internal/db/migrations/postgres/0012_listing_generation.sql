-- A count of the changes that can move an entry in or out of a listing,
-- or along it: a translation added, deleted, or given another publication
-- time, status, language or entry; an entry's kind, section or source
-- language changed, or the entry deleted; a tag added or taken off. The
-- page bounds of listings (content.Store.listingBounds) are kept until it
-- moves, so edits to titles and bodies, signatures, tributes and the like
-- no longer make every listing scan its index again. Row triggers, not
-- statement triggers: those fire for statements that changed nothing,
-- such as an INSERT … ON CONFLICT DO NOTHING.
CREATE TABLE listing_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO listing_state (id, generation) VALUES (1, 0);

CREATE FUNCTION listing_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE listing_state SET generation = generation + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER translations_listing_insert_delete AFTER INSERT OR DELETE ON translations
FOR EACH ROW EXECUTE FUNCTION listing_changed();
CREATE TRIGGER translations_listing_update AFTER UPDATE OF publish_at, status, lang, entry_id ON translations
FOR EACH ROW WHEN (OLD.publish_at IS DISTINCT FROM NEW.publish_at OR OLD.status IS DISTINCT FROM NEW.status
    OR OLD.lang IS DISTINCT FROM NEW.lang OR OLD.entry_id IS DISTINCT FROM NEW.entry_id)
EXECUTE FUNCTION listing_changed();

CREATE TRIGGER entries_listing_update AFTER UPDATE OF kind, section_id, source_lang ON entries
FOR EACH ROW WHEN (OLD.kind IS DISTINCT FROM NEW.kind OR OLD.section_id IS DISTINCT FROM NEW.section_id
    OR OLD.source_lang IS DISTINCT FROM NEW.source_lang)
EXECUTE FUNCTION listing_changed();
CREATE TRIGGER entries_listing_delete AFTER DELETE ON entries
FOR EACH ROW EXECUTE FUNCTION listing_changed();

CREATE TRIGGER entry_tags_listing AFTER INSERT OR DELETE OR UPDATE ON entry_tags
FOR EACH ROW EXECUTE FUNCTION listing_changed();

-- Listings' bounds also expire when the next scheduled translation is
-- published; this finds that time with one seek.
CREATE INDEX translations_publish ON translations (publish_at);
