package search

import (
	"strings"
	"unicode/utf8"
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
