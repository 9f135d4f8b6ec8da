package content

import (
	"context"
	"fmt"
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
		s := NewStore(d)
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
		for _, per := range []int{1, 4, 5, 10, 50} {
			got := walk(per)
			if len(got) != n {
				t.Fatalf("per %d: walked %d entries of %d", per, len(got), n)
			}
			seen := map[string]bool{}
			for _, slug := range got {
				if seen[slug] {
					t.Fatalf("per %d: %s twice", per, slug)
				}
				seen[slug] = true
			}
			if ref := walk(n); fmt.Sprint(ref) != fmt.Sprint(got) {
				t.Fatalf("per %d: order differs from one page", per)
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
