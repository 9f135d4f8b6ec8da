package content_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// benchListingEntries is the size of the generated site: 10,000 entries
// by default; PEERPRESS_BENCH_ENTRIES=100000 for the budget's size (slow
// to generate).
func benchListingEntries(b *testing.B) int {
	if s := os.Getenv("PEERPRESS_BENCH_ENTRIES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return 10_000
}

// benchListings times each listing's queries on a generated site: page 1
// (what a listing page and a feed read), page 3, a deep page (a seek from
// the page's bound) and the scan of the listing's bounds, which runs once
// per listing after each write that can move an entry in a listing.
func benchListings(b *testing.B, d *db.DB) {
	ctx := context.Background()
	generatedSite(b, d, benchListingEntries(b))
	if err := d.Optimize(ctx); err != nil {
		b.Fatal(err)
	}
	s := content.NewStore(d, unindexed{})
	sec, err := s.SectionBySlug(ctx, "news")
	if err != nil {
		b.Fatal(err)
	}
	tag, err := s.TagBySlug(ctx, "naloxone")
	if err != nil {
		b.Fatal(err)
	}
	const perPage = 10
	for _, l := range []struct {
		name string
		f    content.ListFilter
	}{
		{"all", content.ListFilter{Lang: "en"}},
		{"kind", content.ListFilter{Lang: "en", Kind: content.Article}},
		{"section", content.ListFilter{Lang: "en", SectionID: sec.ID}},
		{"tag", content.ListFilter{Lang: "en", TagID: tag.ID}},
	} {
		_, total, err := s.List(ctx, l.f, 1, perPage)
		if err != nil {
			b.Fatal(err)
		}
		deep := max(1, (total+perPage-1)/perPage*9/10)
		for _, p := range []struct {
			name string
			page int
		}{{"page1", 1}, {"page3", 3}, {"deep", deep}} {
			b.Run(l.name+"/"+p.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					items, _, err := s.List(ctx, l.f, p.page, perPage)
					if err != nil || len(items) == 0 {
						b.Fatalf("page %d: %d items, %v", p.page, len(items), err)
					}
				}
			})
		}
		b.Run(l.name+"/bounds", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n, err := content.ScanBounds(ctx, s, l.f, perPage)
				if err != nil || n != total {
					b.Fatalf("bounds: %d of %d, %v", n, total, err)
				}
			}
		})
		b.Run(l.name+"/feed", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if items, err := s.Latest(ctx, l.f, 20); err != nil || len(items) == 0 {
					b.Fatalf("feed: %d items, %v", len(items), err)
				}
			}
		})
	}
}

func BenchmarkListingSQLite(b *testing.B) { benchListings(b, dbtest.NewSQLite(b)) }

func BenchmarkListingPostgres(b *testing.B) { benchListings(b, dbtest.NewPostgres(b)) }
