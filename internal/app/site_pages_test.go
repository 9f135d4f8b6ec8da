package app_test

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"testing"
)

var footerLink = regexp.MustCompile(`<footer[\s\S]*?<a href="([^"]+)">([^<]+)</a> · <a href="([^"]+)">([^<]+)</a>`)

// The footer's About and Privacy links lead to the pages the settings
// name, in the reader's language where they are translated and in the
// site's default language where not: never to a 404 at an English slug
// in another language. The demo's privacy notice is in every language.
func TestFooterLinksToSitePages(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		for lang, want := range map[string][2]string{
			"en": {"/en/about", "/en/privacy"},
			"fr": {"/fr/a-propos", "/fr/confidentialite"},
			"hi": {"/hi/hamare-bare-mein", "/hi/privacy"},
		} {
			m := footerLink.FindStringSubmatch(c.Get("/" + lang + "/").Body)
			if m == nil {
				t.Fatalf("%s: no About and Privacy links in the footer", lang)
			}
			if m[1] != want[0] || m[3] != want[1] {
				t.Errorf("%s: footer links to %s and %s, want %s and %s", lang, m[1], m[3], want[0], want[1])
			}
		}
		// A page not (or no longer) translated: the default language's.
		if _, err := s.App.DB.ExecContext(context.Background(), `UPDATE translations SET status = 'draft' WHERE lang = 'hi' AND slug = 'hamare-bare-mein'`); err != nil {
			t.Fatal(err)
		}
		if m := footerLink.FindStringSubmatch(c.Get("/hi/").Body); m == nil || m[1] != "/en/about" {
			t.Errorf("hi without its about page: footer links to %v, want /en/about", m)
		}
		for _, lang := range []string{"en", "ru", "fr", "es", "hi", "ar"} {
			m := footerLink.FindStringSubmatch(c.Get("/" + lang + "/").Body)
			if m == nil {
				t.Fatalf("%s: no footer links", lang)
			}
			c.Get(m[1]).Must(t, 200)
			privacy := c.Get(m[3])
			privacy.Must(t, 200, `<html lang="`+lang+`"`)
		}

		// The admin chooses the pages; a page that is not offered is
		// refused and changes nothing; none leaves no link.
		admin, csrf := s.Admin()
		settings := admin.Get("/admin/settings")
		settings.Must(t, 200, `name="privacy_page"`, "Privacy notice")
		about, privacy := s.App.Live.Site().AboutPage, s.App.Live.Site().PrivacyPage
		form := url.Values{"csrf": {csrf}, "lang": {"en", "ru", "fr", "es", "hi", "ar"}, "default": {"en"},
			"about_page": {strconv.FormatInt(about, 10)}, "privacy_page": {"999999"}}
		admin.Post("/admin/settings", form).Must(t, 422, "Choose one of the options offered.")
		if got := s.App.Live.Site().PrivacyPage; got != privacy {
			t.Errorf("a refused choice changed the privacy page to %d", got)
		}
		form.Set("privacy_page", "0")
		admin.Post("/admin/settings", form).Must(t, 303)
		home := c.Get("/en/")
		home.Must(t, 200, `<a href="/en/about">About</a>`)
		home.MustNot(t, `>Privacy</a>`)
		admin.Get("/admin/settings").Must(t, 200, "No privacy notice is chosen")
	})
}
