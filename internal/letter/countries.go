package letter

import (
	"bytes"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Country is an ISO 3166-1 country with its name in one language.
type Country struct {
	Code string // alpha-2, upper case: "KE"
	Name string
}

// notCountries are codes x/text knows as regions that ISO 3166-1 only
// reserves (Ascension, Canary Islands, the EU…); Kosovo's user-assigned XK
// stays, since signatories there have no other code.
const notCountries = " AC CP CQ DG EA EU EZ FX IC TA UK UN "

// countryCodes is the ISO 3166-1 list, computed once from x/text's
// region data so it follows Unicode CLDR, not a list kept by hand.
var countryCodes = sync.OnceValue(func() []string {
	var out []string
	en := display.Regions(language.English)
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			r, err := language.ParseRegion(code)
			if err != nil || !r.IsCountry() || r.String() != code || r.Canonicalize() != r ||
				en.Name(r) == "" || strings.Contains(notCountries, " "+code+" ") {
				continue
			}
			out = append(out, code)
		}
	}
	return out
})

// ValidCountry reports whether code is an ISO 3166-1 alpha-2 code.
func ValidCountry(code string) bool {
	_, found := slices.BinarySearch(countryCodes(), code)
	return found
}

// CountryName is the country's name in lang, or the code when x/text has
// no name for it in that language.
func CountryName(code, lang string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	tag, err := language.Parse(lang)
	if err != nil {
		tag = language.English
	}
	namer := display.Regions(tag)
	if namer == nil {
		namer = display.Regions(language.English)
	}
	if n := namer.Name(r); n != "" {
		return n
	}
	return code
}

var countriesByLang sync.Map // lang → []Country

// Countries lists every country by its name in lang, in that language's
// alphabetical order.
func Countries(lang string) []Country {
	if v, ok := countriesByLang.Load(lang); ok {
		return v.([]Country)
	}
	codes := countryCodes()
	out := make([]Country, len(codes))
	for i, c := range codes {
		out[i] = Country{Code: c, Name: CountryName(c, lang)}
	}
	sortCountries(out, lang)
	countriesByLang.Store(lang, out)
	return out
}

// sortCountries orders countries by name with the language's collation
// (Å after Z in Swedish, Ё with Е in Russian…).
func sortCountries(cs []Country, lang string) {
	tag, err := language.Parse(lang)
	if err != nil {
		tag = language.English
	}
	col := collate.New(tag)
	var buf collate.Buffer
	keys := make(map[string][]byte, len(cs))
	for _, c := range cs {
		keys[c.Code] = slices.Clone(col.KeyFromString(&buf, c.Name))
		buf.Reset()
	}
	slices.SortStableFunc(cs, func(a, b Country) int { return bytes.Compare(keys[a.Code], keys[b.Code]) })
}
