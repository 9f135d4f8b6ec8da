package account_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app/apptest"
	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/web/webtest"
)

var resetLink = regexp.MustCompile(`https?://[^\s/]+(/admin/reset/[A-Za-z0-9_-]{43})`)

func getWithLanguage(c *webtest.Client, path, acceptLanguage string) webtest.Response {
	c.T.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.Base+path, nil)
	req.Header.Set("Accept-Language", acceptLanguage)
	return c.Do(req)
}

// The admin speaks the browser's language among the catalogs that exist
// (even one the site does not publish in), until the user chooses one on
// their account page; then every admin page, the layout included, is in
// that language, whatever the browser says.
func TestAdminInTheUsersLanguage(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := apptest.New(t, d, apptest.Options{Languages: []string{"en", "fr"}})
		admin, csrf := s.Admin()
		getWithLanguage(admin, "/admin/account", "ru-RU,ru;q=0.9").Must(t, http.StatusOK, "Ваша учётная запись", `lang="ru"`)
		getWithLanguage(webtest.NewClient(t, s.Server.URL), "/admin/login", "ar").Must(t, http.StatusOK, `dir="rtl"`, "نسيت كلمة المرور؟")

		admin.Post("/admin/account/language", url.Values{"csrf": {csrf}, "lang": {"xx"}}).Must(t, http.StatusBadRequest)
		admin.Post("/admin/account/language", url.Values{"csrf": {csrf}, "lang": {"es"}}).Must(t, http.StatusSeeOther)
		for _, path := range []string{"/admin/account", "/admin/entries", "/admin/users", "/admin/settings", "/admin/audit", "/admin/tokens", "/admin/moderation"} {
			r := getWithLanguage(admin, path, "en")
			r.Must(t, http.StatusOK, `lang="es"`, "Su cuenta") // the layout's navigation
			r.MustNot(t, "Your account")
		}
		// Dates say their zone, in the language's words.
		getWithLanguage(admin, "/admin/account", "en").Must(t, http.StatusOK, "UTC", "de 20")
		var n int
		if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = ? AND target = 'es'`, auth.ActionLanguageChoice).Scan(&n); err != nil || n != 1 {
			t.Errorf("language choice audit rows: %d, %v", n, err)
		}
	})
}

// Signing in through the form: wrong passwords are answered, then held
// off with 429 and the time to come back, without checking the password;
// each try is counted.
func TestSignInFormBacksOff(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := apptest.New(t, d, apptest.Options{})
		fixed := time.Now()
		s.App.Users.Now = func() time.Time { return fixed } // the backoff does not run out meanwhile
		c := s.Client()
		for range 4 {
			c.Post("/admin/login", url.Values{"email": {s.Login.Email}, "password": {"not the password"}}).Must(t, http.StatusUnauthorized)
		}
		r := c.Post("/admin/login", url.Values{"email": {s.Login.Email}, "password": {s.Login.Password}})
		r.Must(t, http.StatusTooManyRequests, "UTC")
		if r.Header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
		attempts, failures, err := s.App.Users.LoginAttempts(context.Background(), s.Login.Email)
		if err != nil || attempts != 5 || failures != 4 {
			t.Errorf("attempts %d, failures %d, %v; want 5 and 4", attempts, failures, err)
		}
	})
}

// A forgotten password: the form answers the same for any address; the
// mailed link sets a new password once, signs out every other session
// and signs this browser in; used again, it changes nothing.
func TestPasswordResetByMail(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := apptest.New(t, d, apptest.Options{})
		old, _ := s.Admin()
		c := s.Client()
		c.Get("/admin/login").Must(t, http.StatusOK, `href="/admin/reset"`)
		unknown := c.Post("/admin/reset", url.Values{"email": {"nobody@example.org"}})
		known := c.Post("/admin/reset", url.Values{"email": {strings.ToUpper(s.Login.Email)}})
		unknown.Must(t, http.StatusOK)
		known.Must(t, http.StatusOK)
		if unknown.Body != known.Body {
			t.Error("the answer tells a staff address from another")
		}
		mails := s.Mail(s.Login.Email)
		if len(mails) != 1 {
			t.Fatalf("%d mails", len(mails))
		}
		m := resetLink.FindStringSubmatch(mails[0].Text)
		if m == nil {
			t.Fatalf("no link in %q", mails[0].Text)
		}
		link := m[1]
		page := c.Get(link)
		page.Must(t, http.StatusOK, s.Login.Email, `name="password"`)
		if cc := page.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("Cache-Control %q", cc)
		}
		c.Post(link, url.Values{"password": {"short"}}).Must(t, http.StatusUnprocessableEntity)
		c.Post(link, url.Values{"password": {"a new long passphrase"}}).Must(t, http.StatusSeeOther)
		c.Get("/admin/account").Must(t, http.StatusOK)
		if r := old.Get("/admin/account"); r.Status != http.StatusSeeOther {
			t.Errorf("the other session after a reset: %d", r.Status)
		}
		c.Get(link).Must(t, http.StatusGone)
		c.Post(link, url.Values{"password": {"someone else's passphrase"}}).Must(t, http.StatusGone)
		if _, err := s.App.Users.Authenticate(context.Background(), s.Login.Email, "a new long passphrase"); err != nil {
			t.Fatal("a used link changed the password")
		}
	})
}

// A user sees their sessions by browser, signs one out, changes their
// password (the current one required) and every other session ends;
// each step is in the audit log, which admins read and filter, and
// which offers no way to change it.
func TestSessionsPasswordAndAudit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := apptest.New(t, d, apptest.Options{})
		phone := s.Client()
		req, _ := http.NewRequest(http.MethodPost, phone.Base+"/admin/login", strings.NewReader(url.Values{"email": {s.Login.Email}, "password": {s.Login.Password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("User-Agent", "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36")
		phone.Do(req).Must(t, http.StatusSeeOther)
		tablet := s.Client()
		tablet.SignIn(s.Login.Email, s.Login.Password)
		admin, csrf := s.Admin()
		page := admin.Get("/admin/account")
		page.Must(t, http.StatusOK, "Chrome · Android", "this browser")
		ids := regexp.MustCompile(`/admin/account/sessions/([0-9a-f]{16})/revoke`).FindAllStringSubmatch(page.Body, -1)
		if len(ids) != 3 {
			t.Fatalf("%d sessions listed, want 3", len(ids))
		}
		admin.Post("/admin/account/sessions/zzzz/revoke", url.Values{"csrf": {csrf}}).Must(t, http.StatusNotFound)
		// Sign out the phone's (the one with Chrome · Android).
		phoneRow := regexp.MustCompile(`Chrome · Android(?s:.)*?/admin/account/sessions/([0-9a-f]{16})/revoke`).FindStringSubmatch(page.Body)
		admin.Post("/admin/account/sessions/"+phoneRow[1]+"/revoke", url.Values{"csrf": {csrf}}).Must(t, http.StatusSeeOther)
		if r := phone.Get("/admin/entries"); r.Status != http.StatusSeeOther {
			t.Errorf("revoked session still works: %d", r.Status)
		}

		admin.Post("/admin/account/password", url.Values{"csrf": {csrf}, "current": {"wrong one"}, "password": {"another long passphrase"}}).Must(t, http.StatusUnprocessableEntity, "not your current password")
		admin.Post("/admin/account/password", url.Values{"csrf": {csrf}, "current": {s.Login.Password}, "password": {"short"}}).Must(t, http.StatusUnprocessableEntity)
		admin.Post("/admin/account/password", url.Values{"csrf": {csrf}, "current": {s.Login.Password}, "password": {"another long passphrase"}}).Must(t, http.StatusSeeOther)
		admin.Get("/admin/account").Must(t, http.StatusOK) // this browser keeps a fresh session
		if r := tablet.Get("/admin/entries"); r.Status != http.StatusSeeOther {
			t.Errorf("another session after a password change: %d", r.Status)
		}

		log := admin.Get("/admin/audit")
		log.Must(t, http.StatusOK, auth.ActionSignIn, auth.ActionSessionRevoke, auth.ActionPasswordChange, "UTC")
		filtered := admin.Get("/admin/audit?action=" + url.QueryEscape(auth.ActionPasswordChange))
		filtered.Must(t, http.StatusOK, auth.ActionPasswordChange)
		if strings.Contains(filtered.Body, "<code>"+auth.ActionSignIn+"</code>") {
			t.Error("the action filter kept other actions")
		}
		admin.Get("/admin/audit?user=x").Must(t, http.StatusBadRequest)
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
			req, _ := http.NewRequest(m, admin.Base+"/admin/audit", strings.NewReader("csrf="+csrf))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if r := admin.Do(req); r.Status < 400 || r.Status >= 500 {
				t.Errorf("%s /admin/audit: %d", m, r.Status)
			}
		}
	})
}
