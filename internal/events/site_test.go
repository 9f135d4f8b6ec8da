package events_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app/apptest"
	"peerpress/internal/events"
	"peerpress/internal/web/webtest"
)

// The demo's webinar open for registration, its page and its form.
const (
	slug     = "webinar-naloxone-in-the-hands-of-peers"
	eventURL = "/en/events/" + slug
	register = "/en/events/register/" + slug
)

// site is apptest's site (the demo, mail going to a real SMTP server,
// the app's guard until UseGuard replaces it) with the demo webinar.
type site struct {
	*apptest.Site
	entryID int64
	starts  time.Time
}

// run runs fn on a new site on each engine.
func run(t *testing.T, fn func(t *testing.T, s *site)) {
	t.Helper()
	apptest.Run(t, apptest.Options{}, func(t *testing.T, a *apptest.Site) {
		e, err := a.App.Content.BySlug(context.Background(), "en", slug)
		if err != nil {
			t.Fatal(err)
		}
		info, ok := events.InfoOf(e)
		if !ok {
			t.Fatal("the demo's webinar has no time")
		}
		fn(t, &site{Site: a, entryID: e.ID, starts: info.StartsAt})
	})
}

// registrations counts the stored registrations of the test event.
func (s *site) registrations() int {
	s.T.Helper()
	var n int
	if err := s.App.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM registrations WHERE entry_id = ?`, s.entryID).Scan(&n); err != nil {
		s.T.Fatal(err)
	}
	return n
}

func (s *site) adminBase() string {
	return "/admin/entries/" + strconv.FormatInt(s.entryID, 10) + "/registrants"
}

// client is a visitor of the test site, with the registration form's
// steps.
type client struct {
	*webtest.Client
	site *site
}

func (s *site) client() *client { return &client{Client: s.Client(), site: s} }

// form fetches the registration page as a browser would, waits as a
// person would, and returns the guard's fields with the answers; with
// proof, it also does pow.js's work.
func (c *client) form(proof bool, answers url.Values) url.Values {
	c.T.Helper()
	bits := 0
	if proof {
		bits = apptest.QuickGuard().Difficulty
	}
	return c.GuardedForm(register, bits, apptest.FormWait, answers)
}

// answers fills the demo webinar's form.
func answers(email, name string) url.Values {
	return url.Values{"name": {name}, "email": {email}, "q0": {"Coastal Harm Reduction Trust"}, "q1": {"ru"}, "q2": {"Africa"},
		"q3": {""}, "q4": {"yes"}, "consent": {"yes"}}
}

var pathRe = regexp.MustCompile(`https?://[^/\s]+(/[a-z]{2}/registration/(confirm|manage)/[A-Za-z0-9_-]+)`)

// mailPath finds the path of the confirmation or manage link in a mail
// text, failing the test when there is none or more than one.
func mailPath(t testing.TB, text, kind string) string {
	t.Helper()
	var found []string
	for _, m := range pathRe.FindAllStringSubmatch(text, -1) {
		if m[2] == kind {
			found = append(found, m[1])
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d %s links, want 1, in:\n%s", len(found), kind, text)
	}
	return found[0]
}

// registerAndConfirm registers with proof of work and confirms through
// the mailed link; it returns the manage page's path.
func (c *client) registerAndConfirm(email, name string) string {
	c.T.Helper()
	c.Post(register, c.form(true, answers(email, name))).Must(c.T, http.StatusOK, "Check your mail")
	return c.confirmMailed(email)
}

// confirmMailed follows the confirmation link mailed to email last and
// presses the button; it returns the manage page's path.
func (c *client) confirmMailed(email string) string {
	c.T.Helper()
	mails := c.site.Mail(email)
	if len(mails) == 0 {
		c.T.Fatalf("no mail to %s", email)
	}
	r := c.Post(mailPath(c.T, mails[len(mails)-1].Text, "confirm"), nil)
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/en/registration/manage/") {
		c.T.Fatalf("confirming %s: %d %q", email, r.Status, r.Location)
	}
	return strings.TrimSuffix(r.Location, "?confirmed=1")
}
