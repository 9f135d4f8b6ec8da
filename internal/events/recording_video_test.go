package events_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

// A past event's recording on a video site is shown as a poster that
// loads nothing from the site until the reader presses play; a recording
// elsewhere stays a link.
func TestRecordingPoster(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		const past = "/en/events/webinar-who-pays-for-harm-reduction"
		e, err := s.App.Content.BySlug(ctx, "en", "webinar-who-pays-for-harm-reduction")
		if err != nil {
			t.Fatal(err)
		}
		page := s.client().Get(past)
		page.Must(t, 200, `<p class="event-recording"><a href="https://video.example.org/pvn/who-pays-for-harm-reduction" rel="noreferrer">Watch the recording</a></p>`)
		page.MustNot(t, "video.js", `class="video"`)

		d, err := s.App.Events.Details(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		d.RecordingURL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
		if err := s.App.Events.SaveDetails(ctx, d); err != nil {
			t.Fatal(err)
		}
		page = s.client().Get(past)
		page.Must(t, 200,
			`<figure class="video" data-video-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1" data-video-kind="frame">`,
			`<a class="video-poster" href="https://www.youtube.com/watch?v=dQw4w9WgXcQ" rel="noreferrer">`,
			`<span class="video-title">Watch the recording</span>`, `Video on YouTube`)
		if !regexp.MustCompile(`<script src="/static/video\.[0-9a-f]+\.js" defer></script>`).MatchString(page.Body) {
			t.Error("the page does not load video.js")
		}
		for _, m := range regexp.MustCompile(`(?:src|srcset)="([^"]*)"`).FindAllStringSubmatch(page.Body, -1) {
			if !strings.HasPrefix(m[1], "/") {
				t.Errorf("the page loads %s from elsewhere", m[1])
			}
		}
		page.MustNot(t, "<iframe", "youtube.com/embed")
	})
}
