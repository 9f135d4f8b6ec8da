-- The publishing spine: people, sessions, taxonomy, entries and their
-- translations, revisions, media, stable URLs. Instants are Unix seconds, UTC.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'author', 'translator')),
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);

-- The languages a translator may translate into.
CREATE TABLE user_languages (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    lang    TEXT NOT NULL,
    PRIMARY KEY (user_id, lang)
);

-- Only a hash of the session token is kept, so a copy of the database
-- cannot be used to log in.
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE sections (
    id       INTEGER PRIMARY KEY,
    slug     TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE section_names (
    section_id INTEGER NOT NULL REFERENCES sections(id) ON DELETE CASCADE,
    lang       TEXT NOT NULL,
    name       TEXT NOT NULL,
    PRIMARY KEY (section_id, lang)
);

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE
);
CREATE TABLE tag_names (
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    lang   TEXT NOT NULL,
    name   TEXT NOT NULL,
    PRIMARY KEY (tag_id, lang)
);

CREATE TABLE organisations (
    id       INTEGER PRIMARY KEY,
    slug     TEXT NOT NULL UNIQUE,
    name     TEXT NOT NULL,
    website  TEXT NOT NULL DEFAULT '',
    country  TEXT NOT NULL DEFAULT '',
    relation TEXT NOT NULL DEFAULT 'partner' CHECK (relation IN ('member', 'partner'))
);

-- Media: uploaded files after processing (images re-encoded without metadata).
CREATE TABLE media (
    id         INTEGER PRIMARY KEY,
    path       TEXT NOT NULL UNIQUE,
    mime       TEXT NOT NULL,
    bytes      BIGINT NOT NULL,
    width      INTEGER NOT NULL DEFAULT 0,
    height     INTEGER NOT NULL DEFAULT 0,
    alt        TEXT NOT NULL DEFAULT '',
    lang       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

CREATE TABLE entries (
    id                INTEGER PRIMARY KEY,
    kind              TEXT NOT NULL CHECK (kind IN ('article', 'event', 'publication', 'statement', 'campaign', 'call', 'update', 'page')),
    source_lang       TEXT NOT NULL,
    section_id        INTEGER REFERENCES sections(id) ON DELETE SET NULL,
    author_id         INTEGER REFERENCES users(id) ON DELETE SET NULL,
    featured          INTEGER NOT NULL DEFAULT 0,
    featured_media_id INTEGER REFERENCES media(id) ON DELETE SET NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX entries_section ON entries (section_id);
CREATE INDEX entries_author ON entries (author_id);

-- One row per language of an entry. revision counts saves of this
-- translation; source_revision is the revision of the source-language
-- translation this one was last made from, so a later change to the source
-- marks it outdated.
CREATE TABLE translations (
    id              INTEGER PRIMARY KEY,
    entry_id        INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    lang            TEXT NOT NULL,
    title           TEXT NOT NULL,
    -- title lower-cased by peerpress itself: SQLite's LOWER folds only ASCII,
    -- and the editor's title filter must find "Снижение" on both engines.
    title_lower     TEXT NOT NULL DEFAULT '',
    slug            TEXT NOT NULL,
    summary         TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'published', 'archived')),
    publish_at      BIGINT NOT NULL,
    revision        INTEGER NOT NULL DEFAULT 1,
    source_revision INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (entry_id, lang),
    UNIQUE (lang, slug)
);
CREATE INDEX translations_listing ON translations (lang, status, publish_at DESC, id DESC);
CREATE INDEX translations_entry ON translations (entry_id);

CREATE TABLE entry_tags (
    entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    tag_id   INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (entry_id, tag_id)
);
CREATE INDEX entry_tags_tag ON entry_tags (tag_id);

-- Co-authoring organisations (joint statements and publications).
CREATE TABLE entry_organisations (
    entry_id        INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (entry_id, organisation_id)
);

-- Every save of a translation, kept for viewing and restoring.
CREATE TABLE revisions (
    id             INTEGER PRIMARY KEY,
    translation_id INTEGER NOT NULL REFERENCES translations(id) ON DELETE CASCADE,
    number         INTEGER NOT NULL,
    title          TEXT NOT NULL,
    slug           TEXT NOT NULL,
    summary        TEXT NOT NULL,
    body           TEXT NOT NULL,
    status         TEXT NOT NULL,
    publish_at     BIGINT NOT NULL,
    author_id      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at     BIGINT NOT NULL,
    UNIQUE (translation_id, number)
);

-- Minimal event details the home page needs (upcoming events). Registration,
-- speakers and interpretation come with the events work, in tables of their own.
CREATE TABLE events (
    entry_id         INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
    starts_at        BIGINT NOT NULL,
    time_zone        TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL DEFAULT 60,
    mode             TEXT NOT NULL DEFAULT 'online' CHECK (mode IN ('online', 'in-person', 'hybrid')),
    venue            TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_starts ON events (starts_at);

-- URLs that used to lead somewhere: a changed slug answers 301 to the
-- translation's current URL; a deleted entry's URL answers 410.
CREATE TABLE old_paths (
    path           TEXT PRIMARY KEY,
    translation_id INTEGER REFERENCES translations(id) ON DELETE SET NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX old_paths_translation ON old_paths (translation_id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
