package content

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// MaxSlugLen bounds slugs in characters.
const MaxSlugLen = 120

// reservedSlugs would shadow the site's own addresses if a page took them.
var reservedSlugs = map[string]bool{
	"articles": true, "events": true, "publications": true, "statements": true,
	"campaigns": true, "tag": true, "section": true, "page": true, "search": true,
	"feed": true, "feeds": true, "api": true, "admin": true, "media": true, "static": true,
	"sitemap.xml": true, "robots.txt": true,
}

// Slugify makes a URL slug from a title: lower case, letters and digits of
// any script kept (a Russian title gives a Russian slug), apostrophes
// dropped, everything else folded into single hyphens. Compatibility forms
// are folded first (ﬁ → fi, ＷＨＯ → WHO); accents are dropped from Latin
// letters only, since in other scripts a mark can make another letter
// (й is not и). A mark not attached to a letter, such as an emoji's
// variation selector, is dropped.
func Slugify(s string) string {
	var b strings.Builder
	n := 0
	hyphen := false
	afterLetter := false
	for _, r := range norm.NFKC.String(s) {
		if n >= MaxSlugLen {
			break
		}
		switch {
		case r == '\'' || r == '’' || r == 'ʼ':
			continue
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
			if afterLetter && !hyphen {
				b.WriteRune(r)
				n++
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
				n++
			}
			hyphen = false
			afterLetter = true
			for _, d := range foldLatin(unicode.ToLower(r)) {
				b.WriteRune(d)
				n++
			}
		default:
			hyphen = true
			afterLetter = false
		}
	}
	out := []rune(norm.NFC.String(b.String()))
	if len(out) > MaxSlugLen {
		out = out[:MaxSlugLen]
	}
	return strings.Trim(string(out), "-")
}

// foldLatin removes accents from a Latin letter; other runes pass as they are.
func foldLatin(r rune) string {
	if !unicode.Is(unicode.Latin, r) {
		return string(r)
	}
	var b strings.Builder
	for _, d := range norm.NFD.String(string(r)) {
		if !unicode.Is(unicode.Mn, d) {
			b.WriteRune(d)
		}
	}
	return b.String()
}

// ValidSlug reports whether s is already a clean slug.
func ValidSlug(s string) bool {
	return s != "" && Slugify(s) == s
}
