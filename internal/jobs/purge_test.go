package jobs

import (
	"context"
	"errors"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// A failed job of a kind that carries personal data goes once it is as
// old as that data's schedule; a failed job of another kind stays for the
// operator, and so does a job still waiting.
func TestPurgeFailedCarryingPersonalData(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		q := New(d)
		refused := Permanent(errors.New("550 <canary.zq7@example.org>: no such user"))
		q.HandleWith("mail", func(context.Context, []byte) error { return refused }, Options{MaxAttempts: 1, Keep: 7 * 24 * time.Hour})
		q.HandleWith("image", func(context.Context, []byte) error { return refused }, Options{MaxAttempts: 1})
		enqueue(t, d, "mail", "to canary.zq7@example.org", false)
		enqueue(t, d, "image", "photo 12", false)
		for {
			ran, err := q.RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !ran {
				break
			}
		}
		enqueue(t, d, "mail", "waiting", false) // not failed: never purged
		if _, f, _ := q.Counts(ctx); f != 2 {
			t.Fatalf("%d failed jobs; want 2", f)
		}
		if n, err := q.PurgeFailed(ctx, time.Now().Add(6*24*time.Hour)); err != nil || n != 0 {
			t.Fatalf("purged %d before their time, %v", n, err)
		}
		n, err := q.PurgeFailed(ctx, time.Now().Add(8*24*time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("purged %d, %v; want the failed mail", n, err)
		}
		var kinds []string
		rows, err := d.QueryContext(ctx, `SELECT kind || ' ' || state || ' ' || payload FROM jobs ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k string
			rows.Scan(&k)
			kinds = append(kinds, k)
		}
		rows.Close()
		if len(kinds) != 2 || kinds[0] != "image failed photo 12" || kinds[1] != "mail pending waiting" {
			t.Fatalf("left: %q", kinds)
		}
	})
}
