package content

import (
	"context"
	"strings"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// The home page's newest entries are kept between requests, so that a
// cold home page sends no statement for them (issue 23), yet each change
// shows on the next request: a new entry, an edited title, one
// unpublished, and a scheduled one at its time, which no write announces.
func TestLatestKeptUntilAWriteOrAPublishTime(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, now := newTestStore(d)
		f := ListFilter{Lang: "en", ExcludeArchived: true}
		titles := func() string {
			t.Helper()
			items, err := s.Latest(ctx, f, 8)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, it := range items {
				out = append(out, it.Title)
			}
			return strings.Join(out, ", ")
		}
		first := mustSave(t, s, 0, EntryInput{Kind: Article}, pub("en", "First", "first"), 0)
		mustSave(t, s, 0, EntryInput{Kind: Article}, tr("en", "Later", "later", Scheduled, t0.Add(time.Hour)), 0)
		if got := titles(); got != "First" {
			t.Fatalf("latest = %q, want First", got)
		}
		cctx, st := db.CountStatements(ctx)
		items, err := s.Latest(cctx, f, 8)
		if err != nil || len(items) != 1 {
			t.Fatal(items, err)
		}
		if n := len(st.Texts()); n != 0 {
			t.Errorf("latest read again with no write: %d statements, want 0:\n%s", n, strings.Join(st.Texts(), "\n---\n"))
		}
		// A caller's changes to its copy are its own.
		items[0].Title, items[0].LangName = "Changed by a caller", "x"
		if got := titles(); got != "First" {
			t.Errorf("latest after a caller changed its copy = %q", got)
		}

		mustSave(t, s, 0, EntryInput{Kind: Article}, tr("en", "Second", "second", Published, t0.Add(-time.Minute)), 0)
		if got := titles(); got != "Second, First" {
			t.Errorf("after a new entry: %q, want Second, First", got)
		}
		mustSave(t, s, first, EntryInput{Kind: Article}, pub("en", "First, edited", "first"), 0)
		if got := titles(); got != "Second, First, edited" {
			t.Errorf("after an edit: %q", got)
		}
		mustSave(t, s, first, EntryInput{Kind: Article}, tr("en", "First, edited", "first", Draft, t0.Add(-time.Hour)), 0)
		if got := titles(); got != "Second" {
			t.Errorf("after unpublishing: %q, want Second", got)
		}
		// Its time comes: listed, with no write in between.
		*now = t0.Add(time.Hour)
		if got := titles(); got != "Later, Second" {
			t.Errorf("at the scheduled time: %q, want Later, Second", got)
		}
	})
}
