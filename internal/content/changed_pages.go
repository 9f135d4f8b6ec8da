package content

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"peerpress/internal/db"
)

// What an incremental export of the static mirror (package mirror) asks:
// which entries changed since the last export, whether any listing
// changed shape, and which pages show the changed entries.

// ListingGeneration counts the writes that moved an entry in or out of a
// listing or along it (migration 0012): while it stays the same, every
// listing holds the same entries in the same places.
func (s *Store) ListingGeneration(ctx context.Context) (int64, error) {
	var g int64
	if err := s.db.QueryRowContext(ctx, `SELECT generation FROM listing_state WHERE id = 1`).Scan(&g); err != nil {
		return 0, fmt.Errorf("content: listing generation: %w", err)
	}
	return g, nil
}

// ChangedSince lists, by id, the entries saved (themselves, or one of
// their translations) after since, or published after since and by now.
func (s *Store) ChangedSince(ctx context.Context, since time.Time) ([]int64, error) {
	query, args := changedSinceQuery(since, s.now())
	ids, err := s.ids(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("content: changed since: %w", err)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// changedSinceQuery is ChangedSince's query: three ranges, each read
// from an index of its own (translations_updated, translations_publish,
// entries_updated).
// Entries are sorted and made unique in Go: asked to, SQLite walked
// translations_entry in entry order instead, reading every translation.
func changedSinceQuery(since, now time.Time) (string, []any) {
	return `SELECT entry_id FROM translations WHERE updated_at > ?
		UNION ALL SELECT entry_id FROM translations WHERE publish_at > ? AND publish_at <= ?
		UNION ALL SELECT id FROM entries WHERE updated_at > ?`,
		[]any{since.Unix(), since.Unix(), now.Unix(), since.Unix()}
}

// pageOf is the page (from 1) of f's listing, perPage items a page, on
// which the item with key k stands: one more than the pages that end
// before it in the listing's order.
func (s *Store) pageOf(ctx context.Context, f ListFilter, perPage int, k pageKey) (int, error) {
	b, err := s.listingBounds(ctx, f, s.now(), perPage)
	if err != nil {
		return 0, err
	}
	// lastKeys is in the listing's order, newest first.
	n, _ := slices.BinarySearchFunc(b.lastKeys, k, func(e, k pageKey) int {
		return cmp.Or(cmp.Compare(k.publishAt, e.publishAt), cmp.Compare(k.entryID, e.entryID))
	})
	return n + 1, nil
}

// PagesShowing lists the content pages, in every enabled language, that
// show any of the entries: their own pages, sharing images and share
// links (a campaign's, filled in with its title and hashtags), the
// home pages, and the one page of each archive (kind, section, tags)
// that lists them. It is right while the listing generation stays the
// same: no entry moved, so each stays on the page it was on.
func (p *Public) PagesShowing(ctx context.Context, ids []int64) ([]string, error) {
	var out []string
	langs := p.rd.I18n().Enabled()
	for _, l := range langs {
		out = append(out, "/"+l.Code+"/")
	}
	untranslated := p.IncludeUntranslated != nil && p.IncludeUntranslated()
	secs, err := p.store.Sections(ctx)
	if err != nil {
		return nil, err
	}
	sectionSlug := map[int64]string{}
	for _, sec := range secs {
		sectionSlug[sec.ID] = sec.Slug
	}
	now := p.store.now()
	for _, id := range ids {
		e, err := p.store.Entry(ctx, id)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		tags, err := p.store.EntryTags(ctx, id)
		if err != nil {
			return nil, err
		}
		src, srcOK := e.Translation(e.SourceLang)
		for _, l := range langs {
			t, ok := e.Translation(l.Code)
			visible := ok && t.Visible(now)
			if visible {
				out = append(out, URL(e.Kind, l.Code, t.Slug), ShareImageURL(e.Kind, l.Code, t.Slug))
				out = append(out, shareToURLs(e.Kind, l.Code, t.Slug)...)
			}
			if e.Kind == Page {
				continue // pages are in no listing
			}
			// The item a listing in this language shows: the
			// translation, or, with the setting, the source's.
			key := pageKey{entryID: id}
			switch {
			case visible:
				key.publishAt = t.PublishAt.Unix()
			case untranslated && srcOK && src.Visible(now):
				key.publishAt = src.PublishAt.Unix()
			default:
				continue
			}
			type listing struct {
				base string
				f    ListFilter
			}
			ls := []listing{{"/" + l.Code + "/" + e.Kind.Segment(), ListFilter{Kind: e.Kind}}}
			if slug, ok := sectionSlug[e.SectionID]; ok {
				ls = append(ls, listing{"/" + l.Code + "/section/" + slug, ListFilter{SectionID: e.SectionID}})
			}
			for _, tg := range tags {
				ls = append(ls, listing{"/" + l.Code + "/tag/" + tg.Slug, ListFilter{TagID: tg.ID}})
			}
			for _, x := range ls {
				x.f.Lang, x.f.IncludeUntranslated = l.Code, untranslated
				n, err := p.store.pageOf(ctx, x.f, p.PerPage, key)
				if err != nil {
					return nil, err
				}
				if n == 1 {
					out = append(out, x.base)
				} else {
					out = append(out, x.base+"/page/"+strconv.Itoa(n))
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// VisibleIDs lists, sorted, the entries visible in lang, pages included:
// the order the sitemap lists them in (SitemapURLs), so that an entry's
// place in it is its index here.
func (s *Store) VisibleIDs(ctx context.Context, lang string) ([]int64, error) {
	ids, err := s.ids(ctx, `SELECT t.entry_id FROM translations t WHERE t.lang = ? AND `+visibleSQL, lang, s.now().Unix())
	if err != nil {
		return nil, fmt.Errorf("content: visible ids: %w", err)
	}
	slices.Sort(ids)
	return ids, nil
}

// VisiblePlace is the entry's place in VisibleIDs(lang) (how many visible
// entries come before it), and whether it is there: counted in the index
// translations_sitemap, not read out, for an export's few edited entries.
func (s *Store) VisiblePlace(ctx context.Context, lang string, id int64) (int, bool, error) {
	var before, at int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(CASE WHEN t.entry_id < ? THEN 1 END), COUNT(CASE WHEN t.entry_id = ? THEN 1 END)
		FROM translations t WHERE t.lang = ? AND t.entry_id <= ? AND `+visibleSQL, id, id, lang, id, s.now().Unix()).Scan(&before, &at)
	if err != nil {
		return 0, false, fmt.Errorf("content: visible place: %w", err)
	}
	return before, at > 0, nil
}
