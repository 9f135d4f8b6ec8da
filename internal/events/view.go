package events

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// EventView is what the public pages show of an event.
type EventView struct {
	L          *i18n.Localizer
	Lang       string
	Title      string
	URL        string
	Start      time.Time // for <time datetime>, in UTC
	StartText  string    // in the event's zone, with its abbreviation
	EndText    string
	ZoneID     string
	ZoneName   string // the event's zone in the reader's language: "Moscou · heure de Moscou"
	UTCText    string
	References []zoneTime
	Minutes    int
	Mode       string
	Venue      string
	Languages  []languageView
	Speakers   []Speaker
	Agenda     []agendaView
	Recording  string // once the event has happened
	// RecordingVideo is the recording's poster when it is a video a
	// reader can play in the page (content.ParseVideo).
	RecordingVideo template.HTML
	Ended          bool
	// State is the registration's: "" (no registration), open, full
	// (the waiting list is open), closed or ended.
	State       string
	ClosesText  string
	Questions   []questionView
	Consent     string
	RegisterURL string
	CalendarURL string
}

type zoneTime struct {
	City string
	Text string
}

type languageView struct {
	Name      string
	Confirmed bool
}

type agendaView struct {
	Time  string
	Title string
}

type questionView struct {
	Name     string // the form field: q0, q1…
	Type     string
	Label    string
	Required bool
	Options  []optionView
}

type optionView struct {
	Value string
	Label string
}

// view builds the public view of ev in lang at now.
func (h *Handlers) view(ctx context.Context, ev *event, t content.Translation, lang string, now time.Time) (EventView, error) {
	l := h.rd.I18n().Localizer(lang)
	zone := ev.zone()
	start := ev.Info.StartsAt
	end := ev.ends()
	// Links go to the translation shown, which is the source's when the
	// event has none in lang (a manage page in another language).
	v := EventView{L: l, Lang: lang, Title: t.Title, URL: content.URL(content.Event, t.Lang, t.Slug), Start: start.UTC(),
		StartText: l.DateTime(start.In(zone)), ZoneID: ev.Info.TimeZone, ZoneName: i18n.ZoneName(ev.Info.TimeZone, lang), UTCText: l.DateTime(start.UTC()),
		Minutes: ev.Info.DurationMinutes, Mode: ev.Info.Mode, Venue: ev.Info.Venue, Speakers: ev.Details.Speakers,
		Ended: !end.After(now), RegisterURL: "/" + t.Lang + "/events/register/" + t.Slug,
		CalendarURL: "/" + t.Lang + "/events/calendar/" + t.Slug + ".ics", Consent: ev.Details.Consent}
	sy, sm, sd := start.In(zone).Date()
	ey, em, ed := end.In(zone).Date()
	if sy == ey && sm == em && sd == ed {
		v.EndText = l.Time(end.In(zone))
	} else {
		v.EndText = l.DateTime(end.In(zone))
	}
	for _, z := range h.referenceZones() {
		if z.String() == ev.Info.TimeZone {
			continue
		}
		v.References = append(v.References, zoneTime{City: i18n.ZoneCityIn(z.String(), lang), Text: l.DateTime(start.In(z))})
	}
	for _, il := range ev.Details.Languages {
		v.Languages = append(v.Languages, languageView{Name: languageName(il.Lang, lang), Confirmed: il.Status == Confirmed})
	}
	for _, a := range ev.Details.Agenda {
		at := a.Clock
		if at == "" {
			at = l.Time(start.In(zone).Add(time.Duration(a.Offset) * time.Minute))
		} else if c, err := time.Parse("15:04", a.Clock); err == nil {
			at = l.Time(c)
		}
		v.Agenda = append(v.Agenda, agendaView{Time: at, Title: a.Title})
	}
	if v.Ended {
		v.Recording = ev.Details.RecordingURL
		if vid, ok := content.ParseVideo(v.Recording); ok {
			v.RecordingVideo = content.VideoPoster(vid, l.T("events.recording"), l)
		}
	}
	for i, q := range ev.Details.Questions {
		w := q.In(lang)
		qv := questionView{Name: "q" + strconv.Itoa(i), Type: q.Type, Label: w.Label, Required: q.Required}
		switch q.Type {
		case QuestionChoice, QuestionCheckboxes:
			for j, o := range q.Options {
				qv.Options = append(qv.Options, optionView{Value: o, Label: w.Options[j]})
			}
		case QuestionInterpretation:
			for _, il := range ev.Details.Languages {
				qv.Options = append(qv.Options, optionView{Value: il.Lang, Label: languageName(il.Lang, lang)})
			}
		}
		v.Questions = append(v.Questions, qv)
	}
	if ev.Details.Open || !ev.Details.ClosesAt.IsZero() || v.Ended {
		c, err := h.store.Counts(ctx, ev.Entry.ID)
		if err != nil {
			return v, err
		}
		switch {
		case v.Ended:
			v.State = "ended"
		case !ev.accepting(now): // closing time passed, or under way
			v.State = "closed"
		case full(ev.Details, c):
			v.State = "full"
		default:
			v.State = "open"
		}
		v.ClosesText = l.DateTime(ev.closes().In(zone))
	}
	return v, nil
}

// formView is a registration form's values and errors, kept when the form
// comes back with a mistake.
type formView struct {
	Values map[string]string
	Errors map[string]string // field → translated message
}

// Ticked reports whether option is among the boxes ticked for the
// question named name (kept a line each).
func (f formView) Ticked(name, option string) bool {
	return slices.Contains(strings.Split(f.Values[name], "\n"), option)
}

// panelData is the data of the panel on an event's page, and of the
// registration form on its own page.
type panelData struct {
	EventView
	Form  formView
	Guard template.HTML // the abuse guard's fields, on the form's own page only
	// Mirror replaces the way to register in the static mirror.
	Mirror *web.MirrorNotice
}

// EntryAction renders what a visitor of an event's page came for: when
// it is, in the event's zone and the reader's, and the way to register.
// It never shows the join link. The form itself is on a page of its own:
// an event's page is cached for everyone, and each form needs a fresh
// challenge.
func (h *Handlers) EntryAction(r *http.Request, e *content.Entry, lang string) (template.HTML, error) {
	return h.renderPanel(r, e, lang, "panel_action")
}

// EntryPanel renders the rest of an event's part of its page, after the
// text: speakers, agenda and recording.
func (h *Handlers) EntryPanel(r *http.Request, e *content.Entry, lang string) (template.HTML, error) {
	return h.renderPanel(r, e, lang, "panel")
}

func (h *Handlers) renderPanel(r *http.Request, e *content.Entry, lang, name string) (template.HTML, error) {
	info, ok := InfoOf(e)
	if e.Kind != content.Event || !ok {
		return "", nil
	}
	t, ok := e.Translation(lang)
	if !ok {
		return "", nil
	}
	// The page asks for its action, then its panel, with the same
	// request: the action's view serves both (the details, the
	// registrations' counts and the view were built twice, 1.7 s of a
	// static mirror's export at 20,000 entries).
	key := viewKey{r: r, entry: e, lang: lang}
	v, ok := h.views.take(key, name == "panel")
	if !ok {
		d, err := h.store.Details(r.Context(), e.ID)
		if err != nil {
			return "", err
		}
		ev := &event{Entry: e, Info: info, Details: d}
		if v, err = h.view(r.Context(), ev, t, lang, h.store.Now()); err != nil {
			return "", err
		}
		if name == "panel_action" {
			h.views.keep(key, v)
		}
	}
	var buf bytes.Buffer
	if err := h.tmpl[name].Execute(&buf, panelData{EventView: v, Mirror: web.MirrorOf(r).Notice(v.L, v.RegisterURL)}); err != nil {
		return "", fmt.Errorf("events: %s: %w", name, err)
	}
	return template.HTML(buf.String()), nil // #nosec G203 -- output of html/template, escaped by it
}

// viewKey names an event page's view for the request drawing it.
type viewKey struct {
	r     *http.Request
	entry *content.Entry
	lang  string
}

// pageViews holds the views built for pages' actions until their panels,
// drawn next in the same request, take them.
type pageViews struct {
	mu sync.Mutex
	m  map[viewKey]EventView
}

// maxPageViews bounds the views held: a request that drew an action and
// no panel (an error between) leaves its view behind.
const maxPageViews = 64

func (p *pageViews) keep(k viewKey, v EventView) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil || len(p.m) >= maxPageViews {
		p.m = map[viewKey]EventView{}
	}
	p.m[k] = v
}

// take returns the view kept for k, forgetting it when done.
func (p *pageViews) take(k viewKey, done bool) (EventView, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.m[k]
	if ok && done {
		delete(p.m, k)
	}
	return v, ok
}
