package app_test

import (
	"context"
	"testing"
	"time"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/content"
)

// With the page cache off, pages keep fragments of what they read between
// requests (feeds' bodies, listed events' times, tags, the home page's
// events): after every kind of change, a page served by an instance that
// has served it before must be the page a new instance renders from the
// database alone.
func TestColdPagesFollowEveryChange(t *testing.T) {
	runWith(t, apptest.Options{Config: func(c *app.Config) { c.NoPageCache = true }}, func(t *testing.T, s *site) {
		ctx := context.Background()
		d, store := s.App.DB, s.App.Content
		pages := []string{"/en/", "/en/feed.xml", "/en/atom.xml", "/en/feed.json", "/en/articles", "/en/events",
			"/en/section/news", "/en/tag/naloxone", "/en/section/news/feed.xml", "/ru/", "/ru/feed.xml"}
		// Every page once, so that the instance keeps what it read.
		for _, p := range pages {
			get(t, s.App.Handler, p)
		}
		same := func(after string) {
			t.Helper()
			fresh, err := app.New(ctx, s.App.Config, d)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range pages {
				if kept, read := get(t, s.App.Handler, p), get(t, fresh.Handler, p); kept != read {
					t.Errorf("after %s, %s differs from a new instance's (before: kept, after: read):\n%s", after, p, firstDifference([]byte(kept), []byte(read)))
				}
			}
		}
		same("nothing")

		// The newest article, which the feeds show with its body.
		texts, err := store.LatestTexts(ctx, content.ListFilter{Lang: "en", Kind: content.Article}, 1)
		if err != nil || len(texts) == 0 {
			t.Fatalf("latest article: %v %v", texts, err)
		}
		tr := texts[0]
		if _, err := store.SaveTranslation(ctx, tr.EntryID, content.TranslationInput{Lang: "en", Title: "Retitled " + tr.Title, Slug: tr.Slug,
			Summary: "A new summary.", Body: tr.Body + "\n\nA paragraph added.", Status: tr.Status, PublishAt: tr.PublishAt}, 0); err != nil {
			t.Fatal(err)
		}
		same("an edit")

		// A tag renamed.
		tag, err := store.TagBySlug(ctx, "naloxone")
		if err != nil {
			t.Fatal(err)
		}
		tag.Names = map[string]string{"en": "Naloxone, renamed", "ru": "Налоксон (новое имя)"}
		if _, err := store.SaveTag(ctx, tag); err != nil {
			t.Fatal(err)
		}
		same("a tag renamed")

		// The next event moved by a day, however it is written: its date
		// on the home page and under its title in listings.
		upcoming, err := s.App.Events.Upcoming(ctx, "en", 1)
		if err != nil || len(upcoming) == 0 {
			t.Fatalf("upcoming events: %v %v", upcoming, err)
		}
		event := upcoming[0].EntryID
		if _, err := d.ExecContext(ctx, `UPDATE events SET starts_at = starts_at + 86400 WHERE entry_id = ?`, event); err != nil {
			t.Fatal(err)
		}
		same("an event moved")

		// An event that ends in two seconds leaves the home page then,
		// with no write to say so.
		now := time.Now().Unix()
		if _, err := d.ExecContext(ctx, `UPDATE events SET starts_at = ?, duration_minutes = 1 WHERE entry_id = ?`, now+2-60, event); err != nil {
			t.Fatal(err)
		}
		same("an event ending soon")
		time.Sleep(time.Until(time.Unix(now+3, 0)))
		same("an event ended")

		// An event's translation and the featured campaign's, scheduled
		// to appear in two seconds, join the home page then.
		upcoming, err = s.App.Events.Upcoming(ctx, "en", 1)
		if err != nil || len(upcoming) == 0 {
			t.Fatalf("upcoming events: %v %v", upcoming, err)
		}
		featured, err := store.Featured(ctx, "en", content.Campaign)
		if err != nil {
			t.Fatal(err)
		}
		now = time.Now().Unix()
		if _, err := d.ExecContext(ctx, `UPDATE translations SET publish_at = ?, status = 'scheduled' WHERE entry_id IN (?, ?) AND lang = 'en'`,
			now+2, upcoming[0].EntryID, featured.EntryID); err != nil {
			t.Fatal(err)
		}
		same("translations scheduled")
		time.Sleep(time.Until(time.Unix(now+3, 0)))
		same("translations published")

		// An entry deleted.
		if _, err := store.DeleteEntry(ctx, tr.EntryID); err != nil {
			t.Fatal(err)
		}
		same("a deletion")
	})
}
