package search

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"peerpress/internal/content"
	"peerpress/internal/db"
)

// ErrNoWords is returned for a query with nothing to search for once
// punctuation is set aside.
var ErrNoWords = errors.New("search: no words in the query")

// MaxResults bounds the results one query ranks and pages through. The
// candidates are the most recently written matching translations, at most
// maxTitleCandidates of those matching in the title and MaxResults
// matching anywhere; at 100,000 entries a common word matches most of them, and
// ranking them all would blow the time budget. A reader with more than
// this is told to narrow the search.
const MaxResults = 200

// maxTitleCandidates bounds the candidates matched in their titles, which
// bring older title matches into the ranking beside the newest matches.
const maxTitleCandidates = 50

// Query is what a reader searches for.
type Query struct {
	Text       string
	Langs      []string // languages searched; each is matched with its own stems
	ReaderLang string   // ranks the reader's language first among equals
	Kind       content.Kind
	SectionID  int64
	// Year, when not 0, keeps entries published that year in Zone.
	Year int
	Zone *time.Location
}

// Hit is one result, ready to show.
type Hit struct {
	TranslationID int64
	EntryID       int64
	Kind          content.Kind
	Lang          string
	Title         template.HTML // escaped, matches marked
	Snippet       template.HTML // escaped, matches marked
	URL           string
	PublishAt     time.Time
	SectionID     int64
	score         int
}

// Results is one page of results.
type Results struct {
	Hits  []Hit
	Total int  // results ranked, at most MaxResults
	More  bool // more matched than were ranked
}

// Searcher runs queries.
type Searcher struct {
	db  *db.DB
	now func() time.Time
}

// NewSearcher returns a searcher over d.
func NewSearcher(d *db.DB) *Searcher { return &Searcher{db: d, now: time.Now} }

// candidate is a matching translation, with what ranking reads.
type candidate struct {
	id           int64
	lang         string
	titleTerms   string // stored words: "en_a en_b", or 'en_a' 'en_b' from a tsvector
	summaryTerms string
	publishAt    int64
	score        int
}

// queryTerms analyses the query once per searched language.
func queryTerms(text string, langs []string) map[string][]string {
	out := map[string][]string{}
	for _, lang := range langs {
		if ts := terms(lang, text); len(ts) > 0 {
			out[lang] = ts
		}
	}
	return out
}

// Search returns page (from 1) of the results, perPage a page.
func (s *Searcher) Search(ctx context.Context, q Query, page, perPage int) (Results, error) {
	groups := queryTerms(q.Text, q.Langs)
	if len(groups) == 0 {
		return Results{}, ErrNoWords
	}
	where, args := q.filters(s.now())
	facets := q.facetWords()
	cands, more, err := s.candidates(ctx, groups, facets, false, where, args)
	if err != nil {
		return Results{}, err
	}
	if more {
		// Only the newest matches were read: bring in older ones that
		// match in their titles (the rest all did, when none were left).
		inTitle, _, err := s.candidates(ctx, groups, facets, true, where, args)
		if err != nil {
			return Results{}, err
		}
		cands = append(inTitle, cands...)
	}
	ranked := rank(groups, q.ReaderLang, cands)
	res := Results{More: more}
	if len(ranked) > MaxResults {
		ranked = ranked[:MaxResults]
	}
	res.Total = len(ranked)
	from := (page - 1) * perPage
	if page < 1 || from >= len(ranked) {
		return res, nil
	}
	res.Hits, err = s.hits(ctx, groups, ranked[from:min(from+perPage, len(ranked))])
	return res, err
}

// filters is what the index cannot decide: visibility, which depends on
// the time (as content lists entries), and the exact bounds of the year
// in the site's zone. Kind, section and year are also index words
// (facetWords), which is what makes filtered searches fast.
func (q Query) filters(now time.Time) (string, []any) {
	conds := []string{`d.status <> 'draft'`, `d.publish_at <= ?`}
	args := []any{now.Unix()}
	if q.Year != 0 {
		start := time.Date(q.Year, time.January, 1, 0, 0, 0, 0, q.zone())
		conds = append(conds, `d.publish_at >= ?`, `d.publish_at < ?`)
		args = append(args, start.Unix(), start.AddDate(1, 0, 0).Unix())
	}
	return strings.Join(conds, " AND "), args
}

func (q Query) zone() *time.Location {
	if q.Zone == nil {
		return time.UTC
	}
	return q.Zone
}

// facetWords are the index words the filters require: each inner slice
// is a choice of words, one of which must be present. The year words are
// UTC years; a year in the site's zone may begin in the previous UTC year
// or end in the next, so those are allowed here and filters cuts exactly.
func (q Query) facetWords() [][]string {
	var out [][]string
	if q.SectionID != 0 {
		out = append(out, []string{"s_" + strconv.FormatInt(q.SectionID, 10)})
	}
	if q.Year == 0 {
		if q.Kind != "" {
			out = append(out, []string{"k_" + string(q.Kind)})
		}
		return out
	}
	years := []int{q.Year}
	if q.zone() != time.UTC {
		years = []int{q.Year - 1, q.Year, q.Year + 1}
	}
	var words []string
	for _, y := range years {
		if q.Kind != "" {
			words = append(words, "ky_"+string(q.Kind)+"_"+strconv.Itoa(y))
		} else {
			words = append(words, "y_"+strconv.Itoa(y))
		}
	}
	return append(out, words)
}

// candidates finds up to MaxResults matching translations, the most
// recently written first, matching in the title only or anywhere. more
// reports that there were others. Everything is read from search_docs.
func (s *Searcher) candidates(ctx context.Context, groups map[string][]string, facets [][]string, titleOnly bool, where string, args []any) ([]candidate, bool, error) {
	limit := MaxResults
	if titleOnly {
		limit = maxTitleCandidates
	}
	expr := matchExpr(s.db.Engine, groups, facets, titleOnly)
	var out []candidate
	var err error
	if s.db.Engine == db.Postgres {
		out, err = s.pgCandidates(ctx, expr, titleOnly, where, args, limit+1)
	} else {
		// CROSS JOIN keeps the full-text index as the outer loop, walked
		// newest first, so the LIMIT stops the walk early.
		out, err = s.scan(ctx, candidateCols+` FROM search_fts f CROSS JOIN search_docs d
			WHERE search_fts MATCH ? AND d.translation_id = f.rowid AND `+where+` ORDER BY f.rowid DESC LIMIT ?`,
			append(append([]any{expr}, args...), limit+1))
	}
	if err != nil {
		return nil, false, err
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

const candidateCols = `SELECT d.translation_id, d.lang, d.title_terms, d.summary_terms, d.publish_at`

// pgWindow is how many of the newest translations PostgreSQL searches
// first, walking them newest first.
const pgWindow = 4000

// pgCandidates is candidates on PostgreSQL, in two steps, because no one
// plan suits every query: a common word is found soonest by walking the
// newest rows, a rare one through the GIN index, and the planner's guess
// of a word's frequency (for words it has no statistics of) picked the
// walk for rare words and read every row. So: walk the newest pgWindow
// rows; only when they hold too few matches, take the rest through the
// index ("+ 0" keeps the planner from walking the primary key).
func (s *Searcher) pgCandidates(ctx context.Context, expr string, titleOnly bool, where string, args []any, want int) ([]candidate, error) {
	col := "d.terms"
	if titleOnly {
		col = "d.title_terms"
	}
	var newest int64
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(translation_id), 0) FROM search_docs`).Scan(&newest); err != nil {
		return nil, fmt.Errorf("search: match: %w", err)
	}
	cut := newest - pgWindow
	// An unnamed statement is planned with its parameters, so the planner
	// sees the words and the bounds.
	// "IS TRUE" keeps the first step off the GIN index: intersecting the
	// long lists of common words cost more than reading the newest rows.
	match := col + ` @@ CAST(? AS tsquery)`
	out, err := s.scan(ctx, candidateCols+` FROM search_docs d WHERE (`+match+`) IS TRUE AND `+where+
		` AND d.translation_id > ? ORDER BY d.translation_id DESC LIMIT ?`,
		append(append([]any{pgx.QueryExecModeExec, expr}, args...), cut, want))
	if err != nil || len(out) >= want || cut <= 0 {
		return out, err
	}
	older, err := s.scan(ctx, candidateCols+` FROM search_docs d WHERE `+match+` AND `+where+
		` AND d.translation_id <= ? ORDER BY d.translation_id + 0 DESC LIMIT ?`,
		append(append([]any{pgx.QueryExecModeExec, expr}, args...), cut, want-len(out)))
	return append(out, older...), err
}

// scan runs a candidate query.
func (s *Searcher) scan(ctx context.Context, query string, args []any) ([]candidate, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search: match: %w", err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.lang, &c.titleTerms, &c.summaryTerms, &c.publishAt); err != nil {
			return nil, fmt.Errorf("search: match: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: match: %w", err)
	}
	return out, nil
}

// matchExpr is the engine's full-text query: in some searched language,
// every term of the query; and every filter's word. Words hold only
// letters, digits, marks and "_", so they need no escaping beyond quotes.
func matchExpr(engine db.Engine, groups map[string][]string, facets [][]string, titleOnly bool) string {
	langs := make([]string, 0, len(groups))
	for lang := range groups {
		langs = append(langs, lang)
	}
	slices.Sort(langs)
	and, or, quote := " AND ", " OR ", `"`
	if engine == db.Postgres {
		and, or, quote = " & ", " | ", `'`
	}
	anyOf := func(alts []string) string { return "(" + strings.Join(alts, or) + ")" }
	var alts []string
	for _, lang := range langs {
		quoted := make([]string, len(groups[lang]))
		for i, t := range groups[lang] {
			quoted[i] = quote + t + quote
		}
		alts = append(alts, "("+strings.Join(quoted, and)+")")
	}
	expr := anyOf(alts)
	if titleOnly && engine != db.Postgres {
		expr = "{title_terms} : " + expr
	}
	for _, words := range facets {
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = quote + w + quote
		}
		expr += and + anyOf(quoted)
	}
	return expr
}

// Weights of where a query term is found. Every candidate has all the
// terms somewhere; these order them.
const (
	titleWeight   = 4
	summaryWeight = 2
	readerBonus   = 1
)

// rank scores the candidates and sorts them best first; ties go to the
// newer entry, then to the later translation, so the order is total and
// the same on both engines.
func rank(groups map[string][]string, readerLang string, cands []candidate) []candidate {
	seen := make(map[int64]bool, len(cands))
	out := cands[:0:0]
	for _, c := range cands {
		if seen[c.id] {
			continue
		}
		seen[c.id] = true
		for _, t := range groups[c.lang] {
			if hasWord(c.titleTerms, t) {
				c.score += titleWeight
			}
			if hasWord(c.summaryTerms, t) {
				c.score += summaryWeight
			}
		}
		if c.lang == readerLang {
			c.score += readerBonus
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b candidate) int {
		switch {
		case a.score != b.score:
			return b.score - a.score
		case a.publishAt != b.publishAt:
			return cmpInt64(b.publishAt, a.publishAt)
		}
		return cmpInt64(b.id, a.id)
	})
	return out
}

// hasWord reports whether a stored list of words holds w: SQLite's text
// ("en_a en_b") or PostgreSQL's tsvector output ('en_a' 'en_b'). It
// allocates nothing: ranking checks hundreds of candidates per search.
func hasWord(list, w string) bool {
	for i := 0; ; {
		j := strings.Index(list[i:], w)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(w)
		if (start == 0 || list[start-1] == ' ' || list[start-1] == '\'') && (end == len(list) || list[end] == ' ' || list[end] == '\'') {
			return true
		}
		i = start + 1
	}
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// hits loads what a page of results shows and marks the matches.
func (s *Searcher) hits(ctx context.Context, groups map[string][]string, page []candidate) ([]Hit, error) {
	ids := make([]any, len(page))
	for i, c := range page {
		ids[i] = c.id
	}
	rows, err := s.db.QueryContext(ctx, `SELECT t.id, e.id, e.kind, t.lang, t.title, t.slug, t.summary, t.body, t.publish_at, COALESCE(e.section_id, 0)
		FROM translations t JOIN entries e ON e.id = t.entry_id WHERE t.id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, ids...)
	if err != nil {
		return nil, fmt.Errorf("search: results: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]Hit, len(page))
	for rows.Next() {
		var h Hit
		var title, slug, summary, body string
		var publish int64
		if err := rows.Scan(&h.TranslationID, &h.EntryID, &h.Kind, &h.Lang, &title, &slug, &summary, &body, &publish, &h.SectionID); err != nil {
			return nil, fmt.Errorf("search: results: %w", err)
		}
		want := groups[h.Lang]
		h.Title = highlight(h.Lang, title, want)
		h.Snippet = snippet(h.Lang, want, summary, plainText(body))
		h.URL = content.URL(h.Kind, h.Lang, slug)
		h.PublishAt = time.Unix(publish, 0).UTC()
		byID[h.TranslationID] = h
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: results: %w", err)
	}
	out := make([]Hit, 0, len(page))
	for _, c := range page {
		if h, ok := byID[c.id]; ok { // deleted since it matched: left out
			h.score = c.score
			out = append(out, h)
		}
	}
	return out, nil
}
