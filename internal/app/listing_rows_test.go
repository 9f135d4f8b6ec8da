package app_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"peerpress/internal/content"
)

// A listing's rows show what each item is: its kind, its day, an archived
// entry's badge, and an entry not yet in the page's language marked with
// the language it is shown in (issue 23 moved these words out of the
// template into the page's data).
func TestListingRowsShowKindDateAndBadges(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		at := time.Now().Add(-time.Minute).Truncate(time.Second)
		for _, e := range []struct {
			title, slug, lang string
			status            content.Status
		}{
			{"Rows archived test", "rows-archived-test", "en", content.Archived},
			{"Rows untranslated test", "rows-untranslated-test", "ru", content.Published},
		} {
			if _, err := s.App.Content.SaveEntry(ctx, 0, content.EntryInput{Kind: content.Article},
				content.TranslationInput{Lang: e.lang, Title: e.title, Slug: e.slug, Summary: "Summary of " + e.title, Body: "Body.",
					Status: e.status, PublishAt: at}, 0); err != nil {
				t.Fatal(err)
			}
		}
		day := at.UTC().Format("2006-01-02")
		page := s.client().Get("/en/articles")
		page.Must(t, 200)
		row := func(title string) string {
			m := regexp.MustCompile(`(?s)<li class="item"[^>]*>.{0,600}?` + title + `.*?</li>`).FindString(page.Body)
			if m == "" {
				t.Fatalf("no row for %q on /en/articles", title)
			}
			return m
		}
		archived := row("Rows archived test")
		for _, want := range []string{`<span class="kind">Article</span>`, `<time datetime="` + day + `">`,
			`<span class="badge">Archived</span>`, `<h2><a href="/en/articles/rows-archived-test">`, "Read more"} {
			if !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(archived) {
				t.Errorf("archived row lacks %s:\n%s", want, archived)
			}
		}
		untranslated := row("Rows untranslated test")
		for _, want := range []string{`<li class="item" lang="ru">`, `<span class="badge" lang="en">`, `Русский`, `href="/ru/articles/rows-untranslated-test"`} {
			if !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(untranslated) {
				t.Errorf("untranslated row lacks %s:\n%s", want, untranslated)
			}
		}
		if regexp.MustCompile(`badge">Archived`).MatchString(untranslated) {
			t.Errorf("a published row shows the archived badge:\n%s", untranslated)
		}
	})
}
