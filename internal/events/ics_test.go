package events

import (
	"context"
	"strings"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// unfold undoes RFC 5545 line folding.
func unfold(s string) string { return strings.ReplaceAll(s, "\r\n ", "") }

// props reads the properties of a calendar's first VEVENT, checking the
// line structure on the way: CRLF endings, at most 75 octets a line.
func props(t *testing.T, ics string) map[string]string {
	t.Helper()
	if !strings.HasSuffix(ics, "\r\n") || strings.Contains(strings.ReplaceAll(ics, "\r\n", ""), "\n") {
		t.Fatalf("lines must end with CRLF:\n%q", ics)
	}
	for _, line := range strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Fatalf("line of %d octets: %q", len(line), line)
		}
	}
	out := map[string]string{}
	in := false
	for _, line := range strings.Split(unfold(ics), "\r\n") {
		switch line {
		case "BEGIN:VEVENT":
			in = true
			continue
		case "END:VEVENT":
			return out
		}
		if k, v, ok := strings.Cut(line, ":"); ok && in {
			out[k] = v
		}
	}
	t.Fatalf("no VEVENT in:\n%s", ics)
	return nil
}

// unescape reads a TEXT value.
func unescape(s string) string {
	return strings.NewReplacer(`\n`, "\n", `\,`, ",", `\;`, ";", `\\`, `\`).Replace(s)
}

func TestCalendarIsValid(t *testing.T) {
	start := time.Date(2027, 1, 15, 13, 0, 0, 0, time.UTC)
	long := strings.Repeat("Продолжение; разговора, о снижении вреда\\ ", 6)
	ics := string(calendar("Events", []calEvent{{UID: eventUID(42, "https://peers.example.org"), Start: start, Minutes: 75,
		Summary: long, Description: "Line one\nline two", URL: "https://peers.example.org/en/events/x", Updated: start.Add(-time.Hour)}}))
	p := props(t, ics)
	if p["UID"] != "event-42@peers.example.org" || p["DTSTART"] != "20270115T130000Z" || p["DTEND"] != "20270115T141500Z" || p["DTSTAMP"] != "20270115T120000Z" {
		t.Fatalf("properties: %v", p)
	}
	if unescape(p["SUMMARY"]) != long || unescape(p["DESCRIPTION"]) != "Line one\nline two" {
		t.Fatalf("text did not survive escaping: %q", p["SUMMARY"])
	}
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "VERSION:2.0\r\n", "PRODID:", "END:VCALENDAR\r\n"} {
		if !strings.Contains(ics, want) {
			t.Fatalf("calendar lacks %q", want)
		}
	}
	// Folding never splits a UTF-8 sequence.
	for _, line := range strings.Split(ics, "\r\n") {
		if !utf8Valid(line) {
			t.Fatalf("a fold split a character: %q", line)
		}
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// An event in a zone whose offset changes between booking (now, in
// November: London on GMT, New York on EST) and the event (in spring,
// on summer time) shows the event's wall time and the right UTC instant
// on its page, in its mail and in its calendar file.
func TestDaylightSavingChange(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		cases := []struct {
			zone          string
			start         time.Time
			wall, utc     string
			dtstart       string
			bookingOffset int
		}{
			{"Europe/London", time.Date(2027, 4, 15, 12, 0, 0, 0, mustZone(t, "Europe/London")), "15 April 2027, 12:00 BST", "15 April 2027, 11:00 UTC", "20270415T110000Z", 0},
			{"America/New_York", time.Date(2027, 3, 20, 10, 0, 0, 0, mustZone(t, "America/New_York")), "20 March 2027, 10:00 EDT", "20 March 2027, 14:00 UTC", "20270320T140000Z", -5 * 3600},
		}
		for _, tc := range cases {
			f := newFixture(t, d, tc.start, tc.zone, 0)
			// Booking happens in November, before the change.
			f.now = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
			if _, off := f.now.In(mustZone(t, tc.zone)).Zone(); off != tc.bookingOffset {
				t.Fatalf("%s: booking offset %d: the test no longer crosses a change", tc.zone, off)
			}
			assets, err := web.NewAssets()
			if err != nil {
				t.Fatal(err)
			}
			rd, err := web.NewRenderer("Test", func() *i18n.Bundle { return f.s.langs }, nil, assets)
			if err != nil {
				t.Fatal(err)
			}
			h := &Handlers{store: f.s, rd: rd, zoneNames: func() []string { return []string{"Asia/Bangkok"} }}
			ev, err := f.s.load(context.Background(), f.entryID)
			if err != nil {
				t.Fatal(err)
			}
			v, err := h.view(context.Background(), ev, ev.translation("en"), "en", f.now)
			if err != nil {
				t.Fatal(err)
			}
			if v.StartText != tc.wall || v.UTCText != tc.utc {
				t.Fatalf("%s page: %q / %q, want %q / %q", tc.zone, v.StartText, v.UTCText, tc.wall, tc.utc)
			}
			addr := "dst-" + strings.ToLower(strings.ReplaceAll(tc.zone, "/", "-")) + "@example.org"
			f.registerAndConfirm(addr, "Early bird")
			got := f.mails(addr)
			placed := got[len(got)-1]
			// The mail states the time once, in the event's zone, named.
			if want := tc.wall + " (" + tc.zone + ")"; !strings.Contains(placed.Text, want) || strings.Contains(placed.Text, tc.utc) {
				t.Fatalf("%s mail: want the time once, as %q, not also %q:\n%s", tc.zone, want, tc.utc, placed.Text)
			}
			if p := props(t, placed.Attachments["invite.ics"]); p["DTSTART"] != tc.dtstart {
				t.Fatalf("%s calendar DTSTART %s, want %s", tc.zone, p["DTSTART"], tc.dtstart)
			}
			// The public calendar file gives the same instant and UID.
			pub := props(t, string(calendar("", []calEvent{ev.calEvent(ev.translation("en"), "https://peers.example.org", f.now)})))
			if pub["DTSTART"] != tc.dtstart || pub["UID"] != props(t, placed.Attachments["invite.ics"])["UID"] {
				t.Fatalf("%s public calendar: %v", tc.zone, pub)
			}
			if strings.Contains(unfold(string(calendar("", []calEvent{ev.calEvent(ev.translation("en"), "https://peers.example.org", f.now)}))), joinLink) {
				t.Fatal("the public calendar file carries the join link")
			}
		}
	})
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestYearDigits(t *testing.T) {
	for in, want := range map[string]string{"2,026": "2026", "2\u00a0026": "2026", "२,०२६": "२०२६", "٢٬٠٢٦": "٢٠٢٦", "2026": "2026"} {
		if got := yearDigits(in); got != want {
			t.Errorf("yearDigits(%q) = %q, want %q", in, got, want)
		}
	}
}
