package search

import "strings"

// Hindi has no Snowball stemmer in the libraries Go offers; this is the
// light stemmer of Ramanathan and Rao ("A Lightweight Stemmer for Hindi",
// 2003), as Lucene applies it: the longest of its inflectional suffixes
// is removed, if enough of the word is left. It groups the forms of a
// word ("लड़कियों", "लड़कियाँ" → "लड़क") the way readers expect, and
// leaves the word's first letters alone.

// hindiSuffixes by length in runes, longest first.
var hindiSuffixes = [][]string{
	5: {"ाएंगी", "ाएंगे", "ाऊंगी", "ाऊंगा", "ाइयां", "ाइयों", "ाइयाँ"},
	4: {"ाएगी", "ाएगा", "ाओगी", "ाओगे", "एंगी", "ेंगी", "एंगे", "ेंगे", "ूंगी", "ूंगा", "ातीं", "नाओं", "नाएं", "ताओं", "ताएं", "ियाँ", "ियों", "ियां"},
	3: {"ाकर", "ाइए", "ाईं", "ाया", "ेगी", "ेगा", "ोगी", "ोगे", "ाने", "ाना", "ाते", "ाती", "ाता", "तीं", "ाओं", "ाएं", "ुओं", "ुएं", "ुआं"},
	2: {"कर", "ाओ", "िए", "ाई", "ाए", "ने", "नी", "ना", "ते", "ीं", "ती", "ता", "ां", "ों", "ें"},
	1: {"ो", "े", "ू", "ु", "ी", "ि", "ा"},
}

// stemHindi removes the longest of the suffixes that the word ends with,
// as Lucene's HindiStemmer does: a suffix of n runes only from a word of
// more than n+1 runes, so that a short word keeps its meaning.
func stemHindi(w string) string {
	w = normaliseHindi(w)
	runes := []rune(w)
	for n := len(hindiSuffixes) - 1; n >= 1; n-- {
		if len(runes) <= n+1 {
			continue
		}
		for _, suffix := range hindiSuffixes[n] {
			if strings.HasSuffix(w, suffix) {
				return string(runes[:len(runes)-n])
			}
		}
	}
	return w
}

// normaliseHindi folds spellings readers use interchangeably: the
// chandrabindu written as an anusvara, the nukta left out (ड़ and ड), and
// the invisible joiners some keyboards add.
func normaliseHindi(w string) string {
	if !strings.ContainsAny(w, "\u0901\u093C\u200C\u200D") {
		return w
	}
	var b strings.Builder
	b.Grow(len(w))
	for _, r := range w {
		switch r {
		case '\u0901': // chandrabindu
			r = '\u0902' // anusvara
		case '\u093C', '\u200C', '\u200D': // nukta, ZWNJ, ZWJ
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
