package search_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/search"
)

var allLangs = []string{"en", "ru", "fr", "es", "hi", "ar"}

// fixture is a content store that indexes what it saves, and a searcher.
type fixture struct {
	t     *testing.T
	d     *db.DB
	store *content.Store
	s     *search.Searcher
	n     int
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	store := content.NewStore(d, search.Index{})
	return &fixture{t: t, d: d, store: store, s: search.NewSearcher(d)}
}

// entry is one translation to save: kind, language, title, body.
type entry struct {
	kind      content.Kind
	lang      string
	title     string
	summary   string
	body      string
	section   int64
	published time.Time // zero: an hour ago
	status    content.Status
}

// add saves e as a new entry and returns its id and slug.
func (f *fixture) add(e entry) (int64, string) {
	f.t.Helper()
	f.n++
	if e.kind == "" {
		e.kind = content.Article
	}
	if e.published.IsZero() {
		e.published = time.Now().Add(-time.Hour).Add(time.Duration(f.n) * time.Second)
	}
	if e.status == "" {
		e.status = content.Published
	}
	slug := fmt.Sprintf("entry-%d", f.n)
	id, err := f.store.SaveEntry(context.Background(), 0, content.EntryInput{Kind: e.kind, SectionID: e.section},
		content.TranslationInput{Lang: e.lang, Title: e.title, Slug: slug, Summary: e.summary, Body: e.body, Status: e.status, PublishAt: e.published}, 0)
	if err != nil {
		f.t.Fatalf("save %q: %v", e.title, err)
	}
	return id, slug
}

// find runs q in every language and returns the results' slugs, best first.
func (f *fixture) find(q search.Query) []string {
	f.t.Helper()
	if q.Langs == nil {
		q.Langs = allLangs
	}
	res, err := f.s.Search(context.Background(), q, 1, 50)
	if err != nil {
		f.t.Fatalf("search %q: %v", q.Text, err)
	}
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.URL[strings.LastIndex(h.URL, "/")+1:])
	}
	return out
}

func (f *fixture) mustFind(text string, want ...string) {
	f.t.Helper()
	got := f.find(search.Query{Text: text, ReaderLang: "en"})
	if !slices.Equal(got, want) {
		f.t.Errorf("search %q: got %v, want %v", text, got, want)
	}
}

// Inflected and accented forms find each other in their own language, and
// only there.
func TestStemmingAndFoldingPerLanguage(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		_, ru := f.add(entry{lang: "ru", title: "Доступ к лечению", body: "Люди, употребляющие наркотиков, имеют право на помощь."})
		_, fr := f.add(entry{lang: "fr", title: "Politique de la drogue", body: "Une politique fondée sur les droits."})
		_, es := f.add(entry{lang: "es", title: "Guía de prevención", body: "Cuidado entre pares."})
		_, en := f.add(entry{lang: "en", title: "Harm reduction services", body: "Outreach workers visit every week."})
		_, hi := f.add(entry{lang: "hi", title: "समुदाय की आवाज़", body: "स्वास्थ्य सेवाओं तक पहुँच"})
		_, ar := f.add(entry{lang: "ar", title: "الحد من الأضرار", body: "خدمات صحية للمجتمع"})
		_, ruYo := f.add(entry{lang: "ru", title: "Всё о снижении вреда", body: "Ещё один материал."})

		f.mustFind("наркотики", ru)
		f.mustFind("drogues", fr)
		f.mustFind("prevencion", es)
		f.mustFind("PREVENCIÓN", es)
		f.mustFind("service", en)
		f.mustFind("visiting worker", en)
		f.mustFind("आवाज़", hi)
		f.mustFind("الأَضْرار", ar) // with tashkeel, found without
		f.mustFind("еще", ruYo)     // ё typed as е
		// Words match in their own language only: English "drug" stems are
		// not French rows.
		f.mustFind("services droits")
		f.mustFind("naloxone")
	})
}

// A title match ranks above a match in the body alone, even when the body
// match is newer; the reader's language comes first among equals.
func TestRankingTitleFirst(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		_, title := f.add(entry{lang: "en", title: "Naloxone saves lives", body: "Carry it."})
		_, summary := f.add(entry{lang: "en", title: "Peer work", summary: "Naloxone in every kit.", body: "Kits."})
		_, body := f.add(entry{lang: "en", title: "Weekly news", body: "We handed out naloxone."})
		_, fr := f.add(entry{lang: "fr", title: "Naloxone pour tous", body: "Distribution."})
		f.mustFind("naloxone", title, fr, summary, body)
		got := f.find(search.Query{Text: "naloxone", ReaderLang: "fr"})
		if want := []string{fr, title, summary, body}; !slices.Equal(got, want) {
			t.Errorf("reader in French: got %v, want %v", got, want)
		}
	})
}

// Snippets show the passage with the words, marked, and the text escaped.
func TestSnippetsHighlightAndEscape(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.add(entry{lang: "en", title: "Outreach <b>notes</b>",
			body: "Opening words that say nothing much at all, padding the start of the text so the snippet must skip it. " +
				"Then: <script>alert(1)</script> our outreach workers carry naloxone & test strips."})
		res, err := f.s.Search(context.Background(), search.Query{Text: "naloxone outreach", Langs: allLangs, ReaderLang: "en"}, 1, 10)
		if err != nil || len(res.Hits) != 1 {
			t.Fatalf("got %+v, %v", res, err)
		}
		h := res.Hits[0]
		for _, want := range []string{"<mark>naloxone</mark>", "<mark>outreach</mark>", "&amp; test strips", "…"} {
			if !strings.Contains(string(h.Snippet), want) {
				t.Errorf("snippet lacks %q: %s", want, h.Snippet)
			}
		}
		if strings.Contains(string(h.Snippet), "<script") || strings.Contains(string(h.Snippet), "Opening words") {
			t.Errorf("snippet not escaped or not at the match: %s", h.Snippet)
		}
		if want := "<mark>Outreach</mark> &lt;b&gt;notes&lt;/b&gt;"; string(h.Title) != want {
			t.Errorf("title %q, want %q", h.Title, want)
		}
	})
}

// A long body is found by a word far into it, but its snippet is looked
// for only near its start: showing a result costs the same whatever the
// length of its body.
func TestSnippetOfALongBody(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.add(entry{lang: "en", title: "Annual report", summary: "What the network did this year.",
			body: strings.Repeat("Clinics opened and closed across the region. ", 500) + "Peers carried naloxone."})
		res, err := f.s.Search(context.Background(), search.Query{Text: "naloxone", Langs: allLangs, ReaderLang: "en"}, 1, 10)
		if err != nil || len(res.Hits) != 1 {
			t.Fatalf("got %+v, %v", res, err)
		}
		if got := string(res.Hits[0].Snippet); got != "What the network did this year." {
			t.Errorf("snippet %q, want the summary", got)
		}
	})
}

// Kind, section, language and year narrow the results.
func TestFilters(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		var section int64
		if err := d.InTx(ctx, func(tx *db.Tx) error {
			return tx.QueryRowContext(ctx, `INSERT INTO sections (slug, position) VALUES ('policy', 1) RETURNING id`).Scan(&section)
		}); err != nil {
			t.Fatal(err)
		}
		old := time.Date(2021, 6, 1, 12, 0, 0, 0, time.UTC)
		_, article := f.add(entry{lang: "en", title: "Prison health report", published: old})
		_, statement := f.add(entry{kind: content.Statement, lang: "en", title: "Prison health now", section: section})
		_, fr := f.add(entry{lang: "fr", title: "Santé en prison", section: section})

		q := search.Query{Text: "prison", ReaderLang: "en"}
		if got := f.find(q); len(got) != 3 {
			t.Fatalf("no filter: got %v", got)
		}
		q.Kind = content.Statement
		if got := f.find(q); !slices.Equal(got, []string{statement}) {
			t.Errorf("kind: got %v", got)
		}
		q.Kind, q.SectionID = "", section
		if got := f.find(q); !slices.Equal(got, []string{statement, fr}) {
			t.Errorf("section: got %v", got)
		}
		q.SectionID, q.Langs = 0, []string{"fr"}
		if got := f.find(q); !slices.Equal(got, []string{fr}) {
			t.Errorf("language: got %v", got)
		}
		q.Langs, q.Year = nil, 2021
		if got := f.find(q); !slices.Equal(got, []string{article}) {
			t.Errorf("year: got %v", got)
		}
		q.Kind = content.Article
		if got := f.find(q); !slices.Equal(got, []string{article}) {
			t.Errorf("kind and year: got %v", got)
		}
		q.Kind = content.Statement
		if got := f.find(q); len(got) != 0 {
			t.Errorf("statements of 2021: got %v", got)
		}
		// A year in the site's zone: published 1 January 2022 at 01:00 in
		// Moscow is 2021 in UTC, and 2022 for the reader.
		msk := time.FixedZone("MSK", 3*3600)
		_, newYear := f.add(entry{lang: "en", title: "Prison visits resume", published: time.Date(2022, 1, 1, 1, 0, 0, 0, msk)})
		if got := f.find(search.Query{Text: "prison", Year: 2022, Zone: msk}); !slices.Equal(got, []string{newYear}) {
			t.Errorf("year in the site's zone: got %v", got)
		}
		if got := f.find(search.Query{Text: "prison", Year: 2021, Kind: content.Article, Zone: msk}); !slices.Equal(got, []string{article}) {
			t.Errorf("2021 in the site's zone: got %v", got)
		}
		// West of UTC the other way round: 03:00 UTC on 1 January 2023 is
		// still 2022 in New York, and the same entry is 2023 for a site
		// kept in UTC. The zone is the site's setting, so the index must
		// serve either without re-indexing.
		ny := time.FixedZone("EST", -5*3600)
		_, lateNight := f.add(entry{lang: "en", title: "Prison vigil at midnight", published: time.Date(2023, 1, 1, 3, 0, 0, 0, time.UTC)})
		if got := f.find(search.Query{Text: "vigil", Year: 2022, Zone: ny}); !slices.Equal(got, []string{lateNight}) {
			t.Errorf("2022 in New York: got %v", got)
		}
		if got := f.find(search.Query{Text: "vigil", Year: 2023, Zone: ny}); len(got) != 0 {
			t.Errorf("2023 in New York: got %v", got)
		}
		if got := f.find(search.Query{Text: "vigil", Year: 2023}); !slices.Equal(got, []string{lateNight}) {
			t.Errorf("2023 in UTC: got %v", got)
		}
	})
}

// Results come in pages that together hold every result once.
func TestPaging(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		for i := range 23 {
			f.add(entry{lang: "en", title: fmt.Sprintf("Community meeting %d", i)})
		}
		seen := map[string]bool{}
		for page := 1; page <= 3; page++ {
			res, err := f.s.Search(context.Background(), search.Query{Text: "meetings", Langs: allLangs}, page, 10)
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != 23 || res.More {
				t.Fatalf("total %d more %v, want 23", res.Total, res.More)
			}
			if want := min(10, 23-(page-1)*10); len(res.Hits) != want {
				t.Fatalf("page %d: %d hits, want %d", page, len(res.Hits), want)
			}
			for _, h := range res.Hits {
				if seen[h.URL] {
					t.Fatalf("page %d repeats %s", page, h.URL)
				}
				seen[h.URL] = true
			}
		}
	})
}

// What editors do shows in the results at once: an edit, unpublishing,
// publishing, a schedule, a deletion.
func TestResultsFollowWrites(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		id, slug := f.add(entry{lang: "en", title: "Needle exchange hours", body: "Open on Mondays."})
		f.mustFind("monday", slug)

		save := func(title, body string, status content.Status, at time.Time) {
			t.Helper()
			if _, err := f.store.SaveTranslation(ctx, id, content.TranslationInput{Lang: "en", Title: title, Slug: slug, Body: body, Status: status, PublishAt: at}, 0); err != nil {
				t.Fatal(err)
			}
		}
		hourAgo := time.Now().Add(-time.Hour)
		save("Needle exchange hours", "Open on Tuesdays.", content.Published, hourAgo)
		f.mustFind("monday")
		f.mustFind("tuesday", slug)

		save("Needle exchange hours", "Open on Tuesdays.", content.Draft, hourAgo)
		f.mustFind("tuesday")
		save("Needle exchange hours", "Open on Tuesdays.", content.Published, time.Now().Add(time.Hour))
		f.mustFind("tuesday") // scheduled: not yet
		save("Needle exchange hours", "Open on Tuesdays.", content.Published, hourAgo)
		f.mustFind("tuesday", slug)

		// A Russian translation is found in Russian.
		if _, err := f.store.SaveTranslation(ctx, id, content.TranslationInput{Lang: "ru", Title: "Часы обмена шприцев", Slug: slug, Body: "По вторникам.", Status: content.Published, PublishAt: hourAgo}, 0); err != nil {
			t.Fatal(err)
		}
		f.mustFind("шприцы", slug)

		// Moving the entry to another kind and section moves every
		// translation in the filters.
		var section int64
		if err := d.InTx(ctx, func(tx *db.Tx) error {
			return tx.QueryRowContext(ctx, `INSERT INTO sections (slug, position) VALUES ('services', 1) RETURNING id`).Scan(&section)
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.SaveEntry(ctx, id, content.EntryInput{Kind: content.Statement, SectionID: section},
			content.TranslationInput{Lang: "en", Title: "Needle exchange hours", Slug: slug, Body: "Open on Tuesdays.", Status: content.Published, PublishAt: hourAgo}, 0); err != nil {
			t.Fatal(err)
		}
		if got := f.find(search.Query{Text: "шприцы", Kind: content.Statement, SectionID: section}); !slices.Equal(got, []string{slug}) {
			t.Errorf("after a change of kind and section: got %v", got)
		}
		if got := f.find(search.Query{Text: "шприцы", Kind: content.Article}); len(got) != 0 {
			t.Errorf("still found as an article: %v", got)
		}

		if _, err := f.store.DeleteEntry(ctx, id); err != nil {
			t.Fatal(err)
		}
		f.mustFind("tuesday")
		f.mustFind("шприцы")
		var left int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_docs`).Scan(&left); err != nil || left != 0 {
			t.Fatalf("index rows left after delete: %d, %v", left, err)
		}
		// A new entry reusing the deleted rows' ids is found for its own
		// words only (SQLite reuses the largest rowid).
		_, again := f.add(entry{lang: "en", title: "Drop-in centre"})
		f.mustFind("tuesday")
		f.mustFind("centre", again)
	})
}

// unindexed saves without indexing, as peerpress did before search.
type unindexed struct{}

func (unindexed) IndexTranslation(context.Context, *db.Tx, content.Translation) error { return nil }

// Backfill indexes what was written without the index, once.
func TestBackfill(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.store = content.NewStore(d, unindexed{}) // as before search existed
		_, slug := f.add(entry{lang: "es", title: "Reducción de daños"})
		f.mustFind("daños")
		ctx := context.Background()
		if n, err := search.Backfill(ctx, d); err != nil || n != 1 {
			t.Fatalf("backfill: %d, %v", n, err)
		}
		f.mustFind("danos", slug)
		if n, err := search.Backfill(ctx, d); err != nil || n != 0 {
			t.Fatalf("second backfill: %d, %v", n, err)
		}
		// An index emptied (as migration 0010 did) is filled again,
		// though the last backfill finished.
		if _, err := d.ExecContext(ctx, `DELETE FROM search_docs`); err != nil {
			t.Fatal(err)
		}
		f.mustFind("danos")
		if n, err := search.Backfill(ctx, d); err != nil || n != 1 {
			t.Fatalf("backfill of an emptied index: %d, %v", n, err)
		}
		f.mustFind("danos", slug)
	})
}

// A backfill cut short (the instance stopped midway) is taken up at the
// next start: what says the index is whole is written only at its end.
func TestBackfillCutShort(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.store = content.NewStore(d, unindexed{})
		_, first := f.add(entry{lang: "en", title: "Naloxone training"})
		_, second := f.add(entry{lang: "en", title: "Syringe distribution"})
		ctx := context.Background()
		if n, err := search.Backfill(ctx, d); err != nil || n != 2 {
			t.Fatalf("backfill: %d, %v", n, err)
		}
		// As a backfill stopped after its first batch leaves it: the
		// first translation indexed, the second not, and nothing said.
		if _, err := d.ExecContext(ctx, `DELETE FROM settings WHERE key = 'search_backfilled'`); err != nil {
			t.Fatal(err)
		}
		if _, err := d.ExecContext(ctx, `DELETE FROM search_docs WHERE translation_id = (SELECT MAX(id) FROM translations)`); err != nil {
			t.Fatal(err)
		}
		f.mustFind("syringe")
		if n, err := search.Backfill(ctx, d); err != nil || n != 1 {
			t.Fatalf("backfill taken up: %d, %v", n, err)
		}
		f.mustFind("naloxone", first)
		f.mustFind("syringe", second)
	})
}

// A query of punctuation alone has nothing to search for.
func TestNoWords(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		_, err := f.s.Search(context.Background(), search.Query{Text: `"*" -- !!`, Langs: allLangs}, 1, 10)
		if err != search.ErrNoWords {
			t.Fatalf("got %v, want ErrNoWords", err)
		}
		// Query syntax of either engine is only text here.
		_, slug := f.add(entry{lang: "en", title: "Rights and dignity"})
		f.mustFind(`"rights" (dignity*) {: ^`, slug)
		f.mustFind(`rights OR dignity`) // no operators: "or" is a word too
	})
}

// With more matches than are ranked, an older entry matching in its title
// still comes first, ahead of the newest matches in bodies; the reader is
// told there are more.
func TestRankingBeyondTheCap(t *testing.T) {
	if testing.Short() {
		t.Skip("saves hundreds of entries")
	}
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		_, old := f.add(entry{lang: "en", title: "Hepatitis C treatment for everyone", published: time.Now().Add(-48 * time.Hour)})
		for i := range search.MaxResults + 5 {
			f.add(entry{lang: "en", title: fmt.Sprintf("Weekly note %d", i), body: "Clinics offer hepatitis testing."})
		}
		res, err := f.s.Search(context.Background(), search.Query{Text: "hepatitis", Langs: allLangs, ReaderLang: "en"}, 1, 10)
		if err != nil {
			t.Fatal(err)
		}
		if !res.More || res.Total != search.MaxResults {
			t.Errorf("total %d, more %v: want %d and more", res.Total, res.More, search.MaxResults)
		}
		if len(res.Hits) == 0 || !strings.HasSuffix(res.Hits[0].URL, "/"+old) {
			t.Errorf("first hit %v, want the title match %s", res.Hits, old)
		}
	})
}

// On PostgreSQL, housekeeping creates the partition of the index that the
// next translations go into before a save has to: a save that creates one
// keeps searches waiting until it commits.
func TestNextPartitionMadeAhead(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		if d.Engine != db.Postgres {
			if err := search.AddNextPartition(ctx, d); err != nil { // one table, nothing to make
				t.Fatal(err)
			}
			return
		}
		size := search.PartitionSize()
		var newest int64
		for newest%size < size*9/10 {
			f.add(entry{lang: "en", title: "Outreach update"})
			if err := d.QueryRowContext(ctx, `SELECT MAX(id) FROM translations`).Scan(&newest); err != nil {
				t.Fatal(err)
			}
		}
		next := newest + size/10
		if search.HasPartitionFor(ctx, d, next) {
			t.Fatalf("partition for id %d exists before housekeeping", next)
		}
		if err := search.AddNextPartition(ctx, d); err != nil {
			t.Fatal(err)
		}
		if !search.HasPartitionFor(ctx, d, next) {
			t.Fatalf("no partition for id %d after housekeeping", next)
		}
		if err := search.AddNextPartition(ctx, d); err != nil { // again: nothing to do
			t.Fatal(err)
		}
		_, slug := f.add(entry{lang: "en", title: "Outreach after the new range"})
		if got := f.find(search.Query{Text: "outreach"}); !slices.Contains(got, slug) {
			t.Errorf("entry saved into the new range not found: %v", got)
		}
	})
}
