package updates_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/updates"
	"peerpress/internal/web/webtest"
)

const subscribeURL = "/en/updates/subscribe"

// run runs fn on a new demo site on each engine, with a guard quick
// enough for tests.
func run(t *testing.T, fn func(t *testing.T, s *apptest.Site)) {
	t.Helper()
	runIn(t, "UTC", fn)
}

// runIn is run on a site whose zone is zone.
func runIn(t *testing.T, zone string, fn func(t *testing.T, s *apptest.Site)) {
	t.Helper()
	guard := apptest.QuickGuard()
	apptest.Run(t, apptest.Options{Guard: &guard, Config: func(c *app.Config) { c.TimeZone = zone }}, func(t *testing.T, s *apptest.Site) {
		// The demo's members come through a job; these tests count their own.
		if _, err := s.App.DB.ExecContext(context.Background(), `DELETE FROM jobs WHERE kind = ?`, updates.SeedKind); err != nil {
			t.Fatal(err)
		}
		fn(t, s)
	})
}

// subscribeForm opens the subscribe page in lang as a browser would and
// returns its guard's fields with the answers.
func subscribeForm(c *webtest.Client, lang string, answers url.Values) url.Values {
	return c.GuardedForm("/"+lang+"/updates/subscribe", apptest.QuickGuard().Difficulty, apptest.FormWait, answers)
}

var (
	confirmRe = regexp.MustCompile(`https?://[^/\s]+(/[a-z]{2}/updates/confirm/[A-Za-z0-9_-]{43})`)
	manageRe  = regexp.MustCompile(`https?://[^/\s]+(/[a-z]{2}/updates/manage/[0-9]+\.[A-Za-z0-9_-]{43})`)
)

// mailed finds the one link re matches in the last mail to addr.
func mailed(t *testing.T, s *apptest.Site, addr string, re *regexp.Regexp) string {
	t.Helper()
	mails := s.Mail(addr)
	if len(mails) == 0 {
		t.Fatalf("no mail to %s", addr)
	}
	text := mails[len(mails)-1].Text
	m := re.FindAllStringSubmatch(text, -1)
	if len(m) != 1 {
		t.Fatalf("%d links %s in:\n%s", len(m), re, text)
	}
	return m[0][1]
}

// subscribeAndConfirm subscribes addr in lang through the form, confirms
// by the mailed link and returns the private page's path.
func subscribeAndConfirm(t *testing.T, s *apptest.Site, c *webtest.Client, addr, lang string, more url.Values) string {
	t.Helper()
	v := url.Values{"email": {addr}, "lang": {lang}, "consent": {"yes"}}
	for k, vs := range more {
		v[k] = vs
	}
	c.Post("/"+lang+"/updates/subscribe", subscribeForm(c, lang, v)).Must(t, http.StatusOK, strings.ToLower(addr))
	r := c.Post(mailed(t, s, strings.ToLower(addr), confirmRe), nil)
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "/updates/manage/") {
		t.Fatalf("confirming: %d %q", r.Status, r.Location)
	}
	return strings.TrimSuffix(r.Location, "?confirmed=1")
}

func count(t *testing.T, s *apptest.Site, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.App.DB.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A visitor subscribes without an account: the page says there is no
// tracking, nothing counts until the mailed link is followed (a button,
// not the GET alone), the address is stored sealed, and the welcome
// carries the private page.
func TestSubscribeDoubleOptIn(t *testing.T) {
	run(t, func(t *testing.T, s *apptest.Site) {
		c := s.Client()
		// Every public page's footer leads to the form, address filled in.
		c.Get("/fr/").Must(t, http.StatusOK, `<form class="footer-subscribe" method="get" action="/fr/updates/subscribe">`, `name="email"`)
		r := c.Get(subscribeURL + "?email=ana%40example.org")
		r.Must(t, http.StatusOK, "no tracking pixel", `value="ana@example.org"`, `name="lang2"`, `name="topic" value="event"`, `name="text_only"`)
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Fatalf("the form's page is cacheable: %q", cc)
		}
		form := url.Values{"email": {"Ana@Example.org"}, "lang": {"fr"}, "lang2": {"es"}, "topic": {"event", "publication"}, "consent": {"yes"}}
		c.Post(subscribeURL, subscribeForm(c, "en", form)).Must(t, http.StatusOK, "Check your mail", "ana@example.org")
		if n := count(t, s, `SELECT COUNT(*) FROM subscribers WHERE status = 'pending'`); n != 1 {
			t.Fatalf("%d pending subscribers, want 1", n)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM subscribers WHERE email LIKE '%example.org%' OR email_hash LIKE '%example%'`); n != 0 {
			t.Fatal("the address is stored in the clear")
		}
		// The confirmation mail is in the language chosen for the updates.
		mails := s.Mail("ana@example.org")
		if len(mails) != 1 || !strings.Contains(mails[0].Subject, "Confirmez") {
			t.Fatalf("confirmation mail: %+v", mails)
		}
		confirm := mailed(t, s, "ana@example.org", confirmRe)
		c.Get(confirm).Must(t, http.StatusOK, "<form method=\"post\"")
		if n := count(t, s, `SELECT COUNT(*) FROM subscribers WHERE status = 'active'`); n != 0 {
			t.Fatal("opening the link confirmed the subscription: a mail scanner would subscribe people")
		}
		r = c.Post(confirm, nil)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("confirm: %d", r.Status)
		}
		manage := mailed(t, s, "ana@example.org", manageRe)
		if !strings.HasPrefix(r.Location, manage) {
			t.Fatalf("confirmed to %q, the welcome links %q", r.Location, manage)
		}
		c.Get(r.Location).Must(t, http.StatusOK, "ana@example.org", `value="fr" selected`, `value="es" selected`, `value="event" checked`)
		// A confirmation link works once.
		c.Post(confirm, nil).Must(t, http.StatusNotFound)
		if n := count(t, s, `SELECT COUNT(*) FROM subscribers WHERE status = 'active' AND consent_source = 'form' AND consent_at > 0`); n != 1 {
			t.Fatalf("%d active subscribers with their consent, want 1", n)
		}
	})
}

// Bad input brings the form back with the reason and changes nothing.
func TestSubscribeBadInput(t *testing.T) {
	run(t, func(t *testing.T, s *apptest.Site) {
		c := s.Client()
		for _, tc := range []struct {
			form url.Values
			want string
		}{
			{url.Values{"email": {"not an address"}, "lang": {"en"}, "consent": {"yes"}}, "Enter one email address"},
			{url.Values{"email": {"a@example.org\r\nBcc: b@example.org"}, "lang": {"en"}, "consent": {"yes"}}, "Enter one email address"},
			{url.Values{"email": {"Ana <a@example.org>"}, "lang": {"en"}, "consent": {"yes"}}, "Enter one email address"},
			{url.Values{"email": {"a@example.org"}, "lang": {"xx"}, "consent": {"yes"}}, "Choose one of the site"},
			{url.Values{"email": {"a@example.org"}, "lang": {"en"}, "topic": {"secret"}, "consent": {"yes"}}, "Choose topics from the list"},
			{url.Values{"email": {"a@example.org"}, "lang": {"en"}}, "Tick the box"},
		} {
			c.Post(subscribeURL, subscribeForm(c, "en", tc.form)).Must(t, http.StatusUnprocessableEntity, tc.want)
		}
		// Without the guard's fields: refused, nothing stored.
		r := c.Post(subscribeURL, url.Values{"email": {"bot@example.org"}, "lang": {"en"}, "consent": {"yes"}})
		if r.Status == http.StatusOK {
			t.Fatalf("a form without the guard's proof was taken")
		}
		if n := count(t, s, `SELECT COUNT(*) FROM subscribers`); n != 0 {
			t.Fatalf("%d subscribers after bad input", n)
		}
		if m := s.SMTP.Messages(); len(m) != 0 {
			t.Fatalf("%d mails after bad input", len(m))
		}
	})
}

// Subscribing twice tells the page nothing new: the address gets its
// private link by mail, and there is still one subscriber.
func TestSubscribeTwice(t *testing.T) {
	run(t, func(t *testing.T, s *apptest.Site) {
		c := s.Client()
		manage := subscribeAndConfirm(t, s, c, "twice@example.org", "en", nil)
		c.Post(subscribeURL, subscribeForm(c, "en", url.Values{"email": {"TWICE@example.org"}, "lang": {"en"}, "consent": {"yes"}})).
			Must(t, http.StatusOK, "Check your mail")
		if n := count(t, s, `SELECT COUNT(*) FROM subscribers`); n != 1 {
			t.Fatalf("%d subscribers, want 1", n)
		}
		mails := s.Mail("twice@example.org")
		if got := mails[len(mails)-1].Subject; got != "You are already subscribed" {
			t.Fatalf("last mail: %q", got)
		}
		if got := mailed(t, s, "twice@example.org", manageRe); got != manage {
			t.Fatalf("private link %q, want the same %q", got, manage)
		}
	})
}

// The private page changes the language, topics, plain text and pause;
// unsubscribing removes the address; erasing leaves only the keyed hash;
// a forged link opens nothing.
func TestManageUnsubscribeErase(t *testing.T) {
	run(t, func(t *testing.T, s *apptest.Site) {
		c := s.Client()
		manage := subscribeAndConfirm(t, s, c, "mo@example.org", "en", url.Values{"topic": {"event"}})
		r := c.Post(manage, url.Values{"lang": {"ru"}, "lang2": {"en"}, "topic": {"article"}, "text_only": {"1"}, "paused": {"1"}})
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/ru/updates/manage/") {
			t.Fatalf("save: %d %q", r.Status, r.Location)
		}
		c.Get(r.Location).Must(t, http.StatusOK, `value="ru" selected`, `value="article" checked`, `name="text_only" value="1" checked`, `name="paused" value="1" checked`)
		if n := count(t, s, `SELECT COUNT(*) FROM subscribers WHERE status = 'paused' AND text_only = 1 AND topics = 'article' AND lang = 'ru' AND lang2 = 'en'`); n != 1 {
			t.Fatal("the choices were not saved")
		}
		// Bad choices change nothing.
		c.Post(manage, url.Values{"lang": {"zz"}}).Must(t, http.StatusUnprocessableEntity, "Choose one of the site")
		// A forged link: another id, or the right id with another mac.
		id, mac, _ := strings.Cut(strings.TrimPrefix(manage, "/en/updates/manage/"), ".")
		c.Get("/en/updates/manage/"+id+"."+strings.Repeat("A", 43)).Must(t, http.StatusNotFound, "This link does not work")
		c.Get("/en/updates/manage/9"+id+"."+mac).Must(t, http.StatusNotFound)
		c.Get("/en/updates/manage/junk").Must(t, http.StatusNotFound)

		c.Post(manage+"/unsubscribe", nil).Must(t, http.StatusOK, "You are unsubscribed")
		if n := count(t, s, `SELECT COUNT(*) FROM subscribers WHERE status = 'unsubscribed' AND email = ''`); n != 1 {
			t.Fatal("unsubscribed, the address is still kept")
		}
		c.Get(manage).Must(t, http.StatusOK, "You are unsubscribed")
		c.Post(manage+"/erase", nil).Must(t, http.StatusOK, "Your address is erased")
		var hash, email, lang, source string
		var consent int64
		if err := s.App.DB.QueryRowContext(context.Background(), `SELECT email_hash, email, lang, consent_source, consent_at FROM subscribers`).
			Scan(&hash, &email, &lang, &source, &consent); err != nil {
			t.Fatal(err)
		}
		if hash == "" || email != "" || lang != "" || source != "" || consent != 0 {
			t.Fatalf("after erasure: hash %q email %q lang %q source %q consent %d", hash, email, lang, source, consent)
		}
		c.Get(manage).Must(t, http.StatusNotFound)
		// The person may come back on their own, by confirming again.
		subscribeAndConfirm(t, s, c, "mo@example.org", "en", nil)
		c.Get(manage).Must(t, http.StatusNotFound) // the old link stays dead
	})
}
