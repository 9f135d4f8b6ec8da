package i18n

import (
	"testing"
	"time"
)

// Every zone the picker offers loads with Go's time package, so a zone
// picked is a zone an event can be saved in.
func TestZonesLoad(t *testing.T) {
	if n := len(Zones()); n < 300 {
		t.Fatalf("%d zones", n)
	}
	for _, z := range Zones() {
		if _, err := time.LoadLocation(z.ID); err != nil {
			t.Errorf("zone %s: %v", z.ID, err)
		}
		if z.Country != "" && !ValidCountry(z.Country) {
			t.Errorf("zone %s: country %q unknown", z.ID, z.Country)
		}
	}
}

// Editors type cities and countries; the server finds the zone.
func TestResolveZone(t *testing.T) {
	for _, tt := range []struct{ in, lang, want string }{
		{"London", "en", "Europe/London"},
		{"  london ", "en", "Europe/London"},
		{"Delhi", "en", "Asia/Kolkata"},
		{"Mumbai", "hi", "Asia/Kolkata"},
		{"New York", "en", "America/New_York"},
		{"new_york", "en", "America/New_York"},
		{"sao paulo", "es", "America/Sao_Paulo"},
		{"São Paulo", "es", "America/Sao_Paulo"},
		{"Europe/Paris", "en", "Europe/Paris"},
		{"europe/paris", "en", "Europe/Paris"},
		{"London · United Kingdom", "en", "Europe/London"},
		{"India", "en", "Asia/Kolkata"},
		{"Inde", "fr", "Asia/Kolkata"},
		{"UTC", "en", "UTC"},
	} {
		if got, ok := ResolveZone(tt.in, tt.lang); !ok || got != tt.want {
			t.Errorf("ResolveZone(%q, %s) = %q, %v; want %q", tt.in, tt.lang, got, ok, tt.want)
		}
	}
	for _, bad := range []string{"", "Atlantis", "United States", "Local", "Europe/"} {
		if got, ok := ResolveZone(bad, "en"); ok {
			t.Errorf("ResolveZone(%q) = %q, want none", bad, got)
		}
	}
}

// Zones are named in the reader's language from CLDR's names, and an
// editor may type a city as their language names it.
func TestZonesInEveryLanguage(t *testing.T) {
	moscow := map[string]string{"en": "Moscow", "ru": "Москва", "fr": "Moscou", "es": "Moscú", "ar": "موسكو", "hi": "मॉस्को"}
	for lang, city := range moscow {
		if got := ZoneCityIn("Europe/Moscow", lang); got != city {
			t.Errorf("Europe/Moscow in %s: %q, want %q", lang, got, city)
		}
		if got, ok := ResolveZone(city, lang); !ok || got != "Europe/Moscow" {
			t.Errorf("ResolveZone(%q, %s) = %q, %v", city, lang, got, ok)
		}
		if got, ok := ResolveZone(city, ""); !ok || got != "Europe/Moscow" {
			t.Errorf("ResolveZone(%q) in any language = %q, %v", city, got, ok)
		}
	}
	for _, tt := range []struct{ id, lang, want string }{
		{"Europe/Moscow", "fr", "Moscou · heure de Moscou"},
		{"Asia/Kolkata", "hi", "कोलकाता · भारतीय मानक समय"},
		{"Europe/London", "en", "London · Greenwich Mean Time"},
		{"America/Argentina/Buenos_Aires", "es", "Buenos Aires · hora de Argentina"},
		{"UTC", "ru", "UTC"},
		{"Europe/Kyiv", "ru", "Киев · Восточная Европа"}, // CLDR keys it Europe/Kiev
	} {
		if got := ZoneName(tt.id, tt.lang); got != tt.want {
			t.Errorf("ZoneName(%s, %s) = %q, want %q", tt.id, tt.lang, got, tt.want)
		}
	}
	if got := ZoneLabel(Zone{ID: "Europe/Moscow", City: "Moscow", Country: "RU"}, "ru"); got != "Москва · Россия" {
		t.Errorf("picker label in Russian: %q", got)
	}
	// A language without generated names names zones in English.
	if got := ZoneCityIn("America/New_York", "sw"); got != "New York" {
		t.Errorf("New York in Swahili: %q", got)
	}
}

// Countries are named in the reader's language, in its order.
func TestCountries(t *testing.T) {
	if got := CountryName("GB", "fr"); got != "Royaume-Uni" {
		t.Errorf("GB in French: %q", got)
	}
	if got := CountryName("DE", "ru"); got != "Германия" {
		t.Errorf("DE in Russian: %q", got)
	}
	if !ValidCountry("KE") || ValidCountry("XX") || ValidCountry("ke") || ValidCountry("ZZ") {
		t.Error("ValidCountry")
	}
	es := Countries("es")
	if len(es) < 200 || es[0].Name > es[len(es)-1].Name {
		t.Errorf("Spanish countries: %d, %v … %v", len(es), es[0], es[len(es)-1])
	}
	if got := ZoneLabel(Zone{ID: "Europe/London", City: "London", Country: "GB"}, "es"); got != "Londres · Reino Unido" {
		t.Errorf("label %q", got)
	}
}
