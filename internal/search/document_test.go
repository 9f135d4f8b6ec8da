package search_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/search"
)

// directory is a module with documents of its own, as the directory's
// organisations will be: it keeps them in its slice and gives them all to
// a re-index.
type directory struct{ docs []search.Document }

func (m *directory) SearchDocuments(ctx context.Context, q db.Querier, yield func(search.Document) error) error {
	for _, d := range m.docs {
		if err := yield(d); err != nil {
			return err
		}
	}
	return nil
}

func (m *directory) put(t *testing.T, d *db.DB, docs ...search.Document) {
	t.Helper()
	if err := d.InTx(context.Background(), func(tx *db.Tx) error { return search.Put(context.Background(), tx, docs...) }); err != nil {
		t.Fatal(err)
	}
	m.docs = append(m.docs, docs...)
}

// hits runs q in every language and returns the results.
func (f *fixture) hits(q search.Query) []search.Hit {
	f.t.Helper()
	if q.Langs == nil {
		q.Langs = allLangs
	}
	q.ReaderLang = "en"
	res, err := f.s.Search(context.Background(), q, 1, 50)
	if err != nil {
		f.t.Fatalf("search %q: %v", q.Text, err)
	}
	return res.Hits
}

func urls(hs []search.Hit) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.URL)
	}
	return out
}

// A module's own document is found beside entries, ranked as they are,
// and shown with its own title, address, label and date; filters by kind
// or section leave it out, the year and language filters apply to it; it
// changes and leaves as the module says, and a re-index brings it back.
func TestModuleDocumentsInResults(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		dir := &directory{}
		_, article := f.add(entry{lang: "en", title: "Outreach in Lagos", body: "A report."})
		articleURL := content.URL(content.Article, "en", article)
		org := search.Document{Source: "directory", Key: "7", Lang: "en", Label: "directory.organisation",
			Words: search.Words{Title: "Lagos Peer Collective", Summary: "A network of people who use drugs in Lagos.", Body: "Needle exchange, <naloxone> & outreach."},
			URL:   "/en/directory/lagos-peer-collective", Date: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
		dir.put(t, d, org)

		hs := f.hits(search.Query{Text: "lagos"})
		// Named in its title and summary, it ranks above the article named
		// in its title only.
		if got := urls(hs); !slices.Equal(got, []string{org.URL, articleURL}) {
			t.Fatalf("lagos: %v, want the organisation then the article", got)
		}
		h := hs[0]
		if h.Label != "directory.organisation" || h.EntryID != 0 || h.Kind != "" || h.Lang != "en" ||
			h.Title != "<mark>Lagos</mark> Peer Collective" || !h.PublishAt.Equal(org.Date) {
			t.Errorf("the organisation as a result: %+v", h)
		}
		if got := f.hits(search.Query{Text: "naloxone"}); len(got) != 1 || !strings.Contains(string(got[0].Snippet), "<mark>naloxone</mark>") ||
			!strings.Contains(string(got[0].Snippet), "&lt;") {
			t.Errorf("naloxone: %+v, want the organisation with its escaped, marked snippet", got)
		}
		// Its words are stemmed in its language, as entries' are.
		if got := urls(f.hits(search.Query{Text: "networks"})); !slices.Equal(got, []string{org.URL}) {
			t.Errorf("networks: %v", got)
		}
		// Filters: neither a kind nor a section; the year of its date.
		if got := urls(f.hits(search.Query{Text: "lagos", Kind: content.Article})); !slices.Equal(got, []string{articleURL}) {
			t.Errorf("kind: %v", got)
		}
		if got := urls(f.hits(search.Query{Text: "lagos", Year: 2024})); !slices.Equal(got, []string{org.URL}) {
			t.Errorf("year 2024: %v", got)
		}
		if got := urls(f.hits(search.Query{Text: "lagos", Year: 2023})); len(got) != 0 {
			t.Errorf("year 2023: %v", got)
		}
		if got := urls(f.hits(search.Query{Text: "lagos", Langs: []string{"fr"}})); len(got) != 0 {
			t.Errorf("in French: %v", got)
		}

		// Renamed: the old name finds nothing.
		org.Title = "Abuja Peer Collective"
		dir.docs = nil
		dir.put(t, d, org)
		if got := urls(f.hits(search.Query{Text: "abuja"})); !slices.Equal(got, []string{org.URL}) {
			t.Errorf("abuja after the rename: %v", got)
		}
		if got := urls(f.hits(search.Query{Text: "collective lagos"})); !slices.Equal(got, []string{org.URL}) {
			t.Errorf("the summary still names Lagos: %v", got)
		}

		// Wiped, then rebuilt from the module.
		for _, table := range []string{"search_documents", "search_docs"} {
			if _, err := d.ExecContext(ctx, `DELETE FROM `+table); err != nil {
				t.Fatal(err)
			}
		}
		if got := f.hits(search.Query{Text: "lagos"}); len(got) != 0 {
			t.Fatalf("a wiped index finds %v", urls(got))
		}
		docs, translations, err := search.Reindex(ctx, d, []search.Source{dir})
		if err != nil || docs != 1 || translations != 1 {
			t.Fatalf("reindex: %d documents, %d translations, %v", docs, translations, err)
		}
		d.Changed() // another process's re-index reaches a searcher within a minute
		if got := urls(f.hits(search.Query{Text: "lagos"})); !slices.Equal(got, []string{articleURL, org.URL}) {
			t.Errorf("after the re-index: %v, want the article then the organisation (in its summary only now)", got)
		}

		// Removed by its module.
		if err := d.InTx(ctx, func(tx *db.Tx) error { return search.Remove(ctx, tx, "directory", "7") }); err != nil {
			t.Fatal(err)
		}
		if got := urls(f.hits(search.Query{Text: "lagos"})); !slices.Equal(got, []string{articleURL}) {
			t.Errorf("after the removal: %v", got)
		}

		// A module's mistake is refused, and nothing is written.
		for _, bad := range []search.Document{{Key: "1", Lang: "en"}, {Source: "directory", Lang: "en"}, {Source: "directory", Key: "2"}} {
			if err := d.InTx(ctx, func(tx *db.Tx) error { return search.Put(ctx, tx, bad) }); err == nil {
				t.Errorf("%+v was put", bad)
			}
		}
	})
}

// An entry's document joins the entry's words in each of its languages,
// ranked by the weight the module gave them, and leaves with the entry
// when content deletes it.
func TestEntryDocumentsJoinTheEntry(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		id, slug := f.add(entry{lang: "en", title: "Annual meeting", body: "Agenda to follow."})
		_, other := f.add(entry{lang: "en", title: "Notes", body: "We met in Kisumu last year."})
		put := func(doc search.Document) {
			t.Helper()
			if err := d.InTx(ctx, func(tx *db.Tx) error { return search.Put(ctx, tx, doc) }); err != nil {
				t.Fatal(err)
			}
		}
		put(search.Document{Source: "events", Key: "1", Entry: id, Words: search.Words{Summary: "Lakeside hall, Kisumu"}})
		// The venue's words weigh as a summary's: above the other's body.
		f.mustFind("kisumu", slug, other)
		f.mustFind("lakeside meeting", slug)
		if _, err := f.store.DeleteEntry(ctx, id); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_documents`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d documents left after the entry's deletion (%v)", n, err)
		}
		f.mustFind("kisumu", other)
	})
}
