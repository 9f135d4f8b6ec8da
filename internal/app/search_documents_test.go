package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"peerpress/internal/app"
	"peerpress/internal/db"
	"peerpress/internal/search"
)

// The search page finds an event by its speakers and by its venue, in
// each of its languages, shows a module's own document with its own
// title, address and label, and still answers bad values with messages.
func TestSearchFindsModulesDocuments(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		ctx := context.Background()
		results := func(r response) response {
			_, r.Body, _ = strings.Cut(r.Body, `<main id="main"`)
			return r
		}
		// A speaker the event's text never names.
		results(c.Get("/en/search?q=Rizal+Hakim")).Must(t, http.StatusOK, `href="/en/events/webinar-who-pays-for-harm-reduction"`)
		// The venue, named only in the English text, finds the Russian
		// translation too.
		results(c.Get("/en/search?q=Riverside&lang=ru")).Must(t, http.StatusOK, `href="/ru/events/regionalnyj-dialog-zhenshchiny-aziya"`)

		// A module's own document (the directory's organisations will be).
		if err := s.App.DB.InTx(ctx, func(tx *db.Tx) error {
			return search.Put(ctx, tx, search.Document{Source: "directory", Key: "12", Lang: "en", Label: "letter.kind.organisation",
				Words: search.Words{Title: "Zembla Drug User Union", Summary: "Peers in Zembla since 2009."},
				URL:   "/en/directory/zembla-drug-user-union"})
		}); err != nil {
			t.Fatal(err)
		}
		r := results(c.Get("/en/search?q=zembla"))
		r.Must(t, http.StatusOK, `<a href="/en/directory/zembla-drug-user-union"><mark>Zembla</mark> Drug User Union</a>`,
			`<span class="kind">Organisation</span>`, "1 result")
		r.MustNot(t, "<time") // undated: no date
		results(c.Get("/en/search?q=zembla&kind=article")).Must(t, http.StatusOK, "0 results")
		for _, q := range []string{"q=zembla&year=abc", "q=zembla&kind=bogus", "q=" + url.QueryEscape(strings.Repeat("zembla ", 13))} {
			c.Get("/en/search?"+q).Must(t, http.StatusBadRequest, `aria-invalid="true"`)
		}

		// Wiped and rebuilt: the events' words and the entries come back.
		for _, table := range []string{"search_documents", "search_docs"} {
			if _, err := s.App.DB.ExecContext(ctx, `DELETE FROM `+table); err != nil {
				t.Fatal(err)
			}
		}
		results(c.Get("/en/search?q=Rizal")).Must(t, http.StatusOK, "0 results")
		docs, translations, err := s.App.ReindexSearch(ctx)
		if err != nil || docs == 0 || translations == 0 {
			t.Fatalf("reindex: %d documents, %d translations, %v", docs, translations, err)
		}
		s.App.DB.Changed() // the re-index is quiet; the searcher rereads within a minute
		results(c.Get("/en/search?q=Rizal")).Must(t, http.StatusOK, `href="/en/events/webinar-who-pays-for-harm-reduction"`)
		results(c.Get("/en/search?q=naloxone")).Must(t, http.StatusOK, `href="/en/events/webinar-naloxone-in-the-hands-of-peers"`)
	})
}

// A site upgraded from before modules gave search documents finds its
// events by their speakers once it starts again.
func TestSearchDocumentsIndexedAtStart(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		d := s.App.DB
		find := func(text string) int {
			t.Helper()
			res, err := search.NewSearcher(d).Search(ctx, search.Query{Text: text, Langs: []string{"en"}}, 1, 10)
			if err != nil {
				t.Fatal(err)
			}
			return len(res.Hits)
		}
		// As such a site is: entries indexed, no documents.
		if _, _, err := search.Reindex(ctx, d, nil); err != nil {
			t.Fatal(err)
		}
		if find("Rizal") != 0 {
			t.Fatal("the speaker is found without documents")
		}
		if _, err := app.New(ctx, s.App.Config, d); err != nil {
			t.Fatal(err)
		}
		if find("Rizal") != 1 {
			t.Error("after the start, the speaker does not find the event")
		}
	})
}
