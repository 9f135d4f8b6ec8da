// Package dbtest gives tests a freshly migrated database on each engine.
//
// Every storage test calls [Run], which runs it as a subtest named "sqlite"
// and, when PEERPRESS_TEST_POSTGRES holds a URL, again as "postgres" in a
// database of its own on that server, dropped afterwards. When
// PEERPRESS_TEST_POSTGRES is empty the postgres subtest is skipped and says
// so; scripts/test and CI set it and count that the postgres subtests
// passed.
//
// A test does not pay for the migrations: each engine's database is
// migrated once per test binary into a [Template], and every test gets a
// copy of it (a file copy for SQLite, CREATE DATABASE … TEMPLATE for
// PostgreSQL). A template can also hold data, such as the demo site, that
// is as slow to write as it is common to need. The PostgreSQL user must be
// allowed to create databases, on PostgreSQL 13 or later.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

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

// URL is the URL d was opened with: for PostgreSQL it names d's database.
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

// migrated is the template of every plain test database: migrated, empty.
var migrated = NewTemplate("migrated", nil)

// Run runs fn once per available engine, each on a new migrated database.
// The engines run side by side (t.Parallel), so fn must leave alone what
// the whole process shares — slog's default logger, the environment,
// the working folder, time.Local; a test that changes any uses RunSerial.
func Run(t *testing.T, fn func(t *testing.T, d *db.DB)) { migrated.Run(t, fn) }

// RunSerial is Run with the engines one after the other.
func RunSerial(t *testing.T, fn func(t *testing.T, d *db.DB)) { migrated.RunSerial(t, fn) }

// NewSQLite opens a migrated SQLite database in a temporary folder.
func NewSQLite(t testing.TB) *db.DB { return migrated.NewSQLite(t) }

// NewPostgres opens a migrated PostgreSQL database of its own, or skips
// the test when no test server is configured.
func NewPostgres(t testing.TB) *db.DB { return migrated.NewPostgres(t) }

// A Template is a database made once per test binary and engine, when a
// test first asks for it: migrated, then filled. Each test gets a copy of
// its own, so tests that start from the same data need not write it each.
type Template struct {
	name string
	fill func(ctx context.Context, d *db.DB) error

	mu     sync.Mutex
	sqlite *sqliteFiles // nil until made
	pg     string       // the PostgreSQL template database, "" until made
}

// NewTemplate returns a template whose databases are migrated and then
// filled by fill (nil: left empty). The name shows in failures.
func NewTemplate(name string, fill func(ctx context.Context, d *db.DB) error) *Template {
	return &Template{name: name, fill: fill}
}

// Run runs fn once per available engine, each on a new copy of the
// template, side by side as dbtest.Run does.
func (tp *Template) Run(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	tp.run(t, true, fn)
}

// RunSerial is Run with the engines one after the other.
func (tp *Template) RunSerial(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	tp.run(t, false, fn)
}

func (tp *Template) run(t *testing.T, parallel bool, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run(string(db.SQLite), func(t *testing.T) {
		if parallel {
			t.Parallel()
		}
		fn(t, tp.NewSQLite(t))
	})
	t.Run(string(db.Postgres), func(t *testing.T) {
		if parallel {
			t.Parallel()
		}
		fn(t, tp.NewPostgres(t))
	})
}

// make opens a new database at rawURL, migrates it and fills it.
func (tp *Template) make(ctx context.Context, rawURL string) (*db.DB, error) {
	d, err := db.Open(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if tp.fill != nil {
		if err := tp.fill(ctx, d); err != nil {
			d.Close()
			return nil, fmt.Errorf("fill: %w", err)
		}
	}
	return d, nil
}

// sqliteFiles is a closed SQLite database: its main file and write-ahead
// log (usually empty: closing checkpoints it).
type sqliteFiles struct{ main, wal []byte }

// NewSQLite opens a copy of the template's SQLite database in a temporary
// folder.
func (tp *Template) NewSQLite(t testing.TB) *db.DB {
	t.Helper()
	files, err := tp.sqliteFiles()
	if err != nil {
		t.Fatalf("dbtest: sqlite template %s: %v", tp.name, err)
	}
	path := filepath.Join(t.TempDir(), "peerpress.db")
	if err := os.WriteFile(path, files.main, 0o600); err != nil {
		t.Fatal(err)
	}
	if files.wal != nil {
		if err := os.WriteFile(path+"-wal", files.wal, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	d, err := open(t, "sqlite:"+path)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	return d
}

// sqliteFiles makes the SQLite template the first time and returns its
// bytes; the folder it was made in is removed at once.
func (tp *Template) sqliteFiles() (*sqliteFiles, error) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if tp.sqlite != nil {
		return tp.sqlite, nil
	}
	dir, err := os.MkdirTemp("", "peerpress-dbtest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "peerpress.db")
	d, err := tp.make(context.Background(), "sqlite:"+path)
	if err != nil {
		return nil, err
	}
	if err := d.Close(); err != nil {
		return nil, err
	}
	var files sqliteFiles
	if files.main, err = os.ReadFile(path); err != nil { // #nosec G304 -- a file this test helper made in its own temporary folder
		return nil, err
	}
	if wal, err := os.ReadFile(path + "-wal"); err == nil && len(wal) > 0 { // #nosec G304 -- a file this test helper made in its own temporary folder
		files.wal = wal
	}
	tp.sqlite = &files
	return tp.sqlite, nil
}

// Test databases on the PostgreSQL server are named with this prefix and
// the Unix time they were made at; those older than staleAfter are left
// over from runs that were killed (and templates, which no test drops),
// and are dropped when a test binary makes its first template.
const (
	pgPrefix   = "peerpress_test_"
	staleAfter = time.Hour
)

// NewPostgres opens a copy of the template's PostgreSQL database, or
// skips the test when no test server is configured. The copy is dropped
// when the test ends.
func (tp *Template) NewPostgres(t testing.TB) *db.DB {
	t.Helper()
	server := os.Getenv(EnvPostgres)
	if server == "" {
		t.Skip(EnvPostgres + " is not set: PostgreSQL half skipped")
	}
	admin, err := adminDB(server)
	if err != nil {
		t.Fatalf("connect to PostgreSQL test server: %v", err)
	}
	tmpl, err := tp.pgTemplate(server, admin)
	if err != nil {
		t.Fatalf("dbtest: postgres template %s: %v", tp.name, err)
	}
	name := pgName()
	if _, err := admin.Quiet().ExecContext(context.Background(), "CREATE DATABASE "+name+" TEMPLATE "+tmpl); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		admin.Quiet().ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	raw, err := pgURL(server, name)
	if err != nil {
		t.Fatal(err)
	}
	d, err := open(t, raw)
	if err != nil {
		t.Fatalf("open postgres database: %v", err)
	}
	return d
}

// pgTemplate makes the PostgreSQL template the first time and returns
// its name.
func (tp *Template) pgTemplate(server string, admin *db.DB) (string, error) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if tp.pg != "" {
		return tp.pg, nil
	}
	ctx := context.Background()
	dropStale(ctx, admin)
	name := pgName()
	if _, err := admin.Quiet().ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	raw, err := pgURL(server, name)
	if err != nil {
		return "", err
	}
	d, err := tp.make(ctx, raw)
	if err != nil {
		admin.Quiet().ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		return "", err
	}
	// A template must have no sessions when it is copied.
	if err := d.Close(); err != nil {
		return "", err
	}
	tp.pg = name
	return name, nil
}

// admin is the connection to the test server's own database, from which
// databases are made and dropped; it lives as long as the test binary.
var admin struct {
	once sync.Once
	d    *db.DB
	err  error
}

func adminDB(server string) (*db.DB, error) {
	admin.once.Do(func() { admin.d, admin.err = db.Open(context.Background(), server) })
	return admin.d, admin.err
}

// pgName is a new database name: the prefix, the time and a random tail.
func pgName() string {
	var b [6]byte
	rand.Read(b[:])
	return pgPrefix + strconv.FormatInt(time.Now().Unix(), 10) + "_" + hex.EncodeToString(b[:])
}

// pgURL is the server URL with its database replaced by name.
func pgURL(server, name string) (string, error) {
	u, err := url.Parse(server)
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", EnvPostgres, err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// dropStale drops the test databases that outlived their run.
func dropStale(ctx context.Context, admin *db.DB) {
	rows, err := admin.QueryContext(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'peerpress\_test\_%'`)
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) != nil {
			continue
		}
		stamp, _, _ := strings.Cut(strings.TrimPrefix(name, pgPrefix), "_")
		if sec, err := strconv.ParseInt(stamp, 10, 64); err == nil && time.Since(time.Unix(sec, 0)) > staleAfter {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		admin.Quiet().ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
}

// EmptyURL is the URL of a new database on engine with nothing in it, not
// even migrations (for a restore): a file not yet made in a temporary
// folder for SQLite, a database of its own for PostgreSQL, dropped when
// the test ends.
func EmptyURL(t testing.TB, engine db.Engine) string {
	t.Helper()
	if engine == db.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "restored.db")
	}
	server := os.Getenv(EnvPostgres)
	if server == "" {
		t.Skip(EnvPostgres + " is not set: PostgreSQL half skipped")
	}
	admin, err := adminDB(server)
	if err != nil {
		t.Fatalf("connect to PostgreSQL test server: %v", err)
	}
	name := pgName()
	if _, err := admin.Quiet().ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		admin.Quiet().ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	raw, err := pgURL(server, name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
