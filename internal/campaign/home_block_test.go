package campaign

import (
	"bytes"
	"html/template"
	"os"
	"testing"

	"peerpress/internal/content"
	"peerpress/internal/i18n"
)

// The home block written in Go is the bytes html/template wrote from the
// old template, for an ordinary and a hostile campaign, with a summary
// and without.
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
	hostile := `"><script>alert('x')</script> &amp; + ` + "\u202e\x00\xff"
	items := []content.Item{
		{EntryID: 1, Kind: content.Campaign, Lang: "en", Title: "Remember every name", Slug: "remember-every-name", Summary: "A campaign & a wall", URL: "/en/campaigns/remember-every-name"},
		{EntryID: 2, Kind: content.Campaign, Lang: "en", Title: hostile, Slug: hostile, Summary: hostile, URL: "/en/campaigns/" + hostile + "?q=" + hostile + "#" + hostile},
		{EntryID: 3, Kind: content.Campaign, Lang: "en", Title: hostile, URL: "javascript:alert(1)"},
		{EntryID: 4, Kind: content.Campaign, Lang: "en", Title: "x", URL: "https://peers.example/ü path"},
	}
	for _, lang := range []string{"en", "ru", "ar"} {
		for _, it := range items {
			l := bundle.Localizer(lang)
			var want, got bytes.Buffer
			data := struct {
				L    *i18n.Localizer
				Item content.Item
			}{l, it}
			if err := tmpl.Execute(&want, data); err != nil {
				t.Fatal(err)
			}
			writeHome(&got, l, it)
			if got.String() != want.String() {
				t.Errorf("%s, item %d:\n got %q\nwant %q", lang, it.EntryID, got.String(), want.String())
			}
		}
	}
}
