package events

import (
	"bytes"
	"html/template"
	"os"
	"testing"
	"time"

	"peerpress/internal/i18n"
)

// The home block written in Go is the bytes html/template wrote from the
// old template, for ordinary and hostile events, translated or not, and
// for none.
func TestHomeBlockAsTheTemplateWritesIt(t *testing.T) {
	src, err := os.ReadFile("testdata/home.html")
	if err != nil {
		t.Fatal(err)
	}
	tmpl := template.Must(template.New("home").Parse(string(src)))
	bundle, err := i18n.New([]string{"en", "ru", "ar"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC)
	ordinary := listedView{Listed: Listed{EntryID: 1, Lang: "en", Title: "Webinar: hepatitis C & us", Slug: "webinar-hepatitis-c", Info: Info{StartsAt: start, TimeZone: "Europe/Vilnius"}},
		When: "10 December 2026, 19:00", Datetime: "2026-12-10T17:00:00Z", Zone: "Vilnius"}
	hostile := `"><script>alert('x')</script> &amp; + javascript:alert(1) ` + "\u202e\x00\xff"
	bad := listedView{Listed: Listed{EntryID: 2, Lang: hostile, Title: hostile, Slug: hostile + "/../x?y=1#z"},
		When: hostile, Datetime: hostile, Zone: hostile, LangName: hostile}
	untranslated := ordinary
	untranslated.Lang, untranslated.LangName = "ru", "Русский"
	for _, lang := range []string{"en", "ru", "ar", hostile} {
		for _, items := range [][]listedView{nil, {ordinary}, {ordinary, untranslated, bad}} {
			l := bundle.Localizer(lang)
			var want, got bytes.Buffer
			data := struct {
				L     *i18n.Localizer
				Lang  string
				Items []listedView
			}{l, lang, items}
			if err := tmpl.Execute(&want, data); err != nil {
				t.Fatal(err)
			}
			writeHome(&got, l, lang, items)
			if got.String() != want.String() {
				t.Errorf("%s, %d events:\n got %q\nwant %q", lang, len(items), got.String(), want.String())
			}
		}
	}
}
