package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/demo"
	"peerpress/internal/secret"
)

// pagesSite is the demo and 300 generated entries: enough for third
// pages of a section and a tag.
var pagesSite = dbtest.NewTemplate("pages", func(ctx context.Context, d *db.DB) error {
	langs := []string{"en", "ru", "fr"}
	if _, err := demo.Load(ctx, d, langs); err != nil {
		return err
	}
	return demo.Generate(ctx, d, 300, langs, nil)
})

// Each statement is a round trip to PostgreSQL, and most of what a page
// costs there beyond SQLite (issue 23): a page rendered without the page
// cache sends no more statements than it did when this was measured. A
// listing's first page also reads its bounds once; the second request
// is what every reader after it gets, and what is counted.
func TestColdPageStatements(t *testing.T) {
	pagesSite.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, err := app.New(ctx, app.Config{DataDir: t.TempDir(), Languages: []string{"en", "ru", "fr"}, TimeZone: "UTC", SiteKey: secret.NewKey(), NoPageCache: true}, d)
		if err != nil {
			t.Fatal(err)
		}
		m := firstArticle.FindStringSubmatch(get(t, a.Handler, "/en/articles"))
		if m == nil {
			t.Fatal("no entry listed on /en/articles")
		}
		for _, p := range []struct {
			path string
			most int
		}{
			{"/en/", 1},
			{m[1], 1},
			{"/en/articles", 1},
			{"/en/articles/page/3", 1},
			{"/en/section/news", 2},
			{"/en/section/news/page/3", 2},
			{"/en/tag/naloxone", 2},
			{"/en/tag/naloxone/page/3", 2},
			{"/en/feed.xml", 1},
			{"/en/articles/feed.xml", 1},
			{"/en/section/news/feed.xml", 1},
			{"/en/tag/naloxone/feed.xml", 1},
		} {
			// The site's background jobs write now and then (the demo's
			// seeds, the search index), and a write sends the next page
			// back to the database for what it keeps: counted again when
			// one came between the two requests.
			var texts []string
			for range 10 {
				before := d.Changes()
				get(t, a.Handler, p.path)
				cctx, st := db.CountStatements(ctx)
				rec := httptest.NewRecorder()
				a.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p.path, nil).WithContext(cctx))
				if rec.Code != http.StatusOK {
					t.Fatalf("%s: %d", p.path, rec.Code)
				}
				if texts = st.Texts(); d.Changes() == before {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if len(texts) > p.most {
				t.Errorf("%s: %d statements, at most %d expected:\n%s", p.path, len(texts), p.most, strings.Join(texts, "\n---\n"))
			} else if testing.Verbose() {
				t.Logf("%s: %d statements", p.path, len(texts))
			}
		}
	})
}
