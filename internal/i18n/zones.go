package i18n

// Time zones and countries by name, for editors who know a city or a
// country, not an IANA identifier.
//
// Zones are the IANA database's (zone.tab, the same data Go's time
// package reads), each with its country. A zone is named by its city as
// the identifier spells it ("New York"), with the country's name in the
// reader's language from CLDR through golang.org/x/text/language/display.
// x/text has no CLDR exemplar-city or metazone names: those are generated
// from CLDR's npm packages by scripts/genzones into zone_names_<lang>.go
// ("Москва", "Moscou"; "heure de Moscou"). Cities that name no zone of
// their own ("Delhi", "Mumbai", "Geneva") are the short list in
// zoneAliases.

import (
	_ "embed"
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

//go:embed zone.tab
var zoneTab string

// Zone is an IANA time zone with the place that names it.
type Zone struct {
	ID      string // "America/New_York"
	City    string // "New York"
	Country string // ISO 3166 code: "US"; "" for UTC
}

// zoneAliases are cities and common names that name no zone of their
// own, to the zone they keep the time of.
var zoneAliases = map[string]string{
	"delhi": "Asia/Kolkata", "new delhi": "Asia/Kolkata", "mumbai": "Asia/Kolkata", "bombay": "Asia/Kolkata",
	"bangalore": "Asia/Kolkata", "bengaluru": "Asia/Kolkata", "chennai": "Asia/Kolkata", "hyderabad": "Asia/Kolkata",
	"pune": "Asia/Kolkata", "calcutta": "Asia/Kolkata", "ahmedabad": "Asia/Kolkata",
	"beijing": "Asia/Shanghai", "washington": "America/New_York", "boston": "America/New_York",
	"san francisco": "America/Los_Angeles", "seattle": "America/Los_Angeles", "montreal": "America/Toronto",
	"ottawa": "America/Toronto", "geneva": "Europe/Zurich", "saint petersburg": "Europe/Moscow",
	"st petersburg": "Europe/Moscow", "kiev": "Europe/Kyiv", "rio de janeiro": "America/Sao_Paulo",
	"brasilia": "America/Sao_Paulo", "cape town": "Africa/Johannesburg", "abuja": "Africa/Lagos",
	"islamabad": "Asia/Karachi", "lahore": "Asia/Karachi", "hanoi": "Asia/Bangkok", "chiang mai": "Asia/Bangkok",
	"wellington": "Pacific/Auckland", "canberra": "Australia/Sydney", "rangoon": "Asia/Yangon",
	"saigon": "Asia/Ho_Chi_Minh", "tbilisi": "Asia/Tbilisi", "utc": "UTC", "gmt": "UTC",
}

var zoneList = sync.OnceValue(func() []Zone {
	out := []Zone{{ID: "UTC", City: "UTC"}}
	for _, line := range strings.Split(zoneTab, "\n") {
		f := strings.Split(line, "\t")
		if strings.HasPrefix(line, "#") || len(f) < 3 {
			continue
		}
		out = append(out, Zone{ID: f[2], City: ZoneCity(f[2]), Country: f[0]})
	}
	return out
})

// Zones lists the IANA zones, UTC first, then as the database orders
// them (by country code).
func Zones() []Zone { return zoneList() }

// ZoneCity is the place that names a zone: "America/Argentina/Buenos_Aires"
// → "Buenos Aires".
func ZoneCity(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		id = id[i+1:]
	}
	return strings.ReplaceAll(id, "_", " ")
}

// zoneNames are the names of the zones in one language (generated).
type zoneNames struct {
	cities    map[string]string // zone → exemplar city, where CLDR gives one in the language
	metazones map[string]string // zone → the generic name of the metazone it is in
}

// zoneNamesByLang are the generated names by language; a language
// without them names zones in English.
var zoneNamesByLang = map[string]*zoneNames{
	"en": &zoneNamesEN, "ru": &zoneNamesRU, "fr": &zoneNamesFR, "es": &zoneNamesES, "ar": &zoneNamesAR, "hi": &zoneNamesHI,
}

func namesIn(lang string) *zoneNames {
	if n, ok := zoneNamesByLang[lang]; ok {
		return n
	}
	return &zoneNamesEN
}

// ZoneCityIn is the place that names a zone in lang: "Europe/Moscow" →
// "Москва" (ru), "Moscou" (fr); the identifier's city where CLDR gives
// the language none.
func ZoneCityIn(id, lang string) string {
	if c, ok := namesIn(lang).cities[id]; ok {
		return c
	}
	if c, ok := zoneNamesEN.cities[id]; ok {
		return c
	}
	return ZoneCity(id)
}

// ZoneName names a zone for a reader of lang: its city and, where CLDR
// has one that says more, the name of the time kept there: "Moscou ·
// heure de Moscou", "Лондон · Среднее время по Гринвичу", "UTC".
func ZoneName(id, lang string) string {
	city := ZoneCityIn(id, lang)
	mz := namesIn(lang).metazones[id]
	if mz == "" || foldName(mz) == foldName(city) {
		return city
	}
	return city + " · " + mz
}

// foldName reduces a name to what a search compares: lower case, no
// accents, spaces for underscores, hyphens and dots, single spaces.
func foldName(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	if folded, _, err := transform.String(t, s); err == nil {
		s = folded
	}
	s = strings.Map(func(r rune) rune {
		switch r {
		case '_', '-', '.', ',':
			return ' '
		}
		return unicode.ToLower(r)
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// ResolveZone finds the zone an editor means: a zone's identifier in any
// case ("europe/london"), its city ("London", "sao paulo", or as CLDR
// names it in lang: "Лондон"; with lang "" in any language), a city that
// keeps another zone's time ("Delhi"), a label the picker offers
// ("London · United Kingdom"), or a country with a single zone, named in
// English or in lang ("India", "Inde"), or with lang "" in any language
// peerpress has a catalog for. ok is false when nothing matches or a
// country has several zones.
func ResolveZone(input, lang string) (id string, ok bool) {
	input = strings.TrimSpace(input)
	if input == "" {
		return "", false
	}
	if before, _, found := strings.Cut(input, " · "); found {
		input = before
	}
	want := foldName(input)
	for _, z := range Zones() {
		if strings.EqualFold(z.ID, input) || foldName(z.City) == want {
			return z.ID, true
		}
	}
	if id, ok := zoneAliases[want]; ok {
		return id, true
	}
	langs := []string{"en", lang}
	if lang == "" {
		langs = slices.Sorted(maps.Keys(styles))
	}
	// A city as CLDR names it in the editor's language ("Москва").
	for _, l := range langs {
		for _, z := range Zones() {
			if c, ok := namesIn(l).cities[z.ID]; ok && foldName(c) == want {
				return z.ID, true
			}
		}
	}
	for _, l := range langs {
		if code, ok := countryByName(want, l); ok {
			var found []string
			for _, z := range Zones() {
				if z.Country == code {
					found = append(found, z.ID)
				}
			}
			if len(found) == 1 {
				return found[0], true
			}
		}
	}
	return "", false
}

// ZoneLabel names a zone for the picker in lang: "London · United
// Kingdom", in French "Londres · Royaume-Uni", in Russian "Москва ·
// Россия".
func ZoneLabel(z Zone, lang string) string {
	if z.Country == "" {
		return z.City
	}
	return ZoneCityIn(z.ID, lang) + " · " + CountryName(z.Country, lang)
}

// Country is an ISO 3166 country with its name in one language.
type Country struct {
	Code string // "GB"
	Name string // "United Kingdom", "Royaume-Uni"
}

var countryLists sync.Map // lang → []Country

// Countries lists the countries CLDR names, by their names in lang in
// that language's alphabetical order.
func Countries(lang string) []Country {
	if v, ok := countryLists.Load(lang); ok {
		return v.([]Country)
	}
	tag, err := language.Parse(lang)
	if err != nil {
		tag = language.English
	}
	namer := display.Regions(tag)
	if namer == nil {
		namer = display.Regions(language.English)
	}
	var out []Country
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			r, err := language.ParseRegion(code)
			if err != nil || !r.IsCountry() || r.String() != code || code == "ZZ" {
				continue
			}
			if name := namer.Name(r); name != "" {
				out = append(out, Country{Code: code, Name: name})
			}
		}
	}
	c := collate.New(tag)
	slices.SortFunc(out, func(x, y Country) int { return c.CompareString(x.Name, y.Name) })
	countryLists.Store(lang, out)
	return out
}

// CountryName is the country's name in lang, or its code when CLDR has
// none.
func CountryName(code, lang string) string {
	for _, c := range Countries(lang) {
		if c.Code == code {
			return c.Name
		}
	}
	return code
}

// ValidCountry reports whether code is a country Countries lists.
func ValidCountry(code string) bool {
	_, ok := slices.BinarySearch(countryCodes(), code)
	return ok
}

var countryCodes = sync.OnceValue(func() []string {
	var codes []string
	for _, c := range Countries("en") {
		codes = append(codes, c.Code)
	}
	slices.Sort(codes)
	return codes
})

// countryByName finds a country by its name in lang, compared folded.
func countryByName(folded, lang string) (string, bool) {
	for _, c := range Countries(lang) {
		if foldName(c.Name) == folded {
			return c.Code, true
		}
	}
	return "", false
}
