package i18n

// Dates, times and numbers in the reader's language.
//
// Where the data come from, and why:
//
//   - Numbers are formatted by golang.org/x/text/number (already a
//     dependency, released monthly). It knows each language's CLDR grouping
//     pattern, including India's 12,34,567, and its numbering systems, so
//     Devanagari and Arabic-Indic digits come from a -u-nu- tag. Its tables
//     are CLDR 32 (2017), though, and its formatter ignores CLDR's
//     minimumGroupingDigits, so the style table below corrects the two
//     places where that shows for our languages: French groups with a
//     narrow no-break space (U+202F, CLDR 34 and later; x/text still has
//     U+00A0), and Spanish groups only from five digits (1234, 12.345).
//     Both corrections keep working unchanged if x/text's tables are
//     updated, and the tests pin every output.
//   - Long dates keep the catalog messages date.long and month.N: their
//     patterns and month names are CLDR's (format-wide months, so Russian
//     has the genitive "сентября"), they stay reviewable by translators, and
//     a language without a catalog falls back to English rather than to
//     numbers. x/text has date tables but no date formatter, and the CLDR
//     date library for Go, github.com/go-playground/locales (v0.14.1 of
//     January 2023, v0.14.2 of September 2026), is generated from CLDR 36,
//     weighs 35 MB for its 770-odd locale packages, and gets our languages
//     only partly right (US month-first English, Latin digits for hi and ar,
//     1.234 for es), so it would need as many corrections as it saves.
//   - Clock times follow each language's CLDR short time pattern, written
//     out in the style table with its day-period names: 24-hour "HH:mm"
//     for ru and fr, "H:mm" for es, 12-hour "h:mm a" for hi ("२:०५ pm")
//     and ar ("٢:٠٥ م").
//
// Deliberate departures from CLDR's defaults, each a row of the table:
//
//   - English is written the way CLDR's en-GB writes it ("22 September
//     2021", "14:05"), not en-US's "September 22, 2021, 2:05 PM": day-month
//     order and a 24-hour clock read unambiguously to an international
//     audience.
//   - Hindi uses Devanagari digits (CLDR's default for hi is Latin), as
//     the issue asks ("२२ सितंबर २०२१"), and Arabic uses Arabic-Indic
//     digits (current CLDR's default for ar is Latin, ar-EG's is arab;
//     x/text's CLDR 32 tables still give ar arab). Both are explicit in
//     the table, so no update of CLDR data changes them.
//   - Russian keeps "22 сентября 2021" without CLDR's trailing "г."; to
//     follow CLDR fully, change ru.json's date.long to
//     "{{.Day}} {{.Month}} {{.Year}} г.".
//
// Zone abbreviations stay in Latin letters and digits ("UTC+7", "GMT") in
// every language: they are identifiers readers look up, not prose.

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// style is how one language writes numbers and clock times.
type style struct {
	// numbering is the CLDR numbering system of every digit the site
	// prints in this language: "latn", "deva", "arab".
	numbering string
	// minGrouping is CLDR's minimumGroupingDigits: with 2, a separator
	// appears only in numbers of five digits or more.
	minGrouping int
	// group, when set, replaces x/text's grouping separator ([0]) with
	// CLDR's current one ([1]).
	group *strings.Replacer
	// clock is CLDR's short time pattern, with the fields H, HH, h, hh, mm,
	// a (the day period, am or pm below) and B (the flexible day period,
	// periods below).
	clock  string
	am, pm string
	// periods are CLDR's flexible day periods (dayPeriodRules), each from
	// its hour until the next one's, the first also before its hour.
	periods []dayPeriod
}

// dayPeriod is a flexible day period: "in the evening" from 16:00.
type dayPeriod struct {
	from int
	name string
}

// styles holds the languages peerpress ships catalogs for. Values are from
// CLDR 48 (checked against ICU 78) unless a comment says otherwise.
var styles = map[string]style{
	// CLDR en is "h:mm a"; en-GB's "HH:mm" is chosen, see above.
	"en": {numbering: "latn", minGrouping: 1, clock: "HH:mm"},
	"ru": {numbering: "latn", minGrouping: 1, clock: "HH:mm"},
	"fr": {numbering: "latn", minGrouping: 1, clock: "HH:mm",
		group: strings.NewReplacer("\u00a0", "\u202f")},
	"es": {numbering: "latn", minGrouping: 2, clock: "H:mm"},
	// CLDR hi: latn digits (deva chosen, see above). Its "h:mm a" writes
	// am/pm in Latin letters, which Hindi readers do not say; the pattern
	// with the flexible day period, "B h:mm" (dayPeriodRules: night1 from
	// 20:00, morning1 from 4:00, afternoon1 from 12:00, evening1 from
	// 16:00), reads as Hindi speakers tell the time: "शाम ६:३५".
	"hi": {numbering: "deva", minGrouping: 1, clock: "B h:mm",
		periods: []dayPeriod{{4, "सुबह"}, {12, "दोपहर"}, {16, "शाम"}, {20, "रात"}}},
	// CLDR ar: "h:mm a", day periods ص and م.
	"ar": {numbering: "arab", minGrouping: 1, clock: "h:mm a", am: "ص", pm: "م"},
}

// fallbackStyle serves an enabled language without a row above (and so
// without a catalog: its interface falls back to English): Latin digits,
// to match the English words around them, with the language's grouping as
// x/text has it, and a 24-hour clock.
var fallbackStyle = style{numbering: "latn", minGrouping: 1, clock: "HH:mm"}

// formatter is a Localizer's number printer and style.
type formatter struct {
	style
	p *message.Printer // safe for concurrent use: Sprint copies it
}

func newFormatter(code string) formatter {
	s, ok := styles[code]
	if !ok {
		s = fallbackStyle
	}
	tag := language.Make(code + "-u-nu-" + s.numbering)
	return formatter{style: s, p: message.NewPrinter(tag)}
}

// number formats n with the language's grouping and digits.
func (f formatter) number(n int) string {
	var opts []number.Option
	if f.minGrouping > 1 {
		// The first group has 3 digits in all our languages; a separator
		// needs at least minGrouping digits before it.
		limit := 1000
		for range f.minGrouping - 1 {
			limit *= 10
		}
		if n > -limit && n < limit {
			opts = append(opts, number.NoSeparator())
		}
	}
	s := f.p.Sprint(number.Decimal(n, opts...))
	if f.group != nil {
		s = f.group.Replace(s)
	}
	return s
}

// digits writes a non-negative n in the language's digits, without
// grouping, padded with zeros to at least width digits: the day, year,
// hour and minute of a date.
func (f formatter) digits(n, width int) string {
	return f.p.Sprint(number.Decimal(n, number.NoSeparator(), number.MinIntegerDigits(width)))
}

// clockTime writes t's hour and minute by the style's clock pattern.
func (f formatter) clockTime(t time.Time) string {
	var b strings.Builder
	p := f.clock
	for p != "" {
		switch {
		case strings.HasPrefix(p, "HH"):
			b.WriteString(f.digits(t.Hour(), 2))
			p = p[2:]
		case strings.HasPrefix(p, "H"):
			b.WriteString(f.digits(t.Hour(), 1))
			p = p[1:]
		case strings.HasPrefix(p, "hh"), strings.HasPrefix(p, "h"):
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			w := 1
			if strings.HasPrefix(p, "hh") {
				w = 2
			}
			b.WriteString(f.digits(h, w))
			p = p[w:]
		case strings.HasPrefix(p, "mm"):
			b.WriteString(f.digits(t.Minute(), 2))
			p = p[2:]
		case strings.HasPrefix(p, "B"):
			b.WriteString(f.period(t.Hour()))
			p = p[1:]
		case strings.HasPrefix(p, "a"):
			if t.Hour() < 12 {
				b.WriteString(f.am)
			} else {
				b.WriteString(f.pm)
			}
			p = p[1:]
		default:
			b.WriteByte(p[0])
			p = p[1:]
		}
	}
	return b.String()
}

// period is the flexible day period of an hour: the last that began at
// or before it, or, before the first, the one that runs over midnight.
func (f formatter) period(hour int) string {
	if len(f.periods) == 0 {
		return ""
	}
	name := f.periods[len(f.periods)-1].name
	for _, p := range f.periods {
		if hour >= p.from {
			name = p.name
		}
	}
	return name
}

// LoadZone is time.LoadLocation, remembered: the standard library reads
// and parses the zone's file on every call, and pages show many events.
// Only zones that load are kept, so a bad name from a form cannot grow it.
func LoadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}

var zones sync.Map // name → *time.Location

// ValidZone reports whether name is an IANA zone peerpress knows: not
// empty, and not "Local", which means the server's own zone.
func ValidZone(name string) bool {
	if name == "" || name == "Local" {
		return false
	}
	_, err := LoadZone(name)
	return err == nil
}

// zoneName is t's zone abbreviation as t.Format("MST") gives it, except
// where that is numeric: tzdata names many zones only by their offset
// ("+07", "-05", "+0545"), and a zone without a name formats as "+0700".
// Those are shown as "UTC+7", "UTC−5" (with U+2212 MINUS SIGN),
// "UTC+5:45", and a zero offset as "UTC".
func zoneName(t time.Time) string {
	name, offset := t.Zone()
	if name != "" && !numericZone(name) {
		return name
	}
	if offset == 0 {
		return "UTC"
	}
	sign := "+"
	if offset < 0 {
		sign, offset = "\u2212", -offset
	}
	s := "UTC" + sign + strconv.Itoa(offset/3600)
	if m := offset % 3600 / 60; m != 0 {
		s += fmt.Sprintf(":%02d", m)
	}
	return s
}

// numericZone reports whether a zone abbreviation is an offset: "+07",
// "-0530".
func numericZone(name string) bool {
	if len(name) < 2 || (name[0] != '+' && name[0] != '-') {
		return false
	}
	for _, c := range name[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Number formats an integer with the reader's grouping separators and
// digits: 1,234,567 (en), 1 234 567 (ru, no-break spaces), 1 234 567 (fr,
// narrow no-break spaces), 1234 and 12.345 (es), १२,३४,५६७ (hi),
// ١٬٢٣٤٬٥٦٧ (ar).
func (l *Localizer) Number(n int) string { return l.f.number(n) }

// Date formats a calendar date in the reader's language, e.g.
// "22 September 2021", "22 сентября 2021", "22 de septiembre de 2021",
// "२२ सितंबर २०२१".
func (l *Localizer) Date(t time.Time) string {
	y, m, d := t.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	if s, ok := l.dates.Load(day); ok {
		return s.(string)
	}
	s := l.formatDate(t)
	if l.dateN.Add(1) <= memoMax {
		l.dates.Store(day, s)
	}
	return s
}

// memoMax bounds the dates a localizer keeps: some 27 years of days.
const memoMax = 10000

func (l *Localizer) formatDate(t time.Time) string {
	return l.T("date.long",
		"Day", l.f.digits(t.Day(), 1),
		"Month", l.T(fmt.Sprintf("month.%d", int(t.Month()))),
		"Year", l.f.digits(t.Year(), 1))
}

// Time formats a clock time in the reader's convention: "14:05" (en, ru,
// fr), "9:05" (es), "२:०५ pm" (hi), "٢:٠٥ م" (ar).
func (l *Localizer) Time(t time.Time) string { return l.f.clockTime(t) }

// DateTime formats a date with its clock time and zone abbreviation, e.g.
// "22 September 2021, 14:05 BST", "22 сентября 2021, 20:05 UTC+7".
func (l *Localizer) DateTime(t time.Time) string {
	return l.T("date.time", "Date", l.Date(t), "Time", l.Time(t), "Zone", zoneName(t))
}
