package events_test

import (
	"encoding/csv"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app/apptest"
	"peerpress/internal/guard"
	"peerpress/internal/web/webtest"
)

// The registration form lives on a page of its own, never cached, with
// the guard's challenge, honeypot and proof-of-work script; the event's
// page, which the cache shares among visitors, only leads there.
func TestRegistrationFormCarriesGuard(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		page := c.Get(eventURL)
		page.Must(t, http.StatusOK, `href="`+register+`"`, "No account needed")
		page.MustNot(t, "guard_challenge", `action="`+register+`"`)

		// The app's own guard: 13 bits of work, done by pow.js.
		form := c.Get(register)
		form.Must(t, http.StatusOK, `action="`+register+`"`, `name="guard_challenge"`, `name="guard_proof"`, `name="guard_note"`,
			`data-pow-bits="13"`, "Which language will you listen in?", "I agree that the network keeps")
		if !regexp.MustCompile(`<script src="/static/pow[^"]*\.js" defer></script>`).MatchString(form.Body) {
			t.Fatalf("the form page does not load pow.js:\n%s", form.Body)
		}
		if cc := form.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") || !strings.Contains(cc, "private") {
			t.Fatalf("registration page Cache-Control %q", cc)
		}
		again := c.Get(register)
		if webtest.GuardFields(t, form.Body, 0).Get("guard_challenge") == webtest.GuardFields(t, again.Body, 0).Get("guard_challenge") {
			t.Fatal("two visits to the form got the same challenge: the page was cached")
		}
	})
}

// The guard's refusals — honeypot filled, challenge forged or missing,
// replayed, sent too fast, too many from one address — each get a clear
// message with what the person typed kept, and store and mail nothing.
func TestRegistrationGuardRefuses(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		s.UseGuard(apptest.QuickGuard())
		c := s.client()

		refused := func(what string, status int, form map[string][]string, message string) {
			t.Helper()
			r := c.Post(register, form)
			r.Must(t, status, message, `value="`+form["name"][0]+`"`, `value="`+form["email"][0]+`"`, "Coastal Harm Reduction Trust",
				`name="guard_challenge"`) // a fresh form to send again
			r.MustNot(t, "Check your mail")
			if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Fatalf("%s: Cache-Control %q", what, cc)
			}
		}

		honey := c.form(true, answers("spam@example.org", "Spam Bot"))
		honey.Set(guard.HoneypotField, "http://spam.example")
		refused("honeypot", http.StatusUnprocessableEntity, honey, "could not be accepted")

		forged := c.form(true, answers("forger@example.org", "Forger"))
		forged.Set(guard.ChallengeField, "AAAA"+forged.Get(guard.ChallengeField)[4:])
		refused("forged", http.StatusUnprocessableEntity, forged, "expired or could not be checked")

		missing := answers("script@example.org", "Script")
		refused("no challenge", http.StatusUnprocessableEntity, missing, "expired or could not be checked")

		if n := s.registrations(); n != 0 {
			t.Fatalf("%d registrations stored from refused forms", n)
		}
		s.RunJobs()
		if n := len(s.SMTP.Messages()); n != 0 {
			t.Fatalf("%d mails sent for refused forms", n)
		}

		// A form is accepted once; sent again, it is refused.
		ok := c.form(true, answers("kofi@example.org", "Kofi"))
		c.Post(register, ok).Must(t, http.StatusOK, "Check your mail", "kofi@example.org")
		ok.Set("email", "replay@example.org")
		refused("replayed", http.StatusUnprocessableEntity, ok, "already sent")
		if n := s.registrations(); n != 1 {
			t.Fatalf("%d registrations after a replay, want 1", n)
		}
		if n := len(s.Mail("replay@example.org")); n != 0 {
			t.Fatalf("the replayed form mailed %d messages", n)
		}
		if n := len(s.Mail("kofi@example.org")); n != 1 {
			t.Fatalf("the accepted form mailed %d messages, want 1", n)
		}

		// Too fast for a person (a guard wanting a minute, so the test
		// does not depend on the machine's speed).
		s.UseGuard(guard.Options{MinDelay: time.Minute, Difficulty: 8, Rate: 1000, Burst: 1000})
		refused("too fast", http.StatusUnprocessableEntity, c.form(true, answers("fast@example.org", "Fast Bot")), "faster than we expect")

		// The rate limit per address: the third form in a row is refused.
		s.UseGuard(guard.Options{MinDelay: 30 * time.Millisecond, Difficulty: 8, Rate: 2, Per: time.Hour, Burst: 2})
		c.Post(register, c.form(true, answers("first@example.org", "First"))).Must(t, http.StatusOK, "Check your mail")
		c.Post(register, c.form(true, answers("second@example.org", "Second"))).Must(t, http.StatusOK, "Check your mail")
		refused("rate limited", http.StatusTooManyRequests, c.form(true, answers("third@example.org", "Third")), "Too many submissions")

		if n := s.registrations(); n != 3 {
			t.Fatalf("%d registrations, want kofi, first and second", n)
		}
		for _, addr := range []string{"spam@example.org", "forger@example.org", "script@example.org", "fast@example.org", "third@example.org"} {
			if n := len(s.Mail(addr)); n != 0 {
				t.Fatalf("%s, refused, was mailed %d messages", addr, n)
			}
		}
	})
}

// A form without the proof of work (no JavaScript) is accepted and gets
// its confirmation mail like any other; the registration is flagged, and
// staff see the mark on the registrants page and in the CSV, also after
// the registrant changes their answers. One with a valid proof is not.
func TestRegistrationWithoutProofIsFlagged(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		s.UseGuard(apptest.QuickGuard())
		c := s.client()

		c.Post(register, c.form(false, answers("offline@example.org", "Offline Peer"))).Must(t, http.StatusOK, "Check your mail")
		offline := c.confirmMailed("offline@example.org")
		c.Get(offline).Must(t, http.StatusOK, "confirmed: you have a place", "https://meet.example.org/")
		c.registerAndConfirm("online@example.org", "Online Peer")

		admin, _ := s.Admin()
		rowOf := func(body, name string) string {
			t.Helper()
			for _, row := range regexp.MustCompile(`(?s)<tr id="r\d+">.*?</tr>`).FindAllString(body, -1) {
				if strings.Contains(row, name) {
					return row
				}
			}
			t.Fatalf("no row for %s:\n%s", name, body)
			return ""
		}
		check := func() {
			t.Helper()
			list := admin.Get(s.adminBase())
			list.Must(t, http.StatusOK, "1 registration was sent without the browser check.")
			if !strings.Contains(rowOf(list.Body, "offline@example.org"), "Sent without the browser check") {
				t.Fatal("the registration without proof of work is not marked for the staff")
			}
			if strings.Contains(rowOf(list.Body, "online@example.org"), "Sent without the browser check") {
				t.Fatal("the registration with a valid proof of work is marked")
			}
			r := admin.Get(s.adminBase() + ".csv")
			r.Must(t, http.StatusOK)
			rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			col := -1
			for i, h := range rows[0] {
				if h == "flagged" {
					col = i
				}
			}
			if col < 0 || len(rows) != 3 {
				t.Fatalf("CSV without a flagged column, or not 2 registrants:\n%s", r.Body)
			}
			for _, row := range rows[1:] {
				if want := strconv.FormatBool(row[1] == "offline@example.org"); row[col] != want {
					t.Fatalf("CSV row %v: flagged %q", row, row[col])
				}
			}
		}
		check()

		// The registrant changes an answer through their page: still marked.
		f := answers("", "Offline Peer")
		f.Set("q0", "Lakeside Users' Union")
		if r := c.Post(offline, f); r.Status != http.StatusSeeOther {
			t.Fatalf("saving answers: %d", r.Status)
		}
		check()
		admin.Get(s.adminBase()).Must(t, http.StatusOK, "Lakeside Users&#39; Union")
	})
}
