// Package dbtest gives tests a freshly migrated database on each engine.
//
// Every storage test calls [Run], which runs it as a subtest named "sqlite"
// and, when PEERPRESS_TEST_POSTGRES holds a URL, again as "postgres" in a
// schema of its own that is dropped afterwards. When PEERPRESS_TEST_POSTGRES
// is empty the postgres subtest is skipped and says so; scripts/test and CI
// set it and count that the postgres subtests passed.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"peerpress/internal/db"
)

// EnvPostgres names the variable that holds the PostgreSQL test server URL.
const EnvPostgres = "PEERPRESS_TEST_POSTGRES"

// urls holds the URL each database of NewSQLite and NewPostgres was opened
// with, for OpenSecond and URL.
var urls sync.Map // *db.DB → string

// open opens rawURL, closes it when the test ends and remembers its URL.
func open(t testing.TB, rawURL string) (*db.DB, error) {
	d, err := db.Open(context.Background(), rawURL)
	if err != nil {
		return nil, err
	}
	urls.Store(d, rawURL)
	t.Cleanup(func() {
		d.Close()
		urls.Delete(d)
	})
	return d, nil
}

// URL is the URL d was opened with: for PostgreSQL it names d's schema.
func URL(t testing.TB, d *db.DB) string {
	t.Helper()
	u, ok := urls.Load(d)
	if !ok {
		t.Fatal("dbtest: this database was not opened by dbtest")
	}
	return u.(string)
}

// OpenSecond opens another handle on d's database, as a second process
// would (another server instance, a command). It is closed when the test
// ends.
func OpenSecond(t testing.TB, d *db.DB) *db.DB {
	t.Helper()
	other, err := open(t, URL(t, d))
	if err != nil {
		t.Fatalf("open a second handle: %v", err)
	}
	return other
}

// Run runs fn once per available engine, each on a new migrated database.
func Run(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run(string(db.SQLite), func(t *testing.T) {
		fn(t, NewSQLite(t))
	})
	t.Run(string(db.Postgres), func(t *testing.T) {
		fn(t, NewPostgres(t))
	})
}

// NewSQLite opens a migrated SQLite database in a temporary folder.
func NewSQLite(t testing.TB) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := open(t, "sqlite:"+filepath.Join(t.TempDir(), "peerpress.db"))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return d
}

// NewPostgres opens a migrated PostgreSQL database in a new schema, or skips
// the test when no test server is configured.
func NewPostgres(t testing.TB) *db.DB {
	t.Helper()
	raw := os.Getenv(EnvPostgres)
	if raw == "" {
		t.Skip(EnvPostgres + " is not set: PostgreSQL half skipped")
	}
	ctx := context.Background()
	admin, err := db.Open(ctx, raw)
	if err != nil {
		t.Fatalf("connect to PostgreSQL test server: %v", err)
	}
	defer admin.Close()
	var b [6]byte
	rand.Read(b[:])
	schema := "test_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if a, err := db.Open(context.Background(), raw); err == nil {
			a.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			a.Close()
		}
	})
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	d, err := open(t, u.String())
	if err != nil {
		t.Fatalf("open postgres schema: %v", err)
	}
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatalf("migrate postgres: %v", err)
	}
	return d
}
