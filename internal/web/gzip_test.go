package web

import (
	"cmp"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// Gzip answers a page, or an empty body, as a gzip stream when the client
// accepts it, and as it is otherwise.
func TestGzip(t *testing.T) {
	page := "<!doctype html><p>hello, readers</p>" + strings.Repeat("<p>and more</p>", 50)
	for _, tc := range []struct {
		name, body, accept string
	}{
		{"page", page, "gzip, br"},
		{"empty", "", "gzip"},
		{"not accepted", page, ""},
		{"refused", page, "gzip;q=0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := Gzip(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				io.WriteString(w, tc.body)
			}))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.accept != "" {
				req.Header.Set("Accept-Encoding", tc.accept)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var body io.Reader = rec.Body
			if rec.Header().Get("Vary") != "Accept-Encoding" {
				t.Errorf("Vary %q", rec.Header().Values("Vary"))
			}
			if strings.HasPrefix(tc.accept, "gzip,") || tc.accept == "gzip" {
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

// What the handler's header says decides: text of some size is
// compressed, with its length dropped and its tag told apart; what is
// not text, already encoded, too small, a redirect or a 304 goes as it
// is; HEAD gets the header a GET would, and no body.
func TestGzipDecides(t *testing.T) {
	long := strings.Repeat("<p>a page</p>", 100)
	for _, tc := range []struct {
		name, method, contentType, encoding, etag string
		length                                    bool
		status                                    int
		body                                      string
		gzip                                      bool
		wantType, wantTag                         string
	}{
		{name: "feed", contentType: "application/rss+xml; charset=utf-8", length: true, status: 200, body: long, gzip: true, etag: `"abc"`, wantTag: `"abc-gz"`},
		{name: "sniffed", status: 200, body: "<!DOCTYPE html>" + long, gzip: true, wantType: "text/html; charset=utf-8"},
		{name: "not found", contentType: "text/html", status: 404, body: long, gzip: true},
		{name: "image", contentType: "image/png", status: 200, body: "\x89PNG" + long},
		{name: "encoded", contentType: "text/html", encoding: "br", status: 200, body: long},
		{name: "small", contentType: "text/html", length: true, status: 200, body: "<p>hi</p>"},
		{name: "redirect", contentType: "text/html", status: 301, body: long},
		{name: "not modified", contentType: "application/rss+xml", status: 304},
		{name: "head", method: http.MethodHead, contentType: "application/atom+xml", length: true, status: 200, body: long, gzip: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := Gzip(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hd := w.Header()
				if tc.contentType != "" {
					hd.Set("Content-Type", tc.contentType)
				}
				if tc.encoding != "" {
					hd.Set("Content-Encoding", tc.encoding)
				}
				if tc.etag != "" {
					hd.Set("ETag", tc.etag)
				}
				if tc.length {
					hd.Set("Content-Length", strconv.Itoa(len(tc.body)))
				}
				if tc.status != 200 {
					w.WriteHeader(tc.status)
				}
				if r.Method != http.MethodHead && tc.status != 304 {
					io.WriteString(w, tc.body)
				}
			}))
			req := httptest.NewRequest(cmp.Or(tc.method, http.MethodGet), "/", nil)
			req.Header.Set("Accept-Encoding", "gzip")
			srv := httptest.NewServer(h)
			defer srv.Close()
			creq, _ := http.NewRequest(req.Method, srv.URL, nil)
			creq.Header.Set("Accept-Encoding", "gzip")
			res, err := http.DefaultTransport.RoundTrip(creq)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d", res.StatusCode)
			}
			enc := res.Header.Get("Content-Encoding")
			if tc.gzip != (enc == "gzip") || (!tc.gzip && enc != tc.encoding) {
				t.Fatalf("Content-Encoding %q", enc)
			}
			if tc.wantType != "" && res.Header.Get("Content-Type") != tc.wantType {
				t.Errorf("Content-Type %q", res.Header.Get("Content-Type"))
			}
			if tc.wantTag != "" && res.Header.Get("ETag") != tc.wantTag {
				t.Errorf("ETag %q", res.Header.Get("ETag"))
			}
			switch {
			case req.Method == http.MethodHead:
				if len(raw) != 0 || res.Header.Get("Content-Length") != "" {
					t.Errorf("HEAD: %d bytes, Content-Length %q", len(raw), res.Header.Get("Content-Length"))
				}
			case tc.gzip:
				if res.Header.Get("Content-Length") == strconv.Itoa(len(tc.body)) {
					t.Error("the plain body's Content-Length sent with the compressed one")
				}
				zr, err := gzip.NewReader(strings.NewReader(string(raw)))
				if err != nil {
					t.Fatalf("not a gzip stream: %v", err)
				}
				if got, err := io.ReadAll(zr); err != nil || string(got) != tc.body {
					t.Errorf("decoded %d bytes, %v", len(got), err)
				}
			case tc.status != 304 && string(raw) != tc.body:
				t.Errorf("body changed: %d bytes", len(raw))
			}
		})
	}
}
