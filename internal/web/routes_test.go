package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"peerpress/internal/auth"
	"peerpress/internal/i18n"
)

// tableSite is a route table over a few handlers, served as the app
// serves its own.
type tableSite struct {
	rs      *Routes
	h       http.Handler
	cache   *PageCache
	renders map[string]int // how many times each handler ran
	bundle  *i18n.Bundle
	seen    func(r *http.Request) // when set, shown each request a handler gets
}

func newTableSite(t *testing.T, langs ...string) *tableSite {
	t.Helper()
	bundle, err := i18n.New(langs)
	if err != nil {
		t.Fatal(err)
	}
	assets, err := NewAssets()
	if err != nil {
		t.Fatal(err)
	}
	rd, err := NewRenderer("Test", func() *i18n.Bundle { return bundle }, nil, assets)
	if err != nil {
		t.Fatal(err)
	}
	s := &tableSite{rs: NewRoutes(rd.Handle), renders: map[string]int{}, bundle: bundle}
	count := func(name string) HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) error {
			s.renders[name]++
			if s.seen != nil {
				s.seen(r)
			}
			fmt.Fprintf(w, "%s in %s (%s)", name, Lang(r), r.PostFormValue("field"))
			return nil
		}
	}
	s.rs.Page("GET /kept", count("kept"), Cache)
	s.rs.Page("GET /form", count("form"))
	s.rs.Page("GET /manage/{token}", count("manage"), Private)
	s.rs.Page("POST /upload", count("upload"), Body(64<<10))
	s.rs.Page("POST /form", count("post"))
	s.rs.Admin("GET /admin/anyone", count("anyone"))
	s.rs.Admin("GET /admin/settings", count("settings"), Need(auth.ManageSite))
	s.rs.Admin("POST /admin/image", count("image"), Body(64<<10))
	s.rs.Site("GET /robots.txt", count("robots"), Cache)
	s.cache = NewPageCache(1<<20, func() int64 { return 1 })
	s.h = s.rs.Handler(Server{Languages: func() *i18n.Bundle { return s.bundle }, Cache: s.cache, Render: rd})
	return s
}

func (s *tableSite) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return w
}

func (s *tableSite) get(path string) *httptest.ResponseRecorder {
	return s.do(httptest.NewRequest("GET", path, nil))
}

// A page is served in every enabled language, and in no other.
func TestRoutesLanguages(t *testing.T) {
	s := newTableSite(t, "en", "fr")
	for _, c := range []struct {
		path   string
		status int
		body   string
	}{
		{"/en/kept", 200, "kept in en"},
		{"/fr/kept", 200, "kept in fr"},
		{"/ru/kept", 404, ""}, // a language peerpress knows, not enabled here
		{"/xx/kept", 404, ""},
		{"/kept", 404, ""},
		{"/robots.txt", 200, "robots in "},
		{"/en/robots.txt", 404, ""},
	} {
		w := s.get(c.path)
		if w.Code != c.status || !strings.Contains(w.Body.String(), c.body) {
			t.Errorf("GET %s: %d %q, want %d with %q", c.path, w.Code, w.Body.String(), c.status, c.body)
		}
	}
	// Enabling a language needs no new table.
	bundle, err := i18n.New([]string{"en", "fr", "ru"})
	if err != nil {
		t.Fatal(err)
	}
	s.bundle = bundle
	if w := s.get("/ru/kept"); w.Code != 200 || w.Body.String() != "kept in ru ()" {
		t.Errorf("GET /ru/kept after enabling ru: %d %q", w.Code, w.Body.String())
	}
}

// Only routes declared Cache reach the page cache; every other answer
// tells browsers to keep nothing.
func TestRoutesCacheOnlyWhenDeclared(t *testing.T) {
	s := newTableSite(t, "en")
	for range 3 {
		s.get("/en/kept")
		if w := s.get("/en/form"); w.Header().Get("Cache-Control") != "private, no-store" {
			t.Errorf("form: Cache-Control %q, want private, no-store", w.Header().Get("Cache-Control"))
		}
		s.get("/en/manage/secret")
	}
	if s.renders["kept"] != 1 {
		t.Errorf("the cached page was rendered %d times, want once", s.renders["kept"])
	}
	if s.renders["form"] != 3 || s.renders["manage"] != 3 {
		t.Errorf("uncached pages rendered %d and %d times, want 3 each", s.renders["form"], s.renders["manage"])
	}
	if n, _ := s.cache.Len(); n != 1 {
		t.Errorf("the cache holds %d pages, want 1", n)
	}
}

// A private link's token never reaches the log, nor another site as a
// referrer.
func TestRoutesPrivateLinkNotLogged(t *testing.T) {
	s := newTableSite(t, "en")
	var logged bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(old) })
	h := LogRequests(s.h)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/en/manage/s3cr3tT0ken", nil))
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	if strings.Contains(logged.String(), "s3cr3tT0ken") || !strings.Contains(logged.String(), "/{lang}/manage/{token}") {
		t.Errorf("log: %s", logged.String())
	}
	if got := w.Header().Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy %q", got)
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/en/kept", nil))
	if !strings.Contains(logged.String(), "path=/en/kept") {
		t.Errorf("an ordinary path is logged as is: %s", logged.String())
	}
}

// Bodies are bounded per route: a form takes the default, an upload
// route its own; too large is 413, never a CSRF refusal.
func TestRoutesBodyLimits(t *testing.T) {
	s := newTableSite(t, "en")
	big := strings.Repeat("x", 100<<10)
	post := func(path, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", path, strings.NewReader(url.Values{"field": {body}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return s.do(r)
	}
	if w := post("/en/form", big); w.Code != 200 || !strings.Contains(w.Body.String(), big) {
		t.Errorf("100 KB form on a default route: %d", w.Code)
	}
	if w := post("/en/upload", big); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("100 KB on a 64 KB route: %d, want 413", w.Code)
	}
	if w := post("/en/upload", "small"); w.Code != 200 {
		t.Errorf("small body on a 64 KB route: %d", w.Code)
	}

	// A signed-in editor's upload over the limit is not "form expired":
	// the token before the file is read, the file left out and reported
	// to the handler, which says it is too large with the form as typed.
	sess := auth.Session{CSRFToken: "tok"}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", "tok")
	fw, _ := mw.CreateFormFile("image", "big.jpg")
	fw.Write([]byte(big))
	mw.Close()
	r := httptest.NewRequest("POST", "/admin/image", &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r = r.WithContext(auth.WithUser(context.Background(), auth.User{ID: 1, Role: auth.RoleEditor}, sess))
	var sawTooLarge bool
	s.seen = func(r *http.Request) { sawTooLarge = FileTooLarge(r, "image") }
	if w := s.do(r); w.Code != http.StatusOK || !sawTooLarge {
		t.Errorf("oversized upload in the admin: %d, file reported too large: %v; want 200 and true", w.Code, sawTooLarge)
	}
}

// Admin routes need a session, the capability they declare, and the
// CSRF token for changes.
func TestRoutesAccess(t *testing.T) {
	s := newTableSite(t, "en")
	as := func(role auth.Role, method, path, csrf string) *httptest.ResponseRecorder {
		form := url.Values{"csrf": {csrf}}
		r := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if role != "" {
			r = r.WithContext(auth.WithUser(r.Context(), auth.User{ID: 1, Role: role}, auth.Session{CSRFToken: "tok"}))
		}
		return s.do(r)
	}
	for _, c := range []struct {
		role         auth.Role
		method, path string
		csrf         string
		status       int
	}{
		{"", "GET", "/admin/anyone", "", http.StatusSeeOther}, // to the sign-in form
		{"", "POST", "/admin/image", "tok", http.StatusForbidden},
		{auth.RoleModerator, "GET", "/admin/anyone", "", 200},
		{auth.RoleEditor, "GET", "/admin/settings", "", http.StatusForbidden},
		{auth.RoleModerator, "GET", "/admin/settings", "", http.StatusForbidden},
		{auth.RoleAdmin, "GET", "/admin/settings", "", 200},
		{auth.RoleEditor, "POST", "/admin/image", "tok", 200},
		{auth.RoleEditor, "POST", "/admin/image", "wrong", http.StatusForbidden},
		{auth.RoleAdmin, "POST", "/admin/image", "", http.StatusForbidden},
	} {
		if w := as(c.role, c.method, c.path, c.csrf); w.Code != c.status {
			t.Errorf("%s %s %s (csrf %q): %d, want %d", c.role, c.method, c.path, c.csrf, w.Code, c.status)
		}
	}
	if s.renders["settings"] != 1 {
		t.Errorf("the settings handler ran %d times, want once (for the admin)", s.renders["settings"])
	}
}

// A page behind a private link or a sign-in cannot be declared cacheable:
// the table refuses it when the site is built.
func TestRoutesRefusePrivateCaching(t *testing.T) {
	for _, declare := range []func(rs *Routes){
		func(rs *Routes) { rs.Page("GET /manage/{token}", nil, Private, Cache) },
		func(rs *Routes) { rs.Admin("GET /admin/list", nil, Cache) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("a private page was declared cacheable without complaint")
				}
			}()
			declare(NewRoutes(func(HandlerFunc) http.Handler { return nil }))
		}()
	}
}

// The printed table lists every route with its policy.
func TestRoutesTable(t *testing.T) {
	s := newTableSite(t, "en")
	var out strings.Builder
	if err := s.rs.WriteTable(&out); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(out.String(), "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	table := strings.Join(lines, "\n")
	for _, line := range []string{
		"GET /{lang}/kept cached - public -",
		"GET /{lang}/manage/{token} no-store - public,private-link -",
		"POST /{lang}/upload no-store 64KB public -",
		"POST /{lang}/form no-store 2MB public -",
		"GET /admin/settings no-store - site -",
		"POST /admin/image no-store 64KB signed-in -",
	} {
		if !strings.Contains(table, line) {
			t.Errorf("table lacks %q:\n%s", line, table)
		}
	}
}
