package i18n

import (
	"testing"
	"testing/fstest"
	"time"
)

func TestNegotiate(t *testing.T) {
	b, err := New([]string{"en", "ru", "fr", "es", "ar"})
	if err != nil {
		t.Fatal(err)
	}
	for header, want := range map[string]string{
		"":                         "en",
		"ru":                       "ru",
		"ru-RU,ru;q=0.9,en;q=0.8":  "ru",
		"en;q=0.2,fr;q=0.9":        "fr",
		"de,es;q=0.5":              "es",
		"ar-EG":                    "ar",
		"*":                        "en",
		"q=;;;,,,":                 "en",
		"ja":                       "en",
		"fr-CA;q=0.1, ru;q=0.0001": "fr",
	} {
		if got := b.Negotiate(header); got != want {
			t.Errorf("Negotiate(%q) = %s, want %s", header, got, want)
		}
	}
}

func TestUnknownLanguageRefused(t *testing.T) {
	if _, err := New([]string{"en", "klingon"}); err == nil {
		t.Fatal("an unknown language was enabled")
	}
	if _, err := New(nil); err == nil {
		t.Fatal("no language enabled, no error")
	}
}

// Plural forms follow each language's CLDR rules, not "n > 1".
func TestPluralRules(t *testing.T) {
	fsys := fstest.MapFS{
		"locales/en.json": {Data: []byte(`{"n": {"one": "{{.Count}} entry", "other": "{{.Count}} entries"}, "date.long": "{{.Day}} {{.Month}} {{.Year}}", "month.9": "September"}`)},
		"locales/ru.json": {Data: []byte(`{"n": {"one": "{{.Count}} запись", "few": "{{.Count}} записи", "many": "{{.Count}} записей", "other": "{{.Count}} записи"}, "date.long": "{{.Day}} {{.Month}} {{.Year}}", "month.9": "сентября"}`)},
		"locales/fr.json": {Data: []byte(`{"n": {"one": "{{.Count}} entrée", "other": "{{.Count}} entrées"}}`)},
	}
	b, err := newBundle(fsys, []string{"en", "ru", "fr"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		lang  string
		count int
		want  string
	}{
		{"en", 1, "1 entry"}, {"en", 0, "0 entries"}, {"en", 2, "2 entries"},
		{"ru", 1, "1 запись"}, {"ru", 3, "3 записи"}, {"ru", 5, "5 записей"}, {"ru", 21, "21 запись"}, {"ru", 11, "11 записей"},
		{"fr", 0, "0 entrée"}, {"fr", 1, "1 entrée"}, {"fr", 2, "2 entrées"},
	}
	for _, c := range cases {
		if got := b.Localizer(c.lang).N("n", c.count); got != c.want {
			t.Errorf("%s %d: %q, want %q", c.lang, c.count, got, c.want)
		}
	}
	day := time.Date(2021, 9, 22, 12, 0, 0, 0, time.UTC)
	if got := b.Localizer("ru").Date(day); got != "22 сентября 2021" {
		t.Errorf("ru date: %q", got)
	}
	// A message French lacks falls back to English rather than vanishing.
	if got := b.Localizer("fr").Date(day); got != "22 September 2021" {
		t.Errorf("fr fallback date: %q", got)
	}
	if got := b.Localizer("en").T("no.such.key"); got != "no.such.key" {
		t.Errorf("missing key shows %q", got)
	}
}
