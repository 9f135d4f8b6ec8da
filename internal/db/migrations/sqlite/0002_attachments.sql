-- Files attached to an entry, one row per file and language: a report can
-- carry its PDF in English and in Russian, each with a title in its own
-- language. The file itself is a media row (stored without metadata);
-- removing the entry or the media removes the attachment.

CREATE TABLE entry_attachments (
    id         INTEGER PRIMARY KEY,
    entry_id   INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    media_id   INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    lang       TEXT NOT NULL,
    title      TEXT NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX entry_attachments_entry ON entry_attachments (entry_id);
