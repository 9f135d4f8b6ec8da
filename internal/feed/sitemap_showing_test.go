package feed

import (
	"context"
	"encoding/xml"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/web"
)

// An edit changes the sitemap parts SitemapsShowing names and no other:
// the static mirror renders only those again, so a part it leaves would
// keep an old date.
func TestSitemapsShowingNamesThePartsAnEditChanges(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		h := newHandlers(t, d, []string{"en", "ru"})
		h.PerSitemap = 10
		mux := http.NewServeMux()
		mux.Handle("GET /sitemap.xml", h.rd.Handle(h.SitemapIndex))
		mux.Handle("GET /{file}", h.rd.Handle(h.Sitemap(func(w http.ResponseWriter, r *http.Request) error { return web.NotFound() })))
		all := func() map[string]string {
			var idx struct {
				Locs []string `xml:"sitemap>loc"`
			}
			if err := xml.Unmarshal(get(t, mux, "/sitemap.xml").Body.Bytes(), &idx); err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, l := range idx.Locs {
				p := strings.TrimPrefix(l, "https://peers.example")
				out[p] = get(t, mux, p).Body.String()
			}
			return out
		}
		before := all()
		if len(before) < 6 {
			t.Fatalf("%d sitemap parts, too few to tell them apart", len(before))
		}
		// An English entry past the first part, saved again.
		visible, err := h.store.VisibleIDs(ctx, "en")
		if err != nil {
			t.Fatal(err)
		}
		id := visible[len(visible)*2/3]
		if _, err := d.ExecContext(ctx, `UPDATE translations SET updated_at = ? WHERE entry_id = ? AND lang = 'en'`, time.Now().Add(time.Hour).Unix(), id); err != nil {
			t.Fatal(err)
		}
		named, err := h.SitemapsShowing(ctx, []int64{id})
		if err != nil {
			t.Fatal(err)
		}
		after := all()
		changed := 0
		for p, body := range after {
			if body == before[p] {
				continue
			}
			changed++
			if !slices.Contains(named, p) {
				t.Errorf("%s changed, but is not named (named: %v)", p, named)
			}
		}
		if changed == 0 {
			t.Fatal("the edit changed no part: the test shows nothing")
		}
		// The index, each language's parts of listings and the entry's.
		if len(named) >= len(after) {
			t.Errorf("every file named for one edit: %v", named)
		}
	})
}
