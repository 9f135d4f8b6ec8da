package account_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"peerpress/internal/app/apptest"
	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/settings"
	"peerpress/internal/web/webtest"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

var (
	secretRe   = regexp.MustCompile(`<code dir="ltr">([A-Z2-7 ]+)</code>`)
	recoveryRe = regexp.MustCompile(`<li><code>([a-z2-7]{5}-[a-z2-7]{5})</code></li>`)
)

// A user turns on two-factor sign-in with the QR code drawn on the page
// (no outside request) and a code computed from its key; from then on
// the password alone opens nothing, the current code does, once; a
// recovery code works once.
func TestTwoFactorSignIn(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := apptest.New(t, d, apptest.Options{})
		clock := &testClock{t: time.Now()}
		s.App.Users.Now = clock.Now
		admin, csrf := s.Admin()
		page := admin.Get("/admin/account/two-factor")
		page.Must(t, http.StatusOK, "<svg", `autocomplete="one-time-code"`)
		page.MustNot(t, "https://", "http://")
		m := secretRe.FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatalf("no key on the page")
		}
		key := strings.ReplaceAll(m[1], " ", "")
		code := func() string {
			c, err := totp.GenerateCode(key, clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		admin.Post("/admin/account/two-factor", url.Values{"csrf": {csrf}, "code": {"000000"}}).Must(t, http.StatusUnprocessableEntity)
		done := admin.Post("/admin/account/two-factor", url.Values{"csrf": {csrf}, "code": {code()}})
		done.Must(t, http.StatusOK)
		codes := recoveryRe.FindAllStringSubmatch(done.Body, -1)
		if len(codes) != 10 {
			t.Fatalf("%d recovery codes shown", len(codes))
		}
		var sealed string
		if err := d.QueryRowContext(context.Background(), `SELECT totp_sealed FROM users WHERE email = ?`, s.Login.Email).Scan(&sealed); err != nil || sealed == "" || strings.Contains(sealed, key) {
			t.Fatalf("stored key %q (%v): want it sealed", sealed, err)
		}

		signIn := func() (*webtest.Client, string) {
			c := s.Client()
			r := c.Post("/admin/login", url.Values{"email": {s.Login.Email}, "password": {s.Login.Password}, "next": {"/admin/users"}})
			r.Must(t, http.StatusSeeOther)
			if !strings.HasPrefix(r.Location, "/admin/login/code") {
				t.Fatalf("after the password: %q", r.Location)
			}
			if got := c.Get("/admin/entries"); got.Status != http.StatusSeeOther || !strings.HasPrefix(got.Location, "/admin/login") {
				t.Fatalf("the password alone opened the admin: %d %s", got.Status, got.Location)
			}
			c.Get(r.Location).Must(t, http.StatusOK, `name="code"`)
			return c, r.Location
		}
		clock.Add(30 * time.Second)
		c, _ := signIn()
		c.Post("/admin/login/code", url.Values{"code": {"123456"}, "next": {"/admin/users"}}).Must(t, http.StatusUnauthorized)
		used := code()
		r := c.Post("/admin/login/code", url.Values{"code": {used}, "next": {"/admin/users"}})
		r.Must(t, http.StatusSeeOther)
		if r.Location != "/admin/users" {
			t.Errorf("after the code: %q", r.Location)
		}
		c.Get("/admin/users").Must(t, http.StatusOK)

		// The same code again is refused; a recovery code works once.
		c2, _ := signIn()
		c2.Post("/admin/login/code", url.Values{"code": {used}}).Must(t, http.StatusUnauthorized)
		rc := strings.ToUpper(codes[0][1])
		c2.Post("/admin/login/code", url.Values{"code": {rc}}).Must(t, http.StatusSeeOther)
		c3, _ := signIn()
		c3.Post("/admin/login/code", url.Values{"code": {rc}}).Must(t, http.StatusUnauthorized)
		var n int
		if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action IN (?, ?)`, auth.ActionTwoFactorEnrol, auth.ActionRecoveryCode).Scan(&n); err != nil || n != 2 {
			t.Errorf("two-factor audit rows %d, %v; want 2", n, err)
		}
	})
}

// When the site requires it, an administrator without a second factor
// is sent to set one up, and can open nothing else until they do.
func TestAdminsMustUseTwoFactor(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := apptest.New(t, d, apptest.Options{})
		ctx := context.Background()
		site := s.App.Live.Site()
		site.AdminsTwoFactor = true
		if err := settings.NewStore(d).Save(ctx, site); err != nil {
			t.Fatal(err)
		}
		if err := s.App.Live.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		c := s.Client()
		r := c.Post("/admin/login", url.Values{"email": {s.Login.Email}, "password": {s.Login.Password}})
		r.Must(t, http.StatusSeeOther)
		if r.Location != auth.EnrolPath {
			t.Fatalf("an admin without a second factor went to %q", r.Location)
		}
		for _, p := range []string{"/admin/entries", "/admin/users", "/admin/account"} {
			if got := c.Get(p); got.Status != http.StatusSeeOther || got.Location != auth.EnrolPath {
				t.Errorf("%s before enrolling: %d %q", p, got.Status, got.Location)
			}
		}
		page := c.Get(auth.EnrolPath)
		page.Must(t, http.StatusOK, "requires administrators")
		key := strings.ReplaceAll(secretRe.FindStringSubmatch(page.Body)[1], " ", "")
		code, _ := totp.GenerateCode(key, time.Now())
		csrf := csrfRe.FindStringSubmatch(page.Body)[1]
		c.Post(auth.EnrolPath, url.Values{"csrf": {csrf}, "code": {code}}).Must(t, http.StatusOK)
		c.Get("/admin/users").Must(t, http.StatusOK)
	})
}
