package campaign

import (
	"reflect"
	"strings"
	"testing"

	"peerpress/internal/i18n"
)

// The tribute check speaks keys, not sentences: an import or the API can
// use it without a request or a language. Limits travel as whole numbers,
// to be written in the reader's digits.
func TestCheckTribute(t *testing.T) {
	ok := TributeForm{Remembered: "Rosa Ilyina", Body: "She carried naloxone for everyone on the block.",
		Email: "friend@example.org", ConsentPublish: true, ConsentRights: true}
	with := func(change func(*TributeForm)) TributeForm {
		f := ok
		change(&f)
		return f
	}
	tests := []struct {
		name string
		f    TributeForm
		want i18n.FieldErrors
	}{
		{"a tribute", ok, i18n.FieldErrors{}},
		{"at the limits", with(func(f *TributeForm) {
			f.Remembered, f.Body = strings.Repeat("я", MaxRemembered), strings.Repeat("я", MaxBody)
		}), i18n.FieldErrors{}},
		{"nothing typed", TributeForm{}, i18n.FieldErrors{
			"remembered":      i18n.M("campaign.error.remembered_missing"),
			"body":            i18n.M("campaign.error.body_missing"),
			"email":           i18n.M("campaign.error.email"),
			"consent_publish": i18n.M("campaign.error.consent"),
			"consent_rights":  i18n.M("campaign.error.consent"),
		}},
		{"too long", with(func(f *TributeForm) {
			f.Remembered, f.Body = strings.Repeat("я", MaxRemembered+1), strings.Repeat("я", MaxBody+1)
		}), i18n.FieldErrors{
			"remembered": i18n.M("campaign.error.remembered_long", "Max", MaxRemembered),
			"body":       i18n.M("campaign.error.body_long", "Max", MaxBody),
		}},
		{"a named address", with(func(f *TributeForm) { f.Email = "Friend <friend@example.org>" }),
			i18n.FieldErrors{"email": i18n.M("campaign.error.email")}},
		{"one consent", with(func(f *TributeForm) { f.ConsentRights = false }),
			i18n.FieldErrors{"consent_rights": i18n.M("campaign.error.consent")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if errs := CheckTribute(tt.f); !reflect.DeepEqual(errs, tt.want) {
				t.Errorf("errors %v, want %v", errs, tt.want)
			}
		})
	}
}
