package updates_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app/apptest"
	"peerpress/internal/db"
	"peerpress/internal/jobs"
)

// unsubscribeLink is the List-Unsubscribe address of the last mail to
// addr, split into the site and the path.
func unsubscribeLink(t *testing.T, s *apptest.Site, addr string) string {
	t.Helper()
	ms := s.SMTP.To(addr)
	if len(ms) == 0 {
		t.Fatalf("nothing reached %s", addr)
	}
	m := unsubHeader.FindStringSubmatch(header(t, ms[len(ms)-1], "List-Unsubscribe"))
	if m == nil {
		t.Fatalf("no List-Unsubscribe in the last mail to %s", addr)
	}
	return m[2]
}

func status(t *testing.T, s *apptest.Site, id int) string {
	t.Helper()
	var st string
	if err := s.App.DB.QueryRowContext(context.Background(), `SELECT status FROM subscribers WHERE id = ?`, id).Scan(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// RFC 8058: one POST to the List-Unsubscribe address, from a mail client
// with no session and no form token, unsubscribes the one address the
// link was made for, with no question asked. A GET only asks; a forged
// link, or one made before the person subscribed again, does nothing.
func TestOneClickUnsubscribe(t *testing.T) {
	run(t, func(t *testing.T, s *apptest.Site) {
		c := s.Client()
		subscribeAndConfirm(t, s, c, "ana@example.org", "en", nil)
		subscribeAndConfirm(t, s, c, "ben@example.org", "en", nil)
		sendNow(t, s, newUpdate(t, s))
		ana, ben := unsubscribeLink(t, s, "ana@example.org"), unsubscribeLink(t, s, "ben@example.org")
		anaID, _, _ := strings.Cut(strings.TrimPrefix(ana, "/updates/unsubscribe/"), ".")
		_, benMac, _ := strings.Cut(strings.TrimPrefix(ben, "/updates/unsubscribe/"), ".")

		mailer := s.Client() // a mail provider: no cookie, no token
		mailer.Get(ana).Must(t, http.StatusOK, "<form method=\"post\"")
		if st := status(t, s, 1); st != "active" {
			t.Fatalf("a GET unsubscribed: %s", st)
		}
		// Forged: Ben's mac on Ana's id, a made-up mac, junk.
		for _, forged := range []string{"/updates/unsubscribe/" + anaID + "." + benMac, "/updates/unsubscribe/" + anaID + "." + strings.Repeat("x", 43),
			"/updates/unsubscribe/1", "/updates/unsubscribe/%0d%0a"} {
			r := mailer.Post(forged, url.Values{"List-Unsubscribe": {"One-Click"}})
			if r.Status != http.StatusNotFound && r.Status != http.StatusBadRequest {
				t.Errorf("forged %s: %d", forged, r.Status)
			}
		}
		if n := count(t, s, `SELECT COUNT(*) FROM subscribers WHERE status = 'active'`); n != 2 {
			t.Fatalf("%d active after forged links, want 2", n)
		}
		mailer.Post(ana, url.Values{"List-Unsubscribe": {"One-Click"}}).Must(t, http.StatusOK, "You are unsubscribed")
		if n := count(t, s, `SELECT COUNT(*) FROM subscribers WHERE status = 'unsubscribed' AND email = ''`); n != 1 {
			t.Fatal("the one-click POST did not unsubscribe Ana, or kept her address")
		}
		if n := count(t, s, `SELECT COUNT(*) FROM subscribers WHERE status = 'active'`); n != 1 {
			t.Fatal("the one-click POST unsubscribed someone else too")
		}
		// Ana comes back; the old link, replayed, does not take her off again.
		subscribeAndConfirm(t, s, c, "ana@example.org", "en", nil)
		mailer.Post(ana, url.Values{"List-Unsubscribe": {"One-Click"}}).Must(t, http.StatusNotFound)
		if n := count(t, s, `SELECT COUNT(*) FROM subscribers WHERE status = 'active'`); n != 2 {
			t.Fatal("a replayed link unsubscribed a new subscription")
		}
	})
}

// A worker killed between deliveries loses and doubles nothing: a new
// queue over the same database (a restarted process) sends the rest,
// and a delivery's job run twice (its worker died after the mail went,
// before the job was deleted) sends nothing the second time.
func TestCrashMidSend(t *testing.T) {
	run(t, func(t *testing.T, s *apptest.Site) {
		c := s.Client()
		addrs := []string{"a1@example.org", "a2@example.org", "a3@example.org", "a4@example.org", "a5@example.org"}
		for _, a := range addrs {
			subscribeAndConfirm(t, s, c, a, "en", nil)
		}
		id := newUpdate(t, s)
		s.RunJobs() // the welcomes
		s.App.Updates.Sender.SetBatch(2)
		cl, csrf := s.Admin()
		if r := cl.Post("/admin/updates/"+itoa(id)+"/send", url.Values{"csrf": {csrf}, "when": {"now"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("send: %d", r.Status)
		}
		ctx := context.Background()
		// The fan-out and a first batch of two, then the process dies.
		for range 2 {
			if ran, err := s.App.Jobs.RunOnce(ctx); err != nil || !ran {
				t.Fatalf("run: %v %v", ran, err)
			}
		}
		if n := count(t, s, `SELECT COUNT(*) FROM update_deliveries WHERE state = 'sent'`); n != 2 {
			t.Fatalf("%d sent before the crash, want 2", n)
		}
		// The batch done comes back, as if its job's DELETE never ran.
		var from, to int64
		if err := s.App.DB.QueryRowContext(ctx, `SELECT MIN(subscriber_id), MAX(subscriber_id) FROM update_deliveries WHERE state = 'sent'`).Scan(&from, &to); err != nil {
			t.Fatal(err)
		}
		if err := s.App.DB.Quiet().InTx(ctx, func(tx *db.Tx) error {
			return jobs.Enqueue(ctx, tx, "updates:deliver", []byte(itoa(id)+":"+itoa(from)+":"+itoa(to)), time.Now())
		}); err != nil {
			t.Fatal(err)
		}
		// A new process.
		q := jobs.New(s.App.DB)
		s.App.Updates.Register(q)
		s.App.Mailer.Register(q)
		for {
			ran, err := q.RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !ran {
				break
			}
		}
		for _, a := range addrs {
			if n := len(s.SMTP.To(a)); n != 3 { // confirm, welcome, the update
				t.Errorf("%s got %d mails, want 3", a, n)
			}
		}
		if n := count(t, s, `SELECT COUNT(*) FROM update_deliveries WHERE state = 'sent'`); n != 5 {
			t.Fatalf("%d sent, want 5", n)
		}
		a, _ := s.Admin()
		a.Get("/admin/updates/"+itoa(id)).Must(t, http.StatusOK, "5 sent, 0 waiting, 0 failed")
	})
}

// A permanent refusal (5xx) fails the delivery and counts against the
// subscriber, who is bouncing after MaxBounces; a temporary one (4xx)
// is tried again after the queue's backoff, and sent once.
func TestRefusedAndDeferred(t *testing.T) {
	run(t, func(t *testing.T, s *apptest.Site) {
		c := s.Client()
		subscribeAndConfirm(t, s, c, "gone@example.org", "en", nil)
		subscribeAndConfirm(t, s, c, "later@example.org", "en", nil)
		ctx := context.Background()
		// gone@ was refused twice before.
		if _, err := s.App.DB.ExecContext(ctx, `UPDATE subscribers SET bounces = 2 WHERE id = 1`); err != nil {
			t.Fatal(err)
		}
		s.RunJobs() // the welcomes
		s.SMTP.Reject("gone@example.org")
		s.SMTP.FailNext(1)
		id := newUpdate(t, s)
		sendNow(t, s, id)
		if st := status(t, s, 1); st != "bouncing" {
			t.Fatalf("after a third refusal: %s, want bouncing", st)
		}
		var state, lastErr string
		if err := s.App.DB.QueryRowContext(ctx, `SELECT state, last_error FROM update_deliveries WHERE subscriber_id = 1`).Scan(&state, &lastErr); err != nil {
			t.Fatal(err)
		}
		if state != "failed" || strings.Contains(lastErr, "gone@example.org") {
			t.Fatalf("refused delivery: %s %q", state, lastErr)
		}
		// later@ met a 451 (the first DATA of the send may be either's:
		// whichever it was, one delivery waits for its retry).
		if n := count(t, s, `SELECT COUNT(*) FROM update_deliveries WHERE state = 'waiting'`); n != 1 {
			t.Fatalf("%d deliveries wait for a retry, want 1", n)
		}
		a, _ := s.Admin()
		a.Get("/admin/updates/"+itoa(id)).Must(t, http.StatusOK, "0 sent, 1 waiting, 1 failed")
		// The backoff passes.
		if _, err := s.App.DB.ExecContext(ctx, `UPDATE jobs SET run_at = 0 WHERE kind = 'updates:deliver'`); err != nil {
			t.Fatal(err)
		}
		s.RunJobs()
		if n := len(s.SMTP.To("later@example.org")); n != 3 {
			t.Fatalf("later@ got %d mails, want 3", n)
		}
		a.Get("/admin/updates/"+itoa(id)).Must(t, http.StatusOK, "1 sent, 0 waiting, 1 failed")
		// A bouncing subscriber gets nothing more.
		if st := status(t, s, 1); st != "bouncing" {
			t.Fatal(st)
		}
	})
}
