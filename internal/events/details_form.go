package events

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"peerpress/internal/i18n"
)

// DetailsForm is an event's details as the admin form writes them: text,
// one list item a line, its parts split at "|". ParseDetails reads it.
type DetailsForm struct {
	JoinURL, RecordingURL                  string
	Languages, Speakers, Agenda, Questions string
	Open                                   bool
	ClosesAt                               string // datetime-local in the event's zone
	Capacity, Reminders, Consent           string
}

// ParseDetails reads and checks the details form: the links, the
// interpretation languages, speakers, agenda and questions in their
// line syntax, the capacity, the closing time in the event's zone, the
// reminders and the consent text. A question's wording line may use only
// the enabled languages' codes. It returns the details (without their
// entry and KeptConfirmed, which the caller knows) and what is wrong
// with each field, as
// messages to translate where they are shown: the admin form, the API
// or an import use the same reading.
func ParseDetails(f DetailsForm, zone *time.Location, enabled []string) (Details, i18n.FieldErrors) {
	errs := i18n.FieldErrors{}
	d := Details{JoinURL: f.JoinURL, RecordingURL: f.RecordingURL, Open: f.Open, Consent: f.Consent}
	if f.JoinURL != "" && !validURL(f.JoinURL) {
		errs.Add("join_url", "events.error.url")
	}
	if f.RecordingURL != "" && !validURL(f.RecordingURL) {
		errs.Add("recording_url", "events.error.url")
	}
	for _, p := range lines(f.Languages) {
		status := Confirmed
		if len(p) > 1 && p[1] != "" {
			status = p[1]
		}
		if _, err := language.Parse(p[0]); err != nil || len(p) > 2 || (status != Confirmed && status != ToConfirm) {
			errs.Add("languages", "events.error.languages")
			break
		}
		d.Languages = append(d.Languages, Interpretation{Lang: p[0], Status: status})
	}
	for _, p := range lines(f.Speakers) {
		if len(p) > 3 || p[0] == "" {
			errs.Add("speakers", "events.error.speakers")
			break
		}
		p = append(p, "", "")
		d.Speakers = append(d.Speakers, Speaker{Name: p[0], Role: p[1], Organisation: p[2]})
	}
	for _, p := range lines(f.Agenda) {
		if len(p) != 2 || p[1] == "" {
			errs.Add("agenda", "events.error.agenda")
			break
		}
		item := AgendaItem{Title: p[1]}
		if off, ok := strings.CutPrefix(p[0], "+"); ok {
			n, err := strconv.Atoi(off)
			if err != nil || n < 0 || n > 20160 {
				errs.Add("agenda", "events.error.agenda")
				break
			}
			item.Offset = n
		} else if _, err := time.Parse("15:04", p[0]); err == nil {
			item.Clock = p[0]
		} else {
			errs.Add("agenda", "events.error.agenda")
			break
		}
		d.Agenda = append(d.Agenda, item)
	}
	for _, p := range lines(f.Questions) {
		// "ru: Вопрос | вариант; вариант" words the question above in
		// another language.
		if lang, label, ok := wordingLine(p[0]); ok {
			w := Wording{Label: label}
			if len(p) == 2 {
				w.Options = options(p[1])
			}
			n := len(d.Questions)
			if n == 0 || len(p) > 2 || !slices.Contains(enabled, lang) || label == "" || utf8.RuneCountInString(label) > 300 ||
				len(w.Options) != len(d.Questions[n-1].Options) || d.Questions[n-1].Wordings[lang].Label != "" {
				errs.Add("questions", "events.error.questions")
				break
			}
			if d.Questions[n-1].Wordings == nil {
				d.Questions[n-1].Wordings = map[string]Wording{}
			}
			d.Questions[n-1].Wordings[lang] = w
			continue
		}
		if len(p) < 2 || len(p) > 3 || !slices.Contains(questionTypes, p[0]) || p[1] == "" || utf8.RuneCountInString(p[1]) > 300 {
			errs.Add("questions", "events.error.questions")
			break
		}
		q := Question{Type: p[0], Label: p[1]}
		if len(p) == 3 {
			q.Options = options(p[2])
		}
		if (q.Type == QuestionChoice) != (len(q.Options) > 0) {
			errs.Add("questions", "events.error.questions")
			break
		}
		d.Questions = append(d.Questions, q)
	}
	if f.Capacity != "" {
		n, err := strconv.Atoi(f.Capacity)
		if err != nil || n < 0 || n > 1000000 {
			errs.Add("capacity", "events.error.capacity")
		}
		d.Capacity = n
	}
	if f.ClosesAt != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", f.ClosesAt, zone)
		if err != nil {
			errs.Add("closes_at", "events.error.closes_at")
		}
		d.ClosesAt = t
	}
	for _, part := range strings.Split(f.Reminders, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil || n <= 0 || n > maxReminder {
			errs.Add("reminders", "events.error.reminders")
			break
		}
		d.ReminderMinutes = append(d.ReminderMinutes, n)
	}
	d.ReminderMinutes = parseMinutes(formatMinutes(d.ReminderMinutes))
	if utf8.RuneCountInString(f.Consent) > 2000 {
		errs.Add("consent", "events.error.consent_long")
	}
	return d, errs
}

// lines splits a textarea into its non-empty lines, each split at "|".
func lines(s string) [][]string {
	var out [][]string
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.Split(line, "|")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		out = append(out, parts)
	}
	return out
}

// wordingLine reads the start of a line "ru: label | options": the
// language code and the label.
func wordingLine(first string) (lang, label string, ok bool) {
	code, rest, found := strings.Cut(first, ":")
	if !found || len(code) < 2 || len(code) > 8 || strings.Trim(code, "abcdefghijklmnopqrstuvwxyz-") != "" {
		return "", "", false
	}
	return code, strings.TrimSpace(rest), true
}

// options splits "a; b; c", leaving out empty options.
func options(s string) []string {
	var out []string
	for _, o := range strings.Split(s, ";") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(s) <= 2000
}
