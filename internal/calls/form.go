package calls

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"peerpress/internal/content"
	"peerpress/internal/i18n"
	"peerpress/internal/participant"
)

// Limits of an applicant's answers.
const (
	maxShort = 300
	maxLong  = 5000
	maxURL   = 2000
)

// workLanguageKey keeps the language of the work among the answers, when
// the call names the languages it takes.
const workLanguageKey = "_work_language"

// fieldName is a form field's input name.
func fieldName(key string) string { return "a_" + key }

// linkName is the input of a file field's link to a video hosted
// elsewhere.
func linkName(key string) string { return "a_" + key + "_link" }

// ApplicationForm is what an applicant sends: the email (a new
// application only), the answers as posted, the consent.
type ApplicationForm struct {
	Email     string
	WithEmail bool
	Values    url.Values
	Consent   bool
	// HasFile reports whether a file field has a file already or in this
	// request; nil: none.
	HasFile func(key string) bool
}

// CheckApplication checks an application against the call in lang. It
// returns the answers to store (by field key: texts, option numbers,
// country codes, links) and what is wrong with each input, as messages
// to translate where they are shown.
func CheckApplication(c Call, lang string, in ApplicationForm) (map[string][]string, i18n.FieldErrors) {
	errs := i18n.FieldErrors{}
	answers := map[string][]string{}
	if in.WithEmail {
		if n, err := participant.Normalize(in.Email); err != nil || !strings.Contains(n[strings.LastIndexByte(n, '@')+1:], ".") {
			errs.Add("email", "calls.error.email")
		}
	}
	for _, f := range c.Form {
		name := fieldName(f.Key)
		vals := in.Values[name]
		v := ""
		if len(vals) > 0 {
			v = strings.TrimSpace(vals[0])
		}
		w := f.Wording(lang)
		switch f.Type {
		case ShortText, LongText:
			limit := maxShort
			if f.Type == LongText {
				limit = maxLong
			}
			switch {
			case !content.StorableText(v):
				errs.Add(name, "form.invalid_text")
			case utf8.RuneCountInString(v) > limit:
				errs.Add(name, "calls.error.too_long", "Max", limit)
			case v != "":
				answers[f.Key] = []string{v}
			}
		case Choice:
			if v != "" {
				if n, err := strconv.Atoi(v); err != nil || n < 0 || n >= len(w.Options) {
					errs.Add(name, "form.invalid_choice")
				} else {
					answers[f.Key] = []string{v}
				}
			}
		case Checkboxes:
			var picked []string
			for _, o := range vals {
				n, err := strconv.Atoi(o)
				if err != nil || n < 0 || n >= len(w.Options) {
					errs.Add(name, "form.invalid_choice")
					break
				}
				if !slices.Contains(picked, o) {
					picked = append(picked, o)
				}
			}
			if len(picked) > 0 {
				slices.Sort(picked)
				answers[f.Key] = picked
			}
		case Country:
			if v != "" {
				code := strings.ToUpper(v)
				if !i18n.ValidCountry(code) {
					errs.Add(name, "calls.error.country")
				} else {
					answers[f.Key] = []string{code}
				}
			}
		case Link:
			if v != "" {
				if !validURL(v) {
					errs.Add(name, "calls.error.link")
				} else {
					answers[f.Key] = []string{v}
				}
			}
		case File:
			name = linkName(f.Key)
			v = strings.TrimSpace(in.Values.Get(name))
			if v != "" {
				if !validURL(v) {
					errs.Add(name, "calls.error.link")
				} else {
					answers[f.Key] = []string{v}
				}
			}
			// A new application may leave a file for later: a large one
			// is uploaded from the private page, once the email is
			// confirmed. A change must keep the field answered.
			if f.Required && !in.WithEmail && v == "" && (in.HasFile == nil || !in.HasFile(f.Key)) && errs[name].Key == "" {
				errs.Add(fieldName(f.Key), "calls.error.file_or_link")
			}
			continue
		}
		if f.Required && len(answers[f.Key]) == 0 && errs[name].Key == "" {
			errs.Add(name, "form.required")
		}
	}
	if len(c.WorkLanguages) > 0 {
		v := strings.TrimSpace(in.Values.Get("work_language"))
		if !slices.Contains(c.WorkLanguages, v) {
			errs.Add("work_language", "calls.error.work_language")
		} else {
			answers[workLanguageKey] = []string{v}
		}
	}
	if in.WithEmail && c.TextsIn(lang).Consent != "" && !in.Consent {
		errs.Add("consent", "calls.error.consent")
	}
	return answers, errs
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(s) <= maxURL
}

// languageLabel names a language code in lang, followed by its name in
// itself.
func languageLabel(code, lang string) string {
	tag, err := language.Parse(code)
	if err != nil {
		return code
	}
	name := display.Tags(language.Make(lang)).Name(tag)
	if self := display.Self.Name(tag); self != "" && self != name {
		if name == "" {
			return self
		}
		name += " · " + self
	}
	if name == "" {
		return code
	}
	return name
}
