package web

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Gzip answers a page, or an empty body, as a gzip stream when the client
// accepts it, and as it is otherwise.
func TestGzip(t *testing.T) {
	for _, tc := range []struct {
		name, body, accept string
	}{
		{"page", "<p>hello, readers</p>", "gzip, br"},
		{"empty", "", "gzip"},
		{"not accepted", "<p>plain</p>", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := Gzip(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, tc.body)
			}))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.accept != "" {
				req.Header.Set("Accept-Encoding", tc.accept)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var body io.Reader = rec.Body
			if tc.accept != "" {
				if rec.Header().Get("Content-Encoding") != "gzip" {
					t.Fatalf("Content-Encoding %q", rec.Header().Get("Content-Encoding"))
				}
				zr, err := gzip.NewReader(rec.Body)
				if err != nil {
					t.Fatalf("not a gzip stream: %v", err)
				}
				body = zr
			} else if rec.Header().Get("Content-Encoding") != "" {
				t.Fatalf("Content-Encoding %q without Accept-Encoding", rec.Header().Get("Content-Encoding"))
			}
			got, err := io.ReadAll(body)
			if err != nil || string(got) != tc.body {
				t.Errorf("body %q, %v; want %q", got, err, tc.body)
			}
		})
	}
}
