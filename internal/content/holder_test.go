package content

import (
	"context"
	"errors"
	"slices"
	"testing"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// holder keeps media for the entry it is asked about, or fails.
type holder struct {
	media []int64
	err   error
	asked []int64
}

func (h *holder) EntryMedia(ctx context.Context, tx *db.Tx, entryID int64) ([]int64, error) {
	h.asked = append(h.asked, entryID)
	return h.media, h.err
}

// A deleted entry's unused media include what holders keep for it, once
// each; media another entry still uses are not among them; a holder that
// fails keeps the entry.
func TestDeleteEntryHolders(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestStore(d)
		id := mustSave(t, s, 0, article, pub("en", "Campaign", "campaign"), 0)
		other := mustSave(t, s, 0, article, pub("en", "Other", "other"), 0)
		held := addMedia(t, d, "2025/03/AAAAAAAAAAAAAAAAAAAAAA.jpg", "image/jpeg", 10)
		shared := addMedia(t, d, "2025/03/BBBBBBBBBBBBBBBBBBBBBB.jpg", "image/jpeg", 10)
		featured := addMedia(t, d, "2025/03/CCCCCCCCCCCCCCCCCCCCCC.jpg", "image/jpeg", 10)
		if _, err := s.SetFeaturedMedia(ctx, other, shared); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetFeaturedMedia(ctx, id, featured); err != nil {
			t.Fatal(err)
		}

		boom := errors.New("holder failed")
		s.SetMediaHolders(&holder{err: boom})
		if _, err := s.DeleteEntry(ctx, id); !errors.Is(err, boom) {
			t.Fatalf("DeleteEntry with a failing holder: %v, want %v", err, boom)
		}
		if _, err := s.Entry(ctx, id); err != nil {
			t.Fatalf("the entry went though a holder failed: %v", err)
		}

		h := &holder{media: []int64{held, shared, held}}
		s.SetMediaHolders(h)
		orphans, err := s.DeleteEntry(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := []int64{held, featured}
		slices.Sort(want)
		if !slices.Equal(orphans, want) {
			t.Fatalf("orphans %v, want %v (held and featured, not the shared image)", orphans, want)
		}
		if !slices.Equal(h.asked, []int64{id}) {
			t.Fatalf("holder asked about %v, want [%d]", h.asked, id)
		}
	})
}

// noIndex stands in for the search index in this package's tests, which
// cannot import search (it imports content).
type noIndex struct{}

func (noIndex) IndexTranslation(context.Context, *db.Tx, Translation) error { return nil }
