package backup_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"filippo.io/age"

	"peerpress/internal/backup"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/media"
)

// settingsDigest is a digest of every settings row, to compare two
// databases.
func settingsDigest(t *testing.T, d *db.DB) (int, string) {
	t.Helper()
	rows, err := d.QueryContext(context.Background(), `SELECT key, value FROM settings ORDER BY key`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	h := sha256.New()
	n := 0
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s=%s\n", k, v)
		n++
	}
	return n, fmt.Sprintf("%x", h.Sum(nil))
}

// A PostgreSQL database bigger than a backup's pieces goes into the
// backup in pieces of at most a mebibyte, so the backup's memory stays
// flat with the data's size rather than holding the whole dump; the
// restore puts the pieces back together into the same rows. SQLite's
// consistent copy is a file, streamed as it is.
func TestBackupStreamsTheDatabase(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		// About 3.5 MB of rows: several pieces.
		value := strings.Repeat("harm reduction saves lives ", 40)
		if err := d.InTx(ctx, func(tx *db.Tx) error {
			for i := range 3200 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)`, fmt.Sprintf("zq7.%05d", i), fmt.Sprintf("%d %s", i, value)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		wantRows, wantDigest := settingsDigest(t, d)

		id, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		var file bytes.Buffer
		blobs := media.Dir(t.TempDir())
		if _, err := backup.Write(ctx, backup.Site{DB: d, Blobs: blobs, SiteKey: "a-site-key"}, id.Recipient().String(), &file); err != nil {
			t.Fatal(err)
		}

		// What the archive holds.
		plain, err := age.Decrypt(bytes.NewReader(file.Bytes()), id)
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(plain)
		pieces, largest := 0, int64(0)
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(h.Name, "database/") {
				pieces++
				largest = max(largest, h.Size)
			}
		}
		switch d.Engine {
		case db.Postgres:
			if pieces < 3 || largest > 1<<20 {
				t.Errorf("the dump went in %d pieces, the largest %d bytes; want several of at most 1 MiB", pieces, largest)
			}
		case db.SQLite:
			if pieces != 0 {
				t.Errorf("a SQLite backup with %d dump pieces", pieces)
			}
		}

		url := dbtest.EmptyURL(t, d.Engine)
		target := backup.Target{Blobs: media.Dir(t.TempDir()), Open: func(ctx context.Context) (*db.DB, error) { return db.Open(ctx, url) }}
		if strings.HasPrefix(url, "sqlite:") {
			target.SQLitePath = strings.TrimPrefix(url, "sqlite:")
		}
		_, key, restored, err := backup.Restore(ctx, bytes.NewReader(file.Bytes()), id, target)
		if err != nil {
			t.Fatal(err)
		}
		defer restored.Close()
		if key != "a-site-key" {
			t.Errorf("site key %q", key)
		}
		if n, digest := settingsDigest(t, restored); n != wantRows || digest != wantDigest {
			t.Errorf("restored %d rows (%s); want %d (%s)", n, digest, wantRows, wantDigest)
		}
	})
}
