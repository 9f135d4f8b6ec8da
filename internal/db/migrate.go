package db

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFiles embed.FS

// Migration is one numbered, append-only schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the engine's migrations in order. Files are named
// NNNN_name.sql under migrations/<engine>/.
func Migrations(engine Engine) ([]Migration, error) {
	dir := path.Join("migrations", string(engine))
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("db: migrations for %s: %w", engine, err)
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("db: migration file %s: want NNNN_name.sql", name)
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: rest, SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	// Numbers only increase. Branches worked on in parallel are given
	// numbers ahead of main's (renumbered when merged), so a gap is
	// allowed; the schema's version is the highest number applied.
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("db: %s migrations: version %d twice", engine, ms[i].Version)
		}
	}
	return ms, nil
}

// LatestVersion is the schema version this build of peerpress expects.
func (d *DB) LatestVersion() (int, error) {
	ms, err := Migrations(d.Engine)
	if err != nil {
		return 0, err
	}
	if len(ms) == 0 {
		return 0, nil
	}
	return ms[len(ms)-1].Version, nil
}

// SchemaVersion reports the version the database is at; 0 for an empty one.
func (d *DB) SchemaVersion(ctx context.Context) (int, error) {
	var exists bool
	var err error
	switch d.Engine {
	case Postgres:
		err = d.read.QueryRowContext(ctx,
			`SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations')`).Scan(&exists)
	default:
		err = d.read.QueryRowContext(ctx,
			`SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')`).Scan(&exists)
	}
	if err != nil {
		return 0, fmt.Errorf("db: schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := d.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("db: schema version: %w", err)
	}
	return v, nil
}

// ErrSchemaOutdated and ErrSchemaTooNew are returned by CheckSchema.
var (
	ErrSchemaOutdated = errors.New("database schema is older than this peerpress")
	ErrSchemaTooNew   = errors.New("database schema is newer than this peerpress")
)

// CheckSchema refuses a database whose schema this build does not match, with
// a message that says what to do.
func (d *DB) CheckSchema(ctx context.Context) error {
	have, err := d.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	want, err := d.LatestVersion()
	if err != nil {
		return err
	}
	switch {
	case have < want:
		return fmt.Errorf("%w: the database is at version %d, this peerpress needs %d; run `peerpress migrate` first (back up the data folder before)", ErrSchemaOutdated, have, want)
	case have > want:
		return fmt.Errorf("%w: the database is at version %d, this peerpress knows up to %d; run a newer peerpress", ErrSchemaTooNew, have, want)
	}
	return nil
}

// Migrate applies every migration the database lacks, each in its own
// transaction, and returns how many it applied. On PostgreSQL an advisory
// lock keeps two instances from migrating at once.
func (d *DB) Migrate(ctx context.Context) (int, error) {
	ms, err := Migrations(d.Engine)
	if err != nil {
		return 0, err
	}
	if d.Engine == Postgres {
		conn, err := d.write.Conn(ctx)
		if err != nil {
			return 0, fmt.Errorf("db: migrate: %w", err)
		}
		defer conn.Close()
		const lockID = 0x7065657270 // "peerp"
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockID); err != nil {
			return 0, fmt.Errorf("db: migrate: lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockID)
	}
	if _, err := d.write.ExecContext(ctx,
		`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return 0, fmt.Errorf("db: migrate: %w", err)
	}
	have, err := d.SchemaVersion(ctx)
	if err != nil {
		return 0, err
	}
	if latest := ms[len(ms)-1].Version; have > latest {
		return 0, fmt.Errorf("%w: the database is at version %d, this peerpress knows up to %d", ErrSchemaTooNew, have, latest)
	}
	applied := 0
	for _, m := range ms {
		if m.Version <= have {
			continue
		}
		err := d.InTx(ctx, func(tx *Tx) error {
			if _, err := tx.tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, time.Now().Unix())
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("db: migration %04d_%s: %w", m.Version, m.Name, err)
		}
		applied++
	}
	// No statistics here: on tables just created they would say "empty",
	// and PostgreSQL would then plan every foreign-key check of a bulk load
	// as a full scan. Optimize runs after data arrives, and daily.
	return applied, nil
}
