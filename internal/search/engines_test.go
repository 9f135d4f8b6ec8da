package search_test

import (
	"context"
	"slices"
	"testing"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/demo"
	"peerpress/internal/search"
)

// SQLite and PostgreSQL return the same results in the same order over the
// demo content plus generated entries — enough of them that common words
// match more than MaxResults, so the cap must agree too.
func TestSameResultsOnBothEngines(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a site on both engines")
	}
	ctx := context.Background()
	langs := []string{"en", "ru", "fr", "es", "ar"}
	engines := map[string]*db.DB{"sqlite": dbtest.NewSQLite(t), "postgres": dbtest.NewPostgres(t)}
	for name, d := range engines {
		if _, err := demo.Load(ctx, d, langs); err != nil {
			t.Fatalf("%s: demo: %v", name, err)
		}
		if err := demo.Generate(ctx, d, 700, []string{"en", "ru", "fr"}, nil); err != nil {
			t.Fatalf("%s: generate: %v", name, err)
		}
		if _, err := search.Backfill(ctx, d); err != nil { // the demo's own entries
			t.Fatalf("%s: backfill: %v", name, err)
		}
	}
	queries := []search.Query{
		{Text: "naloxone"},
		{Text: "наркотики"},
		{Text: "drogues"},
		{Text: "prevencion"},
		{Text: "harm reduction"},
		{Text: "peer network health"},
		{Text: "стигма полиция"},
		{Text: "santé"},
		{Text: "rights", Kind: content.Statement},
		{Text: "campaign", Year: 2024},
		{Text: "policy", ReaderLang: "fr"},
		{Text: "données", Langs: []string{"fr"}},
	}
	for _, q := range queries {
		if q.Langs == nil {
			q.Langs = langs
		}
		if q.ReaderLang == "" {
			q.ReaderLang = "en"
		}
		var want []string
		var wantTotal int
		for _, name := range []string{"sqlite", "postgres"} {
			var got []string
			total := 0
			for page := 1; page <= 3; page++ {
				res, err := search.NewSearcher(engines[name]).Search(ctx, q, page, 10)
				if err != nil {
					t.Fatalf("%s: %q: %v", name, q.Text, err)
				}
				total = res.Total
				for _, h := range res.Hits {
					got = append(got, h.URL)
				}
			}
			if name == "sqlite" {
				want, wantTotal = got, total
				if len(got) == 0 && q.Year == 0 {
					t.Errorf("%q finds nothing in the demo", q.Text)
				}
				continue
			}
			if total != wantTotal || !slices.Equal(got, want) {
				t.Errorf("%q: postgres differs from sqlite:\n  sqlite   %d %v\n  postgres %d %v", q.Text, wantTotal, want, total, got)
			}
		}
	}
}
