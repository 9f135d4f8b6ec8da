package content

import (
	"strings"
	"unicode"
	"unicode/utf8"

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
// any script kept (a Russian title gives a Russian slug), everything else
// folded into single hyphens. Latin accents are dropped (é → e).
func Slugify(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r): // combining accent left by NFKD
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(unicode.ToLower(r))
		default:
			hyphen = true
		}
		if utf8.RuneCountInString(b.String()) >= MaxSlugLen {
			break
		}
	}
	out := norm.NFC.String(b.String())
	for utf8.RuneCountInString(out) > MaxSlugLen {
		_, size := utf8.DecodeLastRuneInString(out)
		out = out[:len(out)-size]
	}
	return strings.Trim(out, "-")
}

// ValidSlug reports whether s is already a clean slug.
func ValidSlug(s string) bool {
	return s != "" && Slugify(s) == s
}
