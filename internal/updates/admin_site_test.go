package updates_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app/apptest"
	"peerpress/internal/content"
	"peerpress/internal/updates"
)

// Staff preview each edition as the mail, HTML and text, right to left
// in Arabic and under 50 KB, send one to themselves, and only an
// administrator sends to the list; the archive lists published updates
// with a feed. A sending time is given, and shown, in the site's zone.
func TestAdminPreviewAndTest(t *testing.T) {
	runIn(t, "Europe/Paris", func(t *testing.T, s *apptest.Site) {
		id := newUpdate(t, s)
		ctx := context.Background()
		if _, err := s.App.Content.SaveTranslation(ctx, id, content.TranslationInput{Lang: "ar", Title: "نشرة الخريف", Slug: "upd-test-kharif",
			Summary: "ما فعلناه", Body: "أخبارنا", Status: content.Published, PublishAt: time.Now().Add(-time.Hour)}, 0); err != nil {
			t.Fatal(err)
		}
		a, csrf := s.Admin()
		a.Get("/admin/updates").Must(t, http.StatusOK, "Members&#39; update: harvest", "Not sent")
		page := "/admin/updates/" + itoa(id)
		r := a.Get(page + "?lang=ar")
		r.Must(t, http.StatusOK, "srcdoc=", "dir=&#34;rtl&#34;", "نشرة الخريف", "Peer naloxone guide", `<pre style="white-space:pre-wrap">`)
		r.MustNot(t, "too big")
		a.Get(page+"?lang=fr").Must(t, http.StatusOK, "Lettre aux membres : récolte") // a draft previews
		a.Get("/admin/updates/999999").Must(t, http.StatusNotFound)
		a.Get("/admin/updates/abc").Must(t, http.StatusNotFound)

		r = a.Post(page+"/test", url.Values{"csrf": {csrf}, "lang": {"es"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("test: %d", r.Status)
		}
		mails := s.Mail(s.Login.Email)
		if len(mails) == 0 || !strings.Contains(mails[len(mails)-1].Subject, "Boletín para miembros: cosecha") {
			t.Fatalf("no test mail: %+v", mails)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM update_sends`); n != 0 {
			t.Fatal("a test started the sending")
		}
		// Without the form token nothing is sent.
		a.Post(page+"/send", url.Values{"when": {"now"}}).Must(t, http.StatusForbidden)
		a.Post(page+"/send", url.Values{"csrf": {csrf}, "when": {"later"}, "at": {"tomorrow"}}).Must(t, http.StatusUnprocessableEntity, "in the site’s time zone")
		r = a.Post(page+"/send", url.Values{"csrf": {csrf}, "when": {"later"}, "at": {"2030-01-02T09:30"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("schedule: %d", r.Status)
		}
		a.Get(page).Must(t, http.StatusOK, "Scheduled for 2030-01-02 09:30 (Paris")
		// 09:30 in Paris in winter is 08:30 UTC.
		if n := count(t, s, `SELECT COUNT(*) FROM update_sends WHERE send_at = `+strconv.FormatInt(time.Date(2030, 1, 2, 8, 30, 0, 0, time.UTC).Unix(), 10)); n != 1 {
			t.Fatal("the sending time was not read in the site's zone")
		}
		// The archive: published updates, with their feed.
		c := s.Client()
		c.Get("/en/updates").Must(t, http.StatusOK, "Members&#39; update: harvest")
		c.Get("/en/updates/feed.xml").Must(t, http.StatusOK, "Members&#39; update: harvest")
		c.Get("/es/updates").Must(t, http.StatusOK, "Boletín para miembros: cosecha")
		_ = updates.MaxHTML
	})
}
