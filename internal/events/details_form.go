package events

import (
	"net/url"
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
	JoinURL, RecordingURL        string
	Languages, Speakers, Agenda  string
	Open                         bool
	ClosesAt                     string // datetime-local in the event's zone
	Capacity, Reminders, Consent string
}

// ParseDetails reads and checks the details form: the links, the
// interpretation languages, speakers and agenda in their line syntax
// (old clients'; the editor writes them as rows), the capacity, the
// closing time in the event's zone, the reminders and the consent text.
// The registration questions are written with the entry (QuestionFields).
// It returns the details (without their entry, questions and
// KeptConfirmed, which the caller knows) and what is wrong with each
// field, as
// messages to translate where they are shown: the admin form, the API
// or an import use the same reading.
func ParseDetails(f DetailsForm, zone *time.Location) (Details, i18n.FieldErrors) {
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

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(s) <= 2000
}
