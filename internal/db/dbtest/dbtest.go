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
	"testing"

	"peerpress/internal/db"
)

// EnvPostgres names the variable that holds the PostgreSQL test server URL.
const EnvPostgres = "PEERPRESS_TEST_POSTGRES"

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
	d, err := db.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "peerpress.db"))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { d.Close() })
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
	d, err := db.Open(ctx, u.String())
	if err != nil {
		t.Fatalf("open postgres schema: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatalf("migrate postgres: %v", err)
	}
	return d
}
