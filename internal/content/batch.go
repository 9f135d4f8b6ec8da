package content

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"peerpress/internal/db"
)

// Batch saves many entries, sections and tags in one transaction, through
// the same code as SaveEntry, SaveTranslation, SaveSection and SaveTag
// (revisions, old addresses, the search index): an import writes
// thousands of entries, and a transaction each would be most of its time.
// Its writes are quiet: the caller announces the change once, when the
// last batch is in (Store.Announce), so the page cache is flushed once.
//
// A failed statement spoils a PostgreSQL transaction for good, so the
// caller checks first what a save could clash on (SlugFree; sections and
// tags by their slugs) instead of trying and recovering.
type Batch struct {
	s   *Store
	tx  *db.Tx
	now time.Time
}

// InBatch runs fn in one quiet transaction, committed when it returns nil.
// Quiet by construction of the batch: it exists to be announced once.
func (s *Store) InBatch(ctx context.Context, fn func(b *Batch) error) error {
	return s.db.Quiet().InTx(ctx, func(tx *db.Tx) error {
		return fn(&Batch{s: s, tx: tx, now: s.now()})
	})
}

// Announce makes the batches committed so far count as one loud write:
// cached pages here and on every other instance are dropped.
func (s *Store) Announce(ctx context.Context) error {
	return s.db.InTx(ctx, func(*db.Tx) error { return nil })
}

// Tx is the batch's transaction, for the caller's own bookkeeping that
// must commit with the entries.
func (b *Batch) Tx() *db.Tx { return b.tx }

// SaveEntry is Store.SaveEntry inside the batch.
func (b *Batch) SaveEntry(ctx context.Context, id int64, in EntryInput, source TranslationInput, userID int64) (int64, error) {
	id, err := b.s.saveEntry(ctx, b.tx, id, in, source, userID, b.now)
	if err != nil {
		return 0, wrapSaveErr(err)
	}
	return id, nil
}

// SaveTranslation is Store.SaveTranslation inside the batch.
func (b *Batch) SaveTranslation(ctx context.Context, entryID int64, tr TranslationInput, userID int64) (Translation, error) {
	t, err := b.s.saveOneTranslation(ctx, b.tx, entryID, tr, userID, b.now)
	if err != nil {
		return Translation{}, wrapSaveErr(err)
	}
	return t, nil
}

// SaveSection is Store.SaveSection inside the batch.
func (b *Batch) SaveSection(ctx context.Context, sec Section) (int64, error) {
	return saveSection(ctx, b.tx, sec)
}

// SaveTag is Store.SaveTag inside the batch.
func (b *Batch) SaveTag(ctx context.Context, tag Tag) (int64, error) {
	return saveTag(ctx, b.tx, tag)
}

// SetFeaturedMedia sets the entry's featured image (0: none). Unlike
// Store.SetFeaturedMedia it does not look for the image it replaces.
func (b *Batch) SetFeaturedMedia(ctx context.Context, entryID, mediaID int64) error {
	_, err := b.tx.ExecContext(ctx, `UPDATE entries SET featured_media_id = ? WHERE id = ?`, nullID(mediaID), entryID)
	return err
}

// EntryKind is the entry's kind and source language, or db.ErrNotFound
// when the entry is no longer there.
func (b *Batch) EntryKind(ctx context.Context, id int64) (kind Kind, sourceLang string, err error) {
	err = b.tx.QueryRowContext(ctx, `SELECT kind, source_lang FROM entries WHERE id = ?`, id).Scan(&kind, &sourceLang)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", db.ErrNotFound
	}
	return kind, sourceLang, err
}

// Revision is the revision of the entry's translation in lang; 0 when it
// has none.
func (b *Batch) Revision(ctx context.Context, entryID int64, lang string) (int, error) {
	var rev int
	err := b.tx.QueryRowContext(ctx, `SELECT revision FROM translations WHERE entry_id = ? AND lang = ?`, entryID, lang).Scan(&rev)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return rev, err
}

// SlugFree reports whether slug is free in lang for the entry's
// translation (entryID 0: a new entry).
func (b *Batch) SlugFree(ctx context.Context, lang, slug string, entryID int64) (bool, error) {
	taken, err := b.exists(ctx, `SELECT 1 FROM translations WHERE lang = ? AND slug = ? AND entry_id <> ?`, lang, slug, entryID)
	return !taken, err
}

func (b *Batch) exists(ctx context.Context, query string, args ...any) (bool, error) {
	var one int
	err := b.tx.QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// KeepOldPaths makes old addresses (OldPathKeys) lead to the entry's
// translation in lang: they answer 301 to wherever that translation is.
func (b *Batch) KeepOldPaths(ctx context.Context, keys []string, entryID int64, lang string) error {
	keys = slices.Compact(slices.Sorted(slices.Values(keys))) // a row may be upserted once per statement
	if len(keys) == 0 {
		return nil
	}
	// One statement for all: an import sends hundreds of thousands.
	args := []any{b.now.Unix()}
	for _, k := range keys {
		args = append(args, k)
	}
	args = append(args, entryID, lang)
	_, err := b.tx.ExecContext(ctx, `INSERT INTO old_paths (path, translation_id, target, created_at)
		SELECT k.path, t.id, '', ? FROM (SELECT CAST(? AS TEXT) AS path`+strings.Repeat(` UNION ALL SELECT CAST(? AS TEXT)`, len(keys)-1)+`) k, translations t
		WHERE t.entry_id = ? AND t.lang = ?
		ON CONFLICT (path) DO UPDATE SET translation_id = excluded.translation_id, target = ''`, args...)
	return err
}

// KeepOldPathTo makes an old address (an OldPathKey) lead to a local
// path that is not an entry's, such as a section's archive.
func (b *Batch) KeepOldPathTo(ctx context.Context, key, target string) error {
	_, err := b.tx.ExecContext(ctx, `INSERT INTO old_paths (path, translation_id, target, created_at) VALUES (?, NULL, ?, ?)
		ON CONFLICT (path) DO UPDATE SET translation_id = NULL, target = excluded.target`,
		key, target, b.now.Unix())
	return err
}

// oldQueryKeys are the query parameters by which a WordPress site without
// pretty permalinks addresses a post, a page, an attachment, a category
// or a tag, in the order they are looked at.
var oldQueryKeys = []string{"p", "page_id", "attachment_id", "cat", "tag"}

// OldPathKey is the key an address is recorded and looked up by in
// old_paths: its path without a trailing slash (WordPress's addresses end
// in one, peerpress's do not), followed, for the query addresses of a
// site without pretty permalinks (/?p=12, /?page_id=3, /?cat=4,
// /?tag=x), by that one parameter.
func OldPathKey(path string, query url.Values) string {
	if len(path) > 1 {
		path = strings.TrimRight(path, "/")
		if path == "" {
			path = "/"
		}
	}
	for _, k := range oldQueryKeys {
		if v := query.Get(k); v != "" {
			return path + "?" + url.Values{k: {v}}.Encode()
		}
	}
	return path
}
