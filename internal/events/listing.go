package events

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// listPage is an upcoming or past events listing, or a month.
type listPage struct {
	web.Page
	Heading  string
	Items    []listedView
	Upcoming bool
	// The month view.
	Month      string // 2026-11
	MonthName  string
	Weeks      [][]dayCell
	Prev, Next string // neighbouring months' URLs
	Weekdays   []string
	ThisMonth  string // the month view of now
}

type listedView struct {
	Listed
	When     string // in the event's zone
	Datetime string
	Short    string // time only, for the month grid
	Zone     string // the event's zone by its city, in the listing's language
	// LangName names the event's language when it is not the page's:
	// not yet translated, listed in its own (the setting).
	LangName string
}

type dayCell struct {
	Day    int // 0: a day of the neighbouring month
	Today  bool
	Events []listedView
}

func (h *Handlers) listViews(lang string, items []Listed) []listedView {
	l := h.rd.I18n().Localizer(lang)
	out := make([]listedView, len(items))
	for i, it := range items {
		local := it.Local()
		out[i] = listedView{Listed: it, When: l.DateTime(local), Datetime: it.Info.StartsAt.UTC().Format(time.RFC3339), Short: l.Time(local),
			Zone: i18n.ZoneCityIn(it.Info.TimeZone, lang)}
		if it.Lang != lang {
			if other, ok := h.rd.I18n().Get(it.Lang); ok {
				out[i].LangName = other.Name
			}
		}
	}
	return out
}

func (h *Handlers) listPage(r *http.Request, lang, title string) listPage {
	p := h.rd.PublicPage(r, lang)
	p.Title = p.L.T(title)
	p.Canonical = r.URL.Path
	// The same listing exists in every enabled language.
	for _, l := range h.rd.I18n().Enabled() {
		p.Alternates = append(p.Alternates, web.Alternate{Lang: l, URL: "/" + l.Code + strings.TrimPrefix(r.URL.Path, "/"+lang), Current: l.Code == lang})
	}
	p.Crumbs = []web.Crumb{{Name: p.L.T("nav.home"), URL: "/" + lang + "/"}, {Name: p.L.T("kind.event.plural"), URL: "/" + lang + "/events"}, {Name: p.Title}}
	p.Feeds = append(p.Feeds, web.FeedLink{Type: "text/calendar", Title: p.L.T("events.calendar_feed"), URL: "/" + lang + "/events/calendar.ics"})
	return listPage{Page: p, Heading: p.Title, ThisMonth: "/" + lang + "/events/month/" + h.store.Now().In(h.site).Format("2006-01")}
}

// Upcoming serves /{lang}/events/upcoming.
func (h *Handlers) Upcoming(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	items, err := h.store.Upcoming(r.Context(), lang, 100)
	if err != nil {
		return err
	}
	data := h.listPage(r, lang, "events.upcoming")
	data.Items, data.Upcoming = h.listViews(lang, items), true
	return h.rd.Render(w, http.StatusOK, h.tmpl["list"], data)
}

// pastPerPage is how many past events a page lists.
const pastPerPage = 20

// Past serves /{lang}/events/past and its further pages,
// /{lang}/events/past/page/{n}.
func (h *Handlers) Past(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	n := 1
	if s := r.PathValue("n"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 2 || n > 10000 || strconv.Itoa(n) != s {
			return web.NotFound() // page 1 is /past itself
		}
	}
	items, more, err := h.store.Past(r.Context(), lang, n, pastPerPage)
	if err != nil {
		return err
	}
	if n > 1 && len(items) == 0 {
		return web.NotFound()
	}
	data := h.listPage(r, lang, "events.past")
	data.Items = h.listViews(lang, items)
	base := "/" + lang + "/events/past"
	if n == 2 {
		data.Prev = base
	} else if n > 2 {
		data.Prev = base + "/page/" + strconv.Itoa(n-1)
	}
	if more {
		data.Next = base + "/page/" + strconv.Itoa(n+1)
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["list"], data)
}

// monthKeys name the months standing alone, as a calendar's title does
// ("декабрь", where a date says "5 декабря").
var monthKeys = []string{"events.month_standalone.1", "events.month_standalone.2", "events.month_standalone.3", "events.month_standalone.4",
	"events.month_standalone.5", "events.month_standalone.6", "events.month_standalone.7", "events.month_standalone.8",
	"events.month_standalone.9", "events.month_standalone.10", "events.month_standalone.11", "events.month_standalone.12"}

// weekdayKeys name the days of the week, Monday first.
var weekdayKeys = []string{"events.weekday.1", "events.weekday.2", "events.weekday.3", "events.weekday.4", "events.weekday.5", "events.weekday.6", "events.weekday.7"}

// Month serves /{lang}/events/month/{2026-11}: a calendar of the month in
// the site's zone, each event on the day it starts there.
func (h *Handlers) Month(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	m := r.PathValue("month")
	first, err := time.ParseInLocation("2006-01", m, h.site)
	if err != nil || len(m) != 7 || first.Year() < 1970 || first.Year() > 9999 {
		return web.NotFound()
	}
	next := first.AddDate(0, 1, 0)
	items, err := h.store.Between(r.Context(), lang, first, next)
	if err != nil {
		return err
	}
	data := h.listPage(r, lang, "events.month")
	l := data.L
	data.MonthName = strings.TrimSpace(l.T("events.month_name", "Month", l.T(monthKeys[first.Month()-1]), "Year", yearDigits(l.Number(first.Year()))))
	data.Heading = l.T("events.month_heading", "Month", data.MonthName)
	data.Title = data.Heading
	data.Crumbs[len(data.Crumbs)-1].Name = data.MonthName
	data.Month = m
	data.Items = h.listViews(lang, items)
	data.Prev = "/" + lang + "/events/month/" + first.AddDate(0, -1, 0).Format("2006-01")
	data.Next = "/" + lang + "/events/month/" + next.Format("2006-01")
	if web.MirrorOf(r) != nil {
		// The mirror holds the months events are in (Module.PublicPages),
		// not the endless calendar: no way out of them.
		lo, hi, err := h.store.MonthSpan(r.Context(), h.site)
		if err != nil {
			return err
		}
		if !first.After(lo) {
			data.Prev = ""
		}
		if !first.Before(hi) {
			data.Next = ""
		}
	}
	// Weeks start on Monday.
	for _, k := range weekdayKeys {
		data.Weekdays = append(data.Weekdays, l.T(k))
	}
	lead := (int(first.Weekday()) + 6) % 7
	days := next.AddDate(0, 0, -1).Day()
	today := h.store.Now().In(h.site)
	var week []dayCell
	for range lead {
		week = append(week, dayCell{})
	}
	for d := 1; d <= days; d++ {
		c := dayCell{Day: d, Today: today.Year() == first.Year() && today.Month() == first.Month() && today.Day() == d}
		// Each event on the day it starts in its own zone, as its time
		// beside it is.
		for _, it := range data.Items {
			if local := it.Local(); local.Year() == first.Year() && local.Month() == first.Month() && local.Day() == d {
				c.Events = append(c.Events, it)
			}
		}
		week = append(week, c)
		if len(week) == 7 {
			data.Weeks, week = append(data.Weeks, week), nil
		}
	}
	if len(week) > 0 {
		for len(week) < 7 {
			week = append(week, dayCell{})
		}
		data.Weeks = append(data.Weeks, week)
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["month"], data)
}

func writeCalendar(w http.ResponseWriter, name string, body []byte) error {
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, err := w.Write(body)
	return err
}

// Feed serves /{lang}/events/calendar.ics: the upcoming events, for a
// calendar application to subscribe to.
func (h *Handlers) Feed(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	items, err := h.store.Upcoming(r.Context(), lang, 200)
	if err != nil {
		return err
	}
	origin := web.Origin(h.rd.BaseURL, r)
	now := h.store.Now()
	evs := make([]calEvent, 0, len(items))
	for _, it := range items {
		updated := it.UpdatedAt
		if updated.After(now) || updated.IsZero() {
			updated = now
		}
		evs = append(evs, calEvent{UID: eventUID(it.EntryID, origin), Start: it.Info.StartsAt, Minutes: it.Info.DurationMinutes,
			Summary: it.Title, Description: it.Summary, Location: it.Info.Venue, URL: origin + it.URL(), Updated: updated})
	}
	l := h.rd.I18n().Localizer(lang)
	return writeCalendar(w, "events-"+lang+".ics", calendar(h.rd.SiteName+" · "+l.T("kind.event.plural"), evs))
}

// EventICS serves /{lang}/events/calendar/{slug}.ics. It never carries
// the join link: that goes only to confirmed registrants.
func (h *Handlers) EventICS(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	slug, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok || slug == "" {
		return web.NotFound()
	}
	ev, t, err := h.eventBySlug(r.Context(), lang, slug)
	if err != nil {
		return err
	}
	ce := ev.calEvent(t, web.Origin(h.rd.BaseURL, r), h.store.Now())
	return writeCalendar(w, slug+".ics", calendar("", []calEvent{ce}))
}

// yearDigits is a number as Localizer.Number writes it, without its
// grouping separators: a year is "2026", not "2,026" (the digits stay the
// reader's: २०२६, ٢٠٢٦).
func yearDigits(n string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return r
		}
		return -1
	}, n)
}
