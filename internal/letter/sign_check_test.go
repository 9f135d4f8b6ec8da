package letter

import (
	"reflect"
	"strings"
	"testing"

	"peerpress/internal/i18n"
)

// The signing check speaks keys, not sentences: an import or the API can
// use it without a request or a language.
func TestCheckSignature(t *testing.T) {
	orgs := Letter{Organisations: true}
	people := Letter{Individuals: true}
	org := SignatureForm{Kind: Organisation, Name: "Red Ribbon Network", OrgType: "network", Country: "KE",
		Website: "redribbon.example.org", Email: "info@redribbon.example.org", Consent: true}
	tests := []struct {
		name string
		l    Letter
		f    SignatureForm
		want i18n.FieldErrors
	}{
		{"an organisation", orgs, org, i18n.FieldErrors{}},
		{"a person, the org type ignored", people, SignatureForm{Kind: Individual, Name: "Amina", OrgType: "bogus",
			Country: "UG", Email: "amina@example.org", Consent: true}, i18n.FieldErrors{}},
		{"everything wrong", orgs, SignatureForm{Kind: Individual, OrgType: "club", Country: "XX",
			Website: "ftp://example.org", Email: "not an address"}, i18n.FieldErrors{
			"kind":    i18n.M("letter.err_kind"),
			"name":    i18n.M("letter.err_name"),
			"country": i18n.M("letter.err_country"),
			"website": i18n.M("letter.err_website"),
			"email":   i18n.M("letter.err_email"),
			"consent": i18n.M("letter.err_consent"),
		}},
		{"an organisation without its type", orgs, with(org, func(f *SignatureForm) { f.OrgType = "" }),
			i18n.FieldErrors{"org_type": i18n.M("letter.err_org_type")}},
		{"a name too long", orgs, with(org, func(f *SignatureForm) { f.Name = strings.Repeat("n", 201) }),
			i18n.FieldErrors{"name": i18n.M("letter.err_name_invalid")}},
		{"a name with a direction override", orgs, with(org, func(f *SignatureForm) { f.Name = "Red \u202eRibbon" }),
			i18n.FieldErrors{"name": i18n.M("letter.err_name_invalid")}},
		{"a name of punctuation only", orgs, with(org, func(f *SignatureForm) { f.Name = "-- ." }),
			i18n.FieldErrors{"name": i18n.M("letter.err_name_invalid")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := CheckSignature(tt.l, tt.f)
			if !reflect.DeepEqual(errs, tt.want) {
				t.Errorf("errors %v, want %v", errs, tt.want)
			}
		})
	}
	sig, _ := CheckSignature(orgs, org)
	if sig.Website != "https://redribbon.example.org" || sig.OrgType != "network" || sig.Kind != Organisation {
		t.Errorf("signature %+v, want the website made an https address and the org type kept", sig)
	}
	sig, _ = CheckSignature(people, SignatureForm{Kind: Individual, OrgType: "ngo"})
	if sig.OrgType != "" {
		t.Errorf("a person's signature keeps org type %q", sig.OrgType)
	}
}

func with(f SignatureForm, change func(*SignatureForm)) SignatureForm {
	change(&f)
	return f
}
