package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"peerpress/internal/app"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/demo"
	"peerpress/internal/secret"
)

// benchSite is the demo plus 5,000 generated entries in three languages,
// served with or without the page cache.
func benchSite(b *testing.B, cache bool) (http.Handler, *db.DB) {
	b.Helper()
	d := dbtest.NewSQLite(b)
	ctx := context.Background()
	langs := []string{"en", "ru", "fr"}
	if _, err := demo.Load(ctx, d, langs); err != nil {
		b.Fatal(err)
	}
	if err := demo.Generate(ctx, d, 5000, langs, nil); err != nil {
		b.Fatal(err)
	}
	// The planner's statistics, as the server gathers them at start
	// (db/optimize): SQLite plans listings differently without them.
	if err := d.Optimize(ctx); err != nil {
		b.Fatal(err)
	}
	a, err := app.New(ctx, app.Config{DataDir: b.TempDir(), Languages: langs, TimeZone: "UTC", SiteKey: secret.NewKey(), NoPageCache: !cache}, d)
	if err != nil {
		b.Fatal(err)
	}
	return a.Handler, d
}

func benchGet(b *testing.B, h http.Handler, path string) {
	b.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	// One request before timing: with the cache on, the first fills it
	// (rendering and compressing twice), which is not what is measured.
	h.ServeHTTP(httptest.NewRecorder(), req)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d", path, rec.Code)
		}
		io.Copy(io.Discard, rec.Body)
	}
	// The CPU the process spent per request, the collector's included:
	// on a machine shared with other work, wall time per request mostly
	// measures the queue for the cores; this measures the work.
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
}

// processCPU is the user and system time of every thread of the process.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Rendering from the database, the page cache off.
func BenchmarkRenderHome(b *testing.B) {
	h, _ := benchSite(b, false)
	benchGet(b, h, "/en/")
}

func BenchmarkRenderEntry(b *testing.B) {
	h, _ := benchSite(b, false)
	benchGet(b, h, "/en/campaigns/remember-every-name")
}

func BenchmarkRenderArchive(b *testing.B) {
	h, _ := benchSite(b, false)
	benchGet(b, h, "/en/articles")
}

func BenchmarkRenderArchiveDeep(b *testing.B) {
	h, _ := benchSite(b, false)
	benchGet(b, h, "/en/articles/page/300")
}

// Section and tag pages and a section's feed (issue 23: the section
// listing sorted the whole section on every page).
func BenchmarkRenderSection(b *testing.B) {
	h, _ := benchSite(b, false)
	benchGet(b, h, "/en/section/news")
}

func BenchmarkRenderSectionPage3(b *testing.B) {
	h, _ := benchSite(b, false)
	benchGet(b, h, "/en/section/news/page/3")
}

func BenchmarkRenderTag(b *testing.B) {
	h, _ := benchSite(b, false)
	benchGet(b, h, "/en/tag/naloxone")
}

func BenchmarkRenderSectionFeed(b *testing.B) {
	h, _ := benchSite(b, false)
	benchGet(b, h, "/en/section/news/feed.xml")
}

// A page served from the cache.
func BenchmarkCacheHit(b *testing.B) {
	h, _ := benchSite(b, true)
	benchGet(b, h, "/en/articles/page/300")
}

// Search over the generated site, rendered (search pages are never
// cached): a common word matches most entries, so ranking is capped; two
// words in the title of fewer.
func BenchmarkSearchCommon(b *testing.B) {
	h, _ := benchSite(b, false)
	benchGet(b, h, "/en/search?q=naloxone")
}

func BenchmarkSearchTwoWords(b *testing.B) {
	h, _ := benchSite(b, false)
	benchGet(b, h, "/en/search?q=stigma+police&lang=en")
}
