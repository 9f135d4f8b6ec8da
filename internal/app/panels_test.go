package app_test

import (
	"regexp"
	"strings"
	"testing"

	"peerpress/internal/demo"
)

// On an entry's page what a visitor came for comes before the text: an
// event's time and its Register button, a letter's count and Sign button,
// a publication's downloads, a campaign's "Add a tribute". On a phone the
// page is read in source order, so the order in the HTML is what counts.
func TestActionsComeBeforeTheBody(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		// The demo publications' files, written as the demo server does.
		demo.RegisterDocuments(s.App.Jobs, s.App.DB, s.App.Media)
		s.RunJobs()
		c := s.client()
		cases := []struct {
			name, path string
			action     []string // each before the body, in this order
			after      []string // each after the body
		}{
			{"event", openEvent, []string{`data-local="Your time"`, `href="` + openRegister + `"`}, []string{"Nairobi:", "Lena Varga", "Kits in pockets"}},
			{"letter", "/en/statements/joint-statement-hepatitis-c-cure-not-a-luxury", []string{`class="letter-count"`, `/sign"`}, nil},
			{"publication", "/en/publications/annual-report-2025", []string{`id="downloads-title"`, "Annual report 2025 (summary)", "Informe anual 2025 (resumen)"}, nil},
			{"campaign", "/en/campaigns/remember-every-name", []string{"Add a tribute", `class="tribute-grid"`}, []string{`id="campaign-details-title"`}},
		}
		for _, tc := range cases {
			r := c.Get(tc.path)
			r.Must(t, 200, `class="entry-actions"`)
			body := strings.Index(r.Body, `<div class="body">`)
			if body < 0 {
				t.Fatalf("%s: no body in the page", tc.name)
			}
			last := strings.Index(r.Body, "</header>")
			for _, want := range tc.action {
				i := strings.Index(r.Body, want)
				switch {
				case i < 0:
					t.Errorf("%s: the page lacks %q", tc.name, want)
				case i > body:
					t.Errorf("%s: %q comes after the body, want it before", tc.name, want)
				case i < last:
					t.Errorf("%s: %q comes out of order", tc.name, want)
				default:
					last = i
				}
			}
			for _, want := range tc.after {
				if i := strings.Index(r.Body, want); i < body {
					t.Errorf("%s: %q should come after the body (at %d, body at %d)", tc.name, want, i, body)
				}
			}
		}
		// The download is a real file, served from the site.
		page := c.Get("/en/publications/annual-report-2025")
		m := regexp.MustCompile(`href="(/media/[^"]+\.pdf)"`).FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatal("no PDF linked from the publication")
		}
		pdf := c.Get(m[1])
		if pdf.Status != 200 || !strings.HasPrefix(pdf.Body, "%PDF-") {
			t.Fatalf("GET %s: status %d, not a PDF", m[1], pdf.Status)
		}
		// An entry with nothing to act on keeps the single column.
		c.Get("/en/articles/a-night-on-outreach-with-peer-workers").MustNot(t, `class="entry-actions"`, "with-actions")
	})
}
