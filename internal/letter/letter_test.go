package letter_test

import (
	"context"
	"encoding/csv"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app"
	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/demo"
	"peerpress/internal/guard"
	"peerpress/internal/letter"
	"peerpress/internal/mail"
	"peerpress/internal/mail/mailtest"
	"peerpress/internal/secret"
)

// The statement the tests open for signatures (demo content).
const (
	slug      = "joint-statement-health-and-dignity-not-punishment"
	statement = "/en/statements/" + slug
)

// site is peerpress over a test database with the demo content, mail
// going to a real SMTP server, and a guard quick enough for tests.
type site struct {
	t       *testing.T
	srv     *httptest.Server
	app     *app.App
	smtp    *mailtest.Server
	login   *demo.Login
	entryID int64
}

func newSite(t *testing.T, d *db.DB) *site {
	t.Helper()
	ctx := context.Background()
	smtp := mailtest.Start(t)
	cfg := app.Config{DataDir: t.TempDir(), SiteName: "Test Network", Languages: []string{"en", "ru", "fr", "es", "hi", "ar"},
		TimeZone: "UTC", SiteKey: secret.NewKey(), Mail: mail.Config{URL: smtp.URL(), From: "network@example.org"}}
	login, err := demo.Load(ctx, d, cfg.Languages)
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	a, err := app.New(ctx, cfg, d)
	if err != nil {
		t.Fatalf("app: %v", err)
	}
	a.Guard = guard.New([]byte("test key"), guard.Options{MinDelay: 30 * time.Millisecond, Difficulty: 8, Rate: 1000, Burst: 1000})
	if err := a.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)
	e, err := a.Content.BySlug(ctx, "en", slug)
	if err != nil {
		t.Fatal(err)
	}
	return &site{t: t, srv: srv, app: a, smtp: smtp, login: login, entryID: e.ID}
}

// open sets the test statement's signing settings.
func (s *site) open(l letter.Letter) {
	s.t.Helper()
	l.EntryID = s.entryID
	if err := s.app.Letters.SaveLetter(context.Background(), l); err != nil {
		s.t.Fatal(err)
	}
}

// drain runs queued jobs (mail) until none is left.
func (s *site) drain() {
	s.t.Helper()
	for {
		ran, err := s.app.Jobs.RunOnce(context.Background())
		if err != nil {
			s.t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}

// mailTo returns the decoded text of the mails that reached addr.
func (s *site) mailTo(addr string) []string {
	s.t.Helper()
	s.drain()
	var out []string
	for _, m := range s.smtp.To(addr) {
		_, body, _ := strings.Cut(strings.ReplaceAll(m.Data, "\r\n", "\n"), "\n\n")
		if strings.Contains(m.Data, "quoted-printable") {
			b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
			if err != nil {
				s.t.Fatal(err)
			}
			body = string(b)
		}
		out = append(out, body)
	}
	return out
}

var linkRe = regexp.MustCompile(`https?://[^/\s]+(/[a-z]{2}/signatures/(verify|withdraw)/[A-Za-z0-9_-]+)`)

// links reads the confirmation and withdrawal paths out of a mail.
func links(t *testing.T, body string) (verify, withdraw string) {
	t.Helper()
	for _, m := range linkRe.FindAllStringSubmatch(body, -1) {
		if m[2] == "verify" {
			verify = m[1]
		} else {
			withdraw = m[1]
		}
	}
	if withdraw == "" {
		t.Fatalf("no withdrawal link in:\n%s", body)
	}
	return verify, withdraw
}

func (s *site) rows() int {
	s.t.Helper()
	var n int
	if err := s.app.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM signatures WHERE entry_id = ?`, s.entryID).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

type client struct {
	t    *testing.T
	site *site
	http *http.Client
}

func (s *site) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: s.t, site: s, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, body: string(b), location: res.Header.Get("Location"), header: res.Header}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.site.srv.URL+path, nil)
	return c.do(req)
}

func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.site.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (r response) must(t *testing.T, status int, contains ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body:\n%s", r.status, status, snippet(r.body))
	}
	for _, s := range contains {
		if !strings.Contains(r.body, s) {
			t.Fatalf("body lacks %q:\n%s", s, snippet(r.body))
		}
	}
}

func (r response) mustNot(t *testing.T, absent ...string) {
	t.Helper()
	for _, s := range absent {
		if strings.Contains(r.body, s) {
			t.Fatalf("body contains %q:\n%s", s, snippet(r.body))
		}
	}
}

func snippet(s string) string {
	if i := strings.Index(s, "<main"); i > 0 {
		s = s[i:]
	}
	if len(s) > 4000 {
		return s[:4000] + "…"
	}
	return s
}

var challengeRe = regexp.MustCompile(`name="guard_challenge" value="([^"]+)"`)

// form fetches the signing page as a browser would, waits as a person
// would, and returns the guard's fields with the given answers; with
// proof, it also does pow.js's work.
func (c *client) form(proof bool, answers url.Values) url.Values {
	c.t.Helper()
	r := c.get(statement + "/sign")
	r.must(c.t, http.StatusOK)
	if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		c.t.Fatalf("sign page Cache-Control %q: a cached page would share its challenge", cc)
	}
	m := challengeRe.FindStringSubmatch(r.body)
	if m == nil {
		c.t.Fatalf("no challenge on the sign page:\n%s", snippet(r.body))
	}
	v := url.Values{"guard_challenge": {m[1]}, "guard_note": {""}}
	if proof {
		for n := 0; ; n++ {
			if guard.ValidProof(m[1], strconv.Itoa(n), 8) {
				v.Set("guard_proof", strconv.Itoa(n))
				break
			}
		}
	}
	for k, vs := range answers {
		v[k] = vs
	}
	time.Sleep(40 * time.Millisecond)
	return v
}

func org(name, country, email string) url.Values {
	return url.Values{"kind": {"organisation"}, "name": {name}, "org_type": {"community"}, "country": {country},
		"website": {"lakeside.example"}, "email": {email}, "consent": {"yes"}}
}

// signAndConfirm signs with proof of work and follows the mailed link;
// it returns the withdrawal path.
func (c *client) signAndConfirm(answers url.Values) string {
	c.t.Helper()
	c.post(statement+"/sign", c.form(true, answers)).must(c.t, http.StatusSeeOther)
	mails := c.site.mailTo(answers.Get("email"))
	verify, withdraw := links(c.t, mails[len(mails)-1])
	c.post(verify, nil).must(c.t, http.StatusOK)
	return withdraw
}

// A signatory signs, gets the mail at the SMTP server, confirms by the
// link, and is counted and listed under their country; the email shows
// nowhere and is sealed at rest. The private link withdraws the signature
// from every public page at once.
func TestSignConfirmWithdraw(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		s.open(letter.Letter{Open: true, Organisations: true, Individuals: true, Goal: 50})
		c := s.client()

		c.get(statement).must(t, http.StatusOK, "0 signatures", "Goal: 50 signatures", statement+"/sign")
		r := c.post(statement+"/sign", c.form(true, org("Lakeside Peer Support", "KE", "contact@lakeside.example")))
		r.must(t, http.StatusSeeOther)
		if r.location != statement+"/signed" {
			t.Fatalf("redirect to %q", r.location)
		}
		c.get(r.location).must(t, http.StatusOK, "Check your email")

		// Not confirmed yet: not counted, not listed.
		c.get(statement).must(t, http.StatusOK, "0 signatures")
		c.get(statement+"/signatures").mustNot(t, "Lakeside")

		mails := s.mailTo("contact@lakeside.example")
		if len(mails) != 1 {
			t.Fatalf("%d mails arrived", len(mails))
		}
		verify, withdraw := links(t, mails[0])
		if verify == "" || !strings.Contains(mails[0], "Health and dignity, not punishment") && !strings.Contains(mails[0], "health and dignity") {
			t.Fatalf("mail lacks the link or the letter's title:\n%s", mails[0])
		}

		// The link asks first; a mail scanner's GET confirms nothing.
		g := c.get(verify)
		g.must(t, http.StatusOK, "Confirm my signature", "Lakeside Peer Support")
		if !strings.Contains(g.header.Get("Cache-Control"), "no-store") {
			t.Fatal("confirmation page may be cached")
		}
		c.get(statement).must(t, http.StatusOK, "0 signatures")
		c.post(verify, nil).must(t, http.StatusOK, "confirmed and counted")

		page := c.get(statement)
		page.must(t, http.StatusOK, "1 signature", `value="1"`)
		list := c.get(statement + "/signatures")
		list.must(t, http.StatusOK, "Kenya", "Lakeside Peer Support", "https://lakeside.example", "Community-led organisation")
		list.mustNot(t, "contact@lakeside.example")
		list.must(t, http.StatusOK, `hreflang="ar" href="/ar/statements/bayan-mushtarak-al-siha-wal-karama/signatures"`)
		// In Arabic: the country's name in Arabic, right to left.
		ar := c.get("/ar/statements/bayan-mushtarak-al-siha-wal-karama/signatures")
		ar.must(t, http.StatusOK, `dir="rtl"`, "كينيا", "Lakeside Peer Support", "توقيع واحد (١)")
		ar.mustNot(t, "contact@lakeside.example")

		var name, email string
		if err := d.QueryRowContext(context.Background(), `SELECT name, email FROM signatures WHERE entry_id = ?`, s.entryID).Scan(&name, &email); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(email, "lakeside") || strings.Contains(name, "Lakeside") {
			t.Fatal("personal fields are stored in the clear")
		}

		// The confirmation link works once.
		c.post(verify, nil).must(t, http.StatusNotFound, "This link does not work")

		// Withdrawal: asked first, then gone at once.
		c.get(withdraw).must(t, http.StatusOK, "Withdraw my signature", "Lakeside Peer Support")
		c.get(statement+"/signatures").must(t, http.StatusOK, "Lakeside Peer Support")
		c.post(withdraw, nil).must(t, http.StatusOK, "Your signature is withdrawn")
		c.get(statement).must(t, http.StatusOK, "0 signatures")
		c.get(statement+"/signatures").mustNot(t, "Lakeside")
		if s.rows() != 0 {
			t.Fatal("the withdrawn signature is still stored")
		}
		c.post(withdraw, nil).must(t, http.StatusNotFound, "This link does not work")
	})
}

// The same organisation from the same country (however its name is
// typed) is refused with a clear message and nothing stored; the same
// email is not stored twice either: the page says nothing about who has
// signed, and the address's owner gets fresh links by mail instead.
func TestDuplicatesRefused(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		s.open(letter.Letter{Open: true, Organisations: true, Individuals: true})
		c := s.client()
		firstWithdraw := c.signAndConfirm(org("Lakeside Peer Support", "KE", "contact@lakeside.example"))

		r := c.post(statement+"/sign", c.form(true, org("lakeside peer-support ", "KE", "other@lakeside.example")))
		r.must(t, http.StatusConflict, "has already signed this letter from this country", `value="lakeside peer-support"`)
		if s.rows() != 1 {
			t.Fatalf("%d signatures stored, want 1", s.rows())
		}
		if len(s.mailTo("other@lakeside.example")) != 0 {
			t.Fatal("a refused signature sent mail")
		}
		// Another country is another organisation.
		c.post(statement+"/sign", c.form(true, org("Lakeside Peer Support", "UG", "ug@lakeside.example"))).must(t, http.StatusSeeOther)
		if s.rows() != 2 {
			t.Fatalf("%d signatures stored, want 2", s.rows())
		}

		// Same email, even as an individual: nothing new stored, new links mailed.
		again := url.Values{"kind": {"individual"}, "name": {"Somebody Else"}, "country": {"FR"}, "email": {"Contact@Lakeside.example"}, "consent": {"yes"}}
		c.post(statement+"/sign", c.form(true, again)).must(t, http.StatusSeeOther)
		if s.rows() != 2 {
			t.Fatalf("%d signatures stored after a repeated email, want 2", s.rows())
		}
		mails := s.mailTo("contact@lakeside.example")
		if len(mails) != 2 || !strings.Contains(mails[1], "already recorded") {
			t.Fatalf("want the first mail and one with fresh links, got %d:\n%s", len(mails), strings.Join(mails, "\n---\n"))
		}
		verify, withdraw := links(t, mails[1])
		if verify != "" {
			t.Fatal("a confirmed signature was sent a confirmation link again")
		}
		c.get(firstWithdraw).must(t, http.StatusNotFound) // replaced
		c.get(withdraw).must(t, http.StatusOK, "Lakeside Peer Support")
		c.get(statement+"/signatures").mustNot(t, "Somebody Else")
	})
}

// Expired and tampered links get a page that says so, and change nothing.
func TestBadLinks(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		s.open(letter.Letter{Open: true, Organisations: true})
		c := s.client()
		c.post(statement+"/sign", c.form(true, org("Lakeside Peer Support", "KE", "contact@lakeside.example"))).must(t, http.StatusSeeOther)
		verify, withdraw := links(t, s.mailTo("contact@lakeside.example")[0])

		tampered := verify[:len(verify)-3] + "AAA"
		c.get(tampered).must(t, http.StatusNotFound, "This link does not work")
		c.post(tampered, nil).must(t, http.StatusNotFound, "This link does not work")
		c.post("/en/signatures/withdraw/"+strings.Repeat("x", 500), nil).must(t, http.StatusNotFound)

		if _, err := d.ExecContext(context.Background(), `UPDATE signatures SET created_at = ? WHERE entry_id = ?`, time.Now().Add(-49*time.Hour).Unix(), s.entryID); err != nil {
			t.Fatal(err)
		}
		c.get(verify).must(t, http.StatusGone, "This link has expired", "Sign the letter again")
		c.post(verify, nil).must(t, http.StatusGone, "This link has expired")
		var status string
		if err := d.QueryRowContext(context.Background(), `SELECT status FROM signatures WHERE entry_id = ?`, s.entryID).Scan(&status); err != nil {
			t.Fatal(err)
		}
		if status != letter.Unverified {
			t.Fatalf("status %q after an expired link, want unverified", status)
		}
		// Withdrawal works at any time, even unconfirmed.
		c.post(withdraw, nil).must(t, http.StatusOK, "withdrawn")

		// Housekeeping purges what was never confirmed.
		c.post(statement+"/sign", c.form(true, org("Old Unconfirmed", "KE", "old@lakeside.example"))).must(t, http.StatusSeeOther)
		if _, err := d.ExecContext(context.Background(), `UPDATE signatures SET created_at = ? WHERE entry_id = ?`, time.Now().Add(-49*time.Hour).Unix(), s.entryID); err != nil {
			t.Fatal(err)
		}
		if n, err := s.app.Letters.PurgeUnverified(context.Background(), time.Now()); err != nil || n != 1 {
			t.Fatalf("purged %d, %v; want 1", n, err)
		}
	})
}

// Bad input gets clear messages with the form kept, and stores nothing;
// so do the guard's refusals. A submission without proof of work is
// accepted, flagged, and waits for a moderator even with moderation off.
func TestBadInputAndGuard(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		s.open(letter.Letter{Open: true, Organisations: true})
		c := s.client()

		bad := org("Lakeside Peer Support", "XX", "not-an-email")
		bad.Set("website", "javascript:alert(1)")
		bad.Del("consent")
		bad.Set("org_type", "cartel")
		r := c.post(statement+"/sign", c.form(true, bad))
		r.must(t, http.StatusUnprocessableEntity, "Choose a country from the list.", "Give an email address such as", "Give a website address",
			"Tick this box to sign", "Choose the type of organisation.", `value="Lakeside Peer Support"`, `value="not-an-email"`, `aria-invalid="true"`)
		c.post(statement+"/sign", c.form(true, org("Evil \u202eorp", "KE", "evil@example.org"))).must(t, http.StatusUnprocessableEntity, "This name cannot be used")
		individual := org("Jo Bloggs", "KE", "jo@example.org")
		individual.Set("kind", "individual")
		c.post(statement+"/sign", c.form(true, individual)).must(t, http.StatusUnprocessableEntity, "Choose whether you sign for an organisation")

		honey := c.form(true, org("Spam Corp", "KE", "spam@example.org"))
		honey.Set("guard_note", "http://spam.example")
		c.post(statement+"/sign", honey).must(t, http.StatusUnprocessableEntity, "could not be accepted", `value="Spam Corp"`)

		forged := c.form(true, org("Forger", "KE", "forger@example.org"))
		forged.Set("guard_challenge", "AAAA"+forged.Get("guard_challenge")[4:])
		c.post(statement+"/sign", forged).must(t, http.StatusUnprocessableEntity, "expired or could not be checked")

		if s.rows() != 0 {
			t.Fatalf("%d signatures stored from refused submissions", s.rows())
		}
		s.drain()
		if n := len(s.smtp.Messages()); n != 0 {
			t.Fatalf("%d mails sent for refused submissions", n)
		}

		// Replaying an accepted form is refused.
		ok := c.form(true, org("Lakeside Peer Support", "KE", "contact@lakeside.example"))
		c.post(statement+"/sign", ok).must(t, http.StatusSeeOther)
		ok.Set("email", "other@lakeside.example")
		c.post(statement+"/sign", ok).must(t, http.StatusUnprocessableEntity, "already sent")

		// No JavaScript: accepted, flagged, waiting.
		c.post(statement+"/sign", c.form(false, org("Offline Collective", "PE", "offline@example.org"))).must(t, http.StatusSeeOther)
		verify, _ := links(t, s.mailTo("offline@example.org")[0])
		c.post(verify, nil).must(t, http.StatusOK, "once a moderator has checked it")
		c.get(statement+"/signatures").mustNot(t, "Offline Collective")

		admin := s.client()
		admin.signIn(s.login.Email, s.login.Password)
		admin.get(adminPath(s)).must(t, http.StatusOK, "Offline Collective", "offline@example.org", "Sent without the browser check")

		// Too fast for a person (a guard wanting a minute, so the test
		// does not depend on the machine's speed): refused, nothing stored.
		before := s.rows()
		s.app.Guard = guard.New([]byte("test key"), guard.Options{MinDelay: time.Minute, Difficulty: 8, Rate: 1000, Burst: 1000})
		if err := s.app.Rebuild(context.Background()); err != nil {
			t.Fatal(err)
		}
		c.post(statement+"/sign", c.form(true, org("Fast Bot", "KE", "bot@example.org"))).must(t, http.StatusUnprocessableEntity, "faster than we expect", `value="Fast Bot"`)
		if s.rows() != before {
			t.Fatal("a refused submission was stored")
		}

		// The rate limit per address: the third submission in a row is
		// refused with a clear message, and nothing of it is stored.
		s.app.Guard = guard.New([]byte("test key"), guard.Options{MinDelay: 30 * time.Millisecond, Difficulty: 8, Rate: 2, Per: time.Hour, Burst: 2})
		if err := s.app.Rebuild(context.Background()); err != nil {
			t.Fatal(err)
		}
		c.post(statement+"/sign", c.form(true, org("First Org", "KE", "first@example.org"))).must(t, http.StatusSeeOther)
		c.post(statement+"/sign", c.form(true, org("Second Org", "KE", "second@example.org"))).must(t, http.StatusSeeOther)
		before = s.rows()
		c.post(statement+"/sign", c.form(true, org("Third Org", "KE", "third@example.org"))).must(t, http.StatusTooManyRequests, "Too many submissions", `value="Third Org"`)
		if s.rows() != before {
			t.Fatal("a rate-limited submission was stored")
		}
	})
}

func adminPath(s *site) string {
	return "/admin/entries/" + strconv.FormatInt(s.entryID, 10) + "/signatures"
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *client) signIn(email, password string) {
	c.t.Helper()
	r := c.post("/admin/login", url.Values{"email": {email}, "password": {password}, "next": {"/admin/entries"}})
	if r.status != http.StatusSeeOther {
		c.t.Fatalf("sign in as %s: status %d", email, r.status)
	}
}

func (c *client) csrf(path string) string {
	c.t.Helper()
	m := csrfRe.FindStringSubmatch(c.get(path).body)
	if m == nil {
		c.t.Fatalf("no csrf token on %s", path)
	}
	return m[1]
}

// With moderation on, a confirmed signature is public only once approved;
// moderators approve and reject in bulk, and may not change the settings.
func TestModeration(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		ctx := context.Background()
		s.open(letter.Letter{Open: true, Organisations: true, Moderated: true})
		c := s.client()
		c.signAndConfirm(org("Alpha Collective", "KE", "a@example.org"))
		c.signAndConfirm(org("Beta Network", "UG", "b@example.org"))
		c.signAndConfirm(org("Gamma Group", "TZ", "g@example.org"))
		c.get(statement).must(t, http.StatusOK, "0 signatures")
		c.get(statement+"/signatures").mustNot(t, "Alpha", "Beta", "Gamma")
		if n, _ := s.app.Letters.Waiting(ctx); n != 3 {
			t.Fatalf("%d waiting, want 3", n)
		}

		if _, err := s.app.Users.CreateUser(ctx, "mod@example.org", "Mo", auth.RoleModerator, "a long moderator passphrase"); err != nil {
			t.Fatal(err)
		}
		mod := s.client()
		mod.signIn("mod@example.org", "a long moderator passphrase")
		page := mod.get(adminPath(s) + "?status=waiting")
		page.must(t, http.StatusOK, "Alpha Collective", "Beta Network", "Gamma Group", "a@example.org")
		page.mustNot(t, `action="`+adminPath(s)+`/settings"`)
		csrf := csrfRe.FindStringSubmatch(page.body)[1]
		mod.get("/admin/signatures").must(t, http.StatusOK, "Joint statement")
		mod.get("/admin/moderation").must(t, http.StatusOK, "Signatures waiting", `href="/admin/signatures"`)

		ids := map[string]string{}
		for _, name := range []string{"Alpha Collective", "Beta Network", "Gamma Group"} {
			m := regexp.MustCompile(`value="(\d+)" id="pick-\d+"></td>\s*<td><label for="pick-\d+">` + name).FindStringSubmatch(page.body)
			if m == nil {
				t.Fatalf("no checkbox for %s", name)
			}
			ids[name] = m[1]
		}
		mod.post(adminPath(s)+"/moderate", url.Values{"csrf": {csrf}, "action": {"approve"}, "id": {ids["Alpha Collective"], ids["Beta Network"]}}).must(t, http.StatusSeeOther)
		mod.post(adminPath(s)+"/moderate", url.Values{"csrf": {csrf}, "action": {"reject"}, "id": {ids["Gamma Group"]}}).must(t, http.StatusSeeOther)
		c.get(statement).must(t, http.StatusOK, "2 signatures")
		list := c.get(statement + "/signatures")
		list.must(t, http.StatusOK, "Alpha Collective", "Beta Network")
		list.mustNot(t, "Gamma Group")
		// Nothing selected, or an unknown action: a clear refusal.
		mod.post(adminPath(s)+"/moderate", url.Values{"csrf": {csrf}, "action": {"approve"}}).must(t, http.StatusBadRequest, "Tick at least one")
		mod.post(adminPath(s)+"/moderate", url.Values{"csrf": {csrf}, "action": {"publish-all"}, "id": {ids["Gamma Group"]}}).must(t, http.StatusBadRequest)

		// Moderators moderate; they do not change the letter.
		mod.post(adminPath(s)+"/settings", url.Values{"csrf": {csrf}, "open": {"1"}, "organisations": {"1"}}).must(t, http.StatusForbidden)
		// Editors' settings: closing the letter stops signing.
		admin := s.client()
		admin.signIn(s.login.Email, s.login.Password)
		acsrf := admin.csrf(adminPath(s))
		admin.post(adminPath(s)+"/settings", url.Values{"csrf": {acsrf}, "open": {"1"}, "goal": {"lots"}}).
			must(t, http.StatusUnprocessableEntity, "Give a whole number", "Allow organisations, individuals or both")
		past := time.Now().Add(-time.Hour).UTC().Format("2006-01-02T15:04")
		admin.post(adminPath(s)+"/settings", url.Values{"csrf": {acsrf}, "open": {"1"}, "organisations": {"1"}, "closes_at": {past}}).must(t, http.StatusSeeOther)
		c.get(statement).must(t, http.StatusOK, "Signing closed on", "2 signatures")
		c.get(statement+"/sign").must(t, http.StatusOK, "does not take signatures")
		c.post(statement+"/sign", url.Values{"name": {"Late"}}).must(t, http.StatusConflict)
		if got := admin.get("/admin/entries/" + strconv.FormatInt(s.entryID, 10)); !strings.Contains(got.body, adminPath(s)) {
			t.Fatal("the entry editor does not link to the signatures page")
		}
	})
}

// Staff can merge two signatures of one signer, and export every
// signature as CSV, with what the public typed defused for spreadsheets.
func TestMergeAndExport(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		s.open(letter.Letter{Open: true, Organisations: true})
		c := s.client()
		c.signAndConfirm(org("Lakeside Peer Support", "KE", "ke@lakeside.example"))
		c.signAndConfirm(org("Lakeside Peer Support", "UG", "ug@lakeside.example"))
		c.signAndConfirm(org("=HYPERLINK(\"http://evil.example\")", "TZ", "formula@example.org"))

		admin := s.client()
		admin.signIn(s.login.Email, s.login.Password)
		page := admin.get(adminPath(s))
		page.must(t, http.StatusOK, "Looks like #")
		m := regexp.MustCompile(`name="merge" value="(\d+-\d+)"`).FindStringSubmatch(page.body)
		if m == nil {
			t.Fatal("no merge button")
		}
		csrf := csrfRe.FindStringSubmatch(page.body)[1]
		admin.post(adminPath(s)+"/merge", url.Values{"csrf": {csrf}, "merge": {m[1]}}).must(t, http.StatusSeeOther)
		if s.rows() != 2 {
			t.Fatalf("%d signatures after the merge, want 2", s.rows())
		}
		admin.post(adminPath(s)+"/merge", url.Values{"csrf": {csrf}, "merge": {m[1]}}).must(t, http.StatusBadRequest, "no longer exists")
		c.get(statement).must(t, http.StatusOK, "2 signatures")

		r := admin.get(adminPath(s) + ".csv")
		r.must(t, http.StatusOK)
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(r.header.Get("Cache-Control"), "no-store") {
			t.Fatalf("CSV headers: %v", r.header)
		}
		records, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(records) != 3 || records[0][3] != "name" || records[0][8] != "email" {
			t.Fatalf("CSV:\n%s", r.body)
		}
		var sawFormula bool
		for _, rec := range records[1:] {
			if rec[3] == "'=HYPERLINK(\"http://evil.example\")" {
				sawFormula = true
			}
			if rec[1] != letter.Approved || !strings.Contains(rec[8], "@") {
				t.Fatalf("CSV row %v", rec)
			}
		}
		if !sawFormula {
			t.Fatalf("formula not defused:\n%s", r.body)
		}
		// Not for the public, nor for authors of other entries.
		s.client().get(adminPath(s)+".csv").mustNot(t, "ke@lakeside.example")
		if _, err := s.app.Users.CreateUser(context.Background(), "author@example.org", "Au", auth.RoleAuthor, "a long author passphrase"); err != nil {
			t.Fatal(err)
		}
		author := s.client()
		author.signIn("author@example.org", "a long author passphrase")
		author.get(adminPath(s)).must(t, http.StatusForbidden)
		author.get(adminPath(s)+".csv").must(t, http.StatusForbidden)
		author.get("/admin/signatures").must(t, http.StatusForbidden)
	})
}

// The demo's open letter gets its invented signatories from a job the
// server runs with the site key: sealed, approved, listed by country.
func TestDemoSeed(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		ctx := context.Background()
		if _, err := d.ExecContext(ctx, `UPDATE jobs SET run_at = 0 WHERE kind = ?`, letter.SeedKind); err != nil {
			t.Fatal(err)
		}
		s.drain()
		c := s.client()
		const demoLetter = "/en/statements/joint-statement-hepatitis-c-cure-not-a-luxury"
		c.get(demoLetter).must(t, http.StatusOK, "43 signatures", "36 organisations", "7 individuals", "Goal: 100 signatures")
		c.get(demoLetter+"/signatures").must(t, http.StatusOK, "Kenya", "Harbour Harm Reduction Alliance", "Amina Odhiambo")
		var plain int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM signatures WHERE name LIKE '%Harbour%' OR email LIKE '%example.org%'`).Scan(&plain); err != nil {
			t.Fatal(err)
		}
		if plain != 0 {
			t.Fatal("seeded signatures are stored in the clear")
		}
	})
}
