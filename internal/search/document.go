package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"peerpress/internal/db"
)

// A Document is something of a module's that search finds. Either it
// belongs to an entry (Entry is not 0), and its words join the entry's
// translations: the entry is found by them and shown as itself (an
// event's venue and speakers); or it stands alone, found and shown with
// its own title, address and label (a directory's organisation).
type Document struct {
	// Source is the module the document comes from ("events"), and Key
	// names it among the module's documents; a document is replaced by
	// the next one of the same source, key and language.
	Source, Key string
	// Lang is the language of its text. A document of an entry may leave
	// it empty: its words then join each of the entry's translations,
	// analysed in the translation's language (names, places).
	Lang string
	// Entry is the entry it belongs to, or 0. An entry's documents are
	// deleted with it, whatever deletes it.
	Entry int64
	Words
	// What a document of its own shows in the results: the message key
	// of what it is (its label, as "kind.article" is an entry's), its
	// address and its date, which the year filter also reads.
	Label string
	URL   string
	Date  time.Time
}

// Words are a document's text in the weights an entry's fields have:
// words of the title rank first, then the summary's, then the body's.
// They are plain text, not Markdown.
type Words struct {
	Title, Summary, Body string
}

// A Source is a module with documents in the index (owned by search). The
// module keeps them in step as it writes, in the write's transaction (Put,
// Remove); a full re-index (`peerpress search reindex`) asks it for them
// all, read through q. yield writes through q's transaction, so a module
// reads its rows to the end before it yields them.
type Source interface {
	SearchDocuments(ctx context.Context, q db.Querier, yield func(Document) error) error
}

// Limits of a document's text, as the editor's are of an entry's: a
// module cannot make a row the engines refuse.
const (
	maxDocTitle = 1_000
	maxDocText  = 200_000
)

var errBadDocument = errors.New("search: a document needs a source, a key, and a language or an entry")

// Put stores docs in the index inside the module's transaction, each
// replacing the one of its source, key and language. An entry whose
// documents changed has its translations indexed anew, with the new
// words; one whose documents did not is left alone, so a module may Put
// on every save.
func Put(ctx context.Context, tx *db.Tx, docs ...Document) error {
	changed := map[int64]bool{}
	for _, doc := range docs {
		doc, err := checked(doc)
		if err != nil {
			return err
		}
		same, oldEntry, err := unchanged(ctx, tx, doc)
		if err != nil {
			return err
		}
		if same {
			continue
		}
		if oldEntry != 0 {
			changed[oldEntry] = true
		}
		if err := putDocument(ctx, tx, doc); err != nil {
			return err
		}
		if doc.Entry != 0 {
			changed[doc.Entry] = true
		}
	}
	return reindexEntries(ctx, tx, changed)
}

// Remove deletes the documents of a source's key, in every language,
// inside the module's transaction; the entries they belonged to are
// indexed anew without their words.
func Remove(ctx context.Context, tx *db.Tx, source, key string) error {
	rows, err := tx.QueryContext(ctx, `DELETE FROM search_documents WHERE source = ? AND key = ? RETURNING COALESCE(entry_id, 0)`, source, key)
	if err != nil {
		return fmt.Errorf("search: remove %s/%s: %w", source, key, err)
	}
	changed := map[int64]bool{}
	for rows.Next() {
		var entry int64
		if err := rows.Scan(&entry); err != nil {
			rows.Close()
			return fmt.Errorf("search: remove %s/%s: %w", source, key, err)
		}
		if entry != 0 {
			changed[entry] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search: remove %s/%s: %w", source, key, err)
	}
	return reindexEntries(ctx, tx, changed)
}

// checked is doc as stored: its texts within their limits. A document
// without a source and key, or neither a language nor an entry, is a
// mistake in its module.
func checked(doc Document) (Document, error) {
	if doc.Source == "" || doc.Key == "" || (doc.Lang == "" && doc.Entry == 0) {
		return doc, errBadDocument
	}
	doc.Title = cut(doc.Title, maxDocTitle)
	doc.Summary, doc.Body = cut(doc.Summary, maxDocText), cut(doc.Body, maxDocText)
	return doc, nil
}

// cut bounds s to n bytes, at a character's start.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// unchanged reports whether the index holds doc as it is; oldEntry is the
// entry the stored one belonged to, when it did.
func unchanged(ctx context.Context, tx *db.Tx, doc Document) (same bool, oldEntry int64, err error) {
	var old Document
	var publish int64
	err = tx.QueryRowContext(ctx, `SELECT COALESCE(entry_id, 0), label, title, summary, body, url, publish_at FROM search_documents
		WHERE source = ? AND key = ? AND lang = ?`, doc.Source, doc.Key, doc.Lang).Scan(
		&old.Entry, &old.Label, &old.Title, &old.Summary, &old.Body, &old.URL, &publish)
	if errors.Is(err, sql.ErrNoRows) {
		return false, 0, nil
	}
	if err != nil {
		return false, 0, fmt.Errorf("search: put %s/%s: %w", doc.Source, doc.Key, err)
	}
	same = old.Entry == doc.Entry && old.Words == doc.Words && old.Label == doc.Label && old.URL == doc.URL && publish == dateOf(doc)
	return same, old.Entry, nil
}

func dateOf(doc Document) int64 {
	if doc.Date.IsZero() {
		return 0
	}
	return doc.Date.Unix()
}

// putDocument writes doc's row. A document of an entry keeps its text
// only: its terms are the entry's translations', in their languages. One
// of its own carries its terms and its year words (facets), as a
// translation does.
func putDocument(ctx context.Context, tx *db.Tx, doc Document) error {
	var entry any
	titleTerms, summaryTerms, allTerms := "", "", ""
	if doc.Entry != 0 {
		entry = doc.Entry
	} else {
		title, summary, all := analyseText(doc.Lang, doc.Title, doc.Summary, doc.Body, nil)
		f := yearFacets(dateOf(doc))
		join := func(ts []string) string { return strings.Join(ts, " ") }
		titleTerms, summaryTerms, allTerms = join(title)+" "+f, join(summary), join(all)+" "+f
	}
	row := "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
	if tx.Engine() == db.Postgres {
		row = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS tsvector), CAST(? AS tsvector), CAST(? AS tsvector)"
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO search_documents (source, key, lang, entry_id, label, title, summary, body, url, publish_at,
		title_terms, summary_terms, terms) VALUES (`+row+`)
		ON CONFLICT (source, key, lang) DO UPDATE SET entry_id = excluded.entry_id, label = excluded.label, title = excluded.title,
		summary = excluded.summary, body = excluded.body, url = excluded.url, publish_at = excluded.publish_at,
		title_terms = excluded.title_terms, summary_terms = excluded.summary_terms, terms = excluded.terms`,
		doc.Source, doc.Key, doc.Lang, entry, doc.Label, doc.Title, doc.Summary, doc.Body, doc.URL, dateOf(doc),
		titleTerms, summaryTerms, allTerms)
	if err != nil {
		return fmt.Errorf("search: put %s/%s: %w", doc.Source, doc.Key, err)
	}
	return nil
}

// joined is the words of an entry's documents, in one language ("": in
// each of the entry's).
type joined struct {
	lang string
	Words
}

// joinedOf reads the words documents join to the given entries, in the
// order they were first put.
func joinedOf(ctx context.Context, q db.Querier, entries []int64) (map[int64][]joined, error) {
	out := map[int64][]joined{}
	if len(entries) == 0 {
		return out, nil
	}
	marks, args := db.InList(entries)
	rows, err := q.QueryContext(ctx, `SELECT entry_id, lang, title, summary, body FROM search_documents
		WHERE entry_id IN (`+marks+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("search: documents of entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var j joined
		if err := rows.Scan(&id, &j.lang, &j.Title, &j.Summary, &j.Body); err != nil {
			return nil, fmt.Errorf("search: documents of entries: %w", err)
		}
		out[id] = append(out[id], j)
	}
	return out, rows.Err()
}

// wordsIn keeps the words that join a translation in lang.
func wordsIn(js []joined, lang string) []Words {
	var out []Words
	for _, j := range js {
		if j.lang == "" || j.lang == lang {
			out = append(out, j.Words)
		}
	}
	return out
}

// reindexEntries indexes every translation of the entries anew, with
// their documents' words.
func reindexEntries(ctx context.Context, tx *db.Tx, entries map[int64]bool) error {
	for id := range entries {
		rows, err := tx.QueryContext(ctx, `SELECT t.id, t.lang, e.kind, COALESCE(e.section_id, 0), t.status, t.publish_at, t.title, t.summary, t.body
			FROM translations t JOIN entries e ON e.id = t.entry_id WHERE t.entry_id = ?`, id)
		if err != nil {
			return fmt.Errorf("search: index entry %d: %w", id, err)
		}
		docs, err := scanDocs(rows)
		if err != nil {
			return fmt.Errorf("search: index entry %d: %w", id, err)
		}
		if len(docs) == 0 { // an entry saved with its extension before its first translation
			continue
		}
		js, err := joinedOf(ctx, tx, []int64{id})
		if err != nil {
			return err
		}
		for i := range docs {
			docs[i].Joined = wordsIn(js[id], docs[i].Lang)
		}
		if err := Add(ctx, tx, docs); err != nil {
			return err
		}
	}
	return nil
}

// scanDocs reads translations as Docs: id, lang, kind, section, status,
// publish_at, title, summary, body. It closes rows.
func scanDocs(rows *sql.Rows) ([]Doc, error) {
	defer rows.Close()
	var docs []Doc
	for rows.Next() {
		var doc Doc
		if err := rows.Scan(&doc.TranslationID, &doc.Lang, &doc.Kind, &doc.SectionID, &doc.Status, &doc.PublishAt, &doc.Title, &doc.Summary, &doc.Body); err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
	return docs, rows.Err()
}
