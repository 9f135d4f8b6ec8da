package feed

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/search"
	"peerpress/internal/web"
)

// BenchmarkSitemapPart renders one sitemap part of 10,000 addresses, the
// fifth in English (entries 40,000 to 50,000), from the database
// PEERPRESS_BENCH_SITEMAP names (a copy of a `peerpress demo --entries
// 100000 --languages en,ru,fr` site; BENCHMARKS.md, 2026-12-04).
func BenchmarkSitemapPart(b *testing.B) {
	path := os.Getenv("PEERPRESS_BENCH_SITEMAP")
	if path == "" {
		b.Skip("PEERPRESS_BENCH_SITEMAP names no database")
	}
	d, err := db.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	bundle, err := i18n.New([]string{"en", "ru", "fr"})
	if err != nil {
		b.Fatal(err)
	}
	assets, err := web.NewAssets()
	if err != nil {
		b.Fatal(err)
	}
	rd, err := web.NewRenderer("Bench", func() *i18n.Bundle { return bundle }, nil, assets)
	if err != nil {
		b.Fatal(err)
	}
	rd.BaseURL = "https://peers.example"
	h := New(content.NewStore(d, search.Index{}), content.NewMarkdown(), rd)
	mux := http.NewServeMux()
	mux.Handle("GET /{file}", rd.Handle(h.Sitemap(func(w http.ResponseWriter, r *http.Request) error { return web.NotFound() })))
	b.ReportAllocs()
	size := 0
	for b.Loop() {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest("GET", "/sitemap-en-5.xml", nil))
		if w.Code != 200 || w.Body.Len() < 1_000_000 {
			b.Fatalf("%d, %d bytes", w.Code, w.Body.Len())
		}
		size = w.Body.Len()
	}
	b.ReportMetric(float64(size), "bytes/part")
}
