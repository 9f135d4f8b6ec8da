package events

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// calEvent is one VEVENT of a calendar file.
type calEvent struct {
	UID         string
	Start       time.Time
	Minutes     int
	Summary     string
	Description string
	Location    string
	URL         string
	Updated     time.Time // DTSTAMP: when this description last changed
	Cancelled   bool
}

// calendar writes an RFC 5545 calendar: CRLF line ends, lines folded at 75
// octets, TEXT values escaped, times in UTC so that no VTIMEZONE is needed
// and every application converts them to its reader's zone.
func calendar(name string, evs []calEvent) []byte {
	var b strings.Builder
	line := func(s string) { foldLine(&b, s) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//peerpress//events//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	if name != "" {
		line("X-WR-CALNAME:" + escapeText(name))
	}
	for _, e := range evs {
		line("BEGIN:VEVENT")
		line("UID:" + e.UID)
		line("DTSTAMP:" + icsTime(e.Updated))
		line("DTSTART:" + icsTime(e.Start))
		line("DTEND:" + icsTime(e.Start.Add(time.Duration(max(e.Minutes, 1))*time.Minute)))
		line("SUMMARY:" + escapeText(e.Summary))
		if e.Description != "" {
			line("DESCRIPTION:" + escapeText(e.Description))
		}
		if e.Location != "" {
			line("LOCATION:" + escapeText(e.Location))
		}
		if u, err := url.Parse(e.URL); e.URL != "" && err == nil && u.IsAbs() {
			line("URL:" + u.String())
		}
		if e.Cancelled {
			line("STATUS:CANCELLED")
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return []byte(b.String())
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// escapeText escapes a TEXT value (RFC 5545 3.3.11).
func escapeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// foldLine writes one content line, folded so that no line is longer than
// 75 octets, never inside a UTF-8 sequence (RFC 5545 3.1).
func foldLine(b *strings.Builder, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}

// eventUID is an event's stable UID: the same in every file and language.
func eventUID(entryID int64, origin string) string {
	host := "peerpress"
	if u, err := url.Parse(origin); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return "event-" + strconv.FormatInt(entryID, 10) + "@" + host
}
