package search

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/french"
	"github.com/kljensen/snowball/russian"
	"github.com/kljensen/snowball/spanish"
	"golang.org/x/text/unicode/norm"
)

// Text is analysed here, in Go, and not by either database: both engines
// then index exactly the same terms, and a query matches the same rows on
// SQLite and PostgreSQL. A term is stored as "<lang>_<stem>", so one index
// serves every language and a query stemmed the Russian way only meets
// Russian rows.

// maxTermRunes bounds one term; longer runs of letters (a pasted hash, a
// URL without separators) are cut, not indexed whole.
const maxTermRunes = 48

// maxDocTerms bounds the distinct terms indexed for one text, far above
// any real article's, so that a pasted megabyte of unique strings cannot
// outgrow PostgreSQL's 1 MB tsvector and make the save fail.
const maxDocTerms = 20_000

// token is a word of a text with its place in it, for snippets.
type token struct {
	start, end int // byte offsets in the text
	word       string
}

// tokenize splits text into words: runs of letters, digits and combining
// marks (Devanagari vowel signs are marks, and belong to their word).
func tokenize(text string) []token {
	var out []token
	start := -1
	for i, r := range text {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r)
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			out = append(out, token{start: start, end: i, word: text[start:i]})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, token{start: start, end: len(text), word: text[start:]})
	}
	return out
}

// normalise turns one word into the term indexed for it in lang: lower
// case, diacritics folded where readers often leave them out (Latin
// scripts: "prevencion" finds "prevención"), then stemmed for the
// languages that have a Snowball stemmer. It returns "" for nothing left.
func normalise(lang, word string) string {
	if n, ok := memo.get(lang, word); ok {
		return n
	}
	n := analyse(lang, word)
	memo.put(lang, word, n)
	return n
}

// stemMemo remembers recent words' terms, per language: stemming is most
// of the cost of indexing and of snippets, and text repeats its words. It
// is cleared when full, which bounds its memory without bookkeeping.
type stemMemo struct {
	mu sync.RWMutex
	m  map[string]map[string]string // lang → word → term
	n  int
}

const memoSize = 200_000

var memo = &stemMemo{m: map[string]map[string]string{}}

func (c *stemMemo) get(lang, word string) (string, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n, ok := c.m[lang][word]
	return n, ok
}

func (c *stemMemo) put(lang, word, n string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n >= memoSize {
		c.m, c.n = map[string]map[string]string{}, 0
	}
	if c.m[lang] == nil {
		c.m[lang] = map[string]string{}
	}
	c.m[lang][word] = n
	c.n++
}

func analyse(lang, word string) string {
	w := fold(lang, word)
	// Folding comes before stemming, on documents and queries alike, so
	// both always take the same path whatever accents were typed.
	switch lang {
	case "en":
		w = english.Stem(w, true)
	case "fr":
		w = french.Stem(w, true)
	case "es":
		w = spanish.Stem(w, true)
	case "ru":
		w = russian.Stem(w, true)
	case "ar":
		w = stemArabic(w)
	case "hi":
		w = stemHindi(w)
	}
	return w
}

// foldMarks removes combining marks after canonical decomposition:
// é → e, ñ → n, ç → c.
func foldMarks(s string) string {
	if isASCII(s) {
		return s
	}
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// foldArabic drops the short-vowel marks (tashkeel) and the tatweel, which
// most texts leave out, and unifies the forms of alef.
func foldArabic(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 0x064B && r <= 0x065F, r == 0x0670, r == 0x0640:
			continue
		case r == 'أ' || r == 'إ' || r == 'آ':
			r = 'ا'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// terms returns the distinct indexed terms of text in lang, in order of
// first appearance, each prefixed with the language.
func terms(lang, text string) []string {
	return appendTerms(nil, map[string]bool{}, lang, text)
}

// appendTerms adds to out the terms of text not in seen, up to
// maxDocTerms in all, marking them seen.
func appendTerms(out []string, seen map[string]bool, lang, text string) []string {
	prefix := termPrefix(lang)
	for _, t := range tokenize(text) {
		if len(out) >= maxDocTerms {
			break
		}
		n := normalise(lang, t.word)
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, prefix+n)
	}
	return out
}

// termPrefix is the language's mark on its terms: the code's letters and
// digits only ("pt-br" → "ptbr_"), since a hyphen would split the term in
// SQLite's tokenizer.
func termPrefix(lang string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return -1
	}, lang) + "_"
}
