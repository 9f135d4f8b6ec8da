package wordpress

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/events"
	"peerpress/internal/i18n"
)

// The Events Calendar (tribe_events) keeps an event's time and place as
// meta of its post: the start and end in the event's own zone, the zone
// (an IANA name, or "UTC+2" when the site was set to an offset), the
// venue as a post of its own (tribe_venue), a cost and a website.

// venueText is a tribe_venue post as one line: its name, then its address.
func venueText(it *Item) string {
	parts := []string{plainTitle(it.Title)}
	for _, k := range []string{"_VenueAddress", "_VenueCity", "_VenueStateProvince", "_VenueProvince", "_VenueState", "_VenueZip", "_VenueCountry"} {
		if v := unescapeText(it.MetaValue(k)); v != "" && !containsFold(parts, v) {
			parts = append(parts, v)
		}
	}
	return strings.Join(nonEmpty(parts), ", ")
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func nonEmpty(list []string) []string {
	out := list[:0]
	for _, s := range list {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// organiser is a tribe_organizer post as an organisation: its name and,
// when it is a web address, its website. Its email and phone stay behind:
// the directory publishes only what an organisation agreed to publish.
func organiser(it *Item) (content.Organisation, bool) {
	o := content.Organisation{Name: truncate(plainTitle(it.Title), maxOrgName)}
	if o.Name == "" {
		return o, false
	}
	if u, err := url.Parse(strings.TrimSpace(it.MetaValue("_OrganizerWebsite"))); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		o.Website = u.String()
	}
	return o, true
}

// maxOrgName is the longest organisation name kept (the editor's limit).
const maxOrgName = 200

// organisers are the organisations an event's _EventOrganizerID metas
// name, in the export's order; notes say which were not in the export.
func (st *state) organisers(it *Item) (orgs []content.Organisation, notes []string) {
	seen := map[int64]bool{}
	for _, v := range it.MetaValues("_EventOrganizerID") {
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || id <= 0 || seen[id] {
			continue
		}
		seen[id] = true
		if o, ok := st.ex.organisers[id]; ok {
			orgs = append(orgs, o)
		} else {
			notes = append(notes, fmt.Sprintf("its organiser (#%d) is not in the export: it has none here", id))
		}
	}
	return orgs, notes
}

// orgNames is what the digest of a post keeps of its organisations.
func orgNames(orgs []content.Organisation) string {
	names := make([]string, len(orgs))
	for i, o := range orgs {
		names[i] = o.Name + " " + o.Website
	}
	return strings.Join(names, "\x00")
}

// hasEventMeta reports whether a post carries The Events Calendar's start.
func hasEventMeta(it *Item) bool { return strings.TrimSpace(it.MetaValue("_EventStartDate")) != "" }

// maxEventMinutes is how long an event here may last (events.MaxDays).
const maxEventMinutes = events.MaxDays * 24 * 60

// eventInfo reads a post's event: its instant, zone, duration and venue.
// notes are for the report (a zone known only as an offset, a length cut
// to events.MaxDays); ok is false when the start cannot be read.
func (st *state) eventInfo(it *Item) (info events.Info, notes []string, ok bool) {
	startText := strings.TrimSpace(it.MetaValue("_EventStartDate"))
	zone, loc, zoneNote := eventZone(it, st.im.opt.Zone)
	if zoneNote != "" {
		notes = append(notes, zoneNote)
	}
	start, err := time.ParseInLocation(wpTime, startText, loc)
	if err != nil || start.Year() < 1900 {
		return info, nil, false
	}
	info = events.Info{StartsAt: start.UTC(), TimeZone: zone, DurationMinutes: 60, Mode: "online"}
	end, err := time.ParseInLocation(wpTime, strings.TrimSpace(it.MetaValue("_EventEndDate")), loc)
	minutes := 0
	if err == nil && end.After(start) {
		minutes = int(math.Ceil(end.Sub(start).Minutes()))
	} else if secs, err := strconv.Atoi(strings.TrimSpace(it.MetaValue("_EventDuration"))); err == nil && secs > 0 {
		minutes = (secs + 59) / 60
	}
	switch {
	case minutes == 0:
		notes = append(notes, "its end was missing or before its start: it lasts an hour here")
	case minutes > maxEventMinutes:
		notes = append(notes, fmt.Sprintf("it lasted %d days; an event here lasts at most %d, so it ends earlier here: split it or shorten it",
			(minutes+24*60-1)/(24*60), events.MaxDays))
		info.DurationMinutes = maxEventMinutes
	default:
		info.DurationMinutes = minutes
	}
	if id, err := strconv.ParseInt(strings.TrimSpace(it.MetaValue("_EventVenueID")), 10, 64); err == nil && id > 0 {
		if v, found := st.ex.venues[id]; found && v != "" {
			info.Venue, info.Mode = truncate(v, 300), "in-person"
		} else {
			notes = append(notes, fmt.Sprintf("its venue (#%d) is not in the export: it has none here", id))
		}
	}
	if strings.TrimSpace(it.MetaValue("_EventRecurrence")) != "" {
		notes = append(notes, "it repeated in WordPress (Events Calendar Pro): only this occurrence is imported")
	}
	return info, notes, true
}

// eventZone is the event's IANA zone and the location its dates are read
// in; note says when the zone had to be made from an offset or guessed.
func eventZone(it *Item, site *time.Location) (string, *time.Location, string) {
	tz := strings.TrimSpace(it.MetaValue("_EventTimezone"))
	if tz != "" && events.ValidZone(tz) {
		loc, _ := time.LoadLocation(tz)
		return tz, loc, ""
	}
	offset, known := parseOffset(tz)
	source := tz
	if !known {
		// No zone or an abbreviation (CEST): the offset the export's own
		// UTC start implies.
		local, err1 := time.Parse(wpTime, strings.TrimSpace(it.MetaValue("_EventStartDate")))
		utc, err2 := time.Parse(wpTime, strings.TrimSpace(it.MetaValue("_EventStartDateUTC")))
		if err1 == nil && err2 == nil {
			offset, known = int(local.Sub(utc).Seconds()), true
			source = cmpOr(it.MetaValue("_EventTimezoneAbbr"), "the difference between its local and UTC start")
		}
	}
	if !known {
		if abbr := strings.ToUpper(strings.TrimSpace(it.MetaValue("_EventTimezoneAbbr"))); abbr == "UTC" || abbr == "GMT" {
			return "UTC", time.UTC, ""
		}
		return site.String(), site, fmt.Sprintf("its zone was not recorded: its time was read in the site's zone, %s", site)
	}
	name := offsetZone(offset)
	if name == "" {
		// No zone has this offset all year: the instant is kept, shown in UTC.
		return "UTC", time.FixedZone(tz, offset), fmt.Sprintf("only its offset from UTC was known (%s): it is shown in UTC here; choose the city's zone in the editor", source)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return "UTC", time.FixedZone(tz, offset), fmt.Sprintf("only its offset from UTC was known (%s): it is shown in UTC here; choose the city's zone in the editor", source)
	}
	if offset == 0 {
		return name, loc, ""
	}
	return name, loc, fmt.Sprintf("only its offset from UTC was known (%s): its zone is %s here; choose the city's zone in the editor, so summer time is right", source, name)
}

// parseOffset reads WordPress's manual offsets: "UTC+2", "UTC-5.5",
// "UTC+05:30", "UTC", as seconds east of UTC.
func parseOffset(s string) (int, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	rest, ok := strings.CutPrefix(s, "UTC")
	if !ok {
		if rest, ok = strings.CutPrefix(s, "GMT"); !ok {
			return 0, false
		}
	}
	if rest == "" {
		return 0, true
	}
	sign := 1
	switch rest[0] {
	case '+':
	case '-':
		sign = -1
	default:
		return 0, false
	}
	rest = rest[1:]
	var hours float64
	if h, m, colon := strings.Cut(rest, ":"); colon {
		hi, err1 := strconv.Atoi(h)
		mi, err2 := strconv.Atoi(m)
		if err1 != nil || err2 != nil || mi < 0 || mi >= 60 {
			return 0, false
		}
		hours = float64(hi) + float64(mi)/60
	} else {
		f, err := strconv.ParseFloat(rest, 64)
		if err != nil {
			return 0, false
		}
		hours = f
	}
	if hours < 0 || hours > 14 {
		return 0, false
	}
	return sign * int(math.Round(hours*3600)), true
}

// fractionalZones are zones whose offset is not whole hours, for offsets
// that name no Etc/GMT zone.
var fractionalZones = map[int]string{
	-9*3600 - 1800: "Pacific/Marquesas", -3*3600 - 1800: "America/St_Johns",
	3*3600 + 1800: "Asia/Tehran", 4*3600 + 1800: "Asia/Kabul", 5*3600 + 1800: "Asia/Kolkata", 5*3600 + 2700: "Asia/Kathmandu",
	6*3600 + 1800: "Asia/Yangon", 8*3600 + 2700: "Australia/Eucla", 9*3600 + 1800: "Australia/Darwin",
	10*3600 + 1800: "Australia/Lord_Howe", 12*3600 + 2700: "Pacific/Chatham",
}

// offsetZone is an IANA zone with this offset (seconds east of UTC): UTC,
// Etc/GMT-2 for +2 (the Etc names count the other way), or a city for a
// fractional offset; "" when none.
func offsetZone(offset int) string {
	switch {
	case offset == 0:
		return "UTC"
	case offset%3600 == 0 && offset >= -12*3600 && offset <= 14*3600:
		h := offset / 3600
		if h > 0 {
			return fmt.Sprintf("Etc/GMT-%d", h)
		}
		return fmt.Sprintf("Etc/GMT+%d", -h)
	}
	return fractionalZones[offset]
}

// eventExtras is the cost and website of an event, as lines for the end
// of its text in its language: they have no field here.
func eventExtras(it *Item, l *i18n.Localizer) string {
	var lines []string
	if cost := unescapeText(it.MetaValue("_EventCost")); cost != "" {
		if sym := unescapeText(it.MetaValue("_EventCurrencySymbol")); sym != "" && !strings.Contains(cost, sym) {
			if it.MetaValue("_EventCurrencyPosition") == "suffix" {
				cost += " " + sym
			} else {
				cost = sym + cost
			}
		}
		lines = append(lines, l.T("event.import_cost", "Cost", escapeMarkdown(cost)))
	}
	if u := strings.TrimSpace(it.MetaValue("_EventURL")); strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
		lines = append(lines, "["+l.T("event.import_website")+"](<"+strings.ReplaceAll(u, ">", "%3E")+">)")
	}
	return strings.Join(lines, "\n\n")
}

// escapeMarkdown keeps text typed in a field from reading as Markdown.
func escapeMarkdown(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>#|", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
