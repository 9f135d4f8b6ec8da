package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// splicedBody is a response of own text and segments, each segment
// compressed after the text before it, as a feed's items are.
func splicedBody(items int) (*Spliced, string) {
	var s Spliced
	var want strings.Builder
	head := "<feed>" + strings.Repeat("<title>head</title>", 40)
	s.WriteString(head)
	want.WriteString(head)
	var prev []byte
	for i := range items {
		if i > 0 {
			s.WriteString(",") // a stored block
			want.WriteString(",")
		}
		text := []byte(fmt.Sprintf("<item n=%d>%s</item>", i, strings.Repeat("words of the item ", 20+i)))
		var dict []byte
		if i > 0 {
			dict = append(bytes.Clone(prev), ',')
		}
		seg := NewSegment(text, dict)
		s.Add(&seg)
		want.Write(text)
		prev = text
	}
	s.WriteString("</feed>")
	want.WriteString("</feed>")
	return &s, want.String()
}

// A spliced gzip stream is a valid gzip stream (the standard library's
// reader checks the CRC and the length) of exactly the plain body, with
// no item, one, or many, and the plain body is its parts in order.
func TestSplicedGzip(t *testing.T) {
	for _, n := range []int{0, 1, 2, 20} {
		s, want := splicedBody(n)
		if got := string(s.Bytes()); got != want || s.Len() != len(want) {
			t.Fatalf("%d items: plain body %q (%d), want %q", n, got, s.Len(), want)
		}
		zr, err := gzip.NewReader(bytes.NewReader(s.Gzip()))
		if err != nil {
			t.Fatalf("%d items: %v", n, err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || string(got) != want {
			t.Fatalf("%d items: %v\n got %q\nwant %q", n, err, got, want)
		}
	}
	var empty Spliced
	zr, err := gzip.NewReader(bytes.NewReader(empty.Gzip()))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(zr); err != nil || len(got) != 0 {
		t.Fatalf("empty: %q %v", got, err)
	}
}

// Compressed after the segment before it, a run of similar segments is
// about as small as the whole compressed at once, not as each alone.
func TestSegmentsAfterEachOtherCompressTogether(t *testing.T) {
	// Words that repeat little within an item, but from item to item.
	var words strings.Builder
	for i := range 120 {
		fmt.Fprintf(&words, "w%x ", i*7919%1000)
	}
	var together, alone Spliced
	var prev []byte
	for i := range 20 {
		text := []byte(fmt.Sprintf("<item n=%d>%s</item>", i, words.String()))
		after := NewSegment(text, prev)
		together.Add(&after)
		single := NewSegment(text, nil)
		alone.Add(&single)
		prev = text
	}
	if a, b := len(together.Gzip()), len(alone.Gzip()); a*3 > b {
		t.Errorf("after each other %d bytes, alone %d", a, b)
	}
}

// SendSpliced answers a client that accepts gzip with the spliced stream,
// its length, Content-Encoding and Vary, and no body for HEAD; another
// client and the page cache's recorder get the plain body with its
// length; and the on-the-fly compressor does not compress it again.
func TestSendSpliced(t *testing.T) {
	s, want := splicedBody(3)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		w.Header().Set("ETag", `"x"`)
		SendSpliced(w, r, s)
	})
	for _, tc := range []struct {
		name, method, accept string
		gzipped              bool
	}{
		{"gzip", http.MethodGet, "gzip, br", true},
		{"gzip head", http.MethodHead, "gzip", true},
		{"plain", http.MethodGet, "", false},
		{"plain head", http.MethodHead, "", false},
		{"refused", http.MethodGet, "gzip;q=0", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, "/en/feed.xml", nil)
			if tc.accept != "" {
				req.Header.Set("Accept-Encoding", tc.accept)
			}
			rec := httptest.NewRecorder()
			Gzip(handler).ServeHTTP(rec, req)
			h := rec.Header()
			if rec.Code != http.StatusOK || h.Get("Vary") != "Accept-Encoding" {
				t.Fatalf("status %d, Vary %q", rec.Code, h.Values("Vary"))
			}
			body := s.Bytes()
			if tc.gzipped {
				if h.Get("Content-Encoding") != "gzip" || h.Get("ETag") != `"x-gz"` {
					t.Fatalf("Content-Encoding %q, ETag %q", h.Get("Content-Encoding"), h.Get("ETag"))
				}
				body = s.Gzip()
			} else if h.Get("Content-Encoding") != "" || h.Get("ETag") != `"x"` {
				t.Fatalf("Content-Encoding %q, ETag %q", h.Get("Content-Encoding"), h.Get("ETag"))
			}
			if h.Get("Content-Length") != strconv.Itoa(len(body)) {
				t.Errorf("Content-Length %q, want %d", h.Get("Content-Length"), len(body))
			}
			if tc.method == http.MethodHead {
				if rec.Body.Len() != 0 {
					t.Errorf("HEAD sent %d bytes", rec.Body.Len())
				}
				return
			}
			var got []byte
			if tc.gzipped {
				zr, err := gzip.NewReader(rec.Body)
				if err != nil {
					t.Fatal(err)
				}
				got, err = io.ReadAll(zr)
				if err != nil {
					t.Fatal(err)
				}
			} else {
				got = rec.Body.Bytes()
			}
			if string(got) != want {
				t.Errorf("body %q, want %q", got, want)
			}
		})
	}
	t.Run("page cache", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "/en/feed.xml", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := &recorder{header: http.Header{}, owner: req}
		handler.ServeHTTP(rec, req)
		if rec.header.Get("Content-Encoding") != "" || rec.body.String() != want {
			t.Errorf("the cache recorded Content-Encoding %q, body %q", rec.header.Get("Content-Encoding"), rec.body.String())
		}
	})
}
