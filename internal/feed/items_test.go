package feed

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/web"
)

// feedServer serves the language and article feeds in every format as
// the route table does without the page cache (compressed on the fly).
func feedServer(h *Handlers) http.Handler {
	mux := http.NewServeMux()
	for _, f := range Formats {
		mux.Handle("GET /{lang}/"+f.File, web.Gzip(h.rd.Handle(h.Language(f))))
		mux.Handle("GET /{lang}/articles/"+f.File, web.Gzip(h.rd.Handle(h.Kind(content.Article, f))))
	}
	return mux
}

// fetch gets path, gzipped or not, and returns the plain body.
func fetch(t *testing.T, srv http.Handler, path string, gzipped bool) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if gzipped {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: %d", path, rec.Code)
	}
	if !gzipped {
		if rec.Header().Get("Content-Encoding") != "" {
			t.Fatalf("%s: Content-Encoding %q unasked", path, rec.Header().Get("Content-Encoding"))
		}
		return rec.Body.String()
	}
	if rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("Content-Length") != fmt.Sprint(rec.Body.Len()) {
		t.Fatalf("%s: Content-Encoding %q, Content-Length %q for %d bytes", path, rec.Header().Get("Content-Encoding"),
			rec.Header().Get("Content-Length"), rec.Body.Len())
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return string(b)
}

// The first feed after an edit of a listed entry shows the edit, in every
// format, gzipped and not, although the handlers keep the items they
// served; and the gzipped feed is the plain one, compressed.
func TestFeedsShowAnEditAtOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		h := newHandlers(t, d, []string{"en"})
		srv := feedServer(h)
		var paths []string
		for _, f := range Formats {
			paths = append(paths, "/en/"+f.File, "/en/articles/"+f.File)
		}
		check := func(when string, want, gone []string) {
			t.Helper()
			for _, p := range paths {
				plain := fetch(t, srv, p, false)
				if z := fetch(t, srv, p, true); z != plain {
					t.Errorf("%s, %s: gzipped differs from plain:\n%s\n%s", when, p, z, plain)
				}
				for _, w := range want {
					if !strings.Contains(plain, w) {
						t.Errorf("%s, %s: no %q", when, p, w)
					}
				}
				for _, g := range gone {
					if strings.Contains(plain, g) {
						t.Errorf("%s, %s: still %q", when, p, g)
					}
				}
			}
		}
		texts, err := h.store.LatestTexts(ctx, content.ListFilter{Lang: "en", Kind: content.Article}, 2)
		if err != nil || len(texts) < 2 {
			t.Fatalf("latest articles: %v %v", texts, err)
		}
		first, second := texts[0], texts[1]
		check("before", []string{first.Title, second.Title}, nil)
		check("served again from the items kept", []string{first.Title, second.Title}, nil)

		// The second item's words change: it, and the first item's
		// neighbour, are written again.
		if _, err := h.store.SaveTranslation(ctx, second.EntryID, content.TranslationInput{Lang: "en", Title: "Retitled by the test",
			Slug: second.Slug, Summary: second.Summary, Body: second.Body + "\n\nA paragraph the test added.", Status: second.Status,
			PublishAt: second.PublishAt}, 0); err != nil {
			t.Fatal(err)
		}
		check("after an edit", []string{"Retitled by the test", "A paragraph the test added.", first.Title}, []string{">" + second.Title + "<"})

		// A new address: every link to it changes.
		if _, err := h.store.SaveTranslation(ctx, first.EntryID, content.TranslationInput{Lang: "en", Title: first.Title,
			Slug: "moved-by-the-test", Summary: first.Summary, Body: first.Body, Status: first.Status, PublishAt: first.PublishAt}, 0); err != nil {
			t.Fatal(err)
		}
		check("after a new slug", []string{"/en/articles/moved-by-the-test"}, []string{"/en/articles/" + first.Slug + "<", "/en/articles/" + first.Slug + `"`})

		// Back to a draft: out of the feeds.
		if _, err := h.store.SaveTranslation(ctx, first.EntryID, content.TranslationInput{Lang: "en", Title: first.Title,
			Slug: "moved-by-the-test", Summary: first.Summary, Body: first.Body, Status: content.Draft, PublishAt: first.PublishAt}, 0); err != nil {
			t.Fatal(err)
		}
		check("after unpublishing", []string{"Retitled by the test"}, []string{"moved-by-the-test"})
	})
}

// The items kept take at most maxItemBytes: a full cache starts again.
func TestItemCacheIsBounded(t *testing.T) {
	var c itemCache
	text := bytes.Repeat([]byte("an item of a feed "), 1000)
	for i := range 2000 {
		seg := web.NewSegment(text, nil)
		c.put(pairKey{item: itemKey{id: int64(i)}}, &seg)
		if c.size > maxItemBytes {
			t.Fatalf("%d bytes kept after %d items", c.size, i+1)
		}
	}
	if len(c.m) == 0 || c.get(pairKey{item: itemKey{id: 1999}}) == nil {
		t.Fatal("the last item is not kept")
	}
	big := web.NewSegment(bytes.Repeat([]byte("x"), maxItemBytes/32), nil)
	c.put(pairKey{item: itemKey{id: -1}}, &big)
	if c.get(pairKey{item: itemKey{id: -1}}) != nil {
		t.Error("an item larger than a 64th of the cache was kept")
	}
}
