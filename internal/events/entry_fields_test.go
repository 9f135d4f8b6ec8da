package events

import (
	"net/url"
	"testing"
	"time"

	"peerpress/internal/content"
)

// The editor's event fields are read as typed and checked by the same
// rules whatever sends them; each problem is a message key by field.
func TestEntryFieldsCheck(t *testing.T) {
	var x EntryFields
	ok := url.Values{"event_start": {"2031-05-01T14:00"}, "event_zone": {"Africa/Nairobi"}, "event_duration": {"90"}, "event_mode": {"hybrid"}, "event_venue": {" Hall "}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for key, vs := range ok {
			f[key] = vs
		}
		f.Set(k, v)
		return f
	}
	long := make([]byte, maxVenue+1)
	for i := range long {
		long[i] = 'a'
	}
	for _, tc := range []struct {
		name  string
		form  url.Values
		field string // "" : no problem
		key   string
	}{
		{"good", ok, "", ""},
		{"no start", with("event_start", ""), "event_start", "form.required"},
		{"unreadable start", with("event_start", "2031-13-45T99:99"), "event_start", "form.invalid_time"},
		{"unknown zone", with("event_zone", "Mars/Olympus_Mons"), "event_zone", "event.zone_invalid"},
		{"the machine's zone", with("event_zone", "Local"), "event_zone", "event.zone_invalid"},
		{"no duration", with("event_duration", "0"), "event_duration", "event.duration_invalid"},
		{"too long", with("event_duration", "20161"), "event_duration", "event.duration_invalid"},
		{"not a number", with("event_duration", "an hour"), "event_duration", "event.duration_invalid"},
		{"unknown format", with("event_mode", "telepathy"), "event_mode", "form.invalid_choice"},
		{"long venue", with("event_venue", string(long)), "event_venue", "form.too_long"},
	} {
		errs := content.FieldErrors{}
		v := x.ParseForm(tc.form, errs)
		x.CheckExtension(v, errs)
		if tc.field == "" {
			if errs.Any() {
				t.Errorf("%s: %v", tc.name, errs)
			}
			continue
		}
		if errs[tc.field] != tc.key || len(errs) != 1 {
			t.Errorf("%s: %v, want only %s: %s", tc.name, errs, tc.field, tc.key)
		}
	}

	// The start is read in the event's zone, and shown back as typed.
	info := x.ParseForm(ok, content.FieldErrors{}).(Info)
	if want := time.Date(2031, 5, 1, 11, 0, 0, 0, time.UTC); !info.StartsAt.Equal(want) || info.Venue != "Hall" {
		t.Errorf("parsed %+v, want a start at %v and the venue trimmed", info, want)
	}
	if back := x.FormValues(info); back.Get("event_start") != "2031-05-01T14:00" || back.Get("event_zone") != "Africa/Nairobi" {
		t.Errorf("form values %v", back)
	}

	// Nothing given at all is a missing start.
	errs := content.FieldErrors{}
	x.CheckExtension(nil, errs)
	if errs["event_start"] != "form.required" {
		t.Errorf("no value: %v", errs)
	}
}
