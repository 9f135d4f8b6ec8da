package web

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Concurrent misses of one page render it once; a write in between makes
// the next request render again.
func TestCacheFillsOnce(t *testing.T) {
	var version atomic.Int64
	c := NewPageCache(1<<20, version.Load)
	var renders atomic.Int32
	h := c.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		renders.Add(1)
		time.Sleep(20 * time.Millisecond) // a slow render, so the requests overlap
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<p>page</p>"))
	}))
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/en/", nil))
			if rec.Code != 200 || rec.Body.String() != "<p>page</p>" {
				t.Errorf("got %d %q", rec.Code, rec.Body.String())
			}
		})
	}
	wg.Wait()
	if n := renders.Load(); n != 1 {
		t.Fatalf("20 concurrent misses rendered the page %d times", n)
	}
	version.Add(1)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/en/", nil))
	if n := renders.Load(); n != 2 {
		t.Fatalf("after a write the page was not rendered again (%d renders)", n)
	}
}
