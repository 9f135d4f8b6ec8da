package cli

import (
	"context"
	"strings"
	"testing"

	"peerpress/internal/app/apptest"
	"peerpress/internal/search"
)

// `search reindex` rebuilds a lost index, the events' venues and speakers
// included; without its subcommand it says how to use it.
func TestSearchReindexCommand(t *testing.T) {
	apptest.Run(t, apptest.Options{Languages: []string{"en"}, Outbox: true, Serial: true}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		d := s.App.DB
		for _, table := range []string{"search_documents", "search_docs"} {
			if _, err := d.ExecContext(ctx, `DELETE FROM `+table); err != nil {
				t.Fatal(err)
			}
		}
		find := func(text string) int {
			t.Helper()
			res, err := search.NewSearcher(d).Search(ctx, search.Query{Text: text, Langs: []string{"en"}}, 1, 10)
			if err != nil {
				t.Fatal(err)
			}
			return len(res.Hits)
		}
		if find("Rizal") != 0 {
			t.Fatal("a wiped index finds the speaker")
		}
		code, out, errOut := run(t, "", append([]string{"search", "reindex"}, siteFlags(t, s, d, s.App.Config.SiteKey)...)...)
		if code != 0 || !strings.Contains(out, "indexed ") || !strings.Contains(out, " translations") {
			t.Fatalf("reindex: %d %q %s", code, out, errOut)
		}
		if find("Rizal") != 1 || find("naloxone") == 0 {
			t.Errorf("after the re-index: Rizal %d, naloxone %d", find("Rizal"), find("naloxone"))
		}
		if code, _, errOut := run(t, "", "search"); code != 2 || !strings.Contains(errOut, "peerpress search reindex") {
			t.Errorf("no subcommand: %d %s", code, errOut)
		}
	})
}
