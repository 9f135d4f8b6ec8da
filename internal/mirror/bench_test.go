package mirror_test

import (
	"context"
	"testing"

	"peerpress/internal/app"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/demo"
	"peerpress/internal/mirror"
	"peerpress/internal/secret"
)

// BenchmarkExport exports the demo plus 2,000 generated entries in three
// languages (SQLite), in process: a first export into an empty folder
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
	if err := demo.Generate(ctx, d, 2000, langs, nil); err != nil {
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
}
