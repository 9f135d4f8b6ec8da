package app_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/demo"
	"peerpress/internal/letter"
	"peerpress/internal/web/webtest"
)

// Some writes are quiet: they leave cached pages in service, because no
// public page shows what they change (a registration or a signature not
// yet confirmed, a tribute waiting for a moderator, attendance, sessions,
// tokens, mail sent). This test holds every quiet write to that claim: it
// renders the cacheable pages with the page cache off, performs each
// quiet write the way visitors and staff cause it, renders again, and
// requires the same bytes. A template that starts showing waiting
// counts fails here, not in production with stale pages.
func TestQuietWritesChangeNoPublicPage(t *testing.T) {
	runWith(t, apptest.Options{Config: func(c *app.Config) { c.NoPageCache = true }}, func(t *testing.T, s *site) {
		d := s.App.DB
		s.quickGuard()
		openTributeWall(t, s)
		// The demo's signatures come by a job due seconds after loading
		// (letter.EnqueueSeed): run it now, or on a slow machine the
		// mail delivered below runs it between the two renderings.
		if _, err := d.Quiet().ExecContext(context.Background(), `UPDATE jobs SET run_at = 0 WHERE kind = ?`, letter.SeedKind); err != nil {
			t.Fatal(err)
		}
		s.RunJobs()
		pages := cacheablePages(t, s)
		before := renderAll(t, s, pages)
		changes := d.Changes()

		// A registration waiting for its confirmation, then its mail.
		visitor := s.client()
		visitor.Post(openRegister, visitor.guarded(registrationForm("quiet@example.org", "Quiet Visitor"))).Must(t, http.StatusOK, "Check your mail")
		// A signature waiting for its email to be verified.
		const statement = "/en/statements/joint-statement-hepatitis-c-cure-not-a-luxury"
		sign := visitor.Get(statement + "/sign")
		sign.Must(t, http.StatusOK)
		form := webtest.GuardFields(t, sign.Body, 0)
		for k, v := range map[string]string{"kind": "organisation", "name": "Quiet Collective", "org_type": "community",
			"country": "KE", "email": "quiet-org@example.org", "consent": "yes"} {
			form.Set(k, v)
		}
		time.Sleep(40 * time.Millisecond)
		visitor.Post(statement+"/sign", form).Must(t, http.StatusSeeOther)
		// A tribute waiting for a moderator, with its photo.
		wall := "/en/campaigns/remember-every-name/tributes/"
		tribute := visitor.Get(wall + "new")
		tribute.Must(t, http.StatusOK)
		fields := webtest.GuardFields(t, tribute.Body, 0)
		for k, v := range map[string]string{"remembered": "Quiet Friend", "body": "Words no page shows yet.",
			"email": "quiet-tribute@example.org", "consent_publish": "yes", "consent_rights": "yes"} {
			fields.Set(k, v)
		}
		time.Sleep(40 * time.Millisecond)
		postPhoto(t, visitor, strings.TrimSuffix(wall, "/"), fields).Must(t, http.StatusSeeOther)
		// An application to the open call, confirmed below.
		call := "/en/calls/apply/" + demo.DemoCallSlug
		apply := visitor.Get(call)
		apply.Must(t, http.StatusOK)
		answers := webtest.GuardFields(t, apply.Body, 0)
		for k, v := range map[string]string{"email": "quiet-call@example.org", "a_name": "Quiet Films", "a_country": "KE",
			"a_film_link": "https://video.example.org/quiet", "work_language": "en", "consent": "yes"} {
			answers.Set(k, v)
		}
		time.Sleep(40 * time.Millisecond)
		visitor.Post(call, answers).Must(t, http.StatusOK, "Check your mail")
		// Mail goes out (jobs), the applicant confirms, a staff member
		// signs in, makes an API token, and marks attendance.
		s.RunJobs()
		mails := s.Mail("quiet-call@example.org")
		confirm := regexp.MustCompile(`/en/application/confirm/[A-Za-z0-9_-]{43}`).FindString(mails[len(mails)-1].Text)
		visitor.Post(confirm, nil).Must(t, http.StatusSeeOther)
		s.RunJobs()
		staff := s.client()
		csrf := staff.SignIn(s.Login.Email, s.Login.Password)
		staff.Post("/admin/tokens", url.Values{"csrf": {csrf}, "name": {"quiet"}}).Must(t, http.StatusOK)

		// The change count is what keeps cached pages: untouched.
		if got := d.Changes(); got != changes {
			t.Errorf("quiet writes moved the change count from %d to %d: every cached page went stale", changes, got)
		}
		after := renderAll(t, s, pages)
		for _, p := range pages {
			if !bytes.Equal(before[p], after[p]) {
				t.Errorf("%s changed after quiet writes:\n%s", p, firstDifference(before[p], after[p]))
			}
		}
	})
}

// openTributeWall opens the demo campaign's tribute wall, a loud write
// made before the quiet ones.
func openTributeWall(t *testing.T, s *site) {
	t.Helper()
	e, err := s.App.Content.BySlug(context.Background(), "en", "remember-every-name")
	if err != nil {
		t.Fatal(err)
	}
	admin := s.client()
	admin.SignIn(s.Login.Email, s.Login.Password)
	id := strconv.FormatInt(e.ID, 10)
	admin.Post("/admin/entries/"+id+"/campaign", url.Values{"csrf": {admin.CSRF("/admin/entries")}, "lang": {"en"}, "wall_open": {"yes"},
		"starts_on": {"2026-08-01"}, "ends_on": {"2026-08-31"}, "primary_objective": {"Naloxone in every pocket"}}).Must(t, http.StatusSeeOther)
}

// postPhoto sends a multipart form with a small PNG as its photo.
func postPhoto(t *testing.T, c *client, path string, fields url.Values) response {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 90, 255})
		}
	}
	var photo bytes.Buffer
	if err := png.Encode(&photo, img); err != nil {
		t.Fatal(err)
	}
	return c.PostFile(path, fields, "photo", "photo.png", photo.Bytes())
}

var locRe = regexp.MustCompile(`<loc>https?://[^/<]+(/[^<]*)</loc>`)

// cacheablePages lists pages the route table lets the page cache keep:
// every entry in every language (from the sitemaps), the home pages and
// archives, and the pages of events, signatures and tributes.
func cacheablePages(t *testing.T, s *site) []string {
	t.Helper()
	c := s.client()
	pages := []string{"/en/", "/fr/", "/ar/", "/en/articles", "/en/events/upcoming", "/en/events/past", "/en/events/calendar.ics",
		"/en/statements/joint-statement-hepatitis-c-cure-not-a-luxury/signatures",
		"/en/campaigns/remember-every-name/tributes/", "/en/feed.xml", "/en/events/feed.xml", "/sitemap.xml"}
	for _, lang := range []string{"en", "ru", "fr", "es", "hi", "ar"} {
		sm := c.Get("/sitemap-" + lang + ".xml")
		sm.Must(t, http.StatusOK)
		for _, m := range locRe.FindAllStringSubmatch(sm.Body, -1) {
			pages = append(pages, m[1])
		}
	}
	if len(pages) < 100 {
		t.Fatalf("only %d pages to compare: the sitemaps did not list the demo's entries", len(pages))
	}
	return pages
}

func renderAll(t *testing.T, s *site, pages []string) map[string][]byte {
	t.Helper()
	c := s.client()
	out := make(map[string][]byte, len(pages))
	for _, p := range pages {
		r := c.Get(p)
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: %d", p, r.Status)
		}
		out[p] = []byte(r.Body)
	}
	return out
}

// firstDifference shows where two renderings part.
func firstDifference(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-80)
	return "before: …" + string(a[from:min(len(a), i+80)]) + "\nafter:  …" + string(b[from:min(len(b), i+80)])
}
