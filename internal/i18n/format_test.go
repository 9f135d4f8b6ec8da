package i18n

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
	_ "time/tzdata" // the zone tests must not depend on the host's zoneinfo
)

// Expected outputs were checked against ICU 78 (CLDR 48) except where
// format.go departs from CLDR on purpose (en in en-GB style, Devanagari
// digits for hi, Arabic-Indic digits for ar, ru without "г.").

const (
	nbsp  = "\u00a0" // ru grouping
	nnbsp = "\u202f" // fr grouping
	alm   = "\u061c" // ARABIC LETTER MARK, before ar's minus sign
	minus = "\u2212" // in UTC−5
)

var shipped = []string{"en", "ru", "fr", "es", "hi", "ar"}

func shippedBundle(t *testing.T) *Bundle {
	t.Helper()
	b, err := New(shipped)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestNumber(t *testing.T) {
	b := shippedBundle(t)
	inputs := []int{0, 7, 1234, 12345, 1234567, -5, -1234}
	want := map[string][]string{
		"en": {"0", "7", "1,234", "12,345", "1,234,567", "-5", "-1,234"},
		"ru": {"0", "7", "1" + nbsp + "234", "12" + nbsp + "345", "1" + nbsp + "234" + nbsp + "567", "-5", "-1" + nbsp + "234"},
		"fr": {"0", "7", "1" + nnbsp + "234", "12" + nnbsp + "345", "1" + nnbsp + "234" + nnbsp + "567", "-5", "-1" + nnbsp + "234"},
		// CLDR es: minimumGroupingDigits 2.
		"es": {"0", "7", "1234", "12.345", "1.234.567", "-5", "-1234"},
		// Indian grouping, Devanagari digits.
		"hi": {"०", "७", "१,२३४", "१२,३४५", "१२,३४,५६७", "-५", "-१,२३४"},
		// Arabic-Indic digits, U+066C ARABIC THOUSANDS SEPARATOR, CLDR's
		// arab minus sign (ALM + hyphen-minus).
		"ar": {"٠", "٧", "١٬٢٣٤", "١٢٬٣٤٥", "١٬٢٣٤٬٥٦٧", alm + "-٥", alm + "-١٬٢٣٤"},
	}
	for _, lang := range shipped {
		l := b.Localizer(lang)
		for i, n := range inputs {
			if got := l.Number(n); got != want[lang][i] {
				t.Errorf("%s Number(%d) = %q, want %q", lang, n, got, want[lang][i])
			}
		}
	}
	// The Spanish threshold is on the magnitude, both signs.
	es := b.Localizer("es")
	for n, w := range map[int]string{9999: "9999", 10000: "10.000", -9999: "-9999", -10000: "-10.000"} {
		if got := es.Number(n); got != w {
			t.Errorf("es Number(%d) = %q, want %q", n, got, w)
		}
	}
}

func TestDateAndTime(t *testing.T) {
	b := shippedBundle(t)
	afternoon := time.Date(2021, 9, 22, 14, 5, 0, 0, time.UTC)
	morning := time.Date(2021, 9, 22, 9, 5, 0, 0, time.UTC)
	midnight := time.Date(2021, 1, 3, 0, 7, 0, 0, time.UTC)
	cases := []struct {
		lang                   string
		date, pm, am, midnight string
		january                string
	}{
		{"en", "22 September 2021", "14:05", "09:05", "00:07", "3 January 2021"},
		{"ru", "22 сентября 2021", "14:05", "09:05", "00:07", "3 января 2021"},
		{"fr", "22 septembre 2021", "14:05", "09:05", "00:07", "3 janvier 2021"},
		{"es", "22 de septiembre de 2021", "14:05", "9:05", "0:07", "3 de enero de 2021"},
		{"hi", "२२ सितंबर २०२१", "दोपहर २:०५", "सुबह ९:०५", "रात १२:०७", "३ जनवरी २०२१"},
		{"ar", "٢٢ سبتمبر ٢٠٢١", "٢:٠٥ م", "٩:٠٥ ص", "١٢:٠٧ ص", "٣ يناير ٢٠٢١"},
	}
	for _, c := range cases {
		l := b.Localizer(c.lang)
		if got := l.Date(afternoon); got != c.date {
			t.Errorf("%s Date = %q, want %q", c.lang, got, c.date)
		}
		if got := l.Date(midnight); got != c.january {
			t.Errorf("%s Date(3 Jan) = %q, want %q", c.lang, got, c.january)
		}
		for _, tc := range []struct {
			at   time.Time
			want string
		}{{afternoon, c.pm}, {morning, c.am}, {midnight, c.midnight}} {
			if got := l.Time(tc.at); got != tc.want {
				t.Errorf("%s Time(%s) = %q, want %q", c.lang, tc.at.Format("15:04"), got, tc.want)
			}
		}
	}
	// The date is the one on the reader's calendar in t's zone.
	late := time.Date(2021, 9, 22, 23, 30, 0, 0, time.UTC).In(zone(t, "Asia/Bangkok"))
	if got := b.Localizer("en").Date(late); got != "23 September 2021" {
		t.Errorf("Date in Bangkok = %q", got)
	}
	// Dates are remembered by the day on that calendar, not by the instant.
	if got := b.Localizer("en").Date(late.UTC()); got != "22 September 2021" {
		t.Errorf("Date in UTC after Bangkok = %q", got)
	}
	if got := b.Localizer("ru").Date(late); got != "23 сентября 2021" {
		t.Errorf("Russian date in Bangkok = %q", got)
	}
}

func TestLoadZone(t *testing.T) {
	for range 2 { // the second time from memory
		loc, err := LoadZone("Asia/Kathmandu")
		if err != nil || loc.String() != "Asia/Kathmandu" {
			t.Fatalf("LoadZone = %v, %v", loc, err)
		}
	}
	if _, err := LoadZone("Mars/Olympus_Mons"); err == nil {
		t.Error("an unknown zone loaded")
	}
}

func TestZoneName(t *testing.T) {
	at := time.Date(2021, 9, 22, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		zone string
		at   time.Time
		want string
	}{
		{"Europe/London", at, "BST"},
		{"Europe/London", time.Date(2021, 1, 22, 12, 0, 0, 0, time.UTC), "GMT"},
		// Summer time starts on 29 March 2026.
		{"Europe/London", time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC), "GMT"},
		{"Europe/London", time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC), "BST"},
		{"Asia/Bangkok", at, "UTC+7"},               // tzdata: "+07"
		{"America/Bogota", at, "UTC" + minus + "5"}, // "-05"
		{"Asia/Kolkata", at, "IST"},
		{"Asia/Kathmandu", at, "UTC+5:45"},             // "+0545"
		{"America/Sao_Paulo", at, "UTC" + minus + "3"}, // "-03"
		{"Pacific/Marquesas", at, "UTC" + minus + "9:30"},
		{"America/New_York", at, "EDT"},
		{"UTC", at, "UTC"},
	}
	for _, c := range cases {
		if got := zoneName(c.at.In(zone(t, c.zone))); got != c.want {
			t.Errorf("%s at %s: %q (Go: %q), want %q", c.zone, c.at.Format(time.DateOnly), got, c.at.In(zone(t, c.zone)).Format("MST"), c.want)
		}
	}
	// Zones without a name format as "+0530" in Go.
	for offset, want := range map[int]string{
		5*3600 + 1800: "UTC+5:30",
		-5 * 3600:     "UTC" + minus + "5",
		0:             "UTC",
	} {
		if got := zoneName(at.In(time.FixedZone("", offset))); got != want {
			t.Errorf("unnamed zone %d: %q, want %q", offset, got, want)
		}
	}
	if got := zoneName(at.In(time.FixedZone("CEST", 7200))); got != "CEST" {
		t.Errorf("named fixed zone: %q", got)
	}
}

func TestDateTime(t *testing.T) {
	b := shippedBundle(t)
	at := time.Date(2021, 9, 22, 13, 5, 0, 0, time.UTC) // 14:05 BST, 20:05 in Bangkok, 08:05 in Bogotá, 18:35 IST
	zones := []string{"Europe/London", "Asia/Bangkok", "America/Bogota", "Asia/Kolkata"}
	want := map[string][]string{
		"en": {
			"22 September 2021, 14:05 BST",
			"22 September 2021, 20:05 UTC+7",
			"22 September 2021, 08:05 UTC−5",
			"22 September 2021, 18:35 IST",
		},
		"ru": {
			"22 сентября 2021, 14:05 BST",
			"22 сентября 2021, 20:05 UTC+7",
			"22 сентября 2021, 08:05 UTC−5",
			"22 сентября 2021, 18:35 IST",
		},
		"fr": {
			"22 septembre 2021 à 14:05 BST",
			"22 septembre 2021 à 20:05 UTC+7",
			"22 septembre 2021 à 08:05 UTC−5",
			"22 septembre 2021 à 18:35 IST",
		},
		"es": {
			"22 de septiembre de 2021, 14:05 BST",
			"22 de septiembre de 2021, 20:05 UTC+7",
			"22 de septiembre de 2021, 8:05 UTC−5",
			"22 de septiembre de 2021, 18:35 IST",
		},
		"hi": {
			"२२ सितंबर २०२१, दोपहर २:०५ BST",
			"२२ सितंबर २०२१, रात ८:०५ UTC+7",
			"२२ सितंबर २०२१, सुबह ८:०५ UTC−5",
			"२२ सितंबर २०२१, शाम ६:३५ IST",
		},
		"ar": {
			"٢٢ سبتمبر ٢٠٢١، ٢:٠٥ م BST",
			"٢٢ سبتمبر ٢٠٢١، ٨:٠٥ م UTC+7",
			"٢٢ سبتمبر ٢٠٢١، ٨:٠٥ ص UTC−5",
			"٢٢ سبتمبر ٢٠٢١، ٦:٣٥ م IST",
		},
	}
	for _, lang := range shipped {
		l := b.Localizer(lang)
		for i, z := range zones {
			if got := l.DateTime(at.In(zone(t, z))); got != want[lang][i] {
				t.Errorf("%s DateTime in %s = %q, want %q", lang, z, got, want[lang][i])
			}
		}
	}
	// Across London's change to summer time, noon UTC reads 12:00 GMT and
	// then 13:00 BST.
	london := zone(t, "Europe/London")
	en, fr := b.Localizer("en"), b.Localizer("fr")
	before := time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC).In(london)
	after := time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC).In(london)
	for _, c := range []struct {
		l    *Localizer
		at   time.Time
		want string
	}{
		{en, before, "28 March 2026, 12:00 GMT"},
		{en, after, "30 March 2026, 13:00 BST"},
		{fr, before, "28 mars 2026 à 12:00 GMT"},
		{fr, after, "30 mars 2026 à 13:00 BST"},
	} {
		if got := c.l.DateTime(c.at); got != c.want {
			t.Errorf("%s: %q, want %q", c.l.Lang.Code, got, c.want)
		}
	}
	// The minus in "UTC−5" is U+2212, not a hyphen.
	if got := en.DateTime(at.In(zone(t, "America/Bogota"))); !strings.Contains(got, "UTC\u22125") {
		t.Errorf("Bogotá: %q", got)
	}
}

// N shows its count as Number formats it, while go-i18n still chooses the
// plural form from the integer.
func TestPluralCountFormatted(t *testing.T) {
	fsys := fstest.MapFS{
		"locales/en.json": {Data: []byte(`{"n": {"one": "{{.Count}} entry", "other": "{{.Count}} entries"}}`)},
		"locales/ru.json": {Data: []byte(`{"n": {"one": "{{.Count}} запись", "few": "{{.Count}} записи", "many": "{{.Count}} записей", "other": "{{.Count}} записи"}}`)},
		"locales/hi.json": {Data: []byte(`{"n": {"one": "{{.Count}} प्रविष्टि", "other": "{{.Count}} प्रविष्टियाँ"}}`)},
		"locales/ar.json": {Data: []byte(`{"n": {"zero": "لا مواد", "one": "مادة واحدة", "two": "مادتان", "few": "{{.Count}} مواد", "many": "{{.Count}} مادة", "other": "{{.Count}} مادة"}}`)},
		"locales/es.json": {Data: []byte(`{"n": {"one": "{{.Count}} entrada", "many": "{{.Count}} de entradas", "other": "{{.Count}} entradas"}}`)},
	}
	b, err := newBundle(fsys, []string{"en", "ru", "hi", "ar", "es"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		lang  string
		count int
		want  string
	}{
		{"en", 1, "1 entry"},
		{"en", 1234, "1,234 entries"},
		{"ru", 1, "1 запись"},
		{"ru", 1234, "1" + nbsp + "234 записи"},                    // few
		{"ru", 1001, "1" + nbsp + "001 запись"},                    // one
		{"ru", 12345, "12" + nbsp + "345 записей"},                 // many
		{"ru", 1234567, "1" + nbsp + "234" + nbsp + "567 записей"}, // many
		{"ru", 22, "22 записи"},
		{"hi", 0, "० प्रविष्टि"}, // hi: 0 and 1 are "one"
		{"hi", 1, "१ प्रविष्टि"},
		{"hi", 5, "५ प्रविष्टियाँ"},
		{"hi", 1234567, "१२,३४,५६७ प्रविष्टियाँ"},
		{"ar", 2, "مادتان"},
		{"ar", 3, "٣ مواد"},
		{"ar", 1234, "١٬٢٣٤ مادة"}, // many
		{"ar", 100, "١٠٠ مادة"},    // other
		{"es", 1234, "1234 entradas"},
		{"es", 1000000, "1.000.000 de entradas"}, // CLDR es: many
	}
	for _, c := range cases {
		if got := b.Localizer(c.lang).N("n", c.count); got != c.want {
			t.Errorf("%s N(%d) = %q, want %q", c.lang, c.count, got, c.want)
		}
	}
}

// Adding a language needs only its catalog: one that only names the
// language and its direction is enough to enable it. Its interface falls
// back to English words, with Latin digits and the language's own grouping.
func TestFallbackStyle(t *testing.T) {
	en, err := catalogs.ReadFile("locales/en.json")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"locales/en.json": {Data: en},
		"locales/fa.json": {Data: []byte(`{"language.name": "فارسی", "language.dir": "rtl"}`)},
		"locales/uk.json": {Data: []byte(`{"language.name": "Українська", "language.dir": "ltr"}`)},
	}
	b, err := newBundle(fsys, []string{"en", "fa", "uk"})
	if err != nil {
		t.Fatal(err)
	}
	if fa, _ := b.Get("fa"); fa.Name != "فارسی" || !fa.RTL() {
		t.Errorf("fa from its catalog: %+v", fa)
	}
	if _, err := newBundle(fsys, []string{"en", "pt"}); err == nil {
		t.Error("a language without a catalog was enabled")
	}
	bad := fstest.MapFS{"locales/en.json": {Data: en}, "locales/xx.json": {Data: []byte(`{"language.dir": "up"}`)}}
	if _, err := newBundle(bad, []string{"en"}); err == nil {
		t.Error("a catalog with a nonsense direction was accepted")
	}
	day := time.Date(2021, 9, 22, 9, 5, 0, 0, time.UTC)
	if got := b.Localizer("fa").DateTime(day); got != "22 September 2021, 09:05 UTC" {
		t.Errorf("fa: %q", got)
	}
	if got := b.Localizer("uk").Number(1234567); got != "1"+nbsp+"234"+nbsp+"567" {
		t.Errorf("uk: %q", got)
	}
}
