package db_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"peerpress/internal/db"
)

// The SQLite file and its folder are readable by their owner only, and
// deleted rows are overwritten, so that a copy of the disk does not hold
// purged personal data in free pages.
func TestSQLiteFileIsPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "peerpress.db")
	d, err := db.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %o, want %o", p, got, want)
		}
	}
	var secure int
	if err := d.QueryRowContext(context.Background(), `PRAGMA secure_delete`).Scan(&secure); err != nil || secure != 1 {
		t.Errorf("secure_delete = %d, %v; want 1", secure, err)
	}
}
