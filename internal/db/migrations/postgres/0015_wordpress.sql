-- WordPress imports (internal/wordpress).

-- What each WordPress object of an imported site became here: a post or
-- page (one row per language version) → its entry, a category → a
-- section, a tag → a tag, an author → a user, an attachment → a media
-- item. Importing the same export again finds every object here and
-- changes nothing; a newer export of the same site updates what changed.
-- digest is a hash of what was imported: the same digest, nothing to do.
-- revision is the translation's revision the import left: a higher one
-- means an editor changed it here since, and the import leaves it alone.
-- No foreign key on local_id: it names rows of several tables, and an
-- object whose row was deleted here is not brought back.
CREATE TABLE wordpress_objects (
    site        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('post', 'category', 'tag', 'author', 'attachment')),
    wp_id       TEXT NOT NULL,
    guid        TEXT NOT NULL DEFAULT '',
    local_id    BIGINT NOT NULL,
    lang        TEXT NOT NULL DEFAULT '',
    digest      TEXT NOT NULL DEFAULT '',
    revision    INTEGER NOT NULL DEFAULT 0,
    imported_at BIGINT NOT NULL,
    PRIMARY KEY (site, kind, wp_id)
);
CREATE INDEX wordpress_objects_guid ON wordpress_objects (kind, guid);

-- Each import's progress, committed with every batch: an interrupted
-- import is run again and skips what is already in wordpress_objects.
CREATE TABLE wordpress_imports (
    site        TEXT PRIMARY KEY,
    items_done  BIGINT NOT NULL DEFAULT 0,
    started_at  BIGINT NOT NULL,
    finished_at BIGINT NOT NULL DEFAULT 0
);

-- An old address may lead to a page that is not an entry's, such as an
-- imported category's section archive: target is that local path.
ALTER TABLE old_paths ADD COLUMN target TEXT NOT NULL DEFAULT '';
