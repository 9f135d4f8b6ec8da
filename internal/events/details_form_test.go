package events

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"peerpress/internal/i18n"
)

// The details form's reading speaks keys, not sentences: an import or the
// API can use it without a request or a language.
func TestParseDetails(t *testing.T) {
	zone := time.FixedZone("UTC+7", 7*3600)
	// Reminders come back latest first, each once.
	ok := DetailsForm{Open: true, JoinURL: "https://meet.example.org/x", Languages: "ru | tbc\nes",
		Speakers: "Kofi | chair\n\nAmina | | Red Ribbon", Agenda: "12:30 | Welcome\n+15 | Panel",
		ClosesAt: "2027-03-01T18:00", Capacity: "40", Reminders: "60, 1440, 60"}
	d, errs := ParseDetails(ok, zone)
	if len(errs) != 0 {
		t.Fatalf("valid details: %v", errs)
	}
	if len(d.Languages) != 2 || d.Languages[0] != (Interpretation{Lang: "ru", Status: ToConfirm}) || d.Languages[1].Status != Confirmed ||
		len(d.Speakers) != 2 || d.Speakers[1].Organisation != "Red Ribbon" ||
		len(d.Agenda) != 2 || d.Agenda[0].Clock != "12:30" || d.Agenda[1].Offset != 15 ||
		d.Capacity != 40 || !d.ClosesAt.Equal(time.Date(2027, 3, 1, 11, 0, 0, 0, time.UTC)) ||
		!reflect.DeepEqual(d.ReminderMinutes, []int{1440, 60}) {
		t.Errorf("details read as %+v", d)
	}

	tests := []struct {
		name string
		f    DetailsForm
		want i18n.FieldErrors
	}{
		{"everything wrong", DetailsForm{JoinURL: "javascript:alert(1)", RecordingURL: "example.org/rec",
			Languages: "ru | maybe", Speakers: "| chair", Agenda: "noon | Lunch",
			ClosesAt: "tomorrow", Capacity: "-1", Reminders: "0", Consent: strings.Repeat("c", 2001)}, i18n.FieldErrors{
			"join_url":      i18n.M("events.error.url"),
			"recording_url": i18n.M("events.error.url"),
			"languages":     i18n.M("events.error.languages"),
			"speakers":      i18n.M("events.error.speakers"),
			"agenda":        i18n.M("events.error.agenda"),
			"closes_at":     i18n.M("events.error.closes_at"),
			"capacity":      i18n.M("events.error.capacity"),
			"reminders":     i18n.M("events.error.reminders"),
			"consent":       i18n.M("events.error.consent_long"),
		}},
		{"an offset beyond two weeks", DetailsForm{Agenda: "+20161 | Late"},
			i18n.FieldErrors{"agenda": i18n.M("events.error.agenda")}},
		{"a reminder beyond a week", DetailsForm{Reminders: "10081"},
			i18n.FieldErrors{"reminders": i18n.M("events.error.reminders")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, errs := ParseDetails(tt.f, zone); !reflect.DeepEqual(errs, tt.want) {
				t.Errorf("errors %v, want %v", errs, tt.want)
			}
		})
	}
}
