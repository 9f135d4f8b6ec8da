-- An incremental export of the static mirror asks which entries changed
-- since the last export (content.Store.ChangedSince). A change to the
-- entry itself (an event's time or place, the featured image, the
-- section) moves entries.updated_at and not its translations', so the
-- question reads this index too, rather than every entry.
CREATE INDEX entries_updated ON entries (updated_at, id);
