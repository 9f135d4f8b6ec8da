package events_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/db"
	"peerpress/internal/demo"
	"peerpress/internal/events"
	"peerpress/internal/guard"
	"peerpress/internal/mail/mailtest"
	"peerpress/internal/web/webtest"
)

// The demo's webinar open for registration, its page and its form.
const (
	slug     = "webinar-naloxone-in-the-hands-of-peers"
	eventURL = "/en/events/" + slug
	register = "/en/events/register/" + slug
)

// site is peerpress over a test database with the demo content, mail
// going to a real SMTP server; its guard is the app's until useGuard
// replaces it.
type site struct {
	t       *testing.T
	srv     *httptest.Server
	app     *app.App
	smtp    *mailtest.Server
	login   *demo.Login
	entryID int64
	starts  time.Time
	test    *apptest.Site
}

func newSite(t *testing.T, d *db.DB) *site {
	t.Helper()
	a := apptest.New(t, d, apptest.Options{})
	e, err := a.App.Content.BySlug(context.Background(), "en", slug)
	if err != nil {
		t.Fatal(err)
	}
	info, ok := events.InfoOf(e)
	if !ok {
		t.Fatal("the demo's webinar has no time")
	}
	return &site{t: t, srv: a.Server, app: a.App, smtp: a.SMTP, login: a.Login, entryID: e.ID, starts: info.StartsAt, test: a}
}

// quickGuard is a guard for tests: 30 ms is old enough, 8 bits of proof
// of work, and no rate limit to speak of.
var quickGuard = guard.Options{MinDelay: 30 * time.Millisecond, Difficulty: 8, Rate: 1000, Burst: 1000}

// useGuard puts a guard with these options in service.
func (s *site) useGuard(opt guard.Options) { s.test.UseGuard(opt) }

// deliver runs queued jobs (mail) until none is left.
func (s *site) deliver() { s.test.RunJobs() }

// mailTo returns the decoded mail that reached addr.
func (s *site) mailTo(addr string) []mailtest.Message { return s.test.Mail(addr) }

// registrations counts the stored registrations of the test event.
func (s *site) registrations() int {
	s.t.Helper()
	var n int
	if err := s.app.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM registrations WHERE entry_id = ?`, s.entryID).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

func (s *site) adminBase() string {
	return "/admin/entries/" + strconv.FormatInt(s.entryID, 10) + "/registrants"
}

// client is a browser-like visitor of the test site.
type client struct {
	*webtest.Client
	t    *testing.T
	site *site
}

func (s *site) client() *client {
	return &client{Client: webtest.NewClient(s.t, s.srv.URL), t: s.t, site: s}
}

// form fetches the registration page as a browser would, waits as a
// person would, and returns the guard's fields with the answers; with
// proof, it also does pow.js's work.
func (c *client) form(proof bool, answers url.Values) url.Values {
	c.t.Helper()
	r := c.Get(register)
	r.Must(c.t, http.StatusOK)
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		c.t.Fatalf("registration page Cache-Control %q: a cached page would share its challenge", cc)
	}
	bits := 0
	if proof {
		bits = quickGuard.Difficulty
	}
	v := webtest.GuardFields(c.t, r.Body, bits)
	for k, vs := range answers {
		v[k] = vs
	}
	time.Sleep(40 * time.Millisecond)
	return v
}

// answers fills the demo webinar's form.
func answers(email, name string) url.Values {
	return url.Values{"name": {name}, "email": {email}, "q0": {"Coastal Harm Reduction Trust"}, "q1": {"ru"}, "q2": {"Africa"},
		"q3": {""}, "q4": {"yes"}, "consent": {"yes"}}
}

var pathRe = regexp.MustCompile(`https?://[^/\s]+(/[a-z]{2}/registration/(confirm|manage)/[A-Za-z0-9_-]+)`)

// mailPath finds the path of the confirmation or manage link in a mail
// text, failing the test when there is none or more than one.
func mailPath(t *testing.T, text, kind string) string {
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
	c.t.Helper()
	c.Post(register, c.form(true, answers(email, name))).Must(c.t, http.StatusOK, "Check your mail")
	return c.confirmMailed(email)
}

// confirmMailed follows the confirmation link mailed to email last and
// presses the button; it returns the manage page's path.
func (c *client) confirmMailed(email string) string {
	c.t.Helper()
	mails := c.site.mailTo(email)
	if len(mails) == 0 {
		c.t.Fatalf("no mail to %s", email)
	}
	r := c.Post(mailPath(c.t, mails[len(mails)-1].Text, "confirm"), nil)
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/en/registration/manage/") {
		c.t.Fatalf("confirming %s: %d %q", email, r.Status, r.Location)
	}
	return strings.TrimSuffix(r.Location, "?confirmed=1")
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn signs the demo admin in and returns a CSRF token.
func (c *client) signIn() string {
	c.t.Helper()
	l := c.site.login
	r := c.Post("/admin/login", url.Values{"email": {l.Email}, "password": {l.Password}, "next": {"/admin/entries"}})
	if r.Status != http.StatusSeeOther {
		c.t.Fatalf("sign in: status %d", r.Status)
	}
	m := csrfRe.FindStringSubmatch(c.Get("/admin/entries").Body)
	if m == nil {
		c.t.Fatal("no csrf token on /admin/entries")
	}
	return m[1]
}
