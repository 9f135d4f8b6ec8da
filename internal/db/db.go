// Package db opens peerpress's database on one of two engines, SQLite (the
// embedded default) or PostgreSQL, and hides their few differences: the
// connection setup, placeholders and the migrations. Everything else in
// peerpress writes plain SQL that both engines accept, with `?` placeholders.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver (pure Go)
)

// Engine names a database engine.
type Engine string

// The engines peerpress runs on.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// ErrNotFound is returned by lookups that found no row. Domain packages wrap
// or return it instead of returning nil values.
var ErrNotFound = errors.New("not found")

// DB is an open database. Reads go to a pool of connections; writes go
// through one writer connection on SQLite (it allows one writer at a time,
// and a single connection avoids SQLITE_BUSY storms) and through the same
// pool on PostgreSQL.
type DB struct {
	Engine Engine
	read   *sql.DB
	write  *sql.DB

	rebound sync.Map // query text with ? → query text with $n (PostgreSQL)

	// changes counts committed writes, so that caches of rendered pages
	// know when what they hold may be stale. Writes that cannot change a
	// page (sessions, job bookkeeping) go through Quiet. Writes by
	// other processes count too (changes_watch.go).
	changes atomic.Int64

	// statements are SQLite's prepared read statements, by query text:
	// preparing (parsing, planning) was a quarter of the time a page took
	// to render. pgx keeps its own per connection.
	statements struct {
		sync.Mutex
		m map[string]*sql.Stmt
	}

	instance  string // random; PostgreSQL notifications carry it so that an instance skips its own
	pgURL     string // PostgreSQL: the server, for connections of their own (advisory.go)
	channel   string // PostgreSQL channel that non-quiet writes notify
	stopWatch context.CancelFunc
	watchDone chan struct{} // closed when the watcher has stopped

	// topics are the subscriptions to Notify's topics (topics.go).
	topics      topics
	topicsDirty atomic.Bool // SQLite: this process committed a Notify its watcher has not read
}

// Changes counts the writes committed so far through this DB, and grows
// when another process commits to the same database. A cache stamped with
// it is stale once it grows.
func (d *DB) Changes() int64 { return d.changes.Load() }

// Changed records a change made outside this DB's write methods, such as
// a file deleted from the media folder.
func (d *DB) Changed() { d.changes.Add(1) }

// Open connects to the database named by rawURL: "sqlite:PATH" (or a bare
// path) or a "postgres://" URL. For SQLite the file's folder is created.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return openPostgres(ctx, rawURL)
	case strings.HasPrefix(rawURL, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(rawURL, "sqlite:"))
	case strings.Contains(rawURL, "://"):
		return nil, fmt.Errorf("db: unsupported database URL %q: use sqlite:PATH or postgres://…", redact(rawURL))
	default:
		return openSQLite(ctx, rawURL)
	}
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("db: sqlite: empty path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("db: sqlite: create folder: %w", err)
	}
	// The database is readable by its owner only; SQLite gives its -wal
	// and -shm files the database file's permissions.
	if f, err := os.OpenFile(path, os.O_CREATE|os.O_RDONLY, 0o600); err == nil { // #nosec G304 -- the database path the operator configured
		f.Close()
		if err := os.Chmod(path, 0o600); err != nil {
			// Not fatal: the operator may keep it on a filesystem without
			// modes; but they should know others may read it.
			slog.Warn("db: could not make the database file private to its owner", "err", err)
		}
	}
	// Pragmas are set per connection through the DSN so that every pooled
	// connection gets them, not just the first. busy_timeout comes first:
	// journal_mode(WAL) needs a lock when the file is not in WAL mode yet,
	// and without a timeout a connection opened while another holds one
	// fails at once with SQLITE_BUSY (PocketBase, core/db_connect.go).
	// modernc.org/sqlite moves it first itself today; the order here does
	// not rely on that.
	q := url.Values{}
	// secure_delete overwrites what is deleted with zeros: a purged
	// registration does not linger in the file's free pages for someone
	// who copies it.
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)", "secure_delete(1)"} {
		q.Add("_pragma", p)
	}
	// SQLite reads "file:" names as URIs: a # or ? in a folder's name
	// would end the path there and open another file.
	uriPath := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	readDSN := "file:" + uriPath + "?" + q.Encode()
	q.Set("_txlock", "immediate") // take the write lock at BEGIN: no upgrade deadlocks
	writeDSN := "file:" + uriPath + "?" + q.Encode()

	write, err := sql.Open("sqlite", writeDSN)
	if err != nil {
		return nil, fmt.Errorf("db: sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", readDSN)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("db: sqlite: %w", err)
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	d := &DB{Engine: SQLite, read: read, write: write}
	if err := write.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("db: sqlite: open %s: %w", path, err)
	}
	if err := d.watchSQLite(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func openPostgres(ctx context.Context, rawURL string) (*DB, error) {
	pool, err := sql.Open("pgx", rawURL)
	if err != nil {
		return nil, fmt.Errorf("db: postgres: %w", err)
	}
	pool.SetMaxOpenConns(16)
	pool.SetMaxIdleConns(16)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("db: postgres: connect to %s: %w", redact(rawURL), err)
	}
	d := &DB{Engine: Postgres, read: pool, write: pool, pgURL: rawURL}
	if err := d.watchPostgres(ctx, rawURL); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// redact hides a password in a database URL before it reaches a message.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// Close stops watching for changes and closes every connection.
func (d *DB) Close() error {
	if d.stopWatch != nil {
		d.stopWatch()
		<-d.watchDone
	}
	d.closeTopics()
	d.statements.Lock()
	for _, st := range d.statements.m {
		st.Close()
	}
	d.statements.m = nil
	d.statements.Unlock()
	err := d.read.Close()
	if d.write != d.read {
		err = errors.Join(err, d.write.Close())
	}
	return err
}

// rebind turns `?` placeholders into PostgreSQL's `$1, $2, …`. Question
// marks inside string literals are left alone.
func (d *DB) rebind(query string) string {
	if d.Engine != Postgres {
		return query
	}
	if q, ok := d.rebound.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	n := 0
	inString := false
	for _, r := range query {
		switch {
		case r == '\'':
			inString = !inString
			b.WriteRune(r)
		case r == '?' && !inString:
			n++
			fmt.Fprintf(&b, "$%d", n)
		default:
			b.WriteRune(r)
		}
	}
	q := b.String()
	d.rebound.Store(query, q)
	return q
}

// QueryContext runs a read query on the reader pool.
func (d *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	count(ctx, query)
	if st := d.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return d.read.QueryContext(ctx, d.rebind(query), args...)
}

// QueryRowContext runs a read query that returns at most one row.
func (d *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	count(ctx, query)
	if st := d.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return d.read.QueryRowContext(ctx, d.rebind(query), args...)
}

// maxStatements bounds the prepared statements kept. peerpress has a few
// hundred read queries; texts built with lists of varying length add some.
// Once full, new texts are simply not kept.
const maxStatements = 512

// prepared returns query prepared on SQLite's reader pool, or nil on
// PostgreSQL, when the cache is full, or when preparing fails (the query
// then runs unprepared and reports the error itself).
func (d *DB) prepared(ctx context.Context, query string) *sql.Stmt {
	if d.Engine != SQLite {
		return nil
	}
	c := &d.statements
	c.Lock()
	defer c.Unlock()
	if st, ok := c.m[query]; ok {
		return st
	}
	if len(c.m) >= maxStatements {
		return nil
	}
	st, err := d.read.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
	return st
}

// ExecContext runs one statement on the writer.
func (d *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	count(ctx, query)
	res, err := d.write.ExecContext(ctx, d.rebind(query), args...)
	if err == nil {
		// A statement that changed no row (a periodic UPDATE with nothing
		// due) must not make every cached page stale.
		if n, nerr := res.RowsAffected(); nerr != nil || n > 0 {
			d.changes.Add(1)
			// The write is committed whatever happens here; a lost
			// notification leaves other instances' caches to expire.
			if err := d.notify(ctx, d.write); err != nil {
				slog.Warn("db: notify other instances of a change", "err", err)
			}
		}
	}
	return res, err
}

// Quiet is the database as seen by a store, or the part of one, whose
// writes no public page shows: sessions, job bookkeeping, the guard's
// used challenges, the audit log, a registration not yet confirmed. Its
// writes leave cached pages alone and other instances undisturbed; reads
// and everything else are the DB's. A store is given one where it is
// built (d.Quiet()), so whether its writes are loud is decided there,
// once, and TestQuietWritesChangeNoPublicPage holds it to that.
type Quiet struct{ *DB }

// Quiet returns the quiet view of the database.
func (d *DB) Quiet() Quiet { return Quiet{d} }

// ExecContext runs one statement on the writer, quietly.
func (q Quiet) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	count(ctx, query)
	return q.write.ExecContext(ctx, q.rebind(query), args...)
}

// InTx runs fn in a write transaction, quietly.
func (q Quiet) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	return q.inTx(ctx, fn, false)
}

// Tx is a write transaction. Its methods take `?` placeholders like DB's.
type Tx struct {
	db          *DB
	tx          *sql.Tx
	afterCommit []func()
}

// QueryContext runs a query inside the transaction.
func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	count(ctx, query)
	return t.tx.QueryContext(ctx, t.db.rebind(query), args...)
}

// QueryRowContext runs a query that returns at most one row inside the transaction.
func (t *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	count(ctx, query)
	return t.tx.QueryRowContext(ctx, t.db.rebind(query), args...)
}

// ExecContext runs one statement inside the transaction.
func (t *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	count(ctx, query)
	return t.tx.ExecContext(ctx, t.db.rebind(query), args...)
}

// Engine reports the engine the transaction runs on.
func (t *Tx) Engine() Engine { return t.db.Engine }

// InTx runs fn in a write transaction, committing when it returns nil and
// rolling back otherwise.
func (d *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	if err := d.inTx(ctx, fn, true); err != nil {
		return err
	}
	d.changes.Add(1)
	return nil
}

func (d *DB) inTx(ctx context.Context, fn func(tx *Tx) error, notify bool) error {
	count(ctx, "BEGIN")
	sqlTx, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	tx := &Tx{db: d, tx: sqlTx}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if notify {
		if err := d.notify(ctx, sqlTx); err != nil {
			_ = sqlTx.Rollback()
			return fmt.Errorf("db: notify: %w", err)
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("db: commit: %w", err)
	}
	for _, f := range tx.afterCommit {
		f()
	}
	return nil
}

// Querier is what both DB and Tx offer, for functions that work either way.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// SkipLocked is the clause that lets several workers claim rows from one
// queue without waiting on each other: PostgreSQL's FOR UPDATE SKIP LOCKED.
// SQLite needs none, since its single writer already claims one at a time.
func (d *DB) SkipLocked() string {
	if d.Engine == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// SkipLocked is DB.SkipLocked for code that holds a transaction.
func (t *Tx) SkipLocked() string { return t.db.SkipLocked() }

// ResetIdentity moves a table's id sequence past the largest id, after
// rows were inserted with ids chosen by the caller. SQLite needs nothing:
// its next id is always past the largest.
func (d *DB) ResetIdentity(ctx context.Context, table string) error {
	if d.Engine != Postgres {
		return nil
	}
	switch table {
	case "entries", "translations", "media", "revisions", "tags", "sections", "organisations", "users":
	default:
		return fmt.Errorf("db: reset identity of %q: not a table with an id sequence", table)
	}
	_, err := d.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+table+`', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM `+table+`), 1))`)
	if err != nil {
		return fmt.Errorf("db: reset identity of %s: %w", table, err)
	}
	return nil
}

// Optimize refreshes the query planner's statistics: SQLite's PRAGMA
// optimize, which its authors advise running now and then, and
// PostgreSQL's VACUUM (ANALYZE). After a bulk load PostgreSQL's autovacuum
// has not caught up yet: without statistics it chose plans that took
// minutes for an archive page at 100,000 entries, and its vacuuming of the
// new rows would otherwise run for minutes beside the first visitors.
// Once autovacuum keeps up, the daily run finds little left to do.
//
// On SQLite the statistics are kept without their samples (sqlite_stat4):
// the driver's SQLite is built with STAT4, and a statement whose plan a
// sample could change is prepared again each time its parameters change,
// which is every page. That re-preparing was a tenth of the CPU of a
// static export (go tool pprof on BenchmarkExport: _sqlite3Reprepare,
// 1.76 of 16.7 s); the per-index averages of sqlite_stat1 are what the
// listing plans need (TestListingPlansWalkAnIndex).
func (d *DB) Optimize(ctx context.Context) error {
	if d.Engine == Postgres {
		if _, err := d.write.ExecContext(ctx, `VACUUM (ANALYZE)`); err != nil {
			return fmt.Errorf("db: optimize: %w", err)
		}
		return nil
	}
	for _, stmt := range []string{`PRAGMA optimize=0x10002`, `DELETE FROM sqlite_stat4`, `ANALYZE sqlite_schema`} {
		if _, err := d.write.ExecContext(ctx, stmt); err != nil {
			if stmt == `DELETE FROM sqlite_stat4` && strings.Contains(err.Error(), "no such table") {
				continue // nothing analysed yet
			}
			return fmt.Errorf("db: optimize: %s: %w", stmt, err)
		}
	}
	return nil
}

// OptimizeStale is Optimize for what needs it: on PostgreSQL it vacuums
// and analyses only the tables whose statistics are stale, and returns
// their names. A server runs it at each start and then daily; a whole
// VACUUM (ANALYZE) of a 100,000-entry site cost about 3 s of CPU in the
// first seconds of every start, beside the first readers, when nothing
// had changed since the last (issue 23). Stale is what autovacuum would
// act on with its default settings, but has not yet: a table never
// analysed (a bulk load just made, a restore), one whose rows changed by
// more than a tenth since it was, or one with a fifth of its rows new or
// dead since its last vacuum (its index-only scans visit the heap for
// those). Bulk loads that need their plans at once call Optimize. On
// SQLite it is Optimize: PRAGMA optimize already analyses only what
// needs it.
func (d *DB) OptimizeStale(ctx context.Context) ([]string, error) {
	if d.Engine != Postgres {
		return nil, d.Optimize(ctx)
	}
	tables, err := d.staleTables(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: optimize: %w", err)
	}
	for _, t := range tables {
		// The name is read from the catalogue and quoted as an identifier.
		if _, err := d.write.ExecContext(ctx, `VACUUM (ANALYZE) `+quoteIdent(t)); err != nil { // #nosec G202 -- a table name from pg_stat_user_tables, quoted
			return nil, fmt.Errorf("db: optimize %s: %w", t, err)
		}
	}
	return tables, nil
}

// staleTables lists this schema's tables whose planner statistics or
// visibility map autovacuum's default thresholds call stale (see
// OptimizeStale). reltuples is -1 until a table's first vacuum or analyse.
// A partitioned table (search_docs) is named, not its partitions, when
// one of them is stale or it was never analysed itself though they have
// rows: autovacuum never analyses a partitioned table, whose own
// statistics plan the queries on it, and keeps no counts for it.
func (d *DB) staleTables(ctx context.Context) ([]string, error) {
	rows, err := d.read.QueryContext(ctx, `WITH t AS (
			SELECT s.relid, s.relname, c.relkind, c.relispartition, c.reltuples, (c.reltuples < 0
				OR s.n_mod_since_analyze > 50 + 0.1 * c.reltuples
				OR s.n_ins_since_vacuum > 1000 + 0.2 * c.reltuples
				OR s.n_dead_tup > 50 + 0.2 * c.reltuples) AS stale
			FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
			WHERE s.schemaname = current_schema())
		SELECT relname FROM t WHERE stale AND relkind <> 'p' AND NOT relispartition
		UNION SELECT p.relname FROM t p JOIN pg_inherits i ON i.inhparent = p.relid JOIN t k ON k.relid = i.inhrelid
			WHERE p.relkind = 'p' AND (k.stale OR (p.reltuples < 0 AND k.reltuples > 0))
		ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// quoteIdent quotes a PostgreSQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// IsUniqueViolation reports whether err is a unique-constraint violation on
// either engine, so callers can turn it into a "already taken" message.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	// SQLite: "UNIQUE constraint failed"; PostgreSQL: SQLSTATE 23505.
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505")
}
