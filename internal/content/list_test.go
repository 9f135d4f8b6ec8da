package content

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// Walking a listing page by page gives every entry exactly once, in order,
// even when many share a publish time; the bounds follow writes.
func TestListPagesSeek(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := NewStore(d, noIndex{})
		base := time.Now().Add(-time.Hour).Truncate(time.Second)
		const n = 47
		for i := 0; i < n; i++ {
			at := base.Add(-time.Duration(i/5) * time.Minute) // five entries per publish time
			_, err := s.SaveEntry(ctx, 0, EntryInput{Kind: Article}, TranslationInput{Lang: "en", Title: fmt.Sprintf("Entry %02d", i),
				Slug: fmt.Sprintf("entry-%02d", i), Status: Published, PublishAt: at}, 0)
			if err != nil {
				t.Fatal(err)
			}
		}
		walk := func(per int) []string {
			var out []string
			for page := 1; ; page++ {
				items, total, err := s.List(ctx, ListFilter{Lang: "en", Kind: Article}, page, per)
				if err != nil {
					t.Fatal(err)
				}
				if total != n && total != n+1 {
					t.Fatalf("total %d", total)
				}
				if len(items) == 0 {
					return out
				}
				for _, it := range items {
					out = append(out, it.Slug)
				}
			}
		}
		// Every page read by its rows' keys (bounds.ids), and, with no
		// budget for ids past the first pages', pages past them sought
		// from their bounds.
		for _, budget := range []int{idBudget, 0} {
			s.bounds.mu.Lock()
			s.bounds.m, s.bounds.idBudget = nil, budget
			s.bounds.mu.Unlock()
			for _, per := range []int{1, 4, 5, 10, 50} {
				got := walk(per)
				if len(got) != n {
					t.Fatalf("budget %d, per %d: walked %d entries of %d", budget, per, len(got), n)
				}
				seen := map[string]bool{}
				for _, slug := range got {
					if seen[slug] {
						t.Fatalf("budget %d, per %d: %s twice", budget, per, slug)
					}
					seen[slug] = true
				}
				if ref := walk(n); fmt.Sprint(ref) != fmt.Sprint(got) {
					t.Fatalf("budget %d, per %d: order differs from one page", budget, per)
				}
			}
			b, err := s.listingBounds(ctx, ListFilter{Lang: "en", Kind: Article}, time.Now(), 1)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[int]int{idBudget: n, 0: headPages}[budget]; len(b.ids) != want {
				t.Fatalf("budget %d: bounds keep %d ids, want %d", budget, len(b.ids), want)
			}
		}
		// The budget is the listings' together: a second listing keeps
		// what the first leaves, or its first pages' ids.
		s.bounds.mu.Lock()
		s.bounds.m, s.bounds.idBudget = nil, n+headPages+2
		s.bounds.mu.Unlock()
		for _, c := range []struct {
			f    ListFilter
			want int
		}{{ListFilter{Lang: "en", Kind: Article}, n}, {ListFilter{Lang: "en"}, headPages + 2}, {ListFilter{Lang: "en", ExcludeArchived: true}, headPages}} {
			b, err := s.listingBounds(ctx, c.f, time.Now(), 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(b.ids) != c.want {
				t.Errorf("%+v: bounds keep %d ids, want %d", c.f, len(b.ids), c.want)
			}
		}
		// A new entry shifts every page by one.
		if _, err := s.SaveEntry(ctx, 0, EntryInput{Kind: Article}, TranslationInput{Lang: "en", Title: "Newest", Slug: "newest", Status: Published, PublishAt: base.Add(time.Minute)}, 0); err != nil {
			t.Fatal(err)
		}
		items, total, _ := s.List(ctx, ListFilter{Lang: "en", Kind: Article}, 2, 10)
		if total != n+1 || items[0].Slug != walk(10)[10] {
			t.Fatalf("after a write: total %d, page 2 starts with %s", total, items[0].Slug)
		}
		if items, _, _ := s.List(ctx, ListFilter{Lang: "en", Kind: Article}, 99, 10); len(items) != 0 {
			t.Fatal("a page past the end has items")
		}
	})
}

// An entry scheduled for later joins the listing when its time comes,
// though nothing is written then: the pages after the first shift with
// it, and no entry falls between two pages.
func TestListPagesFollowScheduledPublication(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, now := newTestStore(d)
		for i := range 6 {
			mustSave(t, s, 0, EntryInput{Kind: Article}, tr("en", fmt.Sprintf("Entry %d", i), fmt.Sprintf("entry-%d", i), Published, t0.Add(-time.Duration(i+1)*time.Hour)), 0)
		}
		mustSave(t, s, 0, EntryInput{Kind: Article}, tr("en", "Scheduled", "scheduled", Published, t0.Add(30*time.Minute)), 0)
		walk := func() (slugs []string, total int) {
			for page := 1; page <= 10; page++ {
				items, n, err := s.List(ctx, ListFilter{Lang: "en", Kind: Article}, page, 2)
				if err != nil {
					t.Fatal(err)
				}
				total = n
				for _, it := range items {
					slugs = append(slugs, it.Slug)
				}
			}
			return slugs, total
		}
		if slugs, total := walk(); total != 6 || fmt.Sprint(slugs) != "[entry-0 entry-1 entry-2 entry-3 entry-4 entry-5]" {
			t.Fatalf("before its time: %d, %v", total, slugs)
		}
		*now = t0.Add(time.Hour)
		if slugs, total := walk(); total != 7 || fmt.Sprint(slugs) != "[scheduled entry-0 entry-1 entry-2 entry-3 entry-4 entry-5]" {
			t.Fatalf("after its time: %d, %v", total, slugs)
		}
	})
}

// The listing generation (migration 0012) moves with every change that
// can move an entry in a listing, and with nothing else: editing words
// keeps the listings' page bounds.
func TestListingGeneration(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestStore(d)
		generation := func() int64 {
			t.Helper()
			var g int64
			if err := d.QueryRowContext(ctx, `SELECT generation FROM listing_state WHERE id = 1`).Scan(&g); err != nil {
				t.Fatal(err)
			}
			return g
		}
		tag := mustTag(t, s, Tag{Slug: "naloxone"})
		other := mustTag(t, s, Tag{Slug: "prisons"})
		section := mustSection(t, s, Section{Slug: "news"})
		in := EntryInput{Kind: Article, TagIDs: []int64{tag}}
		src := pub("en", "First words", "first")
		last := generation()
		step := func(what string, moves bool, do func()) {
			t.Helper()
			do()
			if g := generation(); (g != last) != moves {
				t.Errorf("%s: generation %d → %d, moved %v, want %v", what, last, g, g != last, moves)
			}
			last = generation()
		}
		var id int64
		step("a new entry", true, func() { id = mustSave(t, s, 0, in, src, 0) })
		step("a new title and body", false, func() {
			src.Title, src.Body = "Second words", "More words"
			mustSave(t, s, id, in, src, 0)
		})
		step("the same tags saved again", false, func() { mustSave(t, s, id, in, src, 0) })
		step("a tag added", true, func() {
			in.TagIDs = []int64{tag, other}
			mustSave(t, s, id, in, src, 0)
		})
		step("a tag taken off", true, func() {
			in.TagIDs = []int64{other}
			mustSave(t, s, id, in, src, 0)
		})
		step("another section", true, func() {
			in.SectionID = section
			mustSave(t, s, id, in, src, 0)
		})
		step("another publication time", true, func() {
			src.PublishAt = src.PublishAt.Add(-time.Minute)
			mustSave(t, s, id, in, src, 0)
		})
		step("archived", true, func() {
			src.Status = Archived
			mustSave(t, s, id, in, src, 0)
		})
		step("a translation", true, func() { mustTranslate(t, s, id, pub("fr", "Premiers mots", "premiers"), 0) })
		step("a translation's words", false, func() { mustTranslate(t, s, id, pub("fr", "Autres mots", "premiers"), 0) })
		// Through the foreign keys: the entry loses its tag and its section.
		step("its tag deleted", true, func() {
			if err := s.DeleteTag(ctx, other); err != nil {
				t.Fatal(err)
			}
		})
		step("its section deleted", true, func() {
			if err := s.DeleteSection(ctx, section); err != nil {
				t.Fatal(err)
			}
		})
		step("the entry deleted", true, func() {
			if _, err := s.DeleteEntry(ctx, id); err != nil {
				t.Fatal(err)
			}
		})
	})
}

// A listing's bounds saved by one store serve another over the same
// database (the static mirror's next export, a new process) with the
// same pages, while they hold: not once a write moved an entry in the
// listing, nor once a scheduled entry's time came.
func TestSavedBounds(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, now := newTestStore(d)
		for i := range 7 {
			mustSave(t, s, 0, EntryInput{Kind: Article}, tr("en", fmt.Sprintf("Entry %d", i), fmt.Sprintf("entry-%d", i), Published, t0.Add(-time.Duration(i+1)*time.Hour)), 0)
		}
		mustSave(t, s, 0, EntryInput{Kind: Article}, tr("en", "Scheduled", "scheduled", Published, t0.Add(30*time.Minute)), 0)
		f := ListFilter{Lang: "en", Kind: Article}
		pages := func(s *Store) string {
			var out []string
			for page := 1; page <= 5; page++ {
				items, total, err := s.List(ctx, f, page, 2)
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range items {
					out = append(out, it.Slug)
				}
				out = append(out, fmt.Sprint(total, "|"))
			}
			return fmt.Sprint(out)
		}
		want := pages(s)
		gen, err := s.ListingGeneration(ctx)
		if err != nil {
			t.Fatal(err)
		}
		saved := s.SavedBounds(gen)
		if len(s.SavedBounds(gen+1)) != 0 {
			t.Error("bounds read at one generation were saved as another's")
		}
		given := func(at time.Time) *Store {
			s2, now2 := newTestStore(d)
			*now2 = at
			if err := s2.AddBounds(saved); err != nil {
				t.Fatal(err)
			}
			return s2
		}
		s2 := given(t0)
		if !KnowsBounds(s2, f, 2) {
			t.Fatal("the saved bounds were not taken")
		}
		if got := pages(s2); got != want {
			t.Errorf("with saved bounds: %s, want %s", got, want)
		}
		// The scheduled entry's time comes: every page shifts.
		*now = t0.Add(time.Hour)
		shifted := pages(s)
		if shifted == want {
			t.Fatal("the scheduled entry moved nothing")
		}
		if got := pages(given(t0.Add(time.Hour))); got != shifted {
			t.Errorf("saved bounds after a scheduled entry's time: %s, want %s", got, shifted)
		}
		// A new entry moves the listing generation.
		*now = t0
		mustSave(t, s, 0, EntryInput{Kind: Article}, tr("en", "Newest", "newest", Published, t0.Add(-time.Minute)), 0)
		if got, fresh := pages(given(t0)), pages(s); got != fresh || got == want {
			t.Errorf("saved bounds after a write: %s, want %s", got, fresh)
		}
		// Bytes cut short are refused, and the store walks its listings.
		s3, _ := newTestStore(d)
		if err := s3.AddBounds(saved[:len(saved)-3]); err == nil {
			t.Error("bounds cut short were read")
		}
		if got := pages(s3); got != pages(s) {
			t.Errorf("after bounds cut short: %s, want %s", got, pages(s))
		}
	})
}

// An entry's place among the visible ones, counted, is its index in
// VisibleIDs, in each language: drafts, scheduled entries and entries
// not in the language have none.
func TestVisiblePlace(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestStore(d)
		var ids []int64
		for i := range 9 {
			status, at, lang := mixedTranslation(i)
			ids = append(ids, mustSave(t, s, 0, EntryInput{Kind: Article}, tr(lang, fmt.Sprintf("Entry %d", i), fmt.Sprintf("entry-%d", i), status, at), 0))
		}
		for _, lang := range []string{"en", "fr"} {
			visible, err := s.VisibleIDs(ctx, lang)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				want, wantOK := slices.BinarySearch(visible, id)
				got, ok, err := s.VisiblePlace(ctx, lang, id)
				if err != nil || ok != wantOK || (ok && got != want) {
					t.Errorf("%s, entry %d: place %d %v %v, want %d %v", lang, id, got, ok, err, want, wantOK)
				}
			}
		}
	})
}

// mixedTranslation is the i-th of a run of entries that are in turn
// published in English an hour apart, drafts, scheduled an hour ahead,
// and published in French.
func mixedTranslation(i int) (Status, time.Time, string) {
	status, at, lang := Published, t0.Add(-time.Duration(i+1)*time.Hour), "en"
	switch i % 4 {
	case 1:
		status = Draft
	case 2:
		at = t0.Add(time.Hour)
	case 3:
		lang = "fr"
	}
	return status, at, lang
}

// The sitemap's entries walked by keyset (SitemapAfter, then SitemapURLs
// from the id before) are VisibleIDs in order, each once, from any place
// and in batches of any size: drafts, scheduled and deleted entries and
// entries not in the language have none; each comes with its visible
// translations only.
func TestSitemapURLsSeekAfterTheKey(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestStore(d)
		var ids []int64
		for i := range 20 {
			status, at, lang := mixedTranslation(i)
			id := mustSave(t, s, 0, EntryInput{Kind: Article}, tr(lang, fmt.Sprintf("Entry %d", i), fmt.Sprintf("entry-%d", i), status, at), 0)
			if i%3 == 0 && lang == "en" {
				// A French translation too, scheduled at every sixth.
				at := t0.Add(-time.Hour)
				if i%2 == 0 {
					at = t0.Add(time.Hour)
				}
				if _, err := s.SaveTranslation(ctx, id, tr("fr", fmt.Sprintf("Entrée %d", i), fmt.Sprintf("entree-%d", i), Published, at), 0); err != nil {
					t.Fatal(err)
				}
			}
			ids = append(ids, id)
		}
		if _, err := s.DeleteEntry(ctx, ids[4]); err != nil {
			t.Fatal(err)
		}
		reach, err := s.Reaches(ctx, `SELECT id FROM entries`)
		if err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"en", "fr"} {
			visible, err := s.VisibleIDs(ctx, lang)
			if err != nil {
				t.Fatal(err)
			}
			if len(visible) < 4 {
				t.Fatalf("%s: %d visible entries, too few", lang, len(visible))
			}
			for place := 0; place <= len(visible)+1; place++ {
				after, err := s.SitemapAfter(ctx, lang, place)
				if err != nil {
					t.Fatal(err)
				}
				for _, batch := range []int{1, 2, 3, 100} {
					var got []int64
					for a := after; ; {
						urls, err := s.SitemapURLs(ctx, lang, a, batch)
						if err != nil {
							t.Fatal(err)
						}
						for _, u := range urls {
							got = append(got, u.EntryID)
							r := reach[u.EntryID]
							if u.Slug != r.Slugs[lang] || !u.Modified.Equal(r.Modified[lang]) || u.Kind != r.Kind || len(u.Alternates) != len(r.Slugs) {
								t.Errorf("%s, entry %d: %+v, want %+v", lang, u.EntryID, u, r)
							}
							for _, alt := range u.Alternates {
								if r.Slugs[alt.Lang] != alt.Slug {
									t.Errorf("%s, entry %d: alternate %v, want %v", lang, u.EntryID, alt, r.Slugs)
								}
							}
						}
						if len(urls) < batch {
							break
						}
						a = urls[len(urls)-1].EntryID
					}
					want := visible[min(place, len(visible)):]
					if !slices.Equal(got, want) {
						t.Errorf("%s from place %d in batches of %d: %v, want %v", lang, place, batch, got, want)
					}
				}
			}
		}
	})
}

// Later pages start after the previous page's last key (a row
// comparison since issue 23): walked page by page, an untranslated
// listing, a tag's and a kind's give every entry once, in order, in the
// reader's language where it is visible there and in its own otherwise;
// ties of publish time are split by entry id; a translation scheduled
// later replaces its source when its time comes; drafts and deleted
// entries are never listed. The same expectations hold on both engines.
func TestLaterPagesSeekAfterTheKey(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, now := newTestStore(d)
		tag, err := s.SaveTag(ctx, Tag{Slug: "seek", Names: map[string]string{"en": "Seek"}})
		if err != nil {
			t.Fatal(err)
		}
		in := EntryInput{Kind: Article, TagIDs: []int64{tag}}
		at := func(h int) time.Time { return t0.Add(-time.Duration(h) * time.Hour) }
		// Two by two at the same publish time: a page ends between them.
		for i := range 6 {
			mustSave(t, s, 0, in, tr("en", fmt.Sprintf("E%d", i), fmt.Sprintf("e%d", i), Published, at(1+i/2)), 0)
		}
		mustSave(t, s, 0, in, tr("fr", "F1", "f1", Published, at(2)), 0)
		mustSave(t, s, 0, in, tr("fr", "F2", "f2", Published, at(5)), 0)
		f3 := mustSave(t, s, 0, in, tr("fr", "F3", "f3", Published, at(4)), 0)
		mustTranslate(t, s, f3, tr("en", "F3 en", "f3-en", Published, t0.Add(30*time.Minute)), 0)
		mustSave(t, s, 0, in, tr("en", "Draft", "draft", Draft, at(1)), 0)
		gone := mustSave(t, s, 0, in, tr("en", "Gone", "gone", Published, at(2)), 0)
		if _, err := s.DeleteEntry(ctx, gone); err != nil {
			t.Fatal(err)
		}
		walk := func(f ListFilter, per int) (slugs []string) {
			for page := 1; page <= 20; page++ {
				items, _, err := s.List(ctx, f, page, per)
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range items {
					slugs = append(slugs, it.Slug)
				}
			}
			return slugs
		}
		untranslated := ListFilter{Lang: "en", IncludeUntranslated: true}
		for _, c := range []struct {
			when string
			f    ListFilter
			want string
		}{
			{"before", untranslated, "[e1 e0 f1 e3 e2 e5 e4 f3 f2]"},
			{"before", ListFilter{Lang: "en", Kind: Article, TagID: tag, IncludeUntranslated: true}, "[e1 e0 f1 e3 e2 e5 e4 f3 f2]"},
			{"before", ListFilter{Lang: "en", Kind: Article}, "[e1 e0 e3 e2 e5 e4]"},
			{"before", ListFilter{Lang: "en", TagID: tag}, "[e1 e0 e3 e2 e5 e4]"},
			{"after", untranslated, "[f3-en e1 e0 f1 e3 e2 e5 e4 f2]"},
			{"after", ListFilter{Lang: "en", Kind: Article, TagID: tag, IncludeUntranslated: true}, "[f3-en e1 e0 f1 e3 e2 e5 e4 f2]"},
			{"after", ListFilter{Lang: "en", TagID: tag}, "[f3-en e1 e0 e3 e2 e5 e4]"},
		} {
			*now = t0
			if c.when == "after" {
				*now = t0.Add(time.Hour)
			}
			for _, per := range []int{1, 2, 3} {
				if got := fmt.Sprint(walk(c.f, per)); got != c.want {
					t.Errorf("%s its time, %+v, %d a page: %s, want %s", c.when, c.f, per, got, c.want)
				}
			}
		}
		// A program's cursor after now reads what is visible now, and
		// nothing scheduled.
		*now = t0
		items, err := s.ListAfter(ctx, ListFilter{Lang: "en", Kind: Article}, &Cursor{At: t0.Add(24 * time.Hour), EntryID: 1 << 40}, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range items {
			got = append(got, it.Slug)
		}
		if fmt.Sprint(got) != "[e1 e0 e3 e2 e5 e4]" {
			t.Errorf("a cursor after now: %v", got)
		}
	})
}

// A feed's texts (LatestTexts: its keys, then its words) are the
// listing's newest entries, in its order, with their bodies: the same
// entries Latest lists, scheduled ones once their time comes, never a
// draft, another language's or a deleted entry.
func TestLatestTextsAreTheListings(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, now := newTestStore(d)
		at := func(h int) time.Time { return t0.Add(-time.Duration(h) * time.Hour) }
		for i := range 5 {
			mustSave(t, s, 0, EntryInput{Kind: Article}, tr("en", fmt.Sprintf("E%d", i), fmt.Sprintf("e%d", i), Published, at(1+i/2)), 0)
		}
		mustSave(t, s, 0, EntryInput{Kind: Article}, tr("fr", "F", "f", Published, at(1)), 0)
		mustSave(t, s, 0, EntryInput{Kind: Article}, tr("en", "Draft", "draft", Draft, at(1)), 0)
		mustSave(t, s, 0, EntryInput{Kind: Article}, tr("en", "Later", "later", Published, t0.Add(30*time.Minute)), 0)
		gone := mustSave(t, s, 0, EntryInput{Kind: Article}, tr("en", "Gone", "gone", Published, at(1)), 0)
		if _, err := s.DeleteEntry(ctx, gone); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			at   time.Time
			want string
		}{
			{t0, "[e1 e0 e3 e2]"},
			{t0.Add(time.Hour), "[later e1 e0 e3]"},
		} {
			*now = c.at
			f := ListFilter{Lang: "en", Kind: Article}
			texts, err := s.LatestTexts(ctx, f, 4)
			if err != nil {
				t.Fatal(err)
			}
			items, err := s.Latest(ctx, f, 4)
			if err != nil {
				t.Fatal(err)
			}
			var got, listed []string
			for i, x := range texts {
				got = append(got, x.Slug)
				if x.Body != "Body of "+x.Title || x.URL() != "/en/articles/"+x.Slug {
					t.Errorf("%s: body %q, URL %s", x.Slug, x.Body, x.URL())
				}
				if i < len(items) && (items[i].EntryID != x.EntryID || !items[i].PublishAt.Equal(x.PublishAt)) {
					t.Errorf("item %d: %+v, listed %+v", i, x, items[i])
				}
			}
			for _, it := range items {
				listed = append(listed, it.Slug)
			}
			if fmt.Sprint(got) != c.want || fmt.Sprint(listed) != c.want {
				t.Errorf("at %s: texts %v, listed %v, want %s", c.at, got, listed, c.want)
			}
		}
	})
}
