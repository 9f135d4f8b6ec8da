package events

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/search"
)

// Upcoming events, as the home page and /events/upcoming list them: not
// ended (an event under way still is), visible in the language, soonest
// first.
func TestUpcoming(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, time.Now().Add(90*24*time.Hour), "UTC", 0) // "Peers, pills and policy", far ahead
		// The fixture's entry is published as it is saved: the test's
		// "now" is the next whole second, after it whatever the machine's
		// speed.
		t0 := time.Now().Add(time.Second).Truncate(time.Second)
		f.now = t0
		entries := content.NewStore(d, search.Index{})
		entries.SetExtensions(EntryFields{})
		event := func(lang, title string, starts time.Time, status content.Status, publish time.Time) {
			t.Helper()
			if _, err := entries.SaveEntry(ctx, 0,
				content.EntryInput{Kind: content.Event, Ext: Ext(Info{StartsAt: starts, TimeZone: "Africa/Nairobi", DurationMinutes: 60, Mode: "online"})},
				content.TranslationInput{Lang: lang, Title: title, Slug: content.Slugify(title), Status: status, PublishAt: publish}, 0); err != nil {
				t.Fatal(err)
			}
		}
		past := t0.Add(-24 * time.Hour)
		event("en", "Later", t0.Add(48*time.Hour), content.Published, past)
		event("en", "Ended", t0.Add(-3*time.Hour), content.Published, past)
		event("en", "Long ago", t0.Add(-400*24*time.Hour), content.Published, past)
		event("en", "Soon", t0.Add(24*time.Hour), content.Published, past)
		event("en", "Ongoing", t0.Add(-30*time.Minute), content.Published, past)
		event("en", "Draft", t0.Add(time.Hour), content.Draft, past)
		event("en", "Announced later", t0.Add(3*time.Hour), content.Published, t0.Add(time.Hour))
		event("fr", "En français", t0.Add(time.Hour), content.Published, past)

		upcoming := func(lang string, limit int) []string {
			t.Helper()
			items, err := f.s.Upcoming(ctx, lang, limit)
			if err != nil {
				t.Fatal(err)
			}
			var titles []string
			for _, it := range items {
				titles = append(titles, it.Title)
			}
			return titles
		}
		if got, want := upcoming("en", 10), []string{"Ongoing", "Soon", "Later", "Peers, pills and policy"}; !slices.Equal(got, want) {
			t.Errorf("Upcoming(en) = %v, want %v", got, want)
		}
		if got, want := upcoming("en", 2), []string{"Ongoing", "Soon"}; !slices.Equal(got, want) {
			t.Errorf("Upcoming(en, 2) = %v, want %v", got, want)
		}
		if got, want := upcoming("fr", 10), []string{"En français"}; !slices.Equal(got, want) {
			t.Errorf("Upcoming(fr) = %v, want %v", got, want)
		}
		// Two hours later the announced event is visible; the ongoing one has ended.
		f.now = t0.Add(2 * time.Hour)
		if got, want := upcoming("en", 3), []string{"Announced later", "Soon", "Later"}; !slices.Equal(got, want) {
			t.Errorf("Upcoming(en) later = %v, want %v", got, want)
		}
	})
}

// With untranslated events listed, each event is listed once: in the
// reader's language when its translation there is visible, in its own
// otherwise (a draft translation or one not yet published does not hide
// the source).
func TestUpcomingUntranslated(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, time.Now().Add(90*24*time.Hour), "UTC", 0) // "Peers, pills and policy", far ahead
		t0 := time.Now().Add(time.Second).Truncate(time.Second)
		f.now = t0
		f.s.IncludeUntranslated = func() bool { return true }
		entries := content.NewStore(d, search.Index{})
		entries.SetExtensions(EntryFields{})
		past := t0.Add(-24 * time.Hour)
		event := func(title string, starts time.Time, fr string, frStatus content.Status, frPublish time.Time) {
			t.Helper()
			id, err := entries.SaveEntry(ctx, 0,
				content.EntryInput{Kind: content.Event, Ext: Ext(Info{StartsAt: starts, TimeZone: "Africa/Nairobi", DurationMinutes: 60, Mode: "online"})},
				content.TranslationInput{Lang: "en", Title: title, Slug: content.Slugify(title), Status: content.Published, PublishAt: past}, 0)
			if err != nil {
				t.Fatal(err)
			}
			if fr == "" {
				return
			}
			if _, err := entries.SaveTranslation(ctx, id, content.TranslationInput{Lang: "fr", Title: fr, Slug: content.Slugify(fr), Status: frStatus, PublishAt: frPublish}, 0); err != nil {
				t.Fatal(err)
			}
		}
		event("Translated", t0.Add(time.Hour), "Traduit", content.Published, past)
		event("Draft in French", t0.Add(2*time.Hour), "Brouillon", content.Draft, past)
		event("French later", t0.Add(3*time.Hour), "Plus tard", content.Published, t0.Add(time.Hour))
		event("English only", t0.Add(4*time.Hour), "", "", time.Time{})

		upcoming := func(lang string) []string {
			t.Helper()
			items, err := f.s.Upcoming(ctx, lang, 10)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range items {
				got = append(got, it.Lang+":"+it.Title)
			}
			return got
		}
		if got, want := upcoming("fr"), []string{"fr:Traduit", "en:Draft in French", "en:French later", "en:English only", "en:Peers, pills and policy"}; !slices.Equal(got, want) {
			t.Errorf("Upcoming(fr) = %v, want %v", got, want)
		}
		if got, want := upcoming("en"), []string{"en:Translated", "en:Draft in French", "en:French later", "en:English only", "en:Peers, pills and policy"}; !slices.Equal(got, want) {
			t.Errorf("Upcoming(en) = %v, want %v", got, want)
		}
		f.now = t0.Add(2*time.Hour + time.Minute) // "Plus tard" is published; "Traduit" has ended
		if got, want := upcoming("fr"), []string{"en:Draft in French", "fr:Plus tard", "en:English only", "en:Peers, pills and policy"}; !slices.Equal(got, want) {
			t.Errorf("Upcoming(fr) later = %v, want %v", got, want)
		}
	})
}

// The past events' pages, sought from the previous page's last event,
// are the pages the listing read by OFFSET gave: every page of every
// language, with and without untranslated events, with many events
// starting at the same time, drafts, one not yet published and deleted
// ones, on the live site (keys read up to the page) and in an export
// (the whole listing's keys read once).
func TestPastPagesSeekAsOffsetDid(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, time.Now().Add(-10*24*time.Hour), "UTC", 0)
		t0 := time.Now().Add(time.Second).Truncate(time.Second)
		f.now = t0
		entries := content.NewStore(d, search.Index{})
		entries.SetExtensions(EntryFields{})
		published := t0.Add(-24 * time.Hour)
		var ids []int64
		for i := range 40 {
			// Five start times for forty events: ties across pages.
			starts := t0.Add(-time.Duration(2+i%5) * 24 * time.Hour)
			src := []string{"en", "ru", "fr"}[i%3]
			status := content.Published
			if i%11 == 4 {
				status = content.Draft
			}
			publish := published
			if i == 17 {
				publish = t0.Add(time.Hour)
			}
			title := fmt.Sprintf("Event %02d", i)
			id, err := entries.SaveEntry(ctx, 0,
				content.EntryInput{Kind: content.Event, Ext: Ext(Info{StartsAt: starts, TimeZone: "UTC", DurationMinutes: 60, Mode: "online"})},
				content.TranslationInput{Lang: src, Title: title, Slug: fmt.Sprintf("event-%d-%s", i, src), Status: status, PublishAt: publish}, 0)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
			// Some translated into the others, one of them a draft.
			for j, lang := range []string{"en", "ru", "fr"} {
				if lang == src || (i+j)%4 != 0 {
					continue
				}
				st := content.Published
				if i%7 == 3 {
					st = content.Draft
				}
				if _, err := entries.SaveTranslation(ctx, id, content.TranslationInput{Lang: lang, Title: title + " " + lang, Slug: fmt.Sprintf("event-%d-%s", i, lang),
					Status: st, PublishAt: published}, 0); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, i := range []int{6, 23, 31} {
			if _, err := entries.DeleteEntry(ctx, ids[i]); err != nil {
				t.Fatal(err)
			}
		}
		// The listing by OFFSET, as Past read it before.
		byOffset := func(lang string, untranslated bool, offset, limit int) ([]Listed, bool) {
			t.Helper()
			now := f.now.Unix()
			items, err := f.s.listed(ctx, untranslated, `ev.starts_at + ev.duration_minutes * 60 < ?`, `ORDER BY ev.starts_at DESC, e.id DESC LIMIT ? OFFSET ?`,
				now, lang, now, limit+1, offset)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) > limit {
				return items[:limit], true
			}
			return items, false
		}
		for _, untranslated := range []bool{false, true} {
			f.s.IncludeUntranslated = func() bool { return untranslated }
			for _, lang := range []string{"en", "ru", "fr"} {
				for _, perPage := range []int{3, 7} {
					for _, exporting := range []bool{false, true} {
						pctx := ctx
						if exporting {
							pctx = content.WithMemo(ctx)
						}
						listed := 0
						for page := 1; ; page++ {
							got, more, err := f.s.Past(pctx, lang, page, perPage)
							if err != nil {
								t.Fatal(err)
							}
							want, wantMore := byOffset(lang, untranslated, (page-1)*perPage, perPage)
							if !slices.EqualFunc(got, want, func(a, b Listed) bool { return a.EntryID == b.EntryID && a.Lang == b.Lang && a.Title == b.Title }) || more != wantMore {
								t.Fatalf("%s, untranslated %v, %d a page, export %v: page %d = %v (more %v), OFFSET gave %v (more %v)",
									lang, untranslated, perPage, exporting, page, got, more, want, wantMore)
							}
							listed += len(got)
							if !more {
								break
							}
						}
						if listed < 8 {
							t.Fatalf("%s, untranslated %v: %d past events listed, too few to test", lang, untranslated, listed)
						}
						// A page past the end is empty.
						if got, more, err := f.s.Past(pctx, lang, listed/perPage+2, perPage); err != nil || len(got) != 0 || more {
							t.Fatalf("%s: page past the end = %v, %v, %v", lang, got, more, err)
						}
					}
				}
			}
		}
	})
}
