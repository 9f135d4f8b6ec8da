package events

import (
	"context"
	"strings"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// What registrations hold about one person: staff find it all (with the
// questions' labels), erasing it leaves the event's counts as they were
// and everyone else's registration alone, and the purge follows the
// retention the settings give.
func TestRegistrationsPersonalData(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		start := time.Now().Add(48 * time.Hour).Truncate(time.Minute)
		f := newFixture(t, d, start, "UTC", 1)
		amina, _ := f.registerAndConfirm("Amina@example.org", "Amina")
		f.registerAndConfirm("bruno@example.org", "Bruno") // waiting list: one place
		if err := f.s.SetAttended(ctx, f.entryID, amina.ID, true); err != nil {
			t.Fatal(err)
		}
		before := f.counts()
		if before.Confirmed != 1 || before.Waitlisted != 1 || before.Attended != 1 {
			t.Fatalf("counts before: %+v", before)
		}
		days := 10
		h := f.s.PersonalData(func(context.Context) (int, error) { return days, nil })
		who, err := f.s.vault.Subject(" amina@EXAMPLE.org")
		if err != nil {
			t.Fatal(err)
		}
		recs, err := h.Find(ctx, who)
		if err != nil || len(recs) != 1 {
			t.Fatalf("find: %v %+v", err, recs)
		}
		var fields []string
		for _, fl := range recs[0].Fields {
			fields = append(fields, fl.Name+"="+fl.Value)
		}
		all := strings.Join(fields, "; ")
		for _, want := range []string{"email=amina@example.org", "name=Amina", "status=confirmed", "attended=true", "answer: Organisation=Harbour Harm Reduction", "answer: Interpretation needed=ru"} {
			if !strings.Contains(all, want) {
				t.Errorf("record lacks %q: %s", want, all)
			}
		}
		if !strings.Contains(recs[0].About, "Peers, pills and policy") {
			t.Errorf("about: %q", recs[0].About)
		}

		if n, err := h.Erase(ctx, who); err != nil || n != 1 {
			t.Fatalf("erase: %d %v", n, err)
		}
		if recs, _ := h.Find(ctx, who); len(recs) != 0 {
			t.Fatalf("found after erasure: %+v", recs)
		}
		if after := f.counts(); after.Confirmed != before.Confirmed || after.Waitlisted != before.Waitlisted || after.Attended != before.Attended {
			t.Fatalf("counts after erasure %+v, before %+v", after, before)
		}
		regs, _ := f.s.Registrants(ctx, f.entryID)
		if len(regs) != 1 || regs[0].Name != "Bruno" || regs[0].Status != Waitlisted {
			t.Fatalf("the others: %+v", regs)
		}

		// Purge: not before the retention's days after the end.
		ends := start.Add(90 * time.Minute)
		if n, err := h.Purge(ctx, ends.Add(9*24*time.Hour)); err != nil || n != 0 {
			t.Fatalf("purged %d (%v) before the retention ended", n, err)
		}
		if n, err := h.Purge(ctx, ends.Add(11*24*time.Hour)); err != nil || n != 1 {
			t.Fatalf("purge: %d %v", n, err)
		}
		if after := f.counts(); after.Confirmed != 1 || after.Waitlisted != 1 || after.Attended != 1 {
			t.Fatalf("counts after the purge: %+v", after)
		}
	})
}
