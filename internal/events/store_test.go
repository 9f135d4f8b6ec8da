package events

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/jobs"
	"peerpress/internal/mail"
	"peerpress/internal/mail/mailtest"
	"peerpress/internal/participant"
	"peerpress/internal/search"
	"peerpress/internal/secret"
)

// fixtures numbers the events made, so that their slugs differ.
var fixtures atomic.Int64

const joinLink = "https://meet.example.org/room-7f3a-private"

// fixture is an event with registration open, a store whose clock the
// test moves, and a real SMTP server on 127.0.0.1.
type fixture struct {
	t       *testing.T
	d       *db.DB
	s       *Store
	q       *jobs.Queue
	smtp    *mailtest.Server
	entryID int64
	now     time.Time
}

func newFixture(t *testing.T, d *db.DB, start time.Time, zone string, capacity int) *fixture {
	t.Helper()
	ctx := context.Background()
	box, err := secret.Open(secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	srv := mailtest.Start(t)
	m, err := mail.New(d, box, mail.Config{URL: srv.URL(), From: "events@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	q := jobs.New(d)
	m.Register(q)
	entries := content.NewStore(d, search.Index{})
	entries.SetExtensions(EntryFields{})
	s, err := NewStore(d, participant.NewVault(box), m, q, entries)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, d: d, s: s, q: q, smtp: srv, now: time.Now().Truncate(time.Second)}
	s.Now = func() time.Time { return f.now }
	id, err := entries.SaveEntry(ctx, 0,
		content.EntryInput{Kind: content.Event, Ext: Ext(Info{StartsAt: start, TimeZone: zone, DurationMinutes: 90, Mode: "online"})},
		content.TranslationInput{Lang: "en", Title: "Peers, pills and policy", Slug: fmt.Sprintf("peers-pills-policy-%d", fixtures.Add(1)), Summary: "A webinar; with commas, and a \\ backslash", Status: content.Published}, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.entryID = id
	err = s.SaveDetails(ctx, Details{EntryID: id, JoinURL: joinLink, Open: true, Capacity: capacity,
		Languages:       []Interpretation{{Lang: "ru", Status: Confirmed}, {Lang: "es", Status: ToConfirm}},
		Questions:       []Question{{Type: QuestionText, Label: "Organisation"}, {Type: QuestionInterpretation, Label: "Interpretation needed"}},
		ReminderMinutes: DefaultReminders})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// deliver runs the queue until no job is due, so queued mail reaches the
// SMTP server.
func (f *fixture) deliver() {
	f.t.Helper()
	for {
		ran, err := f.q.RunOnce(context.Background())
		if err != nil {
			f.t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}

// mails returns the decoded mail that arrived for addr.
func (f *fixture) mails(addr string) []arrived {
	f.t.Helper()
	f.deliver()
	var out []arrived
	for _, m := range f.smtp.To(addr) {
		out = append(out, decodeMail(f.t, m))
	}
	return out
}

func (f *fixture) register(email, name string) error {
	return f.s.Register(context.Background(), RegisterInput{EntryID: f.entryID, Lang: "en", Origin: "https://peers.example.org",
		Email: email, Name: name, Answers: map[string]string{"0": "Harbour Harm Reduction", "1": "ru"}})
}

// registerAndConfirm registers addr and follows the link that arrived; it
// returns the manage token.
func (f *fixture) registerAndConfirm(addr, name string) (Registration, string) {
	f.t.Helper()
	before := len(f.mails(addr))
	if err := f.register(addr, name); err != nil {
		f.t.Fatal(err)
	}
	got := f.mails(addr)
	if len(got) != before+1 {
		f.t.Fatalf("%d new mails to %s, want 1", len(got)-before, addr)
	}
	confirm := link(f.t, got[len(got)-1].Text, "confirm")
	reg, manage, err := f.s.Confirm(context.Background(), confirm[strings.LastIndexByte(confirm, '/')+1:])
	if err != nil {
		f.t.Fatal(err)
	}
	return reg, manage
}

func (f *fixture) counts() Counts {
	f.t.Helper()
	c, err := f.s.Counts(context.Background(), f.entryID)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func hasJoin(m arrived) bool {
	if strings.Contains(m.Text, joinLink) {
		return true
	}
	for _, a := range m.Attachments {
		if strings.Contains(unfold(a), joinLink) {
			return true
		}
	}
	return false
}

// A registration counts only once the mailed link is followed; the mail
// that answers it carries the calendar file, the manage link and the join
// link. Personal fields are sealed at rest.
func TestDoubleOptIn(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, time.Now().Add(10*24*time.Hour).Truncate(time.Minute), "Africa/Nairobi", 0)
		if err := f.register("Amina.Peer@Example.org", "Amina"); err != nil {
			t.Fatal(err)
		}
		if c := f.counts(); c.Pending != 1 || c.Confirmed != 0 {
			t.Fatalf("after registering: %+v", c)
		}
		var email, name, answers string
		if err := d.QueryRowContext(ctx, `SELECT email, name, answers FROM registrations`).Scan(&email, &name, &answers); err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{email, name, answers} {
			if strings.Contains(strings.ToLower(v), "amina") || strings.Contains(v, "Harbour") {
				t.Fatalf("personal data stored in the clear: %q", v)
			}
		}
		got := f.mails("amina.peer@example.org")
		if len(got) != 1 {
			t.Fatalf("%d mails arrived, want the confirmation request", len(got))
		}
		if hasJoin(got[0]) || len(got[0].Attachments) != 0 {
			t.Fatal("the unconfirmed registrant received the join link or the calendar file")
		}
		confirm := link(t, got[0].Text, "confirm")
		reg, manage, err := f.s.Confirm(ctx, confirm[strings.LastIndexByte(confirm, '/')+1:])
		if err != nil {
			t.Fatal(err)
		}
		if reg.Status != Registered || reg.Name != "Amina" || reg.Answers["1"] != "ru" {
			t.Fatalf("confirmed registration: %+v", reg)
		}
		if c := f.counts(); c.Pending != 0 || c.Confirmed != 1 {
			t.Fatalf("after confirming: %+v", c)
		}
		got = f.mails("amina.peer@example.org")
		if len(got) != 2 {
			t.Fatalf("%d mails, want 2", len(got))
		}
		placed := got[1]
		if !hasJoin(placed) || !strings.Contains(placed.Text, "/registration/manage/"+manage) {
			t.Fatalf("the confirmation lacks the join or manage link:\n%s", placed.Text)
		}
		ics, ok := placed.Attachments["invite.ics"]
		if !ok || !strings.Contains(ics, "BEGIN:VEVENT") {
			t.Fatalf("no calendar file attached: %v", placed.Attachments)
		}
		// The manage link finds the registration; the confirmation link is spent.
		if r, err := f.s.ByManageToken(ctx, manage); err != nil || r.ID != reg.ID {
			t.Fatalf("manage link: %v", err)
		}
		if _, _, err := f.s.Confirm(ctx, confirm[strings.LastIndexByte(confirm, '/')+1:]); !errors.Is(err, ErrBadToken) {
			t.Fatalf("a spent confirmation link: %v", err)
		}
	})
}

// A full event puts people on the waiting list without the join link;
// a cancellation gives the place to the first of them, who then gets it.
func TestWaitingListAndPromotion(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, time.Now().Add(5*24*time.Hour), "America/Bogota", 1)
		_, firstManage := f.registerAndConfirm("first@example.org", "First")
		second, _ := f.registerAndConfirm("second@example.org", "Second")
		if second.Status != Waitlisted {
			t.Fatalf("second registrant: %s, want waitlisted", second.Status)
		}
		f.registerAndConfirm("third@example.org", "Third")
		if err := f.register("pending@example.org", "Never confirms"); err != nil {
			t.Fatal(err)
		}
		for _, addr := range []string{"second@example.org", "third@example.org", "pending@example.org"} {
			for _, m := range f.mails(addr) {
				if hasJoin(m) {
					t.Fatalf("%s received the join link while not confirmed: %s", addr, m.Subject)
				}
			}
		}
		if c := f.counts(); c.Confirmed != 1 || c.Waitlisted != 2 || c.Pending != 1 {
			t.Fatalf("counts %+v", c)
		}
		if err := f.s.Cancel(ctx, firstManage); err != nil {
			t.Fatal(err)
		}
		if c := f.counts(); c.Confirmed != 1 || c.Waitlisted != 1 || c.Cancelled != 1 {
			t.Fatalf("after the cancellation: %+v", c)
		}
		got := f.mails("second@example.org")
		last := got[len(got)-1]
		if !strings.Contains(last.Subject, "A place opened") || !hasJoin(last) {
			t.Fatalf("the promoted registrant was not told, with the join link: %q", last.Subject)
		}
		promotedManage := link(t, last.Text, "manage")
		if r, err := f.s.ByManageToken(ctx, promotedManage[strings.LastIndexByte(promotedManage, '/')+1:]); err != nil || r.Status != Registered {
			t.Fatalf("the promoted registrant's manage link: %v %+v", err, r)
		}
		for _, m := range f.mails("third@example.org") {
			if hasJoin(m) {
				t.Fatal("the one still waiting received the join link")
			}
		}
		// More places move the waiting list in, first come first served.
		ev, _ := f.s.load(ctx, f.entryID)
		ev.Details.Capacity = 2
		if err := f.s.SaveDetails(ctx, ev.Details); err != nil {
			t.Fatal(err)
		}
		if c := f.counts(); c.Confirmed != 2 || c.Waitlisted != 0 {
			t.Fatalf("after adding a place: %+v", c)
		}
		got = f.mails("third@example.org")
		if last := got[len(got)-1]; !strings.Contains(last.Subject, "A place opened") || !hasJoin(last) {
			t.Fatalf("the third registrant was not moved in: %q", last.Subject)
		}
		// Cancelling twice changes nothing more.
		if err := f.s.Cancel(ctx, firstManage); err != nil {
			t.Fatal(err)
		}
		if c := f.counts(); c.Confirmed != 2 || c.Waitlisted != 0 || c.Cancelled != 1 {
			t.Fatalf("after a second cancellation: %+v", c)
		}
	})
}

// The same address registering again updates its registration; a
// confirmed registration changes only once the new link is followed.
func TestSameEmailUpdates(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, time.Now().Add(5*24*time.Hour), "Europe/London", 0)
		if err := f.register("sam@example.org", "Sam"); err != nil {
			t.Fatal(err)
		}
		if err := f.register("  SAM@example.org ", "Samuel"); err != nil {
			t.Fatal(err)
		}
		regs, err := f.s.Registrants(ctx, f.entryID)
		if err != nil || len(regs) != 1 || regs[0].Name != "Samuel" {
			t.Fatalf("after registering twice: %v %+v", err, regs)
		}
		// Within minutes the first link still works, and no second mail
		// goes to the address: the form cannot flood an inbox.
		if got := f.mails("sam@example.org"); len(got) != 1 {
			t.Fatalf("%d mails after two quick registrations, want 1", len(got))
		}
		f.now = f.now.Add(resendAfter + time.Second)
		if err := f.register("sam@example.org", "Samuel"); err != nil {
			t.Fatal(err)
		}
		// Only the newest confirmation link works.
		got := f.mails("sam@example.org")
		old, fresh := link(t, got[0].Text, "confirm"), link(t, got[1].Text, "confirm")
		if _, _, err := f.s.Confirm(ctx, old[strings.LastIndexByte(old, '/')+1:]); !errors.Is(err, ErrBadToken) {
			t.Fatalf("an older confirmation link still works: %v", err)
		}
		if _, _, err := f.s.Confirm(ctx, fresh[strings.LastIndexByte(fresh, '/')+1:]); err != nil {
			t.Fatal(err)
		}
		// Someone else typing Sam's address changes nothing by itself.
		f.now = f.now.Add(resendAfter + time.Second)
		if err := f.register("sam@example.org", "Impostor"); err != nil {
			t.Fatal(err)
		}
		regs, _ = f.s.Registrants(ctx, f.entryID)
		if len(regs) != 1 || regs[0].Name != "Samuel" || regs[0].Status != Registered {
			t.Fatalf("an unconfirmed change took effect: %+v", regs)
		}
		got = f.mails("sam@example.org")
		change := link(t, got[len(got)-1].Text, "confirm")
		if _, _, err := f.s.Confirm(ctx, change[strings.LastIndexByte(change, '/')+1:]); err != nil {
			t.Fatal(err)
		}
		regs, _ = f.s.Registrants(ctx, f.entryID)
		if len(regs) != 1 || regs[0].Name != "Impostor" || regs[0].Status != Registered {
			t.Fatalf("a confirmed change was not applied: %+v", regs)
		}
	})
}

// Closed registration refuses; bad, tampered and expired links change
// nothing.
func TestClosedAndBadLinks(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		start := time.Now().Add(5 * 24 * time.Hour)
		f := newFixture(t, d, start, "Asia/Bangkok", 0)
		if err := f.register("late@example.org", "Late"); err != nil {
			t.Fatal(err)
		}
		confirm := link(t, f.mails("late@example.org")[0].Text, "confirm")
		token := confirm[strings.LastIndexByte(confirm, '/')+1:]
		tampered := token[:len(token)-2] + "AA"
		if token == tampered {
			tampered = token[:len(token)-2] + "BB"
		}
		for _, bad := range []string{tampered, "", "x", strings.Repeat("A", 5000), "../../admin"} {
			if _, _, err := f.s.Confirm(ctx, bad); !errors.Is(err, ErrBadToken) {
				t.Errorf("Confirm(%.20q): %v", bad, err)
			}
			if _, err := f.s.ByManageToken(ctx, bad); !errors.Is(err, ErrBadToken) {
				t.Errorf("ByManageToken(%.20q): %v", bad, err)
			}
		}
		f.now = f.now.Add(confirmValidity + time.Minute)
		if _, _, err := f.s.Confirm(ctx, token); !errors.Is(err, ErrBadToken) {
			t.Fatalf("an expired link: %v", err)
		}
		if c := f.counts(); c.Pending != 1 || c.Confirmed != 0 {
			t.Fatalf("bad links changed something: %+v", c)
		}
		// Registration closes at its closing time, and at the start anyway.
		ev, _ := f.s.load(ctx, f.entryID)
		ev.Details.ClosesAt = f.now.Add(-time.Minute)
		if err := f.s.SaveDetails(ctx, ev.Details); err != nil {
			t.Fatal(err)
		}
		if err := f.register("closed@example.org", "Closed"); !errors.Is(err, ErrClosed) {
			t.Fatalf("after closing time: %v", err)
		}
		ev.Details.ClosesAt = time.Time{}
		f.s.SaveDetails(ctx, ev.Details)
		f.now = start.Add(time.Minute)
		if err := f.register("closed@example.org", "Closed"); !errors.Is(err, ErrClosed) {
			t.Fatalf("after the start: %v", err)
		}
		ev.Details.Open = false
		f.now = start.Add(-48 * time.Hour)
		f.s.SaveDetails(ctx, ev.Details)
		if err := f.register("closed@example.org", "Closed"); !errors.Is(err, ErrClosed) {
			t.Fatalf("registration closed by the editor: %v", err)
		}
	})
}

// Reminders go a day and an hour before, once each, to confirmed
// registrants only, and again when the event moves.
func TestReminders(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		start := time.Now().Add(3 * 24 * time.Hour).Truncate(time.Minute)
		f := newFixture(t, d, start, "America/New_York", 0)
		f.registerAndConfirm("ready@example.org", "Ready")
		_, leaving := f.registerAndConfirm("leaving@example.org", "Leaving")
		if err := f.s.Cancel(ctx, leaving); err != nil {
			t.Fatal(err)
		}
		if err := f.register("pending@example.org", "Pending"); err != nil {
			t.Fatal(err)
		}
		remind := func(at time.Time, want int) {
			t.Helper()
			f.now = at
			n, err := f.s.SendDueReminders(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n != want {
				t.Fatalf("at start%+v: %d reminders, want %d", at.Sub(start), n, want)
			}
		}
		remind(start.Add(-25*time.Hour), 0)
		remind(start.Add(-24*time.Hour+time.Minute), 1)
		remind(start.Add(-23*time.Hour), 0) // sent already
		remind(start.Add(-61*time.Minute), 0)
		remind(start.Add(-59*time.Minute), 1)
		remind(start.Add(-30*time.Minute), 0)
		remind(start.Add(time.Minute), 0) // started: no more
		reminders := 0
		for _, m := range f.mails("ready@example.org") {
			if strings.Contains(m.Subject, "starts in") {
				reminders++
				if !hasJoin(m) {
					t.Fatalf("a reminder without the join link:\n%s", m.Text)
				}
			}
		}
		if reminders != 2 {
			t.Fatalf("%d reminders arrived, want 2", reminders)
		}
		for _, addr := range []string{"leaving@example.org", "pending@example.org"} {
			for _, m := range f.mails(addr) {
				if strings.Contains(m.Subject, "starts in") {
					t.Fatalf("%s got a reminder", addr)
				}
			}
		}
		// The event moves a week later: its reminders come again.
		moved := start.Add(7 * 24 * time.Hour)
		if _, err := d.ExecContext(ctx, `UPDATE events SET starts_at = ? WHERE entry_id = ?`, moved.Unix(), f.entryID); err != nil {
			t.Fatal(err)
		}
		remind(moved.Add(-24*time.Hour+time.Minute), 1)
	})
}

// Personal data goes a set number of days after the event; the counts
// stay.
func TestPurgeAfterRetention(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		start := time.Now().Add(24 * time.Hour)
		f := newFixture(t, d, start, "Europe/Paris", 0)
		reg, _ := f.registerAndConfirm("came@example.org", "Came")
		f.registerAndConfirm("other@example.org", "Other")
		if err := f.s.SetAttended(ctx, f.entryID, reg.ID, true); err != nil {
			t.Fatal(err)
		}
		end := start.Add(90 * time.Minute)
		f.now = end.Add(29 * 24 * time.Hour)
		if n, err := f.s.Purge(ctx, 30); err != nil || n != 0 {
			t.Fatalf("before the retention ends: purged %d, %v", n, err)
		}
		f.now = end.Add(31 * 24 * time.Hour)
		if n, err := f.s.Purge(ctx, 30); err != nil || n != 2 {
			t.Fatalf("after the retention: purged %d, %v", n, err)
		}
		var left int
		d.QueryRowContext(ctx, `SELECT COUNT(*) FROM registrations`).Scan(&left)
		if left != 0 {
			t.Fatalf("%d registrations left", left)
		}
		if c := f.counts(); c.Confirmed != 2 || c.Attended != 1 {
			t.Fatalf("kept counts: %+v", c)
		}
		if det, _ := f.s.Details(ctx, f.entryID); det.PurgedAt.IsZero() || det.JoinURL != joinLink {
			t.Fatalf("details after the purge: %+v", det)
		}
	})
}

// The same address sent from several tabs at once is still one
// registration, and nobody sees an error.
func TestConcurrentSameEmail(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, time.Now().Add(5*24*time.Hour), "Asia/Kolkata", 0)
		errs := make(chan error, 6)
		for range 6 {
			go func() { errs <- f.register("twice@example.org", "Twice") }()
		}
		for range 6 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if c := f.counts(); c.Pending != 1 {
			t.Fatalf("counts %+v, want one pending registration", c)
		}
	})
}

// Mail goes in the language the registrant registered in, with the
// event's time in that language's conventions.
func TestMailInRegistrantsLanguage(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		start := time.Date(2027, 2, 10, 9, 0, 0, 0, time.UTC)
		f := newFixture(t, d, start, "Europe/Moscow", 0)
		err := f.s.Register(context.Background(), RegisterInput{EntryID: f.entryID, Lang: "ru", Origin: "https://peers.example.org",
			Email: "olga@example.org", Name: "Ольга", Answers: map[string]string{}})
		if err != nil {
			t.Fatal(err)
		}
		got := f.mails("olga@example.org")
		if len(got) != 1 || !strings.Contains(got[0].Subject, "Подтвердите регистрацию") || !strings.Contains(got[0].Text, "10 февраля 2027, 12:00 MSK") ||
			!strings.Contains(got[0].Text, "https://peers.example.org/ru/registration/confirm/") {
			t.Fatalf("mail in Russian:\n%s\n%s", got[0].Subject, got[0].Text)
		}
	})
}

// Past events come latest first, a page at a time, each once.
func TestPastPages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, time.Now().Add(-3*time.Hour), "UTC", 0) // one past event, ended 90 minutes ago
		cs := content.NewStore(d, search.Index{})
		cs.SetExtensions(EntryFields{})
		for i := range 24 {
			_, err := cs.SaveEntry(ctx, 0,
				content.EntryInput{Kind: content.Event, Ext: Ext(Info{StartsAt: time.Now().Add(-time.Duration(i+2) * 24 * time.Hour), TimeZone: "UTC", DurationMinutes: 60, Mode: "online"})},
				content.TranslationInput{Lang: "en", Title: fmt.Sprintf("Past %02d", i), Slug: fmt.Sprintf("past-%d", i), Status: content.Published}, 0)
			if err != nil {
				t.Fatal(err)
			}
		}
		f.now = time.Now().Add(time.Second) // the entries just saved are published by now
		seen := map[string]bool{}
		var last time.Time
		for page, want := range []int{10, 10, 5} {
			items, more, err := f.s.Past(ctx, "en", page+1, 10)
			if err != nil || len(items) != want || more != (page < 2) {
				t.Fatalf("page %d: %d items, more %v, %v", page+1, len(items), more, err)
			}
			for _, it := range items {
				if seen[it.Slug] || (!last.IsZero() && it.Info.StartsAt.After(last)) {
					t.Fatalf("page %d: %s out of order or twice", page+1, it.Slug)
				}
				seen[it.Slug], last = true, it.Info.StartsAt
			}
		}
	})
}
