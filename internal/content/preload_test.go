package content

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// An entry page rendered from a Preload reads what it reads one by one,
// and asks the database nothing for it: the static mirror's pages are the
// live site's, with some ten queries an entry page fewer.
func TestPreload(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestStore(d)
		naloxone := mustTag(t, s, Tag{Slug: "naloxone", Names: map[string]string{"en": "Naloxone", "ru": "Налоксон"}})
		bare := mustTag(t, s, Tag{Slug: "bare"})
		checking := mustTag(t, s, Tag{Slug: "drug-checking", Names: map[string]string{"en": "Drug checking"}})
		one := mustOrg(t, s, Organisation{Slug: "one", Name: "One", Relation: "member"})
		two := mustOrg(t, s, Organisation{Slug: "two", Name: "Two", Relation: "partner"})
		pdf := addMedia(t, d, "2025/03/AAAAAAAAAAAAAAAAAAAAAA.pdf", "application/pdf", 1234)
		png := addMedia(t, d, "2025/03/CCCCCCCCCCCCCCCCCCCCCC.png", "image/png", 500)

		var ids []int64
		for i := range 5 {
			in := EntryInput{Kind: Article}
			switch i {
			case 1:
				in.TagIDs, in.OrgIDs = []int64{naloxone, bare, checking}, []int64{two, one}
			case 2:
				in.TagIDs, in.OrgIDs = []int64{checking}, []int64{one}
			}
			id := mustSave(t, s, 0, in, pub("en", fmt.Sprintf("Entry %d", i), fmt.Sprintf("entry-%d", i)), 0)
			if i%2 == 0 {
				mustTranslate(t, s, id, pub("ru", fmt.Sprintf("Запись %d", i), fmt.Sprintf("zapis-%d", i)), 0)
			}
			ids = append(ids, id)
		}
		// A draft is read as BySlug reads it: whatever its status.
		draft := mustSave(t, s, 0, EntryInput{Kind: Statement}, tr("en", "Draft", "draft", Draft, t0), 0)
		ids = append(ids, draft)
		for _, a := range []struct {
			media      int64
			lang, name string
		}{{pdf, "en", "Report"}, {png, "en", "Chart"}, {pdf, "ru", "Отчёт"}} {
			if _, err := s.AddAttachment(ctx, ids[1], a.media, a.lang, a.name); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.AddAttachment(ctx, ids[3], png, "en", "Chart"); err != nil {
			t.Fatal(err)
		}

		for _, lang := range []string{"en", "ru"} {
			// 99 is no entry; the rest are read in any order.
			p, err := s.Preload(ctx, lang, append([]int64{99, ids[4], ids[0]}, ids[1:4]...))
			if err != nil {
				t.Fatal(err)
			}
			if p.Len() != 5 {
				t.Fatalf("%s: preloaded %d entries, want 5", lang, p.Len())
			}
			pctx, st := db.CountStatements(WithPreloaded(ctx, p))
			for i, id := range ids[:5] {
				slug := fmt.Sprintf("entry-%d", i)
				if lang == "ru" {
					if i%2 != 0 {
						continue
					}
					slug = fmt.Sprintf("zapis-%d", i)
				}
				want, err := s.BySlug(ctx, lang, slug)
				if err != nil {
					t.Fatal(err)
				}
				got, err := s.BySlug(pctx, lang, slug)
				if err != nil || !reflect.DeepEqual(got, want) {
					t.Fatalf("%s %s: preloaded %+v (%v), want %+v", lang, slug, got, err, want)
				}
				same := func(what string, got, want any, err error) {
					t.Helper()
					if err != nil || !reflect.DeepEqual(got, want) {
						t.Fatalf("%s %s: preloaded %s %+v (%v), want %+v", lang, slug, what, got, err, want)
					}
				}
				wantTags, _ := s.EntryTags(ctx, id)
				gotTags, err := s.EntryTags(pctx, id)
				same("tags", gotTags, wantTags, err)
				wantOrgs, _ := s.EntryOrganisations(ctx, id)
				gotOrgs, err := s.EntryOrganisations(pctx, id)
				same("organisations", gotOrgs, wantOrgs, err)
				wantAtts, _ := s.Attachments(ctx, id)
				gotAtts, err := s.Attachments(pctx, id)
				same("attachments", gotAtts, wantAtts, err)
			}
			if texts := st.Texts(); len(texts) != 0 {
				t.Fatalf("%s: preloaded pages asked %d statements: %q", lang, len(texts), texts)
			}
		}
		// The other language's slugs, and entries not preloaded, are read
		// as always.
		p, err := s.Preload(ctx, "en", ids[:2])
		if err != nil {
			t.Fatal(err)
		}
		pctx := WithPreloaded(ctx, p)
		if e, err := s.BySlug(pctx, "en", "draft"); err != nil || e.ID != draft {
			t.Fatalf("an entry not preloaded: %+v, %v", e, err)
		}
		if e, err := s.BySlug(pctx, "ru", "zapis-0"); err != nil || e.ID != ids[0] {
			t.Fatalf("another language: %+v, %v", e, err)
		}
		if tags, err := s.EntryTags(pctx, ids[2]); err != nil || len(tags) != 1 || tags[0].ID != checking {
			t.Fatalf("tags of an entry not preloaded: %+v, %v", tags, err)
		}
	})
}

// An export's listing pages are read from the rows its walk of the
// listing kept, and are the pages the live site's seek gives: with and
// without untranslated entries, by kind and by tag, past the end too.
func TestListedFromTheWalk(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestStore(d)
		tag := mustTag(t, s, Tag{Slug: "t"})
		base := t0.Add(-time.Hour)
		const n = 23
		for i := range n {
			in := EntryInput{Kind: Article}
			if i%3 != 0 {
				in.TagIDs = []int64{tag}
			}
			at := base.Add(-time.Duration(i/4) * time.Minute) // four entries a publish time
			id := mustSave(t, s, 0, in, tr("en", fmt.Sprintf("Entry %02d", i), fmt.Sprintf("entry-%02d", i), Published, at), 0)
			if i%2 == 0 {
				mustTranslate(t, s, id, tr("ru", fmt.Sprintf("Запись %02d", i), fmt.Sprintf("zapis-%02d", i), Published, at), 0)
			}
		}
		export := WithMemo(ctx)
		for _, f := range []ListFilter{
			{Lang: "ru", Kind: Article},
			{Lang: "ru", Kind: Article, IncludeUntranslated: true},
			{Lang: "ru", TagID: tag, IncludeUntranslated: true},
			{Lang: "en", TagID: tag},
		} {
			for _, per := range []int{1, 4, 10} {
				// The live site's walk first, then a fresh store's export:
				// bounds the live site read hold no rows.
				live, _ := newTestStore(d)
				exp, _ := newTestStore(d)
				for page := 1; page <= n/per+2; page++ {
					want, wantTotal, err := live.List(ctx, f, page, per)
					if err != nil {
						t.Fatal(err)
					}
					ectx, st := db.CountStatements(export)
					got, total, err := exp.List(ectx, f, page, per)
					if err != nil || total != wantTotal || !reflect.DeepEqual(got, want) {
						t.Fatalf("%+v, %d a page, page %d: export's %v (%d, %v), live %v (%d)", f, per, page, itemTitles(got), total, err, itemTitles(want), wantTotal)
					}
					if page > 1 {
						for _, q := range st.Texts() {
							if f.IncludeUntranslated && strings.Contains(q, "NOT EXISTS") {
								t.Fatalf("%+v page %d walked the listing again: %s", f, page, q)
							}
						}
					}
				}
			}
		}
	})
}
