package app_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app/apptest"
	"peerpress/internal/db"
	"peerpress/internal/guard"
	"peerpress/internal/mail/mailtest"
	"peerpress/internal/settings"
	"peerpress/internal/web/webtest"
)

func timeUnixUTC(s int64) time.Time { return time.Unix(s, 0).UTC() }

func settingsDefaults() settings.Site { return settings.Site{} }

const (
	openEvent     = "/en/events/webinar-naloxone-in-the-hands-of-peers"
	openRegister  = "/en/events/register/webinar-naloxone-in-the-hands-of-peers"
	demoJoinLink  = "https://meet.example.org/pvn-naloxone-peers-4821"
	demoEventSlug = "webinar-naloxone-in-the-hands-of-peers"
)

// mailTexts returns the decoded text (and attachments) of each message
// that arrived for addr.
func mailTexts(t *testing.T, smtp *mailtest.Server, addr string) []string {
	t.Helper()
	var out []string
	for _, m := range smtp.To(addr) {
		msg, err := m.Decode()
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		b.WriteString("Subject: " + msg.Subject + "\n" + msg.Text)
		for name, data := range msg.Attachments {
			b.WriteString("\n[attachment " + name + "]\n" + strings.ReplaceAll(data, "\r\n ", ""))
		}
		out = append(out, b.String())
	}
	return out
}

var pathLinkRe = regexp.MustCompile(`https?://[^/\s]+(/[a-z]{2}/registration/(?:confirm|manage)/[A-Za-z0-9_-]+)`)

// mailPath finds the path of the confirmation or manage link in a mail.
func mailPath(t *testing.T, text, kind string) string {
	t.Helper()
	for _, m := range pathLinkRe.FindAllStringSubmatch(text, -1) {
		if strings.Contains(m[1], "/"+kind+"/") {
			return m[1]
		}
	}
	t.Fatalf("no %s link in:\n%s", kind, text)
	return ""
}

// quickGuard puts in service a guard that takes a form 30 ms old and asks
// no proof of work, so that tests need not wait as a person would.
func (s *site) quickGuard() {
	s.UseGuard(guard.Options{MinDelay: 30 * time.Millisecond, Rate: 1000, Burst: 1000})
}

// guarded fetches the registration form as a browser would and returns
// form with the guard's fields, once the form is old enough.
func (c *client) guarded(form url.Values) url.Values {
	c.T.Helper()
	return c.GuardedForm(openRegister, 0, apptest.FormWait, form)
}

func registrationForm(email, name string) url.Values {
	return url.Values{"name": {name}, "email": {email}, "q0": {"Coastal Harm Reduction Trust"}, "q1": {"ru"}, "q2": {"Africa"},
		"q3": {""}, "q4": {"yes"}, "consent": {"yes"}}
}

func countRegistrations(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM registrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func privateHeader(t *testing.T, r response, what string) {
	t.Helper()
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") || !strings.Contains(cc, "private") {
		t.Fatalf("%s: Cache-Control %q, want private, no-store", what, cc)
	}
}

// A visitor registers without an account, confirms through the mailed
// link, and reaches their manage page with the join link, which no public
// page and no unconfirmed registrant ever sees. Mistakes bring the form
// back as it was, and change nothing.
func TestEventRegistrationJourney(t *testing.T) {
	runWith(t, apptest.Options{}, func(t *testing.T, s *site) {
		d, smtp := s.App.DB, s.SMTP
		s.quickGuard()
		c := s.client()
		page := c.Get(openEvent)
		page.Must(t, 200, "Nairobi:", "Bangkok:", "Bogotá:", `data-local="Your time"`, "Russian", "interpretation to be confirmed",
			"Lena Varga", "Kits in pockets", `href="`+openRegister+`"`, "/en/events/calendar/"+demoEventSlug+".ics")
		page.MustNot(t, "meet.example.org")
		c.Get(openRegister).Must(t, 200, `action="`+openRegister+`"`, "Which language will you listen in?")

		bad := []struct {
			name   string
			form   url.Values
			status int
			want   string
		}{
			{"invalid email", registrationForm("not-an-address", "Kofi"), 422, "Enter an email address"},
			{"display-name email", registrationForm("Kofi <kofi@example.org>", "Kofi"), 422, "Enter an email address"},
			{"overlong answer", func() url.Values {
				f := registrationForm("kofi@example.org", "Kofi")
				f.Set("q0", strings.Repeat("é", 1001))
				return f
			}(), 422, "at most 1,000 characters"},
			{"unknown choice", func() url.Values {
				f := registrationForm("kofi@example.org", "Kofi")
				f.Set("q2", "Atlantis")
				return f
			}(), 422, "Choose one of the options"},
			{"no consent", func() url.Values { f := registrationForm("kofi@example.org", "Kofi"); f.Del("consent"); return f }(), 422, "Tick this box"},
			{"no name", registrationForm("kofi@example.org", ""), 422, "Enter your name"},
		}
		for _, tc := range bad {
			r := c.Post(openRegister, tc.form)
			if r.Status != tc.status || !strings.Contains(r.Body, tc.want) {
				t.Fatalf("%s: status %d, body lacks %q:\n%s", tc.name, r.Status, tc.want, webtest.Snippet(r.Body))
			}
			if tc.form.Get("name") != "" && !strings.Contains(r.Body, `value="`+tc.form.Get("name")+`"`) {
				t.Fatalf("%s: the form was not kept", tc.name)
			}
			if !strings.Contains(r.Body, `aria-invalid="true"`) {
				t.Fatalf("%s: no field marked invalid", tc.name)
			}
		}
		if n := countRegistrations(t, d); n != 0 {
			t.Fatalf("refused forms stored %d registrations", n)
		}

		r := c.Post(openRegister, c.guarded(registrationForm("Kofi@Example.org", "Kofi")))
		r.Must(t, 200, "Check your mail", "kofi@example.org")
		privateHeader(t, r, "registration answer")
		s.RunJobs()
		mails := mailTexts(t, smtp, "kofi@example.org")
		if len(mails) != 1 || strings.Contains(mails[0], "meet.example.org") {
			t.Fatalf("before confirming: %d mails, or the join link among them:\n%v", len(mails), mails)
		}
		confirm := mailPath(t, mails[0], "confirm")
		// A tampered link gets a clear page and changes nothing.
		tampered := confirm[:len(confirm)-3] + "xyz"
		c.Get(tampered).Must(t, 404, "This link does not work")
		c.Post(tampered, nil).Must(t, 404, "This link does not work")
		r = c.Get(confirm)
		r.Must(t, 200, "Confirm my registration")
		privateHeader(t, r, "confirmation page")
		r = c.Post(confirm, nil)
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/en/registration/manage/") {
			t.Fatalf("confirming: %d %q", r.Status, r.Location)
		}
		manage := strings.TrimSuffix(r.Location, "?confirmed=1")
		r = c.Get(r.Location)
		r.Must(t, 200, "your address is confirmed", demoJoinLink, "Coastal Harm Reduction Trust")
		privateHeader(t, r, "manage page")
		s.RunJobs()
		mails = mailTexts(t, smtp, "kofi@example.org")
		if len(mails) != 2 || !strings.Contains(mails[1], demoJoinLink) || !strings.Contains(mails[1], "[attachment invite.ics]") || !strings.Contains(mails[1], manage) {
			t.Fatalf("the confirmation lacks the join link, the calendar file or the manage link:\n%v", mails)
		}
		c.Get(openEvent).MustNot(t, "meet.example.org")

		// An unconfirmed registrant never gets the join link.
		c.Post(openRegister, c.guarded(registrationForm("shy@example.org", "Shy"))).Must(t, 200, "Check your mail")
		s.RunJobs()
		for _, m := range mailTexts(t, smtp, "shy@example.org") {
			if strings.Contains(m, "meet.example.org") {
				t.Fatal("an unconfirmed registrant received the join link")
			}
		}

		// The manage page changes answers, refuses an overlong one, cancels.
		f := url.Values{"name": {"Kofi A."}, "q0": {strings.Repeat("x", 1001)}}
		c.Post(manage, f).Must(t, 422, "at most 1,000 characters", `value="Kofi A."`)
		f.Set("q0", "Lakeside Users' Union")
		r = c.Post(manage, f)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("saving answers: %d", r.Status)
		}
		c.Get(r.Location).Must(t, 200, "Lakeside Users&#39; Union", "Your changes are saved")

		// The admin sees registrants, exports them, messages the confirmed
		// ones and marks attendance.
		admin := s.client()
		admin.SignIn(s.Login.Email, s.Login.Password)
		var id int64
		d.QueryRowContext(context.Background(), `SELECT entry_id FROM translations WHERE slug = ?`, demoEventSlug).Scan(&id)
		base := "/admin/entries/" + strconv.FormatInt(id, 10)
		admin.Get("/admin/entries/"+strconv.FormatInt(id, 10)).Must(t, 200, base+"/event", base+"/registrants")
		list := admin.Get(base + "/registrants")
		list.Must(t, 200, "kofi@example.org", "Kofi A.", "shy@example.org", "1 confirmed")
		// Answers read as words: a ticked box, an interpretation language.
		list.Must(t, 200, "<td>Yes</td>", "<td>Russian</td>")
		list.MustNot(t, "<td>yes</td>", "<td>ru</td>")
		privateHeader(t, list, "registrants page")
		csv := admin.Get(base + "/registrants.csv")
		csv.Must(t, 200, "kofi@example.org", "Lakeside Users' Union", "Your region")
		csrf := admin.CSRF("/admin/entries")
		admin.Post(base+"/registrants/message", url.Values{"csrf": {csrf}, "subject": {""}, "text": {"Kept text"}}).Must(t, 422, "Kept text")
		if r := admin.Post(base+"/registrants/message", url.Values{"csrf": {csrf}, "subject": {"Slides are ready"}, "text": {"See you on Thursday."}}); r.Status != http.StatusSeeOther {
			t.Fatalf("message: %d %s", r.Status, webtest.Snippet(r.Body))
		}
		s.RunJobs()
		mails = mailTexts(t, smtp, "kofi@example.org")
		if last := mails[len(mails)-1]; !strings.Contains(last, "Slides are ready") || !strings.Contains(last, demoJoinLink) {
			t.Fatalf("the organisers' message:\n%s", last)
		}
		for _, m := range mailTexts(t, smtp, "shy@example.org") {
			if strings.Contains(m, "Slides are ready") {
				t.Fatal("an unconfirmed registrant received the organisers' message")
			}
		}
		var rid int64
		for _, m := range regexp.MustCompile(`id="r(\d+)"`).FindAllStringSubmatch(list.Body, -1) {
			rid, _ = strconv.ParseInt(m[1], 10, 64)
		}
		if r := admin.Post(base+"/registrants/"+strconv.FormatInt(rid, 10)+"/attendance", url.Values{"csrf": {csrf}, "attended": {"1"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("attendance: %d", r.Status)
		}
		admin.Get(base+"/registrants").Must(t, 200, "1 attended")

		// Cancelling asks to confirm first, then says it is done, and no
		// longer offers the calendar.
		c.Post(manage+"/cancel", nil).Must(t, http.StatusUnprocessableEntity, "Tick the box to confirm")
		c.Get(manage).Must(t, 200, "confirmed: you have a place")
		r = c.Post(manage+"/cancel", url.Values{"confirm": {"yes"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("cancel: %d", r.Status)
		}
		r = c.Get(r.Location)
		r.Must(t, 200, "cancelled", "Your registration is cancelled. Nothing more will be sent")
		// A cancelled registrant cannot be marked as having come.
		var cancelled int64
		d.QueryRowContext(context.Background(), `SELECT id FROM registrations WHERE status = 'cancelled'`).Scan(&cancelled)
		admin.Post(base+"/registrants/"+strconv.FormatInt(cancelled, 10)+"/attendance", url.Values{"csrf": {csrf}, "attended": {"1"}}).Must(t, http.StatusBadRequest)
		r.MustNot(t, demoJoinLink, "Add to my calendar", `.ics"`)
	})
}

// Listings, the month view and the calendar files; the calendar files
// are valid RFC 5545 with one UID per event, and never carry the join
// link.
func TestEventListingsAndCalendars(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		d := s.App.DB
		c := s.client()
		c.Get("/en/events/upcoming").Must(t, 200, "Webinar: naloxone in the hands of peers", "/en/events/calendar.ics")
		up := c.Get("/en/events/upcoming")
		up.MustNot(t, "who pays for harm reduction when donors leave")
		c.Get("/en/events/past").Must(t, 200, "who pays for harm reduction when donors leave")
		for _, bad := range []string{"/en/events/past/page/1", "/en/events/past/page/2", "/en/events/past/page/02", "/en/events/past/page/x"} {
			if r := c.Get(bad); r.Status != 404 {
				t.Errorf("%s: %d", bad, r.Status)
			}
		}
		c.Get("/ru/events/upcoming").Must(t, 200, `lang="ru"`)
		var starts int64
		var zone string
		d.QueryRowContext(context.Background(), `SELECT ev.starts_at, ev.time_zone FROM events ev JOIN translations t ON t.entry_id = ev.entry_id WHERE t.slug = ?`, demoEventSlug).Scan(&starts, &zone)
		month := timeUnixUTC(starts).Format("2006-01")
		c.Get("/en/events/month/"+month).Must(t, 200, "Webinar: naloxone in the hands of peers", "<table", "Events in "+timeUnixUTC(starts).Format("January 2006"))
		// A month standing alone takes its own form: "март", not the "марта" of a date.
		c.Get("/ru/events/month/2027-03").Must(t, 200, "<h1>События: март 2027</h1>")
		c.Get("/hi/events/month/2027-03").Must(t, 200, "मार्च २०२७")
		for _, bad := range []string{"2026-13", "2026-1", "abcd-ef", "0000-01", "2026-01-01"} {
			if r := c.Get("/en/events/month/" + bad); r.Status != 404 {
				t.Errorf("month %s: %d", bad, r.Status)
			}
		}
		past := c.Get("/en/events/webinar-who-pays-for-harm-reduction")
		past.Must(t, 200, "https://video.example.org/pvn/who-pays-for-harm-reduction", "This event has taken place")
		c.Get(openEvent).MustNot(t, "video.example.org")

		one := c.Get("/en/events/calendar/" + demoEventSlug + ".ics")
		feed := c.Get("/en/events/calendar.ics")
		for name, r := range map[string]response{"event": one, "feed": feed} {
			if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/calendar") {
				t.Fatalf("%s calendar: %d %q", name, r.Status, r.Header.Get("Content-Type"))
			}
			if strings.Contains(r.Body, "meet.example.org") {
				t.Fatalf("the %s calendar carries a join link", name)
			}
			for _, line := range strings.Split(strings.TrimSuffix(r.Body, "\r\n"), "\r\n") {
				if len(line) > 75 || strings.Contains(line, "\n") {
					t.Fatalf("%s calendar line %q", name, line)
				}
			}
		}
		uid := regexp.MustCompile(`UID:(\S+)`).FindStringSubmatch(one.Body)
		start := "DTSTART:" + timeUnixUTC(starts).Format("20060102T150405Z")
		if uid == nil || !strings.Contains(one.Body, start) || !strings.Contains(feed.Body, "UID:"+uid[1]) || !strings.Contains(feed.Body, start) {
			t.Fatalf("UID %v or %s not in both calendars:\n%s", uid, start, one.Body)
		}
		if strings.Contains(feed.Body, "who-pays-for-harm-reduction") {
			t.Fatal("the feed of upcoming events lists a past one")
		}
		// The JSON API lists interpretation and speakers, never the join link.
		api := c.Get("/api/v1/events?lang=en&limit=50")
		api.Must(t, 200, `"speakers":[{"name":"Lena Varga","role":"Outreach coordinator","organisation":"Northern Lights Peer Network"}`, `{"lang":"es","confirmed":false}`)
		api.MustNot(t, "meet.example.org")

		c.Get("/en/events/calendar/no-such-event.ics").Must(t, 404)
		c.Get("/en/events/calendar/"+demoEventSlug).Must(t, 404)
	})
}

// The admin edits an event's details; mistakes come back with the form
// as typed; reference zones are site settings.
func TestEventDetailsAndZones(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		d := s.App.DB
		admin := s.client()
		csrf := admin.SignIn(s.Login.Email, s.Login.Password)
		var id int64
		d.QueryRowContext(context.Background(), `SELECT entry_id FROM translations WHERE slug = 'webinar-drug-checking-latin-america'`).Scan(&id)
		base := "/admin/entries/" + strconv.FormatInt(id, 10) + "/event"
		// The programme is written with the event, in the entry editor.
		admin.Get(base).Must(t, 200, `href="/admin/entries/`+strconv.FormatInt(id, 10)+`#event_lang"`)
		admin.Get("/admin/entries/"+strconv.FormatInt(id, 10)).Must(t, 200, `value="Valentina Ríos Cárdenas"`,
			`value="Chemist, coordinator of a peer-run testing point"`, `<option value="tbc" selected>`)
		form := url.Values{"csrf": {csrf}, "join_url": {"javascript:alert(1)"}, "languages": {"es | confirmed\npt | maybe"},
			"speakers": {"Valentina Ríos | Chemist"}, "agenda": {"11:00 | Opening\n+30 | Results"}, "capacity": {"-3"},
			"reminders": {"1440, 60"}, "open": {"1"}}
		r := admin.Post(base, form)
		r.Must(t, 422, "Enter a web address", "confirmed or tbc", "Enter a number of places")
		page := s.client().Get("/en/events/webinar-drug-checking-latin-america")
		page.MustNot(t, `href="/en/events/register/`)
		form = url.Values{"csrf": {csrf}, "join_url": {"https://meet.example.org/room-9"}, "languages": {"es | confirmed\npt | tbc"},
			"speakers": {"Valentina Ríos | Chemist\nJorge Almeida"}, "agenda": {"11:00 | Opening\n+30 | Results"}, "capacity": {"2"},
			"reminders": {"60, 1440"}, "open": {"1"},
			"consent": {"I agree to be contacted about this event."}}
		if r := admin.Post(base, form); r.Status != http.StatusSeeOther {
			t.Fatalf("saving details: %d %s", r.Status, webtest.Snippet(r.Body))
		}
		page = s.client().Get("/en/events/webinar-drug-checking-latin-america")
		page.Must(t, 200, `href="/en/events/register/webinar-drug-checking-latin-america"`, "11:00", "Opening")
		s.client().Get("/en/events/register/webinar-drug-checking-latin-america").Must(t, 200,
			`action="/en/events/register/webinar-drug-checking-latin-america"`, "I agree to be contacted")
		page.MustNot(t, "room-9")

		// The registration questions are written with the event, in the
		// entry editor's rows (events' own tests); the details page links
		// there, and a question posted in the old pipe syntax changes
		// nothing.
		admin.Get(base).Must(t, 200, `href="/admin/entries/`+strconv.FormatInt(id, 10)+`#event_question"`)
		admin.Get(base).MustNot(t, `name="questions"`)
		before, _ := s.App.Events.Details(context.Background(), id)
		form.Set("questions", "choice | Country | Colombia; Peru")
		if r := admin.Post(base, form); r.Status != http.StatusSeeOther {
			t.Fatalf("saving details: %d %s", r.Status, webtest.Snippet(r.Body))
		}
		if after, _ := s.App.Events.Details(context.Background(), id); !reflect.DeepEqual(after.Questions, before.Questions) {
			t.Fatalf("questions changed by the details page: %+v", after.Questions)
		}

		// Reference zones.
		set := url.Values{"csrf": {csrf}, "lang": {"en", "ru", "fr", "es", "hi", "ar"}, "default": {"en"}, "event_zone": {"Pacific/Auckland", "", ""}, "event_retention_days": {"14"}}
		if r := admin.Post("/admin/settings", set); r.Status != http.StatusSeeOther {
			t.Fatalf("settings: %d %s", r.Status, webtest.Snippet(r.Body))
		}
		page = s.client().Get(openEvent)
		page.Must(t, 200, "Auckland:")
		page.MustNot(t, "Bangkok:")
		set.Set("event_zone", "Mars/Olympus_Mons")
		admin.Post("/admin/settings", set).Must(t, 422, "IANA", "Mars/Olympus_Mons")
		set.Set("event_zone", "Asia/Bangkok")
		set.Set("event_retention_days", "0")
		admin.Post("/admin/settings", set).Must(t, 422, "from 1 to 3650")
		if site, _ := s.App.Settings.Load(context.Background(), settingsDefaults()); site.EventRetentionDays != 14 || len(site.EventZones) != 1 {
			t.Fatalf("refused settings were stored: %+v", site)
		}
	})
}
