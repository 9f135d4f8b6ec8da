package feed

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/demo"
	"peerpress/internal/i18n"
	"peerpress/internal/search"
	"peerpress/internal/web"
)

func newHandlers(t *testing.T, d *db.DB, langs []string) *Handlers {
	t.Helper()
	if _, err := demo.Load(context.Background(), d, langs); err != nil {
		t.Fatal(err)
	}
	bundle, err := i18n.New(langs)
	if err != nil {
		t.Fatal(err)
	}
	assets, err := web.NewAssets()
	if err != nil {
		t.Fatal(err)
	}
	rd, err := web.NewRenderer("Test", func() *i18n.Bundle { return bundle }, nil, assets)
	if err != nil {
		t.Fatal(err)
	}
	rd.BaseURL = "https://peers.example"
	return New(content.NewStore(d, search.Index{}), content.NewMarkdown(), rd)
}

func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
	return w
}

// A language with more addresses than one sitemap holds is split into
// numbered parts that the index lists; walking the parts gives every
// address exactly once.
func TestSitemapParts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHandlers(t, d, []string{"en", "ru"})
		h.PerSitemap = 10
		rd := h.rd
		mux := http.NewServeMux()
		mux.Handle("GET /sitemap.xml", rd.Handle(h.SitemapIndex))
		mux.Handle("GET /{file}", rd.Handle(h.Sitemap(func(w http.ResponseWriter, r *http.Request) error { return web.NotFound() })))

		visible, err := h.store.CountVisible(context.Background(), "en")
		if err != nil {
			t.Fatal(err)
		}
		var idx struct {
			Locs []string `xml:"sitemap>loc"`
		}
		if err := xml.Unmarshal(get(t, mux, "/sitemap.xml").Body.Bytes(), &idx); err != nil {
			t.Fatal(err)
		}
		var enParts []string
		for _, l := range idx.Locs {
			if strings.HasPrefix(l, "https://peers.example/sitemap-en-") {
				enParts = append(enParts, strings.TrimPrefix(l, "https://peers.example"))
			}
		}
		if len(enParts) < 5 || enParts[0] != "/sitemap-en-1.xml" {
			t.Fatalf("index: %v", idx.Locs)
		}
		listings, err := h.listings(context.Background(), "en")
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, p := range enParts {
			w := get(t, mux, p)
			if w.Code != 200 {
				t.Fatalf("%s: %d", p, w.Code)
			}
			var set struct {
				Locs []string `xml:"url>loc"`
			}
			if err := xml.Unmarshal(w.Body.Bytes(), &set); err != nil {
				t.Fatal(err)
			}
			if len(set.Locs) == 0 || len(set.Locs) > 10 {
				t.Fatalf("%s: %d addresses", p, len(set.Locs))
			}
			for _, l := range set.Locs {
				if seen[l] {
					t.Fatalf("%s listed twice", l)
				}
				seen[l] = true
			}
		}
		if !seen["https://peers.example/en/"] || !seen["https://peers.example/en/about"] {
			t.Error("home page or a page missing")
		}
		if len(seen) != len(listings)+visible {
			t.Errorf("%d addresses, want %d listings and %d visible entries", len(seen), len(listings), visible)
		}
		if w := get(t, mux, "/sitemap-en.xml"); w.Code != http.StatusFound || w.Header().Get("Location") != "/sitemap-en-1.xml" {
			t.Errorf("/sitemap-en.xml: %d %q", w.Code, w.Header().Get("Location"))
		}
		if w := get(t, mux, "/sitemap-en-"+strconv.Itoa(len(enParts)+1)+".xml"); w.Code != 404 {
			t.Errorf("a part past the end: %d", w.Code)
		}
		for _, p := range []string{"/sitemap-fr.xml", "/sitemap-en-01.xml", "/sitemap-en-x.xml", "/sitemap.txt", "/favicon.ico"} {
			if w := get(t, mux, p); w.Code != 404 {
				t.Errorf("%s: %d", p, w.Code)
			}
		}
	})
}
