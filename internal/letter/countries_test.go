package letter

import (
	"testing"
)

// The country list is ISO 3166-1 (plus Kosovo), named and ordered in the
// reader's language.
func TestCountries(t *testing.T) {
	en := Countries("en")
	if len(en) != 250 {
		t.Fatalf("%d countries, want 249 ISO 3166-1 codes and XK", len(en))
	}
	for _, code := range []string{"KE", "CI", "XK", "PS", "TW", "SS"} {
		if !ValidCountry(code) {
			t.Errorf("%s is not accepted", code)
		}
	}
	for _, code := range []string{"", "XX", "EU", "UN", "SU", "YU", "ke", "KEN"} {
		if ValidCountry(code) {
			t.Errorf("%q is accepted", code)
		}
	}
	names := map[string]string{"ru": "Кения", "fr": "Kenya", "es": "Kenia", "ar": "كينيا", "hi": "केन्या"}
	for lang, want := range names {
		if got := CountryName("KE", lang); got != want {
			t.Errorf("KE in %s: %q, want %q", lang, got, want)
		}
	}
	// Order follows the language: Russian starts with А, not with the
	// English first country.
	if ru := Countries("ru"); ru[0].Name != "Абхазия" && []rune(ru[0].Name)[0] != 'А' {
		t.Errorf("Russian list starts with %q", ru[0].Name)
	}
	if en[0].Code != "AF" || en[1].Code != "AX" {
		t.Errorf("English list starts %v, %v", en[0], en[1])
	}
}

func TestNormalName(t *testing.T) {
	for in, want := range map[string]string{
		"Harm-Reduction  Kenya":  "harm reduction kenya",
		" Asociación  Hepatitis": "asociacion hepatitis",
		"Сеть «Равные равным»":   "сеть равные равным",
		"!!!":                    "",
	} {
		if got := normalName(in); got != want {
			t.Errorf("normalName(%q) = %q, want %q", in, got, want)
		}
	}
}
