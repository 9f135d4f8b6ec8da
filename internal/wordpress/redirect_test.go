package wordpress

import (
	"context"
	"io"
	"net/http"
	"os"
	"testing"

	"peerpress/internal/app/apptest"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/web/webtest"
)

// Old addresses answer 301 to the new ones through the site's handler,
// imported entries are searchable at once, and the page cache forgets
// what it kept from before the import.
func TestOldLinksRedirect(t *testing.T) {
	path := sharedExport(t, "theme-test-data/themeunittestdata.wordpress.xml")
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		site := apptest.New(t, d, apptest.Options{Languages: []string{"en", "fr"}, Outbox: true})
		c := webtest.NewClient(t, site.Server.URL)
		// Cached before the import: a 404.
		c.Get("/category/classic/").Must(t, http.StatusNotFound)

		im := New(site.App.DB, site.App.Content, Options{Languages: []string{"en", "fr"}, BatchSize: 50})
		if _, err := im.Import(context.Background(), func() (io.ReadCloser, error) { return os.Open(path) }); err != nil {
			t.Fatal(err)
		}

		for old, want := range map[string]string{
			"/2012/01/07/template-sticky/": "/en/articles/template-sticky",
			"/2012/01/07/template-sticky":  "/en/articles/template-sticky",
			"/?p=1241":                     "/en/articles/template-sticky",
			"/?page_id=2":                  "/en/about-2", // the demo has an about page
			"/about/":                      "/en/about-2",
			"/category/classic/":           "/en/section/classic",
			"/category/parent/child-1/":    "/en/section/child-1",
			"/tag/8bit/":                   "/en/tag/8bit",
			"/category/classic/page/3/":    "/en/section/classic",
			"/category/classic/page/2":     "/en/section/classic",
			// Feed readers subscribed to the old feeds follow to the new.
			"/feed/":                        "/en/feed.xml",
			"/feed/atom/":                   "/en/atom.xml",
			"/fr/feed/":                     "/fr/feed.xml",
			"/category/classic/feed/":       "/en/section/classic/feed.xml",
			"/category/parent/child-1/feed": "/en/section/child-1/feed.xml",
			"/tag/8bit/feed/":               "/en/tag/8bit/feed.xml",
			"/tag/8bit/feed/atom/":          "/en/tag/8bit/atom.xml",
			// An attachment's page leads to the post that shows it.
			"/2010/09/10/post-format-gallery/canola2/": "/en/articles/post-format-gallery",
			"/?attachment_id=611":                      "/en/articles/post-format-gallery",
		} {
			res := c.Get(old)
			if res.Status != http.StatusMovedPermanently || res.Location != want {
				t.Errorf("GET %s: %d to %q, want 301 to %s", old, res.Status, res.Location, want)
			}
		}
		c.Get("/en/articles/template-sticky").Must(t, http.StatusOK, "Template: Sticky")
		c.Get("/en/section/classic").Must(t, http.StatusOK)
		c.Get("/en/tag/8bit/feed.xml").Must(t, http.StatusOK, "<rss")
		c.Get("/").Must(t, http.StatusFound) // the root without an old query still picks a language
		c.Get("/?p=999999").Must(t, http.StatusFound)
		c.Get("/en/search?q=sticky").Must(t, http.StatusOK, "/en/articles/template-sticky")
	})
}

// An old address that is the new one with WordPress's trailing slash
// (/en/our-work/ for /en/our-work) is not kept among the old addresses,
// being the entry's own, and still leads there; an address with a slash
// that leads nowhere stays a 404.
func TestTrailingSlashOfTheNewAddress(t *testing.T) {
	src := `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>https://slash.example.org</wp:base_blog_url>
<item><title>Our work</title><link>https://slash.example.org/en/our-work/</link>
	<content:encoded><![CDATA[<p>What we do.</p>]]></content:encoded>
	<wp:post_id>5</wp:post_id><wp:post_date_gmt>2024-01-10 09:00:00</wp:post_date_gmt>
	<wp:post_name>our-work</wp:post_name><wp:status>publish</wp:status><wp:post_type>page</wp:post_type></item>
<item><title>Draft</title><link>https://slash.example.org/en/unfinished/</link>
	<wp:post_id>6</wp:post_id><wp:post_name>unfinished</wp:post_name><wp:status>draft</wp:status><wp:post_type>page</wp:post_type></item>
</channel></rss>`
	path := writeTemp(t, "slash.xml", src)
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		site := apptest.New(t, d, apptest.Options{Languages: []string{"en", "fr"}, Outbox: true})
		im := New(site.App.DB, site.App.Content, Options{Languages: []string{"en", "fr"}})
		if _, err := im.Import(context.Background(), func() (io.ReadCloser, error) { return os.Open(path) }); err != nil {
			t.Fatal(err)
		}
		c := webtest.NewClient(t, site.Server.URL)
		c.Get("/en/our-work").Must(t, http.StatusOK, "What we do.")
		for old, want := range map[string]string{"/en/our-work/": "/en/our-work", "/en/our-work/?utm=x": "/en/our-work?utm=x"} {
			if res := c.Get(old); res.Status != http.StatusMovedPermanently || res.Location != want {
				t.Errorf("GET %s: %d to %q, want 301 to %s", old, res.Status, res.Location, want)
			}
		}
		for _, p := range []string{"/en/unfinished/", "/fr/our-work/", "/en/no-such-page/", "/en/articles/our-work/", "/xx/our-work/"} {
			if res := c.Get(p); res.Status != http.StatusNotFound {
				t.Errorf("GET %s: %d to %q, want 404", p, res.Status, res.Location)
			}
		}
	})
}
