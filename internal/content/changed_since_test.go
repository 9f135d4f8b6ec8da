package content_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// An incremental export of the static mirror asks which entries changed
// since the last (ChangedSince): it must find an edited entry and one
// published since, once each, and read only those from the indexes, not
// every translation (issue 18: 10 s of a 20,000-entry incremental export
// went to reading them all). The sitemap's queries, which it renders
// again, read indexes alone too.
func TestChangedSinceFindsEditsFromIndexes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		generatedSite(t, d, 1500)
		now := time.Now()
		since := now.Add(-time.Hour)
		// Everything saved long ago, then: one entry edited in two
		// languages, one published since the last export, one to be
		// published tomorrow.
		var edited, published, scheduled, moved int64
		for _, q := range []struct {
			id    *int64
			query string
		}{
			{&edited, `SELECT entry_id FROM translations WHERE lang = 'en' AND status = 'published' ORDER BY id LIMIT 1`},
			{&published, `SELECT entry_id FROM translations WHERE lang = 'en' AND status = 'published' ORDER BY id DESC LIMIT 1`},
			{&scheduled, `SELECT entry_id FROM translations WHERE lang = 'ru' AND status = 'published' ORDER BY id LIMIT 1 OFFSET 7`},
			{&moved, `SELECT entry_id FROM translations WHERE lang = 'fr' AND status = 'published' ORDER BY id LIMIT 1 OFFSET 11`},
		} {
			if err := d.QueryRowContext(ctx, q.query).Scan(q.id); err != nil {
				t.Fatal(err)
			}
		}
		for _, u := range []struct {
			query string
			args  []any
		}{
			{`UPDATE translations SET updated_at = ?, publish_at = CASE WHEN publish_at > ? THEN ? ELSE publish_at END`, []any{since.Add(-time.Hour).Unix(), since.Unix(), now.Add(-48 * time.Hour).Unix()}},
			{`UPDATE entries SET updated_at = ?`, []any{since.Add(-time.Hour).Unix()}},
			// Saved as an entry only (an event's time, a featured image).
			{`UPDATE entries SET updated_at = ? WHERE id = ?`, []any{now.Unix(), moved}},
			{`UPDATE translations SET updated_at = ? WHERE entry_id = ? AND lang IN ('en', 'fr')`, []any{now.Unix(), edited}},
			{`UPDATE translations SET publish_at = ? WHERE entry_id = ? AND lang = 'en'`, []any{now.Add(-time.Minute).Unix(), published}},
			{`UPDATE translations SET publish_at = ? WHERE entry_id = ? AND lang = 'ru'`, []any{now.Add(24 * time.Hour).Unix(), scheduled}},
		} {
			if _, err := d.ExecContext(ctx, u.query, u.args...); err != nil {
				t.Fatal(err)
			}
		}
		s := content.NewStore(d, unindexed{})
		got, err := s.ChangedSince(ctx, since)
		if err != nil {
			t.Fatal(err)
		}
		want := []int64{edited, published, moved}
		slices.Sort(want)
		want = slices.Compact(want)
		if !slices.Equal(got, want) {
			t.Errorf("changed since: %v, want the edited, the published and the entry saved alone %v (not the scheduled %d)", got, want, scheduled)
		}

		if err := d.Optimize(ctx); err != nil {
			t.Fatal(err)
		}
		query, args := content.ChangedSinceQuery(since, now)
		plan := explain(t, d, query, args)
		if d.Engine == db.Postgres {
			plan += explainGeneric(t, d, query, args)
		}
		for _, index := range []string{"translations_updated", "translations_publish", "entries_updated"} {
			if !strings.Contains(plan, index) {
				t.Errorf("the plan does not read %s:\n%s", index, plan)
			}
		}
		if strings.Contains(plan, "SCAN translations") || strings.Contains(plan, "Seq Scan on translations") ||
			strings.Contains(plan, "SCAN entries") || strings.Contains(plan, "Seq Scan on entries") {
			t.Errorf("the plan reads every translation:\n%s", plan)
		}

		// When each listing last changed (the sitemap's dates) is read
		// from an index, not from the translations' rows, bodies and all.
		query, args = content.ArchivesModifiedQuery("en", now)
		plan = explain(t, d, query, args)
		t.Logf("archives modified:\n%s", plan)
		if !strings.Contains(plan, "translations_modified") {
			t.Errorf("ArchivesModified reads the table:\n%s", plan)
		}
		// So is a part of the sitemap.
		query, args = content.SitemapQuery("en", now, 1000, 1000)
		plan = explain(t, d, query, args)
		t.Logf("sitemap:\n%s", plan)
		if !strings.Contains(plan, "translations_sitemap") || strings.Contains(plan, "TEMP B-TREE") || strings.Contains(plan, "Sort") {
			t.Errorf("a sitemap part does not walk translations_sitemap:\n%s", plan)
		}
		// And the place a part starts at is counted in it.
		query, args = content.SitemapAfterQuery("en", now, 1000)
		plan = explain(t, d, query, args)
		t.Logf("sitemap after:\n%s", plan)
		if !strings.Contains(plan, "translations_sitemap") || strings.Contains(plan, "TEMP B-TREE") || strings.Contains(plan, "Sort") {
			t.Errorf("finding a sitemap part's start does not walk translations_sitemap:\n%s", plan)
		}
	})
}
