package i18n

import (
	"strings"
	"testing"
	"testing/fstest"
)

// Accept-Language headers as browsers send them, on a site with the
// default languages: the visitor lands on the best enabled language they
// accept, by q-value; what the site does not have is skipped, not a
// reason to give up.
func TestNegotiateBrowsers(t *testing.T) {
	b, err := New([]string{"en", "ru", "fr", "es", "hi", "ar"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ who, header, want string }{
		{"Chrome, Russian", "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru"},
		{"Chrome, Russian only", "ru", "ru"},
		{"Firefox, Swiss French", "fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", "fr"},
		{"Chrome, Latin American Spanish", "es-419,es;q=0.9", "es"},
		{"Chrome, Latin American Spanish only", "es-419", "es"},
		{"Chrome, Hindi (India)", "hi-IN", "hi"},
		{"Chrome, Hindi then English", "hi-IN,hi;q=0.9,en-US;q=0.8,en;q=0.7", "hi"},
		{"Chrome, Egyptian Arabic", "ar-EG,ar;q=0.9", "ar"},
		{"Chrome, Arabic", "ar,en-US;q=0.9,en;q=0.8", "ar"},
		{"Safari, British English", "en-GB,en;q=0.9", "en"},
		{"Safari, French", "fr-FR,fr;q=0.9", "fr"},
		{"Safari, Canadian French", "fr-CA", "fr"},
		{"Safari, Mexican Spanish", "es-MX,es;q=0.9", "es"},
		{"Firefox, US English", "en-US,en;q=0.5", "en"},
		{"Firefox, German then English", "de,en-US;q=0.7,en;q=0.3", "en"},
		{"Chrome, German then Russian", "de-DE,de;q=0.9,ru;q=0.8,en;q=0.7", "ru"},
		{"Chrome, Ukrainian then Russian", "uk-UA,uk;q=0.9,ru;q=0.8,en-US;q=0.7,en;q=0.6", "ru"},
		{"Chrome, Kazakh then Russian", "kk-KZ,kk;q=0.9,ru-RU;q=0.8,ru;q=0.7,en-US;q=0.6,en;q=0.5", "ru"},
		{"Firefox, Brazilian Portuguese", "pt-BR,pt;q=0.8,en-US;q=0.5,en;q=0.3", "en"},
		{"Chrome, Taiwanese Mandarin", "zh-TW,zh;q=0.9,en-US;q=0.8,en;q=0.7", "en"},
		{"Traditional Chinese only", "zh-Hant", "en"},
		{"Chrome, Swahili then French", "sw-KE,sw;q=0.9,fr;q=0.8", "fr"},
		{"Chrome, Kazakh only", "kk-KZ,kk;q=0.9", "ru"},
		{"Chrome, Marathi only", "mr-IN,mr;q=0.9", "hi"},
		{"Kazakh, any other at a low q", "kk, *;q=0.1", "ru"},
		{"Kazakh then English", "kk, en;q=0.5", "en"},
		{"unknown tag first", "xx, ru;q=0.5", "ru"},
		{"unknown subtags", "ru-XY, fr;q=0.5", "ru"},
		{"private use first", "x-klingon, ru", "ru"},
		{"grandfathered tag first", "i-klingon, es;q=0.8", "es"},
		{"preference not first", "en;q=0.5, fr", "fr"},
		{"equal q: header order", "fr, ru", "fr"},
		{"equal q after sorting", "de;q=0.9, ru;q=0.8, ar;q=0.8", "ru"},
		{"upper case", "RU-ru", "ru"},
		{"spaces", " fr ; q=0.8 ,  ar ;q=0.9 ", "ar"},
		{"no header", "", "en"},
		{"garbage", "garbage;;;", "en"},
		{"only separators", "q=;;;,,,", "en"},
		{"only wildcard", "*", "en"},
		{"only an unknown language", "ja", "en"},
		{"wildcard after unknown", "ja, *;q=0.1", "en"},
		{"wildcard, default refused", "en;q=0, *", "ru"},
		{"wildcard, others refused", "ru;q=0, *;q=0.5", "en"},
		{"q=0 refuses", "ru;q=0, fr;q=0.1", "fr"},
		{"q=0 on a language refuses its regions", "es;q=0, es-419, ar;q=0.1", "ar"},
		{"q=0 on a region alone refuses only the region", "ru-UA;q=0, ru;q=0.5", "ru"},
		{"everything refused", "en;q=0, ru;q=0", "en"},
		{"bad q skipped", "ru;q=abc, fr;q=0.5", "fr"},
		{"q over 1 skipped", "ru;q=2, fr;q=0.5", "fr"},
		{"q with four decimals skipped", "fr-CA;q=0.1, ru;q=0.0001", "fr"},
		{"other parameters ignored", "ru;level=1;q=0.9, fr;q=0.5", "ru"},
		{"too long", "ru," + strings.Repeat("de;q=0.1,", 200), "en"},
	} {
		if got := b.Negotiate(c.header); got != c.want {
			t.Errorf("%s: Negotiate(%q) = %s, want %s", c.who, c.header, got, c.want)
		}
	}
}

// A regional variant matches its language when the site has that
// language; a different script does not.
func TestNegotiateRegionsAndScripts(t *testing.T) {
	fsys := fstest.MapFS{}
	for _, code := range []string{"en", "fr", "pt", "zh", "sr", "pt-BR"} {
		fsys["locales/"+code+".json"] = &fstest.MapFile{Data: []byte(`{}`)}
	}
	b, err := newBundle(fsys, []string{"fr", "en", "pt", "zh", "sr"})
	if err != nil {
		t.Fatal(err)
	}
	// A catalog for a region: its own speakers get it, and a refusal
	// names it in any case.
	br, err := newBundle(fsys, []string{"en", "pt-BR"})
	if err != nil {
		t.Fatal(err)
	}
	for header, want := range map[string]string{
		"pt-BR":            "pt-BR",
		"pt":               "pt-BR",
		"PT-br;q=0, *":     "en",
		"en;q=0, *":        "pt-BR",
		"pt-br;q=0, pt, *": "en",
	} {
		if got := br.Negotiate(header); got != want {
			t.Errorf("en, pt-BR: Negotiate(%q) = %s, want %s", header, got, want)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	for header, want := range map[string]string{
		"pt-BR":                "pt",
		"pt-PT":                "pt",
		"fr-CA":                "fr",
		"en-IN, pt;q=0.5":      "en",
		"zh-CN":                "zh",
		"zh-Hans":              "zh",
		"zh-Hant":              "fr", // zh is Simplified: no match, the default
		"zh-TW":                "fr",
		"zh-Hant, pt;q=0.1":    "pt",
		"zh-Hant, zh;q=0.5":    "zh",
		"sr-Latn, en;q=0.5":    "en", // sr is Cyrillic
		"de":                   "fr",
		"*":                    "fr",
		"fr;q=0, *":            "en",
		"fr;q=0, en;q=0, *":    "pt",
		"pt-BR;q=0.5, en-US":   "en",
		"pt-BR;q=0.9, en;q=0":  "pt",
		"de-CH, pt-AO;q=0.001": "pt",
	} {
		if got := b.Negotiate(header); got != want {
			t.Errorf("Negotiate(%q) = %s, want %s", header, got, want)
		}
	}
}
