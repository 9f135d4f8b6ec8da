// Package backup makes a copy of a whole site — its database, its media
// and its site key — encrypted to the organisation's public key, while
// the site serves; and restores such a copy into an empty data folder or
// database. Only the organisation's private key, kept off the server,
// opens a backup: a backup that leaks, or a server seized with its
// backups, gives nothing away.
//
// A backup is an age file (X25519, to the organisation's recipient)
// holding a tar archive:
//
//	manifest.json      what the backup is (Manifest)
//	site.key           the site key, which opens what the site sealed
//	database.sqlite    SQLite: a consistent copy of the database file
//	database/NNNNNN.jsonl  PostgreSQL: every table's rows (db.DB.Dump),
//	                   in pieces of at most dumpChunk bytes, in order
//	                   (backups before these pieces: database.jsonl)
//	media/KEY          each stored file, under its blob key
package backup

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"

	"peerpress/internal/db"
	"peerpress/internal/media"
)

// Format is the version of the backup's layout.
const Format = 1

// Manifest says what a backup holds.
type Manifest struct {
	Format    int       `json:"format"`
	Engine    db.Engine `json:"engine"`
	Schema    int       `json:"schema_version"`
	CreatedAt time.Time `json:"created_at"`
	// Media counts the media files; written after the manifest, they are
	// counted by Write and Restore, not in the file.
	Media int `json:"media_files,omitempty"`
}

// dumpChunk bounds each piece of a PostgreSQL dump in the archive: a tar
// entry needs its size before its bytes, so a piece waits in memory
// (never on disk in the clear) until it is full, and the memory a backup
// takes stays the same however big the database.
const dumpChunk = 1 << 20

// chunkWriter writes what it is given to tw as numbered pieces of
// dumpChunk bytes (the last one shorter).
type chunkWriter struct {
	tw  *tar.Writer
	buf []byte
	n   int
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		k := min(dumpChunk-len(c.buf), len(p))
		c.buf = append(c.buf, p[:k]...)
		p, written = p[k:], written+k
		if len(c.buf) == dumpChunk {
			if err := c.flush(); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

func (c *chunkWriter) flush() error {
	if len(c.buf) == 0 {
		return nil
	}
	c.n++
	err := addBytes(c.tw, fmt.Sprintf("%s%06d.jsonl", dumpPrefix, c.n), c.buf)
	c.buf = c.buf[:0]
	return err
}

const dumpPrefix = "database/"

// Site is what a backup copies and a restore fills.
type Site struct {
	DB      *db.DB
	Blobs   media.Blobs
	SiteKey string // base64, as the site is given it
}

// Write writes an encrypted backup of s to w, for recipient (the
// organisation's public key, age1…). The database is read in one
// consistent snapshot; media files are copied after it, so a file
// uploaded meanwhile may be there without its row, never the reverse
// unless it was deleted in between.
func Write(ctx context.Context, s Site, recipient string, w io.Writer) (Manifest, error) {
	r, err := age.ParseX25519Recipient(strings.TrimSpace(recipient))
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: organisation key: %w", err)
	}
	schema, err := s.DB.SchemaVersion(ctx)
	if err != nil {
		return Manifest{}, err
	}
	m := Manifest{Format: Format, Engine: s.DB.Engine, Schema: schema, CreatedAt: time.Now().UTC().Truncate(time.Second)}
	enc, err := age.Encrypt(w, r)
	if err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	tw := tar.NewWriter(enc)
	man, _ := json.MarshalIndent(m, "", "  ")
	if err := addBytes(tw, "manifest.json", man); err != nil {
		return m, err
	}
	if err := addBytes(tw, "site.key", []byte(strings.TrimSpace(s.SiteKey)+"\n")); err != nil {
		return m, err
	}
	// The database first, so that the media copied after it are at least
	// as new.
	if s.DB.Engine == db.SQLite {
		dbPath, err := s.DB.SQLitePath(ctx)
		if err != nil {
			return m, err
		}
		snap := filepath.Join(filepath.Dir(dbPath), fmt.Sprintf(".backup-%d.db", time.Now().UnixNano()))
		if err := s.DB.SnapshotSQLite(ctx, snap); err != nil {
			return m, err
		}
		defer os.Remove(snap)
		dbFile, err := os.Open(snap) // #nosec G304 -- a snapshot this command made in its own temporary folder
		if err != nil {
			return m, err
		}
		defer dbFile.Close()
		st, err := dbFile.Stat()
		if err != nil {
			return m, err
		}
		if err := addReader(tw, "database.sqlite", dbFile, st.Size()); err != nil {
			return m, err
		}
	} else {
		chunks := &chunkWriter{tw: tw}
		if err := s.DB.Dump(ctx, chunks); err != nil {
			return m, err
		}
		if err := chunks.flush(); err != nil {
			return m, err
		}
	}
	var keys []string
	for key, err := range s.Blobs.List(ctx, "") {
		if err != nil {
			return m, fmt.Errorf("backup: list media: %w", err)
		}
		keys = append(keys, key)
	}
	copied := 0
	for _, key := range keys {
		b, err := s.Blobs.Open(ctx, key)
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted since it was listed
		}
		if err != nil {
			return m, fmt.Errorf("backup: media %s: %w", key, err)
		}
		err = addReader(tw, "media/"+key, b, b.Size())
		b.Close()
		if err != nil {
			return m, fmt.Errorf("backup: media %s: %w", key, err)
		}
		copied++
	}
	m.Media = copied
	if err := tw.Close(); err != nil {
		return m, err
	}
	return m, enc.Close()
}

func addBytes(tw *tar.Writer, name string, b []byte) error {
	return addReader(tw, name, strings.NewReader(string(b)), int64(len(b)))
}

func addReader(tw *tar.Writer, name string, r io.Reader, size int64) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: size, ModTime: time.Now().UTC(), Typeflag: tar.TypeReg}); err != nil {
		return fmt.Errorf("backup: %s: %w", name, err)
	}
	if _, err := io.CopyN(tw, r, size); err != nil {
		return fmt.Errorf("backup: %s: %w", name, err)
	}
	return nil
}

// Target is where a restore goes: an empty database (for PostgreSQL,
// open and empty; for SQLite, a file that does not exist yet) and an
// empty media store.
type Target struct {
	// SQLitePath is the database file to create, for a SQLite backup.
	SQLitePath string
	// Open opens the database once its file is in place (SQLite) or at
	// once (PostgreSQL).
	Open  func(ctx context.Context) (*db.DB, error)
	Blobs media.Blobs
}

// ErrNotEmpty refuses to restore over a site.
var ErrNotEmpty = errors.New("backup: the target is not empty: a restore goes into an empty data folder and database only")

// Restore decrypts a backup with the organisation's identity and writes
// it into t, which must be empty. It returns the backup's manifest, its
// site key, and the database it restored into, open (the caller closes
// it).
func Restore(ctx context.Context, r io.Reader, id age.Identity, t Target) (Manifest, string, *db.DB, error) {
	var m Manifest
	for _, err := range t.Blobs.List(ctx, "") {
		if err != nil {
			return m, "", nil, err
		}
		return m, "", nil, ErrNotEmpty
	}
	dec, err := age.Decrypt(r, id)
	if err != nil {
		return m, "", nil, fmt.Errorf("backup: this key does not open the backup: %w", err)
	}
	tr := tar.NewReader(dec)
	var siteKey string
	var d *db.DB
	// A PostgreSQL dump comes in pieces, loaded as one stream in one
	// transaction: the pieces go down a pipe to Load as they come.
	var (
		pieces  *io.PipeWriter
		loaded  chan error
		dumpEnd bool
	)
	endDump := func() error {
		if pieces == nil {
			return nil
		}
		pieces.Close()
		err := <-loaded
		pieces, dumpEnd = nil, true
		return err
	}
	fail := func(err error) (Manifest, string, *db.DB, error) {
		if pieces != nil {
			pieces.CloseWithError(err)
			<-loaded
		}
		if d != nil {
			d.Close()
		}
		return m, "", nil, err
	}
	restored := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(fmt.Errorf("backup: damaged: %w", err))
		}
		if pieces != nil && !strings.HasPrefix(h.Name, dumpPrefix) {
			if err := endDump(); err != nil {
				return fail(err)
			}
		}
		switch {
		case h.Name == "manifest.json":
			if err := json.NewDecoder(io.LimitReader(tr, 1<<16)).Decode(&m); err != nil || m.Format != Format {
				return fail(fmt.Errorf("backup: not a peerpress backup of format %d", Format))
			}
		case h.Name == "site.key":
			b, err := io.ReadAll(io.LimitReader(tr, 1024))
			if err != nil {
				return fail(err)
			}
			siteKey = strings.TrimSpace(string(b))
		case h.Name == "database.sqlite":
			if m.Engine != db.SQLite || t.SQLitePath == "" {
				return fail(errors.New("backup: a SQLite backup restores into SQLite only"))
			}
			if st, err := os.Stat(t.SQLitePath); err == nil && st.Size() > 0 {
				return fail(ErrNotEmpty)
			}
			if err := os.MkdirAll(filepath.Dir(t.SQLitePath), 0o750); err != nil {
				return fail(err)
			}
			f, err := os.OpenFile(t.SQLitePath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
			if err != nil {
				return fail(err)
			}
			_, err = io.Copy(f, tr) // #nosec G110 -- a backup the operator made and decrypted with their own key, restored into an empty folder
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fail(err)
			}
			if d, err = t.Open(ctx); err != nil {
				return fail(err)
			}
			if err := d.CheckSchema(ctx); err != nil {
				return fail(err)
			}
		case h.Name == "database.jsonl" || strings.HasPrefix(h.Name, dumpPrefix) && strings.HasSuffix(h.Name, ".jsonl"):
			if pieces == nil {
				if m.Engine != db.Postgres || t.SQLitePath != "" {
					return fail(errors.New("backup: a PostgreSQL backup restores into PostgreSQL only"))
				}
				if d != nil || dumpEnd {
					return fail(errors.New("backup: damaged: a second database"))
				}
				if d, err = t.Open(ctx); err != nil {
					return fail(err)
				}
				if empty, err := d.Empty(ctx); err != nil || !empty {
					return fail(errors.Join(ErrNotEmpty, err))
				}
				if _, err := d.Migrate(ctx); err != nil {
					return fail(err)
				}
				if v, _ := d.SchemaVersion(ctx); v != m.Schema {
					return fail(fmt.Errorf("backup: made at schema version %d, this peerpress is at %d: restore with the version that made it, then migrate", m.Schema, v))
				}
				pr, pw := io.Pipe()
				pieces, loaded = pw, make(chan error, 1)
				go func() {
					err := d.Load(ctx, pr)
					pr.CloseWithError(errors.Join(err, io.ErrClosedPipe))
					loaded <- err
				}()
			}
			if _, err := io.Copy(pieces, tr); err != nil { // #nosec G110 -- a backup the operator made and decrypted with their own key
				pieces.CloseWithError(err)
				lerr := <-loaded
				pieces = nil
				return fail(fmt.Errorf("backup: database: %w", errors.Join(lerr, err)))
			}
			if h.Name == "database.jsonl" {
				if err := endDump(); err != nil {
					return fail(err)
				}
			}
		case strings.HasPrefix(h.Name, "media/"):
			key := strings.TrimPrefix(h.Name, "media/")
			if !media.ValidKey(key) || path.Clean(h.Name) != h.Name {
				return fail(fmt.Errorf("backup: a media file named %q", h.Name))
			}
			if err := t.Blobs.Put(ctx, key, tr, h.Size, ""); err != nil {
				return fail(fmt.Errorf("backup: media %s: %w", key, err))
			}
			restored++
		default:
			return fail(fmt.Errorf("backup: unexpected %q", h.Name))
		}
	}
	if err := endDump(); err != nil {
		return fail(err)
	}
	if d == nil || siteKey == "" {
		return fail(errors.New("backup: incomplete: no database or no site key"))
	}
	m.Media = restored
	return m, siteKey, d, nil
}
