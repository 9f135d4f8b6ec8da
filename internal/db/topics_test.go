package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// heard fails the test unless ch receives within a few seconds.
func heard(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: not heard", what)
	}
}

// notHeard fails the test if ch has received, or receives within a
// watcher's tick.
func notHeard(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
		t.Fatalf("%s: heard", what)
	case <-time.After(1500 * time.Millisecond):
	}
}

// A topic notified in a transaction on one handle reaches the subscribers
// on another handle (another process, in production) and on the same one,
// once the transaction commits; other topics and rolled-back transactions
// are not heard.
func TestNotifySubscribe(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		other := dbtest.OpenSecond(t, d)
		there, here := other.Subscribe("settings"), d.Subscribe("settings")
		unrelated := other.Subscribe("menus")
		notify := func(from *db.DB, topic string, commit bool) {
			t.Helper()
			err := from.Quiet().InTx(ctx, func(tx *db.Tx) error {
				if err := from.Notify(ctx, tx, topic); err != nil {
					return err
				}
				if !commit {
					return errors.New("rolled back")
				}
				return nil
			})
			if (err == nil) != commit {
				t.Fatalf("notify %s: %v", topic, err)
			}
		}

		notify(d, "settings", true)
		heard(t, there, "the other process")
		heard(t, here, "the process that notified")
		notHeard(t, unrelated, "another topic")

		notify(other, "settings", false)
		notHeard(t, here, "a rolled-back notification")

		// The other way round.
		notify(other, "settings", true)
		heard(t, here, "a notification from the second handle")
		heard(t, there, "its own notification")

		if err := d.Quiet().InTx(ctx, func(tx *db.Tx) error { return d.Notify(ctx, tx, "two words") }); err == nil {
			t.Fatal("a topic with a space was accepted")
		}

		other.Close()
		if _, open := <-there; open {
			t.Fatal("a subscription stays open after Close")
		}
	})
}
