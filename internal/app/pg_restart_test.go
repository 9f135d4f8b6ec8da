package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app/apptest"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// PostgreSQL restarting while an instance serves (every connection cut,
// new ones refused for a while; the proxy stands for the server, which
// other tests share): the instance stays alive but says it is not ready,
// serves the pages it has cached, answers other pages and forms with a
// 503 that asks to try again — never a 500 — and keeps nothing it did
// not acknowledge. Once the server is back, the same instance, never
// restarted, is ready again, takes the very form it refused, and its
// queue sends the mail. (SQLite has no server to restart.)
func TestPostgresRestartWhileServing(t *testing.T) {
	apptest.Demo(nil).Run(t, func(t *testing.T, d *db.DB) {
		if d.Engine != db.Postgres {
			return
		}
		through, proxy := dbtest.OpenThrough(t, d)
		guard := apptest.QuickGuard()
		s := &site{apptest.New(t, through, apptest.Options{Outbox: true, Guard: &guard})}
		ctx, stop := context.WithCancel(context.Background())
		s.App.Jobs.Grace = 0
		// The demo's own jobs first: one that publishes would empty the
		// page cache between the visit below and the outage.
		s.RunJobs()
		queue := make(chan struct{})
		go func() {
			s.App.Jobs.Run(ctx, 1)
			close(queue)
		}()
		defer func() {
			stop()
			<-queue
		}()
		c := s.client()
		c.Get("/readyz").Must(t, http.StatusOK, "ready")
		c.Get("/en/").Must(t, http.StatusOK) // now in the page cache
		form := c.guarded(registrationForm("during@example.org", "During"))

		proxy.Cut()
		c.Get("/readyz").Must(t, http.StatusServiceUnavailable, "not ready: database unreachable")
		c.Get("/healthz").Must(t, http.StatusOK, "ok")
		c.Get("/en/").Must(t, http.StatusOK, "Test Network")
		for _, path := range []string{openEvent, "/en/events/"} {
			r := c.Get(path)
			r.Must(t, http.StatusServiceUnavailable, "try again in a minute")
			if r.Header.Get("Retry-After") == "" {
				t.Errorf("%s during the outage: no Retry-After", path)
			}
		}
		c.Get("/fr/evenements/").Must(t, http.StatusServiceUnavailable, "Veuillez réessayer dans une minute")
		c.Post(openRegister, form).Must(t, http.StatusServiceUnavailable, "nothing you sent was saved")

		proxy.Restore()
		ready := false
		for deadline := time.Now().Add(30 * time.Second); !ready && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			ready = c.Get("/readyz").Status == http.StatusOK
		}
		if !ready {
			t.Fatal("not ready again once the database was back")
		}
		if n := countRegistrations(t, d); n != 0 {
			t.Fatalf("%d registrations kept from the outage, none acknowledged", n)
		}
		// The person sends the same form again: its challenge was not
		// spent by the refusal.
		c.Post(openRegister, form).Must(t, http.StatusOK, "Check your mail")
		if n := countRegistrations(t, d); n != 1 {
			t.Fatalf("%d registrations, want the one acknowledged", n)
		}
		c.Get(openEvent).Must(t, http.StatusOK)
		// The worker, which met the outage too, sends the confirmation.
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			kept, err := s.App.Mailer.Outbox(context.Background(), 50)
			if err != nil {
				t.Fatal(err)
			}
			sent := false
			for _, m := range kept {
				sent = sent || (m.To == "during@example.org" && strings.Contains(m.Text, "/registration/confirm/"))
			}
			if sent {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the queue did not send the confirmation once the database was back")
			}
		}
	})
}
