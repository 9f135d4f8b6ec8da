package content

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// Queries for feeds, the sitemap and the API: what other sites and
// programs read of the content.

// Modified is when readers last saw a translation change: its last save,
// or its publish time when that came later (a scheduled entry appears
// without being saved again).
func (t Translation) Modified() time.Time {
	if t.PublishAt.After(t.UpdatedAt) {
		return t.PublishAt
	}
	return t.UpdatedAt
}

// Cursor is a position in a listing ordered by time, newest first
// (entries) or soonest first (the events package's): the last item's time
// and entry id.
type Cursor struct {
	At      time.Time
	EntryID int64
}

// ListAfter returns up to limit visible entries in f.Lang, newest first,
// that come after the cursor (nil: from the start). Unlike List it pages
// by position, so that a program walking every page sees each entry once
// even while entries are added. f.IncludeUntranslated is ignored: a
// program asks for the languages it wants.
func (s *Store) ListAfter(ctx context.Context, f ListFilter, after *Cursor, limit int) ([]Item, error) {
	f.IncludeUntranslated = false
	var from *pageKey
	if after != nil {
		from = &pageKey{publishAt: after.At.Unix(), entryID: after.EntryID}
	}
	query, args := f.pageQuery(s.now(), from, limit)
	items, err := s.items(ctx, query, args...)
	sortItems(items)
	return items, err
}

// SitemapURL is one visible translation as a sitemap lists it.
type SitemapURL struct {
	EntryID  int64
	Kind     Kind
	Lang     string
	Slug     string
	Modified time.Time
	// Alternates are the languages the entry is visible in, this one
	// included, with its slug there, in no particular order.
	Alternates []Alternate
}

// Alternate is an entry's slug in one language.
type Alternate struct{ Lang, Slug string }

// Alternate is the entry's slug in lang, and whether it is visible there.
func (u SitemapURL) Alternate(lang string) (string, bool) {
	for _, a := range u.Alternates {
		if a.Lang == lang {
			return a.Slug, true
		}
	}
	return "", false
}

// URL is the translation's public address.
func (u SitemapURL) URL() string { return URL(u.Kind, u.Lang, u.Slug) }

// CountVisible counts the entries, pages included, visible in lang.
func (s *Store) CountVisible(ctx context.Context, lang string) (int, error) {
	return Memo(ctx, "content.CountVisible/"+lang, func() (int, error) { return s.countVisible(ctx, lang) })
}

func (s *Store) countVisible(ctx context.Context, lang string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM translations t WHERE t.lang = ? AND `+visibleSQL, lang, s.now().Unix()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("content: count visible: %w", err)
	}
	return n, nil
}

// SitemapAfter is where a walk of SitemapURLs starts to list the
// visible entry at place (from 0) in VisibleIDs(lang): the id of the one
// before it, 0 at place 0, or -1 when there is no entry at place. It
// counts the entries before place in the index translations_sitemap,
// reading only their ids.
func (s *Store) SitemapAfter(ctx context.Context, lang string, place int) (int64, error) {
	if place <= 0 {
		return 0, nil
	}
	query, args := sitemapAfterQuery(lang, s.now().Unix(), place)
	ids, err := s.ids(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("content: sitemap after: %w", err)
	}
	if len(ids) < 2 {
		return -1, nil
	}
	return ids[0], nil
}

// SitemapURLs lists up to limit entries visible in lang, pages included,
// by entry id from the first after the id after (keyset: SitemapAfter
// finds where a place starts), each with its visible translations. A
// walk of every entry passes the last id of a batch to the next.
func (s *Store) SitemapURLs(ctx context.Context, lang string, after int64, limit int) ([]SitemapURL, error) {
	if after < 0 || limit <= 0 {
		return nil, nil
	}
	now := s.now().Unix()
	query, args := sitemapQuery(lang, now, after, limit)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("content: sitemap: %w", err)
	}
	out := make([]SitemapURL, 0, min(limit, 1024))
	for rows.Next() {
		u := SitemapURL{Lang: lang}
		var updated, publish int64
		if err := rows.Scan(&u.EntryID, &u.Kind, &u.Slug, &updated, &publish); err != nil {
			rows.Close()
			return nil, fmt.Errorf("content: sitemap: %w", err)
		}
		u.Modified = unix(max(updated, publish))
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	// The alternates of the whole range in one query: the entries are
	// listed by id, so they all lie between the first and the last.
	arows, err := s.db.QueryContext(ctx, `SELECT t.entry_id, t.lang, t.slug FROM translations t
		WHERE t.entry_id BETWEEN ? AND ? AND `+visibleSQL, out[0].EntryID, out[len(out)-1].EntryID, now)
	if err != nil {
		return nil, fmt.Errorf("content: sitemap alternates: %w", err)
	}
	defer arows.Close()
	for arows.Next() {
		var id int64
		var a Alternate
		if err := arows.Scan(&id, &a.Lang, &a.Slug); err != nil {
			return nil, fmt.Errorf("content: sitemap alternates: %w", err)
		}
		i, found := slices.BinarySearchFunc(out, id, func(u SitemapURL, id int64) int { return cmp.Compare(u.EntryID, id) })
		if found {
			out[i].Alternates = append(out[i].Alternates, a)
		}
	}
	return out, arows.Err()
}

// ArchiveModified says when each listing in lang last changed for
// readers: the whole language, each kind and each section.
type ArchiveModified struct {
	All      time.Time
	Kinds    map[Kind]time.Time
	Sections map[int64]time.Time
}

// ArchivesModified reads when the listings in lang last changed. An
// export asks it once a language (Memo); its maps are not to be changed.
func (s *Store) ArchivesModified(ctx context.Context, lang string) (ArchiveModified, error) {
	return Memo(ctx, "content.ArchivesModified/"+lang, func() (ArchiveModified, error) { return s.archivesModified(ctx, lang) })
}

func (s *Store) archivesModified(ctx context.Context, lang string) (ArchiveModified, error) {
	out := ArchiveModified{Kinds: map[Kind]time.Time{}, Sections: map[int64]time.Time{}}
	query, args := archivesModifiedQuery(lang, s.now())
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return out, fmt.Errorf("content: archives modified: %w", err)
	}
	defer rows.Close()
	later := func(a, b time.Time) time.Time {
		if b.After(a) {
			return b
		}
		return a
	}
	for rows.Next() {
		var kind Kind
		var section, updated, publish int64
		if err := rows.Scan(&kind, &section, &updated, &publish); err != nil {
			return out, fmt.Errorf("content: archives modified: %w", err)
		}
		at := unix(max(updated, publish))
		if kind == Page {
			continue // pages are in no listing
		}
		out.All = later(out.All, at)
		out.Kinds[kind] = later(out.Kinds[kind], at)
		if section != 0 {
			out.Sections[section] = later(out.Sections[section], at)
		}
	}
	return out, rows.Err()
}

// sitemapQuery is SitemapURLs' query: read from translations_sitemap
// alone (migration 0033), with the copy of the entry's kind that
// translations carry, sought from the id after rather than counted from
// the language's first (OFFSET, which walked every entry before).
func sitemapQuery(lang string, now, after int64, limit int) (string, []any) {
	return `SELECT t.entry_id, t.entry_kind, t.slug, t.updated_at, t.publish_at FROM translations t
		WHERE t.lang = ? AND t.entry_id > ? AND ` + visibleSQL + ` ORDER BY t.entry_id LIMIT ?`, []any{lang, after, now, limit}
}

// sitemapAfterQuery is SitemapAfter's: the ids at place-1 and place,
// counted in translations_sitemap.
func sitemapAfterQuery(lang string, now int64, place int) (string, []any) {
	// entry_id > 0 is always true: it leads SQLite's planner to this
	// index, in its order, rather than to translations_by_date and a sort.
	return `SELECT t.entry_id FROM translations t WHERE t.lang = ? AND t.entry_id > 0 AND ` + visibleSQL + ` ORDER BY t.entry_id LIMIT 2 OFFSET ?`, []any{lang, now, place - 1}
}

// archivesModifiedQuery is ArchivesModified's query: read from the
// index translations_modified alone, with the copies of the entry's kind
// and section that translations carry (migration 0017).
func archivesModifiedQuery(lang string, now time.Time) (string, []any) {
	return `SELECT t.entry_kind, COALESCE(t.entry_section_id, 0), MAX(t.updated_at), MAX(t.publish_at)
		FROM translations t WHERE t.lang = ? AND ` + visibleSQL + ` GROUP BY t.entry_kind, t.entry_section_id`, []any{lang, now.Unix()}
}

// Reach is where an entry can be read: its visible translations' slugs
// by language, and when each last changed for readers.
type Reach struct {
	Kind     Kind
	Slugs    map[string]string
	Modified map[string]time.Time
}

// URL is the entry's address in lang, or "" where it cannot be read.
func (r Reach) URL(lang string) string {
	slug, ok := r.Slugs[lang]
	if !ok {
		return ""
	}
	return URL(r.Kind, lang, slug)
}

// Reaches says where the entries that ids selects can be read, for the
// areas that publish pages of their own under entries (a statement's
// signatories, a campaign's tribute wall). ids is the area's own query
// of entry ids, a constant of its code; entries with no visible
// translation are left out.
func (s *Store) Reaches(ctx context.Context, ids string, args ...any) (map[int64]Reach, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT e.id, e.kind, t.lang, t.slug, t.updated_at, t.publish_at
		FROM translations t JOIN entries e ON e.id = t.entry_id
		WHERE e.id IN (`+ids+`) AND `+visibleSQL, append(args, s.now().Unix())...)
	if err != nil {
		return nil, fmt.Errorf("content: reaches: %w", err)
	}
	defer rows.Close()
	out := map[int64]Reach{}
	for rows.Next() {
		var id, updated, publish int64
		var kind Kind
		var lang, slug string
		if err := rows.Scan(&id, &kind, &lang, &slug, &updated, &publish); err != nil {
			return nil, fmt.Errorf("content: reaches: %w", err)
		}
		r, ok := out[id]
		if !ok {
			r = Reach{Kind: kind, Slugs: map[string]string{}, Modified: map[string]time.Time{}}
			out[id] = r
		}
		r.Slugs[lang], r.Modified[lang] = slug, unix(max(updated, publish))
	}
	return out, rows.Err()
}
