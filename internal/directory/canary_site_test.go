package directory_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"peerpress/internal/app/apptest"
	"peerpress/internal/web/webtest"
)

// An applying organisation's contact never reaches the log (at debug
// level) or the job table in the clear, even when the mail server refuses
// the address for good; applying again with the same address answers as a
// first application does; the form's pages are never cached; and a NUL
// byte or invalid UTF-8 is refused with nothing stored, on either engine.
func TestApplicantContactCanaries(t *testing.T) {
	apptest.Run(t, apptest.Options{Serial: true}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		logs := apptest.CaptureLogs(t)
		s.UseGuard(apptest.QuickGuard())
		bits := apptest.QuickGuard().Difficulty
		const email, name = "canary.contact.zq9@example.org", "CANARYCONTACTZQ9 Person"
		s.SMTP.Reject(email)
		visitor := s.Client()
		apply := func(kv ...string) webtest.Response {
			return visitor.Post("/en/directory/apply", visitor.GuardedForm("/en/directory/apply", bits, apptest.FormWait, applyAnswers(kv...)))
		}
		stored := func() int {
			var n int
			if err := s.App.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisation_applications`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		first := apply("contact_email", email, "contact_name", name)
		first.Must(t, http.StatusSeeOther)
		s.RunJobs() // the verification mail is refused for good
		again := apply("contact_email", email, "contact_name", name, "name", "Second Try Collective")
		fresh := apply("contact_email", "someone.new.zq9@example.org", "name", "Third Collective")
		if again.Status != fresh.Status || again.Location != fresh.Location || again.Location != first.Location {
			t.Errorf("applying again answers %d to %q, a new address %d to %q", again.Status, again.Location, fresh.Status, fresh.Location)
		}
		s.RunJobs()

		failed := apptest.FailedJobsWithout(t, s, "canary.contact", "CANARYCONTACTZQ9")
		if failed == 0 {
			t.Fatal("the refused mail did not fail: the test proves nothing about its error")
		}
		if !strings.Contains(logs.String(), "failed for good") {
			t.Fatalf("the log did not see the refusal: the test proves nothing about it:\n%s", logs.String())
		}
		for _, canary := range []string{"canary.contact", "CANARYCONTACTZQ9"} {
			if strings.Contains(logs.String(), canary) {
				t.Errorf("the log carries %q", canary)
			}
		}

		for _, path := range []string{"/en/directory/apply", "/en/directory/apply/sent"} {
			r := visitor.Get(path)
			r.Must(t, http.StatusOK)
			if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Errorf("%s: Cache-Control %q", path, cc)
			}
		}

		before := stored()
		for _, bad := range []string{"a\x00b", "\xff\xfeab"} {
			for _, field := range []string{"name", "contact_name", "description_en"} {
				r := apply(field, bad, "contact_email", "bytes.zq9@example.org")
				if r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
					t.Errorf("%q in %s: %d, want 400 or 422", bad, field, r.Status)
				}
			}
		}
		if after := stored(); after != before {
			t.Errorf("%d applications stored from bad bytes", after-before)
		}
	})
}
