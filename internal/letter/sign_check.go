package letter

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"peerpress/internal/i18n"
	"peerpress/internal/participant"
)

// SignatureForm is what a person sends to sign a letter, read from the
// signing form (or an import) before any check; the page shows it again.
type SignatureForm struct {
	Kind, Name, OrgType, Country, Website, Email string
	Consent                                      bool
}

// CheckSignature checks a signing form against the letter's rules. It
// returns the signature to store and what is wrong with each field (kind,
// name, org_type, country, website, email, consent), as messages to
// translate where they are shown: the form, the API or an import use the
// same check. Whether an organisation has already signed is the store's
// to say (ErrDuplicateOrg).
func CheckSignature(l Letter, f SignatureForm) (Signature, i18n.FieldErrors) {
	errs := i18n.FieldErrors{}
	switch {
	case f.Kind == Organisation && l.Organisations, f.Kind == Individual && l.Individuals:
	default:
		errs.Add("kind", "letter.err_kind")
	}
	switch n := utf8.RuneCountInString(f.Name); {
	case n == 0:
		errs.Add("name", "letter.err_name")
	case n > 200 || strings.IndexFunc(f.Name, unsafeRune) >= 0 || normalName(f.Name) == "":
		errs.Add("name", "letter.err_name_invalid")
	}
	orgType := ""
	if f.Kind == Organisation {
		if !validOrgType(f.OrgType) {
			errs.Add("org_type", "letter.err_org_type")
		}
		orgType = f.OrgType
	}
	if !ValidCountry(f.Country) {
		errs.Add("country", "letter.err_country")
	}
	website, ok := cleanWebsite(f.Website)
	if !ok {
		errs.Add("website", "letter.err_website")
	}
	if _, err := participant.Normalize(f.Email); err != nil {
		errs.Add("email", "letter.err_email")
	}
	if !f.Consent {
		errs.Add("consent", "letter.err_consent")
	}
	return Signature{Kind: f.Kind, Name: f.Name, OrgType: orgType, Country: f.Country, Website: website, Email: f.Email}, errs
}

// unsafeRune refuses control characters and the bidirectional overrides
// that could make a listed name read as another.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

func validOrgType(t string) bool {
	for _, o := range OrgTypes {
		if o.Value == t {
			return true
		}
	}
	return false
}

// cleanWebsite accepts an empty value or an http(s) address; a bare host
// ("example.org") gets https://.
func cleanWebsite(s string) (string, bool) {
	if s == "" {
		return "", true
	}
	if len(s) > 300 || strings.ContainsAny(s, " \t\r\n\"'<>") {
		return "", false
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || !strings.Contains(u.Hostname(), ".") {
		return "", false
	}
	return u.String(), true
}
