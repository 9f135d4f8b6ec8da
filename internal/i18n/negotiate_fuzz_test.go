package i18n

import (
	"slices"
	"testing"
)

// Whatever Accept-Language a client sends, negotiation answers an
// enabled language, without a panic.
func FuzzNegotiate(f *testing.F) {
	for _, h := range []string{"", "xx, ru;q=0.5", "fr-CA,fr;q=0.9,en;q=0.8", "*;q=0", "ar;q=1.5", ",,;;q=", "zh-Hant-TW;q=0.8, hi"} {
		f.Add(h)
	}
	b, err := New([]string{"en", "ru", "fr", "es", "hi", "ar"})
	if err != nil {
		f.Fatal(err)
	}
	var codes []string
	for _, l := range b.Enabled() {
		codes = append(codes, l.Code)
	}
	f.Fuzz(func(t *testing.T, header string) {
		if got := b.Negotiate(header); !slices.Contains(codes, got) {
			t.Fatalf("Negotiate(%q) = %q, not an enabled language", header, got)
		}
	})
}
