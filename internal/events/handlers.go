package events

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"peerpress/internal/auth"
	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/guard"
	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// DefaultZones are the reference zones event pages show when the settings
// name none: east Africa, south-east Asia and the Andes, where many of the
// networks' members live.
var DefaultZones = []string{"Africa/Nairobi", "Asia/Bangkok", "America/Bogota"}

// Handlers serves the events' public pages, their panel on entry pages and
// the admin's pages for details and registrants.
type Handlers struct {
	// EntryFields gives event entries their time and place in the
	// entry's editor and transaction (content.Extension).
	EntryFields
	store   *Store
	content *content.Store
	guard   *guard.Guard // holds off automated registrations
	rd      *web.Renderer
	tmpl    map[string]*template.Template
	// zoneNames gives the reference zones in service (settings).
	zoneNames func() []string
	site      *time.Location // the site's zone: month boundaries
	// homes are the home page's blocks of upcoming events by language
	// (HomeBlock), kept until the next write.
	homes *web.Fragments[string, homeBlock]
	views pageViews // an event page's view, from its action to its panel
}

// NewHandlers parses the templates. g guards the public registration form
// (the same guard as the site's other public forms); zones gives the
// reference zones (IANA names) in service, read for every page so that a
// settings change shows at once; site is the site's own zone.
func NewHandlers(store *Store, cs *content.Store, rd *web.Renderer, g *guard.Guard, zones func() []string, site *time.Location) (*Handlers, error) {
	if g == nil {
		return nil, errors.New("events: no abuse guard for the registration form")
	}
	tmpl, err := rd.Templates(templates, "templates/[^_]*.html")
	if err != nil {
		return nil, err
	}
	return &Handlers{store: store, content: cs, guard: g, rd: rd, tmpl: tmpl, zoneNames: zones, site: site,
		homes: web.NewFragments[string, homeBlock](store.db.Changes, 64)}, nil
}

// referenceZones are the zones event pages give times in besides the
// event's own: the settings', or DefaultZones.
func (h *Handlers) referenceZones() []*time.Location {
	names := h.zoneNames()
	if len(names) == 0 {
		names = DefaultZones
	}
	var out []*time.Location
	for _, z := range names {
		loc, err := i18n.LoadZone(z)
		if err != nil || z == "" || z == "Local" {
			continue // the settings page refuses these; an old value is skipped
		}
		out = append(out, loc)
	}
	return out
}

// ValidZone reports whether name is an IANA zone peerpress knows.
func ValidZone(name string) bool { return i18n.ValidZone(name) }

// Routes declares the events' pages: listings and calendars anyone may
// keep, the registration form (its challenge is single-use), the
// registrants' private links, and the staff pages.
func (h *Handlers) Routes(rs *web.Routes) {
	rs.Page("GET /events/upcoming", h.Upcoming, web.Cache)
	rs.Page("GET /events/past", h.Past, web.Cache)
	rs.Page("GET /events/past/page/{n}", h.Past, web.Cache)
	rs.Page("GET /events/month/{month}", h.Month, web.Cache)
	rs.Page("GET /events/calendar.ics", h.Feed, web.Cache)
	rs.Page("GET /events/calendar/{file}", h.EventICS, web.Cache)
	rs.Page("GET /events/register/{slug}", h.RegisterForm)
	rs.Page("POST /events/register/{slug}", h.Register)
	rs.Page("GET /events/register/{slug}/link", h.NewLinkForm)
	rs.Page("POST /events/register/{slug}/link", h.NewLink)
	rs.Page("GET /registration/confirm/{token}", h.ConfirmPage, web.Private)
	rs.Page("POST /registration/confirm/{token}", h.Confirm, web.Private)
	rs.Page("GET /registration/manage/{token}", h.Manage, web.Private)
	rs.Page("POST /registration/manage/{token}", h.UpdateRegistration, web.Private)
	rs.Page("POST /registration/manage/{token}/cancel", h.CancelRegistration, web.Private)
	rs.Admin("GET /admin/entries/{id}/event", h.EditDetails, web.Need(auth.Write))
	rs.Admin("POST /admin/entries/{id}/event", h.SaveDetails, web.Need(auth.Write))
	rs.Admin("GET /admin/entries/{id}/registrants", h.Registrants, web.Need(auth.Write))
	rs.Admin("GET /admin/entries/{id}/registrants.csv", h.RegistrantsCSV, web.Need(auth.Write))
	rs.Admin("POST /admin/entries/{id}/registrants/message", h.Message, web.Need(auth.Write))
	rs.Admin("POST /admin/entries/{id}/registrants/{rid}/attendance", h.Attendance, web.Need(auth.Write))
}

// EditorLinks leads from an event's editor to its details and registrants.
func (h *Handlers) EditorLinks(r *http.Request, e *content.Entry) []content.EditorLink {
	if e.Kind != content.Event || e.ID == 0 {
		return nil
	}
	loc := h.rd.AdminLocalizer(r)
	base := "/admin/entries/" + strconv.FormatInt(e.ID, 10)
	links := []content.EditorLink{{Label: loc.T("events.admin.details"), URL: base + "/event"}}
	c, err := h.store.Counts(r.Context(), e.ID)
	if err == nil {
		links = append(links, content.EditorLink{Label: loc.T("events.admin.registrants"), URL: base + "/registrants", Count: c.Confirmed + c.Waitlisted})
	}
	return links
}

// eventBySlug finds the visible event with this slug in lang.
func (h *Handlers) eventBySlug(ctx context.Context, lang, slug string) (*event, content.Translation, error) {
	e, err := h.content.BySlug(ctx, lang, slug)
	if errors.Is(err, db.ErrNotFound) {
		return nil, content.Translation{}, web.NotFound()
	}
	if err != nil {
		return nil, content.Translation{}, err
	}
	t, _ := e.Translation(lang)
	info, ok := InfoOf(e)
	if e.Kind != content.Event || !ok || !t.Visible(h.store.Now()) {
		return nil, t, web.NotFound()
	}
	d, err := h.store.Details(ctx, e.ID)
	if err != nil {
		return nil, t, err
	}
	return &event{Entry: e, Info: info, Details: d}, t, nil
}

// adminEvent loads the event of /admin/entries/{id}/… for a user who may
// edit it.
func (h *Handlers) adminEvent(r *http.Request) (*event, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, web.NotFound()
	}
	ev, err := h.store.load(r.Context(), id)
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrNoEvent) {
		return nil, web.NotFound()
	}
	if err != nil {
		return nil, err
	}
	u, _ := auth.UserFrom(r.Context())
	if !content.CanEdit(u, ev.Entry) {
		return nil, web.Forbidden()
	}
	return ev, nil
}

// languageName names a language in the reader's language, or by its
// code when x/text does not know it.
func languageName(code, in string) string {
	tag, err := language.Parse(code)
	if err != nil {
		return code
	}
	inTag, err := language.Parse(in)
	if err != nil {
		inTag = language.English
	}
	if n := display.Tags(inTag).Name(tag); n != "" {
		return n
	}
	return code
}
