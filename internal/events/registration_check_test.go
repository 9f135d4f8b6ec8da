package events

import (
	"strings"
	"testing"

	"peerpress/internal/i18n"
)

// The registration check speaks keys, not sentences: the API or an import
// can use it without a request or a language.
func TestCheckRegistration(t *testing.T) {
	d := Details{Consent: "We keep your name until a month after the event.",
		Questions: []Question{{Type: QuestionChoice, Options: []string{"Africa", "Asia"}}, {Type: QuestionCheckbox}, {Type: QuestionText}}}
	ok := RegistrationForm{Name: "Kofi", Email: "kofi@example.org", Answers: []string{"Asia", "on", ""}, Consent: true, WithEmail: true}
	answers, errs := CheckRegistration(d, ok)
	if len(errs) != 0 {
		t.Fatalf("a valid registration: %v", errs)
	}
	if answers["0"] != "Asia" || answers["1"] != "yes" || len(answers) != 2 {
		t.Errorf("answers %v, want the choice and the ticked box as yes", answers)
	}
	bad := RegistrationForm{Name: strings.Repeat("n", maxName+1), Email: "Kofi <kofi@example.org>",
		Answers: []string{"Atlantis", "", strings.Repeat("é", maxAnswer+1)}, WithEmail: true}
	_, errs = CheckRegistration(d, bad)
	want := i18n.FieldErrors{
		"name":    i18n.M("events.error.too_long", "Max", maxName),
		"email":   i18n.M("events.error.email_invalid"),
		"q0":      i18n.M("events.error.choice_invalid"),
		"q2":      i18n.M("events.error.too_long", "Max", maxAnswer),
		"consent": i18n.M("events.error.consent_required"),
	}
	for field, m := range want {
		if got, ok := errs[field]; !ok || got.Key != m.Key || (len(m.Args) > 0 && got.Args[1] != m.Args[1]) {
			t.Errorf("%s: %+v, want %+v", field, got, m)
		}
	}
	if len(errs) != len(want) {
		t.Errorf("errors %v, want exactly %v", errs, want)
	}
	// Changing a registration asks for neither email nor consent again.
	if _, errs := CheckRegistration(d, RegistrationForm{Name: "Kofi"}); len(errs) != 0 {
		t.Errorf("a change without email: %v", errs)
	}
}
