// Package events owns what makes an event entry more than an article: its
// details (join link, interpretation, speakers, agenda, recording),
// registration with double opt-in, a waiting list and reminders, calendar
// files, the listings of upcoming and past events and the month view, and
// the admin's pages for details and registrants.
//
// When and where an event happens (the events table) is asked for in the
// entry's own editor and saved in the entry's transaction, through
// content's Extension seam (EntryFields); the rest is in tables of its own
// (migration 0006).
package events

import (
	"errors"
	"slices"
	"time"
)

// Interpretation statuses.
const (
	Confirmed = "confirmed"
	ToConfirm = "tbc"
)

// Interpretation is one language an event is offered in.
type Interpretation struct {
	Lang   string // a BCP 47 code such as ru or pt-BR
	Status string // Confirmed or ToConfirm
}

// Speaker is one person speaking, in the editor's order.
type Speaker struct {
	Name         string
	Role         string
	Organisation string
}

// AgendaItem is one point of the agenda: at a clock time in the event's
// zone ("12:30"), or at an offset in minutes from the start.
type AgendaItem struct {
	Clock  string `json:",omitempty"` // HH:MM
	Offset int    `json:",omitempty"` // minutes from the start, when Clock is empty
	Title  string
}

// Question types: a line of text, a longer text, one choice of options,
// several (checkboxes), a box to tick (yes or no), one of the event's
// interpretation languages, and access needs (a text).
const (
	QuestionText           = "text"
	QuestionLongText       = "longtext"
	QuestionChoice         = "choice"
	QuestionCheckboxes     = "checkboxes"
	QuestionCheckbox       = "checkbox"
	QuestionInterpretation = "interpretation"
	QuestionAccessibility  = "accessibility"
)

// questionTypes lists the types an editor may use, in the editor's order.
var questionTypes = []string{QuestionText, QuestionLongText, QuestionChoice, QuestionCheckboxes, QuestionCheckbox,
	QuestionInterpretation, QuestionAccessibility}

// hasOptions reports whether questions of type t offer the options their
// editor writes.
func hasOptions(t string) bool { return t == QuestionChoice || t == QuestionCheckboxes }

// Question is one custom question of the registration form, as written
// in one language (Lang), with its wording in other languages.
type Question struct {
	Type     string
	Required bool   `json:",omitempty"`
	Lang     string `json:",omitempty"` // of Label and Options; questions saved before it was kept are in the event's language
	Label    string
	Options  []string `json:",omitempty"` // choice, checkboxes
	// Wordings are the question in other languages, by language code;
	// registrants see it in theirs. Answers keep Options' values, so
	// staff read every registrant's choice alike.
	Wordings map[string]Wording `json:",omitempty"`
}

// Wording is a question in one language: its label and, for a choice, its
// options in the same order as the question's.
type Wording struct {
	Label   string
	Options []string `json:",omitempty"`
}

// In is the question's label and option labels in lang, or as written.
func (q Question) In(lang string) Wording {
	if w, ok := q.Wordings[lang]; ok && lang != q.Lang {
		if len(w.Options) != len(q.Options) {
			w.Options = q.Options
		}
		return w
	}
	return Wording{Label: q.Label, Options: q.Options}
}

// optionIndex is the place of an answer among the options, in whichever
// language it was written; -1 when it is none of them.
func (q Question) optionIndex(a string) int {
	if i := slices.Index(q.Options, a); i >= 0 {
		return i
	}
	for _, w := range q.Wordings {
		if i := slices.Index(w.Options, a); i >= 0 && len(w.Options) == len(q.Options) {
			return i
		}
	}
	return -1
}

// Details are an event's details beyond when and where.
type Details struct {
	EntryID         int64
	JoinURL         string // private: confirmed registrants only
	RecordingURL    string
	Languages       []Interpretation
	Speakers        []Speaker
	Agenda          []AgendaItem
	Open            bool      // registration open
	ClosesAt        time.Time // zero: at the start
	Capacity        int       // 0: no limit
	Questions       []Question
	Consent         string
	ReminderMinutes []int // before the start, largest first

	// Counts kept after personal data was purged.
	PurgedAt                                    time.Time
	KeptConfirmed, KeptWaitlisted, KeptAttended int
}

// DefaultReminders are the reminders of an event whose editor chose none:
// a day and an hour before.
var DefaultReminders = []int{24 * 60, 60}

// Registration statuses.
const (
	Pending    = "pending"
	Registered = "confirmed"
	Waitlisted = "waitlisted"
	Cancelled  = "cancelled"
)

// Registration is one person's registration, opened.
type Registration struct {
	ID        int64
	EntryID   int64
	Email     string
	Name      string
	Answers   map[string]string // question index → answer
	Lang      string
	Origin    string // scheme://host the links in mail use
	Status    string
	Attended  bool
	Flagged   bool // the form came without the guard's proof of work (no JavaScript): marked for the staff
	CreatedAt time.Time
	StatusAt  time.Time
	// Locked: the name and answers are sealed to the organisation's key
	// and this request has not unlocked it; Name and Answers are empty.
	Locked bool
}

// Errors the store returns.
var (
	ErrNotFound = errors.New("events: not found")
	ErrBadToken = errors.New("events: unknown or expired link")
	ErrClosed   = errors.New("events: registration closed")
	ErrNoEvent  = errors.New("events: not an event")
)

// Limits on what a registrant may send.
const (
	maxName   = 200 // the email's limit is participant.MaxEmail
	maxAnswer = 1000
)

// confirmValidity is how long a confirmation link works; resendAfter is
// how long after mailing one the same address may be mailed another.
const (
	confirmValidity = 72 * time.Hour
	resendAfter     = 5 * time.Minute
)
