package db_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"peerpress/internal/db"
)

// Opening a database that another process holds locked waits for the lock
// rather than failing at once: busy_timeout is set on a new connection
// before anything that may need a lock, such as journal_mode=WAL on a
// database not yet in WAL mode (PocketBase's core/db_connect.go).
func TestSQLiteOpenWaitsForALockedDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "peerpress.db")

	// Another process, in the default rollback journal mode, holds an
	// exclusive lock: nobody can even read until it lets go.
	other, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.SetMaxOpenConns(1)
	if _, err := other.ExecContext(ctx, `CREATE TABLE t (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	lock, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.ExecContext(ctx, `BEGIN EXCLUSIVE`); err != nil {
		t.Fatal(err)
	}
	const held = 300 * time.Millisecond
	released := make(chan error, 1)
	go func() {
		time.Sleep(held)
		_, err := lock.ExecContext(ctx, `COMMIT`)
		lock.Close()
		released <- err
	}()

	start := time.Now()
	d, err := db.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatalf("Open while another connection held the lock for %v: %v (after %v)", held, err, time.Since(start).Round(time.Millisecond))
	}
	defer d.Close()
	if err := <-released; err != nil {
		t.Fatal(err)
	}
	// Every connection got its settings: the database is in WAL mode, and
	// a new connection of the pool waits 10 s for a lock and checks
	// foreign keys.
	var mode string
	var timeout, fk int
	if err := d.QueryRowContext(ctx, `SELECT * FROM pragma_journal_mode, pragma_busy_timeout, pragma_foreign_keys`).Scan(&mode, &timeout, &fk); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || timeout != 10000 || fk != 1 {
		t.Errorf("journal_mode %s, busy_timeout %d, foreign_keys %d; want wal, 10000, 1", mode, timeout, fk)
	}
}
