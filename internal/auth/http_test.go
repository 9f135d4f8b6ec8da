package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

func sessionCookie(t *testing.T, rec *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	var found *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == auth.CookieName {
			if found != nil {
				t.Fatalf("two %s cookies set", auth.CookieName)
			}
			found = c
		}
	}
	if found == nil {
		t.Fatalf("no %s cookie in %q", auth.CookieName, rec.Header().Values("Set-Cookie"))
	}
	return found
}

func TestCookieFlags(t *testing.T) {
	expires := time.Now().Add(auth.SessionLifetime)
	for _, tc := range []struct {
		url    string
		secure bool
	}{
		{"http://example.org/login", false},
		{"https://example.org/login", true},
	} {
		r := httptest.NewRequest(http.MethodPost, tc.url, nil)
		if (r.TLS != nil) != tc.secure {
			t.Fatalf("%s: test request TLS = %v", tc.url, r.TLS != nil)
		}

		rec := httptest.NewRecorder()
		auth.SetSessionCookie(rec, r, "the-token", expires)
		c := sessionCookie(t, rec)
		if c.Value != "the-token" || c.Path != "/" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != tc.secure {
			t.Errorf("%s: set cookie %+v; want value the-token, Path /, HttpOnly, SameSite=Lax, Secure=%v", tc.url, c, tc.secure)
		}
		if d := c.Expires.Sub(expires); d < -time.Second || d > time.Second {
			t.Errorf("%s: cookie expires %v, want %v", tc.url, c.Expires, expires)
		}
		if want := int(auth.SessionLifetime / time.Second); c.MaxAge < want-5 || c.MaxAge > want {
			t.Errorf("%s: Max-Age %d, want about %d", tc.url, c.MaxAge, want)
		}
		raw := rec.Header().Get("Set-Cookie")
		if strings.Contains(raw, "Secure") != tc.secure {
			t.Errorf("%s: Set-Cookie %q, want Secure=%v", tc.url, raw, tc.secure)
		}

		rec = httptest.NewRecorder()
		auth.ClearSessionCookie(rec, r)
		c = sessionCookie(t, rec)
		if c.Value != "" || c.MaxAge >= 0 || c.Path != "/" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != tc.secure {
			t.Errorf("%s: cleared cookie %+v; want empty, Max-Age<0, same flags", tc.url, c)
		}
		if !c.Expires.IsZero() && c.Expires.After(time.Now()) {
			t.Errorf("%s: cleared cookie expires in the future: %v", tc.url, c.Expires)
		}
	}
}

// probe records what LoadSession handed to the next handler.
type probe struct {
	called bool
	user   auth.User
	sess   auth.Session
	hasU   bool
	hasS   bool
}

func (p *probe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.called = true
	p.user, p.hasU = auth.UserFrom(r.Context())
	p.sess, p.hasS = auth.SessionFrom(r.Context())
}

func TestLoadSession(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := auth.NewStore(d)
		u := mustCreate(t, s, "ivy@example.org", auth.RoleEditor)
		token, sess := mustSession(t, s, u.ID)

		serve := func(cookie *http.Cookie) *probe {
			t.Helper()
			p := &probe{}
			r := httptest.NewRequest(http.MethodGet, "/admin/", nil)
			if cookie != nil {
				r.AddCookie(cookie)
			}
			rec := httptest.NewRecorder()
			s.LoadSession(p).ServeHTTP(rec, r)
			if !p.called {
				t.Fatal("LoadSession did not call the next handler")
			}
			if rec.Code != http.StatusOK {
				t.Errorf("LoadSession answered %d", rec.Code)
			}
			return p
		}

		p := serve(&http.Cookie{Name: auth.CookieName, Value: token})
		if !p.hasU || !p.hasS || !reflect.DeepEqual(p.user, u) || p.sess != sess {
			t.Errorf("with cookie: user %+v (%v), session %+v (%v); want %+v, %+v", p.user, p.hasU, p.sess, p.hasS, u, sess)
		}

		for name, c := range map[string]*http.Cookie{
			"no cookie":     nil,
			"empty cookie":  {Name: auth.CookieName, Value: ""},
			"unknown token": {Name: auth.CookieName, Value: strings.Repeat("A", 43)},
			"garbage":       {Name: auth.CookieName, Value: "nonsense"},
			"other cookie":  {Name: "something_else", Value: token},
		} {
			if p := serve(c); p.hasU || p.hasS {
				t.Errorf("%s: user %+v, session %+v in context; want none", name, p.user, p.sess)
			}
		}

		if err := s.DeleteSession(context.Background(), token); err != nil {
			t.Fatal(err)
		}
		if p := serve(&http.Cookie{Name: auth.CookieName, Value: token}); p.hasU {
			t.Error("deleted session still loaded")
		}

		// A database failure lets the request through anonymously.
		token2, _ := mustSession(t, s, u.ID)
		d.Close()
		if p := serve(&http.Cookie{Name: auth.CookieName, Value: token2}); p.hasU || p.hasS {
			t.Error("closed database: a user was loaded")
		}
	})
}

func TestContextHelpers(t *testing.T) {
	if _, ok := auth.UserFrom(context.Background()); ok {
		t.Error("UserFrom(empty context) = ok")
	}
	if _, ok := auth.SessionFrom(context.Background()); ok {
		t.Error("SessionFrom(empty context) = ok")
	}
	u := auth.User{ID: 7, Email: "x@example.org", Role: auth.RoleAuthor}
	sess := auth.Session{UserID: 7, CSRFToken: "c", ExpiresAt: time.Unix(100, 0).UTC()}
	ctx := auth.WithUser(context.Background(), u, sess)
	if got, ok := auth.UserFrom(ctx); !ok || !reflect.DeepEqual(got, u) {
		t.Errorf("UserFrom = %+v, %v", got, ok)
	}
	if got, ok := auth.SessionFrom(ctx); !ok || got != sess {
		t.Errorf("SessionFrom = %+v, %v", got, ok)
	}
}

func TestValidCSRF(t *testing.T) {
	const csrf = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo"
	sess := auth.Session{UserID: 1, CSRFToken: csrf, ExpiresAt: time.Now().Add(time.Hour)}
	u := auth.User{ID: 1, Email: "x@example.org", Role: auth.RoleAdmin}

	post := func(form url.Values, withSession bool) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/admin/entries", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if withSession {
			r = r.WithContext(auth.WithUser(r.Context(), u, sess))
		}
		return r
	}

	if !auth.ValidCSRF(post(url.Values{"csrf": {csrf}, "title": {"x"}}, true)) {
		t.Error("matching token refused")
	}
	for name, r := range map[string]*http.Request{
		"wrong token":   post(url.Values{"csrf": {csrf[:42] + "x"}}, true),
		"missing token": post(url.Values{"title": {"x"}}, true),
		"empty token":   post(url.Values{"csrf": {""}}, true),
		"token prefix":  post(url.Values{"csrf": {csrf[:20]}}, true),
		"no session":    post(url.Values{"csrf": {csrf}}, false),
	} {
		if auth.ValidCSRF(r) {
			t.Errorf("%s: accepted", name)
		}
	}
	// Only the POST body counts: a token in the query string is not enough.
	r := httptest.NewRequest(http.MethodPost, "/admin/entries?csrf="+csrf, strings.NewReader(""))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r = r.WithContext(auth.WithUser(r.Context(), u, sess))
	if auth.ValidCSRF(r) {
		t.Error("token in the query string accepted")
	}
	// A session without a CSRF token never validates, even against an empty field.
	empty := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("csrf="))
	empty.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	empty = empty.WithContext(auth.WithUser(empty.Context(), u, auth.Session{UserID: 1}))
	if auth.ValidCSRF(empty) {
		t.Error("empty CSRF token accepted")
	}
}
