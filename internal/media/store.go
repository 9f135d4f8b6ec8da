package media

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/jobs"
)

// Media is a stored, processed upload: one row of the media table.
type Media struct {
	ID int64
	// Path is relative to the media folder and slash-separated, e.g.
	// "2026/11/Ab3x…q.jpg". It is made of the upload date and random
	// bytes only, so it reveals nothing the uploader chose.
	Path      string
	MIME      string
	Bytes     int64
	Width     int
	Height    int
	Alt       string // text alternative, for people who cannot see the image
	Lang      string // language of Alt
	CreatedAt time.Time
	// Variants are the smaller copies made in the background, narrowest
	// first; empty until the job has run (and for documents).
	Variants []Variant
}

// URL is the address the file is served at by Store.Handler.
func (m Media) URL() string { return "/media/" + m.Path }

// Store keeps processed images as files under a folder and their details in
// the media table.
type Store struct {
	db    *db.DB
	root  string
	queue *jobs.Queue // set by Register; woken after enqueuing variants
}

// NewStore returns a Store that writes files under root (the media folder
// inside the data folder) and rows into d. The folder is created on the
// first upload, with mode 0750, so a fresh installation needs no setup.
func NewStore(d *db.DB, root string) *Store {
	return &Store{db: d, root: root}
}

// nameBytes is the randomness in a file name: 128 bits cannot be guessed,
// so unpublished images cannot be found by trying names.
const nameBytes = 16

// nameLen is the length of a file name without its extension:
// nameBytes in unpadded base64url.
var nameLen = base64.RawURLEncoding.EncodedLen(nameBytes)

// SaveImage processes an upload with ProcessImage, writes the result under
// root/YYYY/MM/<random><ext> and records it in the media table. The file is
// complete on disk (written to a temporary file, synced, renamed) before the
// row that points to it exists, and is removed again if the row cannot be
// inserted, so no row points to a missing or partial file. Nothing the
// uploader gave — file name, alt text, language — goes into the file name.
func (s *Store) SaveImage(ctx context.Context, r io.Reader, alt, lang string, lim Limits) (Media, error) {
	p, err := ProcessImage(r, lim)
	if err != nil {
		return Media{}, err
	}
	return s.save(ctx, p, alt, lang)
}

// SaveDocument processes an upload with ProcessDocument (a PDF rewritten
// without its metadata, or an image re-encoded like SaveImage's) and stores
// it the way SaveImage does. lang is the document's language.
func (s *Store) SaveDocument(ctx context.Context, r io.Reader, lang string, lim DocLimits) (Media, error) {
	p, err := ProcessDocument(r, lim)
	if err != nil {
		return Media{}, err
	}
	return s.save(ctx, p, "", lang)
}

// save writes a processed upload and records it.
func (s *Store) save(ctx context.Context, p Processed, alt, lang string) (Media, error) {
	if err := ctx.Err(); err != nil {
		return Media{}, fmt.Errorf("media: save: %w", err)
	}

	// The stored instant is whole seconds, like the column; using the same
	// value for the folder keeps the two consistent.
	now := time.Unix(time.Now().Unix(), 0).UTC()
	rel, err := randomName(monthFolder(now), p.Ext)
	if err != nil {
		return Media{}, err
	}
	full := filepath.Join(s.root, filepath.FromSlash(rel))

	if err := writeFileAtomic(full, p.Data); err != nil {
		return Media{}, err
	}

	m := Media{
		Path:      rel,
		MIME:      p.MIME,
		Bytes:     int64(len(p.Data)),
		Width:     p.Width,
		Height:    p.Height,
		Alt:       alt,
		Lang:      lang,
		CreatedAt: now,
	}
	// INSERT … RETURNING yields a row, and DB.QueryRowContext would run it
	// on the read pool; a transaction puts it on the writer, where writes
	// belong (SQLite allows one writer at a time).
	// Images get their smaller sizes from a job enqueued with the row.
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO media (path, mime, bytes, width, height, alt, lang, created_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			m.Path, m.MIME, m.Bytes, m.Width, m.Height, m.Alt, m.Lang, m.CreatedAt.Unix(),
		).Scan(&m.ID); err != nil {
			return err
		}
		if m.MIME == mimeJPEG || m.MIME == mimePNG {
			return enqueueVariants(ctx, tx, m.ID)
		}
		return nil
	})
	if err != nil {
		if rmErr := os.Remove(full); rmErr != nil {
			err = errors.Join(err, rmErr)
		}
		return Media{}, fmt.Errorf("media: insert %s: %w", rel, err)
	}
	if s.queue != nil {
		s.queue.Wake()
	}
	return m, nil
}

// monthFolder is the folder files stored at t go in: "2026/11".
func monthFolder(t time.Time) string { return path.Join(t.Format("2006"), t.Format("01")) }

// randomName is a new file path in folder: nameBytes random bytes in
// base64url, then ext.
func randomName(folder, ext string) (string, error) {
	var rnd [nameBytes]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", fmt.Errorf("media: random name: %w", err)
	}
	return path.Join(folder, base64.RawURLEncoding.EncodeToString(rnd[:])+ext), nil
}

// writeFileAtomic writes data to name so that name either does not exist or
// holds all of data, even after a crash: readers of the folder (and the
// Handler) never see a partial image under its final name.
func writeFileAtomic(name string, data []byte) (err error) {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("media: create folder: %w", err)
	}
	// The temporary name starts with a dot and does not have the shape of a
	// media name, so the Handler never serves it.
	f, err := os.CreateTemp(dir, ".upload-*")
	if err != nil {
		return fmt.Errorf("media: create file: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// Readable by the group, like the folder, so a reverse proxy in the
	// group can serve the files directly.
	if err := f.Chmod(0o640); err != nil {
		return fmt.Errorf("media: write file: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("media: write file: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("media: write file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("media: write file: %w", err)
	}
	if err := os.Rename(tmp, name); err != nil {
		return fmt.Errorf("media: write file: %w", err)
	}
	// Make the rename itself durable. Not every platform can sync a
	// folder, and the file is complete either way, so failure is ignored.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

const mediaCols = `id, path, mime, bytes, width, height, alt, lang, created_at`

// ByID returns the media with the given id and its variants, or
// db.ErrNotFound.
func (s *Store) ByID(ctx context.Context, id int64) (Media, error) {
	m, err := scanMedia(s.db.QueryRowContext(ctx, `SELECT `+mediaCols+` FROM media WHERE id = ?`, id))
	if errors.Is(err, db.ErrNotFound) {
		return Media{}, err
	}
	if err != nil {
		return Media{}, fmt.Errorf("media: media %d: %w", id, err)
	}
	if err := s.loadVariants(ctx, []*Media{&m}); err != nil {
		return Media{}, err
	}
	return m, nil
}

// SetAlt replaces the text alternative of a media item, or returns
// db.ErrNotFound. Alt text is often written after the upload (or
// improved later), so it is editable while the image itself is not.
func (s *Store) SetAlt(ctx context.Context, id int64, alt string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE media SET alt = ? WHERE id = ?`, alt, id)
	if err != nil {
		return fmt.Errorf("media: set alt of %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("media: set alt of %d: %w", id, err)
	}
	if n == 0 {
		return db.ErrNotFound
	}
	return nil
}

// Delete removes a media item: its row, then its file, so that its address
// answers 404 from then on. Rows that refer to it lose it (attachments are
// deleted, a featured image is unset) through the database's foreign keys.
// A missing item is db.ErrNotFound.
func (s *Store) Delete(ctx context.Context, id int64) error {
	var rel string
	var variants []string
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if variants, err = variantPaths(ctx, tx, id); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `DELETE FROM media WHERE id = ? RETURNING path`, id).Scan(&rel)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return db.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("media: delete %d: %w", id, err)
	}
	// The path was made by save; checking its shape anyway keeps a damaged
	// row from removing anything else.
	if !validMediaPath(rel) {
		return fmt.Errorf("media: delete %d: stored path %q has not the shape of a media file", id, rel)
	}
	for _, p := range append(variants, rel) {
		if !validMediaPath(p) {
			continue
		}
		if err := os.Remove(filepath.Join(s.root, filepath.FromSlash(p))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("media: delete %d: %w", id, err)
		}
	}
	return nil
}

// Rekey gives a media item's file and its smaller copies new random names
// in the same folder, so that the addresses it was published at answer 404
// from then on while the item itself is kept: a tribute's photo taken off
// the wall may go back on it later, at new addresses. The files are
// renamed before the rows follow, so a failure in between leaves a
// missing image, never one still reachable at its old address; a failed
// update renames them back. A file already missing is left as it is. A
// missing item is db.ErrNotFound.
func (s *Store) Rekey(ctx context.Context, id int64) error {
	m, err := s.ByID(ctx, id)
	if err != nil {
		return err
	}
	type move struct {
		width    int // 0 for the item itself
		from, to string
	}
	all := []move{{from: m.Path}}
	for _, v := range m.Variants {
		all = append(all, move{width: v.Width, from: v.Path})
	}
	full := func(rel string) string { return filepath.Join(s.root, filepath.FromSlash(rel)) }
	var moved []move
	undo := func() {
		for _, mv := range moved {
			if err := os.Rename(full(mv.to), full(mv.from)); err != nil {
				slog.Error("media: rename back after a failed rekey", "media_id", id, "err", err)
			}
		}
	}
	for _, mv := range all {
		if !validMediaPath(mv.from) {
			undo()
			return fmt.Errorf("media: rekey %d: stored path %q has not the shape of a media file", id, mv.from)
		}
		if mv.to, err = randomName(path.Dir(mv.from), path.Ext(mv.from)); err != nil {
			undo()
			return err
		}
		if err := os.Rename(full(mv.from), full(mv.to)); errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			undo()
			return fmt.Errorf("media: rekey %d: %w", id, err)
		}
		moved = append(moved, mv)
	}
	// A normal write: pages that show the image must be rendered again.
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		for _, mv := range moved {
			var err error
			if mv.width == 0 {
				_, err = tx.ExecContext(ctx, `UPDATE media SET path = ? WHERE id = ? AND path = ?`, mv.to, id, mv.from)
			} else {
				_, err = tx.ExecContext(ctx, `UPDATE media_variants SET path = ? WHERE media_id = ? AND width = ? AND path = ?`, mv.to, id, mv.width, mv.from)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		undo()
		return fmt.Errorf("media: rekey %d: %w", id, err)
	}
	return nil
}
