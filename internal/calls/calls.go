// Package calls opens calls for applications: a contest or a grant round
// written as an entry of kind call, with its opening and closing instants
// in a named zone, eligibility rules the server enforces, an application
// form of typed fields worded in each language, a consent text and the
// criteria a review board will score on. Applicants apply without an
// account, confirm their email by a link, and keep a private link to edit
// or withdraw until the deadline; what they give is sealed through
// internal/participant and purged days after the call closes.
package calls

import (
	"slices"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/i18n"
)

// Kind is the kind of entry a call is.
const Kind content.Kind = "call"

// Call is a call's settings, asked for in its entry's editor and saved
// with the entry.
type Call struct {
	OpensAt, ClosesAt time.Time
	TimeZone          string // IANA: the instants are given and shown in it
	// GraceMinutes lets an upload started before the deadline finish.
	GraceMinutes int
	// FileTypes are the file extensions an application's files may have
	// (mp4, mov, webm); none: links only.
	FileTypes       []string
	MaxFileMB       int
	MaxVideoMinutes int // 0: no limit
	OnePerEmail     bool
	// WorkLanguages are the languages a work may be in (its language or
	// its subtitles'); none: any. Applicants say which.
	WorkLanguages []string
	// RetentionDays is how long after the close applications are kept.
	RetentionDays int
	Texts         map[string]Texts // by language
	Form          []FormField
	Criteria      []Criterion
}

// Texts are a call's eligibility rules and consent text in one language.
type Texts struct {
	Eligibility string `json:"eligibility"`
	Consent     string `json:"consent"`
}

// Field types of an application form.
const (
	ShortText  = "short"
	LongText   = "long"
	Choice     = "choice"
	Checkboxes = "checkboxes"
	Country    = "country"
	Link       = "link"
	File       = "file"
)

// FieldTypes are the form's field types, in the editor's order.
var FieldTypes = []string{ShortText, LongText, Choice, Checkboxes, Country, Link, File}

// FormField is one question of the application form.
type FormField struct {
	Key      string             `json:"key"` // the form field's name: a_<key>
	Type     string             `json:"type"`
	Required bool               `json:"required"`
	Wordings map[string]Wording `json:"wordings"` // by language
}

// Wording is a field's label and, for a choice or checkboxes, its
// options, in one language; every language has as many options.
type Wording struct {
	Label   string   `json:"label"`
	Options []string `json:"options,omitempty"`
}

// Criterion is one thing the review board scores: weighed, on a scale of
// 1 to Scale, named and explained in each language.
type Criterion struct {
	Key      string                      `json:"key"`
	Weight   int                         `json:"weight"`
	Scale    int                         `json:"scale"`
	Wordings map[string]CriterionWording `json:"wordings"`
}

// CriterionWording is a criterion's name and guidance in one language.
type CriterionWording struct {
	Name     string `json:"name"`
	Guidance string `json:"guidance"`
}

// Scales are the scales a criterion may have.
var Scales = []int{5, 10}

// Zone is the call's own zone (UTC when it names none).
func (c Call) Zone() *time.Location {
	if loc, err := i18n.LoadZone(c.TimeZone); err == nil && i18n.ValidZone(c.TimeZone) {
		return loc
	}
	return time.UTC
}

// State is where a call stands at now: not yet open, open, or closed.
func (c Call) State(now time.Time) string {
	switch {
	case now.Before(c.OpensAt):
		return StateSoon
	case now.Before(c.ClosesAt):
		return StateOpen
	default:
		return StateClosed
	}
}

// Call states.
const (
	StateSoon   = "soon"
	StateOpen   = "open"
	StateClosed = "closed"
)

// Open reports whether applications are taken at now: from the opening
// instant to the closing one, exclusive, to the second.
func (c Call) Open(now time.Time) bool { return c.State(now) == StateOpen }

// UploadOpen reports whether an upload begun before the deadline may go
// on at now: until the grace period after the close ends.
func (c Call) UploadOpen(now time.Time) bool {
	return !now.Before(c.OpensAt) && now.Before(c.ClosesAt.Add(time.Duration(c.GraceMinutes)*time.Minute))
}

// Wording is the field's wording in lang, or else in the first language
// it has one in (sorted, so the choice is stable).
func (f FormField) Wording(lang string) Wording {
	if w, ok := f.Wordings[lang]; ok {
		return w
	}
	return f.Wordings[firstKey(f.Wordings)]
}

// Wording is the criterion's name and guidance in lang, or else in the
// first language it has them in.
func (c Criterion) Wording(lang string) CriterionWording {
	if w, ok := c.Wordings[lang]; ok {
		return w
	}
	return c.Wordings[firstKey(c.Wordings)]
}

// TextsIn are the call's texts in lang, or else in the first language
// they are in.
func (c Call) TextsIn(lang string) Texts {
	if t, ok := c.Texts[lang]; ok {
		return t
	}
	return c.Texts[firstKey(c.Texts)]
}

// firstKey is the smallest key of m, "" when m is empty.
func firstKey[V any](m map[string]V) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}

// Accepts reports whether the call takes files with extension ext.
func (c Call) Accepts(ext string) bool { return slices.Contains(c.FileTypes, ext) }
