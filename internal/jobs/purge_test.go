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

// A failed job goes on the schedule of the data it carries: when its
// holder lets that data go (an unconfirmed signature after two days, a
// registrant after the event's retention), or after its kind's Keep if
// that comes first; a job still waiting is never purged.
func TestPurgeFailedOnHolderSchedule(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		q := New(d)
		refused := Permanent(errors.New("550 no such user"))
		q.HandleWith("mail", func(context.Context, []byte) error { return refused }, Options{MaxAttempts: 1, Keep: 7 * 24 * time.Hour})
		now := time.Now()
		until := func(payload string, purgeAt time.Time) {
			t.Helper()
			if err := d.InTx(ctx, func(tx *db.Tx) error {
				return EnqueueUntil(ctx, tx, "mail", []byte(payload), now, purgeAt)
			}); err != nil {
				t.Fatal(err)
			}
		}
		until("signature confirmation", now.Add(48*time.Hour))
		until("registrant reminder", now.Add(30*24*time.Hour))
		until("staff invitation", time.Time{})
		for {
			ran, err := q.RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !ran {
				break
			}
		}
		until("waiting signature confirmation", now.Add(time.Hour)) // pending: stays
		left := func() []string {
			t.Helper()
			rows, err := d.QueryContext(ctx, `SELECT payload FROM jobs ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var p string
				rows.Scan(&p)
				out = append(out, p)
			}
			return out
		}
		if n, err := q.PurgeFailed(ctx, now.Add(47*time.Hour)); err != nil || n != 0 {
			t.Fatalf("purged %d before any schedule, %v", n, err)
		}
		if n, err := q.PurgeFailed(ctx, now.Add(49*time.Hour)); err != nil || n != 1 {
			t.Fatalf("purged %d after two days, %v; want the confirmation", n, err)
		}
		if got := left(); len(got) != 3 || got[0] != "registrant reminder" {
			t.Fatalf("left after two days: %q", got)
		}
		// Keep caps the rest: a week.
		if n, err := q.PurgeFailed(ctx, now.Add(8*24*time.Hour)); err != nil || n != 2 {
			t.Fatalf("purged %d after a week, %v; want the reminder and the invitation", n, err)
		}
		if got := left(); len(got) != 1 || got[0] != "waiting signature confirmation" {
			t.Fatalf("left after a week: %q", got)
		}
	})
}
