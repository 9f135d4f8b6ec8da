package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// waitForChange fails the test unless d.Changes() grows past since within
// a few seconds.
func waitForChange(t *testing.T, d *db.DB, since int64, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for d.Changes() <= since {
		if time.Now().After(deadline) {
			t.Fatalf("%s: Changes() stayed at %d", what, since)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A write committed through one handle makes another handle on the same
// database (another process, in production) count a change; closing a
// handle stops its watcher.
func TestChangesFromAnotherProcess(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		other := dbtest.OpenSecond(t, d)
		if db.WatchStopped(other) {
			t.Fatal("the second handle does not watch for changes")
		}

		start := d.Changes()
		if _, err := other.ExecContext(ctx, `INSERT INTO tags (slug) VALUES ('a')`); err != nil {
			t.Fatal(err)
		}
		waitForChange(t, d, start, "a write by another process")

		start = other.Changes()
		err := d.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO tags (slug) VALUES ('b')`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		waitForChange(t, other, start, "a transaction committed by another process")

		// Close returns once the watcher has stopped: nothing is left
		// running (counting goroutines instead was flaky beside the
		// package's other tests opening and closing databases).
		other.Close()
		if !db.WatchStopped(other) {
			t.Fatal("the second handle's watcher still runs after Close")
		}
	})
}

// On PostgreSQL committed non-quiet writes notify the other instances;
// quiet writes, rolled-back transactions and statements that change no row
// do not.
func TestQuietWritesDoNotNotify(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		if d.Engine != db.Postgres {
			t.Skip("SQLite sends no notifications: other processes see any commit in PRAGMA data_version")
		}
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dbtest.URL(t, d))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{db.ChangesChannel(d)}.Sanitize()); err != nil {
			t.Fatal(err)
		}

		insert := func(slug string) func(tx *db.Tx) error {
			return func(tx *db.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO tags (slug) VALUES (?)`, slug)
				return err
			}
		}
		mustNot := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		_, err = d.Quiet().ExecContext(ctx, `INSERT INTO tags (slug) VALUES ('quiet')`)
		mustNot(err)
		mustNot(d.Quiet().InTx(ctx, insert("quiet-tx")))
		if err := d.InTx(ctx, func(tx *db.Tx) error {
			insert("rolled-back")(tx)
			return errors.New("roll back")
		}); err == nil {
			t.Fatal("InTx did not return fn's error")
		}
		_, err = d.ExecContext(ctx, `UPDATE tags SET slug = 'z' WHERE slug = 'no such tag'`)
		mustNot(err)
		// The two writes that must notify.
		_, err = d.ExecContext(ctx, `INSERT INTO tags (slug) VALUES ('loud')`)
		mustNot(err)
		mustNot(d.InTx(ctx, insert("loud-tx")))

		// Notifications arrive in commit order, so once this one arrives
		// every notification of the writes above has.
		_, err = conn.Exec(ctx, `SELECT pg_notify($1, 'fence')`, db.ChangesChannel(d))
		mustNot(err)
		got := 0
		for {
			waitCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
			n, err := conn.WaitForNotification(waitCtx)
			cancel()
			if err != nil {
				t.Fatalf("waiting for notifications: %v", err)
			}
			if n.Payload == "fence" {
				break
			}
			if n.Payload != db.InstanceID(d) {
				t.Fatalf("notification with payload %q, want the instance id %q", n.Payload, db.InstanceID(d))
			}
			got++
		}
		if got != 2 {
			t.Fatalf("%d notifications, want 2: one per committed non-quiet write", got)
		}
	})
}

// A PostgreSQL listener whose connection is killed reconnects, counts one
// change for what it may have missed, and hears other instances again.
func TestListenerReconnects(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		if d.Engine != db.Postgres {
			t.Skip("only PostgreSQL listens on a connection of its own")
		}
		ctx := context.Background()
		listener := func(not int64) (pid int64) {
			t.Helper()
			err := d.QueryRowContext(ctx, `SELECT COALESCE(MAX(pid), 0) FROM pg_stat_activity WHERE application_name = ? AND pid <> ?`,
				db.ListenerApplicationName(d), not).Scan(&pid)
			if err != nil {
				t.Fatal(err)
			}
			return pid
		}
		old := listener(0)
		if old == 0 {
			t.Fatal("no listening connection in pg_stat_activity")
		}
		start := d.Changes()
		var killed bool
		if err := d.QueryRowContext(ctx, `SELECT pg_terminate_backend(?)`, old).Scan(&killed); err != nil || !killed {
			t.Fatalf("terminate the listener's backend: %v, %v", killed, err)
		}
		waitForChange(t, d, start, "reconnecting after the connection was killed")
		if listener(old) == 0 {
			t.Fatal("no new listening connection after the reconnect")
		}

		other := dbtest.OpenSecond(t, d)
		start = d.Changes()
		if _, err := other.ExecContext(ctx, `INSERT INTO tags (slug) VALUES ('after')`); err != nil {
			t.Fatal(err)
		}
		waitForChange(t, d, start, "a write by another instance after the reconnect")
	})
}
