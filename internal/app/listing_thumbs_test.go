package app_test

import (
	"net/http"
	"regexp"
	"testing"

	"peerpress/internal/web/webtest"
)

// A listing shows a small picture beside an entry that has a featured
// image: its smallest copy, with its size set and loaded lazily, never
// the full photo.
func TestListingShowsSmallImages(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		csrf := c.SignIn(s.Login.Email, s.Login.Password)
		id := c.createEntry(csrf, "title", "Vans at dawn")
		if r := c.upload("/admin/entries/"+id+"/image", csrf, "image", "van.jpg", jpegBytes(t, 1200, 800), nil); r.Status != http.StatusSeeOther {
			t.Fatalf("upload: %d\n%s", r.Status, webtest.Snippet(r.Body))
		}
		thumb := regexp.MustCompile(`<img class="item-thumb" src="(/media/[^"]+)" width="(\d+)" height="(\d+)" alt="" loading="lazy" decoding="async">`)
		// Before its small copies are made, the photo is too big to list.
		if m := thumb.FindStringSubmatch(s.client().Get("/en/articles").Body); m != nil {
			t.Fatalf("the listing shows the full photo %s before its copies exist", m[1])
		}
		s.RunJobs()
		list := s.client().Get("/en/articles")
		list.Must(t, 200, "Vans at dawn")
		m := thumb.FindStringSubmatch(list.Body)
		if m == nil {
			t.Fatalf("no small image in the listing:\n%s", webtest.Snippet(list.Body))
		}
		if m[2] != "480" || m[3] != "320" {
			t.Errorf("the listing's image is %s×%s, want the 480×320 copy", m[2], m[3])
		}
		if img := s.client().Get(m[1]); img.Status != 200 || len(img.Body) > 60_000 {
			t.Errorf("GET %s: status %d, %d bytes", m[1], img.Status, len(img.Body))
		}
		// The home page's latest entries show it too.
		s.client().Get("/en/").Must(t, 200, `class="item-thumb" src="`+m[1]+`"`)
	})
}
