package content

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"peerpress/internal/db"
)

// Store reads and writes entries. Timestamps are kept as Unix seconds.
type Store struct {
	db *db.DB
	// quiet records the files added in the editor (AddUpload), which no
	// page shows until a save places them.
	quiet  db.Quiet
	now    func() time.Time
	bounds pageBounds
	// indexer re-indexes every translation saved, inside the save's
	// transaction: no store saves without it, so whatever writes entries
	// (the editor, the API, an import) leaves them searchable.
	indexer Indexer
	// holders keep media of their own for entries (SetMediaHolders).
	holders atomic.Pointer[[]MediaHolder]
	// exts add fields to entries of some kinds (SetExtensions).
	exts atomic.Pointer[[]Extension]
	// fragments keep what cold pages read of entries between writes
	// (fragments.go).
	fragments fragments

	// sections as last read, with the change count they were read at:
	// every public page's menu lists them, so a page rendered from the
	// database would otherwise read them once or twice.
	sections struct {
		sync.Mutex
		read    bool
		changes int64
		list    []Section
	}
	// tagCache: tags as last read, the same way (TagBySlug, TagsByID).
	tagCache tagCache
}

// Indexer keeps a search index in step with translations' text (the search
// package provides it). A deleted translation leaves the index through the
// database's foreign keys; status, publish time, kind and section are read
// live when searching, so only saves need it.
type Indexer interface {
	IndexTranslation(ctx context.Context, tx *db.Tx, t Translation) error
}

// NewStore returns a store over d that keeps index in step with every
// save. It panics without an index: entries saved unindexed would be
// missing from search with nothing to say so.
func NewStore(d *db.DB, index Indexer) *Store {
	if index == nil {
		panic("content: NewStore without an Indexer")
	}
	s := &Store{db: d, quiet: d.Quiet(), now: time.Now, indexer: index}
	s.bounds.idBudget = idBudget
	s.fragments = newFragments(d.Changes)
	return s
}

// SetMediaHolders names the areas that keep media of their own for
// entries (a campaign's tribute photos): DeleteEntry, whoever calls it,
// deletes those media with the entry.
func (s *Store) SetMediaHolders(hs ...MediaHolder) { s.holders.Store(&hs) }

func (s *Store) mediaHolders() []MediaHolder {
	if hs := s.holders.Load(); hs != nil {
		return *hs
	}
	return nil
}

// visibleSQL selects translations readers may see: anything not a draft
// whose publish time has come. Scheduled entries thus appear on time with
// nothing having to run.
const visibleSQL = `t.status <> 'draft' AND t.publish_at <= ?`

const translationCols = `t.id, t.entry_id, t.lang, t.title, t.slug, t.summary, t.body, t.status, t.publish_at, t.revision, t.source_revision, t.created_at, t.updated_at`

type scanner interface{ Scan(dest ...any) error }

func scanTranslation(s scanner, t *Translation, extra ...any) error {
	var publish, created, updated int64
	dest := append([]any{&t.ID, &t.EntryID, &t.Lang, &t.Title, &t.Slug, &t.Summary, &t.Body, &t.Status,
		&publish, &t.Revision, &t.SourceRevision, &created, &updated}, extra...)
	if err := s.Scan(dest...); err != nil {
		return err
	}
	t.PublishAt, t.CreatedAt, t.UpdatedAt = unix(publish), unix(created), unix(updated)
	return nil
}

func unix(s int64) time.Time { return time.Unix(s, 0).UTC() }

const entryCols = `e.id, e.kind, e.source_lang, e.section_id, e.author_id, e.featured, e.featured_media_id, e.created_at, e.updated_at`

func scanEntry(s scanner, e *Entry, extra ...any) error {
	var section, author, media sql.NullInt64
	var created, updated int64
	dest := append([]any{&e.ID, &e.Kind, &e.SourceLang, &section, &author, &e.Featured, &media, &created, &updated}, extra...)
	if err := s.Scan(dest...); err != nil {
		return err
	}
	e.SectionID, e.AuthorID, e.FeaturedMediaID = section.Int64, author.Int64, media.Int64
	e.CreatedAt, e.UpdatedAt = unix(created), unix(updated)
	return nil
}

// nullID stores 0 as NULL for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Entry loads an entry with all its translations, tags, organisations and
// extensions' values.
func (s *Store) Entry(ctx context.Context, id int64) (*Entry, error) {
	return s.entry(ctx, `SELECT `+entryCols+`, e.coauthor_role FROM entries e WHERE e.id = ?`, id)
}

// entry reads the entry query finds (its columns: entryCols and the
// co-author role), with its translations, tags, organisations and
// extensions.
func (s *Store) entry(ctx context.Context, query string, args ...any) (*Entry, error) {
	e := &Entry{}
	err := scanEntry(s.db.QueryRowContext(ctx, query, args...), e, &e.CoauthorRole)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("content: entry %v: %w", args, err)
	}
	if err := s.loadDetails(ctx, e); err != nil {
		return nil, err
	}
	return e, nil
}

func (s *Store) loadDetails(ctx context.Context, e *Entry) error {
	rows, err := s.db.QueryContext(ctx, `SELECT `+translationCols+` FROM translations t WHERE t.entry_id = ? ORDER BY t.lang`, e.ID)
	if err != nil {
		return fmt.Errorf("content: translations of %d: %w", e.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var t Translation
		if err := scanTranslation(rows, &t); err != nil {
			return fmt.Errorf("content: translations of %d: %w", e.ID, err)
		}
		e.Translations = append(e.Translations, t)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return s.loadRest(ctx, e)
}

// loadRest reads an entry's tags, organisations and extensions.
func (s *Store) loadRest(ctx context.Context, e *Entry) error {
	var err error
	if e.TagIDs, e.OrgIDs, e.attachments, err = s.links(ctx, e.ID); err != nil {
		return err
	}
	e.linksRead = true
	return s.loadExtensions(ctx, e)
}

// scanFunc is a scanner made of a function.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// after scans a row whose first columns go to before, the rest to the
// destinations Scan is given.
type after struct {
	s      scanner
	before []any
}

func (a after) Scan(dest ...any) error { return a.s.Scan(append(a.before, dest...)...) }

// links reads an entry's tags (by id), organisations (in their order) and
// how many files are attached to it in one statement: one round trip on
// PostgreSQL, not three, on every entry page, which then asks for the
// organisations and files only when there are some (issue 23).
func (s *Store) links(ctx context.Context, id int64) (tags, orgs []int64, attachments int, err error) {
	rows, err := s.db.QueryContext(ctx, `SELECT 0, tag_id, 0 FROM entry_tags WHERE entry_id = ?
		UNION ALL SELECT 1, organisation_id, position FROM entry_organisations WHERE entry_id = ?
		UNION ALL SELECT 2, COUNT(*), 0 FROM entry_attachments WHERE entry_id = ?
		ORDER BY 1, 3, 2`, id, id, id)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("content: tags and organisations of %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var what, ref, position int64
		if err := rows.Scan(&what, &ref, &position); err != nil {
			return nil, nil, 0, fmt.Errorf("content: tags and organisations of %d: %w", id, err)
		}
		switch what {
		case 0:
			tags = append(tags, ref)
		case 1:
			orgs = append(orgs, ref)
		default:
			attachments = int(ref)
		}
	}
	return tags, orgs, attachments, rows.Err()
}

func (s *Store) ids(ctx context.Context, query string, args ...any) ([]int64, error) {
	return queryIDs(ctx, s.db, query, args...)
}

// queryIDs runs a query of one id column, on the database or inside a
// transaction.
func queryIDs(ctx context.Context, q db.Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// BySlug finds the entry whose translation in lang has this slug, whatever
// its status; callers decide what readers may see.
func (s *Store) BySlug(ctx context.Context, lang, slug string) (*Entry, error) {
	if e := preloaded(ctx).entry(lang, slug); e != nil {
		return e, nil // read for the static mirror (Preload)
	}
	// Kept until the next write: every entry page asks, and each
	// statement is a round trip to PostgreSQL (issue 23). Whether it is
	// visible yet is the caller's to say, at the time it asks.
	key := slugKey{lang, slug}
	if e, ok := s.fragments.entries.Get(key); ok {
		return e.clone(), nil
	}
	at := s.fragments.entries.Version()
	// One query finds the slug's entry and reads it with its
	// translations, a row each.
	rows, err := s.db.QueryContext(ctx, `SELECT `+entryCols+`, e.coauthor_role, `+translationCols+`
		FROM entries e JOIN translations t ON t.entry_id = e.id
		WHERE e.id = (SELECT entry_id FROM translations WHERE lang = ? AND slug = ?) ORDER BY t.lang`, lang, slug)
	if err != nil {
		return nil, fmt.Errorf("content: entry %s/%s: %w", lang, slug, err)
	}
	defer rows.Close()
	var e *Entry
	for rows.Next() {
		var row Entry
		var t Translation
		err := scanEntry(scanFunc(func(dest ...any) error {
			return scanTranslation(after{rows, dest}, &t)
		}), &row, &row.CoauthorRole)
		if err != nil {
			return nil, fmt.Errorf("content: entry %s/%s: %w", lang, slug, err)
		}
		if e == nil {
			e = &row
		}
		e.Translations = append(e.Translations, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("content: entry %s/%s: %w", lang, slug, err)
	}
	if e == nil {
		return nil, db.ErrNotFound
	}
	if err := s.loadRest(ctx, e); err != nil {
		return nil, err
	}
	if e.textBytes() <= maxKeptEntryBytes {
		s.fragments.entries.Put(at, key, e.clone())
	}
	return e, nil
}

// maxKeptEntryBytes is the most text of an entry BySlug keeps: with at
// most 256 kept, 16 MiB at worst. A longer entry (a report in full) is
// read each time.
const maxKeptEntryBytes = 64 << 10

// textBytes is the length of e's translations' texts.
func (e *Entry) textBytes() int {
	n := 0
	for _, t := range e.Translations {
		n += len(t.Title) + len(t.Summary) + len(t.Body)
	}
	return n
}

// clone copies e, so that what a caller changes of its copy stays its own.
func (e *Entry) clone() *Entry {
	c := *e
	c.Translations = slices.Clone(e.Translations)
	c.TagIDs, c.OrgIDs = slices.Clone(e.TagIDs), slices.Clone(e.OrgIDs)
	c.Ext = maps.Clone(e.Ext)
	return &c
}

// BySlugAnyLang finds a visible entry whose translation in some language
// has this slug.
func (s *Store) BySlugAnyLang(ctx context.Context, slug string) (*Entry, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT t.entry_id FROM translations t WHERE t.slug = ? AND `+visibleSQL+` ORDER BY t.id LIMIT 1`, slug, s.now().Unix()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("content: by slug in any language: %w", err)
	}
	return s.Entry(ctx, id)
}

// OldPath looks up a URL that used to lead somewhere. It returns the
// current URL to redirect to, or "" when the page is gone for good.
func (s *Store) OldPath(ctx context.Context, path string) (string, error) {
	var kind Kind
	var lang, slug sql.NullString
	var target string
	err := s.db.QueryRowContext(ctx, `
		SELECT COALESCE(e.kind, ''), t.lang, t.slug, o.target
		FROM old_paths o
		LEFT JOIN translations t ON t.id = o.translation_id
		LEFT JOIN entries e ON e.id = t.entry_id
		WHERE o.path = ?`, path).Scan(&kind, &lang, &slug, &target)
	if errors.Is(err, sql.ErrNoRows) {
		return "", db.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("content: old path: %w", err)
	}
	if !lang.Valid {
		return target, nil
	}
	return URL(kind, lang.String, slug.String), nil
}

// Item is an entry as listings show it, in one language.
type Item struct {
	EntryID   int64
	Kind      Kind
	Lang      string
	Title     string
	Slug      string
	Summary   string
	Status    Status
	PublishAt time.Time
	SectionID int64
	MediaID   int64
	// Ext holds the values of the extensions of the item's kind, by
	// their names (Extension); Notes their lines under the title, set by
	// the public pages.
	Ext      map[string]any
	Notes    []template.HTML
	URL      string
	ImageURL string // set by handlers that show images
	// Thumb is the featured image's smallest copy, set by the listings
	// that show one; nil when the item has none.
	Thumb       *Thumb
	SectionName string // set by handlers
	LangName    string // set when the item is not in the page's language
}

// Thumb is a small image beside an item in a listing.
type Thumb struct {
	URL           string
	Width, Height int
}

// ListFilter narrows a public listing.
type ListFilter struct {
	Lang            string
	Kind            Kind  // "": every kind but pages
	SectionID       int64 // 0: any
	TagID           int64 // 0: any
	ExcludeArchived bool
	// IncludeUntranslated adds entries with no visible translation in Lang,
	// in their source language.
	IncludeUntranslated bool
}

// listing is how a listing's keys are read, newest first: the table and
// index walked (migration 0017) and the conditions. The listing's order is
// (publish time, entry id), newest first: an entry has at most one
// translation in a listing, and its items carry both. List, Latest and
// the scan of a listing's bounds all build their queries from it
// (pageQuery, boundsQuery), and TestListingPlansWalkAnIndex explains
// those same queries on both engines.
type listing struct {
	from, where    string
	args           []any
	pub, entry, id string // publish time, entry id (the sort key) and translation id
}

// listing is f's listing of what is visible at now, from its start or,
// with after, from after the key after: the index range then starts at
// that key instead of at now, and a deep page is a seek, not a walk.
//
// Each filter walks an index that starts with its equalities and goes on
// in the listing's order, so the first page stops after perPage entries
// and no engine sorts the listing: a tag walks tag_listing_walk, a
// section translations_by_section, a kind translations_by_kind, every
// kind but pages translations_by_date.
func (f ListFilter) listing(now time.Time, after *pageKey) listing {
	if f.IncludeUntranslated {
		return f.untranslated(now, after)
	}
	var l listing
	var conds []string
	add := func(cond string, args ...any) {
		conds = append(conds, cond)
		l.args = append(l.args, args...)
	}
	c := "k."
	if f.TagID != 0 {
		c = "l."
		l.from, l.pub, l.entry, l.id = "tag_listing l", "l.publish_at", "l.entry_id", "l.translation_id"
		add("l.tag_id = ?", f.TagID)
	} else {
		l.from, l.pub, l.entry, l.id = "translations k", "k.publish_at", "k.entry_id", "k.id"
	}
	add(c+"lang = ?", f.Lang)
	if f.SectionID != 0 {
		if f.TagID != 0 {
			add("EXISTS (SELECT 1 FROM translations x WHERE x.id = l.translation_id AND x.entry_section_id = ?)", f.SectionID)
		} else {
			add("k.entry_section_id = ?", f.SectionID)
		}
	}
	if f.Kind != "" {
		add(c+"entry_kind = ?", f.Kind)
	} else {
		add(c + "entry_kind <> 'page'")
	}
	// Visible (as visibleSQL), and after the key.
	add(c+"status <> 'draft' AND "+l.bound(after), l.boundArgs(now, after)...)
	if f.ExcludeArchived {
		add(c + "status <> 'archived'")
	}
	l.where = strings.Join(conds, " AND ")
	return l
}

// untranslated is the listing of f.IncludeUntranslated: translations in
// f.Lang and, for entries with none visible there, the source language's.
// It cannot start from one language, so it walks every translation in
// the listing's order (translations_publish, which covers the filters),
// or a tag's rows in every language (tag_listing_all), and keeps those;
// the option is off once an admin saves the settings.
func (f ListFilter) untranslated(now time.Time, after *pageKey) listing {
	// The source language is looked up per translation walked, not
	// joined: a join would let PostgreSQL hash it and sort the listing.
	// A tag's listing walks the tag's rows in every language
	// (tag_listing_all), not every translation of the site.
	l := listing{from: "translations k", pub: "k.publish_at", entry: "k.entry_id", id: "k.id"}
	c := "k."
	var conds []string
	if f.TagID != 0 {
		l = listing{from: "tag_listing k", pub: "k.publish_at", entry: "k.entry_id", id: "k.translation_id"}
		conds = append(conds, "k.tag_id = ?")
		l.args = append(l.args, f.TagID)
	}
	// "LIMIT 1 OFFSET 0" keeps NOT EXISTS a probe of one translation per
	// entry walked: without it PostgreSQL may hash every visible
	// translation in the language first (100,000 rows, 100 ms for a French
	// archive page at 100,000 entries, against 0.3 ms).
	conds = append(conds, c+`status <> 'draft' AND `+l.bound(after), `(`+c+`lang = ? OR (`+c+`lang = (SELECT ke.source_lang FROM entries ke WHERE ke.id = k.entry_id) AND NOT EXISTS (
			SELECT 1 FROM translations x WHERE x.entry_id = k.entry_id AND x.lang = ? AND x.status <> 'draft' AND x.publish_at <= ? LIMIT 1 OFFSET 0)))`)
	l.args = append(l.args, l.boundArgs(now, after)...)
	l.args = append(l.args, f.Lang, f.Lang, now.Unix())
	if f.Kind != "" {
		conds = append(conds, c+"entry_kind = ?")
		l.args = append(l.args, f.Kind)
	} else {
		conds = append(conds, c+"entry_kind <> 'page'")
	}
	if f.SectionID != 0 {
		if f.TagID != 0 {
			conds = append(conds, "EXISTS (SELECT 1 FROM translations x WHERE x.id = k.translation_id AND x.entry_section_id = ?)")
		} else {
			conds = append(conds, "k.entry_section_id = ?")
		}
		l.args = append(l.args, f.SectionID)
	}
	if f.ExcludeArchived {
		conds = append(conds, c+"status <> 'archived'")
	}
	l.where = strings.Join(conds, " AND ")
	return l
}

// bound is where the listing starts: at now (published by then), or
// after a page's last key. After a key it is one row comparison and no
// bound on the publish time beside it: both engines seek the index to
// the key with it, and PostgreSQL then reckons a generic plan of the
// prepared statement as dear as a custom one and uses it. With
// "pub <= ? AND (pub < ? OR entry < ?)" it reckoned the untranslated
// listings' later pages at twice the custom plan's cost and planned
// every execution afresh: 1.3 ms of PostgreSQL's time for a section's or
// a tag's page 3 at 100,000 entries, against 0.4 ms running it.
func (l listing) bound(after *pageKey) string {
	if after == nil {
		return l.pub + ` <= ?`
	}
	return `(` + l.pub + `, ` + l.entry + `) < (?, ?)`
}

// boundArgs are bound's values. A key after now (a cursor from a program
// may lie in the future) becomes the first key past now: the boundary
// item was visible, so a key not after now also keeps what is published
// by now, and the listing never reaches past it.
func (l listing) boundArgs(now time.Time, after *pageKey) []any {
	if after == nil {
		return []any{now.Unix()}
	}
	if after.publishAt > now.Unix() {
		// (pub, entry) < (now+1, 0): published by now, entry ids being
		// positive.
		return []any{now.Unix() + 1, int64(0)}
	}
	return []any{after.publishAt, after.entryID}
}

// order is the listing's order, newest first.
func (l listing) order() string { return ` ORDER BY ` + l.pub + ` DESC, ` + l.entry + ` DESC` }

// pageQuery is the query for up to limit items of f's listing after the
// key after (nil: from the start). The keys are read from the listing's
// index alone, then their items by translation id; the items come in no
// order (sortItems puts them in the listing's).
func (f ListFilter) pageQuery(now time.Time, after *pageKey, limit int) (string, []any) {
	return f.pageQueryOf(itemSelect, now, after, limit)
}

// pageQueryOf is pageQuery selecting columns of translations t and
// entries e other than an Item's: selectFrom is "SELECT … FROM
// translations t JOIN entries e ON e.id = t.entry_id".
func (f ListFilter) pageQueryOf(selectFrom string, now time.Time, after *pageKey, limit int) (string, []any) {
	l := f.listing(now, after)
	// The limit is written into the text, not passed: with "LIMIT $n"
	// PostgreSQL's generic plan of the prepared statement reckons on a
	// tenth of the listing, costs it a thousand times the custom plan and
	// plans every execution afresh (0.4–0.6 ms at 100,000 entries, more
	// than running it). Limits come from the code and the API's 1–101,
	// so the texts are few.
	return selectFrom + ` WHERE t.id IN (SELECT ` + l.id + ` FROM ` + l.from + ` WHERE ` + l.where + l.order() + ` LIMIT ` + strconv.Itoa(limit) + `)`,
		l.args
}

// boundsQuery is the query that reads every key of f's listing, in
// order, with each key's translation id.
func (f ListFilter) boundsQuery(now time.Time) (string, []any) {
	l := f.listing(now, nil)
	return `SELECT ` + l.pub + `, ` + l.entry + `, ` + l.id + ` FROM ` + l.from + ` WHERE ` + l.where + l.order(), l.args
}

// sortItems puts a page's items in the listing's order.
func sortItems(items []Item) {
	slices.SortFunc(items, func(a, b Item) int {
		if c := b.PublishAt.Compare(a.PublishAt); c != 0 {
			return c
		}
		return cmp.Compare(b.EntryID, a.EntryID)
	})
}

const itemCols = `SELECT e.id, e.kind, t.lang, t.title, t.slug, t.summary, t.status, t.publish_at, e.section_id, e.featured_media_id`

const itemSelect = itemCols + `
	FROM translations t
	JOIN entries e ON e.id = t.entry_id`

// items runs a listing query, then adds the extensions' values to the
// items it found.
func (s *Store) items(ctx context.Context, query string, args ...any) ([]Item, error) {
	out, err := s.scanItems(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return out, s.annotate(ctx, out)
}

// itemsPerPage is the rows a public listing's page shows by default
// (Public.PerPage): the room scanItems makes before it reads.
const itemsPerPage = 10

func (s *Store) scanItems(ctx context.Context, query string, args ...any) ([]Item, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("content: list: %w", err)
	}
	defer rows.Close()
	// Room for a page of rows at once, each scanned in place: an Item is
	// some 300 bytes, and a page of ten grown from nothing (and each row
	// scanned into a copy the scan's pointers moved to the heap) was a
	// quarter of a listing page's allocations (issue 23).
	out := make([]Item, 0, itemsPerPage)
	for rows.Next() {
		out = append(out, Item{})
		it := &out[len(out)-1]
		var publish int64
		var section, media sql.NullInt64
		if err := rows.Scan(&it.EntryID, &it.Kind, &it.Lang, &it.Title, &it.Slug, &it.Summary, &it.Status, &publish,
			&section, &media); err != nil {
			return nil, fmt.Errorf("content: list: %w", err)
		}
		it.PublishAt = unix(publish)
		it.SectionID, it.MediaID = section.Int64, media.Int64
		it.URL = URL(it.Kind, it.Lang, it.Slug)
	}
	if len(out) == 0 {
		out = nil
	}
	return out, rows.Err()
}

// List returns one page of visible entries, newest first, and the total.
// A page is its rows read by their keys, which the listing's bounds keep
// (bounds.ids), or, past those, found by seeking from the previous page's
// last item, never by OFFSET, so page 5,000 costs what page 1 does (see
// pageBounds).
func (s *Store) List(ctx context.Context, f ListFilter, page, perPage int) ([]Item, int, error) {
	now := s.now()
	b, err := s.listingBounds(ctx, f, now, perPage)
	if err != nil {
		return nil, 0, err
	}
	if b.hasPage(page, perPage) {
		return s.listed(ctx, b, page, perPage)
	}
	var after *pageKey
	if page > 1 {
		if page-2 >= len(b.lastKeys) {
			return nil, b.total, nil // past the end
		}
		after = &b.lastKeys[page-2]
	}
	query, args := f.pageQuery(now, after, perPage)
	items, err := s.items(ctx, query, args...)
	sortItems(items)
	return items, b.total, err
}

// listed is List's page from the translations of the listing read with
// its bounds (bounds.ids, bounds.hasPage): seeking a page walks the
// listing's rows from the page's bound through its filter (with
// IncludeUntranslated, every language's, two lookups a row).
func (s *Store) listed(ctx context.Context, b *bounds, page, perPage int) ([]Item, int, error) {
	start := (max(page, 1) - 1) * perPage
	if start >= len(b.ids) {
		return nil, b.total, nil // past the end
	}
	ids := b.ids[start:min(start+perPage, len(b.ids))]
	in, args := inIDs(ids)
	items, err := s.items(ctx, itemSelect+` WHERE t.id IN `+in, args...)
	sortItems(items)
	return items, b.total, err
}

// pageKey is where a listing's page ends, in its sort order.
type pageKey struct {
	publishAt int64
	entryID   int64
}

// bounds is a listing's size and the last key of each of its pages. It
// is never changed once made; a newer confirmation is a copy.
type bounds struct {
	changes    int64 // the database's change count it was last known good at
	generation int64 // the listing generation it was read at (migration 0012)
	expires    int64 // the next scheduled publication (Unix time), when it goes stale
	total      int
	lastKeys   []pageKey // lastKeys[i] ends page i+1
	// ids are the listing's translations in its order: a page among
	// them is its ids' rows, not a walk from its bound. Reading ten rows
	// by their keys took PostgreSQL half the time of walking to them
	// through the listing's filter (issue 23), and a deep page's walk
	// with IncludeUntranslated looks up two more rows for each foreign
	// one it passes. All of them while the listings kept hold fewer than
	// pageBounds.idBudget; past that, those of the first headPages pages
	// (readers ask for the first few pages). An export of the static
	// mirror (a context from WithMemo), which renders every page, keeps
	// them all.
	ids []int64
}

// headPages is how many of a listing's first pages its bounds keep the
// rows of (bounds.ids) whatever the budget.
const headPages = 5

// hasPage says whether the bounds keep the rows of page (bounds.ids):
// a page among the ids kept, or past the end of a listing kept whole.
func (b *bounds) hasPage(page, perPage int) bool {
	end := max(page, 1) * perPage
	return end <= len(b.ids) || len(b.ids) == b.total
}

// pageBounds caches the bounds of listings: one scan of the listing's
// index entries, then every numbered page is a seek. With 100,000 entries
// a listing's bounds take some 160 KB, and the scan some tens of
// milliseconds, so it is not repeated for writes that cannot change a
// listing (a title, a signature, a tribute): after any write the listing
// generation, kept by the database's triggers, says whether the bounds
// still hold.
type pageBounds struct {
	mu    sync.Mutex
	m     map[string]*bounds
	scans singleflight.Group
	// idBudget bounds the translation ids kept by the listings' bounds
	// (bounds.ids) of the live site, beyond their first pages'.
	idBudget int
}

// maxListings bounds how many listings' bounds are kept.
const maxListings = 512

// idBudget is pageBounds.idBudget: 16 MB of ids. Every listing a
// crawler could ask for in three languages at 100,000 entries — the
// kinds', sections' and tags', each language's with the untranslated —
// is some two million rows.
const idBudget = 2 << 20

// idRoom is how many translation ids the live site's bounds of the
// listing key may keep: what the others leave of the budget. A soft
// bound: scans of other listings under way at once each see the same
// room, so the budget may be passed by what they read meanwhile.
func (pb *pageBounds) idRoom(key string) int {
	pb.mu.Lock()
	defer pb.mu.Unlock()
	kept := 0
	for k, b := range pb.m {
		if k != key {
			kept += len(b.ids)
		}
	}
	return pb.idBudget - kept
}

// boundsKey names a listing's bounds, perPage a page.
func boundsKey(f ListFilter, perPage int) string { return fmt.Sprintf("%+v/%d", f, perPage) }

func (s *Store) listingBounds(ctx context.Context, f ListFilter, at time.Time, perPage int) (*bounds, error) {
	key := boundsKey(f, perPage)
	changes, now := s.db.Changes(), at.Unix()
	s.bounds.mu.Lock()
	b := s.bounds.m[key]
	s.bounds.mu.Unlock()
	if b != nil && b.changes == changes && now < b.expires {
		return b, nil
	}
	// Read after the change count: a write between the two makes the
	// next request look again.
	var generation int64
	if err := s.db.QueryRowContext(ctx, `SELECT generation FROM listing_state WHERE id = 1`).Scan(&generation); err != nil {
		return nil, fmt.Errorf("content: listing generation: %w", err)
	}
	if b != nil && b.generation == generation && now < b.expires {
		confirmed := *b
		confirmed.changes = changes
		s.keepBounds(key, &confirmed)
		return &confirmed, nil
	}
	// Pages of one listing rendered at once share one scan. An export
	// keeps all of the listing's rows (bounds.ids) when it has to walk
	// it: not when it has the bounds without them (an incremental
	// export's, AddBounds), which it uses for the few pages it renders.
	allIDs := exporting(ctx)
	scan := key + "/" + strconv.FormatInt(generation, 10)
	if allIDs {
		scan += "/ids"
	}
	v, err, _ := s.bounds.scans.Do(scan, func() (any, error) {
		// Shared: one reader leaving must not fail the others.
		b, err := s.scanBounds(context.WithoutCancel(ctx), f, perPage, at, allIDs)
		if err != nil {
			return nil, err
		}
		b.changes, b.generation = changes, generation
		s.keepBounds(key, b)
		return b, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*bounds), nil
}

func (s *Store) keepBounds(key string, b *bounds) {
	s.bounds.mu.Lock()
	defer s.bounds.mu.Unlock()
	if s.bounds.m == nil || len(s.bounds.m) >= maxListings {
		s.bounds.m = map[string]*bounds{}
	}
	s.bounds.m[key] = b
}

// Changes is the database's change count (db.DB.Changes), which stamps
// what other areas keep of entries between writes (web.Fragments).
func (s *Store) Changes() int64 { return s.db.Changes() }

// NextPublication is the next time (Unix seconds) after at when a
// translation's publish time comes, math.MaxInt64 if none: a translation
// scheduled then joins the pages with no write to say so, and what was
// kept of them until the next write is stale from then on.
func (s *Store) NextPublication(ctx context.Context, at time.Time) (int64, error) {
	var next sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MIN(publish_at) FROM translations WHERE publish_at > ?`, at.Unix()).Scan(&next); err != nil {
		return 0, fmt.Errorf("content: next publication: %w", err)
	}
	if !next.Valid {
		return math.MaxInt64, nil
	}
	return next.Int64, nil
}

// scanBounds reads a listing's bounds as of now, with its translations
// (bounds.ids) as far as the budget allows, at least those of its first
// headPages pages; with all, all of them.
func (s *Store) scanBounds(ctx context.Context, f ListFilter, perPage int, at time.Time, all bool) (*bounds, error) {
	// A translation scheduled later joins listings when its time comes,
	// with no write to say so.
	next, err := s.NextPublication(ctx, at)
	if err != nil {
		return nil, fmt.Errorf("content: listing bounds: %w", err)
	}
	b := &bounds{expires: next, ids: []int64{}}
	keep := max(headPages*perPage, s.bounds.idRoom(boundsKey(f, perPage)))
	if all {
		keep = math.MaxInt
	}
	query, args := f.boundsQuery(at)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("content: listing bounds: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k pageKey
		var id int64
		if err := rows.Scan(&k.publishAt, &k.entryID, &id); err != nil {
			return nil, err
		}
		if len(b.ids) < keep {
			b.ids = append(b.ids, id)
		}
		b.total++
		if b.total%perPage == 0 {
			b.lastKeys = append(b.lastKeys, k)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("content: listing bounds: %w", err)
	}
	return b, nil
}

// Latest returns the newest visible entries, without the listing's total
// (the home page needs no pager). They are kept until the next write or
// publish time: every home page asks, and each statement is a round trip
// to PostgreSQL (issue 23). The caller may change its copy's items.
func (s *Store) Latest(ctx context.Context, f ListFilter, limit int) ([]Item, error) {
	key, now := latestKey{f, limit}, s.now()
	if kept, ok := s.fragments.latest.Get(key); ok && now.Unix() < kept.expires {
		return slices.Clone(kept.items), nil
	}
	at := s.fragments.latest.Version()
	next, err := s.NextPublication(ctx, now)
	if err != nil {
		return nil, err
	}
	query, args := f.pageQuery(now, nil, limit)
	items, err := s.items(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	sortItems(items)
	s.fragments.latest.Put(at, key, latestItems{items: slices.Clone(items), expires: next})
	return items, nil
}

// Text is a listed translation with its body, and its entry's kind:
// what a feed shows of an entry.
type Text struct {
	Kind Kind
	Translation
}

// URL is the translation's public address.
func (t Text) URL() string { return URL(t.Kind, t.Lang, t.Slug) }

// LatestTexts returns the newest visible translations of f's listing,
// bodies included, newest first: what a feed shows, read as a feed reads
// it when it has kept none of its items (LatestKeys, then TextsByID).
func (s *Store) LatestTexts(ctx context.Context, f ListFilter, limit int) ([]Text, error) {
	keys, err := s.LatestKeys(ctx, f, limit)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	texts, err := s.TextsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Text, 0, len(keys))
	for _, k := range keys {
		if t, ok := texts[k.ID]; ok { // not deleted between the two reads
			out = append(out, t)
		}
	}
	return out, nil
}

// TextKey is what a listed translation's feed item is made of, but its
// words: the words (title, summary, body) change only with the revision
// (saveTranslation counts every change of them), so a feed that kept an
// item by its key needs no body from the database to know it is current.
type TextKey struct {
	ID, EntryID                     int64
	Kind                            Kind
	Lang, Slug                      string
	Revision                        int
	PublishAt, CreatedAt, UpdatedAt time.Time
}

// URL is the translation's public address.
func (k TextKey) URL() string { return URL(k.Kind, k.Lang, k.Slug) }

// Modified is when the translation last changed for its readers.
func (k TextKey) Modified() time.Time {
	return Translation{PublishAt: k.PublishAt, UpdatedAt: k.UpdatedAt}.Modified()
}

// Key is the text's key.
func (t Text) Key() TextKey {
	return TextKey{ID: t.ID, EntryID: t.EntryID, Kind: t.Kind, Lang: t.Lang, Slug: t.Slug, Revision: t.Revision,
		PublishAt: t.PublishAt, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

// LatestKeys returns the keys of the translations LatestTexts returns, in
// the same order, without reading their words: a feed reads the bodies of
// the items it has not kept (TextsByID) and no others. Reading twenty
// bodies was a quarter of a cold feed's CPU on SQLite (issue 23).
func (s *Store) LatestKeys(ctx context.Context, f ListFilter, limit int) ([]TextKey, error) {
	query, args := latestKeysQuery(f, s.now(), limit)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("content: latest keys: %w", err)
	}
	defer rows.Close()
	var out []TextKey
	for rows.Next() {
		var k TextKey
		var publish, created, updated int64
		if err := rows.Scan(&k.ID, &k.EntryID, &k.Kind, &k.Lang, &k.Slug, &publish, &k.Revision, &created, &updated); err != nil {
			return nil, fmt.Errorf("content: latest keys: %w", err)
		}
		k.PublishAt, k.CreatedAt, k.UpdatedAt = unix(publish), unix(created), unix(updated)
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("content: latest keys: %w", err)
	}
	slices.SortFunc(out, func(a, b TextKey) int {
		if c := b.PublishAt.Compare(a.PublishAt); c != 0 {
			return c
		}
		return cmp.Compare(b.EntryID, a.EntryID)
	})
	return out, nil
}

// latestKeysQuery is the query LatestKeys runs: the listing's walk, as
// LatestTexts, around it the keys alone.
func latestKeysQuery(f ListFilter, now time.Time, limit int) (string, []any) {
	// The entry's kind from the translation's copy of it (kept by
	// triggers), not a join: twenty lookups fewer.
	return f.pageQueryOf(`SELECT t.id, t.entry_id, t.entry_kind, t.lang, t.slug, t.publish_at, t.revision, t.created_at, t.updated_at
	FROM translations t`, now, nil, limit)
}

// textsByIDQuery is the query TextsByID runs; ids must not be empty.
func textsByIDQuery(ids []int64) (string, []any) {
	list, args := db.InList(ids)
	// The kind from the translation's copy, as latestKeysQuery: a join
	// let PostgreSQL read every entry into a hash for twenty.
	return `SELECT ` + translationCols + `, t.entry_kind FROM translations t WHERE t.id IN (` + list + `)`, args
}

// TextsByID returns the translations with the given ids, bodies included,
// by id; ids not found are left out.
func (s *Store) TextsByID(ctx context.Context, ids []int64) (map[int64]Text, error) {
	out := make(map[int64]Text, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	query, args := textsByIDQuery(ids)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("content: texts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t Text
		if err := scanTranslation(rows, &t.Translation, &t.Kind); err != nil {
			return nil, fmt.Errorf("content: texts: %w", err)
		}
		out[t.ID] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("content: texts: %w", err)
	}
	return out, nil
}

// Featured returns the newest featured entry of a kind visible in lang,
// not archived: what a feature area puts at the top of the home page.
func (s *Store) Featured(ctx context.Context, lang string, kind Kind) (Item, error) {
	// CROSS JOIN makes SQLite start from the few featured entries,
	// whatever its statistics say; to PostgreSQL it is an ordinary join.
	// TRUE, not a parameter: PostgreSQL's generic plan then knows how
	// few entries are featured and is used, not planned again each time.
	items, err := s.items(ctx, itemCols+` FROM entries e CROSS JOIN translations t
		WHERE t.entry_id = e.id AND e.featured = TRUE AND e.kind = ? AND `+visibleSQL+` AND t.lang = ? AND t.status <> 'archived'
		ORDER BY t.publish_at DESC, e.id DESC LIMIT 1`, kind, s.now().Unix(), lang)
	if err != nil {
		return Item{}, err
	}
	if len(items) == 0 {
		return Item{}, db.ErrNotFound
	}
	return items[0], nil
}

// VisibleLangs lists, for the given entries, which languages readers can see.
func (s *Store) VisibleLangs(ctx context.Context, entryID int64) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT t.lang, t.slug FROM translations t WHERE t.entry_id = ? AND `+visibleSQL, entryID, s.now().Unix())
	if err != nil {
		return nil, fmt.Errorf("content: langs: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var lang, slug string
		if err := rows.Scan(&lang, &slug); err != nil {
			return nil, err
		}
		out[lang] = slug
	}
	return out, rows.Err()
}

// EntryTags lists the tags of an entry.
func (s *Store) EntryTags(ctx context.Context, entryID int64) ([]Tag, error) {
	if p := preloaded(ctx); p.holds(entryID) {
		return p.tags[entryID], nil
	}
	return s.tags(ctx, `WHERE t.id IN (SELECT tag_id FROM entry_tags WHERE entry_id = ?)`, entryID)
}

// EntryOrganisations lists an entry's co-author organisations in order.
func (s *Store) EntryOrganisations(ctx context.Context, entryID int64) ([]Organisation, error) {
	if p := preloaded(ctx); p.holds(entryID) {
		return p.orgs[entryID], nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT o.id, o.slug, o.name, o.website, o.country, o.relation
		FROM organisations o JOIN entry_organisations eo ON eo.organisation_id = o.id
		WHERE eo.entry_id = ? ORDER BY eo.position, o.name`, entryID)
	if err != nil {
		return nil, fmt.Errorf("content: entry organisations: %w", err)
	}
	defer rows.Close()
	return scanOrganisations(rows)
}
