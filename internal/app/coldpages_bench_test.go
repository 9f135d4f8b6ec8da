package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"testing"

	"peerpress/internal/app"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/demo"
	"peerpress/internal/secret"
)

// coldSite is the demo plus generated entries (10,000 unless
// PEERPRESS_BENCH_ENTRIES says otherwise) in en, ru and fr, made once per
// test binary and copied for each benchmark, so -count 6 does not
// generate six times.
var coldSite = dbtest.NewTemplate("cold pages", func(ctx context.Context, d *db.DB) error {
	n := 10_000
	if s := os.Getenv("PEERPRESS_BENCH_ENTRIES"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			return err
		}
		n = v
	}
	langs := []string{"en", "ru", "fr"}
	if _, err := demo.Load(ctx, d, langs); err != nil {
		return err
	}
	return demo.Generate(ctx, d, n, langs, nil)
})

// firstArticle and lastPage find, on an archive page, the first entry
// listed and the number of the last page, as scripts/bench does.
var (
	firstArticle = regexp.MustCompile(`<h2><a href="(/en/articles/[^"/]+)"`)
	archivePage  = regexp.MustCompile(`/en/articles/page/([0-9]+)`)
)

// benchColdPages renders every page kind of issue 23 end to end through
// the server's handler with the page cache off: what every reader gets
// after a write, and a new instance before its cache fills.
func benchColdPages(b *testing.B, d *db.DB) {
	ctx := context.Background()
	if err := d.Optimize(ctx); err != nil {
		b.Fatal(err)
	}
	langs := []string{"en", "ru", "fr"}
	a, err := app.New(ctx, app.Config{DataDir: b.TempDir(), Languages: langs, TimeZone: "UTC", SiteKey: secret.NewKey(), NoPageCache: true}, d)
	if err != nil {
		b.Fatal(err)
	}
	archive := get(b, a.Handler, "/en/articles")
	m := firstArticle.FindStringSubmatch(archive)
	if m == nil {
		b.Fatal("no entry listed on /en/articles")
	}
	entry, last := m[1], 0
	for _, p := range archivePage.FindAllStringSubmatch(archive, -1) {
		n, _ := strconv.Atoi(p[1])
		last = max(last, n)
	}
	if last < 10 {
		b.Fatalf("archive has %d pages: too few for a deep page", last)
	}
	for _, p := range []struct{ name, path string }{
		{"home", "/en/"},
		{"entry", entry},
		{"archive", "/en/articles"},
		{"archive-deep", "/en/articles/page/" + strconv.Itoa(last*9/10)},
		{"section", "/en/section/news"},
		{"section-3", "/en/section/news/page/3"},
		{"tag", "/en/tag/naloxone"},
		{"tag-3", "/en/tag/naloxone/page/3"},
		{"feed", "/en/feed.xml"},
		{"kind-feed", "/en/articles/feed.xml"},
		{"section-feed", "/en/section/news/feed.xml"},
		{"tag-feed", "/en/tag/naloxone/feed.xml"},
	} {
		b.Run(p.name, func(b *testing.B) { benchGet(b, a.Handler, p.path) })
	}
}

// get fetches path and fails unless it answers 200.
func get(b testing.TB, h http.Handler, path string) string {
	b.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		b.Fatalf("%s: %d", path, rec.Code)
	}
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

// go test ./internal/app -run '^$' -bench ColdPages -count 6 | benchstat -
func BenchmarkColdPagesSQLite(b *testing.B) { benchColdPages(b, coldSite.NewSQLite(b)) }

func BenchmarkColdPagesPostgres(b *testing.B) { benchColdPages(b, coldSite.NewPostgres(b)) }
