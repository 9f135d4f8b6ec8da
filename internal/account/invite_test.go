package account_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"peerpress/internal/app/apptest"
	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/web/webtest"
)

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func signIn(t *testing.T, c *webtest.Client, email, password string) string {
	t.Helper()
	c.Post("/admin/login", url.Values{"email": {email}, "password": {password}, "next": {"/admin/entries"}}).Must(t, http.StatusSeeOther)
	m := csrfRe.FindStringSubmatch(c.Get("/admin/users").Body)
	if m == nil {
		t.Fatal("no csrf token on /admin/users")
	}
	return m[1]
}

// An admin invites someone at the users page: a mail in the admin's
// language (the site's default) carries a link that lets them choose
// their password once and signs them in; the link is never logged; used,
// it says so and changes nothing. An imported author is invited from
// their row. The engines run one after the other: the test reads the
// process's log.
func TestInviteByMail(t *testing.T) {
	dbtest.RunSerial(t, func(t *testing.T, d *db.DB) {
		var logs bytes.Buffer
		prev := slog.Default()
		slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
		defer slog.SetDefault(prev)

		ctx := context.Background()
		s := apptest.New(t, d, apptest.Options{Languages: []string{"fr", "en"}})
		admin := webtest.NewClient(t, s.Server.URL)
		csrf := signIn(t, admin, s.Login.Email, s.Login.Password)

		// Bad input: the form again, nothing made.
		admin.Post("/admin/users", url.Values{"csrf": {csrf}, "email": {"not an address"}, "role": {"editor"}}).Must(t, http.StatusUnprocessableEntity)
		admin.Post("/admin/users", url.Values{"csrf": {csrf}, "email": {s.Login.Email}, "role": {"editor"}}).Must(t, http.StatusUnprocessableEntity)
		admin.Post("/admin/users", url.Values{"csrf": {csrf}, "email": {"new@example.org"}, "role": {"king"}}).Must(t, http.StatusUnprocessableEntity)
		if _, err := s.App.Users.UserByEmail(ctx, "new@example.org"); err == nil {
			t.Fatal("a refused invitation made a user")
		}

		r := admin.Post("/admin/users", url.Values{"csrf": {csrf}, "email": {"New@Example.org"}, "name": {"Nadia"}, "role": {"editor"}})
		r.Must(t, http.StatusSeeOther)
		admin.Get(r.Location).Must(t, http.StatusOK, "new@example.org", "Invité")
		mails := s.Mail("new@example.org")
		if len(mails) != 1 || !strings.Contains(mails[0].Subject, "Votre compte") || !strings.Contains(mails[0].Text, "Bonjour Nadia") {
			t.Fatalf("the mail: %+v", mails)
		}
		link := s.InviteLink("new@example.org")
		if !strings.Contains(mails[0].Text, s.Server.URL+link) {
			t.Errorf("the link does not lead to the site: %s", mails[0].Text)
		}

		fresh := webtest.NewClient(t, s.Server.URL)
		page := fresh.Get(link)
		page.Must(t, http.StatusOK, "new@example.org", `name="password"`)
		if cc := page.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("Cache-Control %q", cc)
		}
		fresh.Post(link, url.Values{"password": {"short"}}).Must(t, http.StatusUnprocessableEntity, "10")
		r = fresh.Post(link, url.Values{"password": {"my own long password"}})
		r.Must(t, http.StatusSeeOther)
		if r.Location != "/admin/entries" {
			t.Errorf("after accepting: %q", r.Location)
		}
		fresh.Get("/admin/entries").Must(t, http.StatusOK) // signed in
		if _, err := s.App.Users.Authenticate(ctx, "new@example.org", "my own long password"); err != nil {
			t.Fatal(err)
		}
		// Used: it says so and changes nothing.
		other := webtest.NewClient(t, s.Server.URL)
		other.Get(link).Must(t, http.StatusGone, "déjà été utilisée")
		other.Post(link, url.Values{"password": {"somebody else's password"}}).Must(t, http.StatusGone)
		if _, err := s.App.Users.Authenticate(ctx, "new@example.org", "my own long password"); err != nil {
			t.Fatal("a used link changed the password")
		}
		other.Get("/admin/invite/"+strings.Repeat("A", 43)).Must(t, http.StatusGone, "a expiré")
		if r := other.Get("/admin/invite/%00"); r.Status != http.StatusNotFound { // the input check's
			t.Errorf("a NUL in the link: %d", r.Status)
		}

		// An imported author: not yet invited, invited from their row.
		var id int64
		if err := d.InTx(ctx, func(tx *db.Tx) (err error) {
			id, _, err = auth.AddWithoutPassword(ctx, tx, "author@example.org", "Old Author", auth.RoleAuthor)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		admin.Get("/admin/users").Must(t, http.StatusOK, "Pas encore invité", `value="invite"`)
		admin.Post("/admin/users/"+itoa(id), url.Values{"csrf": {csrf}, "do": {"invite"}}).Must(t, http.StatusSeeOther)
		first := s.InviteLink("author@example.org")
		admin.Post("/admin/users/"+itoa(id), url.Values{"csrf": {csrf}, "do": {"invite"}}).Must(t, http.StatusSeeOther)
		second := s.InviteLink("author@example.org")
		webtest.NewClient(t, s.Server.URL).Get(first).Must(t, http.StatusGone, "a expiré")
		webtest.NewClient(t, s.Server.URL).Post(second, url.Values{"password": {"the author's password"}}).Must(t, http.StatusSeeOther)
		admin.Post("/admin/users/"+itoa(id), url.Values{"csrf": {csrf}, "do": {"invite"}}).Must(t, http.StatusBadRequest)

		for _, token := range []string{link[len("/admin/invite/"):], first[len("/admin/invite/"):], second[len("/admin/invite/"):]} {
			if strings.Contains(logs.String(), token) {
				t.Fatalf("an invitation's token is in the log:\n%s", logs.String())
			}
		}
		if !strings.Contains(logs.String(), "/admin/invite/{token}") {
			t.Errorf("the requests to the link were not logged by their pattern:\n%s", logs.String())
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
