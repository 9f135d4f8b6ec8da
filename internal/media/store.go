package media

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/jobs"
)

// Media is a stored, processed upload: one row of the media table.
type Media struct {
	ID int64
	// Path is the file's key in the Store's Blobs, e.g.
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

// Store keeps processed uploads: their bytes in a Blobs, under their Path,
// and their details in the media table.
type Store struct {
	db *db.DB // a changed alt text or a deletion shows on pages
	// quiet stores new uploads, which no page shows until an entry uses them.
	quiet db.Quiet
	blobs Blobs
	queue *jobs.Queue // set by Register; woken after enqueuing variants
	// redirect, when not zero, is how long the signed addresses Handler
	// redirects to stay valid (RedirectFor).
	redirect time.Duration
}

// RedirectFor makes Handler answer requests for images and office
// documents with a redirect to an address of the bucket signed for d,
// rather than passing the bytes through the instance. The bucket must be
// reachable by visitors at the address of its endpoint (a host of the
// site's own: a store elsewhere would see every visitor's address). PDFs
// are still served by the instance: only it can send the sandbox that
// keeps their scripts away from the site. d is 1 minute to 7 days (the
// longest S3 signs for); Blobs that cannot sign (a folder) are an error.
func (s *Store) RedirectFor(d time.Duration) error {
	if _, ok := s.blobs.(presigner); !ok {
		return errors.New("media: redirects to signed addresses need the media in a bucket (--media s3://…)")
	}
	if d < time.Minute || d > 7*24*time.Hour {
		return fmt.Errorf("media: signed addresses valid for %s: give between 1m and 168h", d)
	}
	// Signing needs credentials: without them every visitor would get
	// an error, so the start stops here instead.
	p := s.blobs.(presigner)
	if _, err := p.presignGet(context.Background(), "signing/check", d, http.Header{}); err != nil {
		return fmt.Errorf("media: redirects to signed addresses: %w (signing needs the store's credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)", err)
	}
	s.redirect = d
	return nil
}

// NewStore returns a Store that keeps files in b (media.Dir of the media
// folder inside the data folder, on a single server) and rows in d.
func NewStore(d *db.DB, b Blobs) *Store {
	return &Store{db: d, quiet: d.Quiet(), blobs: b}
}

// nameBytes is the randomness in a file name: 128 bits cannot be guessed,
// so unpublished images cannot be found by trying names.
const nameBytes = 16

// nameLen is the length of a file name without its extension:
// nameBytes in unpadded base64url.
var nameLen = base64.RawURLEncoding.EncodedLen(nameBytes)

// SaveImage processes an upload with ProcessImage, stores the result under
// YYYY/MM/<random><ext> and records it in the media table. The bytes are
// stored whole (Blobs.Put is atomic) before the row that points to them
// exists, and deleted again if the row cannot be inserted, so no row
// points to missing or partial bytes. Nothing the uploader gave — file
// name, alt text, language — goes into the path.
func (s *Store) SaveImage(ctx context.Context, r io.Reader, alt, lang string, lim Limits) (Media, error) {
	return s.SaveImageThen(ctx, r, alt, lang, lim, nil)
}

// Then is a caller's work in the transaction that records a stored file,
// given its row: a record of its own about the file (what an import
// brought it in as), which then exists if and only if the file does, even
// when the caller is stopped just after.
type Then func(ctx context.Context, tx *db.Tx, m Media) error

// SaveImageThen is SaveImage, with then run in the transaction that
// records the file; nil runs nothing.
func (s *Store) SaveImageThen(ctx context.Context, r io.Reader, alt, lang string, lim Limits, then Then) (Media, error) {
	p, err := ProcessImage(r, lim)
	if err != nil {
		return Media{}, err
	}
	return s.save(ctx, p, alt, lang, then)
}

// SaveDocument processes an upload with ProcessDocument (a PDF rewritten
// without its metadata, or an image re-encoded like SaveImage's) and stores
// it the way SaveImage does. lang is the document's language.
func (s *Store) SaveDocument(ctx context.Context, r io.Reader, lang string, lim DocLimits) (Media, error) {
	return s.SaveDocumentThen(ctx, r, lang, lim, nil)
}

// SaveDocumentThen is SaveDocument, with then run in the transaction that
// records the file; nil runs nothing.
func (s *Store) SaveDocumentThen(ctx context.Context, r io.Reader, lang string, lim DocLimits, then Then) (Media, error) {
	p, err := ProcessDocument(r, lim)
	if err != nil {
		return Media{}, err
	}
	return s.save(ctx, p, "", lang, then)
}

// save writes a processed upload and records it.
func (s *Store) save(ctx context.Context, p Processed, alt, lang string, then Then) (Media, error) {
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
	if err := s.blobs.Put(ctx, rel, bytes.NewReader(p.Data), int64(len(p.Data)), p.MIME); err != nil {
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
	// The write is quiet: a new file is on no page until an entry or an
	// approved tribute refers to it, a loud write of its own (a waiting
	// tribute's photo must not make every cached page stale).
	err = s.quiet.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO media (path, mime, bytes, width, height, alt, lang, created_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			m.Path, m.MIME, m.Bytes, m.Width, m.Height, m.Alt, m.Lang, m.CreatedAt.Unix(),
		).Scan(&m.ID); err != nil {
			return err
		}
		if m.MIME == mimeJPEG || m.MIME == mimePNG {
			if err := enqueueVariants(ctx, tx, m.ID); err != nil {
				return err
			}
		}
		if then != nil {
			return then(ctx, tx, m)
		}
		return nil
	})
	if err != nil {
		// Even when ctx has ended: the bytes would be found by nothing.
		if rmErr := s.blobs.Delete(context.WithoutCancel(ctx), rel); rmErr != nil {
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

// Delete removes a media item: its row, then its files, so that its
// address answers 404 from then on. Rows that refer to it lose it
// (attachments are deleted, a featured image is unset) through the
// database's foreign keys. The files' deletion is also enqueued with the
// row's, so that a crash in between leaves a job to finish it rather
// than a file still served at an address that was published. A missing
// item is db.ErrNotFound.
func (s *Store) Delete(ctx context.Context, id int64) error {
	var rel string
	var keys []string
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if keys, err = variantPaths(ctx, tx, id); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `DELETE FROM media WHERE id = ? RETURNING path`, id).Scan(&rel); err != nil {
			return err
		}
		keys = append(keys, rel)
		return enqueueDeleteFiles(ctx, tx, keys)
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
	// Even when ctx has ended: the row is gone.
	if err := s.deleteFiles(context.WithoutCancel(ctx), keys); err != nil {
		return fmt.Errorf("media: delete %d: %w", id, err)
	}
	return nil
}

// Rekey gives a media item's file and its smaller copies new random names
// under the same month, so that the addresses it was published at answer 404
// from then on while the item itself is kept: a tribute's photo taken off
// the wall may go back on it later, at new addresses.
//
// Each file is copied to its new name, then the rows follow in one
// transaction, and only once that has committed are the old files
// deleted — by a job enqueued in the same transaction too, so a crash
// cannot leave one served at its old address for good. A failure before
// the commit leaves the item as it was (the new copies are deleted); at no
// point does a row name a missing file. A file already missing is left
// as it is. A missing item is db.ErrNotFound.
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
	var copied []move
	// dropCopies deletes the new copies when the rows will not name them.
	dropCopies := func() {
		for _, mv := range copied {
			if err := s.blobs.Delete(context.WithoutCancel(ctx), mv.to); err != nil {
				slog.Error("media: delete a copy after a failed rekey", "media_id", id, "err", err)
			}
		}
	}
	for _, mv := range all {
		if !validMediaPath(mv.from) {
			dropCopies()
			return fmt.Errorf("media: rekey %d: stored path %q has not the shape of a media file", id, mv.from)
		}
		if mv.to, err = randomName(path.Dir(mv.from), path.Ext(mv.from)); err != nil {
			dropCopies()
			return err
		}
		if err := s.blobs.Copy(ctx, mv.from, mv.to); errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			dropCopies()
			return fmt.Errorf("media: rekey %d: %w", id, err)
		}
		copied = append(copied, mv)
	}
	// gone are the keys to delete once the rows have moved: the old ones,
	// and any copy whose row another rekey or a delete changed meanwhile.
	var gone []string
	updated := false
	// A normal write: pages that show the image must be rendered again.
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		for _, mv := range copied {
			var res sql.Result
			var err error
			if mv.width == 0 {
				res, err = tx.ExecContext(ctx, `UPDATE media SET path = ? WHERE id = ? AND path = ?`, mv.to, id, mv.from)
			} else {
				res, err = tx.ExecContext(ctx, `UPDATE media_variants SET path = ? WHERE media_id = ? AND width = ? AND path = ?`, mv.to, id, mv.width, mv.from)
			}
			var n int64
			if err == nil {
				n, err = res.RowsAffected()
			}
			if err != nil {
				return err
			}
			if n == 0 {
				gone = append(gone, mv.to)
			} else {
				gone = append(gone, mv.from)
			}
		}
		if err := enqueueDeleteFiles(ctx, tx, gone); err != nil {
			return err
		}
		updated = true
		return nil
	})
	if err != nil {
		// Unless the commit itself failed (when it may have happened
		// after all, and rows may name the copies), the copies are
		// named by nothing.
		if !updated {
			dropCopies()
		}
		return fmt.Errorf("media: rekey %d: %w", id, err)
	}
	// Even when ctx has ended: the rows have moved.
	if err := s.deleteFiles(context.WithoutCancel(ctx), gone); err != nil {
		return fmt.Errorf("media: rekey %d: %w", id, err)
	}
	return nil
}

// ByPaths returns the media stored under the given paths (Media.Path)
// with their variants, keyed by path; paths that name nothing are left
// out. Pages use it for the images placed in an entry's text.
func (s *Store) ByPaths(ctx context.Context, paths []string) (map[string]Media, error) {
	out := map[string]Media{}
	if len(paths) == 0 {
		return out, nil
	}
	args := make([]any, len(paths))
	marks := make([]string, len(paths))
	for i, p := range paths {
		args[i], marks[i] = p, "?"
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+mediaCols+` FROM media WHERE path IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("media: by paths: %w", err)
	}
	defer rows.Close()
	var ms []*Media
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			return nil, fmt.Errorf("media: by paths: %w", err)
		}
		ms = append(ms, &m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("media: by paths: %w", err)
	}
	if err := s.loadVariants(ctx, ms); err != nil {
		return nil, err
	}
	for _, m := range ms {
		out[m.Path] = *m
	}
	return out, nil
}
