-- Files added in the entry editor (issue 15 item 7). An image placed in
-- an entry's text belongs to the entry (entry_id) and goes with it. Before
-- an entry's first save, its images, featured image and attachments wait
-- here under the editor form's token (only a hash of it, and only for the
-- user who added them; a deleted user's wait for no one); the save that
-- creates the entry claims them, and a task deletes, files included, what
-- no save claimed in a day.
CREATE TABLE editor_uploads (
    media_id   INTEGER PRIMARY KEY REFERENCES media(id) ON DELETE CASCADE,
    entry_id   INTEGER REFERENCES entries(id) ON DELETE CASCADE,
    stage_hash TEXT,
    user_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    role       TEXT NOT NULL,
    lang       TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX editor_uploads_stage ON editor_uploads (stage_hash);
CREATE INDEX editor_uploads_entry ON editor_uploads (entry_id);
