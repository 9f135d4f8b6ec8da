package updates_test

import (
	"context"
	"net/http"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app/apptest"
	"peerpress/internal/content"
	"peerpress/internal/mail/mailtest"
	"peerpress/internal/updates"
)

// newUpdate saves an update with editions in en and es (published) and
// fr (a draft), listing two entries it makes.
func newUpdate(t *testing.T, s *apptest.Site) int64 {
	t.Helper()
	ctx := context.Background()
	a := s.App
	past := time.Now().Add(-time.Hour)
	save := func(kind content.Kind, in content.EntryInput, tr content.TranslationInput) int64 {
		in.Kind = kind
		id, err := a.Content.SaveEntry(ctx, 0, in, tr, 0)
		if err != nil {
			t.Fatalf("save %s: %v", tr.Title, err)
		}
		return id
	}
	tr := func(entry int64, lang, title, slug, summary string, status content.Status) {
		if _, err := a.Content.SaveTranslation(ctx, entry, content.TranslationInput{Lang: lang, Title: title, Slug: slug, Summary: summary,
			Body: summary, Status: status, PublishAt: past}, 0); err != nil {
			t.Fatalf("translate %s: %v", title, err)
		}
	}
	art := save(content.Article, content.EntryInput{}, content.TranslationInput{Lang: "en", Title: "Outreach vans on the road", Slug: "upd-test-vans",
		Summary: "Three vans now reach the outer districts.", Status: content.Published, PublishAt: past})
	tr(art, "es", "Furgonetas de alcance en marcha", "upd-test-furgonetas", "Tres furgonetas llegan ya a los barrios.", content.Published)
	pub := save(content.Publication, content.EntryInput{}, content.TranslationInput{Lang: "en", Title: "Peer naloxone guide", Slug: "upd-test-naloxone",
		Summary: "A pocket guide written by peers.", Status: content.Published, PublishAt: past})
	up := save(updates.Kind, content.EntryInput{Ext: updates.Ext(updates.Update{Picks: []int64{pub, art}})},
		content.TranslationInput{Lang: "en", Title: "Members' update: harvest", Slug: "upd-test-autumn", Summary: "What we did this autumn.",
			Body: "Dear members, here is our **autumn** news. See [our guides](/en/publications).", Status: content.Published, PublishAt: past})
	tr(up, "es", "Boletín para miembros: cosecha", "upd-test-otono", "Lo que hicimos este otoño.", content.Published)
	tr(up, "fr", "Lettre aux membres : récolte", "upd-test-automne", "Ce que nous avons fait.", content.Draft)
	return up
}

var (
	unsubHeader = regexp.MustCompile(`^<(https?://[^/]+)(/updates/unsubscribe/[0-9]+\.[A-Za-z0-9_-]{43})>$`)
	tokenRe     = regexp.MustCompile(`[0-9]+\.[A-Za-z0-9_-]{43}`)
)

// header reads a header of a received mail, unfolded.
func header(t *testing.T, m mailtest.Received, name string) string {
	t.Helper()
	msg, err := netmail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	return msg.Header.Get(name)
}

// sendNow sends the update as the administrator does and runs the queue.
func sendNow(t *testing.T, s *apptest.Site, id int64) {
	t.Helper()
	c, csrf := s.Admin()
	r := c.Post("/admin/updates/"+itoa(id)+"/send", url.Values{"csrf": {csrf}, "when": {"now"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("send: %d\n%s", r.Status, r.Body)
	}
	s.RunJobs()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Each subscriber gets the edition in their language, else their second
// choice, else the site's default; a draft is no edition; plain text
// for those who asked; RFC 8058's headers; the edition names the other
// languages; and nothing in the mail but the two private links differs
// from one subscriber to the next.
func TestEditionsWithFallback(t *testing.T) {
	run(t, func(t *testing.T, s *apptest.Site) {
		c := s.Client()
		subscribeAndConfirm(t, s, c, "sofia@example.org", "es", nil)
		subscribeAndConfirm(t, s, c, "lucia@example.org", "es", nil)
		subscribeAndConfirm(t, s, c, "remy@example.org", "fr", url.Values{"lang2": {"es"}})
		subscribeAndConfirm(t, s, c, "olga@example.org", "ru", url.Values{"text_only": {"1"}})
		id := newUpdate(t, s)
		sendNow(t, s, id)

		last := func(addr string) mailtest.Received {
			t.Helper()
			ms := s.SMTP.To(addr)
			if len(ms) == 0 {
				t.Fatalf("nothing reached %s", addr)
			}
			return ms[len(ms)-1]
		}
		for addr, want := range map[string]string{"sofia@example.org": "Boletín para miembros: cosecha", "remy@example.org": "Boletín para miembros: cosecha",
			"olga@example.org": "Members' update: harvest"} {
			m, err := last(addr).Decode()
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != want {
				t.Errorf("%s got %q, want %q", addr, m.Subject, want)
			}
		}
		sofia := last("sofia@example.org")
		m, _ := sofia.Decode()
		for _, want := range []string{"Furgonetas de alcance en marcha", "Tres furgonetas", "Peer naloxone guide", "/es/updates/upd-test-otono", "English: ", "/en/updates/upd-test-autumn"} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("the Spanish edition lacks %q:\n%s", want, m.Text)
			}
		}
		if strings.Contains(m.Text, "automne") {
			t.Error("the edition names a draft translation")
		}
		if got := header(t, sofia, "List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe-Post: %q", got)
		}
		if lu := header(t, sofia, "List-Unsubscribe"); !unsubHeader.MatchString(lu) {
			t.Errorf("List-Unsubscribe: %q", lu)
		}
		if !strings.Contains(sofia.Data, "multipart/alternative") || !strings.Contains(sofia.Data, "text/html") {
			t.Error("the mail is not text and HTML")
		}
		olga := last("olga@example.org")
		if strings.Contains(olga.Data, "text/html") {
			t.Error("a plain-text subscriber got HTML")
		}
		// Two subscribers of the same edition get the same mail but for
		// their two links: no tracking image, no rewritten link.
		lucia := last("lucia@example.org")
		ms, _ := lucia.Decode()
		strip := func(s string) string { return tokenRe.ReplaceAllString(s, "TOKEN") }
		if strip(m.Text) != strip(ms.Text) {
			t.Errorf("two subscribers' editions differ beyond their links:\n%s\n---\n%s", m.Text, ms.Text)
		}
		if n := len(tokenRe.FindAllString(m.Text, -1)); n != 2 {
			t.Errorf("%d personal links in the text, want 2 (manage, unsubscribe)", n)
		}
		if strings.Contains(sofia.Data, "<img") {
			t.Error("the mail has an image")
		}
		if n := count(t, s, `SELECT COUNT(*) FROM update_deliveries WHERE state = 'sent'`); n != 4 {
			t.Errorf("%d deliveries sent, want 4", n)
		}
		// Sending again sends nothing.
		c2, csrf := s.Admin()
		c2.Post("/admin/updates/"+itoa(id)+"/send", url.Values{"csrf": {csrf}, "when": {"now"}}).Must(t, http.StatusConflict, "sent or scheduled already")
		s.RunJobs()
		if n := len(s.SMTP.To("sofia@example.org")); n != 3 { // confirm, welcome, update
			t.Errorf("sofia got %d mails, want 3", n)
		}
	})
}
