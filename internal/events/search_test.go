package events

import (
	"context"
	"strings"
	"testing"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/search"
)

// findURLs searches every language for text and returns the results'
// addresses.
func findURLs(t *testing.T, d *db.DB, text string) []string {
	t.Helper()
	res, err := search.NewSearcher(d).Search(context.Background(),
		search.Query{Text: text, Langs: []string{"en", "fr", "ru"}, ReaderLang: "en"}, 1, 20)
	if err != nil {
		t.Fatalf("search %q: %v", text, err)
	}
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.URL)
	}
	return out
}

func countDocuments(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM search_documents`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A reader searching for the city of an event's venue, or for one of its
// speakers or their organisation, finds the event, in each of its
// languages; its words follow the editor's saves, the details page's, and
// leave with the entry, however it is deleted; a full re-index brings a
// wiped index back.
func TestEventsFoundByVenueAndSpeakers(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		entries := content.NewStore(d, search.Index{})
		entries.SetExtensions(EntryFields{}, ProgrammeFields{})
		info := Info{StartsAt: time.Now().Add(48 * time.Hour).Truncate(time.Second), TimeZone: "Africa/Ouagadougou", DurationMinutes: 90,
			Mode: "in-person", Venue: "Maison des jeunes, Ouagadougou"}
		programme := Programme{Speakers: []Speaker{{Name: "Thandeka Oyelaran", Role: "Outreach", Organisation: "Kijiji Peer Collective"}}}
		id, err := entries.SaveEntry(ctx, 0, content.EntryInput{Kind: content.Event, Ext: ProgrammeExt(info, programme)},
			content.TranslationInput{Lang: "en", Title: "Peer workers meet", Slug: "peer-workers-meet", Summary: "A day together.",
				Body: "Bring your questions.", Status: content.Published, PublishAt: time.Now().Add(-time.Hour)}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := entries.SaveTranslation(ctx, id, content.TranslationInput{Lang: "fr", Title: "Rencontre des pairs", Slug: "rencontre-des-pairs",
			Summary: "Une journée ensemble.", Status: content.Published, PublishAt: time.Now().Add(-time.Hour)}, 0); err != nil {
			t.Fatal(err)
		}
		both := []string{"/en/events/peer-workers-meet", "/fr/events/rencontre-des-pairs"}
		for _, q := range []string{"Ouagadougou", "Oyelaran", "kijiji collective", "ouagadougou peer"} {
			if got := findURLs(t, d, q); !sameSet(got, both) {
				t.Errorf("%q finds %v, want the event in both languages %v", q, got, both)
			}
		}
		// The venue moves: the old city finds nothing, the new one the event.
		info.Venue = "Centre Sankara, Bobo-Dioulasso"
		if _, err := entries.SaveEntry(ctx, id, content.EntryInput{Kind: content.Event, Ext: Ext(info)},
			content.TranslationInput{Lang: "en", Title: "Peer workers meet", Slug: "peer-workers-meet", Summary: "A day together.",
				Body: "Bring your questions.", Status: content.Published, PublishAt: time.Now().Add(-time.Hour)}, 0); err != nil {
			t.Fatal(err)
		}
		if got := findURLs(t, d, "Ouagadougou"); len(got) != 0 {
			t.Errorf("the old venue still finds %v", got)
		}
		if got := findURLs(t, d, "Sankara"); !sameSet(got, both) {
			t.Errorf("the new venue finds %v, want %v", got, both)
		}
		// The speakers kept (a save without a programme keeps it) and
		// changed on the details page.
		if got := findURLs(t, d, "Oyelaran"); !sameSet(got, both) {
			t.Errorf("the speaker after a save without programme: %v", got)
		}
		if err := Seed(ctx, d, Details{EntryID: id, Speakers: []Speaker{{Name: "Amadou Traoré-Kaboré"}}}); err != nil {
			t.Fatal(err)
		}
		if got := findURLs(t, d, "Oyelaran"); len(got) != 0 {
			t.Errorf("a speaker taken off still finds %v", got)
		}
		if got := findURLs(t, d, "Kaboré"); !sameSet(got, both) {
			t.Errorf("the new speaker finds %v, want %v", got, both)
		}

		// Wiped, then rebuilt from the module and the entries.
		for _, table := range []string{"search_documents", "search_docs"} {
			if _, err := d.ExecContext(ctx, `DELETE FROM `+table); err != nil {
				t.Fatal(err)
			}
		}
		if got := findURLs(t, d, "Sankara"); len(got) != 0 {
			t.Fatalf("a wiped index finds %v", got)
		}
		docs, translations, err := search.Reindex(ctx, d, []search.Source{&Module{}})
		if err != nil {
			t.Fatal(err)
		}
		if docs != 1 || translations != 2 {
			t.Errorf("reindex: %d documents, %d translations; want 1 and 2", docs, translations)
		}
		for _, q := range []string{"Sankara", "Kaboré", "rencontre"} {
			if got := findURLs(t, d, q); len(got) == 0 {
				t.Errorf("after the re-index %q finds nothing", q)
			}
		}

		// No longer an event: its words leave the entry.
		if _, err := entries.SaveEntry(ctx, id, content.EntryInput{Kind: content.Article},
			content.TranslationInput{Lang: "en", Title: "Peer workers meet", Slug: "peer-workers-meet", Summary: "A day together.",
				Status: content.Published, PublishAt: time.Now().Add(-time.Hour)}, 0); err != nil {
			t.Fatal(err)
		}
		if got := findURLs(t, d, "Sankara"); len(got) != 0 {
			t.Errorf("an entry that is no longer an event is found by its old venue: %v", got)
		}

		// Deleted through content: every document goes with it.
		other, err := entries.SaveEntry(ctx, 0, content.EntryInput{Kind: content.Event, Ext: Ext(Info{StartsAt: info.StartsAt, TimeZone: "UTC",
			DurationMinutes: 60, Mode: "in-person", Venue: "Hall, Timbuktu"})},
			content.TranslationInput{Lang: "en", Title: "Second meeting", Slug: "second-meeting", Status: content.Published, PublishAt: time.Now().Add(-time.Hour)}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := findURLs(t, d, "Timbuktu"); len(got) != 1 || !strings.HasSuffix(got[0], "/second-meeting") {
			t.Fatalf("Timbuktu finds %v", got)
		}
		if countDocuments(t, d) != 1 {
			t.Fatalf("%d documents, want the second event's", countDocuments(t, d))
		}
		if _, err := entries.DeleteEntry(ctx, other); err != nil {
			t.Fatal(err)
		}
		if n := countDocuments(t, d); n != 0 {
			t.Errorf("%d search documents left after the entry was deleted", n)
		}
		if got := findURLs(t, d, "Timbuktu"); len(got) != 0 {
			t.Errorf("a deleted event is found: %v", got)
		}
	})
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		found := false
		for _, y := range b {
			found = found || x == y
		}
		if !found {
			return false
		}
	}
	return true
}
