package search

import (
	"strings"
	"unicode/utf8"
)

// stemArabic is the "light10" stemmer of Larkey, Ballesteros and Connell
// ("Light Stemming for Arabic Information Retrieval", 2007), which
// retrieves better than root-based stemmers: after foldArabic, the
// conjunction و, the definite article in its forms, and one pass of the
// common suffixes go, each only if enough of the word is left. So
// "النالوكسون" and "نالوكسون" meet, and "المخدرات" finds "مخدرات".
// Snowball's Arabic stemmer strips suffixes differently by the word's
// length, which parts such pairs.
func stemArabic(w string) string {
	w = strings.NewReplacer("ى", "ي", "ة", "ه").Replace(w)
	if rest, ok := strings.CutPrefix(w, "و"); ok && utf8.RuneCountInString(rest) >= 3 {
		w = rest
	}
	for _, article := range arabicArticles {
		if rest, ok := strings.CutPrefix(w, article); ok && utf8.RuneCountInString(rest) >= 2 {
			w = rest
			break
		}
	}
	for _, suffix := range arabicSuffixes {
		if rest, ok := strings.CutSuffix(w, suffix); ok && utf8.RuneCountInString(rest) >= 2 {
			w = rest
		}
	}
	return w
}

// arabicArticles are the definite article and its forms joined to a
// preposition or conjunction, longest first.
var arabicArticles = []string{"وال", "بال", "كال", "فال", "ال", "لل"}

// arabicSuffixes in the order light10 tries them, once each (ة is
// written ه by then).
var arabicSuffixes = []string{"ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي"}
