// Package directory is the network's public directory: the organisations
// (its member networks, partners and donors) with their profiles, a list
// per language filtered by region, country, type, membership and
// language, and a page per organisation showing what it did with the
// network. Organisations are the rows content names as co-authors of
// entries: the directory extends them, it does not copy them.
package directory

import (
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Organisation is a directory profile.
type Organisation struct {
	ID         int64
	Slug       string
	Name       string
	ShortName  string
	Type       string // one of Types
	Membership string // one of Memberships
	Country    string // ISO 3166 alpha-2, or ""
	Languages  []string
	Website    string
	// Contact is the public contact address, kept only when the
	// organisation agreed to publish it (ContactAgreed).
	Contact       string
	ContactAgreed bool
	YearJoined    int // 0: not known
	// LogoID is its logo in the media table; 0: none.
	LogoID int64
	// Updated is when its profile last changed.
	Updated time.Time
	// Texts are its words per language code.
	Texts map[string]Text
}

// Text is an organisation's words in one language.
type Text struct {
	Description string
	FocalRoles  string // one role per line
}

// Roles are the focal-point roles in lang, one per line as typed.
func (o Organisation) Roles(lang string) []string {
	var out []string
	for _, l := range strings.Split(o.Texts[lang].FocalRoles, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Region is the M49 region the organisation's country is in, or nil.
func (o Organisation) Region() *Region { return SubRegionOf(o.Country) }

// A choice is a stored value and the message key that names it.
type choice struct{ Value, Key string }

// Types are what an organisation is, in the order forms offer them.
var Types = []choice{
	{"global", "directory.type.global"},
	{"regional", "directory.type.regional"},
	{"national", "directory.type.national"},
	{"local", "directory.type.local"},
	{"partner", "directory.type.partner"},
	{"donor", "directory.type.donor"},
	{"other", "directory.type.other"},
}

// Memberships are an organisation's places in the network.
var Memberships = []choice{
	{"member", "directory.membership.member"},
	{"associate", "directory.membership.associate"},
	{"partner", "directory.membership.partner"},
	{"former", "directory.membership.former"},
}

func keyOf(choices []choice, v string) string {
	for _, c := range choices {
		if c.Value == v {
			return c.Key
		}
	}
	return ""
}

func validChoice(choices []choice, v string) bool { return keyOf(choices, v) != "" }

// WorkLanguages are the languages an organisation may say it works in:
// the ones the networks of the field work in most, a short list to tick
// rather than a field of codes to get wrong.
var WorkLanguages = []string{"ar", "bn", "de", "en", "es", "fa", "fr", "hi", "id", "it", "ka", "kk", "km", "ky", "ms", "my", "ne",
	"pt", "ro", "ru", "sw", "th", "tl", "tr", "uk", "ur", "uz", "vi", "zh"}

// validWorkLanguage reports whether code is one of WorkLanguages.
func validWorkLanguage(code string) bool { return slices.Contains(WorkLanguages, code) }

// LanguageName names the language code in the reader's language lang.
func LanguageName(code, lang string) string {
	reader, err := language.Parse(lang)
	if err != nil {
		reader = language.English
	}
	namer := display.Languages(reader)
	if namer == nil {
		namer = display.Languages(language.English)
	}
	if n := namer.Name(language.Make(code)); n != "" {
		return n
	}
	return code
}
