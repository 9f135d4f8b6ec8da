// Package i18n holds the languages peerpress knows and translates its
// interface through message catalogs (go-i18n, with CLDR plural rules).
// Catalogs are embedded JSON files, locales/<lang>.json, joined by the
// catalogs of feature areas, locales/<area>/<lang>.json, so that each area
// keeps its own messages; English is the source and the fallback for a
// message a catalog lacks.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales
var catalogs embed.FS

// Language describes one language the site can publish in.
type Language struct {
	Code string // BCP 47 code used in URLs: "en", "ru"
	Name string // the language's name in itself: "Русский"
	Dir  string // "ltr" or "rtl"
}

// RTL reports whether the language is written right to left.
func (l Language) RTL() bool { return l.Dir == "rtl" }

// A language is defined by its catalog, locales/<code>.json: the file's
// name is the language's code, and the catalog names the language in
// itself ("language.name") and gives its writing direction
// ("language.dir": ltr or rtl). Adding a language needs only its catalog;
// messages it lacks fall back to English.
const (
	keyLanguageName = "language.name"
	keyLanguageDir  = "language.dir"
)

// catalogLanguages reads the languages the catalogs in fsys define, English
// first and the others by code.
func catalogLanguages(fsys fs.FS) ([]Language, error) {
	files, err := fs.Glob(fsys, "locales/*.json")
	if err != nil {
		return nil, err
	}
	var out []Language
	for _, f := range files {
		code := strings.TrimSuffix(path.Base(f), ".json")
		if tag, err := language.Parse(code); err != nil || tag.String() != code {
			return nil, fmt.Errorf("i18n: catalog %s: %q is not a language code", f, code)
		}
		buf, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		var msgs map[string]json.RawMessage
		if err := json.Unmarshal(buf, &msgs); err != nil {
			return nil, fmt.Errorf("i18n: catalog %s: %w", f, err)
		}
		l := Language{Code: code, Name: messageText(msgs[keyLanguageName]), Dir: messageText(msgs[keyLanguageDir])}
		if l.Name == "" {
			l.Name = code
		}
		switch l.Dir {
		case "":
			l.Dir = "ltr"
		case "ltr", "rtl":
		default:
			return nil, fmt.Errorf("i18n: catalog %s: %s must be ltr or rtl, not %q", f, keyLanguageDir, l.Dir)
		}
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b Language) int {
		switch {
		case a.Code == b.Code:
			return 0
		case a.Code == "en":
			return -1
		case b.Code == "en":
			return 1
		}
		return strings.Compare(a.Code, b.Code)
	})
	return out, nil
}

// catalogFiles lists every catalog: the languages' own, then the areas'.
func catalogFiles(fsys fs.FS) ([]string, error) {
	main, err := fs.Glob(fsys, "locales/*.json")
	if err != nil {
		return nil, err
	}
	areas, err := fs.Glob(fsys, "locales/*/*.json")
	if err != nil {
		return nil, err
	}
	return append(main, areas...), nil
}

// messageText reads a catalog message written either as a string or as an
// object with an "other" form.
func messageText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var m struct{ Other string }
	if json.Unmarshal(raw, &m) == nil {
		return m.Other
	}
	return ""
}

// embedded is the languages of the embedded catalogs, read once.
var embedded = sync.OnceValues(func() ([]Language, error) { return catalogLanguages(catalogs) })

// Available lists the languages an administrator can enable: one per
// catalog, English first.
func Available() []Language {
	langs, _ := embedded()
	return langs
}

// Lookup finds an available language by code.
func Lookup(code string) (Language, bool) {
	for _, l := range Available() {
		if l.Code == code {
			return l, true
		}
	}
	return Language{}, false
}

// Bundle is the set of enabled languages and their catalogs. It is built
// once at start and shared; per-request state lives in a Localizer.
type Bundle struct {
	bundle     *goi18n.Bundle
	enabled    []Language
	def        int // index in enabled of the default language
	localizers map[string]*Localizer
	tags       []language.Tag // of the enabled languages, for matcher
	matcher    language.Matcher
}

// New loads the embedded catalogs and enables the given languages, the first
// being the site's default. An unknown code is an error.
func New(enabled []string) (*Bundle, error) {
	available, err := embedded()
	if err != nil {
		return nil, err
	}
	messages, err := parsed()
	if err != nil {
		return nil, err
	}
	return bundleOf(messages, available, enabled)
}

// NewWithDefault is New with the default language named apart, so that
// the enabled languages keep the site's order (the language switcher's)
// whichever of them is the default. def must be among enabled.
func NewWithDefault(enabled []string, def string) (*Bundle, error) {
	b, err := New(enabled)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(b.enabled, func(l Language) bool { return l.Code == def })
	if i < 0 {
		return nil, fmt.Errorf("i18n: the default language %q is not enabled", def)
	}
	b.def = i
	return b, nil
}

// newBundle is New over the catalogs in fsys, parsed for this Bundle.
func newBundle(fsys fs.FS, enabled []string) (*Bundle, error) {
	available, err := catalogLanguages(fsys)
	if err != nil {
		return nil, err
	}
	messages, err := parseCatalogs(fsys, available)
	if err != nil {
		return nil, err
	}
	return bundleOf(messages, available, enabled)
}

// parsed is the embedded catalogs, parsed once and shared by every
// Bundle of the process: the site's, the admin's, and those modules keep
// to write mail in any language. Parsed, the catalogs take about 5 MB of
// heap, which the collector marks on every cycle; a copy per Bundle made
// them two thirds of the server's live heap (issue 23). A goi18n.Bundle
// is only read once parsed.
var parsed = sync.OnceValues(func() (*goi18n.Bundle, error) {
	available, err := embedded()
	if err != nil {
		return nil, err
	}
	return parseCatalogs(catalogs, available)
})

// parseCatalogs reads every catalog in fsys, whose languages are available.
func parseCatalogs(fsys fs.FS, available []Language) (*goi18n.Bundle, error) {
	messages := goi18n.NewBundle(language.English)
	messages.RegisterUnmarshalFunc("json", json.Unmarshal)
	files, err := catalogFiles(fsys)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		code := strings.TrimSuffix(path.Base(f), ".json")
		if !slices.ContainsFunc(available, func(l Language) bool { return l.Code == code }) {
			return nil, fmt.Errorf("i18n: catalog %s: no language %q (locales/%s.json)", f, code, code)
		}
		buf, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		if _, err := messages.ParseMessageFileBytes(buf, path.Base(f)); err != nil {
			return nil, fmt.Errorf("i18n: catalog %s: %w", f, err)
		}
	}
	return messages, nil
}

// bundleOf enables languages of available over the parsed messages.
func bundleOf(messages *goi18n.Bundle, available []Language, enabled []string) (*Bundle, error) {
	if len(enabled) == 0 {
		return nil, fmt.Errorf("i18n: no language enabled")
	}
	b := &Bundle{bundle: messages, localizers: map[string]*Localizer{}}
	seen := map[string]bool{}
	for _, code := range enabled {
		code = strings.TrimSpace(code)
		i := slices.IndexFunc(available, func(l Language) bool { return l.Code == code })
		if i < 0 {
			return nil, fmt.Errorf("i18n: unknown language %q: there is no catalog locales/%s.json", code, code)
		}
		lang := available[i]
		if seen[code] {
			continue
		}
		seen[code] = true
		b.enabled = append(b.enabled, lang)
		b.localizers[code] = &Localizer{Lang: lang, loc: goi18n.NewLocalizer(b.bundle, code, "en"), f: newFormatter(code)}
	}
	tags := make([]language.Tag, len(b.enabled))
	for i, l := range b.enabled {
		tags[i] = language.Make(l.Code)
	}
	b.tags = tags
	b.matcher = language.NewMatcher(tags)
	return b, nil
}

// Enabled lists the enabled languages in the site's order: the default
// first unless the bundle was made by NewWithDefault.
func (b *Bundle) Enabled() []Language { return b.enabled }

// Default is the site's default language.
func (b *Bundle) Default() Language { return b.enabled[b.def] }

// Get returns the enabled language with this code.
func (b *Bundle) Get(code string) (Language, bool) {
	l, ok := b.localizers[code]
	if !ok {
		return Language{}, false
	}
	return l.Lang, true
}

// Localizer returns the localizer of an enabled language, or the default's.
func (b *Bundle) Localizer(code string) *Localizer {
	if l, ok := b.localizers[code]; ok {
		return l
	}
	return b.localizers[b.Default().Code]
}

// Localizer translates interface messages into one language. It is safe
// for concurrent use.
type Localizer struct {
	Lang Language
	loc  *goi18n.Localizer
	f    formatter // numbers, dates and times: format.go

	// Messages without placeholders, and long dates, as translated once:
	// go-i18n runs a text/template for each message, and a page asks for
	// dozens. Both are bounded: keys by the catalog, dates by the days
	// the site's entries fall on (and by memoMax).
	plain sync.Map // key → string
	dates sync.Map // days since 1970 → string
	dateN atomic.Int64
}

// T translates a message. args are name/value pairs for its placeholders:
// T("tag.heading", "Name", name).
func (l *Localizer) T(key string, args ...any) string {
	if len(args) > 0 {
		return l.translate(key, nil, args)
	}
	if s, ok := l.plain.Load(key); ok {
		return s.(string)
	}
	s := l.translate(key, nil, nil)
	if s != key { // a missing key stays uncached, so it is logged each time
		l.plain.Store(key, s)
	}
	return s
}

// N translates a message with plural forms chosen by count under the
// language's CLDR rules. The message shows the count as {{.Count}},
// formatted by Number ("1 234 записи", "१२ प्रविष्टियाँ"); the plural form
// is chosen from the integer itself.
func (l *Localizer) N(key string, count int, args ...any) string {
	return l.translate(key, count, append(args, "Count", l.Number(count)))
}

func (l *Localizer) translate(key string, count any, args []any) string {
	var data map[string]any
	if len(args) > 0 {
		data = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			name, _ := args[i].(string)
			data[name] = args[i+1]
		}
	}
	s, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: key, TemplateData: data, PluralCount: count})
	if err != nil && s == "" {
		// Not even English has it: a bug the catalog test catches. Show
		// the key rather than nothing, so it is visible on the page. (A
		// message only English has comes back with an error too; that
		// fallback is expected while a catalog is incomplete.)
		slog.Warn("i18n: missing message", "lang", l.Lang.Code, "key", key, "err", err)
		return key
	}
	return s
}

// Resolves reports whether key has a message in this language's own
// catalog, without falling back to English; count < 0 asks for a message
// without plural forms. The catalog tests use it.
func (l *Localizer) Resolves(key string, count int) bool {
	cfg := &goi18n.LocalizeConfig{MessageID: key}
	if count >= 0 {
		cfg.PluralCount = count
	}
	_, tag, err := l.loc.LocalizeWithTag(cfg)
	return err == nil && tag.String() == l.Lang.Code
}
