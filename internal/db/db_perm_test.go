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

// A data folder may have any name: #, ? and % in it (as in a test's
// folder named after "sqlite#01") reach the file they name, not another.
func TestSQLitePathWithURICharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "site #1?a=b%20c", "peerpress.db")
	d, err := db.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.ExecContext(context.Background(), `CREATE TABLE kept (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	d.Close()
	again, err := db.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	var n int
	if err := again.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM sqlite_master WHERE name = 'kept'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the table written through that path: %d, %v", n, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("the file at the path: %v", err)
	}
}
