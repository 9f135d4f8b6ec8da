package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// discardWriter is a ResponseWriter that keeps nothing, its header map
// cleared between requests as net/http's is new for each: what the
// benchmark measures is the cache, not a recorder.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(s int)           { d.status = s }
func (d *discardWriter) Write(b []byte) (int, error) { d.n += len(b); return len(b), nil }

// BenchmarkCachedPage serves one cached page of 20 KB of HTML, as a
// browser asks for it (brotli accepted) and as wrk does in scripts/bench
// (gzip only), one request at a time and from every core at once: the
// warm path's CPU and allocations per request (issue 23).
func BenchmarkCachedPage(b *testing.B) {
	var version atomic.Int64
	c := NewPageCache(64<<20, version.Load)
	body := []byte("<!doctype html><html lang=\"en\"><title>x</title>" + strings.Repeat("<p>A paragraph of the page, with words &amp; more words.</p>\n", 340))
	h := c.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(body)
	}))
	for _, accept := range []string{"gzip, deflate, br, zstd", "gzip"} {
		r := httptest.NewRequest(http.MethodGet, "/en/articles", nil)
		r.Header.Set("Accept-Encoding", accept)
		h.ServeHTTP(httptest.NewRecorder(), r) // fill
		name := strings.Fields(accept)[len(strings.Fields(accept))-1]
		b.Run("serial-"+name, func(b *testing.B) {
			b.ReportAllocs()
			w := &discardWriter{h: http.Header{}}
			for b.Loop() {
				clear(w.h)
				h.ServeHTTP(w, r)
			}
			if w.status != http.StatusOK || w.n == 0 {
				b.Fatalf("status %d, %d bytes", w.status, w.n)
			}
		})
		b.Run("parallel-"+name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(25) // 50 connections on 2 cores
			b.RunParallel(func(pb *testing.PB) {
				w := &discardWriter{h: http.Header{}}
				for pb.Next() {
					clear(w.h)
					h.ServeHTTP(w, r)
				}
			})
		})
	}
	if hits, _ := c.Stats(); hits == 0 {
		b.Fatal("no request was served from the cache")
	}
}
