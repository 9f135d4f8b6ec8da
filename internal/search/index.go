// Package search finds entries in every enabled language, and what
// modules give it (Document: an event's venue and speakers join the
// event's words; a module's own documents are found as themselves).
// Words are stemmed per language (Snowball for en, ru, fr, es), accents folded where
// readers leave them out, results ranked with title matches first and
// shown with highlighted snippets, filtered by kind, section, language and
// year, in numbered pages. The same rows and the same order come back on
// SQLite and PostgreSQL, because the text is analysed and the results
// ranked here in Go; each engine's full-text index only finds the rows
// holding all the terms.
package search

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
)

// Index keeps the search terms of translations. It is the content store's
// Indexer: every save of a translation re-indexes it in the same
// transaction.
type Index struct{}

// Doc is one translation's text and what search filters it by, as
// indexed.
type Doc struct {
	TranslationID int64
	Lang          string
	Kind          content.Kind
	SectionID     int64
	Status        content.Status
	PublishAt     int64 // Unix seconds
	Title         string
	Summary       string
	Body          string // Markdown
	// Joined are the words of the entry's documents in this language
	// (an event's venue and speakers), indexed with the translation's.
	Joined []Words
}

// facets are a translation's filter values as index words. Kind and year
// together have a word of their own: "articles of 2020" is then one short
// list for the index to read, not the long list of every article crossed
// with the year's. A reader's year is the site's, in its time zone, which
// an administrator may change; so a translation carries every year it
// falls in somewhere on Earth (UTC-12 to UTC+14): two around New Year,
// one otherwise. The search cuts the exact bounds.
func facets(kind content.Kind, sectionID, publishAt int64) string {
	t := time.Unix(publishAt, 0).UTC()
	f := fmt.Sprintf("k_%s s_%d", kind, sectionID)
	for y := t.Add(-12 * time.Hour).Year(); y <= t.Add(14*time.Hour).Year(); y++ {
		f += fmt.Sprintf(" y_%d ky_%s_%d", y, kind, y)
	}
	return f
}

// yearFacets are the year words of a module's own document (it has no
// kind or section): every year its date falls in somewhere on Earth.
func yearFacets(publishAt int64) string {
	t := time.Unix(publishAt, 0).UTC()
	var f []string
	for y := t.Add(-12 * time.Hour).Year(); y <= t.Add(14*time.Hour).Year(); y++ {
		f = append(f, "y_"+strconv.Itoa(y))
	}
	return strings.Join(f, " ")
}

// Analysed is a Doc analysed into the columns of search_docs, ready to
// write. Analysis is most of the cost of indexing; a bulk loader does it
// beside its writes (see Analyse).
type Analysed struct {
	translationID int64
	row           []any
}

// Analyse analyses docs for AddAnalysed.
func Analyse(docs []Doc) []Analysed {
	out := make([]Analysed, len(docs))
	for i, d := range docs {
		out[i] = d.analyse()
	}
	return out
}

func (d Doc) analyse() Analysed {
	f := facets(d.Kind, d.SectionID, d.PublishAt)
	title, summary, all := analyseText(d.Lang, d.Title, d.Summary, plainText(d.Body), d.Joined)
	join := func(ts []string) string { return strings.Join(ts, " ") }
	return Analysed{translationID: d.TranslationID, row: []any{d.TranslationID, d.Lang, d.Status, d.PublishAt, f,
		join(title) + " " + f, join(summary), join(all) + " " + f}}
}

// analyseText is the terms of a text in its weights: its title's, its
// summary's, and all of them, the title's and summary's first (each text
// is analysed once). Joined words add to each weight theirs.
func analyseText(lang, titleText, summaryText, plainBody string, joined []Words) (title, summary, all []string) {
	seen := map[string]bool{}
	title = appendTerms(nil, seen, lang, titleText)
	for _, w := range joined {
		title = appendTerms(title, seen, lang, w.Title)
	}
	summarySeen := map[string]bool{}
	summary = appendTerms(nil, summarySeen, lang, summaryText)
	for _, w := range joined {
		summary = appendTerms(summary, summarySeen, lang, w.Summary)
	}
	all = slices.Clone(title)
	prefix := len(termPrefix(lang))
	for _, t := range summary {
		if !seen[t[prefix:]] && len(all) < maxDocTerms {
			seen[t[prefix:]] = true
			all = append(all, t)
		}
	}
	all = appendTerms(all, seen, lang, plainBody)
	for _, w := range joined {
		all = appendTerms(all, seen, lang, w.Body)
	}
	return title, summary, all
}

// IndexTranslation indexes a translation as saved, inside the save's
// transaction; it implements content.Indexer. The entry's kind and section
// may have changed with it, so its other translations' filters are
// brought up to date too.
func (Index) IndexTranslation(ctx context.Context, tx *db.Tx, t content.Translation) error {
	var kind content.Kind
	var section int64
	if err := tx.QueryRowContext(ctx, `SELECT kind, COALESCE(section_id, 0) FROM entries WHERE id = ?`, t.EntryID).Scan(&kind, &section); err != nil {
		return fmt.Errorf("search: index: %w", err)
	}
	js, err := joinedOf(ctx, tx, []int64{t.EntryID})
	if err != nil {
		return err
	}
	doc := Doc{TranslationID: t.ID, Lang: t.Lang, Kind: kind, SectionID: section, Status: t.Status, PublishAt: t.PublishAt.Unix(),
		Title: t.Title, Summary: t.Summary, Body: t.Body, Joined: wordsIn(js[t.EntryID], t.Lang)}
	if err := Add(ctx, tx, []Doc{doc}); err != nil {
		return err
	}
	// The other translations, where their filters changed: indexed anew.
	rows, err := tx.QueryContext(ctx, `SELECT t.id, t.lang, t.status, t.publish_at, t.title, t.summary, t.body, d.facets
		FROM translations t JOIN search_docs d ON d.translation_id = t.id WHERE t.entry_id = ? AND t.id <> ?`, t.EntryID, t.ID)
	if err != nil {
		return fmt.Errorf("search: index: %w", err)
	}
	var stale []Doc
	for rows.Next() {
		doc := Doc{Kind: kind, SectionID: section}
		var old string
		if err := rows.Scan(&doc.TranslationID, &doc.Lang, &doc.Status, &doc.PublishAt, &doc.Title, &doc.Summary, &doc.Body, &old); err != nil {
			rows.Close()
			return fmt.Errorf("search: index: %w", err)
		}
		if facets(kind, section, doc.PublishAt) != old {
			doc.Joined = wordsIn(js[t.EntryID], doc.Lang)
			stale = append(stale, doc)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search: index: %w", err)
	}
	return Add(ctx, tx, stale)
}

// Add indexes docs, replacing what was indexed for them before.
func Add(ctx context.Context, tx *db.Tx, docs []Doc) error {
	return AddAnalysed(ctx, tx, Analyse(docs))
}

// AddAnalysed is Add for docs already analysed, with multi-row statements
// (the demo generator indexes thousands at a time).
func AddAnalysed(ctx context.Context, tx *db.Tx, docs []Analysed) error {
	const perStatement = 100
	row := "(?, ?, ?, ?, ?, ?, ?, ?)"
	if tx.Engine() == db.Postgres {
		row = "(?, ?, ?, ?, ?, CAST(? AS tsvector), CAST(? AS tsvector), CAST(? AS tsvector))"
		ids := make([]int64, len(docs))
		for i, d := range docs {
			ids[i] = d.translationID
		}
		if err := addPartitions(ctx, tx, ids); err != nil {
			return err
		}
	}
	for len(docs) > 0 {
		n := min(perStatement, len(docs))
		args := make([]any, 0, n*8)
		for _, d := range docs[:n] {
			args = append(args, d.row...)
		}
		values := strings.Repeat(", "+row, n)[2:]
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_docs (translation_id, lang, status, publish_at, facets, title_terms, summary_terms, terms)
			VALUES `+values+` ON CONFLICT (translation_id) DO UPDATE SET lang = excluded.lang, status = excluded.status,
			publish_at = excluded.publish_at, facets = excluded.facets, title_terms = excluded.title_terms,
			summary_terms = excluded.summary_terms, terms = excluded.terms`, args...); err != nil {
			return fmt.Errorf("search: index: %w", err)
		}
		docs = docs[n:]
	}
	return nil
}

// pgPartition is how many translation ids one partition of search_docs
// holds on PostgreSQL (migration 0010): small enough that reading every
// match of a range from its pages is quick, large enough that a search
// for a rare word does not walk hundreds of them.
var pgPartition int64 = 20000

// addPartitions creates the partitions translations with ids go into,
// where they are missing. Creations are serialised by a lock on the
// table's id, held to the end of the transaction, so two saves cannot
// both create one.
func addPartitions(ctx context.Context, tx *db.Tx, ids []int64) error {
	seen := map[int64]bool{}
	for _, id := range ids {
		n := id / pgPartition
		if seen[n] {
			continue
		}
		seen[n] = true
		name := "search_docs_p" + strconv.FormatInt(n, 10)
		exists := func() (bool, error) {
			var ok bool
			err := tx.QueryRowContext(ctx, `SELECT to_regclass(?) IS NOT NULL`, name).Scan(&ok)
			return ok, err
		}
		ok, err := exists()
		if err == nil && !ok {
			if _, err = tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(CAST(CAST(CAST('search_docs' AS regclass) AS oid) AS bigint))`); err == nil {
				ok, err = exists()
			}
			if err == nil && !ok {
				_, err = tx.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE %s PARTITION OF search_docs FOR VALUES FROM (%d) TO (%d)`,
					name, n*pgPartition, (n+1)*pgPartition))
			}
		}
		if err != nil {
			return fmt.Errorf("search: partition %s: %w", name, err)
		}
	}
	return nil
}

// AddNextPartition creates the partition of search_docs that the next
// translations go into, when the newest is near the end of its range:
// housekeeping does it ahead of time, since a save that must create one
// locks the table from searches until it commits. PostgreSQL only.
func AddNextPartition(ctx context.Context, d *db.DB) error {
	if d.Engine != db.Postgres {
		return nil
	}
	var newest int64
	if err := d.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM translations`).Scan(&newest); err != nil {
		return fmt.Errorf("search: partition: %w", err)
	}
	return d.Quiet().InTx(ctx, func(tx *db.Tx) error { return addPartitions(ctx, tx, []int64{newest + pgPartition/10}) })
}

// backfilledKey, in settings, says that a backfill (or the count before
// it) found every translation indexed: since every writer indexes as it
// saves, nothing is missing while it is there, and a start need not count
// search_docs, which reads the whole table (300 MB at 100,000 entries,
// 77,000 reads, at every start of every command). It is set only once a
// backfill has finished, so a start after a crash midway backfills again.
// A migration that empties the index is noticed (the probe below); one
// that removes some of its rows must delete this key too.
const backfilledKey = "search_backfilled"

// Backfill indexes the translations that have no terms yet: those written
// before search existed, or by something that does not index (the demo
// loader). It returns how many it indexed.
func Backfill(ctx context.Context, d *db.DB) (int, error) {
	// Three probes of one row each, from the primary keys.
	var marked, anyDoc, anyTranslation int
	if err := d.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM settings WHERE key = ?),
		(SELECT COUNT(*) FROM (SELECT 1 FROM search_docs LIMIT 1) s),
		(SELECT COUNT(*) FROM (SELECT 1 FROM translations LIMIT 1) t)`, backfilledKey).Scan(&marked, &anyDoc, &anyTranslation); err != nil {
		return 0, fmt.Errorf("search: backfill: %w", err)
	}
	if marked > 0 && (anyDoc > 0 || anyTranslation == 0) {
		return 0, nil
	}
	// Two counts decide it where the search for unindexed rows below
	// reads every translation (most of a second at 100,000 entries).
	var translations, indexed int64
	if err := d.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM translations), (SELECT COUNT(*) FROM search_docs)`).Scan(&translations, &indexed); err != nil {
		return 0, fmt.Errorf("search: backfill: %w", err)
	}
	n := 0
	if indexed < translations {
		if missing := translations - indexed; missing > 1000 {
			// Minutes at 100,000 entries, before the site serves: say so.
			slog.Info("search: indexing translations", "count", missing)
		}
		var err error
		if n, err = indexTranslations(ctx, d, true); err != nil {
			return n, err
		}
	}
	// Quiet: no page shows it.
	if _, err := d.Quiet().ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, backfilledKey, strconv.FormatInt(max(translations, indexed), 10)); err != nil {
		return n, fmt.Errorf("search: backfill: %w", err)
	}
	return n, nil
}

// indexTranslations indexes translations in batches, in quiet
// transactions (terms alone change no page): those without terms when
// missing is true, or else every one.
func indexTranslations(ctx context.Context, d *db.DB, missing bool) (int, error) {
	cond := ``
	if missing {
		cond = ` AND NOT EXISTS (SELECT 1 FROM search_docs s WHERE s.translation_id = t.id)`
	}
	total := 0
	var after int64
	for {
		rows, err := d.QueryContext(ctx, `SELECT t.id, t.lang, e.kind, COALESCE(e.section_id, 0), t.status, t.publish_at, t.title, t.summary, t.body, t.entry_id
			FROM translations t JOIN entries e ON e.id = t.entry_id
			WHERE t.id > ?`+cond+` ORDER BY t.id LIMIT 1000`, after)
		if err != nil {
			return total, fmt.Errorf("search: backfill: %w", err)
		}
		var docs []Doc
		var entries []int64
		entryOf := map[int64]int64{}
		for rows.Next() {
			var doc Doc
			var entry int64
			if err := rows.Scan(&doc.TranslationID, &doc.Lang, &doc.Kind, &doc.SectionID, &doc.Status, &doc.PublishAt, &doc.Title, &doc.Summary, &doc.Body, &entry); err != nil {
				rows.Close()
				return total, fmt.Errorf("search: backfill: %w", err)
			}
			docs = append(docs, doc)
			entries = append(entries, entry)
			entryOf[doc.TranslationID] = entry
			after = doc.TranslationID
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return total, fmt.Errorf("search: backfill: %w", err)
		}
		if len(docs) == 0 {
			return total, nil
		}
		slices.Sort(entries)
		js, err := joinedOf(ctx, d, slices.Compact(entries))
		if err != nil {
			return total, err
		}
		for i := range docs {
			docs[i].Joined = wordsIn(js[entryOf[docs[i].TranslationID]], docs[i].Lang)
		}
		if err := d.Quiet().InTx(ctx, func(tx *db.Tx) error { return Add(ctx, tx, docs) }); err != nil {
			return total, err
		}
		total += len(docs)
	}
}

// BackfillDocuments gives the index the sources' documents when it holds
// none at all: a site whose events were saved before their venues and
// speakers were searchable (migration 0025). The entries they join are
// indexed anew. It returns how many documents it indexed; nearly always
// none, after one look at the table.
func BackfillDocuments(ctx context.Context, d *db.DB, sources []Source) (int, error) {
	var n int
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM search_documents LIMIT 1) d`).Scan(&n); err != nil {
		return 0, fmt.Errorf("search: backfill documents: %w", err)
	}
	if n > 0 || len(sources) == 0 {
		return 0, nil
	}
	total := 0
	err := d.Quiet().InTx(ctx, func(tx *db.Tx) error {
		var docs []Document
		for _, src := range sources {
			if err := src.SearchDocuments(ctx, tx, func(doc Document) error {
				docs = append(docs, doc)
				return nil
			}); err != nil {
				return err
			}
		}
		total = len(docs)
		return Put(ctx, tx, docs...)
	})
	if err != nil {
		return 0, fmt.Errorf("search: backfill documents: %w", err)
	}
	if total > 0 {
		slog.Info("search: indexed modules' documents", "count", total)
	}
	return total, nil
}

// Reindex rebuilds the whole index: every source's documents, as the
// modules give them now, then every translation with its entry's words.
// It returns how many documents and translations it indexed. Quiet: the
// index changes no page.
func Reindex(ctx context.Context, d *db.DB, sources []Source) (documents, translations int, err error) {
	err = d.Quiet().InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM search_documents`); err != nil {
			return fmt.Errorf("search: reindex: %w", err)
		}
		for _, src := range sources {
			err := src.SearchDocuments(ctx, tx, func(doc Document) error {
				doc, err := checked(doc)
				if err != nil {
					return err
				}
				documents++
				return putDocument(ctx, tx, doc)
			})
			if err != nil {
				return fmt.Errorf("search: reindex: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	translations, err = indexTranslations(ctx, d, false)
	return documents, translations, err
}

var (
	mdImage   = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	mdLink    = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	mdTag     = regexp.MustCompile(`<[^>]*>`)
	mdAutoURL = regexp.MustCompile(`https?://\S+`)
)

// plainText is Markdown as a reader sees it, near enough for search and
// snippets: link and image targets, HTML tags and bare addresses removed,
// markup characters turned into spaces.
func plainText(md string) string {
	s := mdImage.ReplaceAllString(md, "$1")
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdTag.ReplaceAllString(s, " ")
	s = mdAutoURL.ReplaceAllString(s, " ")
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case '#', '*', '_', '`', '>', '|', '~', ' ', '\n', '\t', '\r':
			return true
		}
		return false
	}), " ")
}

// Optimize merges SQLite's full-text index into one segment after a bulk
// load: written in thousands of small transactions it is left in many
// segments, and every query opens them all. Ordinary saves need nothing
// (FTS5 merges as it goes); PostgreSQL's GIN indexes, built without a
// pending list, need nothing either.
func Optimize(ctx context.Context, d *db.DB) error {
	if d.Engine != db.SQLite {
		return nil
	}
	if _, err := d.Quiet().ExecContext(ctx, `INSERT INTO search_fts (search_fts) VALUES ('optimize')`); err != nil {
		return fmt.Errorf("search: optimize: %w", err)
	}
	return nil
}
