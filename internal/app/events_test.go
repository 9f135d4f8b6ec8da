package app_test

import (
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/mail"
	"peerpress/internal/mail/mailtest"
	"peerpress/internal/settings"
)

func timeUnixUTC(s int64) time.Time { return time.Unix(s, 0).UTC() }

func settingsDefaults() settings.Site { return settings.Site{} }

const (
	openEvent     = "/en/events/webinar-naloxone-in-the-hands-of-peers"
	openRegister  = "/en/events/register/webinar-naloxone-in-the-hands-of-peers"
	demoJoinLink  = "https://meet.example.org/pvn-naloxone-peers-4821"
	demoEventSlug = "webinar-naloxone-in-the-hands-of-peers"
)

// newMailSite is the demo site sending mail to a real SMTP server.
func newMailSite(t *testing.T, d *db.DB) (*site, *mailtest.Server) {
	t.Helper()
	smtp := mailtest.Start(t)
	s := newSiteWith(t, d, func(c *app.Config) { c.Mail = mail.Config{URL: smtp.URL(), From: "network@example.org"} })
	return s, smtp
}

// deliver runs the job queue until nothing is due.
func (s *site) deliver() {
	s.t.Helper()
	for {
		ran, err := s.app.Jobs.RunOnce(context.Background())
		if err != nil {
			s.t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}

// mailTexts returns the decoded text (and attachments) of each message
// that arrived for addr.
func mailTexts(t *testing.T, smtp *mailtest.Server, addr string) []string {
	t.Helper()
	var out []string
	for _, m := range smtp.To(addr) {
		msg, err := netmail.ReadMessage(strings.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		var b strings.Builder
		b.WriteString("Subject: " + subject + "\n")
		var walk func(h map[string][]string, body io.Reader)
		walk = func(h map[string][]string, body io.Reader) {
			first := func(k string) string {
				if v := h[k]; len(v) > 0 {
					return v[0]
				}
				return ""
			}
			mt, params, _ := mime.ParseMediaType(first("Content-Type"))
			if strings.HasPrefix(mt, "multipart/") {
				mr := multipart.NewReader(body, params["boundary"])
				for {
					p, err := mr.NextRawPart()
					if err != nil {
						return
					}
					walk(p.Header, p)
				}
			}
			switch strings.ToLower(first("Content-Transfer-Encoding")) {
			case "quoted-printable":
				body = quotedprintable.NewReader(body)
			case "base64":
				raw, _ := io.ReadAll(body)
				dec, _ := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(raw)))
				body = strings.NewReader(string(dec))
			}
			data, _ := io.ReadAll(body)
			_, dp, _ := mime.ParseMediaType(first("Content-Disposition"))
			if dp["filename"] != "" {
				b.WriteString("\n[attachment " + dp["filename"] + "]\n" + strings.ReplaceAll(string(data), "\r\n ", ""))
				return
			}
			b.Write(data)
		}
		walk(msg.Header, msg.Body)
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
	if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "no-store") || !strings.Contains(cc, "private") {
		t.Fatalf("%s: Cache-Control %q, want private, no-store", what, cc)
	}
}

// A visitor registers without an account, confirms through the mailed
// link, and reaches their manage page with the join link, which no public
// page and no unconfirmed registrant ever sees. Mistakes bring the form
// back as it was, and change nothing.
func TestEventRegistrationJourney(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s, smtp := newMailSite(t, d)
		c := s.client()
		page := c.get(openEvent)
		page.must(t, 200, "Nairobi:", "Bangkok:", "Bogota:", `data-local="Your time"`, "Russian", "interpretation to be confirmed",
			"Lena Varga", "Kits in pockets", `action="`+openRegister+`"`, "Which language will you listen in?", "/en/events/calendar/"+demoEventSlug+".ics")
		page.mustNot(t, "meet.example.org")

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
			r := c.post(openRegister, tc.form)
			if r.status != tc.status || !strings.Contains(r.body, tc.want) {
				t.Fatalf("%s: status %d, body lacks %q:\n%s", tc.name, r.status, tc.want, snippet(r.body))
			}
			if tc.form.Get("name") != "" && !strings.Contains(r.body, `value="`+tc.form.Get("name")+`"`) {
				t.Fatalf("%s: the form was not kept", tc.name)
			}
			if !strings.Contains(r.body, `aria-invalid="true"`) {
				t.Fatalf("%s: no field marked invalid", tc.name)
			}
		}
		if n := countRegistrations(t, d); n != 0 {
			t.Fatalf("refused forms stored %d registrations", n)
		}

		r := c.post(openRegister, registrationForm("Kofi@Example.org", "Kofi"))
		r.must(t, 200, "Check your mail", "kofi@example.org")
		privateHeader(t, r, "registration answer")
		s.deliver()
		mails := mailTexts(t, smtp, "kofi@example.org")
		if len(mails) != 1 || strings.Contains(mails[0], "meet.example.org") {
			t.Fatalf("before confirming: %d mails, or the join link among them:\n%v", len(mails), mails)
		}
		confirm := mailPath(t, mails[0], "confirm")
		// A tampered link gets a clear page and changes nothing.
		tampered := confirm[:len(confirm)-3] + "xyz"
		c.get(tampered).must(t, 404, "This link does not work")
		c.post(tampered, nil).must(t, 404, "This link does not work")
		r = c.get(confirm)
		r.must(t, 200, "Confirm my registration")
		privateHeader(t, r, "confirmation page")
		r = c.post(confirm, nil)
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/en/registration/manage/") {
			t.Fatalf("confirming: %d %q", r.status, r.location)
		}
		manage := strings.TrimSuffix(r.location, "?confirmed=1")
		r = c.get(r.location)
		r.must(t, 200, "your address is confirmed", demoJoinLink, "Coastal Harm Reduction Trust")
		privateHeader(t, r, "manage page")
		s.deliver()
		mails = mailTexts(t, smtp, "kofi@example.org")
		if len(mails) != 2 || !strings.Contains(mails[1], demoJoinLink) || !strings.Contains(mails[1], "[attachment invite.ics]") || !strings.Contains(mails[1], manage) {
			t.Fatalf("the confirmation lacks the join link, the calendar file or the manage link:\n%v", mails)
		}
		c.get(openEvent).mustNot(t, "meet.example.org")

		// An unconfirmed registrant never gets the join link.
		c.post(openRegister, registrationForm("shy@example.org", "Shy")).must(t, 200)
		s.deliver()
		for _, m := range mailTexts(t, smtp, "shy@example.org") {
			if strings.Contains(m, "meet.example.org") {
				t.Fatal("an unconfirmed registrant received the join link")
			}
		}

		// The manage page changes answers, refuses an overlong one, cancels.
		f := url.Values{"name": {"Kofi A."}, "q0": {strings.Repeat("x", 1001)}}
		c.post(manage, f).must(t, 422, "at most 1,000 characters", `value="Kofi A."`)
		f.Set("q0", "Lakeside Users' Union")
		r = c.post(manage, f)
		if r.status != http.StatusSeeOther {
			t.Fatalf("saving answers: %d", r.status)
		}
		c.get(r.location).must(t, 200, "Lakeside Users&#39; Union", "Your changes are saved")

		// The admin sees registrants, exports them, messages the confirmed
		// ones and marks attendance.
		admin := s.client()
		admin.signIn(s.login.Email, s.login.Password)
		var id int64
		d.QueryRowContext(context.Background(), `SELECT entry_id FROM translations WHERE slug = ?`, demoEventSlug).Scan(&id)
		base := "/admin/entries/" + strconv.FormatInt(id, 10)
		admin.get("/admin/entries/"+strconv.FormatInt(id, 10)).must(t, 200, base+"/event", base+"/registrants")
		list := admin.get(base + "/registrants")
		list.must(t, 200, "kofi@example.org", "Kofi A.", "shy@example.org", "1 confirmed")
		privateHeader(t, list, "registrants page")
		csv := admin.get(base + "/registrants.csv")
		csv.must(t, 200, "kofi@example.org", "Lakeside Users' Union", "Your region")
		csrf := admin.csrf()
		admin.post(base+"/registrants/message", url.Values{"csrf": {csrf}, "subject": {""}, "text": {"Kept text"}}).must(t, 422, "Kept text")
		if r := admin.post(base+"/registrants/message", url.Values{"csrf": {csrf}, "subject": {"Slides are ready"}, "text": {"See you on Thursday."}}); r.status != http.StatusSeeOther {
			t.Fatalf("message: %d %s", r.status, snippet(r.body))
		}
		s.deliver()
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
		for _, m := range regexp.MustCompile(`id="r(\d+)"`).FindAllStringSubmatch(list.body, -1) {
			rid, _ = strconv.ParseInt(m[1], 10, 64)
		}
		if r := admin.post(base+"/registrants/"+strconv.FormatInt(rid, 10)+"/attendance", url.Values{"csrf": {csrf}, "attended": {"1"}}); r.status != http.StatusSeeOther {
			t.Fatalf("attendance: %d", r.status)
		}
		admin.get(base+"/registrants").must(t, 200, "1 attended")

		if r := c.post(manage+"/cancel", nil); r.status != http.StatusSeeOther {
			t.Fatalf("cancel: %d", r.status)
		}
		r = c.get(manage)
		r.must(t, 200, "cancelled")
		r.mustNot(t, demoJoinLink)
	})
}

// Listings, the month view and the calendar files; the calendar files
// are valid RFC 5545 with one UID per event, and never carry the join
// link.
func TestEventListingsAndCalendars(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		c := s.client()
		c.get("/en/events/upcoming").must(t, 200, "Webinar: naloxone in the hands of peers", "/en/events/calendar.ics")
		up := c.get("/en/events/upcoming")
		up.mustNot(t, "who pays for harm reduction when donors leave")
		c.get("/en/events/past").must(t, 200, "who pays for harm reduction when donors leave")
		for _, bad := range []string{"/en/events/past/page/1", "/en/events/past/page/2", "/en/events/past/page/02", "/en/events/past/page/x"} {
			if r := c.get(bad); r.status != 404 {
				t.Errorf("%s: %d", bad, r.status)
			}
		}
		c.get("/ru/events/upcoming").must(t, 200, `lang="ru"`)
		var starts int64
		var zone string
		d.QueryRowContext(context.Background(), `SELECT ev.starts_at, ev.time_zone FROM events ev JOIN translations t ON t.entry_id = ev.entry_id WHERE t.slug = ?`, demoEventSlug).Scan(&starts, &zone)
		month := timeUnixUTC(starts).Format("2006-01")
		c.get("/en/events/month/"+month).must(t, 200, "Webinar: naloxone in the hands of peers", "<table", "Events in "+timeUnixUTC(starts).Format("January 2006"))
		// A month standing alone takes its own form: "март", not the "марта" of a date.
		c.get("/ru/events/month/2027-03").must(t, 200, "<h1>События: март 2027</h1>")
		c.get("/hi/events/month/2027-03").must(t, 200, "मार्च २०२७")
		for _, bad := range []string{"2026-13", "2026-1", "abcd-ef", "0000-01", "2026-01-01"} {
			if r := c.get("/en/events/month/" + bad); r.status != 404 {
				t.Errorf("month %s: %d", bad, r.status)
			}
		}
		past := c.get("/en/events/webinar-who-pays-for-harm-reduction")
		past.must(t, 200, "https://video.example.org/pvn/who-pays-for-harm-reduction", "This event has taken place")
		c.get(openEvent).mustNot(t, "video.example.org")

		one := c.get("/en/events/calendar/" + demoEventSlug + ".ics")
		feed := c.get("/en/events/calendar.ics")
		for name, r := range map[string]response{"event": one, "feed": feed} {
			if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/calendar") {
				t.Fatalf("%s calendar: %d %q", name, r.status, r.header.Get("Content-Type"))
			}
			if strings.Contains(r.body, "meet.example.org") {
				t.Fatalf("the %s calendar carries a join link", name)
			}
			for _, line := range strings.Split(strings.TrimSuffix(r.body, "\r\n"), "\r\n") {
				if len(line) > 75 || strings.Contains(line, "\n") {
					t.Fatalf("%s calendar line %q", name, line)
				}
			}
		}
		uid := regexp.MustCompile(`UID:(\S+)`).FindStringSubmatch(one.body)
		start := "DTSTART:" + timeUnixUTC(starts).Format("20060102T150405Z")
		if uid == nil || !strings.Contains(one.body, start) || !strings.Contains(feed.body, "UID:"+uid[1]) || !strings.Contains(feed.body, start) {
			t.Fatalf("UID %v or %s not in both calendars:\n%s", uid, start, one.body)
		}
		if strings.Contains(feed.body, "who-pays-for-harm-reduction") {
			t.Fatal("the feed of upcoming events lists a past one")
		}
		// The JSON API lists interpretation and speakers, never the join link.
		api := c.get("/api/v1/events?lang=en&limit=50")
		api.must(t, 200, `"speakers":[{"name":"Lena Varga","role":"Outreach coordinator","organisation":"Northern Lights Peer Network"}`, `{"lang":"es","confirmed":false}`)
		api.mustNot(t, "meet.example.org")

		c.get("/en/events/calendar/no-such-event.ics").must(t, 404)
		c.get("/en/events/calendar/"+demoEventSlug).must(t, 404)
	})
}

// The admin edits an event's details; mistakes come back with the form
// as typed; reference zones are site settings.
func TestEventDetailsAndZones(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		admin := s.client()
		admin.signIn(s.login.Email, s.login.Password)
		csrf := admin.csrf()
		var id int64
		d.QueryRowContext(context.Background(), `SELECT entry_id FROM translations WHERE slug = 'webinar-drug-checking-latin-america'`).Scan(&id)
		base := "/admin/entries/" + strconv.FormatInt(id, 10) + "/event"
		admin.get(base).must(t, 200, "Valentina Ríos Cárdenas | Chemist, coordinator of a peer-run testing point", "pt | tbc")
		form := url.Values{"csrf": {csrf}, "join_url": {"javascript:alert(1)"}, "languages": {"es | confirmed\npt | maybe"},
			"speakers": {"Valentina Ríos | Chemist"}, "agenda": {"11:00 | Opening\n+30 | Results"}, "capacity": {"-3"},
			"reminders": {"1440, 60"}, "questions": {"choice | Country"}, "open": {"1"}}
		r := admin.post(base, form)
		r.must(t, 422, "Enter a web address", "confirmed or tbc", "Enter a number of places", "options only for choice", "pt | maybe")
		page := s.client().get("/en/events/webinar-drug-checking-latin-america")
		page.mustNot(t, `action="/en/events/register/`)
		form = url.Values{"csrf": {csrf}, "join_url": {"https://meet.example.org/room-9"}, "languages": {"es | confirmed\npt | tbc"},
			"speakers": {"Valentina Ríos | Chemist\nJorge Almeida"}, "agenda": {"11:00 | Opening\n+30 | Results"}, "capacity": {"2"},
			"reminders": {"60, 1440"}, "questions": {"choice | Country | Colombia; Peru; Chile\naccessibility | Access needs"}, "open": {"1"},
			"consent": {"I agree to be contacted about this event."}}
		if r := admin.post(base, form); r.status != http.StatusSeeOther {
			t.Fatalf("saving details: %d %s", r.status, snippet(r.body))
		}
		page = s.client().get("/en/events/webinar-drug-checking-latin-america")
		page.must(t, 200, `action="/en/events/register/webinar-drug-checking-latin-america"`, "Colombia", "Access needs", "I agree to be contacted", "11:00", "Opening")
		page.mustNot(t, "room-9")

		// Reference zones.
		set := url.Values{"csrf": {csrf}, "lang": {"en", "ru", "fr", "es", "hi", "ar"}, "default": {"en"}, "event_zone": {"Pacific/Auckland", "", ""}, "event_retention_days": {"14"}}
		if r := admin.post("/admin/settings", set); r.status != http.StatusSeeOther {
			t.Fatalf("settings: %d %s", r.status, snippet(r.body))
		}
		page = s.client().get(openEvent)
		page.must(t, 200, "Auckland:")
		page.mustNot(t, "Bangkok:")
		set.Set("event_zone", "Mars/Olympus_Mons")
		admin.post("/admin/settings", set).must(t, 422, "IANA", "Mars/Olympus_Mons")
		set.Set("event_zone", "Asia/Bangkok")
		set.Set("event_retention_days", "0")
		admin.post("/admin/settings", set).must(t, 422, "from 1 to 3650")
		if site, _ := s.app.Settings.Load(context.Background(), settingsDefaults()); site.EventRetentionDays != 14 || len(site.EventZones) != 1 {
			t.Fatalf("refused settings were stored: %+v", site)
		}
	})
}
