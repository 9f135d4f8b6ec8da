package search

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"peerpress/internal/db"
)

// fold is a word as readers type it in lang, before stemming: lower
// case, diacritics folded where readers often leave them out (Latin
// scripts), ё as е, Arabic without its short-vowel marks; other scripts
// (Cyrillic, Devanagari) kept as they are.
func fold(lang, word string) string {
	w := strings.ToLower(word)
	switch lang {
	case "en", "fr", "es":
		w = foldMarks(w)
	case "ru":
		w = strings.ReplaceAll(w, "ё", "е") // often written without its dots
	case "ar":
		w = foldArabic(w)
	}
	if utf8.RuneCountInString(w) > maxTermRunes {
		r := []rune(w)
		w = string(r[:maxTermRunes])
	}
	return w
}

// FoldedWords lists the distinct words of text as lang folds them but
// does not stem them, in order of first appearance: what a search
// without the server (the static mirror's, matching the words a reader
// types as prefixes) can compare with the same folding done in a script.
func FoldedWords(lang, text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range tokenize(text) {
		w := fold(lang, t.word)
		if w == "" || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	return out
}

// maxEntryTermsRunes bounds the words modules add to one entry for a
// search without the server: a venue and speakers, not a module's
// whole text.
const maxEntryTermsRunes = 400

// EntryTerms reads the words modules added to the entries ids in lang
// (documents with an Entry: an event's venue and speakers), joined and
// bounded, by entry: what the static mirror's search finds an entry by
// besides its title and summary.
func EntryTerms(ctx context.Context, q db.Querier, lang string, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 500)]
		ids = ids[len(batch):]
		marks, idArgs := db.InList(batch)
		args := append([]any{lang}, idArgs...)
		rows, err := q.QueryContext(ctx, `SELECT entry_id, title, summary, body FROM search_documents
			WHERE (lang = ? OR lang = '') AND entry_id IN (`+marks+`)
			ORDER BY entry_id, source, key, lang`, args...)
		if err != nil {
			return nil, fmt.Errorf("search: entry terms: %w", err)
		}
		for rows.Next() {
			var id int64
			var title, summary, body string
			if err := rows.Scan(&id, &title, &summary, &body); err != nil {
				rows.Close()
				return nil, fmt.Errorf("search: entry terms: %w", err)
			}
			text := strings.TrimSpace(strings.Join(slices.DeleteFunc([]string{out[id], title, summary, body}, func(s string) bool { return s == "" }), " · "))
			if r := []rune(text); len(r) > maxEntryTermsRunes {
				text = string(r[:maxEntryTermsRunes])
			}
			out[id] = text
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("search: entry terms: %w", err)
		}
	}
	return out, nil
}
