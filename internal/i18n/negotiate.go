package i18n

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/language"
)

// maxAcceptLanguage bounds the header Negotiate reads. Browsers send a few
// dozen bytes; a longer header is someone else's, and gets the default.
const maxAcceptLanguage = 1024

// Negotiate picks the enabled language that best fits an Accept-Language
// header (RFC 9110, section 12.5.4). Ranges are tried by falling q-value,
// in the header's order for equal ones, and the first that an enabled
// language matches wins. A range matches a language of the same script
// and any region ("pt-BR" and "pt-PT" match "pt", "es-419" matches "es"),
// not one in another script ("zh-Hant" does not match "zh", which is
// Simplified). Ranges naming no language peerpress knows ("xx",
// "x-private") or with a malformed q-value are skipped, not fatal; q=0
// refuses a language ("en;q=0" refuses "en").
//
// Only when no range names an enabled language are CLDR's guesses across
// languages used (Kazakh readers read Russian, Marathi readers Hindi),
// again by q-value: a reader who lists Swahili then French gets French,
// one who lists only Kazakh gets Russian. Then "*" stands for the default
// language, or the first enabled one the header does not refuse. A header
// with nothing that matches, or no header, gives the default language.
func (b *Bundle) Negotiate(acceptLanguage string) string {
	def := b.Default().Code
	if len(acceptLanguage) > maxAcceptLanguage {
		return def
	}
	ranges := parseAcceptLanguage(acceptLanguage)
	refused := func(code string) bool {
		code = strings.ToLower(code) // ranges are lower case; codes are "pt-BR"
		for _, r := range ranges {
			if r.q == 0 && r.tag != "*" && (code == r.tag || strings.HasPrefix(code, r.tag+"-")) {
				return true
			}
		}
		return false
	}
	wildcard := false
	for _, sameLanguage := range []bool{true, false} {
		for _, r := range ranges {
			if r.q == 0 {
				break // sorted: the rest are refusals too
			}
			if r.tag == "*" {
				wildcard = true
				continue
			}
			tag, err := language.Parse(r.tag)
			base, conf := tag.Base()
			// "xx" is well-formed but names no language; a known
			// language with an unknown region ("ru-XY") still counts.
			if err != nil && (conf != language.Exact || base.String() == "und") {
				continue
			}
			_, i, conf := b.matcher.Match(tag)
			if conf < language.High {
				continue
			}
			if matched, _ := b.tags[i].Base(); sameLanguage && matched != base {
				continue
			}
			if code := b.enabled[i].Code; !refused(code) {
				return code
			}
		}
	}
	if wildcard {
		if !refused(def) {
			return def
		}
		for _, l := range b.enabled {
			if !refused(l.Code) {
				return l.Code
			}
		}
	}
	return def
}

// languageRange is one item of an Accept-Language header.
type languageRange struct {
	tag string  // lower case: "fr-ch", "*"
	q   float64 // 0 to 1
}

// parseAcceptLanguage reads the items of an Accept-Language header,
// sorted by falling q-value, the header's order kept for equal ones.
// Items that are not a language range with an optional valid q-value are
// left out.
func parseAcceptLanguage(header string) []languageRange {
	var out []languageRange
	for item := range strings.SplitSeq(header, ",") {
		params := strings.Split(item, ";")
		r := languageRange{tag: strings.ToLower(strings.TrimSpace(params[0])), q: 1}
		if !validRange(r.tag) {
			continue
		}
		ok := true
		for _, p := range params[1:] {
			name, value, _ := strings.Cut(p, "=")
			if !strings.EqualFold(strings.TrimSpace(name), "q") {
				continue
			}
			if r.q, ok = parseQ(strings.TrimSpace(value)); !ok {
				break
			}
		}
		if ok {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b languageRange) int { return cmp.Compare(b.q, a.q) })
	return out
}

// validRange reports whether s is "*" or a language range: subtags of 1 to
// 8 letters and digits, joined by hyphens, the first letters only.
func validRange(s string) bool {
	if s == "*" {
		return true
	}
	if s == "" {
		return false
	}
	for i, sub := range strings.Split(s, "-") {
		if len(sub) == 0 || len(sub) > 8 {
			return false
		}
		for _, c := range sub {
			if !('a' <= c && c <= 'z' || i > 0 && '0' <= c && c <= '9') {
				return false
			}
		}
	}
	return true
}

// parseQ reads a qvalue: "0" to "1", with at most three decimals.
func parseQ(s string) (float64, bool) {
	whole, frac, dot := strings.Cut(s, ".")
	if whole != "0" && whole != "1" || dot && len(frac) > 3 {
		return 0, false
	}
	for _, c := range frac {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	q, err := strconv.ParseFloat(s, 64)
	if err != nil || q > 1 {
		return 0, false
	}
	return q, true
}
