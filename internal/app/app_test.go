package app_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/mail"
	"peerpress/internal/secret"
	"peerpress/internal/web/webtest"
)

// site is apptest's site.
type site struct{ *apptest.Site }

// run runs fn on a new site on each engine: the demo in every language,
// mail kept in the outbox.
func run(t *testing.T, fn func(t *testing.T, s *site)) {
	t.Helper()
	runWith(t, apptest.Options{Outbox: true}, fn)
}

// runWith is run with other options.
func runWith(t *testing.T, opt apptest.Options, fn func(t *testing.T, s *site)) {
	t.Helper()
	apptest.Run(t, opt, func(t *testing.T, a *apptest.Site) { fn(t, &site{a}) })
}

// sqliteSite is run's site on SQLite alone, for what does not depend on
// the engine.
func sqliteSite(t *testing.T) *site {
	t.Helper()
	return &site{apptest.New(t, apptest.Demo(nil).NewSQLite(t), apptest.Options{Outbox: true})}
}

// client is a visitor of the test site, with the admin's and the API's
// requests.
type client struct{ *webtest.Client }

func (s *site) client() *client { return &client{s.Client()} }

type response = webtest.Response

// Every public page kind answers with the right status, language and content.
func TestPublicPages(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		cases := []struct {
			path     string
			status   int
			contains []string
			absent   []string
		}{
			{"/en/", 200, []string{`<html lang="en" dir="ltr">`, "Remember Every Name", "Upcoming events", `hreflang="ru"`}, nil},
			{"/ru/", 200, []string{`<html lang="ru" dir="ltr">`, "Новости", "Помнить каждое имя"}, nil},
			{"/ar/", 200, []string{`<html lang="ar" dir="rtl">`}, nil},
			{"/en/articles", 200, []string{"<h1>Articles</h1>", `rel="next"`, "Read more"}, nil},
			{"/en/articles/page/2", 200, []string{"Articles, page 2", `rel="prev"`, `aria-current="page">2<`}, nil},
			{"/en/articles/page/1", 301, nil, nil},
			{"/en/articles/page/999", 404, nil, nil},
			{"/en/articles/page/0", 404, nil, nil},
			{"/en/articles/page/abc", 404, nil, nil},
			{"/en/articles/page/01", 404, nil, nil},
			{"/en/events", 200, []string{"Events"}, nil},
			{"/en/publications", 200, []string{"Publications"}, nil},
			{"/en/statements", 200, []string{"Statements"}, nil},
			{"/en/campaigns", 200, []string{"Campaigns"}, nil},
			{"/en/section/news", 200, []string{"<h1>News</h1>"}, nil},
			{"/ru/section/news", 200, []string{"<h1>Новости</h1>"}, nil},
			{"/en/section/nope", 404, nil, nil},
			{"/en/tag/naloxone", 200, []string{"Naloxone"}, nil},
			{"/en/tag/nope", 404, nil, nil},
			{"/en/campaigns/remember-every-name", 200, []string{"#RememberEveryName", `class="crumbs"`, `hreflang="ar"`, `lang="ru"`}, nil},
			{"/en/statements/joint-statement-health-and-dignity-not-punishment", 200, []string{"Joint statement with", "Harbour Harm Reduction Alliance"}, nil},
			{"/en/about", 200, []string{"<h1>"}, nil},
			{"/en/articles/about", 301, nil, nil}, // a page asked for as an article: sent to its address
			{"/xx/", 404, []string{"There is no page at this address"}, nil},
			{"/en/no-such-page", 404, []string{"Error 404", `lang="en"`}, nil},
			{"/en/articles/%ff%fe", 404, nil, nil},
			{"/en", 301, nil, nil},
		}
		for _, tc := range cases {
			r := c.Get(tc.path)
			if r.Status != tc.status {
				t.Errorf("GET %s: status %d, want %d", tc.path, r.Status, tc.status)
				continue
			}
			for _, s := range tc.contains {
				if !strings.Contains(r.Body, s) {
					t.Errorf("GET %s: body lacks %q", tc.path, s)
				}
			}
			for _, s := range tc.absent {
				if strings.Contains(r.Body, s) {
					t.Errorf("GET %s: body has %q", tc.path, s)
				}
			}
			if r.Status == 200 && !strings.HasPrefix(r.Body, "<!doctype html>") {
				t.Errorf("GET %s: not an HTML5 document", tc.path)
			}
		}
	})
}

// The language switcher on an entry links the same entry's translations,
// and only those that readers can see.
func TestLanguageSwitcher(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		r := c.Get("/en/campaigns/remember-every-name")
		r.Must(t, 200)
		for _, lang := range []string{"ru", "fr", "es", "ar"} {
			re := regexp.MustCompile(`<link rel="alternate" hreflang="` + lang + `" href="(/` + lang + `/campaigns/[^"]+)">`)
			m := re.FindStringSubmatch(r.Body)
			if m == nil {
				t.Fatalf("no %s link in the switcher", lang)
			}
			tr := c.Get(m[1])
			tr.Must(t, 200, `<html lang="`+lang+`"`)
		}
		if strings.Contains(r.Body, `hreflang="hi"`) {
			t.Fatal("switcher links a language the entry has no translation in")
		}
	})
}

// Visitors at / go to the language their browser prefers.
func TestLanguageNegotiation(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		for header, want := range map[string]string{
			"":                                 "/en/",
			"ru-RU,ru;q=0.9,en;q=0.8":          "/ru/",
			"de-DE,fr;q=0.7,en;q=0.3":          "/fr/",
			"es-419":                           "/es/",
			"en;q=0.1, ar;q=0.9":               "/ar/",
			"!!!garbage;;q=nope":               "/en/",
			"zz":                               "/en/",
			"xx, ru;q=0.5":                     "/ru/",
			strings.Repeat("en-US,", 500) + "": "/en/",
		} {
			req, _ := http.NewRequest(http.MethodGet, s.Server.URL+"/", nil)
			req.Header.Set("Accept-Language", header)
			r := c.Do(req)
			if r.Status != http.StatusFound || r.Location != want {
				t.Errorf("Accept-Language %.40q: %d %q, want %s", header, r.Status, r.Location, want)
			}
		}
	})
}

// The admin's front door answers with and without the slash, and a
// language that is not enabled is a 404 in the site's style.
func TestAdminAndUnknownLanguages(t *testing.T) {
	runWith(t, apptest.Options{Languages: []string{"en", "fr"}, Outbox: true}, func(t *testing.T, s *site) {
		c := s.client()
		for _, path := range []string{"/admin", "/admin/"} {
			r := c.Get(path)
			if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/admin/login?next=") {
				t.Errorf("signed out, GET %s: %d %q, want the sign-in form", path, r.Status, r.Location)
			}
		}
		c.SignIn(s.Login.Email, s.Login.Password)
		for _, path := range []string{"/admin", "/admin/"} {
			if r := c.Get(path); r.Status != http.StatusSeeOther || r.Location != "/admin/entries" {
				t.Errorf("signed in, GET %s: %d %q, want /admin/entries", path, r.Status, r.Location)
			}
		}
		c.Get("/admin/no-such-page").Must(t, http.StatusNotFound)
		anon := s.client()
		anon.Get("/fr/").Must(t, 200, `<html lang="fr"`)
		anon.Get("/ru/").Must(t, http.StatusNotFound, `<html lang="en"`)
		anon.Get("/ru/articles").Must(t, http.StatusNotFound)
		anon.Get("/xx/articles").Must(t, http.StatusNotFound)
	})
}

// Drafts and not-yet-due scheduled entries are invisible to readers.
func TestUnpublishedEntriesAreHidden(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		d := s.App.DB
		c := s.client()
		var draft, scheduled string
		if err := d.QueryRowContext(context.Background(), `SELECT slug FROM translations WHERE status = 'draft' AND lang = 'en' ORDER BY id LIMIT 1`).Scan(&draft); err != nil {
			t.Fatal(err)
		}
		if err := d.QueryRowContext(context.Background(), `SELECT slug FROM translations WHERE status = 'scheduled' AND lang = 'en' ORDER BY id LIMIT 1`).Scan(&scheduled); err != nil {
			t.Fatal(err)
		}
		for _, slug := range []string{draft, scheduled} {
			for _, kind := range []string{"articles", "statements"} {
				r := c.Get("/en/" + kind + "/" + slug)
				if r.Status == 200 {
					t.Errorf("unpublished %s visible at /en/%s/%s", slug, kind, slug)
				}
			}
			for _, p := range []string{"/en/", "/en/articles", "/en/statements", "/en/section/news", "/en/section/advocacy"} {
				c.Get(p).MustNot(t, slug)
			}
		}
	})
}

// Security headers forbid third-party loads and framing on every page.
func TestSecurityHeaders(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		for _, p := range []string{"/en/", "/en/no-such", "/admin/login"} {
			r := c.Get(p)
			csp := r.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("%s: CSP %q", p, csp)
			}
			if r.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: no nosniff", p)
			}
		}
		r := c.Get("/en/")
		m := regexp.MustCompile(`href="(/static/style\.[0-9a-f]+\.css)"`).FindStringSubmatch(r.Body)
		if m == nil {
			t.Fatal("no fingerprinted stylesheet link")
		}
		css := c.Get(m[1])
		if css.Status != 200 || !strings.Contains(css.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") {
			t.Fatalf("stylesheet: %d %q %q", css.Status, css.Header.Get("Cache-Control"), css.Header.Get("Content-Type"))
		}
		// No page refers to another host.
		for _, p := range []string{"/en/", "/ru/campaigns/pomnit-kazhdoe-imya", "/en/articles"} {
			body := c.Get(p).Body
			for _, m := range regexp.MustCompile(`(?:src|href)="(https?://[^"]+)"`).FindAllStringSubmatch(body, -1) {
				if !strings.HasPrefix(m[1], "https://example.org/") {
					t.Errorf("%s refers to %s", p, m[1])
				}
			}
			if strings.Contains(body, "<script") {
				t.Errorf("%s has a script", p)
			}
		}
	})
}

func jpegBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (c *client) upload(path, csrf, field, filename string, data []byte, extra url.Values) response {
	c.T.Helper()
	fields := url.Values{"csrf": {csrf}}
	for k, vs := range extra {
		fields[k] = vs
	}
	if data == nil {
		data = []byte{} // a file part all the same, empty
	}
	return c.PostFile(path, fields, field, filename, data)
}

// With an https base URL, links for search engines are absolute and the
// session cookie is Secure even though TLS ends at a proxy.
func TestBaseURL(t *testing.T) {
	langs := []string{"en", "ru"}
	s := &site{apptest.New(t, apptest.Demo(langs).NewSQLite(t), apptest.Options{Languages: langs, Outbox: true,
		Config: func(c *app.Config) { c.BaseURL = "https://peers.example/" }})}
	ctx, d, key := context.Background(), s.App.DB, s.App.Config.SiteKey
	c := s.client()
	c.Get("/en/campaigns/remember-every-name").Must(t, 200,
		`<link rel="canonical" href="https://peers.example/en/campaigns/remember-every-name">`,
		`<link rel="alternate" hreflang="ru" href="https://peers.example/ru/campaigns/`)
	req, _ := http.NewRequest(http.MethodPost, s.Server.URL+"/admin/login", strings.NewReader(url.Values{"email": {s.Login.Email}, "password": {s.Login.Password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if len(res.Cookies()) == 0 || !res.Cookies()[0].Secure {
		t.Fatalf("session cookie not Secure behind an https base URL: %v", res.Cookies())
	}
	if hsts := res.Header.Get("Strict-Transport-Security"); hsts != "max-age=31536000" {
		t.Errorf("Strict-Transport-Security %q behind an https base URL", hsts)
	}
	// The language choice is Secure too (audit F10).
	langRes, err := c.HTTP.Get(s.Server.URL + "/lang/en?next=/en/")
	if err != nil {
		t.Fatal(err)
	}
	langRes.Body.Close()
	if len(langRes.Cookies()) == 0 || !langRes.Cookies()[0].Secure {
		t.Errorf("language cookie not Secure behind an https base URL: %v", langRes.Cookies())
	}
	for _, bad := range []string{"ftp://x", "https://", "https://x/?q=1", "not a url"} {
		if _, err := app.New(ctx, app.Config{DataDir: t.TempDir(), Languages: []string{"en"}, TimeZone: "UTC", BaseURL: bad, SiteKey: key}, d); err == nil {
			t.Errorf("base URL %q accepted", bad)
		}
	}
}

// Without a site key, or with another key than the database was set up
// with, the server does not start: personal data is never stored in the
// clear nor sealed with a key nobody will have.
func TestSiteKeyRequired(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		cfg := app.Config{DataDir: t.TempDir(), Languages: []string{"en"}, TimeZone: "UTC"}
		if _, err := app.New(ctx, cfg, d); !errors.Is(err, app.ErrNoSiteKey) || !strings.Contains(err.Error(), "peerpress keygen") {
			t.Fatalf("no key: %v", err)
		}
		cfg.SiteKey = "not a key"
		if _, err := app.New(ctx, cfg, d); err == nil {
			t.Fatal("a malformed key was accepted")
		}
		// The key beside the data folder, never in it, is used when none
		// is configured.
		cfg.SiteKey = ""
		made, err := app.EnsureSiteKey(cfg)
		if err != nil || made != app.SiteKeyPath(cfg.DataDir) {
			t.Fatalf("EnsureSiteKey: %v %v", made, err)
		}
		if abs, _ := filepath.Abs(cfg.DataDir); strings.HasPrefix(made, abs+string(filepath.Separator)) {
			t.Fatalf("the key was made inside the data folder: %s", made)
		}
		if again, _ := app.EnsureSiteKey(cfg); again != "" {
			t.Fatal("EnsureSiteKey replaced an existing key")
		}
		if _, err := app.New(ctx, cfg, d); err != nil {
			t.Fatalf("with the key file: %v", err)
		}
		cfg.SiteKey = secret.NewKey()
		if _, err := app.New(ctx, cfg, d); !errors.Is(err, app.ErrWrongSiteKey) {
			t.Fatalf("another key: %v", err)
		}
	})
}

// With no SMTP server, mail the site sends is in the admin's outbox.
func TestOutboxPage(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		d := s.App.DB
		ctx := context.Background()
		err := d.InTx(ctx, func(tx *db.Tx) error {
			return s.App.Mailer.Send(ctx, tx, mail.Message{To: "someone@example.org", Subject: "Please confirm", Text: "https://example.org/confirm/abc"})
		})
		if err != nil {
			t.Fatal(err)
		}
		s.RunJobs() // the demo's own jobs may come first
		admin := s.client()
		admin.SignIn(s.Login.Email, s.Login.Password)
		admin.Get("/admin/outbox").Must(t, 200, "Please confirm", "someone@example.org", "https://example.org/confirm/abc")
		s.App.Users.CreateUser(ctx, "ed@example.org", "Ed", auth.RoleEditor, "editor-password-1")
		editor := s.client()
		editor.SignIn("ed@example.org", "editor-password-1")
		editor.Get("/admin/outbox").Must(t, http.StatusForbidden)
	})
}
