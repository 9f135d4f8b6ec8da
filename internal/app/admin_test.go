package app_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/web/webtest"
)

func entryForm(csrf string, kv ...string) url.Values {
	f := url.Values{"csrf": {csrf}, "kind": {"article"}, "lang": {"en"}, "status": {"published"}, "section_id": {"0"}, "action": {"save"}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

var entryIDRe = regexp.MustCompile(`^/admin/entries/(\d+)\?saved=1$`)

func (c *client) createEntry(csrf string, kv ...string) string {
	c.T.Helper()
	r := c.Post("/admin/entries", entryForm(csrf, kv...))
	m := entryIDRe.FindStringSubmatch(r.Location)
	if r.Status != http.StatusSeeOther || m == nil {
		c.T.Fatalf("create entry: %d %q\n%s", r.Status, r.Location, webtest.Snippet(r.Body))
	}
	return m[1]
}

func TestAdminRequiresSignIn(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		r := c.Get("/admin/entries/new")
		if r.Status != http.StatusSeeOther || r.Location != "/admin/login?next=%2Fadmin%2Fentries%2Fnew" {
			t.Fatalf("anonymous admin GET: %d %q", r.Status, r.Location)
		}
		r = c.Post("/admin/entries", entryForm("x", "title", "Sneaky"))
		r.Must(t, http.StatusForbidden)
		// Wrong password: refused, and the form keeps the email.
		r = c.Post("/admin/login", url.Values{"email": {s.Login.Email}, "password": {"wrong-password"}})
		r.Must(t, http.StatusUnauthorized, "do not match", `value="`+s.Login.Email+`"`)
		// An open redirect through next= is not possible.
		r = c.Post("/admin/login", url.Values{"email": {s.Login.Email}, "password": {s.Login.Password}, "next": {"//evil.example/"}})
		if r.Status != http.StatusSeeOther || r.Location != "/admin/entries" {
			t.Fatalf("next=//evil: %d %q", r.Status, r.Location)
		}
	})
}

func TestSessionCookieFlags(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		req, _ := http.NewRequest(http.MethodPost, s.Server.URL+"/admin/login", strings.NewReader(url.Values{"email": {s.Login.Email}, "password": {s.Login.Password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := c.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		var found bool
		for _, ck := range res.Cookies() {
			if ck.Name == auth.CookieName {
				found = true
				if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
					t.Fatalf("session cookie flags: %+v", ck)
				}
			}
		}
		if !found {
			t.Fatal("no session cookie")
		}
	})
}

func TestCSRFAndCrossOrigin(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		d := s.App.DB
		c := s.client()
		c.SignIn(s.Login.Email, s.Login.Password)
		// Without the token.
		r := c.Post("/admin/entries", entryForm("", "title", "No token"))
		r.Must(t, http.StatusForbidden, "expired")
		// With a wrong token.
		r = c.Post("/admin/entries", entryForm("wrong", "title", "Bad token"))
		r.Must(t, http.StatusForbidden)
		// A cross-site request, even with the right token.
		req, _ := http.NewRequest(http.MethodPost, s.Server.URL+"/admin/entries", strings.NewReader(entryForm(c.CSRF("/admin/entries"), "title", "Cross site").Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		r = c.Do(req)
		if r.Status != http.StatusForbidden {
			t.Fatalf("cross-site POST: %d", r.Status)
		}
		var n int
		d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM translations WHERE title IN ('No token', 'Bad token', 'Cross site')`).Scan(&n)
		if n != 0 {
			t.Fatalf("%d refused entries were saved", n)
		}
	})
}

// An editor writes an entry, previews, publishes it, translates it, changes
// its address, restores an old revision, and deletes it.
func TestEditorJourney(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		csrf := c.SignIn(s.Login.Email, s.Login.Password)
		reader := s.client()

		// Preview shows sanitized Markdown and saves nothing.
		r := c.Post("/admin/entries", entryForm(csrf, "title", "Peer outreach in the rain", "body", "## Night shift\n\n<script>alert(1)</script>\n\n**kits**", "action", "preview"))
		r.Must(t, 200, `<h2 id="night-shift">Night shift</h2>`, "<strong>kits</strong>", "Peer outreach in the rain")
		r.MustNot(t, "<script>alert(1)")
		reader.Get("/en/articles/peer-outreach-in-the-rain").Must(t, 404)

		// Validation: the form comes back as typed with the reason.
		r = c.Post("/admin/entries", entryForm(csrf, "title", "", "summary", "kept summary"))
		r.Must(t, http.StatusUnprocessableEntity, "This field is required", "kept summary")
		r = c.Post("/admin/entries", entryForm(csrf, "title", "Bad slug", "slug", "Not A Slug!"))
		r.Must(t, http.StatusUnprocessableEntity, "lower-case letters")
		r = c.Post("/admin/entries", entryForm(csrf, "title", "Too long", "body", strings.Repeat("x", 200_001)))
		r.Must(t, http.StatusUnprocessableEntity, "too long")
		r = c.Post("/admin/entries", entryForm(csrf, "title", "Bad kind", "kind", "sermon"))
		r.Must(t, http.StatusUnprocessableEntity, "Choose one of the options")
		r = c.Post("/admin/entries", entryForm(csrf, "title", "Bad lang", "lang", "xx"))
		r.Must(t, http.StatusUnprocessableEntity)
		r = c.Post("/admin/entries", entryForm(csrf, "title", "Bad section", "section_id", "99999"))
		r.Must(t, http.StatusUnprocessableEntity)
		r = c.Post("/admin/entries", entryForm(csrf, "title", "Bad tag", "tag_id", "abc"))
		r.Must(t, http.StatusUnprocessableEntity)
		r = c.Post("/admin/entries", entryForm(csrf, "title", "Reserved", "kind", "page", "slug", "articles"))
		r.Must(t, http.StatusUnprocessableEntity, "used by the site itself")
		r = c.Post("/admin/entries", entryForm(csrf, "title", "Event without time", "kind", "event"))
		r.Must(t, http.StatusUnprocessableEntity, "Event details")
		// A slug another entry already uses in this language.
		r = c.Post("/admin/entries", entryForm(csrf, "title", "Clash", "slug", "remember-every-name"))
		r.Must(t, http.StatusUnprocessableEntity, "already uses this address", `value="Clash"`)

		// Save for real; it is live at once.
		id := c.createEntry(csrf, "title", "Peer outreach in the rain", "summary", "What a wet night taught us.", "body", "First version.")
		reader.Get("/en/articles/peer-outreach-in-the-rain").Must(t, 200, "First version.", "What a wet night taught us.")
		reader.Get("/en/articles").Must(t, 200, "Peer outreach in the rain")

		// Second save with a new slug: the old address redirects.
		r = c.Post("/admin/entries/"+id, entryForm(csrf, "title", "Peer outreach in the rain", "slug", "outreach-in-the-rain", "body", "Second version."))
		if r.Status != http.StatusSeeOther {
			t.Fatalf("update: %d\n%s", r.Status, webtest.Snippet(r.Body))
		}
		old := reader.Get("/en/articles/peer-outreach-in-the-rain")
		if old.Status != http.StatusMovedPermanently || old.Location != "/en/articles/outreach-in-the-rain" {
			t.Fatalf("old slug: %d %q", old.Status, old.Location)
		}
		reader.Get("/en/articles/outreach-in-the-rain").Must(t, 200, "Second version.")

		// A Russian translation, then the source changes: it is marked outdated.
		r = c.Post("/admin/entries/"+id+"/translations/ru", url.Values{"csrf": {csrf}, "title": {"Аутрич под дождём"}, "body": {"Русский текст."}, "status": {"published"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("translation: %d\n%s", r.Status, webtest.Snippet(r.Body))
		}
		ru := reader.Get("/ru/articles/аутрич-под-дождём")
		ru.Must(t, 200, "Русский текст.", `<html lang="ru"`, `hreflang="en"`)
		reader.Get("/en/articles/outreach-in-the-rain").Must(t, 200, `hreflang="ru"`)
		c.Get("/admin/entries/"+id).MustNot(t, "outdated: the source changed")
		c.Post("/admin/entries/"+id, entryForm(csrf, "title", "Peer outreach in the rain", "slug", "outreach-in-the-rain", "body", "Third version."))
		c.Get("/admin/entries/"+id).Must(t, 200, "outdated: the source changed")
		c.Get("/admin/entries/"+id+"/translations/ru").Must(t, 200, "The source has changed", "Third version.")
		c.Get("/admin/entries/"+id+"/translations/zz").Must(t, 404)

		// Revisions: three saves of the source; restore the first.
		revs := c.Get("/admin/entries/" + id + "/translations/en/revisions")
		revs.Must(t, 200, "(current)")
		links := regexp.MustCompile(`href="(/admin/entries/\d+/translations/en/revisions/(\d+))">(\d+)<`).FindAllStringSubmatch(revs.Body, -1)
		if len(links) != 3 {
			t.Fatalf("want 3 revisions, got %d", len(links))
		}
		first := links[len(links)-1]
		c.Get(first[1]).Must(t, 200, "First version.")
		r = c.Post(first[1]+"/restore", url.Values{"csrf": {csrf}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("restore: %d\n%s", r.Status, webtest.Snippet(r.Body))
		}
		reader.Get("/en/articles/peer-outreach-in-the-rain").Must(t, 200, "First version.")
		if n := len(regexp.MustCompile(`/translations/en/revisions/\d+">\d+<`).FindAllString(c.Get("/admin/entries/"+id+"/translations/en/revisions").Body, -1)); n != 4 {
			t.Fatalf("restore should add a fourth revision, have %d", n)
		}
		// The address of revision 2 now redirects to the restored slug.
		r = reader.Get("/en/articles/outreach-in-the-rain")
		if r.Status != http.StatusMovedPermanently || r.Location != "/en/articles/peer-outreach-in-the-rain" {
			t.Fatalf("after restore: %d %q", r.Status, r.Location)
		}

		// Delete: every address of the entry answers 410.
		c.Get("/admin/entries/"+id+"/delete").Must(t, 200, "cannot be undone")
		r = c.Post("/admin/entries/"+id+"/delete", url.Values{"csrf": {csrf}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("delete: %d", r.Status)
		}
		for _, p := range []string{"/en/articles/peer-outreach-in-the-rain", "/en/articles/outreach-in-the-rain"} {
			reader.Get(p).Must(t, http.StatusGone, "removed")
		}
		reader.Get("/ru/articles/аутрич-под-дождём").Must(t, http.StatusGone, "удалена", `<html lang="ru"`)
		c.Get("/admin/entries/"+id).Must(t, 404)
	})
}

// A scheduled entry appears on its own when its time comes, with no restart.
func TestScheduledEntryAppearsOnTime(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		d := s.App.DB
		c := s.client()
		csrf := c.SignIn(s.Login.Email, s.Login.Password)
		when := time.Now().UTC().Add(time.Hour).Format("2006-01-02T15:04")
		id := c.createEntry(csrf, "title", "Tomorrow's news", "status", "published", "publish_at", when)
		c.Get("/admin/entries?status=scheduled").Must(t, 200, "Tomorrow&#39;s news")
		reader := s.client()
		reader.Get("/en/articles/tomorrows-news").Must(t, 404)
		reader.Get("/en/articles").MustNot(t, "Tomorrow")
		// Time passes: move the publish time into the past, as the clock would.
		if _, err := d.ExecContext(context.Background(), `UPDATE translations SET publish_at = ? WHERE entry_id = ?`, time.Now().Add(-time.Minute).Unix(), id); err != nil {
			t.Fatal(err)
		}
		reader.Get("/en/articles/tomorrows-news").Must(t, 200, "Tomorrow")
		reader.Get("/en/articles").Must(t, 200, "Tomorrow")
	})
}

func TestFeaturedImageUpload(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		csrf := c.SignIn(s.Login.Email, s.Login.Password)
		id := c.createEntry(csrf, "title", "With a picture")
		// Not an image: refused with a message, nothing changes.
		r := c.upload("/admin/entries/"+id+"/image", csrf, "image", "photo.jpg", []byte("%PDF-1.4 not really"), nil)
		r.Must(t, http.StatusUnprocessableEntity, "not accepted")
		r = c.upload("/admin/entries/"+id+"/image", csrf, "image", "photo.jpg", jpegBytes(t, 64, 48), url.Values{"alt": {"Volunteers with umbrellas"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("upload: %d\n%s", r.Status, webtest.Snippet(r.Body))
		}
		page := s.client().Get("/en/articles/with-a-picture")
		m := regexp.MustCompile(`<img src="(/media/[^"]+)" width="64" height="48" alt="Volunteers with umbrellas"`).FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatalf("no featured image on the page:\n%s", webtest.Snippet(page.Body))
		}
		if strings.Contains(m[1], "photo") {
			t.Fatalf("stored name %s leaks the uploaded file name", m[1])
		}
		img := s.client().Get(m[1])
		if img.Status != 200 || !strings.HasPrefix(img.Header.Get("Content-Type"), "image/jpeg") {
			t.Fatalf("image: %d %q", img.Status, img.Header.Get("Content-Type"))
		}
		// Too large for the upload limit: a clear message, not a 500.
		r = c.upload("/admin/entries/"+id+"/image", csrf, "image", "big.jpg", make([]byte, 13<<20), nil)
		if r.Status >= 500 {
			t.Fatalf("oversized upload: %d", r.Status)
		}
		// A replaced image stops being served.
		if r := c.upload("/admin/entries/"+id+"/image", csrf, "image", "second.jpg", jpegBytes(t, 32, 32), nil); r.Status != http.StatusSeeOther {
			t.Fatalf("second upload: %d", r.Status)
		}
		s.client().Get(m[1]).Must(t, http.StatusNotFound)
		second := regexp.MustCompile(`<img src="(/media/[^"]+)"`).FindStringSubmatch(s.client().Get("/en/articles/with-a-picture").Body)
		if second == nil {
			t.Fatal("no second image")
		}
		// Deleting the entry deletes its files: nothing of it stays reachable.
		c.Post("/admin/entries/"+id+"/delete", url.Values{"csrf": {csrf}})
		s.client().Get(second[1]).Must(t, http.StatusNotFound)
	})
}

// Authors see and change only their own entries; only admins manage users.
func TestRoles(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		if _, err := s.App.Users.CreateUser(ctx, "author@example.org", "Author", auth.RoleAuthor, "author-password-1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.App.Users.CreateUser(ctx, "editor@example.org", "Editor", auth.RoleEditor, "editor-password-1"); err != nil {
			t.Fatal(err)
		}
		admin := s.client()
		admin.SignIn(s.Login.Email, s.Login.Password)
		adminsEntry := admin.createEntry(admin.CSRF("/admin/entries"), "title", "Admin's entry")

		author := s.client()
		csrf := author.SignIn("author@example.org", "author-password-1")
		own := author.createEntry(csrf, "title", "Author's own entry", "status", "draft")
		author.Get("/admin/entries/"+own).Must(t, 200, "Author&#39;s own entry")
		author.Get("/admin/entries/"+adminsEntry).Must(t, http.StatusForbidden)
		author.Post("/admin/entries/"+adminsEntry, entryForm(csrf, "title", "Hijacked")).Must(t, http.StatusForbidden)
		author.Post("/admin/entries/"+adminsEntry+"/delete", url.Values{"csrf": {csrf}}).Must(t, http.StatusForbidden)
		list := author.Get("/admin/entries")
		list.Must(t, 200, "Author&#39;s own entry")
		list.MustNot(t, "Admin&#39;s entry", "Remember Every Name")
		author.Get("/admin/sections").Must(t, http.StatusForbidden)
		author.Get("/admin/users").Must(t, http.StatusForbidden)

		editor := s.client()
		editor.SignIn("editor@example.org", "editor-password-1")
		editor.Get("/admin/entries/"+adminsEntry).Must(t, 200)
		editor.Get("/admin/sections").Must(t, 200)
		editor.Get("/admin/users").Must(t, http.StatusForbidden)

		// The admin invites a user, who chooses a password through the
		// mail's link; a translator without languages is refused with the
		// form kept.
		acsrf := admin.CSRF("/admin/entries")
		admin.Post("/admin/users", url.Values{"csrf": {acsrf}, "email": {"new@example.org"}, "role": {"translator"}}).
			Must(t, http.StatusUnprocessableEntity, "at least one language", `value="new@example.org"`)
		r := admin.Post("/admin/users", url.Values{"csrf": {acsrf}, "email": {"new@example.org"}, "role": {"editor"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("invite user: %d", r.Status)
		}
		fresh := s.client()
		fresh.Post(s.inviteLink("new@example.org"), url.Values{"password": {"long-enough-pw"}}).Must(t, http.StatusSeeOther)
		fresh.SignIn("new@example.org", "long-enough-pw")
		// Disabling a user ends their sessions at once.
		u, _ := s.App.Users.UserByEmail(ctx, "new@example.org")
		admin.Post("/admin/users/"+itoa(u.ID), url.Values{"csrf": {acsrf}, "do": {"disable"}})
		if r := fresh.Get("/admin/entries"); r.Status != http.StatusSeeOther {
			t.Fatalf("disabled user still in: %d", r.Status)
		}
	})
}

func TestTaxonomyAdmin(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		csrf := c.SignIn(s.Login.Email, s.Login.Password)
		r := c.Post("/admin/sections", url.Values{"csrf": {csrf}, "name_en": {"Stories"}, "name_ru": {"Истории"}, "position": {"4"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("add section: %d\n%s", r.Status, webtest.Snippet(r.Body))
		}
		s.client().Get("/ru/section/stories").Must(t, 200, "Истории")
		c.Post("/admin/sections", url.Values{"csrf": {csrf}, "name_en": {"News again"}, "slug": {"news"}}).Must(t, http.StatusUnprocessableEntity, "already uses")
		c.Post("/admin/sections", url.Values{"csrf": {csrf}, "name_en": {""}}).Must(t, http.StatusUnprocessableEntity, "required")
		c.Post("/admin/organisations", url.Values{"csrf": {csrf}, "name": {"Mesa Collective"}, "website": {"javascript:alert(1)"}, "type": {"national"}, "membership": {"partner"}}).
			Must(t, http.StatusUnprocessableEntity, "https://", `value="Mesa Collective"`)
		c.Post("/admin/organisations", url.Values{"csrf": {csrf}, "name": {"Mesa Collective"}, "country": {"Mexico"}, "type": {"national"}, "membership": {"partner"}}).
			Must(t, http.StatusUnprocessableEntity, "Choose a country from the list.", `<option value="MX">Mexico</option>`)
		r = c.Post("/admin/organisations", url.Values{"csrf": {csrf}, "name": {"Mesa Collective"}, "website": {"https://example.org/mesa"}, "country": {"mx"}, "type": {"national"}, "membership": {"member"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("add organisation: %d\n%s", r.Status, webtest.Snippet(r.Body))
		}
		c.Get("/admin/organisations").Must(t, 200, "Mesa Collective", "<td>Mexico</td>")
		c.Post("/admin/tags", url.Values{"csrf": {csrf}, "id": {"notanumber"}, "name_en": {"x"}}).Must(t, http.StatusBadRequest)
	})
}

// Garbage in forms and URLs gets a 4xx, never a 500.
func TestBadInputNeverFails(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		csrf := c.SignIn(s.Login.Email, s.Login.Password)
		for _, p := range []string{
			"/admin/entries/abc", "/admin/entries/-1", "/admin/entries/99999999999999999999", "/admin/entries/1/translations/../../x",
			"/admin/entries?kind=%00&status=zz&lang=<script>&page=-5&section=abc&q=" + strings.Repeat("a", 5000),
			"/admin/entries/1/translations/en/revisions/abc", "/admin/entries/1/translations/en/revisions/999999",
			"/admin/nope", "/en/tag/%00", "/en/section/%2e%2e",
		} {
			if r := c.Get(p); r.Status >= 500 {
				t.Errorf("GET %s: %d", p, r.Status)
			}
		}
		for _, f := range []url.Values{
			entryForm(csrf, "title", "\xff\xfe invalid utf8"),
			entryForm(csrf, "title", "x", "publish_at", "yesterday"),
			entryForm(csrf, "title", "x", "kind", "event", "event_start", "2026-13-45T99:99", "event_zone", "Mars/Olympus", "event_duration", "-5", "event_mode", "telepathy"),
			entryForm(csrf, "title", "x", "org_id", "99999"),
		} {
			if r := c.Post("/admin/entries", f); r.Status >= 500 || r.Status == http.StatusSeeOther {
				t.Errorf("POST %v: %d", f, r.Status)
			}
		}
		req, _ := http.NewRequest(http.MethodPost, s.Server.URL+"/admin/entries", strings.NewReader("csrf="+csrf+"&title=%zz"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if r := c.Do(req); r.Status >= 500 {
			t.Errorf("malformed form encoding: %d", r.Status)
		}
		big := strings.NewReader("csrf=" + csrf + "&body=" + strings.Repeat("a", 3<<20))
		req, _ = http.NewRequest(http.MethodPost, s.Server.URL+"/admin/entries", big)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if r := c.Do(req); r.Status >= 500 || r.Status == http.StatusSeeOther {
			t.Errorf("oversized form: %d", r.Status)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// countingReader counts what the server pulled from a request body. The
// client's transport may still be writing after the answer came, hence
// the atomic count.
type countingReader struct {
	n     atomic.Int64
	limit int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	done := c.n.Load()
	if done >= c.limit {
		return 0, io.EOF
	}
	n := min(int64(len(p)), c.limit-done)
	for i := range p[:n] {
		p[i] = 'a'
	}
	c.n.Add(n)
	return int(n), nil
}

// An upload far over the limit is cut off early, on the way in: the CSRF
// check must not read it all first.
func TestUploadLimitHolds(t *testing.T) {
	s := sqliteSite(t)
	c := s.client()
	csrf := c.SignIn(s.Login.Email, s.Login.Password)
	id := c.createEntry(csrf, "title", "Big upload")
	for _, route := range []string{"/image", "/attachments"} {
		body := &countingReader{limit: 200 << 20}
		req, _ := http.NewRequest(http.MethodPost, s.Server.URL+"/admin/entries/"+id+route, io.MultiReader(
			strings.NewReader("--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n"+csrf+"\r\n--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"x.jpg\"\r\n\r\n"), body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
		res, err := c.HTTP.Do(req)
		if err == nil {
			res.Body.Close()
			if res.StatusCode < 400 || res.StatusCode >= 500 {
				t.Errorf("%s: 200 MB upload answered %d", route, res.StatusCode)
			}
		}
		if n := body.n.Load(); n > 80<<20 {
			t.Errorf("%s: the server read %d MB of a 200 MB upload", route, n>>20)
		}
	}
}

// inviteLink runs the queued mail into the outbox and returns the path of
// the invitation's link last mailed to addr.
func (s *site) inviteLink(addr string) string {
	s.T.Helper()
	ctx := context.Background()
	for {
		ran, err := s.App.Jobs.RunOnce(ctx)
		if err != nil {
			s.T.Fatal(err)
		}
		if !ran {
			break
		}
	}
	kept, err := s.App.Mailer.Outbox(ctx, 100)
	if err != nil {
		s.T.Fatal(err)
	}
	for _, m := range kept {
		if m.To == addr {
			if l := regexp.MustCompile(`/admin/invite/[A-Za-z0-9_-]{43}`).FindString(m.Text); l != "" {
				return l
			}
		}
	}
	s.T.Fatalf("no invitation to %s in the outbox", addr)
	return ""
}
