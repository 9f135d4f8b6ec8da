package web

import (
	"bytes"
	"compress/gzip"
	"math/bits"
	"net/http"
	"strings"

	"github.com/andybalholm/brotli"
)

// encoded is a response body and, when compressing pays, its gzip and
// brotli forms, made once and served many times.
type encoded struct {
	plain, gzip, brotli []byte
}

// encode compresses plain when it is text worth compressing (over 512
// bytes; smaller bodies gain less than the headers cost). brotliLevel
// trades time for bytes: pages compressed while a reader waits use a
// middle level, assets compressed once at start the best.
func encode(plain []byte, contentType string, brotliLevel int) encoded {
	e := encoded{plain: plain}
	if !worthCompressing(plain, contentType) {
		return e
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(plain)
	zw.Close()
	var br bytes.Buffer
	// A window no wider than the body: a wider one finds nothing more in
	// it, and the encoder's tables grow with the window, at the best level
	// 32 MB for the default 4 MB window. Every asset compressed at start
	// made one: 384 MB allocated, a 70 MB heap before the first request
	// (issue 23).
	bw := brotli.NewWriterOptions(&br, brotli.WriterOptions{Quality: brotliLevel, LGWin: min(max(bits.Len(uint(len(plain)+16)), 10), 24)})
	bw.Write(plain)
	bw.Close()
	e.gzip, e.brotli = gz.Bytes(), br.Bytes()
	return e
}

// worthCompressing says whether encode compresses plain.
func worthCompressing(plain []byte, contentType string) bool {
	return len(plain) > 512 && compressible(contentType)
}

func compressible(contentType string) bool {
	return strings.HasPrefix(contentType, "text/") || strings.Contains(contentType, "json") ||
		strings.Contains(contentType, "xml") || strings.Contains(contentType, "javascript")
}

// size is the bytes held in every encoding.
func (e encoded) size() int { return len(e.plain) + len(e.gzip) + len(e.brotli) }

// choose picks the best encoding the request accepts, sets
// Content-Encoding (and Vary) on h, and returns the body and the suffix
// that tells its ETag from the plain body's ("-br", "-gz", or "").
func (e encoded) choose(h http.Header, r *http.Request) (body []byte, etagSuffix string) {
	if e.gzip == nil {
		return e.plain, ""
	}
	h.Add("Vary", "Accept-Encoding")
	switch accept := r.Header.Get("Accept-Encoding"); {
	case acceptsEncoding(accept, "br"):
		h.Set("Content-Encoding", "br")
		return e.brotli, "-br"
	case acceptsEncoding(accept, "gzip"):
		h.Set("Content-Encoding", "gzip")
		return e.gzip, "-gz"
	}
	return e.plain, ""
}
