package search

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// Hit is one result, ready to show: an entry's translation, or a
// module's own document (Label is then what it is, and TranslationID,
// EntryID, Kind and SectionID are empty).
type Hit struct {
	TranslationID int64
	EntryID       int64
	Kind          content.Kind
	Label         string // message key: what a module's document is
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

	// newest is the highest indexed translation id PostgreSQL's first
	// step counts back from, kept while nothing was written and for a
	// minute at most. An older value only widens that step: it has no
	// upper bound, and the second starts below it.
	newest struct {
		sync.Mutex
		id, changes int64
		read        time.Time
	}
	// documents is whether modules gave the index documents of their
	// own, kept as newest is: while there are none, a search reads
	// entries only.
	documents struct {
		sync.Mutex
		any     bool
		changes int64
		read    time.Time
	}
}

// NewSearcher returns a searcher over d.
func NewSearcher(d *db.DB) *Searcher { return &Searcher{db: d, now: time.Now} }

// candidate is a matching translation as ranking keeps it: scored as it
// is read (scorer), so a search holds ids and scores, never the matches'
// stored words.
type candidate struct {
	id        int64
	publishAt int64
	score     int
	inTitle   bool // every term of its language in its title
	own       bool // a module's own document (id in search_documents), not a translation
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
	sc := newScorer(groups, q.ReaderLang)
	cands, more, err := s.candidates(ctx, sc, groups, facets, where, args, match{limit: MaxResults})
	if err != nil {
		return Results{}, err
	}
	if more {
		if titles := titleMatches(cands); titles < maxTitleCandidates {
			// Only the newest matches were read: bring in older ones that
			// match in their titles, up to maxTitleCandidates with those read.
			// Every match newer than the oldest read was read, so the search
			// goes on below it.
			oldest := cands[len(cands)-1].id
			inTitle, _, err := s.candidates(ctx, sc, groups, facets, where, args,
				match{titleOnly: true, limit: maxTitleCandidates - titles, below: oldest, seen: titles})
			if err != nil {
				return Results{}, err
			}
			cands = append(cands, inTitle...)
		}
	}
	// Modules' own documents are neither of a kind nor in a section.
	if q.Kind == "" && q.SectionID == 0 {
		docs, docsMore, err := s.documentCandidates(ctx, sc, groups, facets, q)
		if err != nil {
			return Results{}, err
		}
		cands, more = append(cands, docs...), more || docsMore
	}
	ranked := rank(cands)
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

// facetWords are the index words the filters require, all of them. A
// translation holds the word of every year it falls in in some zone (see
// facets), so the year in the site's zone is one word; filters cuts
// exactly.
func (q Query) facetWords() []string {
	var out []string
	if q.SectionID != 0 {
		out = append(out, "s_"+strconv.FormatInt(q.SectionID, 10))
	}
	switch {
	case q.Year != 0 && q.Kind != "":
		out = append(out, "ky_"+string(q.Kind)+"_"+strconv.Itoa(q.Year))
	case q.Year != 0:
		out = append(out, "y_"+strconv.Itoa(q.Year))
	case q.Kind != "":
		out = append(out, "k_"+string(q.Kind))
	}
	return out
}

// match is what candidates looks for.
type match struct {
	titleOnly bool  // the terms in the title, or anywhere
	limit     int   // how many candidates
	below     int64 // when not 0, only translations with lower ids
	seen      int   // how many matches the ids from below up held
}

// candidates finds up to m.limit matching translations, the most recently
// written first (by id). more reports that there were others. Everything
// is read from search_docs.
func (s *Searcher) candidates(ctx context.Context, sc *scorer, groups map[string][]string, facets []string, where string, args []any, m match) ([]candidate, bool, error) {
	expr := matchExpr(s.db.Engine, groups, facets, m.titleOnly)
	var out []candidate
	var err error
	if s.db.Engine == db.Postgres {
		out, err = s.pgCandidates(ctx, sc, expr, where, args, m)
	} else {
		if m.below > 0 {
			where += ` AND f.rowid < ?`
			args = append(slices.Clip(args), m.below)
		}
		// CROSS JOIN keeps the full-text index as the outer loop, walked
		// newest first, so the LIMIT stops the walk early.
		out, err = s.scan(ctx, sc, candidateCols+` FROM search_fts f CROSS JOIN search_docs d
			WHERE search_fts MATCH ? AND d.translation_id = f.rowid AND `+where+` ORDER BY f.rowid DESC LIMIT ?`,
			append(append([]any{expr}, args...), m.limit+1))
	}
	if err != nil {
		return nil, false, err
	}
	if len(out) > m.limit {
		return out[:m.limit], true, nil
	}
	return out, false, nil
}

const candidateCols = `SELECT d.translation_id, d.lang, d.title_terms, d.summary_terms, d.publish_at`

// pgWindow is how many of the newest translations PostgreSQL searches
// first, walking them newest first. (A variable, as pgPartition is, so
// that the tests walk many small ranges.)
var pgWindow int64 = 4000

// pgCandidates is candidates on PostgreSQL, in two steps, because no one
// plan suits every query. The first step searches the newest pgWindow
// rows: the planner walks them newest first for a common word and stops
// at enough matches, or intersects a rare word's list in the GIN index
// with the range. When they hold too few matches, the rest come through
// the GIN indexes of search_docs' partitions (ranges of ids, migration
// 0010), newest range first: a range costs the reading of its own matches,
// so the walk stops as soon as it has enough instead of reading every
// match in the table to keep the newest. How many ranges to read at once
// follows the matches seen so far; none seen, it looks four times as far as it
// has. A search below an id (m.below) starts with that walk, knowing how
// many matches the ids above held. "+ 0" keeps the planner from walking a range's primary key, which
// reads every row of the range when the words are rare.
func (s *Searcher) pgCandidates(ctx context.Context, sc *scorer, expr string, where string, args []any, m match) ([]candidate, error) {
	col := "d.terms"
	if m.titleOnly {
		col = "d.title_terms"
	}
	want := m.limit + 1
	newest, err := s.newestID(ctx)
	if err != nil {
		return nil, err
	}
	// An unnamed statement is planned with its parameters, so the planner
	// sees the words and the bounds, and reads only the partitions within
	// them.
	cond := col + ` @@ CAST(? AS tsquery) AND ` + where
	var out []candidate
	found, seen, hi := m.seen, max(1, newest-m.below+1), m.below-1
	if m.below == 0 {
		cut := newest - pgWindow
		out, err = s.scan(ctx, sc, candidateCols+` FROM search_docs d WHERE `+cond+
			` AND d.translation_id > ? ORDER BY d.translation_id DESC LIMIT ?`,
			append(append([]any{pgx.QueryExecModeExec, expr}, args...), cut, want))
		if err != nil {
			return nil, err
		}
		found, seen, hi = len(out), pgWindow, cut
	}
	for hi > 0 && len(out) < want {
		need := want - len(out)
		span := 4 * seen
		if found > 0 {
			// A quarter more than the matches so far promise.
			span = int64(float64(need)*float64(seen)/float64(found)*1.25) + 1
		}
		lo := max(0, hi-max(span, 1)+1)
		older, err := s.scan(ctx, sc, candidateCols+` FROM search_docs d WHERE `+cond+
			` AND d.translation_id <= ? AND d.translation_id >= ? ORDER BY d.translation_id + 0 DESC LIMIT ?`,
			append(append([]any{pgx.QueryExecModeExec, expr}, args...), hi, lo, need))
		if err != nil {
			return nil, err
		}
		out = append(out, older...)
		found += len(older)
		seen += hi - lo + 1
		hi = lo - 1
	}
	return out, nil
}

// newestID is the highest indexed translation id, as cached in newest.
func (s *Searcher) newestID(ctx context.Context) (int64, error) {
	s.newest.Lock()
	defer s.newest.Unlock()
	changes, now := s.db.Changes(), s.now()
	if changes == s.newest.changes && now.Sub(s.newest.read) < time.Minute {
		return s.newest.id, nil
	}
	var id int64
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(translation_id), 0) FROM search_docs`).Scan(&id); err != nil {
		return 0, fmt.Errorf("search: match: %w", err)
	}
	s.newest.id, s.newest.changes, s.newest.read = id, changes, now
	return id, nil
}

// scan runs a candidate query and scores each match as it is read. The
// stored words are read in place (sql.RawBytes: valid until the next
// row), so a match costs its id and score, whatever its text.
func (s *Searcher) scan(ctx context.Context, sc *scorer, query string, args []any) ([]candidate, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search: match: %w", err)
	}
	defer rows.Close()
	var out []candidate
	var lang, titleTerms, summaryTerms sql.RawBytes
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &lang, &titleTerms, &summaryTerms, &c.publishAt); err != nil {
			return nil, fmt.Errorf("search: match: %w", err)
		}
		sc.score(&c, lang, titleTerms, summaryTerms)
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
func matchExpr(engine db.Engine, groups map[string][]string, facets []string, titleOnly bool) string {
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
	for _, w := range facets {
		expr += and + quote + w + quote
	}
	return expr
}

// documentCandidates finds up to MaxResults of the modules' own documents
// that match, the most recently put first, scored as translations are;
// more reports that there were others. A site whose modules put none
// reads nothing.
func (s *Searcher) documentCandidates(ctx context.Context, sc *scorer, groups map[string][]string, facets []string, q Query) ([]candidate, bool, error) {
	if ok, err := s.hasDocuments(ctx); err != nil || !ok {
		return nil, false, err
	}
	expr := matchExpr(s.db.Engine, groups, facets, false)
	where, args := `d.entry_id IS NULL`, []any{}
	if q.Year != 0 {
		start := time.Date(q.Year, time.January, 1, 0, 0, 0, 0, q.zone())
		where += ` AND d.publish_at >= ? AND d.publish_at < ?`
		args = append(args, start.Unix(), start.AddDate(1, 0, 0).Unix())
	}
	cols := `SELECT d.id, d.lang, d.title_terms, d.summary_terms, d.publish_at`
	query := cols + ` FROM search_documents_fts f CROSS JOIN search_documents d
		WHERE search_documents_fts MATCH ? AND d.id = f.rowid AND ` + where + ` ORDER BY f.rowid DESC LIMIT ?`
	if s.db.Engine == db.Postgres {
		query = cols + ` FROM search_documents d WHERE d.terms @@ CAST(? AS tsquery) AND ` + where + ` ORDER BY d.id DESC LIMIT ?`
	}
	out, err := s.scan(ctx, sc, query, append(append([]any{expr}, args...), MaxResults+1))
	if err != nil {
		return nil, false, err
	}
	for i := range out {
		out[i].own = true
	}
	if len(out) > MaxResults {
		return out[:MaxResults], true, nil
	}
	return out, false, nil
}

// hasDocuments reports whether the index holds documents of modules' own,
// read again after a write or a minute.
func (s *Searcher) hasDocuments(ctx context.Context) (bool, error) {
	s.documents.Lock()
	defer s.documents.Unlock()
	changes, now := s.db.Changes(), s.now()
	if changes == s.documents.changes && now.Sub(s.documents.read) < time.Minute {
		return s.documents.any, nil
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM search_documents WHERE entry_id IS NULL LIMIT 1) d`).Scan(&n); err != nil {
		return false, fmt.Errorf("search: match: %w", err)
	}
	s.documents.any, s.documents.changes, s.documents.read = n > 0, changes, now
	return s.documents.any, nil
}

// titleMatches counts the candidates holding every term in their titles.
func titleMatches(cands []candidate) int {
	n := 0
	for _, c := range cands {
		if c.inTitle {
			n++
		}
	}
	return n
}

// Weights of where a query term is found. Every candidate has all the
// terms somewhere; these order them.
const (
	titleWeight   = 4
	summaryWeight = 2
	readerBonus   = 1
)

// scorer scores matches as they are read: the query's terms in each
// language, as bytes to look for in the stored words.
type scorer struct {
	langs      [][]byte   // the searched languages
	terms      [][][]byte // terms[i]: the terms of langs[i]
	readerLang []byte
}

func newScorer(groups map[string][]string, readerLang string) *scorer {
	sc := &scorer{readerLang: []byte(readerLang)}
	for lang, ts := range groups {
		bs := make([][]byte, len(ts))
		for i, t := range ts {
			bs[i] = []byte(t)
		}
		sc.langs = append(sc.langs, []byte(lang))
		sc.terms = append(sc.terms, bs)
	}
	return sc
}

// score sets c's score from its stored words. A translation holds words
// of its own language only, so its language's terms are the ones it
// matched.
func (sc *scorer) score(c *candidate, lang, titleTerms, summaryTerms []byte) {
	var terms [][]byte
	for i, l := range sc.langs {
		if bytes.Equal(l, lang) {
			terms = sc.terms[i]
		}
	}
	c.inTitle = len(terms) > 0
	for _, t := range terms {
		if hasWord(titleTerms, t) {
			c.score += titleWeight
		} else {
			c.inTitle = false
		}
		if hasWord(summaryTerms, t) {
			c.score += summaryWeight
		}
	}
	if bytes.Equal(lang, sc.readerLang) {
		c.score += readerBonus
	}
}

// rank sorts the scored candidates best first, each once; ties go to the
// newer entry, then to entries before modules' documents, then to the
// later translation or document, so the order is total and the same on
// both engines.
func rank(cands []candidate) []candidate {
	seen := make(map[int64]bool, len(cands))
	out := cands[:0:0]
	for _, c := range cands {
		if c.own { // one query finds them, each once
			out = append(out, c)
		} else if !seen[c.id] {
			seen[c.id] = true
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b candidate) int {
		switch {
		case a.score != b.score:
			return b.score - a.score
		case a.publishAt != b.publishAt:
			return cmpInt64(b.publishAt, a.publishAt)
		case a.own != b.own:
			if a.own {
				return 1
			}
			return -1
		}
		return cmpInt64(b.id, a.id)
	})
	return out
}

// hasWord reports whether a stored list of words holds w: SQLite's text
// ("en_a en_b") or PostgreSQL's tsvector output ('en_a' 'en_b'). It
// allocates nothing: ranking checks hundreds of candidates per search.
func hasWord(list, w []byte) bool {
	for i := 0; ; {
		j := bytes.Index(list[i:], w)
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
	ids := make([]any, 0, len(page))
	var own []any
	for _, c := range page {
		if c.own {
			own = append(own, c.id)
		} else {
			ids = append(ids, c.id)
		}
	}
	byID := make(map[int64]Hit, len(page))
	if len(ids) > 0 {
		if err := s.translationHits(ctx, groups, ids, byID); err != nil {
			return nil, err
		}
	}
	var ownByID map[int64]Hit
	if len(own) > 0 {
		ownByID = make(map[int64]Hit, len(own))
		if err := s.documentHits(ctx, groups, own, ownByID); err != nil {
			return nil, err
		}
	}
	out := make([]Hit, 0, len(page))
	for _, c := range page {
		h, ok := byID[c.id]
		if c.own {
			h, ok = ownByID[c.id]
		}
		if ok { // deleted since it matched: left out
			h.score = c.score
			out = append(out, h)
		}
	}
	return out, nil
}

// documentHits loads modules' documents as results, by id.
func (s *Searcher) documentHits(ctx context.Context, groups map[string][]string, ids []any, byID map[int64]Hit) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id, label, lang, title, summary, SUBSTR(body, 1, ?), url, publish_at FROM search_documents
		WHERE id IN (`+db.Marks(len(ids))+`)`, append([]any{snippetSource}, ids...)...)
	if err != nil {
		return fmt.Errorf("search: results: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h Hit
		var id, publish int64
		var title, summary, body string
		if err := rows.Scan(&id, &h.Label, &h.Lang, &title, &summary, &body, &h.URL, &publish); err != nil {
			return fmt.Errorf("search: results: %w", err)
		}
		want := groups[h.Lang]
		h.Title = highlight(h.Lang, title, want)
		h.Snippet = snippet(h.Lang, want, summary, body)
		if publish != 0 { // undated: no date shown
			h.PublishAt = time.Unix(publish, 0).UTC()
		}
		byID[id] = h
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search: results: %w", err)
	}
	return nil
}

// translationHits loads translations as results, by id.
func (s *Searcher) translationHits(ctx context.Context, groups map[string][]string, ids []any, byID map[int64]Hit) error {
	// Snippets come from the start of the body: a long body is not read
	// whole for a passage of snippetWords words.
	rows, err := s.db.QueryContext(ctx, `SELECT t.id, e.id, e.kind, t.lang, t.title, t.slug, t.summary, SUBSTR(t.body, 1, ?), t.publish_at, COALESCE(e.section_id, 0)
		FROM translations t JOIN entries e ON e.id = t.entry_id WHERE t.id IN (`+db.Marks(len(ids))+`)`, append([]any{snippetSource}, ids...)...)
	if err != nil {
		return fmt.Errorf("search: results: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h Hit
		var title, slug, summary, body string
		var publish int64
		if err := rows.Scan(&h.TranslationID, &h.EntryID, &h.Kind, &h.Lang, &title, &slug, &summary, &body, &publish, &h.SectionID); err != nil {
			return fmt.Errorf("search: results: %w", err)
		}
		want := groups[h.Lang]
		h.Title = highlight(h.Lang, title, want)
		h.Snippet = snippet(h.Lang, want, summary, plainText(body))
		h.URL = content.URL(h.Kind, h.Lang, slug)
		h.PublishAt = time.Unix(publish, 0).UTC()
		byID[h.TranslationID] = h
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search: results: %w", err)
	}
	return nil
}
