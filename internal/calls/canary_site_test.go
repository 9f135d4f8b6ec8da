package calls_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app/apptest"
)

// An applicant's address and name never reach the log (at debug level)
// or the job table in the clear, even when the mail server refuses the
// address for good; their private pages are never cached; applying again
// with an address that has an application answers as for a new one; and
// a NUL byte or invalid UTF-8 in the form is refused with a 400 that
// stores nothing, on either engine.
func TestApplicantCanaries(t *testing.T) {
	guard := apptest.QuickGuard()
	apptest.Run(t, apptest.Options{Guard: &guard, Serial: true}, func(t *testing.T, a *apptest.Site) {
		ctx := context.Background()
		logs := apptest.CaptureLogs(t)

		s := &site{Site: a}
		const email, name = "canary.applicant.zq7@example.org", "CANARYAPPLICANTZQ7 Collective"
		s.SMTP.Reject(email)
		c := s.Client()
		form := answers(email)
		form.Set("a_name", name)
		fresh := c.Post(applyURL, s.form(c, form))
		fresh.Must(t, http.StatusOK, "Check your mail")
		s.RunJobs() // the confirmation is refused for good

		// A second application from the same address, and one from a
		// new address, answer alike.
		form2 := answers("someone.new.zq7@example.org")
		again := c.Post(applyURL, s.form(c, form))
		other := c.Post(applyURL, s.form(c, form2))
		if again.Status != other.Status || !strings.Contains(again.Body, "Check your mail") || !strings.Contains(other.Body, "Check your mail") {
			t.Errorf("applying again answers %d, a new address %d", again.Status, other.Status)
		}
		s.RunJobs()

		failed := apptest.FailedJobsWithout(t, s.Site, email, "canary.applicant", "CANARYAPPLICANTZQ7")
		if failed == 0 {
			t.Fatal("the refused mail did not fail: the test proves nothing about its error")
		}
		// The refused mails carry the address: they go when an unconfirmed
		// application does (48 hours), not after the mail queue's week.
		now := time.Now()
		if n, err := s.App.Jobs.PurgeFailed(ctx, now.Add(47*time.Hour)); err != nil || n != 0 {
			t.Errorf("purged %d refused mails before the application's time, %v", n, err)
		}
		if n, err := s.App.Jobs.PurgeFailed(ctx, now.Add(49*time.Hour)); err != nil || n != failed {
			t.Errorf("purged %d of %d refused mails after the application's time, %v", n, failed, err)
		}
		if !strings.Contains(logs.String(), "failed for good") {
			t.Fatalf("the log did not see the refusal: the test proves nothing about it:\n%s", logs.String())
		}
		for _, canary := range []string{"canary.applicant", "CANARYAPPLICANTZQ7"} {
			if strings.Contains(logs.String(), canary) {
				t.Errorf("the log carries %q", canary)
			}
		}

		// The private pages are never cached.
		manage := s.applyAndConfirm(c, "cached.zq7@example.org")
		for _, path := range []string{manage, applyURL} {
			r := c.Get(path)
			r.Must(t, http.StatusOK)
			if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Errorf("%s: Cache-Control %q", path, cc)
			}
		}

		// Bytes no database stores: a 400, nothing stored.
		before := s.applications()
		for _, bad := range []string{"a\x00b", "\xff\xfeab"} {
			f := answers("bytes.zq7@example.org")
			f.Set("a_about", bad)
			r := c.Post(applyURL, s.form(c, f))
			if r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
				t.Errorf("%q in the form: %d, want 400 or 422", bad, r.Status)
			}
			r = c.PostFile(applyURL, s.form(c, f), "unused", "note.txt", []byte("x"))
			if r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
				t.Errorf("%q in a multipart form: %d, want 400 or 422", bad, r.Status)
			}
			r = c.Post(manage, url.Values{"a_about": {bad}})
			if r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
				t.Errorf("%q in the private page's form: %d, want 400 or 422", bad, r.Status)
			}
		}
		if after := s.applications(); after != before {
			t.Errorf("%d applications stored from bad bytes", after-before)
		}
	})
}
