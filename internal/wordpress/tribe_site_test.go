package wordpress_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"peerpress/internal/app/apptest"
	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/wordpress"
)

// An event of The Events Calendar, imported into a running site, shows
// its time in its own zone on its page, and its old address leads there.
func TestImportedEventPage(t *testing.T) {
	src := `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>https://events.example.org</wp:base_blog_url>
<item><title>Nairobi meeting</title><link>https://events.example.org/event/nairobi-meeting/</link>
	<content:encoded><![CDATA[<p>Harm reduction in East Africa.</p>]]></content:encoded>
	<wp:post_id>300</wp:post_id><wp:post_date_gmt>2026-01-10 09:00:00</wp:post_date_gmt>
	<wp:post_name>nairobi-meeting</wp:post_name><wp:status>publish</wp:status><wp:post_type>tribe_events</wp:post_type>
	<wp:postmeta><wp:meta_key>_EventStartDate</wp:meta_key><wp:meta_value>2030-09-14 15:00:00</wp:meta_value></wp:postmeta>
	<wp:postmeta><wp:meta_key>_EventEndDate</wp:meta_key><wp:meta_value>2030-09-14 17:00:00</wp:meta_value></wp:postmeta>
	<wp:postmeta><wp:meta_key>_EventTimezone</wp:meta_key><wp:meta_value>Africa/Nairobi</wp:meta_value></wp:postmeta>
</item></channel></rss>`
	path := filepath.Join(t.TempDir(), "event.xml")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := apptest.New(t, d, apptest.Options{Languages: []string{"en"}, Outbox: true})
		importIt := func() *wordpress.Report {
			im := wordpress.New(d, s.App.Content, wordpress.Options{Languages: []string{"en"}})
			rep, err := im.Import(context.Background(), func() (io.ReadCloser, error) { return os.Open(path) })
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		importIt()
		page := get(t, s.Server.URL+content.URL(content.Event, "en", "nairobi-meeting"), http.StatusOK)
		// 15:00 in Nairobi (EAT, UTC+3), not the UTC instant.
		if !strings.Contains(page, "15:00") || !strings.Contains(page, "EAT") || !strings.Contains(page, "Harm reduction") {
			t.Errorf("the event's page does not show its time in its zone:\n%s", page)
		}
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := noRedirect.Get(s.Server.URL + "/event/nairobi-meeting/")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != content.URL(content.Event, "en", "nairobi-meeting") {
			t.Errorf("old address: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		if rep := importIt(); rep.Counts["event"] == nil || rep.Counts["event"].Unchanged != 1 || rep.Counts["event"].Imported != 0 {
			t.Errorf("re-import: %+v", rep.Counts["event"])
		}
	})
}

func get(t *testing.T, url string, status int) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != status {
		t.Fatalf("GET %s: %d, want %d", url, res.StatusCode, status)
	}
	return string(b)
}
