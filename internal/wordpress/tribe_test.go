package wordpress

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/events"
	"peerpress/internal/search"
)

// The shared exports have no event of The Events Calendar: these tests
// write their own, with the meta the plugin (version 6) exports.

// tribeEvent is a tribe_events item; meta are key, value pairs.
func tribeEvent(id int, slug, title string, meta ...string) string {
	var m strings.Builder
	for i := 0; i+1 < len(meta); i += 2 {
		fmt.Fprintf(&m, "<wp:postmeta><wp:meta_key>%s</wp:meta_key><wp:meta_value><![CDATA[%s]]></wp:meta_value></wp:postmeta>\n", meta[i], meta[i+1])
	}
	return fmt.Sprintf(`<item><title>%s</title><link>https://events.example.org/event/%s/</link>
	<content:encoded><![CDATA[<p>About %s.</p>]]></content:encoded>
	<wp:post_id>%d</wp:post_id><wp:post_date_gmt>2026-01-10 09:00:00</wp:post_date_gmt>
	<wp:post_name>%s</wp:post_name><wp:status>publish</wp:status><wp:post_type>tribe_events</wp:post_type>
	%s</item>
`, title, slug, title, id, slug, m.String())
}

// TribeWXR is an export with a venue, an organiser and events: one in an
// IANA zone at a venue, with a cost and a website; one known only by its
// offset; one longer than events here may be; one without a start.
func tribeWXR(items ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>https://events.example.org</wp:base_blog_url>
<item><title>Maison des associations</title><wp:post_id>90</wp:post_id><wp:status>publish</wp:status><wp:post_type>tribe_venue</wp:post_type>
	<wp:post_name>maison</wp:post_name>
	<wp:postmeta><wp:meta_key>_VenueAddress</wp:meta_key><wp:meta_value>12 rue de la Paix</wp:meta_value></wp:postmeta>
	<wp:postmeta><wp:meta_key>_VenueCity</wp:meta_key><wp:meta_value>Paris</wp:meta_value></wp:postmeta>
	<wp:postmeta><wp:meta_key>_VenueCountry</wp:meta_key><wp:meta_value>France</wp:meta_value></wp:postmeta></item>
<item><title>The network</title><wp:post_id>91</wp:post_id><wp:status>publish</wp:status><wp:post_type>tribe_organizer</wp:post_type>
	<wp:postmeta><wp:meta_key>_OrganizerWebsite</wp:meta_key><wp:meta_value>https://network.example.org/</wp:meta_value></wp:postmeta>
	<wp:postmeta><wp:meta_key>_OrganizerEmail</wp:meta_key><wp:meta_value>coordinator@network.example.org</wp:meta_value></wp:postmeta>
	<wp:postmeta><wp:meta_key>_OrganizerPhone</wp:meta_key><wp:meta_value>+33 1 23 45 67 89</wp:meta_value></wp:postmeta></item>
<item><title>Drug User Union of Paris</title><wp:post_id>92</wp:post_id><wp:status>publish</wp:status><wp:post_type>tribe_organizer</wp:post_type>
	<wp:postmeta><wp:meta_key>_OrganizerWebsite</wp:meta_key><wp:meta_value>javascript:alert(1)</wp:meta_value></wp:postmeta></item>
` + strings.Join(items, "") + `</channel></rss>`
}

var tribeItems = []string{
	tribeEvent(100, "assembly", "General assembly", "_EventStartDate", "2026-06-12 18:30:00", "_EventEndDate", "2026-06-12 21:00:00",
		"_EventTimezone", "Europe/Paris", "_EventTimezoneAbbr", "CEST", "_EventVenueID", "90", "_EventOrganizerID", "91",
		"_EventOrganizerID", "92", "_EventOrganizerID", "93", "_EventCost", "5",
		"_EventCurrencySymbol", "€", "_EventCurrencyPosition", "suffix", "_EventURL", "https://example.org/assembly"),
	tribeEvent(101, "webinar", "Webinar", "_EventStartDate", "2026-03-05 14:00:00", "_EventEndDate", "2026-03-05 15:30:00",
		"_EventTimezone", "UTC+5.5"),
	tribeEvent(102, "festival", "Festival", "_EventStartDate", "2026-07-01 00:00:00", "_EventEndDate", "2026-07-31 23:59:59",
		"_EventTimezone", "America/New_York", "_EventAllDay", "yes"),
	tribeEvent(103, "someday", "Someday", "_EventCost", "free"),
}

func writeTemp(t *testing.T, name, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// importEvents imports through a store whose events keep their time, as
// the site's does.
func importEvents(t *testing.T, d *db.DB, path string, opt Options) *Report {
	t.Helper()
	if opt.Languages == nil {
		opt.Languages = []string{"en", "fr"}
	}
	store := content.NewStore(d, search.Index{})
	store.SetExtensions(events.EntryFields{})
	rep, err := New(d, store, opt).Import(context.Background(), func() (io.ReadCloser, error) { return os.Open(path) })
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func eventEntry(t *testing.T, d *db.DB, slug string) (*content.Entry, events.Info) {
	t.Helper()
	store := content.NewStore(d, search.Index{})
	store.SetExtensions(events.EntryFields{})
	e, err := store.BySlug(context.Background(), "en", slug)
	if err != nil {
		t.Fatalf("%s: %v", slug, err)
	}
	info, ok := events.InfoOf(e)
	if !ok {
		t.Fatalf("%s has no event time", slug)
	}
	return e, info
}

func hasNote(rep *Report, item, part string) bool {
	for _, n := range rep.Review {
		if strings.Contains(n.Item, item) && strings.Contains(n.Note, part) {
			return true
		}
	}
	return false
}

// The Events Calendar's events become events with their instant, zone,
// duration and venue; cost and website go into their text; what could
// not be kept is reported; importing again changes nothing.
// orgsOf lists an entry's co-author organisations, in order, with their
// websites.
func orgsOf(t *testing.T, d *db.DB, entryID int64) string {
	t.Helper()
	rows, err := d.QueryContext(context.Background(), `SELECT o.name, o.website FROM organisations o
		JOIN entry_organisations eo ON eo.organisation_id = o.id WHERE eo.entry_id = ? ORDER BY eo.position`, entryID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name, website string
		if err := rows.Scan(&name, &website); err != nil {
			t.Fatal(err)
		}
		out = append(out, name+" <"+website+">")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, ", ")
}

func TestImportTribeEvents(t *testing.T) {
	path := writeTemp(t, "events.xml", tribeWXR(tribeItems...))
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		rep := importEvents(t, d, path, Options{})
		wantCount(t, rep, "event", Count{Imported: 3})
		for reason, n := range map[string]int{
			"venues of The Events Calendar (each became its events' venue)":                      1,
			"organisers of The Events Calendar (each became its events' co-author organisation)": 2,
			"posts mapped to event without The Events Calendar's start date (see needs review)":  1,
		} {
			if rep.Skipped[reason] != n {
				t.Errorf("skipped %q: %d, want %d (%v)", reason, rep.Skipped[reason], n, rep.Skipped)
			}
		}

		e, info := eventEntry(t, d, "assembly")
		if e.Kind != content.Event {
			t.Errorf("kind %s", e.Kind)
		}
		if want := time.Date(2026, 6, 12, 16, 30, 0, 0, time.UTC); !info.StartsAt.Equal(want) || info.TimeZone != "Europe/Paris" ||
			info.DurationMinutes != 150 || info.Mode != "in-person" || info.Venue != "Maison des associations, 12 rue de la Paix, Paris, France" {
			t.Errorf("assembly: %+v", info)
		}
		if got := orgsOf(t, d, e.ID); got != "The network <https://network.example.org/>, Drug User Union of Paris <>" {
			t.Errorf("assembly's organisers: %s", got)
		}
		if !hasNote(rep, "#100", "its organiser (#93) is not in the export") {
			t.Errorf("no note on the missing organiser: %+v", rep.Review)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM organisations WHERE website LIKE '%coordinator%' OR name LIKE '%coordinator%'`); n != 0 {
			t.Error("an organiser's email was imported")
		}
		tr, _ := e.Translation("en")
		if !strings.Contains(tr.Body, "Cost: 5 €") || !strings.Contains(tr.Body, "[The event's website](<https://example.org/assembly>)") {
			t.Errorf("assembly's text:\n%s", tr.Body)
		}

		_, info = eventEntry(t, d, "webinar")
		if want := time.Date(2026, 3, 5, 8, 30, 0, 0, time.UTC); !info.StartsAt.Equal(want) || info.TimeZone != "Asia/Kolkata" ||
			info.DurationMinutes != 90 || info.Mode != "online" || info.Venue != "" {
			t.Errorf("webinar: %+v", info)
		}
		if !hasNote(rep, "#101", "only its offset from UTC was known (UTC+5.5): its zone is Asia/Kolkata here") {
			t.Errorf("no note on the offset: %+v", rep.Review)
		}

		_, info = eventEntry(t, d, "festival")
		if want := time.Date(2026, 7, 1, 4, 0, 0, 0, time.UTC); !info.StartsAt.Equal(want) || info.DurationMinutes != events.MaxDays*24*60 {
			t.Errorf("festival: %+v", info)
		}
		if !hasNote(rep, "#102", "it lasted 31 days; an event here lasts at most 14") {
			t.Errorf("no note on the length: %+v", rep.Review)
		}
		if !hasNote(rep, "#103", "has no _EventStartDate") {
			t.Errorf("no note on the event without a start: %+v", rep.Review)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM old_paths`); n == 0 {
			t.Error("no old addresses kept")
		}

		before := snapshot(t, d)
		rows := count(t, d, `SELECT COUNT(*) FROM events`)
		rep = importEvents(t, d, path, Options{})
		wantCount(t, rep, "event", Count{Unchanged: 3})
		if after := snapshot(t, d); after != before || count(t, d, `SELECT COUNT(*) FROM events`) != rows {
			t.Errorf("re-import changed something:\n%s\nthen\n%s", before, after)
		}

		// A newer export that moved the assembly moves it here.
		moved := strings.NewReplacer("2026-06-12 18:30:00", "2026-06-13 10:00:00", "2026-06-12 21:00:00", "2026-06-13 12:30:00").Replace(tribeWXR(tribeItems...))
		rep = importEvents(t, d, writeTemp(t, "moved.xml", moved), Options{})
		wantCount(t, rep, "event", Count{Updated: 1, Unchanged: 2})
		if _, info := eventEntry(t, d, "assembly"); !info.StartsAt.Equal(time.Date(2026, 6, 13, 8, 0, 0, 0, time.UTC)) || info.DurationMinutes != 150 {
			t.Errorf("moved assembly: %+v", info)
		}
	})
}

// A post mapped to event is one when it has The Events Calendar's time,
// and is refused with a line in the report when it has not; a site
// without the events area says so rather than making events without a
// time.
func TestImportMapToEvent(t *testing.T) {
	post := func(id int, slug string, meta string) string {
		return fmt.Sprintf(`<item><title>%s</title><wp:post_id>%d</wp:post_id><wp:post_date_gmt>2026-01-10 09:00:00</wp:post_date_gmt>
			<wp:post_name>%s</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
			<category domain="category" nicename="meetings"><![CDATA[Meetings]]></category>%s</item>`, slug, id, slug, meta)
	}
	path := writeTemp(t, "map.xml", tribeWXR(
		post(200, "with-time", `<wp:postmeta><wp:meta_key>_EventStartDate</wp:meta_key><wp:meta_value>2026-05-01 10:00:00</wp:meta_value></wp:postmeta>
			<wp:postmeta><wp:meta_key>_EventStartDateUTC</wp:meta_key><wp:meta_value>2026-05-01 08:00:00</wp:meta_value></wp:postmeta>
			<wp:postmeta><wp:meta_key>_EventTimezoneAbbr</wp:meta_key><wp:meta_value>CEST</wp:meta_value></wp:postmeta>`),
		post(201, "without-time", "")))
	m, err := ParseMapping(strings.NewReader("category:meetings event\n"), content.Kinds())
	if err != nil {
		t.Fatal(err)
	}
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		rep := importEvents(t, d, path, Options{Mapping: m})
		wantCount(t, rep, "event", Count{Imported: 1})
		if rep.Skipped["posts mapped to event without The Events Calendar's start date (see needs review)"] != 1 ||
			!hasNote(rep, "#201", "it is mapped to event, but has no _EventStartDate") {
			t.Errorf("the post without a time: %v %+v", rep.Skipped, rep.Review)
		}
		_, info := eventEntry(t, d, "with-time")
		if !info.StartsAt.Equal(time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)) || info.TimeZone != "Etc/GMT-2" || info.DurationMinutes != 60 {
			t.Errorf("with-time: %+v", info)
		}
		if !hasNote(rep, "#200", "only its offset from UTC was known (CEST): its zone is Etc/GMT-2 here") {
			t.Errorf("no note on the zone: %+v", rep.Review)
		}
	})
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		rep := mustImport(t, d, path, Options{Mapping: m}) // a store without the events area
		if rep.Skipped["events (this site has no events area)"] != 2 || count(t, d, `SELECT COUNT(*) FROM entries WHERE kind = 'event'`) != 0 {
			t.Errorf("without the events area: %v", rep.Skipped)
		}
	})
}

func TestEventZone(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	for _, c := range []struct {
		meta     []Meta
		zone     string
		offset   int // of the location the start is read in, on 2026-01-15
		withNote bool
	}{
		{[]Meta{{"_EventTimezone", "Africa/Nairobi"}}, "Africa/Nairobi", 3 * 3600, false},
		{[]Meta{{"_EventTimezone", "UTC"}}, "UTC", 0, false},
		{[]Meta{{"_EventTimezone", "UTC+0"}}, "UTC", 0, false},
		{[]Meta{{"_EventTimezone", "UTC-5"}}, "Etc/GMT+5", -5 * 3600, true},
		{[]Meta{{"_EventTimezone", "UTC+05:45"}}, "Asia/Kathmandu", 5*3600 + 2700, true},
		{[]Meta{{"_EventTimezone", "UTC+5.75"}}, "Asia/Kathmandu", 5*3600 + 2700, true},
		{[]Meta{{"_EventTimezone", "UTC+1.25"}}, "UTC", 3600 + 900, true},
		{[]Meta{{"_EventTimezoneAbbr", "GMT"}}, "UTC", 0, false},
		{[]Meta{{"_EventTimezone", "Not/AZone"}}, "Europe/Paris", 3600, true},
		{nil, "Europe/Paris", 3600, true},
	} {
		it := &Item{Meta: append(c.meta, Meta{"_EventStartDate", "2026-01-15 10:00:00"})}
		zone, loc, note := eventZone(it, paris)
		_, off := time.Date(2026, 1, 15, 10, 0, 0, 0, loc).Zone()
		if zone != c.zone || off != c.offset || (note != "") != c.withNote {
			t.Errorf("%v: %q offset %d note %q; want %q %d note %v", c.meta, zone, off, note, c.zone, c.offset, c.withNote)
		}
	}
}
