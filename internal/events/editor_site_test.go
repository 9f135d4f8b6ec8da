package events_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/events"
)

// A new entry starts with its kind; an event's form then has its time,
// place and programme from the start, before any save.
func TestNewEntryByKind(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c, _ := s.Admin()
		c.Get("/admin/entries/new").Must(t, http.StatusOK, `href="/admin/entries/new?kind=event"`, `href="/admin/entries/new?kind=article"`,
			"Event details")
		r := c.Get("/admin/entries/new?kind=event")
		r.Must(t, http.StatusOK, `<fieldset class="ext" data-kinds="event">`, `id="event_start"`, `id="event_zone"`,
			`<option value="Europe/London" label="London · United Kingdom">`, `id="event_speaker_name-1"`, `id="event_agenda_title-1"`,
			`id="event_lang_code-1"`, `<option value="event" selected>`)
		r.MustNot(t, `data-kinds="event" hidden`)
		c.Get("/admin/entries/new?kind=article").Must(t, http.StatusOK, `<fieldset class="ext" data-kinds="event" hidden>`, `<option value="article" selected>`)
		c.Get("/admin/entries/new?kind=rocket").Must(t, http.StatusNotFound, "There is no such kind of entry.", `href="/admin/entries/new?kind=event"`)
	})
}

// eventForm is a new event as the editor posts it: a city for its zone,
// and its programme in rows.
func eventForm(csrf string) url.Values {
	return url.Values{"csrf": {csrf}, "action": {"save"}, "kind": {"event"}, "lang": {"en"}, "status": {"published"}, "section_id": {"0"},
		"title": {"Peer navigators meet in London"}, "body": {"An afternoon of exchange."},
		"event_start": {"2031-06-10T15:00"}, "event_zone": {"London"}, "event_duration": {"120"}, "event_mode": {"in-person"},
		"event_venue": {"Community hall"}, "coauthor_role": {"published_with"},
		// Three speakers typed in one order, the positions put them in
		// another, the third is removed and the empty rows are left out.
		"event_speaker_name":   {"Amina Yusuf", "Ravi Menon", "Dropped Person", "", ""},
		"event_speaker_role":   {"Navigator", "", "Nobody", "", ""},
		"event_speaker_org":    {"Harbour Alliance", "Peer Network", "", "", ""},
		"event_speaker_pos":    {"2", "1", "3", "4", "5"},
		"event_speaker_remove": {"2"},
		"event_agenda_time":    {"15:00", "+45", ""},
		"event_agenda_title":   {"Welcome", "Questions", ""},
		"event_lang_code":      {"Spanish", "hi", ""},
		"event_lang_status":    {"confirmed", "tbc", "confirmed"},
	}
}

// An event is created in one pass: time in a zone named by its city,
// speakers reordered and one removed, agenda and interpretation, all
// saved with the entry and shown on its page.
func TestEventInOnePass(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c, csrf := s.Admin()
		r := c.Post("/admin/entries", eventForm(csrf))
		m := savedRe.FindStringSubmatch(r.Location)
		if r.Status != http.StatusSeeOther || m == nil {
			t.Fatalf("save: %d %q\n%s", r.Status, r.Location, r.Body)
		}
		ctx := context.Background()
		e, err := s.App.Content.BySlug(ctx, "en", "peer-navigators-meet-in-london")
		if err != nil {
			t.Fatal(err)
		}
		info, _ := events.InfoOf(e)
		if info.TimeZone != "Europe/London" || info.StartsAt.UTC().Hour() != 14 {
			t.Fatalf("zone %q, start %v; want Europe/London, 14:00 UTC (BST)", info.TimeZone, info.StartsAt.UTC())
		}
		d, err := s.App.Events.Details(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantSpeakers := []events.Speaker{{Name: "Ravi Menon", Organisation: "Peer Network"}, {Name: "Amina Yusuf", Role: "Navigator", Organisation: "Harbour Alliance"}}
		wantAgenda := []events.AgendaItem{{Clock: "15:00", Title: "Welcome"}, {Offset: 45, Title: "Questions"}}
		wantLangs := []events.Interpretation{{Lang: "es", Status: events.Confirmed}, {Lang: "hi", Status: events.ToConfirm}}
		if !reflect.DeepEqual(d.Speakers, wantSpeakers) || !reflect.DeepEqual(d.Agenda, wantAgenda) || !reflect.DeepEqual(d.Languages, wantLangs) {
			t.Fatalf("saved\n%+v\n%+v\n%+v", d.Speakers, d.Agenda, d.Languages)
		}
		page := s.client().Get("/en/events/peer-navigators-meet-in-london")
		page.Must(t, http.StatusOK, "Ravi Menon", "Amina Yusuf", "Welcome", "Questions", "(London · Greenwich Mean Time)")
		if strings.Index(page.Body, "Ravi Menon") > strings.Index(page.Body, "Amina Yusuf") {
			t.Fatal("speakers not in the order given")
		}
		page.MustNot(t, "Dropped Person")

		// The editor shows the rows as saved; moving the second up and
		// clearing the agenda's first row saves that.
		edit := c.Get("/admin/entries/" + m[1])
		edit.Must(t, http.StatusOK, `id="event_speaker_name-1" name="event_speaker_name" value="Ravi Menon"`, `value="&#43;45"`,
			`id="event_zone" name="event_zone" value="London · United Kingdom"`) // the zone as the editor knows it; read back on save
		f := eventForm(csrf)
		f.Set("title", "Peer navigators meet in London")
		f["event_speaker_name"] = []string{"Ravi Menon", "Amina Yusuf"}
		f["event_speaker_role"] = []string{"", "Navigator"}
		f["event_speaker_org"] = []string{"Peer Network", "Harbour Alliance"}
		f["event_speaker_pos"] = []string{"2", "1"}
		f.Del("event_speaker_remove")
		f["event_agenda_time"] = []string{"", "+45"}
		f["event_agenda_title"] = []string{"", "Questions"}
		c.Post("/admin/entries/"+m[1], f).Must(t, http.StatusSeeOther)
		d, _ = s.App.Events.Details(ctx, e.ID)
		if len(d.Speakers) != 2 || d.Speakers[0].Name != "Amina Yusuf" || len(d.Agenda) != 1 || d.Agenda[0].Title != "Questions" {
			t.Fatalf("after reordering: %+v %+v", d.Speakers, d.Agenda)
		}
	})
}

// "More rows" brings the form back with everything typed and more empty
// rows, and saves nothing.
func TestMoreRowsKeepsWhatWasTyped(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c, csrf := s.Admin()
		entries := s.count("entries")
		f := eventForm(csrf)
		f.Set("action", "more_rows")
		r := c.Post("/admin/entries", f)
		r.Must(t, http.StatusOK, `value="Peer navigators meet in London"`, `id="event_speaker_name-1" name="event_speaker_name" value="Ravi Menon"`,
			`id="event_speaker_name-2" name="event_speaker_name" value="Amina Yusuf"`, `value="London"`, `name="rows" value="3"`)
		r.MustNot(t, "Dropped Person", `role="alert"`)
		// Two typed, two spare, three more.
		if n := strings.Count(r.Body, `name="event_speaker_name"`); n != 7 {
			t.Fatalf("%d speaker rows, want 7", n)
		}
		f.Set("rows", "3")
		if n := strings.Count(c.Post("/admin/entries", f).Body, `name="event_speaker_name"`); n != 10 {
			t.Fatalf("%d speaker rows after a second press, want 10", n)
		}
		if n := s.count("entries"); n != entries {
			t.Fatalf("%d entries after More rows, want %d", n, entries)
		}
	})
}

// Bad input (an unknown zone, an agenda row with a time and no title, a
// speaker with no name, an unknown country) comes back with 422, a
// summary linked to each field, everything as typed, and nothing saved.
func TestEventFormRefusals(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c, csrf := s.Admin()
		counts := func() [3]int { return [3]int{s.count("entries"), s.count("event_details"), s.count("organisations")} }
		before := counts()
		f := eventForm(csrf)
		f.Set("event_zone", "Atlantis")
		f["event_agenda_time"] = []string{"15:00", "16:00"}
		f["event_agenda_title"] = []string{"Welcome", ""}
		f["event_speaker_name"] = []string{"", "Ravi Menon"}
		f["event_speaker_role"] = []string{"Navigator", ""}
		f["event_speaker_org"] = []string{"", ""}
		f["event_speaker_pos"] = []string{"1", "2"}
		f.Del("event_speaker_remove")
		f["new_org_name"] = []string{"Lagoon Collective", ""}
		f["new_org_country"] = []string{"XX", ""}
		r := c.Post("/admin/entries", f)
		r.Must(t, http.StatusUnprocessableEntity, `role="alert"`,
			`<a href="#event_zone">Time zone: No time zone goes by that name.`,
			`<a href="#event_agenda_title-2">Item, row 2: Give this agenda item a title`,
			`<a href="#event_speaker_name-1">Name, row 1: Give the speaker`,
			`<a href="#new_org_country-1">Country, row 1: Choose a country from the list.`,
			`value="Atlantis"`, `value="16:00"`, `value="Lagoon Collective"`, `aria-invalid="true" aria-describedby="event_agenda_title-2-error"`)
		r.MustNot(t, `class="flash"`)
		if after := counts(); after != before {
			t.Fatalf("counts %v after a refused save, want %v", after, before)
		}
	})
}

// Zones are named in the reader's language (CLDR's cities and metazones),
// and the editor's zone picker takes a city as another language names it.
func TestZonesNamedInReadersLanguage(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		s.client().Get("/ru/events/vebinar-nalokson-v-rukah-ravnyh").Must(t, http.StatusOK, "Найроби:", "Бангкок:", "Богота:")
		s.client().Get("/hi/events/vebinar-saathiyon-ke-haathon-mein-nalokson").Must(t, http.StatusOK, "नैरोबी:", "बैंकॉक:")

		c, csrf := s.Admin()
		c.Get("/admin/entries/new?kind=event").Must(t, http.StatusOK, `<option value="Europe/Moscow" label="Moscow · Russia">`)
		f := eventForm(csrf)
		f.Set("event_zone", "Москва")
		f.Set("title", "Peer navigators meet in Moscow")
		if r := c.Post("/admin/entries", f); r.Status != http.StatusSeeOther {
			t.Fatalf("save with a zone named in Russian: %d\n%s", r.Status, r.Body)
		}
		e, err := s.App.Content.BySlug(context.Background(), "en", "peer-navigators-meet-in-moscow")
		if err != nil {
			t.Fatal(err)
		}
		if info, _ := events.InfoOf(e); info.TimeZone != "Europe/Moscow" {
			t.Fatalf("zone %q, want Europe/Moscow", info.TimeZone)
		}
		s.client().Get("/en/events/peer-navigators-meet-in-moscow").Must(t, http.StatusOK, "(Moscow · Moscow Time)")
	})
}

// The editor says in which zone a publication time is typed, by its name
// in the staff's language, not its identifier.
func TestPublishTimesNameTheSiteZone(t *testing.T) {
	apptest.Run(t, apptest.Options{Config: func(c *app.Config) { c.TimeZone = "Europe/Moscow" }}, func(t *testing.T, s *apptest.Site) {
		c, _ := s.Admin()
		c.Get("/admin/entries/new?kind=article").Must(t, http.StatusOK, "In the site&#39;s time zone: Moscow · Moscow Time.")
		e, err := s.App.Content.BySlug(context.Background(), "en", slug)
		if err != nil {
			t.Fatal(err)
		}
		c.Get("/admin/entries/"+strconv.FormatInt(e.ID, 10)+"/translations/ar").Must(t, http.StatusOK, "Moscow · Moscow Time")
	})
}
