package app_test

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
)

// After each kind of write, every page that shows it shows the new version,
// although those pages were cached just before.
func TestCacheInvalidation(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		admin := s.client()
		csrf := admin.SignIn(s.Login.Email, s.Login.Password)
		reader := s.client()
		id := admin.createEntry(csrf, "title", "Cache canary", "summary", "First summary.", "tag_id", "1", "section_id", "1", "body", "Version one.")
		pages := []string{"/en/", "/en/articles", "/en/articles/cache-canary", "/en/section/news", "/en/tag/harm-reduction"}
		warm := func() {
			for _, p := range pages {
				reader.Get(p)
				reader.Get(p)
			}
		}
		warm()
		if hits, _ := s.App.Cache.Stats(); hits == 0 {
			t.Fatal("nothing was served from the cache: the test would prove nothing")
		}
		check := func(what string, want map[string]string) {
			t.Helper()
			for p, w := range want {
				if r := reader.Get(p); !strings.Contains(r.Body, w) {
					t.Errorf("after %s, %s does not show %q", what, p, w)
				}
			}
			warm()
		}

		// The entry itself.
		admin.Post("/admin/entries/"+id, entryForm(csrf, "title", "Cache canary", "slug", "cache-canary", "summary", "Second summary.", "tag_id", "1", "section_id", "1", "body", "Version two."))
		check("an entry edit", map[string]string{"/en/articles/cache-canary": "Version two.", "/en/articles": "Second summary.", "/en/": "Second summary.", "/en/section/news": "Second summary.", "/en/tag/harm-reduction": "Second summary."})

		// A translation appears in the switcher of the source's page.
		admin.Post("/admin/entries/"+id+"/translations/fr", url.Values{"csrf": {csrf}, "title": {"Canari"}, "body": {"Version française."}, "status": {"published"}})
		check("a translation", map[string]string{"/en/articles/cache-canary": `hreflang="fr"`})

		// A section's name, shown in the navigation of every page.
		admin.Post("/admin/sections", url.Values{"csrf": {csrf}, "id": {"1"}, "slug": {"news"}, "name_en": {"Latest news"}, "position": {"1"}})
		check("a section rename", map[string]string{"/en/": "Latest news", "/en/articles/cache-canary": "Latest news", "/en/section/news": "<h1>Latest news</h1>"})

		// A tag's name.
		admin.Post("/admin/tags", url.Values{"csrf": {csrf}, "id": {"1"}, "slug": {"harm-reduction"}, "name_en": {"Reducing harm"}})
		check("a tag rename", map[string]string{"/en/articles/cache-canary": "Reducing harm", "/en/tag/harm-reduction": "Reducing harm"})

		// An organisation's name, on the pages it co-authored.
		admin.Post("/admin/entries/"+id, entryForm(csrf, "title", "Cache canary", "slug", "cache-canary", "summary", "Second summary.", "tag_id", "1", "section_id", "1", "org_id", "1", "body", "Version two."))
		reader.Get("/en/articles/cache-canary")
		admin.Post("/admin/organisations", url.Values{"csrf": {csrf}, "id": {"1"}, "slug": {"harbour-alliance"}, "name": {"Harbour Renamed Alliance"}, "type": {"partner"}, "membership": {"partner"}})
		check("an organisation rename", map[string]string{"/en/articles/cache-canary": "Harbour Renamed Alliance"})

		// A featured image.
		admin.upload("/admin/entries/"+id+"/image", csrf, "image", "p.jpg", jpegBytes(t, 20, 10), url.Values{"alt": {"Canary picture"}})
		check("an image upload", map[string]string{"/en/articles/cache-canary": "Canary picture"})

		// Settings: a language turned off disappears from every switcher.
		admin.Post("/admin/settings", url.Values{"csrf": {csrf}, "lang": {"en", "ru"}, "default": {"en"}})
		if r := reader.Get("/en/"); strings.Contains(r.Body, `hreflang="fr"`) || strings.Contains(r.Body, "/lang/fr") {
			t.Error("after a settings change, the home page still offers French")
		}
		warm()

		// Deletion: the page answers 410 and leaves the listings.
		admin.Post("/admin/entries/"+id+"/delete", url.Values{"csrf": {csrf}})
		reader.Get("/en/articles/cache-canary").Must(t, http.StatusGone)
		for _, p := range []string{"/en/", "/en/articles", "/en/section/news", "/en/tag/harm-reduction"} {
			reader.Get(p).MustNot(t, "Cache canary")
		}
	})
}

// A scheduled entry whose time has come reaches cached listings when the
// housekeeping promotes it, without any editor's write.
func TestCacheAndScheduledEntries(t *testing.T) {
	s := sqliteSite(t)
	d := s.App.DB
	admin := s.client()
	admin.SignIn(s.Login.Email, s.Login.Password)
	id := admin.createEntry(admin.CSRF("/admin/entries"), "title", "Due soon", "status", "published", "publish_at", time.Now().UTC().Add(time.Hour).Format("2006-01-02T15:04"))
	reader := s.client()
	reader.Get("/en/articles").MustNot(t, "Due soon")
	reader.Get("/en/articles")
	// Time passes (a quiet write, as the clock changes nothing in the database).
	if _, err := d.Quiet().ExecContext(context.Background(), `UPDATE translations SET publish_at = ? WHERE entry_id = ?`, time.Now().Add(-time.Second).Unix(), id); err != nil {
		t.Fatal(err)
	}
	reader.Get("/en/articles").MustNot(t, "Due soon") // still the cached page
	if n, err := s.App.Content.PromoteScheduled(context.Background()); err != nil || n != 1 {
		t.Fatalf("promote: %d %v", n, err)
	}
	reader.Get("/en/articles").Must(t, 200, "Due soon")
}

// Cached pages come compressed as the client asks, with validators that
// give 304 answers; signed-in users and admin pages bypass the cache.
func TestCacheHTTP(t *testing.T) {
	s := sqliteSite(t)
	c := s.client()
	get := func(path string, h map[string]string) response {
		req, _ := http.NewRequest(http.MethodGet, s.Server.URL+path, nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		// The transport would add and undo gzip itself; ask explicitly.
		return c.Do(req)
	}
	plain := get("/en/articles", map[string]string{"Accept-Encoding": "identity"})
	etag := plain.Header.Get("ETag")
	if plain.Status != 200 || etag == "" || plain.Header.Get("Last-Modified") == "" {
		t.Fatalf("first answer: %d etag %q", plain.Status, etag)
	}
	if r := get("/en/articles", map[string]string{"Accept-Encoding": "identity", "If-None-Match": etag}); r.Status != http.StatusNotModified || r.Body != "" {
		t.Fatalf("If-None-Match: %d", r.Status)
	}
	br := get("/en/articles", map[string]string{"Accept-Encoding": "gzip, deflate, br"})
	if br.Header.Get("Content-Encoding") != "br" || len(br.Body) >= len(plain.Body)/2 || !strings.Contains(br.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("brotli: %q, %d bytes of %d", br.Header.Get("Content-Encoding"), len(br.Body), len(plain.Body))
	}
	gz := get("/en/articles", map[string]string{"Accept-Encoding": "gzip"})
	if gz.Header.Get("Content-Encoding") != "gzip" || gz.Header.Get("ETag") == etag {
		t.Fatalf("gzip: %q etag %q", gz.Header.Get("Content-Encoding"), gz.Header.Get("ETag"))
	}
	if r := get("/en/articles", map[string]string{"Accept-Encoding": "br;q=0, gzip;q=0"}); r.Header.Get("Content-Encoding") != "" {
		t.Fatalf("q=0 ignored: %q", r.Header.Get("Content-Encoding"))
	}
	// Security headers are on cached answers too.
	if r := get("/en/articles", nil); !strings.Contains(r.Header.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Fatal("cached answer without CSP")
	}
	// The admin is never cached: a signed-in user sees their own CSRF token.
	c.SignIn(s.Login.Email, s.Login.Password)
	a1 := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(c.Get("/admin/entries").Body)
	other := s.client()
	other.SignIn(s.Login.Email, s.Login.Password)
	a2 := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(other.Get("/admin/entries").Body)
	if a1 == nil || a2 == nil || a1[1] == a2[1] {
		t.Fatal("two sessions saw the same admin page")
	}
}

// A request with a forged Host cannot put its host into the pages other
// visitors get from the cache.
func TestCacheKeyedByHost(t *testing.T) {
	s := sqliteSite(t)
	c := s.client()
	forged, _ := http.NewRequest(http.MethodGet, s.Server.URL+"/en/feed.xml", nil)
	forged.Host = "evil.example"
	if r := c.Do(forged); r.Status != 200 || !strings.Contains(r.Body, "evil.example") {
		t.Fatalf("the test needs a page whose links follow the Host: %d", r.Status)
	}
	if r := c.Get("/en/feed.xml"); strings.Contains(r.Body, "evil.example") {
		t.Fatal("a forged Host reached another visitor through the cache")
	}
}

// With the page cache off, every page a reader gets is rendered for them,
// and still comes compressed when they accept gzip: the same bytes as
// the plain answer, with the plain answer's caching headers, and HEAD and
// 304 answers as before.
func TestColdPagesCompressed(t *testing.T) {
	runWith(t, apptest.Options{Config: func(c *app.Config) { c.NoPageCache = true }}, func(t *testing.T, s *site) {
		c := s.client()
		do := func(method, path string, h map[string]string) response {
			req, _ := http.NewRequest(method, s.Server.URL+path, nil)
			for k, v := range h {
				req.Header.Set(k, v)
			}
			// The transport would add and undo gzip itself; ask explicitly.
			return c.Do(req)
		}
		for _, path := range []string{"/en/", "/en/articles", "/en/section/news", "/en/feed.xml", "/en/atom.xml", "/en/feed.json", "/en/no-such-page"} {
			plain := do(http.MethodGet, path, map[string]string{"Accept-Encoding": "identity"})
			gz := do(http.MethodGet, path, map[string]string{"Accept-Encoding": "gzip, deflate, br"})
			if gz.Status != plain.Status || gz.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(strings.Join(gz.Header.Values("Vary"), ","), "Accept-Encoding") {
				t.Fatalf("%s: %d %q, Vary %q; plain %d", path, gz.Status, gz.Header.Get("Content-Encoding"), gz.Header.Values("Vary"), plain.Status)
			}
			if plain.Header.Get("Content-Encoding") != "" || !strings.Contains(strings.Join(plain.Header.Values("Vary"), ","), "Accept-Encoding") {
				t.Fatalf("%s without gzip: %q, Vary %q", path, plain.Header.Get("Content-Encoding"), plain.Header.Values("Vary"))
			}
			zr, err := gzip.NewReader(strings.NewReader(gz.Body))
			if err != nil {
				t.Fatalf("%s: not a gzip stream: %v", path, err)
			}
			body, err := io.ReadAll(zr)
			if err != nil || string(body) != plain.Body {
				t.Fatalf("%s: %d bytes decoded (%v), not the %d plain bytes", path, len(body), err, len(plain.Body))
			}
			if len(gz.Body) >= len(plain.Body)/2 {
				t.Errorf("%s: %d bytes compressed of %d", path, len(gz.Body), len(plain.Body))
			}
			for _, h := range []string{"Content-Type", "Cache-Control", "Last-Modified", "ETag", "Content-Security-Policy"} {
				if gz.Header.Get(h) != plain.Header.Get(h) {
					t.Errorf("%s: %s %q compressed, %q plain", path, h, gz.Header.Get(h), plain.Header.Get(h))
				}
			}
			head := do(http.MethodHead, path, map[string]string{"Accept-Encoding": "gzip"})
			// Pages compressed as they are sent do not know their length;
			// feeds, spliced from items kept compressed (web.SendSpliced),
			// say the length their GET sends.
			if n := head.Header.Get("Content-Length"); head.Status != plain.Status || head.Body != "" || head.Header.Get("Content-Encoding") != "gzip" ||
				(n != "" && n != strconv.Itoa(len(gz.Body))) || (n == "") == (path == "/en/feed.xml" || path == "/en/atom.xml" || path == "/en/feed.json") {
				t.Errorf("%s HEAD: %d %q, Content-Length %q", path, head.Status, head.Header.Get("Content-Encoding"), head.Header.Get("Content-Length"))
			}
		}
		// A feed reader's conditional request still gets its 304.
		feed := do(http.MethodGet, "/en/feed.xml", map[string]string{"Accept-Encoding": "gzip"})
		if r := do(http.MethodGet, "/en/feed.xml", map[string]string{"Accept-Encoding": "gzip", "If-Modified-Since": feed.Header.Get("Last-Modified")}); r.Status != http.StatusNotModified || r.Body != "" || r.Header.Get("Content-Encoding") != "" {
			t.Errorf("If-Modified-Since: %d %q, %d bytes", r.Status, r.Header.Get("Content-Encoding"), len(r.Body))
		}
		// What is not text goes as it is.
		if r := do(http.MethodGet, "/en/share/site.png", map[string]string{"Accept-Encoding": "gzip"}); r.Status != 200 || r.Header.Get("Content-Encoding") != "" || !strings.HasPrefix(r.Body, "\x89PNG") {
			t.Errorf("sharing image: %d %q", r.Status, r.Header.Get("Content-Encoding"))
		}
	})
}
