package web

import (
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// gzipWriters are reused: a new writer allocates more than the page it
// compresses. klauspost/compress rather than compress/gzip: at the
// fastest level it took 37 µs of CPU for the demo's 10 KB home page
// against 92 µs, and 0.23 ms against 0.42 ms for a 45 KB feed, for 3 %
// more bytes (BENCHMARKS.md, 2026-12-04, issue 23).
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return zw
}}

// Gzip compresses the responses of pages the page cache does not keep
// (it compresses only what it keeps), when the client accepts gzip. At
// the fastest level a page costs a reader a third of the bytes for a
// few tens of microseconds.
func Gzip(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { serveGzip(w, r, next) })
}

// serveGzip serves r with next, compressing what next answers when it is
// worth it (see gzipWriter.decide).
func serveGzip(w http.ResponseWriter, r *http.Request, next http.Handler) {
	gw := &gzipWriter{ResponseWriter: w, head: r.Method == http.MethodHead,
		accepts: acceptsEncoding(r.Header.Get("Accept-Encoding"), "gzip")}
	defer gw.close()
	next.ServeHTTP(gw, r)
}

// gzipWriter decides whether to compress when the handler sends its
// header, from what the header says; it takes a compressor from the pool
// at its first Write, not when the request comes in: a search waiting for
// the database would hold one doing nothing, and under fifty searches at
// once those were most of the process's memory (issue 23). Pages are
// rendered before they are written, so a compressor is held only while
// one is sent.
type gzipWriter struct {
	http.ResponseWriter
	head, accepts bool

	decided, compress bool
	zw                *gzip.Writer
}

// minGzip is the smallest body worth compressing, as the page cache
// decides (encode): below it, the gain is less than the headers cost.
const minGzip = 512

// decide sets the header for what is sent: compressed when the client
// accepts gzip and the body is text, not a redirect's few words nor a
// body a status forbids, not already
// encoded by the handler, and not declared smaller than minGzip. Vary
// says the answer depends on Accept-Encoding whenever it could have been
// compressed, whether or not this client asked. first is the body's
// first bytes, for a type the handler left to be sniffed.
func (g *gzipWriter) decide(status int, first []byte) {
	g.decided = true
	h := g.Header()
	ct := h.Get("Content-Type")
	if h.Get("Content-Encoding") != "" || (ct == "" && len(first) == 0) || (ct != "" && !compressible(ct)) {
		return
	}
	if !strings.Contains(strings.Join(h.Values("Vary"), ","), "Accept-Encoding") {
		h.Add("Vary", "Accept-Encoding")
	}
	if !g.accepts || status < 200 || (status >= 300 && status < 400) || status == http.StatusNoContent || status == http.StatusPartialContent {
		return
	}
	if n, err := strconv.Atoi(h.Get("Content-Length")); err == nil && n <= minGzip {
		return
	}
	if ct == "" {
		// Sniffed here from the plain bytes: the server would sniff the
		// compressed ones.
		h.Set("Content-Type", http.DetectContentType(first))
	}
	h.Set("Content-Encoding", "gzip")
	h.Del("Content-Length")
	if etag := h.Get("ETag"); strings.HasSuffix(etag, `"`) && len(etag) > 1 {
		// Another body, another tag (as the page cache's "-gz").
		h.Set("ETag", strings.TrimSuffix(etag, `"`)+`-gz"`)
	}
	g.compress = true
}

func (g *gzipWriter) WriteHeader(status int) {
	if !g.decided && status >= 200 {
		g.decide(status, nil)
	}
	g.ResponseWriter.WriteHeader(status)
}

func (g *gzipWriter) Write(b []byte) (int, error) {
	if !g.decided {
		g.decide(http.StatusOK, b)
	}
	if !g.compress {
		return g.ResponseWriter.Write(b)
	}
	if g.head {
		return len(b), nil // the server sends no body; compressing it is wasted
	}
	if g.zw == nil {
		g.zw = gzipWriters.Get().(*gzip.Writer)
		g.zw.Reset(g.ResponseWriter)
	}
	return g.zw.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// close ends the stream; an empty body is still sent as a gzip stream,
// as its Content-Encoding says.
func (g *gzipWriter) close() {
	if !g.decided {
		g.decide(http.StatusOK, nil)
	}
	if !g.compress || g.head {
		return
	}
	if g.zw == nil {
		g.zw = gzipWriters.Get().(*gzip.Writer)
		g.zw.Reset(g.ResponseWriter)
	}
	g.zw.Close()
	g.zw.Reset(nil)
	gzipWriters.Put(g.zw)
}
