package mirror_test

import (
	"cmp"
	"context"
	"encoding/hex"
	"maps"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"testing"
	"time"

	"peerpress/internal/app"
	"peerpress/internal/content"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/demo"
	"peerpress/internal/mirror"
	"peerpress/internal/secret"
)

// BenchmarkExport exports the demo plus 2,000 generated entries (or
// PEERPRESS_BENCH_ENTRIES) in three languages (SQLite), in process: a first export into an empty folder
// (every page and sharing image drawn), and a full export again into the
// same folder (sharing images kept by their ETag, no file written).
// scripts/bench-mirror measures the command on larger sites.
func BenchmarkExport(b *testing.B) {
	d := dbtest.NewSQLite(b)
	ctx := context.Background()
	langs := []string{"en", "ru", "fr"}
	if _, err := demo.Load(ctx, d, langs); err != nil {
		b.Fatal(err)
	}
	entries := 2000
	if s := os.Getenv("PEERPRESS_BENCH_ENTRIES"); s != "" {
		entries, _ = strconv.Atoi(s)
	}
	if err := demo.Generate(ctx, d, entries, langs, nil); err != nil {
		b.Fatal(err)
	}
	if err := d.Optimize(ctx); err != nil {
		b.Fatal(err)
	}
	a, err := app.New(ctx, app.Config{DataDir: b.TempDir(), Languages: langs, TimeZone: "UTC", SiteKey: secret.NewKey(), BaseURL: live}, d)
	if err != nil {
		b.Fatal(err)
	}
	site := a.Mirror()
	if f := os.Getenv("PEERPRESS_BENCH_PEAK_HEAP"); f != "" {
		stop := peakHeap(b, f)
		defer stop()
	}
	b.Run("first", func(b *testing.B) {
		var pages int
		for b.Loop() {
			rep, err := mirror.Export(ctx, site, mirror.Options{Out: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			pages += rep.Rendered
		}
		b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
		b.ReportMetric(float64(pages), "pages")
	})
	b.Run("again", func(b *testing.B) {
		dir := b.TempDir()
		if _, err := mirror.Export(ctx, site, mirror.Options{Out: dir}); err != nil {
			b.Fatal(err)
		}
		var pages int
		for b.Loop() {
			rep, err := mirror.Export(ctx, site, mirror.Options{Out: dir})
			if err != nil {
				b.Fatal(err)
			}
			pages += rep.Rendered
		}
		b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
	})
	// An incremental export after one edit: the newest English entry
	// retitled, as scripts/bench-mirror does.
	b.Run("one-edit", func(b *testing.B) {
		dir := b.TempDir()
		if _, err := mirror.Export(ctx, site, mirror.Options{Out: dir}); err != nil {
			b.Fatal(err)
		}
		var id int64
		if err := d.QueryRowContext(ctx, `SELECT entry_id FROM translations WHERE lang = 'en' AND status = 'published' ORDER BY publish_at DESC, entry_id DESC LIMIT 1`).Scan(&id); err != nil {
			b.Fatal(err)
		}
		e, err := a.Content.Entry(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		tr, _ := e.Translation("en")
		var pages int
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			in := content.TranslationInput{Lang: "en", Title: tr.Title + " " + strconv.Itoa(i), Slug: tr.Slug, Summary: tr.Summary, Body: tr.Body, Status: tr.Status, PublishAt: tr.PublishAt}
			if _, err := a.Content.SaveTranslation(ctx, id, in, 0); err != nil {
				b.Fatal(err)
			}
			time.Sleep(1100 * time.Millisecond) // times are kept in seconds
			b.StartTimer()
			// Labelled, for go tool pprof -tagfocus export=incremental.
			pprof.Do(ctx, pprof.Labels("export", "incremental"), func(ctx context.Context) {
				rep, err := mirror.Export(ctx, site, mirror.Options{Out: dir, Incremental: true})
				if err != nil || !rep.Incremental {
					b.Fatalf("export: %v, incremental %v", err, rep.Incremental)
				}
				pages += rep.Rendered
			})
		}
		b.ReportMetric(float64(pages)/float64(b.N), "pages/op")
	})
}

// BenchmarkSearchIndex builds the mirror's search index of the demo plus
// generated entries (2,000, or PEERPRESS_BENCH_ENTRIES) in English
// (SQLite), then measures what a reader downloads for searches as the
// page's script makes them: the manifest, the term shards of the words
// (within the script's budget) and the files of the first ten results.
// The queries are the indexed words in most entries, whole and by their
// first two letters, alone and in pairs: the worst a reader can ask.
func BenchmarkSearchIndex(b *testing.B) {
	entries := 2000
	if s := os.Getenv("PEERPRESS_BENCH_ENTRIES"); s != "" {
		entries, _ = strconv.Atoi(s)
	}
	d := dbtest.NewSQLite(b)
	ctx := context.Background()
	langs := []string{"en", "ru", "fr"}
	if _, err := demo.Load(ctx, d, langs); err != nil {
		b.Fatal(err)
	}
	if err := demo.Generate(ctx, d, entries, langs, nil); err != nil {
		b.Fatal(err)
	}
	a, err := app.New(ctx, app.Config{DataDir: b.TempDir(), Languages: langs, TimeZone: "UTC", SiteKey: secret.NewKey(), BaseURL: live}, d)
	if err != nil {
		b.Fatal(err)
	}
	site := a.Mirror()
	var files map[string][]byte
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			if files, err = mirror.SearchIndexFiles(ctx, site, "en"); err != nil {
				b.Fatal(err)
			}
		}
	})
	// What an incremental export does after one edit: the newest
	// entry's shards patched.
	b.Run("patch-one-entry", func(b *testing.B) {
		dir := b.TempDir()
		if err := mirror.WriteSearchIndex(ctx, site, dir, "en"); err != nil {
			b.Fatal(err)
		}
		var newest int64
		if err := d.QueryRowContext(ctx, `SELECT MAX(entry_id) FROM translations WHERE lang = 'en'`).Scan(&newest); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if err := mirror.UpdateSearchIndex(ctx, site, dir, "en", []int64{newest}); err != nil {
				b.Fatal(err)
			}
		}
	})
	total, biggest := 0, 0
	for _, f := range files {
		total += len(f)
		biggest = max(biggest, len(f))
	}
	ix := openIndex(b, "en", func(f string) ([]byte, error) { return files["en/search-index/"+f], nil })
	// The most common words: those of the largest shards.
	keys := slices.Collect(maps.Keys(ix.manifest.Shards))
	slices.SortFunc(keys, func(x, y string) int { return cmp.Compare(ix.manifest.Shards[y], ix.manifest.Shards[x]) })
	var queries []string
	for _, k := range keys[:min(8, len(keys))] {
		var shard map[string][]int64
		ix.load("t/"+hex.EncodeToString([]byte(k))+".js", &shard)
		common := slices.SortedFunc(maps.Keys(shard), func(x, y string) int { return cmp.Compare(len(shard[y]), len(shard[x])) })[0]
		queries = append(queries, common, string([]rune(common)[:2]))
	}
	for i, n := 0, len(queries); i+2 < n; i += 2 {
		queries = append(queries, queries[i]+" "+queries[i+2], queries[i+1]+" "+queries[i+3])
	}
	var worst int
	var worstQuery string
	for _, q := range queries {
		one := openIndex(b, "en", ix.get)
		ids := one.search(q)
		one.docs(ids[:min(10, len(ids))])
		if one.read > worst {
			worst, worstQuery = one.read, q
		}
	}
	b.Run("worst-search", func(b *testing.B) {
		for b.Loop() {
			one := openIndex(b, "en", ix.get)
			ids := one.search(worstQuery)
			one.docs(ids[:min(10, len(ids))])
		}
		b.ReportMetric(float64(len(files)), "files")
		b.ReportMetric(float64(total)/1e6, "index-MB")
		b.ReportMetric(float64(biggest)/1e3, "largest-file-KB")
		b.ReportMetric(float64(worst)/1e3, "download-KB")
	})
	b.Logf("%d entries: %d files, %.1f MB; worst of %d searches %q: %.0f KB", entries, len(files), float64(total)/1e6, len(queries), worstQuery, float64(worst)/1e3)
}

// peakHeap writes a heap profile to file whenever the heap in use
// reaches a new high, for what holds the export's memory at its peak.
func peakHeap(b *testing.B, file string) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var peak uint64
		for {
			select {
			case <-done:
				b.Logf("peak heap in use: %d MB (%s)", peak>>20, file)
				return
			case <-time.After(200 * time.Millisecond):
			}
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak+peak/20 {
				peak = m.HeapInuse
				if f, err := os.Create(file); err == nil {
					pprof.WriteHeapProfile(f)
					f.Close()
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}
