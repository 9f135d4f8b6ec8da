package web

import (
	"bytes"
	"cmp"
	"container/list"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// PageCache keeps rendered public pages in memory, compressed once with
// gzip and brotli, and answers conditional requests with 304.
//
// Correctness comes before speed: every entry is stamped with the
// database's change count when it was rendered, and any committed write
// makes every older entry stale. Entries also expire after MaxAge, for
// what changes with time alone (an event that has ended leaves the list of
// upcoming ones). The cache is bounded in bytes, least recently used
// first out.
type PageCache struct {
	// Version returns the current change count.
	Version func() int64
	// MaxAge bounds how long an entry is served.
	MaxAge time.Duration
	// Skip reports requests that must not be cached (admin pages, signed-in
	// users, redirects that depend on cookies).
	Skip func(r *http.Request) bool

	maxBytes int64
	now      func() time.Time

	// mu guards items, order and used. A hit takes it only to read: under
	// an exclusive lock, 50 concurrent readers of cached pages queued
	// behind whichever of them the operating system had paused while it
	// held the lock (issue 23, BenchmarkCachedPage's mutex profile).
	mu    sync.RWMutex
	used  int64
	order *list.List // newest at the front; see put for eviction
	items map[string]*list.Element

	hits, misses atomic.Int64
	fills        singleflight.Group
}

// NewPageCache returns a cache holding at most maxBytes of pages.
func NewPageCache(maxBytes int64, version func() int64) *PageCache {
	return &PageCache{Version: version, MaxAge: 5 * time.Minute, maxBytes: maxBytes, now: time.Now,
		order: list.New(), items: map[string]*list.Element{}, Skip: func(*http.Request) bool { return false }}
}

// page is one cached response, in every encoding.
type page struct {
	key       string
	version   int64
	stored    time.Time
	status    int
	header    http.Header
	body      encoded
	etag      string // of the plain body; encodings add a suffix
	lastMod   time.Time
	sizeBytes int64

	// read is set by every hit and cleared by eviction: a page read
	// since eviction last passed it gets a second chance.
	read atomic.Bool

	// Worked out once when the page is stored rather than on every hit:
	// the ETag of each encoding and Last-Modified as sent.
	etagGzip, etagBrotli, lastModHTTP string
}

// Stats reports hits and misses since start.
func (c *PageCache) Stats() (hits, misses int64) { return c.hits.Load(), c.misses.Load() }

// Len reports the number of cached pages and their size in bytes.
func (c *PageCache) Len() (int, int64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.items), c.used
}

func (c *PageCache) get(key string, version int64) *page {
	c.mu.RLock()
	el, ok := c.items[key]
	c.mu.RUnlock()
	if !ok {
		return nil
	}
	p := el.Value.(*page)
	if p.version != version || c.now().Sub(p.stored) > c.MaxAge {
		return nil // the fill that follows replaces it
	}
	p.read.Store(true)
	return p
}

// put stores p and evicts what no longer fits: from the oldest end, a
// page read since it was last passed goes back to the front instead (the
// "clock" approximation of least recently used, which lets hits mark a
// page without taking the lock to reorder the list).
func (c *PageCache) put(p *page) {
	if p.sizeBytes > c.maxBytes/8 {
		return // one huge page must not empty the cache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[p.key]; ok {
		c.remove(el)
	}
	c.items[p.key] = c.order.PushFront(p)
	c.used += p.sizeBytes
	// Every page is passed at most twice (once to clear its mark), so the
	// loop ends; p itself, at the front and unmarked, goes last.
	for c.used > c.maxBytes {
		el := c.order.Back()
		if el.Value.(*page).read.Swap(false) {
			c.order.MoveToFront(el)
			continue
		}
		c.remove(el)
	}
}

func (c *PageCache) remove(el *list.Element) {
	p := c.order.Remove(el).(*page)
	delete(c.items, p.key)
	c.used -= p.sizeBytes
}

// recorder captures a response for the cache.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	owner  *http.Request // the request it recorded
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// cacheable statuses: pages, permanent redirects and the error pages that
// a crawler or a dead link asks for again and again.
func cacheableStatus(s int) bool {
	return s == http.StatusOK || s == http.StatusMovedPermanently || s == http.StatusNotFound || s == http.StatusGone
}

// Middleware serves GET and HEAD requests from the cache, filling it on a
// miss.
func (c *PageCache) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		if c.Skip(r) {
			// Rendered for this reader alone (or the cache is off): still
			// compressed, as the cache would have sent it.
			serveGzip(w, r, next)
			return
		}
		// The host is part of the key: without a configured base URL, feeds,
		// sitemaps and sharing tags take absolute addresses from it, and a
		// forged Host must not reach other visitors' pages.
		key := r.Host + r.URL.Path + "?" + r.URL.RawQuery
		version := c.Version()
		if p := c.get(key, version); p != nil {
			c.hits.Add(1)
			c.serve(w, r, p)
			return
		}
		c.misses.Add(1)
		// Concurrent misses of one page render it once: a page that just
		// went stale under load must not be rendered by every waiting
		// request at the same time.
		v, _, _ := c.fills.Do(key+"\x00"+strconv.FormatInt(version, 10), func() (any, error) {
			rec := &recorder{header: http.Header{}, owner: r}
			next.ServeHTTP(rec, r)
			// Decide before compressing: a page that may not be kept
			// (personal, or sent with a cookie) is not worth two encodings.
			if !cacheableStatus(rec.status) || rec.header.Get("Set-Cookie") != "" ||
				strings.Contains(rec.header.Get("Cache-Control"), "no-store") || strings.Contains(rec.header.Get("Cache-Control"), "private") {
				return rec, nil
			}
			if p := c.build(key, version, rec); p != nil {
				c.put(p)
				return p, nil
			}
			return rec, nil
		})
		if p, ok := v.(*page); ok {
			c.serve(w, r, p)
			return
		}
		// Not cacheable: only the request that rendered it may have it,
		// since it may be personal; the others render their own.
		if rec := v.(*recorder); rec.owner == r {
			serveGzip(w, r, rec)
			return
		}
		serveGzip(w, r, next)
	})
}

// ServeHTTP sends what was recorded, as the handler sent it.
func (r *recorder) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	copyHeader(w.Header(), r.header)
	// A handler that sent nothing sent 200.
	w.WriteHeader(cmp.Or(r.status, http.StatusOK))
	w.Write(r.body.Bytes()) // #nosec G705 -- bytes our own templates rendered for this very request
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		dst[k] = append([]string(nil), vs...)
	}
}

// build compresses a recorded response; nil when it is not a cacheable
// page at all.
func (c *PageCache) build(key string, version int64, rec *recorder) *page {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.header.Get("Content-Encoding") != "" {
		return nil
	}
	plain := rec.body.Bytes()
	sum := sha256.Sum256(plain)
	p := &page{key: key, version: version, stored: c.now(), status: rec.status, header: rec.header,
		etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`, lastMod: c.now().UTC().Truncate(time.Second)}
	// Brotli level 5, not 11: on our pages (10 KB of HTML) the best
	// level saves a few bytes in 2,100 and costs ten times as long
	// (4.4–5 ms against 0.4 ms), which every reader waiting for a page
	// just made stale waits too.
	p.body = encode(plain, rec.header.Get("Content-Type"), 5)
	p.sizeBytes = int64(p.body.size()) + 512
	tag := strings.TrimSuffix(p.etag, `"`)
	p.etagGzip, p.etagBrotli, p.lastModHTTP = tag+`-gz"`, tag+`-br"`, p.lastMod.Format(http.TimeFormat)
	return p
}

// serve answers from a cached page: the best encoding the client accepts,
// or 304 when its copy is still good.
func (c *PageCache) serve(w http.ResponseWriter, r *http.Request, p *page) {
	h := w.Header()
	copyHeader(h, p.header)
	body, suffix := p.body.choose(h, r)
	etag := p.etag
	switch suffix {
	case "-gz":
		etag = p.etagGzip
	case "-br":
		etag = p.etagBrotli
	}
	if p.status == http.StatusOK {
		h.Set("ETag", etag)
		h.Set("Last-Modified", p.lastModHTTP)
		if h.Get("Cache-Control") == "" {
			// Browsers may keep the page, but ask each time whether it
			// changed; the answer is a 304 of a few bytes.
			h.Set("Cache-Control", "no-cache")
		}
		if notModified(r, etag, p.lastMod) {
			h.Del("Content-Encoding")
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(p.status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func notModified(r *http.Request, etag string, lastMod time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			if t = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "W/")); t == etag || t == "*" {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !lastMod.After(t) {
			return true
		}
	}
	return false
}

// acceptsEncoding reads an Accept-Encoding header, honouring q=0.
func acceptsEncoding(header, coding string) bool {
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), coding) {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}
