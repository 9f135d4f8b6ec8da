package search_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/demo"
	"peerpress/internal/search"
)

// benchEntries is the size of the generated site: 5,000 entries by
// default; PEERPRESS_BENCH_ENTRIES=100000 for the budget's size (slow to
// generate).
func benchEntries(b *testing.B) int {
	if s := os.Getenv("PEERPRESS_BENCH_ENTRIES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return 5000
}

func benchSearcher(b *testing.B, d *db.DB) *search.Searcher {
	return benchSearcherOf(b, d, benchEntries(b))
}

func benchSearcherOf(b *testing.B, d *db.DB, entries int) *search.Searcher {
	b.Helper()
	if err := demo.Generate(context.Background(), d, entries, []string{"en", "ru", "fr"}, nil); err != nil {
		b.Fatal(err)
	}
	if err := d.Optimize(context.Background()); err != nil {
		b.Fatal(err)
	}
	return search.NewSearcher(d)
}

// benchQueries are searches a reader might make of the generated site: a
// word most entries hold (the ranking cap works), a rarer pair, an
// inflected Russian word, a filtered search and a word found nowhere.
var benchQueries = []search.Query{
	{Text: "naloxone"},
	{Text: "stigma police"},
	{Text: "наркотики"},
	{Text: "drogues santé", Kind: "article", Year: 2020},
	{Text: "zzyzxq"},
}

func runSearches(b *testing.B, s *search.Searcher) {
	ctx := context.Background()
	for _, q := range benchQueries {
		q.Langs, q.ReaderLang = []string{"en", "ru", "fr"}, "en"
		b.Run(q.Text, func(b *testing.B) {
			b.ReportAllocs()
			var took []time.Duration
			cpu := cpuTime()
			for b.Loop() {
				start := time.Now()
				if _, err := s.Search(ctx, q, 1, search.PerPage); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			// On a shared machine wall times include waiting for a core;
			// the process's CPU time per search does not.
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(len(took)), "cpu-ms/op")
			reportPercentiles(b, took)
		})
	}
}

func BenchmarkSearchSQLite(b *testing.B) {
	runSearches(b, benchSearcher(b, dbtest.NewSQLite(b)))
}

func BenchmarkSearchPostgres(b *testing.B) {
	runSearches(b, benchSearcher(b, dbtest.NewPostgres(b)))
}

// The search of issue 23's memory budget: a word most entries hold, at
// 10,000 entries (PEERPRESS_BENCH_ENTRIES for another size), page 1 and
// page 3 with their snippets. B/op is what one search allocates; under
// 50 at once, what each holds at a time is what resident memory grows by.
func benchCommonWord(b *testing.B, d *db.DB) {
	entries := 10_000
	if os.Getenv("PEERPRESS_BENCH_ENTRIES") != "" {
		entries = benchEntries(b)
	}
	s := benchSearcherOf(b, d, entries)
	ctx := context.Background()
	q := search.Query{Text: "naloxone", Langs: []string{"en", "ru", "fr"}, ReaderLang: "en"}
	for _, page := range []int{1, 3} {
		b.Run("page"+strconv.Itoa(page), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res, err := s.Search(ctx, q, page, search.PerPage)
				if err != nil || len(res.Hits) != search.PerPage || !res.More {
					b.Fatalf("%d hits, more %v, %v", len(res.Hits), res.More, err)
				}
			}
		})
	}
}

func BenchmarkSearchCommonWordSQLite(b *testing.B) { benchCommonWord(b, dbtest.NewSQLite(b)) }

func BenchmarkSearchCommonWordPostgres(b *testing.B) { benchCommonWord(b, dbtest.NewPostgres(b)) }

// reportPercentiles adds the p50 and p95 of the searches' times, which
// the budget is about, to the benchmark's mean.
func reportPercentiles(b *testing.B, took []time.Duration) {
	if len(took) == 0 {
		return
	}
	slices.Sort(took)
	at := func(p float64) float64 {
		return float64(took[min(len(took)-1, int(p*float64(len(took))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSearchExisting searches a site generated beforehand, such as
// the one scripts/bench leaves in PostgreSQL:
//
//	PEERPRESS_BENCH_DATABASE='postgres://postgres@127.0.0.1:5432/peerpress_bench?sslmode=disable' \
//	  go test -run X -bench SearchExisting -benchtime 100x ./internal/search/
func BenchmarkSearchExisting(b *testing.B) {
	url := os.Getenv("PEERPRESS_BENCH_DATABASE")
	if url == "" {
		b.Skip("PEERPRESS_BENCH_DATABASE is not set")
	}
	d, err := db.Open(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	runSearches(b, search.NewSearcher(d))
}
