package i18n

import (
	"strings"
	"testing"
)

// A check's messages are translated when shown, numbers in the reader's
// digits.
func TestMsgTranslatedWhenShown(t *testing.T) {
	b, err := New([]string{"en", "hi"})
	if err != nil {
		t.Fatal(err)
	}
	fe := FieldErrors{}
	fe.Add("name", "events.error.too_long", "Max", 1000)
	fe.Add("name", "events.error.name_required") // the first problem stays
	en, hi := b.Localizer("en").Errors(fe)["name"], b.Localizer("hi").Errors(fe)["name"]
	if en != "This can be at most 1,000 characters." {
		t.Errorf("en: %q", en)
	}
	if hi == en || !strings.ContainsRune(hi, '१') {
		t.Errorf("hi: %q, want the Hindi message with Devanagari digits", hi)
	}
}
