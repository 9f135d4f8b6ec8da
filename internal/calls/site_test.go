package calls_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app/apptest"
	"peerpress/internal/calls"
	"peerpress/internal/demo"
	"peerpress/internal/web/webtest"
)

// The demo's open call, its page and its form.
const (
	callURL  = "/en/calls/" + demo.DemoCallSlug
	applyURL = "/en/calls/apply/" + demo.DemoCallSlug
)

// site is apptest's site (the demo, mail to a real SMTP server) with the
// demo's open call.
type site struct {
	*apptest.Site
	entryID int64
	call    calls.Call
}

// run runs fn on a new site on each engine, with a guard quick enough
// for tests.
func run(t *testing.T, fn func(t *testing.T, s *site)) {
	t.Helper()
	runWith(t, apptest.Options{}, fn)
}

// runWith is run with more options (an organisation's key).
func runWith(t *testing.T, opt apptest.Options, fn func(t *testing.T, s *site)) {
	t.Helper()
	guard := apptest.QuickGuard()
	opt.Guard = &guard
	apptest.Run(t, opt, func(t *testing.T, a *apptest.Site) { fn(t, siteOf(t, a)) })
}

// siteOf is a test site over the demo's call.
func siteOf(t *testing.T, a *apptest.Site) *site {
	t.Helper()
	e, err := a.App.Content.BySlug(context.Background(), "en", demo.DemoCallSlug)
	if err != nil {
		t.Fatal(err)
	}
	c, ok := calls.Of(e)
	if !ok {
		t.Fatal("the demo's call has no settings")
	}
	return &site{Site: a, entryID: e.ID, call: c}
}

// applications counts the stored applications to the demo call.
func (s *site) applications() int {
	s.T.Helper()
	var n int
	if err := s.App.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM applications WHERE entry_id = ?`, s.entryID).Scan(&n); err != nil {
		s.T.Fatal(err)
	}
	return n
}

// answers fill the demo call's form, with a link rather than a file.
func answers(email string) url.Values {
	return url.Values{"email": {email}, "a_name": {"Harbour Film Collective"}, "a_country": {"KE"}, "a_role": {"2"},
		"a_about": {"Peers filming peers."}, "a_film_link": {"https://video.example.org/care"}, "work_language": {"en"}, "consent": {"yes"}}
}

// form opens the application page as a browser would and returns its
// guard's fields with the answers.
func (s *site) form(c *webtest.Client, answers url.Values) url.Values {
	return c.GuardedForm(applyURL, apptest.QuickGuard().Difficulty, apptest.FormWait, answers)
}

var linkRe = regexp.MustCompile(`https?://[^/\s]+(/[a-z]{2}/application/(confirm/|manage/)[A-Za-z0-9_-]{43})`)

// mailedPath finds the one confirmation (confirm) or private (manage)
// link in the last mail to addr.
func (s *site) mailedPath(addr string, confirm bool) string {
	s.T.Helper()
	mails := s.Mail(addr)
	if len(mails) == 0 {
		s.T.Fatalf("no mail to %s", addr)
	}
	text := mails[len(mails)-1].Text
	var found []string
	for _, m := range linkRe.FindAllStringSubmatch(text, -1) {
		if (m[2] == "confirm/") == confirm {
			found = append(found, m[1])
		}
	}
	if len(found) != 1 {
		s.T.Fatalf("%d links (confirm %v) in:\n%s", len(found), confirm, text)
	}
	return found[0]
}

// applyAndConfirm applies as email and confirms by the mailed link; it
// returns the private page's path.
func (s *site) applyAndConfirm(c *webtest.Client, email string) string {
	s.T.Helper()
	c.Post(applyURL, s.form(c, answers(email))).Must(s.T, http.StatusOK, "Check your mail")
	r := c.Post(s.mailedPath(email, true), nil)
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/en/application/manage/") {
		s.T.Fatalf("confirming: %d %q", r.Status, r.Location)
	}
	return strings.TrimSuffix(r.Location, "?confirmed=1")
}

// The call's page gives its dates in the call's zone, marked up for the
// visitor's own, and leads to the form, which is never cached.
func TestCallPage(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.Client()
		closes := s.call.ClosesAt.UTC().Format("2006-01-02T15:04:05Z07:00")
		c.Get(callURL).Must(t, http.StatusOK, `datetime="`+closes+`" data-local="Your time" data-countdown`, "(Europe/Paris)", `href="`+applyURL+`"`,
			"Original work only", "Files: .mp4, .mov, .webm, up to 2048 MB")
		r := c.Get(applyURL)
		r.Must(t, http.StatusOK, `name="a_name"`, `name="a_film_link"`, `name="a_film" type="file"`, `<option value="KE"`, `name="work_language"`)
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Fatalf("the form's page is cacheable: %q", cc)
		}
		// The archive of calls says when each closes.
		c.Get("/en/calls").Must(t, http.StatusOK, "Video call: stories of care", `Deadline: <time datetime="`+closes+`">`)
		// In French, the form speaks French and the options are French.
		c.Get("/fr/calls/apply/appel-video-histoires-de-soin").Must(t, http.StatusOK, "Votre nom ou celui de votre groupe", "Cinéaste")
	})
}

// An applicant applies without an account, confirms by the mailed link,
// gets a receipt with the private link, changes an answer and withdraws:
// the application is gone.
func TestApplyConfirmEditWithdraw(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.Client()
		const email = "Filmmaker@Example.org"
		c.Post(applyURL, s.form(c, answers(email))).Must(t, http.StatusOK, "Check your mail", "filmmaker@example.org")
		if n := s.applications(); n != 1 {
			t.Fatalf("%d applications, want 1 pending", n)
		}
		// Nothing of it in the database in the clear.
		var email1, answers1 string
		if err := s.App.DB.QueryRowContext(context.Background(), `SELECT email, answers FROM applications`).Scan(&email1, &answers1); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(email1+answers1, "example.org") || strings.Contains(answers1, "Harbour") {
			t.Fatal("the application is stored in the clear")
		}
		confirm := s.mailedPath("filmmaker@example.org", true)
		c.Get(confirm).Must(t, http.StatusOK, "Confirm your application")
		r := c.Post(confirm, nil)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("confirm: %d", r.Status)
		}
		manage := s.mailedPath("filmmaker@example.org", false)
		if !strings.HasPrefix(r.Location, manage) {
			t.Fatalf("confirmed to %q, the receipt links %q", r.Location, manage)
		}
		receipt := s.Mail("filmmaker@example.org")
		text := receipt[len(receipt)-1].Text
		for _, want := range []string{"Your name or your group’s: Harbour Film Collective", "Country: Kenya", "You are: Both", "(Europe/Paris)"} {
			if !strings.Contains(text, want) {
				t.Fatalf("receipt lacks %q:\n%s", want, text)
			}
		}
		c.Get(manage).Must(t, http.StatusOK, "Your application", `value="Harbour Film Collective"`, "Withdraw my application")
		// A confirmation link works once.
		c.Post(confirm, nil).Must(t, http.StatusNotFound, "This link does not work")

		changed := answers("")
		changed.Del("email")
		changed.Set("a_name", "Harbour Films")
		r = c.Post(manage, changed)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("update: %d\n%s", r.Status, webtest.Snippet(r.Body))
		}
		c.Get(r.Location).Must(t, http.StatusOK, `value="Harbour Films"`, "Your changes are saved")

		c.Post(manage+"/withdraw", nil).Must(t, http.StatusOK, "Application withdrawn")
		if n := s.applications(); n != 0 {
			t.Fatalf("%d applications after withdrawal", n)
		}
		c.Get(manage).Must(t, http.StatusNotFound, "This link does not work")
	})
}

// A second application from the same address stores nothing and tells
// nobody but the address, which gets a new private link.
func TestSecondApplicationRefused(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.Client()
		old := s.applyAndConfirm(c, "twice@example.org")
		c.Post(applyURL, s.form(c, answers("twice@example.org"))).Must(t, http.StatusOK, "Check your mail")
		if n := s.applications(); n != 1 {
			t.Fatalf("%d applications, want 1", n)
		}
		mails := s.Mail("twice@example.org")
		if !strings.Contains(mails[len(mails)-1].Subject, "You have applied already") {
			t.Fatalf("last mail: %q", mails[len(mails)-1].Subject)
		}
		fresh := s.mailedPath("twice@example.org", false)
		c.Get(old).Must(t, http.StatusNotFound)
		c.Get(fresh).Must(t, http.StatusOK, "Harbour Film Collective")
	})
}

// Mistakes, tampered links and junk get a clear message, store nothing,
// and never a 500.
func TestBadInput(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.Client()
		bad := answers("not-an-address")
		bad.Set("a_country", "XX")
		bad.Set("a_role", "7")
		bad.Set("a_film_link", "javascript:alert(1)")
		bad.Del("consent")
		bad.Del("work_language")
		c.Post(applyURL, s.form(c, bad)).Must(t, http.StatusUnprocessableEntity, "Give an email address we can write to.",
			"Choose a country from the list.", "Give a full web address", "Choose the language of your work.", "Please agree to the consent text")
		missing := answers("someone@example.org")
		missing.Del("a_film_link")
		missing.Del("a_name")
		c.Post(applyURL, s.form(c, missing)).Must(t, http.StatusUnprocessableEntity, "This field is required")
		if n := s.applications(); n != 0 {
			t.Fatalf("%d applications stored from bad forms", n)
		}
		manage := s.applyAndConfirm(c, "tamper@example.org")
		// A change must keep a required file field answered.
		noFilm := answers("")
		noFilm.Del("a_film_link")
		c.Post(manage, noFilm).Must(t, http.StatusUnprocessableEntity, "Send a file or give a link.")
		token := manage[strings.LastIndex(manage, "/")+1:]
		tampered := manage[:len(manage)-1] + map[bool]string{true: "B", false: "A"}[token[42] == 'A']
		for _, path := range []string{tampered, "/en/application/manage/short", "/en/application/confirm/" + token, "/en/application/manage/%00"} {
			if r := c.Get(path); r.Status >= 500 || r.Status == http.StatusOK {
				t.Fatalf("GET %s: %d", path, r.Status)
			}
		}
		for _, path := range []string{tampered, tampered + "/withdraw", "/en/application/confirm/" + strings.Repeat("x", 43)} {
			if r := c.Post(path, url.Values{"a_name": {"Mallory"}}); r.Status != http.StatusNotFound {
				t.Fatalf("POST %s: %d", path, r.Status)
			}
		}
		if n := s.applications(); n != 1 {
			t.Fatalf("%d applications, want the one confirmed", n)
		}
		c.Get("/en/calls/apply/no-such-call").Must(t, http.StatusNotFound)
	})
}

// The deadline holds to the second in the call's zone, across a change
// of daylight-saving time: on the night Paris moves its clocks back,
// 02:30 happens twice. A call closing at the first 02:30 (CEST) takes an
// application a second before, refuses one at the instant, and still
// refuses one at 02:29:59 the second time round (CET), when a clock on
// the wall says the deadline has not come; a private page refuses
// changes after it.
func TestDeadlineAtDSTChange(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		paris, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			t.Fatal(err)
		}
		// 2031-10-26 is the last Sunday of October: at 03:00 CEST the
		// clocks go back to 02:00 CET.
		closes := time.Date(2031, 10, 26, 0, 30, 0, 0, time.UTC)
		if wall := closes.In(paris).Format("15:04 MST"); wall != "02:30 CEST" {
			t.Fatalf("the deadline is %s in Paris, want 02:30 CEST", wall)
		}
		again := closes.Add(time.Hour - time.Second)
		if wall := again.In(paris).Format("15:04:05 MST"); wall != "02:29:59 CET" {
			t.Fatalf("an hour later is %s in Paris, want 02:29:59 CET", wall)
		}
		if _, err := s.App.DB.ExecContext(ctx, `UPDATE calls SET opens_at = ?, closes_at = ? WHERE entry_id = ?`,
			closes.Add(-30*24*time.Hour).Unix(), closes.Unix(), s.entryID); err != nil {
			t.Fatal(err)
		}
		s.App.Calls.Now = func() time.Time { return closes.Add(-time.Second) }
		c := s.Client()
		manage := s.applyAndConfirm(c, "early@example.org")
		form := s.form(c, answers("late@example.org"))
		late := s.form(c, answers("later@example.org"))
		s.App.Calls.Now = func() time.Time { return closes }
		c.Post(applyURL, form).Must(t, http.StatusConflict, "This call is not taking applications now.")
		s.App.Calls.Now = func() time.Time { return again }
		c.Post(applyURL, late).Must(t, http.StatusConflict, "This call is not taking applications now.")
		if n := s.applications(); n != 1 {
			t.Fatalf("%d applications, want the one in time", n)
		}
		changed := answers("")
		changed.Set("a_name", "Too late")
		c.Post(manage, changed).Must(t, http.StatusConflict, "This call is not taking applications now.")
		c.Get(manage).Must(t, http.StatusOK, "The deadline has passed")
		c.Get(callURL).Must(t, http.StatusOK, "This call is closed.")
	})
}
