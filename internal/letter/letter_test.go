package letter_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app/apptest"
	"peerpress/internal/auth"
	"peerpress/internal/guard"
	"peerpress/internal/letter"
	"peerpress/internal/web/webtest"
)

// The statement the tests open for signatures (demo content).
const (
	slug      = "joint-statement-health-and-dignity-not-punishment"
	statement = "/en/statements/" + slug
)

// site is apptest's site (the demo, mail going to a real SMTP server, a
// guard quick enough for tests) with the statement the tests sign.
type site struct {
	*apptest.Site
	entryID int64
}

// run runs fn on a new site on each engine.
func run(t *testing.T, fn func(t *testing.T, s *site)) {
	t.Helper()
	apptest.Run(t, apptest.Options{Guard: new(apptest.QuickGuard())}, func(t *testing.T, a *apptest.Site) {
		e, err := a.App.Content.BySlug(context.Background(), "en", slug)
		if err != nil {
			t.Fatal(err)
		}
		fn(t, &site{Site: a, entryID: e.ID})
	})
}

// open sets the test statement's signing settings.
func (s *site) open(l letter.Letter) {
	s.T.Helper()
	l.EntryID = s.entryID
	if err := s.App.Letters.SaveLetter(context.Background(), l); err != nil {
		s.T.Fatal(err)
	}
}

// mailTo returns the decoded text of the mails that reached addr.
func (s *site) mailTo(addr string) []string {
	var out []string
	for _, m := range s.Mail(addr) {
		out = append(out, m.Text)
	}
	return out
}

var linkRe = regexp.MustCompile(`https?://[^/\s]+(/[a-z]{2}/signatures/(verify|withdraw)/[A-Za-z0-9_-]+)`)

// links reads the confirmation and withdrawal paths out of a mail.
func links(t testing.TB, body string) (verify, withdraw string) {
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
	s.T.Helper()
	var n int
	if err := s.App.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM signatures WHERE entry_id = ?`, s.entryID).Scan(&n); err != nil {
		s.T.Fatal(err)
	}
	return n
}

// client is a visitor of the test site, with the signing form's steps.
type client struct {
	*webtest.Client
	site *site
}

func (s *site) client() *client { return &client{Client: s.Client(), site: s} }

type response = webtest.Response

// form fetches the signing page as a browser would, waits as a person
// would, and returns the guard's fields with the given answers; with
// proof, it also does pow.js's work.
func (c *client) form(proof bool, answers url.Values) url.Values {
	c.T.Helper()
	bits := 0
	if proof {
		bits = apptest.QuickGuard().Difficulty
	}
	return c.GuardedForm(statement+"/sign", bits, apptest.FormWait, answers)
}

func org(name, country, email string) url.Values {
	return url.Values{"kind": {"organisation"}, "name": {name}, "org_type": {"community"}, "country": {country},
		"website": {"lakeside.example"}, "email": {email}, "consent": {"yes"}}
}

// signAndConfirm signs with proof of work and follows the mailed link;
// it returns the withdrawal path.
func (c *client) signAndConfirm(answers url.Values) string {
	c.T.Helper()
	c.Post(statement+"/sign", c.form(true, answers)).Must(c.T, http.StatusSeeOther)
	mails := c.site.mailTo(answers.Get("email"))
	verify, withdraw := links(c.T, mails[len(mails)-1])
	c.Post(verify, nil).Must(c.T, http.StatusOK)
	return withdraw
}

// A signatory signs, gets the mail at the SMTP server, confirms by the
// link, and is counted and listed under their country; the email shows
// nowhere and is sealed at rest. The private link withdraws the signature
// from every public page at once.
func TestSignConfirmWithdraw(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		d := s.App.DB
		s.open(letter.Letter{Open: true, Organisations: true, Individuals: true, Goal: 50})
		c := s.client()

		c.Get(statement).Must(t, http.StatusOK, "0 signatures", "Goal: 50 signatures", statement+"/sign")
		r := c.Post(statement+"/sign", c.form(true, org("Lakeside Peer Support", "KE", "contact@lakeside.example")))
		r.Must(t, http.StatusSeeOther)
		if r.Location != statement+"/signed" {
			t.Fatalf("redirect to %q", r.Location)
		}
		c.Get(r.Location).Must(t, http.StatusOK, "Check your email")

		// Not confirmed yet: not counted, not listed.
		c.Get(statement).Must(t, http.StatusOK, "0 signatures")
		c.Get(statement+"/signatures").MustNot(t, "Lakeside")

		mails := s.mailTo("contact@lakeside.example")
		if len(mails) != 1 {
			t.Fatalf("%d mails arrived", len(mails))
		}
		verify, withdraw := links(t, mails[0])
		if verify == "" || !strings.Contains(mails[0], "Health and dignity, not punishment") && !strings.Contains(mails[0], "health and dignity") {
			t.Fatalf("mail lacks the link or the letter's title:\n%s", mails[0])
		}

		// The link asks first; a mail scanner's GET confirms nothing.
		g := c.Get(verify)
		g.Must(t, http.StatusOK, "Confirm my signature", "Lakeside Peer Support")
		if !strings.Contains(g.Header.Get("Cache-Control"), "no-store") {
			t.Fatal("confirmation page may be cached")
		}
		c.Get(statement).Must(t, http.StatusOK, "0 signatures")
		c.Post(verify, nil).Must(t, http.StatusOK, "confirmed and counted")

		page := c.Get(statement)
		page.Must(t, http.StatusOK, "1 signature", `value="1"`)
		list := c.Get(statement + "/signatures")
		list.Must(t, http.StatusOK, "Kenya", "Lakeside Peer Support", "https://lakeside.example", "Community-led organisation")
		list.MustNot(t, "contact@lakeside.example")
		list.Must(t, http.StatusOK, `hreflang="ar" href="/ar/statements/bayan-mushtarak-al-siha-wal-karama/signatures"`)
		// In Arabic: the country's name in Arabic, right to left.
		ar := c.Get("/ar/statements/bayan-mushtarak-al-siha-wal-karama/signatures")
		ar.Must(t, http.StatusOK, `dir="rtl"`, "كينيا", "Lakeside Peer Support", "توقيع واحد (١)")
		ar.MustNot(t, "contact@lakeside.example")

		var name, email string
		if err := d.QueryRowContext(context.Background(), `SELECT name, email FROM signatures WHERE entry_id = ?`, s.entryID).Scan(&name, &email); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(email, "lakeside") || strings.Contains(name, "Lakeside") {
			t.Fatal("personal fields are stored in the clear")
		}

		// The confirmation link works once.
		c.Post(verify, nil).Must(t, http.StatusNotFound, "This link does not work")

		// Withdrawal: asked first, then gone at once.
		c.Get(withdraw).Must(t, http.StatusOK, "Withdraw my signature", "Lakeside Peer Support")
		c.Get(statement+"/signatures").Must(t, http.StatusOK, "Lakeside Peer Support")
		c.Post(withdraw, nil).Must(t, http.StatusOK, "Your signature is withdrawn")
		c.Get(statement).Must(t, http.StatusOK, "0 signatures")
		c.Get(statement+"/signatures").MustNot(t, "Lakeside")
		if s.rows() != 0 {
			t.Fatal("the withdrawn signature is still stored")
		}
		c.Post(withdraw, nil).Must(t, http.StatusNotFound, "This link does not work")
	})
}

// The same organisation from the same country (however its name is
// typed) is refused with a clear message and nothing stored; the same
// email is not stored twice either: the page says nothing about who has
// signed, and the address's owner gets fresh links by mail instead.
func TestDuplicatesRefused(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		s.open(letter.Letter{Open: true, Organisations: true, Individuals: true})
		c := s.client()
		firstWithdraw := c.signAndConfirm(org("Lakeside Peer Support", "KE", "contact@lakeside.example"))

		r := c.Post(statement+"/sign", c.form(true, org("lakeside peer-support ", "KE", "other@lakeside.example")))
		r.Must(t, http.StatusConflict, "has already signed this letter from this country", `value="lakeside peer-support"`)
		if s.rows() != 1 {
			t.Fatalf("%d signatures stored, want 1", s.rows())
		}
		if len(s.mailTo("other@lakeside.example")) != 0 {
			t.Fatal("a refused signature sent mail")
		}
		// Another country is another organisation.
		c.Post(statement+"/sign", c.form(true, org("Lakeside Peer Support", "UG", "ug@lakeside.example"))).Must(t, http.StatusSeeOther)
		if s.rows() != 2 {
			t.Fatalf("%d signatures stored, want 2", s.rows())
		}

		// Same email, even as an individual: nothing new stored, new links mailed.
		again := url.Values{"kind": {"individual"}, "name": {"Somebody Else"}, "country": {"FR"}, "email": {"Contact@Lakeside.example"}, "consent": {"yes"}}
		c.Post(statement+"/sign", c.form(true, again)).Must(t, http.StatusSeeOther)
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
		c.Get(firstWithdraw).Must(t, http.StatusNotFound) // replaced
		c.Get(withdraw).Must(t, http.StatusOK, "Lakeside Peer Support")
		c.Get(statement+"/signatures").MustNot(t, "Somebody Else")
	})
}

// Expired and tampered links get a page that says so, and change nothing.
func TestBadLinks(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		d := s.App.DB
		s.open(letter.Letter{Open: true, Organisations: true})
		c := s.client()
		c.Post(statement+"/sign", c.form(true, org("Lakeside Peer Support", "KE", "contact@lakeside.example"))).Must(t, http.StatusSeeOther)
		verify, withdraw := links(t, s.mailTo("contact@lakeside.example")[0])

		tampered := verify[:len(verify)-3] + "AAA"
		c.Get(tampered).Must(t, http.StatusNotFound, "This link does not work")
		c.Post(tampered, nil).Must(t, http.StatusNotFound, "This link does not work")
		c.Post("/en/signatures/withdraw/"+strings.Repeat("x", 500), nil).Must(t, http.StatusNotFound)

		if _, err := d.ExecContext(context.Background(), `UPDATE signatures SET created_at = ? WHERE entry_id = ?`, time.Now().Add(-49*time.Hour).Unix(), s.entryID); err != nil {
			t.Fatal(err)
		}
		c.Get(verify).Must(t, http.StatusGone, "This link has expired", "Sign the letter again")
		c.Post(verify, nil).Must(t, http.StatusGone, "This link has expired")
		var status string
		if err := d.QueryRowContext(context.Background(), `SELECT status FROM signatures WHERE entry_id = ?`, s.entryID).Scan(&status); err != nil {
			t.Fatal(err)
		}
		if status != letter.Unverified {
			t.Fatalf("status %q after an expired link, want unverified", status)
		}
		// Withdrawal works at any time, even unconfirmed.
		c.Post(withdraw, nil).Must(t, http.StatusOK, "withdrawn")

		// Housekeeping purges what was never confirmed.
		c.Post(statement+"/sign", c.form(true, org("Old Unconfirmed", "KE", "old@lakeside.example"))).Must(t, http.StatusSeeOther)
		if _, err := d.ExecContext(context.Background(), `UPDATE signatures SET created_at = ? WHERE entry_id = ?`, time.Now().Add(-49*time.Hour).Unix(), s.entryID); err != nil {
			t.Fatal(err)
		}
		if n, err := s.App.Letters.PurgeUnverified(context.Background(), time.Now()); err != nil || n != 1 {
			t.Fatalf("purged %d, %v; want 1", n, err)
		}
	})
}

// Bad input gets clear messages with the form kept, and stores nothing;
// so do the guard's refusals. A submission without proof of work is
// accepted, flagged, and waits for a moderator even with moderation off.
func TestBadInputAndGuard(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		s.open(letter.Letter{Open: true, Organisations: true})
		c := s.client()

		bad := org("Lakeside Peer Support", "XX", "not-an-email")
		bad.Set("website", "javascript:alert(1)")
		bad.Del("consent")
		bad.Set("org_type", "cartel")
		r := c.Post(statement+"/sign", c.form(true, bad))
		r.Must(t, http.StatusUnprocessableEntity, "Choose a country from the list.", "Give an email address such as", "Give a website address",
			"Tick this box to sign", "Choose the type of organisation.", `value="Lakeside Peer Support"`, `value="not-an-email"`, `aria-invalid="true"`)
		c.Post(statement+"/sign", c.form(true, org("Evil \u202eorp", "KE", "evil@example.org"))).Must(t, http.StatusUnprocessableEntity, "This name cannot be used")
		individual := org("Jo Bloggs", "KE", "jo@example.org")
		individual.Set("kind", "individual")
		c.Post(statement+"/sign", c.form(true, individual)).Must(t, http.StatusUnprocessableEntity, "Choose whether you sign for an organisation")

		honey := c.form(true, org("Spam Corp", "KE", "spam@example.org"))
		honey.Set("guard_note", "http://spam.example")
		c.Post(statement+"/sign", honey).Must(t, http.StatusUnprocessableEntity, "could not be accepted", `value="Spam Corp"`)

		forged := c.form(true, org("Forger", "KE", "forger@example.org"))
		forged.Set("guard_challenge", "AAAA"+forged.Get("guard_challenge")[4:])
		c.Post(statement+"/sign", forged).Must(t, http.StatusUnprocessableEntity, "expired or could not be checked")

		if s.rows() != 0 {
			t.Fatalf("%d signatures stored from refused submissions", s.rows())
		}
		s.RunJobs()
		if n := len(s.SMTP.Messages()); n != 0 {
			t.Fatalf("%d mails sent for refused submissions", n)
		}

		// Replaying an accepted form is refused.
		ok := c.form(true, org("Lakeside Peer Support", "KE", "contact@lakeside.example"))
		c.Post(statement+"/sign", ok).Must(t, http.StatusSeeOther)
		ok.Set("email", "other@lakeside.example")
		c.Post(statement+"/sign", ok).Must(t, http.StatusUnprocessableEntity, "already sent")

		// No JavaScript: accepted, flagged, waiting.
		c.Post(statement+"/sign", c.form(false, org("Offline Collective", "PE", "offline@example.org"))).Must(t, http.StatusSeeOther)
		verify, _ := links(t, s.mailTo("offline@example.org")[0])
		c.Post(verify, nil).Must(t, http.StatusOK, "once a moderator has checked it")
		c.Get(statement+"/signatures").MustNot(t, "Offline Collective")

		admin, _ := s.Admin()
		admin.Get(adminPath(s)).Must(t, http.StatusOK, "Offline Collective", "offline@example.org", "Sent without the browser check")

		// Too fast for a person (a guard wanting a minute, so the test
		// does not depend on the machine's speed): refused, nothing stored.
		before := s.rows()
		s.UseGuard(guard.Options{MinDelay: time.Minute, Difficulty: 8, Rate: 1000, Burst: 1000})
		c.Post(statement+"/sign", c.form(true, org("Fast Bot", "KE", "bot@example.org"))).Must(t, http.StatusUnprocessableEntity, "faster than we expect", `value="Fast Bot"`)
		if s.rows() != before {
			t.Fatal("a refused submission was stored")
		}

		// The rate limit per address: the third submission in a row is
		// refused with a clear message, and nothing of it is stored.
		s.UseGuard(guard.Options{MinDelay: 30 * time.Millisecond, Difficulty: 8, Rate: 2, Per: time.Hour, Burst: 2})
		c.Post(statement+"/sign", c.form(true, org("First Org", "KE", "first@example.org"))).Must(t, http.StatusSeeOther)
		c.Post(statement+"/sign", c.form(true, org("Second Org", "KE", "second@example.org"))).Must(t, http.StatusSeeOther)
		before = s.rows()
		c.Post(statement+"/sign", c.form(true, org("Third Org", "KE", "third@example.org"))).Must(t, http.StatusTooManyRequests, "Too many submissions", `value="Third Org"`)
		if s.rows() != before {
			t.Fatal("a rate-limited submission was stored")
		}
	})
}

func adminPath(s *site) string {
	return "/admin/entries/" + strconv.FormatInt(s.entryID, 10) + "/signatures"
}

// With moderation on, a confirmed signature is public only once approved;
// moderators approve and reject in bulk, and may not change the settings.
func TestModeration(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.open(letter.Letter{Open: true, Organisations: true, Moderated: true})
		c := s.client()
		c.signAndConfirm(org("Alpha Collective", "KE", "a@example.org"))
		c.signAndConfirm(org("Beta Network", "UG", "b@example.org"))
		c.signAndConfirm(org("Gamma Group", "TZ", "g@example.org"))
		c.Get(statement).Must(t, http.StatusOK, "0 signatures")
		c.Get(statement+"/signatures").MustNot(t, "Alpha", "Beta", "Gamma")
		if n, _ := s.App.Letters.Waiting(ctx); n != 3 {
			t.Fatalf("%d waiting, want 3", n)
		}

		if _, err := s.App.Users.CreateUser(ctx, "mod@example.org", "Mo", auth.RoleModerator, "a long moderator passphrase"); err != nil {
			t.Fatal(err)
		}
		mod := s.client()
		mod.SignIn("mod@example.org", "a long moderator passphrase")
		page := mod.Get(adminPath(s) + "?status=waiting")
		page.Must(t, http.StatusOK, "Alpha Collective", "Beta Network", "Gamma Group", "a@example.org")
		page.MustNot(t, `action="`+adminPath(s)+`/settings"`)
		csrf := webtest.CSRF(t, page.Body)
		mod.Get("/admin/signatures").Must(t, http.StatusOK, "Joint statement")
		mod.Get("/admin/moderation").Must(t, http.StatusOK, "Signatures waiting", `href="/admin/signatures"`)

		ids := map[string]string{}
		for _, name := range []string{"Alpha Collective", "Beta Network", "Gamma Group"} {
			m := regexp.MustCompile(`value="(\d+)" id="pick-\d+"></td>\s*<td><label for="pick-\d+">` + name).FindStringSubmatch(page.Body)
			if m == nil {
				t.Fatalf("no checkbox for %s", name)
			}
			ids[name] = m[1]
		}
		mod.Post(adminPath(s)+"/moderate", url.Values{"csrf": {csrf}, "action": {"approve"}, "id": {ids["Alpha Collective"], ids["Beta Network"]}}).Must(t, http.StatusSeeOther)
		mod.Post(adminPath(s)+"/moderate", url.Values{"csrf": {csrf}, "action": {"reject"}, "id": {ids["Gamma Group"]}}).Must(t, http.StatusSeeOther)
		c.Get(statement).Must(t, http.StatusOK, "2 signatures")
		list := c.Get(statement + "/signatures")
		list.Must(t, http.StatusOK, "Alpha Collective", "Beta Network")
		list.MustNot(t, "Gamma Group")
		// Nothing selected, or an unknown action: a clear refusal.
		mod.Post(adminPath(s)+"/moderate", url.Values{"csrf": {csrf}, "action": {"approve"}}).Must(t, http.StatusBadRequest, "Tick at least one")
		mod.Post(adminPath(s)+"/moderate", url.Values{"csrf": {csrf}, "action": {"publish-all"}, "id": {ids["Gamma Group"]}}).Must(t, http.StatusBadRequest)

		// Moderators moderate; they do not change the letter.
		mod.Post(adminPath(s)+"/settings", url.Values{"csrf": {csrf}, "open": {"1"}, "organisations": {"1"}}).Must(t, http.StatusForbidden)
		// Editors' settings: closing the letter stops signing.
		admin, _ := s.Admin()
		acsrf := admin.CSRF(adminPath(s))
		admin.Post(adminPath(s)+"/settings", url.Values{"csrf": {acsrf}, "open": {"1"}, "goal": {"lots"}}).
			Must(t, http.StatusUnprocessableEntity, "Give a whole number", "Allow organisations, individuals or both")
		past := time.Now().Add(-time.Hour).UTC().Format("2006-01-02T15:04")
		admin.Post(adminPath(s)+"/settings", url.Values{"csrf": {acsrf}, "open": {"1"}, "organisations": {"1"}, "closes_at": {past}}).Must(t, http.StatusSeeOther)
		c.Get(statement).Must(t, http.StatusOK, "Signing closed on", "2 signatures")
		c.Get(statement+"/sign").Must(t, http.StatusOK, "does not take signatures")
		c.Post(statement+"/sign", url.Values{"name": {"Late"}}).Must(t, http.StatusConflict)
		if got := admin.Get("/admin/entries/" + strconv.FormatInt(s.entryID, 10)); !strings.Contains(got.Body, adminPath(s)) {
			t.Fatal("the entry editor does not link to the signatures page")
		}
	})
}

// Staff can merge two signatures of one signer, and export every
// signature as CSV, with what the public typed defused for spreadsheets.
func TestMergeAndExport(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		s.open(letter.Letter{Open: true, Organisations: true})
		c := s.client()
		c.signAndConfirm(org("Lakeside Peer Support", "KE", "ke@lakeside.example"))
		c.signAndConfirm(org("Lakeside Peer Support", "UG", "ug@lakeside.example"))
		c.signAndConfirm(org("=HYPERLINK(\"http://evil.example\")", "TZ", "formula@example.org"))

		admin, _ := s.Admin()
		page := admin.Get(adminPath(s))
		page.Must(t, http.StatusOK, "Looks like #")
		m := regexp.MustCompile(`name="merge" value="(\d+-\d+)"`).FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatal("no merge button")
		}
		csrf := webtest.CSRF(t, page.Body)
		admin.Post(adminPath(s)+"/merge", url.Values{"csrf": {csrf}, "merge": {m[1]}}).Must(t, http.StatusSeeOther)
		if s.rows() != 2 {
			t.Fatalf("%d signatures after the merge, want 2", s.rows())
		}
		admin.Post(adminPath(s)+"/merge", url.Values{"csrf": {csrf}, "merge": {m[1]}}).Must(t, http.StatusBadRequest, "no longer exists")
		c.Get(statement).Must(t, http.StatusOK, "2 signatures")

		r := admin.Get(adminPath(s) + ".csv")
		r.Must(t, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(r.Header.Get("Cache-Control"), "no-store") {
			t.Fatalf("CSV headers: %v", r.Header)
		}
		records, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(records) != 3 || records[0][3] != "name" || records[0][8] != "email" {
			t.Fatalf("CSV:\n%s", r.Body)
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
			t.Fatalf("formula not defused:\n%s", r.Body)
		}
		// Not for the public, nor for authors of other entries.
		s.client().Get(adminPath(s)+".csv").MustNot(t, "ke@lakeside.example")
		if _, err := s.App.Users.CreateUser(context.Background(), "author@example.org", "Au", auth.RoleAuthor, "a long author passphrase"); err != nil {
			t.Fatal(err)
		}
		author := s.client()
		author.SignIn("author@example.org", "a long author passphrase")
		author.Get(adminPath(s)).Must(t, http.StatusForbidden)
		author.Get(adminPath(s)+".csv").Must(t, http.StatusForbidden)
		author.Get("/admin/signatures").Must(t, http.StatusForbidden)
	})
}

// The demo's open letter gets its invented signatories from a job the
// server runs with the site key: sealed, approved, listed by country.
func TestDemoSeed(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		d := s.App.DB
		ctx := context.Background()
		if _, err := d.ExecContext(ctx, `UPDATE jobs SET run_at = 0 WHERE kind = ?`, letter.SeedKind); err != nil {
			t.Fatal(err)
		}
		s.RunJobs()
		c := s.client()
		const demoLetter = "/en/statements/joint-statement-hepatitis-c-cure-not-a-luxury"
		c.Get(demoLetter).Must(t, http.StatusOK, "43 signatures", "36 organisations", "7 individuals", "Goal: 100 signatures")
		c.Get(demoLetter+"/signatures").Must(t, http.StatusOK, "Kenya", "Harbour Harm Reduction Alliance", "Amina Odhiambo")
		var plain int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM signatures WHERE name LIKE '%Harbour%' OR email LIKE '%example.org%'`).Scan(&plain); err != nil {
			t.Fatal(err)
		}
		if plain != 0 {
			t.Fatal("seeded signatures are stored in the clear")
		}
	})
}

// Whether an organisation has tried to sign is nobody's business until
// its signature is public (security audit, F8): a second signature for
// an organisation whose first is unconfirmed or waiting is answered and
// mailed exactly like a first one, and both wait. A moderator cannot
// approve both, and is told to merge them.
func TestPendingOrganisationTellsNothing(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.open(letter.Letter{Open: true, Organisations: true, Moderated: true})
		c := s.client()
		// The first never confirms; the second does and waits.
		c.Post(statement+"/sign", c.form(true, org("Lakeside Peer Support", "KE", "first@lakeside.example"))).Must(t, http.StatusSeeOther)
		second := c.form(true, org("lakeside peer support", "KE", "probe@elsewhere.example"))
		r := c.Post(statement+"/sign", second)
		r.Must(t, http.StatusSeeOther)
		if r.Location != statement+"/signed" {
			t.Fatalf("the second signature went to %q, a first goes to %s/signed", r.Location, statement)
		}
		mails := s.mailTo("probe@elsewhere.example")
		if len(mails) != 1 {
			t.Fatalf("%d mails to the second signatory, want the usual one", len(mails))
		}
		if v, _ := links(t, mails[0]); v == "" || strings.Contains(mails[0], "already") {
			t.Fatalf("the second signatory's mail differs from a first one's:\n%s", mails[0])
		}
		c.signAndConfirm(org("Lakeside Peer Support", "KE", "first@lakeside.example"))
		v, _ := links(t, mails[0])
		c.Post(v, nil).Must(t, http.StatusOK)
		if n, _ := s.App.Letters.Waiting(ctx); n != 2 {
			t.Fatalf("%d waiting, want both", n)
		}

		admin, csrf := s.Admin()
		page := admin.Get(adminPath(s) + "?status=waiting")
		ids := regexp.MustCompile(`value="(\d+)" id="pick-\d+"`).FindAllStringSubmatch(page.Body, -1)
		if len(ids) != 2 {
			t.Fatalf("%d signatures to pick, want 2", len(ids))
		}
		admin.Post(adminPath(s)+"/moderate", url.Values{"csrf": {csrf}, "action": {"approve"}, "id": {ids[0][1], ids[1][1]}}).
			Must(t, http.StatusConflict, "Merge the two signatures")
		if n, _ := s.App.Letters.Waiting(ctx); n != 2 {
			t.Fatalf("%d waiting after the refused approval, want 2: nothing changed", n)
		}
		admin.Post(adminPath(s)+"/moderate", url.Values{"csrf": {csrf}, "action": {"approve"}, "id": {ids[0][1]}}).Must(t, http.StatusSeeOther)
		// Now public: a new attempt is refused, since the page shows it anyway.
		c.Post(statement+"/sign", c.form(true, org("Lakeside Peer Support", "KE", "third@lakeside.example"))).
			Must(t, http.StatusConflict, "has already signed")
	})
}

// When two people sign for one organisation before either confirms, on
// a letter without moderation, the first to confirm is public and the
// second waits for a moderator to merge them.
func TestSecondConfirmationOfAnOrganisationWaits(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.open(letter.Letter{Open: true, Organisations: true})
		c := s.client()
		for _, email := range []string{"one@lakeside.example", "two@lakeside.example"} {
			c.Post(statement+"/sign", c.form(true, org("Lakeside Peer Support", "KE", email))).Must(t, http.StatusSeeOther)
		}
		for _, email := range []string{"one@lakeside.example", "two@lakeside.example"} {
			v, _ := links(t, s.mailTo(email)[0])
			c.Post(v, nil).Must(t, http.StatusOK)
		}
		c.Get(statement).Must(t, http.StatusOK, "1 signature")
		if n, _ := s.App.Letters.Waiting(ctx); n != 1 {
			t.Fatalf("%d waiting, want the second", n)
		}
	})
}
