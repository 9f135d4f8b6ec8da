// Package settings keeps the site settings an administrator changes from
// the admin: which languages the site publishes in, the default first, and
// whether archives list entries not translated into their language.
package settings

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Site is the settings peerpress reads when it builds its handlers.
type Site struct {
	// Languages are the enabled languages in the site's order, the order
	// of the language switcher; DefaultLanguage is one of them ("": the
	// first, as settings saved before it was kept apart).
	Languages           []string
	DefaultLanguage     string
	IncludeUntranslated bool
	// AdminsTwoFactor requires a second factor of administrators at
	// sign-in: one without is sent to set it up.
	AdminsTwoFactor bool
	// IdleMinutes ends a staff session unused for this many minutes
	// (MinIdleMinutes to MaxIdleMinutes); 0: auth's default, 30.
	IdleMinutes int
	// EventZones are the reference zones event pages give times in, besides
	// the event's own; none: the events package's defaults.
	EventZones []string
	// EventRetentionDays is how long after an event its registrants'
	// personal data is kept; 0: the events package's default.
	EventRetentionDays int
	// AboutPage and PrivacyPage are the entries (pages) the footer links
	// to as the site's about page and privacy notice; 0: none chosen.
	AboutPage, PrivacyPage int64
}

// Default is the site's default language.
func (s Site) Default() string {
	if slices.Contains(s.Languages, s.DefaultLanguage) {
		return s.DefaultLanguage
	}
	if len(s.Languages) == 0 {
		return ""
	}
	return s.Languages[0]
}

// Setting keys in the settings table.
const (
	keyLanguages           = "languages"
	keyDefaultLanguage     = "default_language"
	keyIncludeUntranslated = "archives.include_untranslated"
	keyAdminsTwoFactor     = "auth.admins_two_factor"
	keyIdleMinutes         = "auth.idle_minutes"
	keyEventZones          = "event_zones"
	keyEventRetentionDays  = "event_retention_days"
	keyAboutPage           = "site_page.about"
	keyPrivacyPage         = "site_page.privacy"
)

// Store reads and writes the settings.
type Store struct{ db *db.DB }

// NewStore returns a store over d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// Load returns the saved settings, with defaults for those never saved.
func (s *Store) Load(ctx context.Context, defaults Site) (Site, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return Site{}, fmt.Errorf("settings: load: %w", err)
	}
	defer rows.Close()
	site := defaults
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return Site{}, err
		}
		switch k {
		case keyLanguages:
			if langs := strings.Split(v, ","); v != "" {
				site.Languages = langs
			}
		case keyDefaultLanguage:
			site.DefaultLanguage = v
		case keyIncludeUntranslated:
			site.IncludeUntranslated = v == "true"
		case keyAdminsTwoFactor:
			site.AdminsTwoFactor = v == "true"
		case keyIdleMinutes:
			site.IdleMinutes, _ = strconv.Atoi(v)
		case keyEventZones:
			if v != "" {
				site.EventZones = strings.Split(v, ",")
			}
		case keyEventRetentionDays:
			site.EventRetentionDays, _ = strconv.Atoi(v)
		case keyAboutPage:
			site.AboutPage, _ = strconv.ParseInt(v, 10, 64)
		case keyPrivacyPage:
			site.PrivacyPage, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	return site, rows.Err()
}

// Save stores the settings in one transaction.
func (s *Store) Save(ctx context.Context, site Site) error {
	values := map[string]string{
		keyLanguages:           strings.Join(site.Languages, ","),
		keyDefaultLanguage:     site.Default(),
		keyIncludeUntranslated: strconv.FormatBool(site.IncludeUntranslated),
		keyAdminsTwoFactor:     strconv.FormatBool(site.AdminsTwoFactor),
		keyIdleMinutes:         strconv.Itoa(site.IdleMinutes),
		keyEventZones:          strings.Join(site.EventZones, ","),
		keyEventRetentionDays:  strconv.Itoa(site.EventRetentionDays),
		keyAboutPage:           strconv.FormatInt(site.AboutPage, 10),
		keyPrivacyPage:         strconv.FormatInt(site.PrivacyPage, 10),
	}
	return s.save(ctx, values)
}

// SaveSitePages names the site's about page and privacy notice, leaving
// the other settings as they are (the demo's loader chooses its pages
// without fixing the languages the command line gives).
func (s *Store) SaveSitePages(ctx context.Context, about, privacy int64) error {
	return s.save(ctx, map[string]string{keyAboutPage: strconv.FormatInt(about, 10), keyPrivacyPage: strconv.FormatInt(privacy, 10)})
}

func (s *Store) save(ctx context.Context, values map[string]string) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		for _, k := range slices.Sorted(maps.Keys(values)) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, values[k]); err != nil {
				return fmt.Errorf("settings: save %s: %w", k, err)
			}
		}
		return s.db.Notify(ctx, tx, Topic) // every instance loads them again
	})
}

// Live is the settings in service and the languages they enable. Every
// handler reads them here on each request, so a save takes effect without
// rebuilding anything; reads take no lock.
type Live struct {
	store    *Store
	defaults Site
	cur      atomic.Pointer[liveState]
	// OnChange is called after a reload put different settings in
	// service: pages rendered with the old ones are stale.
	OnChange func()
}

type liveState struct {
	site   Site
	bundle *i18n.Bundle
}

// NewLive loads the saved settings over defaults (the command line's).
func NewLive(ctx context.Context, store *Store, defaults Site) (*Live, error) {
	l := &Live{store: store, defaults: defaults}
	if err := l.Reload(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// Reload reads the settings again: after a save, on this instance or on
// another one.
func (l *Live) Reload(ctx context.Context) error {
	site, err := l.store.Load(ctx, l.defaults)
	if err != nil {
		return err
	}
	bundle, err := i18n.NewWithDefault(site.Languages, site.Default())
	if err != nil {
		return fmt.Errorf("settings: languages: %w", err)
	}
	old := l.cur.Swap(&liveState{site: site, bundle: bundle})
	if old != nil && !reflect.DeepEqual(old.site, site) && l.OnChange != nil {
		l.OnChange()
	}
	return nil
}

// Topic is the database topic a settings save announces, so that every
// instance on the database loads the settings again.
const Topic = "settings"

// Follow reloads the settings each time changed delivers — a save on this
// instance or on another one over the same database (db.Subscribe(Topic))
// — until ctx ends or changed is closed.
func (l *Live) Follow(ctx context.Context, changed <-chan struct{}) {
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-changed:
			if !ok {
				return
			}
		}
		if err := l.Reload(ctx); err != nil && ctx.Err() == nil {
			slog.Error("settings: reload", "err", err)
		}
	}
}

// Site is the settings in service.
func (l *Live) Site() Site { return l.cur.Load().site }

// Languages is the bundle of the enabled languages.
func (l *Live) Languages() *i18n.Bundle { return l.cur.Load().bundle }

// Handlers serves the settings page.
type Handlers struct {
	store *Store
	live  *Live
	rd    *web.Renderer
	tmpl  map[string]*template.Template
	// Pages lists the pages that can be chosen as the site's about page
	// and privacy notice (content supplies them); nil: no choice.
	Pages func(ctx context.Context) ([]PageChoice, error)
}

// PageChoice is a page the settings can name as one of the site's own.
type PageChoice struct {
	ID    int64
	Title string
}

// NewHandlers parses the settings page; a save is put in service through
// live.
func NewHandlers(store *Store, live *Live, rd *web.Renderer) (*Handlers, error) {
	tmpl, err := rd.Templates(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &Handlers{store: store, live: live, rd: rd, tmpl: tmpl}, nil
}

type page struct {
	web.Page
	Available []i18n.Language
	Pages     []PageChoice
	Form      Site
	Error     string
}

func (h *Handlers) page(r *http.Request, form Site) (page, error) {
	p := page{Page: h.rd.AdminPage(r), Available: i18n.Available(), Form: form}
	p.Title = p.L.T("admin.settings")
	p.NoIndex = true
	if h.Pages != nil {
		var err error
		if p.Pages, err = h.Pages(r.Context()); err != nil {
			return p, err
		}
	}
	return p, nil
}

// Routes declares the settings page, the admin's alone.
func (h *Handlers) Routes(rs *web.Routes) {
	rs.Admin("GET /admin/settings", h.Show, web.Need(auth.ManageSite))
	rs.Admin("POST /admin/settings", h.Save, web.Need(auth.ManageSite))
}

// Show serves GET /admin/settings.
func (h *Handlers) Show(w http.ResponseWriter, r *http.Request) error {
	p, err := h.page(r, h.live.Site())
	if err != nil {
		return err
	}
	if r.URL.Query().Get("saved") != "" {
		p.Flash = p.L.T("admin.saved")
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["settings"], p)
}

// errNoLanguage is shown when no language is left enabled.
var errNoLanguage = errors.New("no language")

// Save serves POST /admin/settings.
func (h *Handlers) Save(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	form := Site{IncludeUntranslated: r.PostForm.Get("include_untranslated") != "", AdminsTwoFactor: r.PostForm.Get("admins_two_factor") != ""}
	zonesOK, daysOK := readEventSettings(r, &form)
	idleOK := readIdleMinutes(r, &form)
	def := r.PostForm.Get("default")
	for _, code := range r.PostForm["lang"] {
		if _, ok := i18n.Lookup(code); !ok {
			return web.BadRequest("form.invalid_choice")
		}
		if !slices.Contains(form.Languages, code) {
			form.Languages = append(form.Languages, code)
		}
	}
	p, err := h.page(r, form)
	if err != nil {
		return err
	}
	pagesOK := readSitePages(r, &form, p.Pages)
	p.Form = form
	// The languages keep the site's order, which the switcher shows: the
	// form lists them in another (the catalogs'). Newly enabled ones go
	// last; choosing another default moves nothing.
	current := h.live.Site().Languages
	rank := func(code string) int {
		if i := slices.Index(current, code); i >= 0 {
			return i
		}
		return len(current)
	}
	slices.SortStableFunc(form.Languages, func(a, b string) int { return rank(a) - rank(b) })
	form.DefaultLanguage = def
	p.Form = form
	switch {
	case len(form.Languages) == 0:
		p.Error = p.L.T("settings.need_language")
	case !slices.Contains(form.Languages, def):
		p.Error = p.L.T("settings.default_enabled")
	}
	switch {
	case p.Error != "":
	case !zonesOK:
		p.Error = p.L.T("events.settings.zone_invalid")
	case !daysOK:
		p.Error = p.L.T("events.settings.retention_invalid")
	case !pagesOK:
		p.Error = p.L.T("form.invalid_choice")
	case !idleOK:
		p.Error = p.L.T("settings.idle_invalid", "Min", MinIdleMinutes, "Max", MaxIdleMinutes)
	}
	if p.Error != "" {
		p.Flash = p.L.T("form.has_errors")
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["settings"], p)
	}
	if err := h.store.Save(r.Context(), form); err != nil {
		return err
	}
	u, _ := auth.UserFrom(r.Context())
	if err := participant.NewAudit(h.store.db).Record(r.Context(), participant.Access{UserID: u.ID, Action: "settings/save"}); err != nil {
		slog.ErrorContext(r.Context(), "settings: audit log", "err", err)
	}
	if err := h.live.Reload(r.Context()); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/settings?saved=1", http.StatusSeeOther)
	return nil
}

// readSitePages reads the choice of the site's about page and privacy
// notice: none, or one of the pages offered. It reports whether both
// choices were valid.
func readSitePages(r *http.Request, form *Site, offered []PageChoice) bool {
	ok := true
	for _, f := range []struct {
		name string
		id   *int64
	}{{"about_page", &form.AboutPage}, {"privacy_page", &form.PrivacyPage}} {
		v := r.PostForm.Get(f.name)
		if v == "" || v == "0" {
			continue
		}
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || !slices.ContainsFunc(offered, func(p PageChoice) bool { return p.ID == id }) {
			ok = false
			continue
		}
		*f.id = id
	}
	return ok
}

// EventZone is the i-th reference zone, "" when there is none.
func (s Site) EventZone(i int) string {
	if i < len(s.EventZones) {
		return s.EventZones[i]
	}
	return ""
}

// readEventSettings reads the events' settings: up to three reference
// zones (IANA names) and the days registrants' data is kept after an
// event (1 to 3650, empty for the default). It reports whether each is
// valid; form keeps what was sent either way.
// Bounds of the idle timeout: short enough that a laptop left open in a
// shared place signs out the same day, long enough to write an article.
const (
	MinIdleMinutes = 5
	MaxIdleMinutes = 480
)

// IdleTimeout is the staff sessions' idle timeout the settings give; 0
// when they leave it to auth's default.
func (s Site) IdleTimeout() time.Duration { return time.Duration(s.IdleMinutes) * time.Minute }

// readIdleMinutes reads the idle timeout; empty keeps the default.
func readIdleMinutes(r *http.Request, form *Site) bool {
	v := strings.TrimSpace(r.PostForm.Get("idle_minutes"))
	if v == "" {
		return true
	}
	n, err := strconv.Atoi(v)
	form.IdleMinutes = n
	return err == nil && n >= MinIdleMinutes && n <= MaxIdleMinutes
}

func readEventSettings(r *http.Request, form *Site) (zonesOK, daysOK bool) {
	zonesOK, daysOK = true, true
	for _, z := range r.PostForm["event_zone"] {
		if z = strings.TrimSpace(z); z == "" {
			continue
		}
		if _, err := time.LoadLocation(z); err != nil || z == "Local" || strings.Contains(z, ",") || len(form.EventZones) == 3 {
			zonesOK = false
		}
		form.EventZones = append(form.EventZones, z)
	}
	if d := strings.TrimSpace(r.PostForm.Get("event_retention_days")); d != "" {
		n, err := strconv.Atoi(d)
		daysOK = err == nil && n >= 1 && n <= 3650
		form.EventRetentionDays = n
	}
	return zonesOK, daysOK
}

// IdleMin and IdleMax are the idle timeout's bounds, for the form.
func (page) IdleMin() int { return MinIdleMinutes }

// IdleMax is the idle timeout's upper bound.
func (page) IdleMax() int { return MaxIdleMinutes }
