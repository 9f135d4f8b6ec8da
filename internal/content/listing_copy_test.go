package content

import (
	"context"
	"slices"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// Listings read copies of what entries hold (migration 0017): each
// translation's entry_kind and entry_section_id, and tag_listing. After
// every kind of write that can change them, the copies equal what they
// copy, and the section and tag listings list what they should.
func TestListingCopiesFollowWrites(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := NewStore(d, noIndex{})
		secA, err := s.SaveSection(ctx, Section{Slug: "a", Names: map[string]string{"en": "A"}})
		if err != nil {
			t.Fatal(err)
		}
		secB, err := s.SaveSection(ctx, Section{Slug: "b", Names: map[string]string{"en": "B"}})
		if err != nil {
			t.Fatal(err)
		}
		tagX, err := s.SaveTag(ctx, Tag{Slug: "x", Names: map[string]string{"en": "X"}})
		if err != nil {
			t.Fatal(err)
		}
		tagY, err := s.SaveTag(ctx, Tag{Slug: "y", Names: map[string]string{"en": "Y"}})
		if err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(-time.Hour).Truncate(time.Second)
		tr := func(lang, slug string, at time.Time) TranslationInput {
			return TranslationInput{Lang: lang, Title: slug, Slug: slug, Status: Published, PublishAt: at}
		}
		one, err := s.SaveEntry(ctx, 0, EntryInput{Kind: Article, SectionID: secA, TagIDs: []int64{tagX}}, tr("en", "one", at), 0)
		if err != nil {
			t.Fatal(err)
		}
		two, err := s.SaveEntry(ctx, 0, EntryInput{Kind: Statement, SectionID: secB, TagIDs: []int64{tagX, tagY}}, tr("en", "two", at.Add(-time.Minute)), 0)
		if err != nil {
			t.Fatal(err)
		}
		check := func(step string, want map[string][]string) {
			t.Helper()
			var bad int
			if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM translations t JOIN entries e ON e.id = t.entry_id
				WHERE t.entry_kind <> e.kind OR COALESCE(t.entry_section_id, 0) <> COALESCE(e.section_id, 0)`).Scan(&bad); err != nil {
				t.Fatal(err)
			}
			if bad != 0 {
				t.Errorf("%s: %d translations with another kind or section than their entry's", step, bad)
			}
			const expected = `SELECT et.tag_id, t.id, t.entry_id, t.lang, t.publish_at, t.status, e.kind
				FROM entry_tags et JOIN translations t ON t.entry_id = et.entry_id JOIN entries e ON e.id = et.entry_id`
			const actual = `SELECT tag_id, translation_id, entry_id, lang, publish_at, status, entry_kind FROM tag_listing`
			for _, q := range []string{expected + ` EXCEPT ` + actual, actual + ` EXCEPT ` + expected} {
				if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+q+`) diff`).Scan(&bad); err != nil {
					t.Fatal(err)
				}
				if bad != 0 {
					t.Errorf("%s: tag_listing differs from entry_tags × translations by %d rows", step, bad)
				}
			}
			for name, slugs := range want {
				f := map[string]ListFilter{
					"en section a": {Lang: "en", SectionID: secA}, "en section b": {Lang: "en", SectionID: secB},
					"en tag x": {Lang: "en", TagID: tagX}, "en tag y": {Lang: "en", TagID: tagY},
					"fr tag y": {Lang: "fr", TagID: tagY}, "en statements": {Lang: "en", Kind: Statement},
				}[name]
				items, total, err := s.List(ctx, f, 1, 10)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, it := range items {
					got = append(got, it.Slug)
				}
				if !slices.Equal(got, slugs) || total != len(slugs) {
					t.Errorf("%s: %s lists %v (total %d), want %v", step, name, got, total, slugs)
				}
			}
		}
		check("saved", map[string][]string{"en section a": {"one"}, "en section b": {"two"}, "en tag x": {"one", "two"}, "en tag y": {"two"}})

		// A translation added to a tagged entry joins its tag's listing.
		if _, err := s.SaveTranslation(ctx, two, tr("fr", "deux", at), 0); err != nil {
			t.Fatal(err)
		}
		check("translated", map[string][]string{"fr tag y": {"deux"}})

		// Kind, section and tags changed.
		if _, err := s.SaveEntry(ctx, one, EntryInput{Kind: Statement, SectionID: secB, TagIDs: []int64{tagY}}, tr("en", "one", at), 0); err != nil {
			t.Fatal(err)
		}
		check("moved", map[string][]string{"en section a": nil, "en section b": {"one", "two"}, "en tag x": {"two"},
			"en tag y": {"one", "two"}, "en statements": {"one", "two"}})

		// Published later, then made a draft.
		if _, err := s.SaveTranslation(ctx, two, tr("en", "two", at.Add(time.Minute)), 0); err != nil {
			t.Fatal(err)
		}
		check("republished", map[string][]string{"en tag y": {"two", "one"}})
		draft := tr("en", "two", at)
		draft.Status = Draft
		if _, err := s.SaveTranslation(ctx, two, draft, 0); err != nil {
			t.Fatal(err)
		}
		check("drafted", map[string][]string{"en tag y": {"one"}, "en section b": {"one"}, "fr tag y": {"deux"}})

		// A section and a tag deleted; an entry deleted.
		if err := s.DeleteSection(ctx, secB); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteTag(ctx, tagY); err != nil {
			t.Fatal(err)
		}
		check("section and tag deleted", map[string][]string{"en section b": nil, "en tag x": nil, "en tag y": nil})
		if _, err := s.SaveEntry(ctx, one, EntryInput{Kind: Article, SectionID: secA, TagIDs: []int64{tagX}}, tr("en", "one", at), 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DeleteEntry(ctx, two); err != nil {
			t.Fatal(err)
		}
		check("entry deleted", map[string][]string{"en section a": {"one"}, "en tag x": {"one"}, "fr tag y": nil})
	})
}
