package events

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/participant"
)

// The mark of a form sent without proof of work stays with the
// registration through confirmation, a change of answers and a confirmed
// change by registering again, and never shows as an answer; a
// registration taken up again after it was cancelled takes the new
// form's mark.
func TestFlagKeptAcrossChanges(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, time.Now().Add(5*24*time.Hour), "Africa/Nairobi", 0)
		in := RegisterInput{EntryID: f.entryID, Lang: "en", Origin: "https://peers.example.org", Email: "nojs@example.org", Name: "No Script",
			Answers: map[string]string{"0": "Harbour Harm Reduction"}, Flagged: true}
		if err := f.s.Register(ctx, in); err != nil {
			t.Fatal(err)
		}
		confirm := func() string {
			t.Helper()
			got := f.mails("nojs@example.org")
			c := link(t, got[len(got)-1].Text, "confirm")
			_, manage, err := f.s.Confirm(ctx, c[strings.LastIndexByte(c, '/')+1:])
			if err != nil {
				t.Fatal(err)
			}
			return manage
		}
		flagged := func(when string, want bool) Registration {
			t.Helper()
			regs, err := f.s.Registrants(ctx, f.entryID)
			if err != nil || len(regs) != 1 {
				t.Fatalf("%s: %v %+v", when, err, regs)
			}
			if regs[0].Flagged != want {
				t.Fatalf("%s: flagged %v, want %v", when, regs[0].Flagged, want)
			}
			if len(regs[0].Answers) != 1 {
				t.Fatalf("%s: answers %v, want the one question's", when, regs[0].Answers)
			}
			return regs[0]
		}
		flagged("registered", true)
		manage := confirm()
		flagged("confirmed", true)
		if err := f.s.UpdateAnswers(ctx, manage, "No Script", map[string]string{"0": "Lakeside"}); err != nil {
			t.Fatal(err)
		}
		if r := flagged("answers changed", true); r.Answers["0"] != "Lakeside" {
			t.Fatalf("answers after the change: %v", r.Answers)
		}
		// Registering again, this time with the proof, changes a confirmed
		// registration once the link is followed; the mark stays.
		f.now = f.now.Add(resendAfter + time.Second)
		in.Flagged, in.Name = false, "With Script"
		if err := f.s.Register(ctx, in); err != nil {
			t.Fatal(err)
		}
		again := confirm()
		if again == manage {
			t.Fatal("confirming a change kept the old manage link: one that leaked could never be replaced")
		}
		if _, err := f.s.ByManageToken(ctx, manage); !errors.Is(err, ErrBadToken) {
			t.Fatalf("the replaced manage link still works: %v", err)
		}
		manage = again
		if r := flagged("changed by registering again", true); r.Name != "With Script" {
			t.Fatalf("the change was not applied: %+v", r)
		}
		// Cancelled, then registered again with the proof: a new form, its
		// own mark.
		if err := f.s.Cancel(ctx, manage); err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(resendAfter + time.Second)
		if err := f.s.Register(ctx, in); err != nil {
			t.Fatal(err)
		}
		flagged("registered again after cancelling", false)
	})
}

// A registration confirmed while manage links were random holds the hash
// of one that cannot be derived again: the first reminder re-points it,
// so the link the reminder carries works, and the old one no longer does.
func TestReminderRepointsOldManageLink(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		start := time.Now().Add(3 * 24 * time.Hour).Truncate(time.Minute)
		f := newFixture(t, d, start, "Europe/Paris", 0)
		reg, _ := f.registerAndConfirm("early@example.org", "Early")
		old, oldHash := participant.NewLink()
		if _, err := d.ExecContext(ctx, `UPDATE registrations SET manage_hash = ?, manage_sealed = '' WHERE id = ?`, oldHash, reg.ID); err != nil {
			t.Fatal(err)
		}
		f.now = start.Add(-24*time.Hour + time.Minute)
		if n, err := f.s.SendDueReminders(ctx); err != nil || n != 1 {
			t.Fatalf("reminders: %d, %v", n, err)
		}
		got := f.mails("early@example.org")
		manage := link(t, got[len(got)-1].Text, "manage")
		token := manage[strings.LastIndexByte(manage, '/')+1:]
		if r, err := f.s.ByManageToken(ctx, token); err != nil || r.ID != reg.ID {
			t.Fatalf("the reminder's manage link: %v %+v", err, r)
		}
		if _, err := f.s.ByManageToken(ctx, old); !errors.Is(err, ErrBadToken) {
			t.Fatalf("the old random link: %v", err)
		}
	})
}

// A registration confirmed before manage links were random keeps the
// link derived from it, which its earlier mails carry: it still opens
// the registration, and reminders carry the same one, until the
// registrant confirms again, which replaces it.
func TestDerivedManageLinkKeepsWorking(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		start := time.Now().Add(3 * 24 * time.Hour).Truncate(time.Minute)
		f := newFixture(t, d, start, "Europe/Paris", 0)
		reg, _ := f.registerAndConfirm("derived@example.org", "Derived")
		derived := f.s.legacyManageToken(reg)
		if _, err := d.ExecContext(ctx, `UPDATE registrations SET manage_hash = ?, manage_sealed = '' WHERE id = ?`, participant.LookupHashes(derived)[1], reg.ID); err != nil {
			t.Fatal(err)
		}
		if r, err := f.s.ByManageToken(ctx, derived); err != nil || r.ID != reg.ID {
			t.Fatalf("the derived link: %v %+v", err, r)
		}
		f.now = start.Add(-24*time.Hour + time.Minute)
		if n, err := f.s.SendDueReminders(ctx); err != nil || n != 1 {
			t.Fatalf("reminders: %d, %v", n, err)
		}
		got := f.mails("derived@example.org")
		manage := link(t, got[len(got)-1].Text, "manage")
		if token := manage[strings.LastIndexByte(manage, '/')+1:]; token != derived {
			t.Fatalf("the reminder carries %s, not the link the registrant has", token)
		}
		// Registering again and confirming replaces it.
		f.now = time.Now()
		if err := f.s.Register(ctx, RegisterInput{EntryID: f.entryID, Lang: "en", Origin: "https://peers.example.org", Email: "derived@example.org", Name: "Derived Again"}); err != nil {
			t.Fatal(err)
		}
		got = f.mails("derived@example.org")
		c := link(t, got[len(got)-1].Text, "confirm")
		_, fresh, err := f.s.Confirm(ctx, c[strings.LastIndexByte(c, '/')+1:])
		if err != nil || fresh == derived {
			t.Fatalf("confirming again: %v, link %s", err, fresh)
		}
		if _, err := f.s.ByManageToken(ctx, derived); !errors.Is(err, ErrBadToken) {
			t.Fatalf("the derived link outlived a new confirmation: %v", err)
		}
	})
}
