package content

import (
	"context"
	"strings"
	"testing"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// An entry read by slug is kept until the next write, so that a cold
// entry page sends no statement for it (issue 23), yet the next read
// after an edit, a new tag or a new translation shows it, and what a
// caller changes of its copy stays its own.
func TestBySlugKeptUntilAWrite(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestStore(d)
		in := EntryInput{Kind: Article}
		id := mustSave(t, s, 0, in, pub("en", "Outreach", "outreach"), 0)
		if _, err := s.BySlug(ctx, "en", "outreach"); err != nil {
			t.Fatal(err)
		}
		cctx, st := db.CountStatements(ctx)
		e, err := s.BySlug(cctx, "en", "outreach")
		if err != nil {
			t.Fatal(err)
		}
		if n := len(st.Texts()); n != 0 {
			t.Errorf("read again with no write: %d statements, want 0:\n%s", n, strings.Join(st.Texts(), "\n---\n"))
		}
		e.Translations[0].Title, e.TagIDs = "Changed by a caller", append(e.TagIDs, 99)
		if e, _ := s.BySlug(ctx, "en", "outreach"); e.Translations[0].Title != "Outreach" || len(e.TagIDs) != 0 {
			t.Errorf("a caller's change leaked: %+v", e)
		}

		in.TagIDs = []int64{mustTag(t, s, Tag{Slug: "naloxone", Names: map[string]string{"en": "Naloxone"}})}
		mustSave(t, s, id, in, pub("en", "Outreach, edited", "outreach"), 0)
		e, err = s.BySlug(ctx, "en", "outreach")
		if err != nil || e.Translations[0].Title != "Outreach, edited" || len(e.TagIDs) != 1 {
			t.Errorf("after an edit: %+v (%v)", e, err)
		}
		mustTranslate(t, s, id, pub("ru", "Аутрич", "autrich"), 0)
		if e, err := s.BySlug(ctx, "en", "outreach"); err != nil || len(e.Translations) != 2 {
			t.Errorf("after a translation: %+v (%v)", e, err)
		}

		// A long entry is not kept: the cache's memory stays bounded.
		long := pub("en", "Annual report", "annual-report")
		long.Body = strings.Repeat("A long report. ", maxKeptEntryBytes/15+1)
		mustSave(t, s, 0, EntryInput{Kind: Publication}, long, 0)
		for range 2 {
			cctx, st := db.CountStatements(ctx)
			if _, err := s.BySlug(cctx, "en", "annual-report"); err != nil {
				t.Fatal(err)
			}
			if len(st.Texts()) == 0 {
				t.Error("a long entry was kept")
			}
		}
	})
}
