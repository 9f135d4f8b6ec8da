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

// When the cache is full, the page read most recently stays and the one
// nobody asked for again goes; a page is served from the cache until then.
func TestCacheEvictsPagesNotReadAgain(t *testing.T) {
	var version atomic.Int64
	const body = "<p>a short page of a hundred bytes or so, not compressed, so its size is known to the byte.</p>"
	size := int64(len(body) + 512)
	c := NewPageCache(8*size, version.Load) // room for eight pages
	renders := map[string]int{}
	var mu sync.Mutex
	h := c.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		renders[r.URL.Path]++
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(body))
	}))
	get := func(path string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK || rec.Body.String() != body {
			t.Fatalf("%s: %d %q", path, rec.Code, rec.Body.String())
		}
	}
	for _, p := range []string{"/1", "/2", "/3", "/4", "/5", "/6", "/7", "/8"} {
		get(p)
	}
	get("/1") // read again: /2 is now the page nobody asked for since
	get("/9") // one too many
	if n, used := c.Len(); n != 8 || used > 8*size {
		t.Fatalf("cache holds %d pages, %d bytes; want 8 pages within %d", n, used, 8*size)
	}
	get("/1")
	get("/3")
	get("/2")
	if renders["/1"] != 1 || renders["/3"] != 1 {
		t.Errorf("pages still in the cache were rendered again: /1 %d times, /3 %d times", renders["/1"], renders["/3"])
	}
	if renders["/2"] != 2 {
		t.Errorf("/2, the page not read since it was stored, was rendered %d times; want it evicted and rendered again", renders["/2"])
	}
}
