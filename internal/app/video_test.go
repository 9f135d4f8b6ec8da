package app_test

import (
	"regexp"
	"strings"
	"testing"
)

// A video link on its own line in an entry becomes a poster: the page
// loads nothing from the video's site, links to the video for readers
// without JavaScript, and loads the site's own player script. A page
// without a video does not load the script.
func TestEntryVideoPoster(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		csrf := c.SignIn(s.Login.Email, s.Login.Password)
		c.createEntry(csrf, "title", "Film night", "slug", "film-night", "status", "published",
			"body", "Our film:\n\nhttps://vimeo.com/76979871\n\n[The march, filmed](https://framatube.org/w/kkGMgK9ZtnKfYAgnEtQxbv)\n")
		c.createEntry(csrf, "title", "No film", "slug", "no-film", "status", "published", "body", "See https://vimeo.com/76979871 there.")
		reader := s.client()
		page := reader.Get("/en/articles/film-night")
		page.Must(t, 200,
			`<figure class="video" data-video-embed="https://player.vimeo.com/video/76979871?dnt=1&amp;autoplay=1" data-video-kind="frame"><a class="video-poster" href="https://vimeo.com/76979871" rel="noreferrer">`,
			`<span class="video-title">The march, filmed</span><span class="video-provider">Video on PeerTube</span></a><figcaption>Nothing is loaded from framatube.org until you press play.</figcaption>`)
		if !regexp.MustCompile(`<script src="/static/video\.[0-9a-f]+\.js" defer></script>`).MatchString(page.Body) {
			t.Error("the page does not load video.js")
		}
		for _, m := range regexp.MustCompile(`(?:src|srcset|data)="([^"]*)"`).FindAllStringSubmatch(page.Body, -1) {
			if !strings.HasPrefix(m[1], "/") {
				t.Errorf("the page loads %s from elsewhere", m[1])
			}
		}
		csp := page.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-src 'self' https:") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("CSP %q: the player could not load once asked for, or the page could be framed", csp)
		}
		other := reader.Get("/en/articles/no-film")
		other.Must(t, 200, `<a href="https://vimeo.com/76979871" rel="noreferrer">`)
		other.MustNot(t, "video.js", `class="video"`)
	})
}
