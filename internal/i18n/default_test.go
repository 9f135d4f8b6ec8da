package i18n

import "testing"

// A default chosen apart keeps the enabled languages in the site's order,
// and is what readers get when their browser names nothing enabled.
func TestDefaultKeepsTheSiteOrder(t *testing.T) {
	b, err := NewWithDefault([]string{"en", "ru", "fr"}, "fr")
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, l := range b.Enabled() {
		codes = append(codes, l.Code)
	}
	if got := codes; len(got) != 3 || got[0] != "en" || got[1] != "ru" || got[2] != "fr" {
		t.Fatalf("enabled %v, want [en ru fr]", got)
	}
	if b.Default().Code != "fr" {
		t.Fatalf("default %s, want fr", b.Default().Code)
	}
	for header, want := range map[string]string{"": "fr", "xx": "fr", "*": "fr", "ru": "ru", "fr;q=0, *": "en"} {
		if got := b.Negotiate(header); got != want {
			t.Errorf("Negotiate(%q) = %s, want %s", header, got, want)
		}
	}
	if b.Localizer("xx").Lang.Code != "fr" {
		t.Error("an unknown language's localizer is not the default's")
	}
	if _, err := NewWithDefault([]string{"en"}, "fr"); err == nil {
		t.Error("a default that is not enabled was accepted")
	}
}
