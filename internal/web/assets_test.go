package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

// Right-to-left pages mirror only if the stylesheet speaks of start and
// end, never of left and right.
func TestStylesheetUsesLogicalProperties(t *testing.T) {
	css, err := staticFiles.ReadFile("static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	physical := regexp.MustCompile(`(?m)(?:^|[;{\s])((?:margin|padding|border)-(?:left|right)[a-z-]*|(?:left|right)\s*:|text-align:\s*(?:left|right)|float:\s*(?:left|right)|clear:\s*(?:left|right))`)
	for i, line := range strings.Split(string(css), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "/*") {
			continue
		}
		if m := physical.FindStringSubmatch(line); m != nil {
			t.Errorf("style.css:%d uses %q; use the logical property (inline-start/end)", i+1, m[1])
		}
	}
	if !strings.Contains(string(css), "margin-inline") || !strings.Contains(string(css), "padding-inline") {
		t.Fatal("the check found no logical properties either: is this the right file?")
	}
}

// Assets are served under a content fingerprint and cached for a year.
func TestAssetsFingerprinted(t *testing.T) {
	a, err := NewAssets()
	if err != nil {
		t.Fatal(err)
	}
	u, err := a.URL("style.css")
	if err != nil || !regexp.MustCompile(`^/static/style\.[0-9a-f]{8}\.css$`).MatchString(u) {
		t.Fatalf("style.css URL %q, %v", u, err)
	}
	if _, err := a.URL("nope.css"); err == nil {
		t.Fatal("an unknown asset has a URL")
	}
}

// Text assets go out compressed in the best encoding the browser
// accepts, with the year-long caching of fingerprinted files, and decode
// to the very file; a browser that accepts nothing gets the file as is.
func TestAssetsCompressed(t *testing.T) {
	a, err := NewAssets()
	if err != nil {
		t.Fatal(err)
	}
	want, err := staticFiles.ReadFile("static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := a.URL("style.css")
	for _, tc := range []struct{ accept, encoding string }{
		{"gzip, deflate, br, zstd", "br"},
		{"gzip, deflate", "gzip"},
		{"br;q=0, gzip", "gzip"},
		{"", ""},
	} {
		r := httptest.NewRequest("GET", u, nil)
		if tc.accept != "" {
			r.Header.Set("Accept-Encoding", tc.accept)
		}
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
		res := w.Result()
		if got := res.Header.Get("Content-Encoding"); got != tc.encoding {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tc.accept, got, tc.encoding)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("Cache-Control %q", cc)
		}
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") || res.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("headers %v", res.Header)
		}
		var body io.Reader = res.Body
		switch tc.encoding {
		case "br":
			body = brotli.NewReader(res.Body)
		case "gzip":
			if body, err = gzip.NewReader(res.Body); err != nil {
				t.Fatal(err)
			}
		}
		got, err := io.ReadAll(body)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Accept-Encoding %q: body differs from style.css (%d bytes, %v)", tc.accept, len(got), err)
		}
		if tc.encoding != "" && w.Body.Len() > len(want)/3 {
			t.Errorf("%s: %d bytes of %d: hardly compressed", tc.encoding, w.Body.Len(), len(want))
		}
		if n, _ := strconv.Atoi(res.Header.Get("Content-Length")); n != w.Body.Len() {
			t.Errorf("Content-Length %d for %d bytes", n, w.Body.Len())
		}
	}
}
