package events

import (
	"context"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// A registrant's mail that the mail server refuses for good carries
// their address: it goes when the event's registrations do (the
// retention after the event), no later than the outbox's week, and
// not before.
func TestRefusedRegistrationMailGoesWithTheRegistrations(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		start := time.Now().Add(2 * 24 * time.Hour).Truncate(time.Second)
		f := newFixture(t, d, start, "UTC", 0)
		f.s.RetentionDays = func(context.Context) (int, error) { return 1, nil }
		f.smtp.Reject("refused.zq7@example.org")
		if err := f.register("refused.zq7@example.org", "Refused Zq7"); err != nil {
			t.Fatal(err)
		}
		f.deliver()
		if _, failed, err := f.q.Counts(ctx); err != nil || failed != 1 {
			t.Fatalf("%d failed mails, %v; want the refused one", failed, err)
		}
		// The event (90 minutes) ends, a day passes: the registrations go,
		// and so does the failed mail.
		ends := start.Add(90 * time.Minute)
		if n, err := f.q.PurgeFailed(ctx, ends.Add(23*time.Hour)); err != nil || n != 0 {
			t.Fatalf("purged %d before the retention ended, %v", n, err)
		}
		if n, err := f.q.PurgeFailed(ctx, ends.Add(25*time.Hour)); err != nil || n != 1 {
			t.Fatalf("purged %d after the retention, %v; want the refused mail", n, err)
		}
	})
}
