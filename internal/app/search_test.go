package app_test

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"peerpress/internal/content"
)

// A reader searches from any page, in any language, and gets ranked,
// highlighted results with filters and pages; search pages stay out of
// the page cache.
func TestSearchPage(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		c.Get("/en/").Must(t, http.StatusOK, `action="/en/search"`, `id="site-search-q"`)
		c.Get("/ru/").Must(t, http.StatusOK, `action="/ru/search"`)

		r := c.Get("/en/search?q=naloxone")
		r.Must(t, http.StatusOK, `<mark>naloxone</mark>`, `href="/en/events/webinar-naloxone-in-the-hands-of-peers"`, `value="naloxone"`, `name="robots" content="noindex"`)
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "private") {
			t.Errorf("Cache-Control %q: search pages must stay out of the page cache", cc)
		}
		// Compressed, though never cached.
		req, _ := http.NewRequest(http.MethodGet, s.Server.URL+"/en/search?q=naloxone", nil)
		req.Header.Set("Accept-Encoding", "gzip, br")
		gz := c.Do(req)
		if gz.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("Content-Encoding %q", gz.Header.Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(strings.NewReader(gz.Body))
		if err != nil {
			t.Fatal(err)
		}
		if plain, _ := io.ReadAll(zr); !strings.Contains(string(plain), "<mark>naloxone</mark>") {
			t.Errorf("gzipped search page lacks its results")
		}
		// The Russian translation is found by an inflected form, from the
		// English page too.
		c.Get("/en/search?q="+url.QueryEscape("налоксона")).Must(t, http.StatusOK, `href="/ru/events/`, `<mark>`)
		// Arabic without its article finds the word with it.
		c.Get("/ar/search?q="+url.QueryEscape("نالوكسون")+"&lang=ar").Must(t, http.StatusOK, `href="/ar/`, `<mark>`)
		// Filters narrow; the chosen ones stay selected.
		c.Get("/en/search?q=naloxone&kind=article&lang=en").Must(t, http.StatusOK, `<option value="article" selected>`)
		// (The results, that is: the navigation links to /en/events/upcoming.)
		results := func(r response) response {
			_, r.Body, _ = strings.Cut(r.Body, `<main id="main"`)
			return r
		}
		fr := results(c.Get("/en/search?q=naloxone&kind=event&lang=fr"))
		fr.Must(t, http.StatusOK, `href="/fr/events/`)
		fr.MustNot(t, `href="/en/events/`, `href="/ru/events/`)
		results(c.Get("/en/search?q=naloxone&kind=article&lang=en")).MustNot(t, `href="/en/events/`)
		// An empty query gets the form and a hint, not an error.
		c.Get("/en/search").Must(t, http.StatusOK, "Type one or more words")
		c.Get("/en/search?q=%20%20").Must(t, http.StatusOK, "Type one or more words")
		c.Get("/en/search?q="+url.QueryEscape("«» — !!")).Must(t, http.StatusOK, "no words to look for")
		c.Get("/en/search?q=zzyzxq").Must(t, http.StatusOK, "Nothing found", "0 results")
	})
}

// Bad values get the form back with a message at the field, never a 500.
func TestSearchBadInput(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		cases := []struct{ query, want string }{
			{"q=" + strings.Repeat("a", 201), "at most 200 characters"},
			{"q=" + strings.Repeat("a+", 13), "at most 12 words"},
			{"q=naloxone&kind=bogus", "Choose a kind"},
			{"q=naloxone&section=nowhere", "no such section"},
			{"q=naloxone&lang=xx", "not published in that language"},
			{"q=naloxone&year=abc", "four digits"},
			{"q=naloxone&year=99999999999999999999", "four digits"},
			{"q=naloxone&page=0", "page number is not valid"},
			{"q=naloxone&page=-3", "page number is not valid"},
			{"q=naloxone&page=x", "page number is not valid"},
			{"q=naloxone&page=100000", "page number is not valid"},
		}
		for _, tc := range cases {
			r := c.Get("/en/search?" + tc.query)
			r.Must(t, http.StatusBadRequest, tc.want, `id="search-q"`)
			if !strings.Contains(tc.query, "page=") && !strings.Contains(r.Body, `aria-invalid="true"`) {
				t.Errorf("%s: the field in error is not marked", tc.query)
			}
		}
		c.Get("/en/search?q=naloxone&year=abc").Must(t, http.StatusBadRequest, `value="naloxone"`, `value="abc"`)
		// A page past the last is not found; a malformed query string is
		// read as far as it goes.
		c.Get("/en/search?q=naloxone&page=20").Must(t, http.StatusNotFound)
		c.Get("/en/search?q=%zz&kind=%").Must(t, http.StatusOK, "Type one or more words")
	})
}

// An editor's save shows in the results at once (the store is wired to
// the index).
func TestSearchFollowsEdits(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		ctx := context.Background()
		e, err := s.App.Content.BySlug(ctx, "en", "webinar-naloxone-in-the-hands-of-peers")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.App.Content.SaveTranslation(ctx, e.ID, content.TranslationInput{Lang: "en", Title: "Webinar: overdose response by peers",
			Slug: "webinar-naloxone-in-the-hands-of-peers", Body: "Peers answer questions about the kits.", Status: content.Published,
			PublishAt: time.Now().Add(-time.Hour)}, 0); err != nil {
			t.Fatal(err)
		}
		c.Get("/en/search?q=overdose+response&lang=en").Must(t, http.StatusOK, `<mark>overdose</mark> <mark>response</mark>`)
		c.Get("/en/search?q=naloxone&lang=en&kind=event").MustNot(t, "webinar-naloxone-in-the-hands-of-peers")
	})
}
