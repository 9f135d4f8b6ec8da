package db_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// Both engines must carry the same migrations: same versions, same names.
func TestMigrationSetsMatch(t *testing.T) {
	lite, err := db.Migrations(db.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := db.Migrations(db.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Version != pg[i].Version || lite[i].Name != pg[i].Name {
			t.Errorf("migration %d: sqlite %04d_%s, postgres %04d_%s", i, lite[i].Version, lite[i].Name, pg[i].Version, pg[i].Name)
		}
	}
}

// tableColumns lists table → sorted column names on either engine.
func tableColumns(t *testing.T, d *db.DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	var q string
	if d.Engine == db.Postgres {
		q = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`
	} else {
		// Ordinary tables only: a full-text index (FTS5) is a virtual table
		// with shadow tables of its own, SQLite's counterpart of a GIN index.
		q = `SELECT l.name, p.name FROM pragma_table_list l JOIN pragma_table_info(l.name) p
			WHERE l.schema = 'main' AND l.type = 'table' AND l.name NOT LIKE 'sqlite_%'`
	}
	rows, err := d.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		out[table] = append(out[table], col)
	}
	for _, cols := range out {
		sort.Strings(cols)
	}
	return out
}

// Both engines must produce the same tables with the same columns.
func TestMigrationsProduceSameTables(t *testing.T) {
	lite := dbtest.NewSQLite(t)
	pg := dbtest.NewPostgres(t)
	a, b := tableColumns(t, lite), tableColumns(t, pg)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("tables differ:\nsqlite:   %v\npostgres: %v", a, b)
	}
	if _, ok := a["translations"]; !ok {
		t.Fatalf("no translations table in %v", a)
	}
}

func TestSchemaCheck(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := d.CheckSchema(ctx); err != nil {
			t.Fatalf("fresh migrated database refused: %v", err)
		}
		// Migrating again applies nothing.
		if n, err := d.Migrate(ctx); err != nil || n != 0 {
			t.Fatalf("second migrate applied %d, err %v", n, err)
		}
		// A database from a newer peerpress is refused with a clear message.
		if _, err := d.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)`); err != nil {
			t.Fatal(err)
		}
		err := d.CheckSchema(ctx)
		if !errors.Is(err, db.ErrSchemaTooNew) || !strings.Contains(err.Error(), "9999") {
			t.Fatalf("newer schema: got %v", err)
		}
	})
}

func TestEmptyDatabaseIsOutdated(t *testing.T) {
	d, err := db.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	err = d.CheckSchema(context.Background())
	if !errors.Is(err, db.ErrSchemaOutdated) || !strings.Contains(err.Error(), "peerpress migrate") {
		t.Fatalf("empty database: got %v", err)
	}
}

func TestUniqueViolationOnBothEngines(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ins := `INSERT INTO tags (slug) VALUES (?)`
		if _, err := d.ExecContext(ctx, ins, "naloxone"); err != nil {
			t.Fatal(err)
		}
		_, err := d.ExecContext(ctx, ins, "naloxone")
		if !db.IsUniqueViolation(err) {
			t.Fatalf("duplicate slug: got %v, want a unique violation", err)
		}
	})
}

func TestOpenRejectsUnknownScheme(t *testing.T) {
	_, err := db.Open(context.Background(), "mysql://user:secret@host/db")
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("got %v: want an error that hides the password", err)
	}
}
