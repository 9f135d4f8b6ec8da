package db_test

import (
	"context"
	"errors"
	"testing"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// Every committed write bumps the change count that page caches watch; a
// rolled-back transaction and the quiet variants do not.
func TestChangesCount(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		start := d.Changes()
		if _, err := d.ExecContext(ctx, `INSERT INTO tags (slug) VALUES ('a')`); err != nil {
			t.Fatal(err)
		}
		if d.Changes() != start+1 {
			t.Fatal("ExecContext did not count")
		}
		d.InTx(ctx, func(tx *db.Tx) error {
			tx.ExecContext(ctx, `INSERT INTO tags (slug) VALUES ('b')`)
			return errors.New("roll back")
		})
		if d.Changes() != start+1 {
			t.Fatal("a rolled-back transaction counted")
		}
		d.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO tags (slug) VALUES ('c')`)
			return err
		})
		if d.Changes() != start+2 {
			t.Fatal("a committed transaction did not count")
		}
		// A statement that changes nothing is no change.
		if _, err := d.ExecContext(ctx, `UPDATE tags SET slug = 'z' WHERE slug = 'no such tag'`); err != nil {
			t.Fatal(err)
		}
		if d.Changes() != start+2 {
			t.Fatal("an UPDATE of no row counted")
		}
		d.Quiet().InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO tags (slug) VALUES ('d')`)
			return err
		})
		d.Quiet().ExecContext(ctx, `INSERT INTO tags (slug) VALUES ('e')`)
		if d.Changes() != start+2 {
			t.Fatal("a quiet write counted")
		}
	})
}
