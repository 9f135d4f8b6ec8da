package events_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// count counts the rows of a table of the test site.
func (s *site) count(table string) int {
	s.T.Helper()
	var n int
	if err := s.App.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		s.T.Fatal(err)
	}
	return n
}

var savedRe = regexp.MustCompile(`^/admin/entries/(\d+)\?saved=1$`)

// An event's time and place are the events package's fields in the
// entry's editor: a bad zone brings the form back as typed, with the
// reason, and saves neither the entry nor the event; once right, the
// entry, its page, the listings and the editor show the time.
func TestEventFieldsInEditor(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c, csrf := s.Admin()
		form := url.Values{"csrf": {csrf}, "action": {"save"}, "kind": {"event"}, "lang": {"en"}, "status": {"published"}, "section_id": {"0"},
			"title": {"Night market outreach"}, "summary": {"Kits and coffee by the stalls"}, "body": {"Bring a torch."},
			"event_start": {"2031-05-01T14:00"}, "event_zone": {"Mars/Olympus_Mons"}, "event_duration": {"90"},
			"event_mode": {"hybrid"}, "event_venue": {"Harbour hall"}}
		entries, events := s.count("entries"), s.count("events")

		r := c.Post("/admin/entries", form)
		r.Must(t, http.StatusUnprocessableEntity, "No time zone goes by that name.", `<a href="#event_zone">Time zone:`,
			`value="Night market outreach"`, "Kits and coffee by the stalls", "Bring a torch.",
			`value="2031-05-01T14:00"`, `value="Mars/Olympus_Mons"`, `value="90"`, `<option value="hybrid" selected>`, `value="Harbour hall"`)
		if e, v := s.count("entries"), s.count("events"); e != entries || v != events {
			t.Fatalf("after a refused save: %d entries, %d events; want %d and %d", e, v, entries, events)
		}

		form.Set("event_zone", "Africa/Nairobi")
		r = c.Post("/admin/entries", form)
		m := savedRe.FindStringSubmatch(r.Location)
		if r.Status != http.StatusSeeOther || m == nil {
			t.Fatalf("save: %d %q\n%s", r.Status, r.Location, r.Body)
		}
		if v := s.count("events"); v != events+1 {
			t.Fatalf("%d events after the save, want %d", v, events+1)
		}
		// 14:00 in Nairobi is 11:00 UTC.
		reader := s.client()
		reader.Get("/en/events/night-market-outreach").Must(t, http.StatusOK, `datetime="2031-05-01T11:00:00Z"`, "(Nairobi · East Africa Time)", "Harbour hall")
		reader.Get("/en/events").Must(t, http.StatusOK, "Night market outreach", `<p class="meta">Starts: <time datetime="2031-05-01T11:00:00Z">`)
		c.Get("/admin/entries/"+m[1]).Must(t, http.StatusOK, `value="2031-05-01T14:00"`, `id="event_zone" name="event_zone" value="Nairobi · Kenya"`, `value="Harbour hall"`)

		// An article has no event fields; the event's row goes when it
		// stops being one, and with the entry.
		form.Set("kind", "article")
		c.Post("/admin/entries/"+m[1], form).Must(t, http.StatusSeeOther)
		if v := s.count("events"); v != events {
			t.Fatalf("%d events after the event became an article, want %d", v, events)
		}
		// Its page has the event's fields only for the script that shows
		// them when the kind changes back.
		c.Get("/admin/entries/"+m[1]).Must(t, http.StatusOK, `<fieldset class="ext" data-kinds="event" hidden>`)
		form.Set("kind", "event")
		c.Post("/admin/entries/"+m[1], form).Must(t, http.StatusSeeOther)
		c.Post("/admin/entries/"+m[1]+"/delete", url.Values{"csrf": {csrf}}).Must(t, http.StatusSeeOther)
		if v := s.count("events"); v != events {
			t.Fatalf("%d events after the entry was deleted, want %d", v, events)
		}
	})
}

// An event written through the API is saved by the same fields, and its
// page shows its time.
func TestEventFieldsThroughAPI(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		admin, err := s.App.Users.UserByEmail(ctx, s.Login.Email)
		if err != nil {
			t.Fatal(err)
		}
		_, token, err := s.App.Users.CreateAPIToken(ctx, admin.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		c := s.client()
		call := func(body string) (int, string) {
			req, _ := http.NewRequest(http.MethodPost, s.Server.URL+"/api/v1/entries", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			r := c.Do(req)
			return r.Status, r.Body
		}
		events := s.count("events")
		if status, body := call(`{"kind": "event", "title": "Bad zone", "status": "published",
			"event": {"starts_at": "2031-06-01T09:30:00-05:00", "time_zone": "Mars/Olympus_Mons", "mode": "online"}}`); status != http.StatusUnprocessableEntity ||
			!strings.Contains(body, `"event.time_zone":{"code":"event.zone_invalid"`) {
			t.Fatalf("bad zone: %d %s", status, body)
		}
		status, body := call(`{"kind": "event", "title": "Drug checking clinic", "status": "published",
			"event": {"starts_at": "2031-06-01T09:30:00-05:00", "time_zone": "America/Bogota", "mode": "in-person", "venue": "Casa de la juventud", "duration_minutes": 120}}`)
		if status != http.StatusCreated || !strings.Contains(body, `"starts_at":"2031-06-01T09:30:00-05:00"`) {
			t.Fatalf("create: %d %s", status, body)
		}
		if v := s.count("events"); v != events+1 {
			t.Fatalf("%d events, want %d", v, events+1)
		}
		s.client().Get("/en/events/drug-checking-clinic").Must(t, http.StatusOK, `datetime="2031-06-01T14:30:00Z"`, "(Bogotá · Colombia Time)", "Casa de la juventud")
		r := s.client().Get("/api/v1/events?from=2031-05-31T00:00:00Z")
		r.Must(t, http.StatusOK, `"title":"Drug checking clinic"`, `"ends_at":"2031-06-01T11:30:00-05:00"`)
	})
}

// The main Events link leads to the upcoming events and stays current on
// every events page; past events are marked as such in listings; an
// editor who sets an event in the past, or leaves registration open for
// one that has begun, is warned, and the save still goes through.
func TestEventsPutTheUpcomingFirst(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		reader := s.client()
		nav := regexp.MustCompile(`<a href="/en/events/upcoming"( aria-current="page")?>Events</a>`)
		for path, current := range map[string]bool{"/en/": false, "/en/events/upcoming": true, "/en/events/past": true, "/en/events": true} {
			m := nav.FindStringSubmatch(reader.Get(path).Body)
			if m == nil {
				t.Fatalf("%s: the main navigation does not lead to the upcoming events", path)
			}
			if (m[1] != "") != current {
				t.Errorf("%s: the Events link current = %v, want %v", path, m[1] != "", current)
			}
		}

		c, csrf := s.Admin()
		form := url.Values{"csrf": {csrf}, "action": {"save"}, "kind": {"event"}, "lang": {"en"}, "status": {"published"}, "section_id": {"0"},
			"title": {"Looking back at the spring assembly"}, "summary": {"What we decided"}, "body": {"Minutes follow."},
			"event_start": {"2020-04-02T10:00"}, "event_zone": {"Europe/Lisbon"}, "event_duration": {"120"},
			"event_mode": {"in-person"}, "event_venue": {"Lisbon"}}
		r := c.Post("/admin/entries", form)
		m := savedRe.FindStringSubmatch(r.Location)
		if r.Status != http.StatusSeeOther || m == nil {
			t.Fatalf("saving a past event: %d %q\n%s", r.Status, r.Location, r.Body)
		}
		c.Get(r.Location).Must(t, http.StatusOK, "This event starts in the past")
		reader.Get("/en/events").Must(t, http.StatusOK, "Looking back at the spring assembly",
			`<p class="meta past">Took place: <time datetime="2020-04-02T09:00:00Z">`)
		reader.Get("/en/events/upcoming").MustNot(t, "Looking back at the spring assembly")
		reader.Get("/en/events/past").Must(t, http.StatusOK, "Looking back at the spring assembly")

		// A future event: no warning, and it is not marked past.
		form.Set("event_start", "2031-04-02T10:00")
		c.Post("/admin/entries/"+m[1], form).Must(t, http.StatusSeeOther)
		c.Get("/admin/entries/"+m[1]).MustNot(t, "This event starts in the past")
		reader.Get("/en/events").MustNot(t, `<p class="meta past">Took place: <time datetime="2031`)

		// The demo's webinar, open for registration, moved into the past.
		admin := "/admin/entries/" + strconv.FormatInt(s.entryID, 10) + "/event"
		c.Get(admin).MustNot(t, "Registration is open, but this event has already begun")
		if _, err := s.App.DB.ExecContext(context.Background(), `UPDATE events SET starts_at = ? WHERE entry_id = ?`,
			s.starts.AddDate(-2, 0, 0).Unix(), s.entryID); err != nil {
			t.Fatal(err)
		}
		c.Get(admin).Must(t, http.StatusOK, "Registration is open, but this event has already begun")
	})
}
