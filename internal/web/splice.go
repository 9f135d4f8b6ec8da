package web

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/flate"
)

// Segment is a part of a response that many responses share (a feed's
// item), kept with its deflate form, compressed once on its own: a gzip
// response made of segments (Spliced) copies their compressed bytes
// instead of compressing the same text again on every request. Deflate
// lets a stream be cut so: each segment is written by a fresh
// compressor, so it refers to nothing before it, and ends with a sync
// flush, on a byte boundary and not final (RFC 1951). Compressing the
// 30 KB of a cold feed was a fifth of its CPU (issue 23).
type Segment struct {
	plain, deflated []byte
}

// NewSegment compresses plain, to be sent right after the text after
// (nil: after anything). Compressed on its own, a feed's item lost what
// it shares with the item before it (the markup, the addresses, often
// words), and the feed went out twice as large as compressed whole; with
// the item before as its dictionary, it may refer back to it, as a
// stream compressed whole does. It pays its compression once and is
// served many times, so it takes a better level than responses
// compressed while a reader waits.
func NewSegment(plain, after []byte) Segment {
	var b bytes.Buffer
	zw := segmentWriters.Get().(*flate.Writer)
	zw.ResetDict(&b, after)
	zw.Write(plain)
	zw.Flush()
	segmentWriters.Put(zw)
	return Segment{plain: plain, deflated: b.Bytes()}
}

// Plain is the segment's text.
func (s Segment) Plain() []byte { return s.plain }

// Size is the memory the segment holds.
func (s Segment) Size() int { return len(s.plain) + len(s.deflated) }

var segmentWriters = sync.Pool{New: func() any {
	zw, _ := flate.NewWriter(nil, 6)
	return zw
}}

// freshWriters compress a spliced response's own text, as gzipWriters do
// whole pages.
var freshWriters = sync.Pool{New: func() any {
	zw, _ := flate.NewWriter(nil, flate.BestSpeed)
	return zw
}}

// Spliced is a response body made of text of its own and of segments, in
// order. Its zero value is an empty body.
type Spliced struct {
	buf   []byte // its own text, every run of it
	parts []splicedPart
	size  int
}

// splicedPart is a segment, or (seg nil) buf[from:to].
type splicedPart struct {
	seg      *Segment
	from, to int
}

// WriteString appends text of the response's own.
func (s *Spliced) WriteString(t string) {
	s.own(len(t))
	s.buf = append(s.buf, t...)
}

// Write appends text of the response's own; it never fails.
func (s *Spliced) Write(b []byte) (int, error) {
	s.own(len(b))
	s.buf = append(s.buf, b...)
	return len(b), nil
}

// own extends the last run of own text by n bytes, or starts one.
func (s *Spliced) own(n int) {
	s.size += n
	if k := len(s.parts) - 1; k >= 0 && s.parts[k].seg == nil {
		s.parts[k].to += n
		return
	}
	s.parts = append(s.parts, splicedPart{from: len(s.buf), to: len(s.buf) + n})
}

// Add appends a segment.
func (s *Spliced) Add(seg *Segment) {
	s.size += len(seg.plain)
	s.parts = append(s.parts, splicedPart{seg: seg})
}

// Len is the length of the plain body.
func (s *Spliced) Len() int { return s.size }

// Bytes is the plain body.
func (s *Spliced) Bytes() []byte {
	out := make([]byte, 0, s.size)
	for _, p := range s.parts {
		out = append(out, s.text(p)...)
	}
	return out
}

func (s *Spliced) text(p splicedPart) []byte {
	if p.seg != nil {
		return p.seg.plain
	}
	return s.buf[p.from:p.to]
}

// storedMax is the longest own text sent as a stored block, not
// compressed: a comma between two items costs 5 bytes of framing that
// way, against a compressor's reset and its block header.
const storedMax = 64

// Gzip is the body as a gzip stream (RFC 1952): the segments' deflate
// bytes between the own text's, compressed now, then a final empty block
// and the trailer.
func (s *Spliced) Gzip() []byte {
	out := make([]byte, 0, s.size/3+64)
	// Magic, deflate, no flags, no time, fastest, unknown OS: as
	// compress/gzip writes a stream without a name.
	out = append(out, 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 255)
	crc := uint32(0)
	var zw *flate.Writer
	for _, p := range s.parts {
		text := s.text(p)
		crc = crc32.Update(crc, crc32.IEEETable, text)
		switch {
		case p.seg != nil:
			out = append(out, p.seg.deflated...)
		case len(text) == 0:
		case len(text) <= storedMax:
			// A stored block, not final: its header's three bits, padded
			// to the byte, then its length and the length's complement.
			n := uint16(len(text)) // #nosec G115 -- at most storedMax
			out = append(out, 0)
			out = binary.LittleEndian.AppendUint16(out, n)
			out = binary.LittleEndian.AppendUint16(out, ^n)
			out = append(out, text...)
		default:
			if zw == nil {
				zw = freshWriters.Get().(*flate.Writer)
				defer freshWriters.Put(zw)
			}
			w := appender{&out}
			zw.Reset(w)
			zw.Write(text)
			zw.Flush()
		}
	}
	// The final block: fixed Huffman codes, nothing but its end.
	out = append(out, 3, 0)
	out = binary.LittleEndian.AppendUint32(out, crc)
	return binary.LittleEndian.AppendUint32(out, uint32(s.size)) // #nosec G115 -- RFC 1952 keeps the length modulo 2^32
}

// appender writes to the end of a byte slice.
type appender struct{ b *[]byte }

func (a appender) Write(p []byte) (int, error) {
	*a.b = append(*a.b, p...)
	return len(p), nil
}

// SendSpliced sends body with status 200 and the header the handler set
// (Content-Type first of all): gzipped from its segments when the
// response goes through the on-the-fly compression of uncached pages
// (Gzip) to a client that accepts gzip, as it is otherwise (to the page
// cache, which compresses what it keeps once, or to a client that does
// not accept gzip). Either way with its Content-Length, and nothing
// after the header for HEAD.
func SendSpliced(w http.ResponseWriter, r *http.Request, body *Spliced) {
	h := w.Header()
	if g := coldGzip(w); g != nil && g.accepts && !g.decided && body.Len() > minGzip && compressible(h.Get("Content-Type")) &&
		h.Get("Content-Encoding") == "" {
		zbody := body.Gzip()
		// What gzipWriter.decide says of a body it compresses.
		g.decided = true
		if !strings.Contains(strings.Join(h.Values("Vary"), ","), "Accept-Encoding") {
			h.Add("Vary", "Accept-Encoding")
		}
		h.Set("Content-Encoding", "gzip")
		if etag := h.Get("ETag"); strings.HasSuffix(etag, `"`) && len(etag) > 1 {
			h.Set("ETag", strings.TrimSuffix(etag, `"`)+`-gz"`)
		}
		h.Set("Content-Length", strconv.Itoa(len(zbody)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			w.Write(zbody) // #nosec G705 -- the handler's own body, compressed
		}
		return
	}
	h.Set("Content-Length", strconv.Itoa(body.Len()))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	for _, p := range body.parts {
		w.Write(body.text(p)) // #nosec G705 -- the handler's own body
	}
}

// recording says whether w is, or wraps, the page cache's recorder.
func recording(w http.ResponseWriter) bool {
	for {
		switch x := w.(type) {
		case *recorder:
			return true
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return false
		}
	}
}

// coldGzip finds the on-the-fly compressor under w's wrappers, if any.
func coldGzip(w http.ResponseWriter) *gzipWriter {
	for {
		switch x := w.(type) {
		case *gzipWriter:
			if recording(x.ResponseWriter) {
				return nil // the page cache keeps plain bodies, and compresses them itself
			}
			return x
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return nil
		}
	}
}
