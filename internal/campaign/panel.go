package campaign

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// panelData is what a campaign shows under its text.
type panelData struct {
	L        *i18n.Localizer
	Lang     string
	StartsOn time.Time
	EndsOn   time.Time
	// TextLang is the language of the texts shown: the reader's, or the
	// source's when they are not translated.
	TextLang  string
	Primary   string
	Secondary []string
	Asks      []string
	Ways      []string
	Linked    []Linked
	WallOpen  bool
	WallURL   string
	FormURL   string
	// Mirror replaces the way to the tribute form in the static mirror.
	Mirror     *web.MirrorNotice
	Count      int
	Highlights []tributeView
}

// highlights is how many photos the campaign page shows from its wall.
const highlights = 4

// EntryAction renders a campaign's wall entrance ("Add a tribute", the
// count and the latest tributes) before the campaign's text; "" for
// other entries and campaigns without a wall.
func (h *Handlers) EntryAction(r *http.Request, e *content.Entry, lang string) (template.HTML, error) {
	return h.renderPanel(r, e, lang, true)
}

// EntryPanel renders a campaign's details (dates, objectives, asks,
// linked entries) after the campaign's text; "" for other entries and
// campaigns without details.
func (h *Handlers) EntryPanel(r *http.Request, e *content.Entry, lang string) (template.HTML, error) {
	return h.renderPanel(r, e, lang, false)
}

// renderPanel renders the wall's entrance (action) or the details.
func (h *Handlers) renderPanel(r *http.Request, e *content.Entry, lang string, action bool) (template.HTML, error) {
	if e.Kind != content.Campaign {
		return "", nil
	}
	ctx := r.Context()
	d, err := h.store.Details(ctx, e.ID)
	if err != nil {
		return "", err
	}
	p := panelData{L: h.rd.I18n().Localizer(lang), Lang: lang, StartsOn: d.StartsOn, EndsOn: d.EndsOn, WallOpen: d.WallOpen}
	texts, ok := d.Texts[lang]
	p.TextLang = lang
	if !ok || texts.Empty() {
		texts, p.TextLang = d.Texts[e.SourceLang], e.SourceLang
	}
	p.Primary, p.Secondary, p.Asks, p.Ways = texts.PrimaryObjective, lines(texts.SecondaryObjectives), lines(texts.Asks), lines(texts.Ways)
	if !action {
		if p.Linked, err = h.store.LinkedEntries(ctx, d.Links, lang); err != nil {
			return "", err
		}
	}
	if p.Count, err = h.store.CountApproved(ctx, e.ID); err != nil {
		return "", err
	}
	if t, ok := e.Translation(lang); ok && action && (d.WallOpen || p.Count > 0) {
		p.WallURL = wallURL(lang, t.Slug)
		if d.WallOpen {
			p.FormURL = p.WallURL + "new"
			p.Mirror = web.MirrorOf(r).Notice(p.L, p.FormURL)
		}
		// The latest few, newest first.
		from := max(0, p.Count-highlights)
		latest, err := h.store.Approved(ctx, e.ID, from, highlights)
		if err != nil {
			return "", err
		}
		views, err := h.withPhotos(ctx, latest, from+1)
		if err != nil {
			return "", err
		}
		slices.Reverse(views)
		p.Highlights = views
	}
	name := "panel"
	if action {
		if p.WallURL == "" {
			return "", nil
		}
		name = "panel_action"
	} else if p.StartsOn.IsZero() && p.EndsOn.IsZero() && texts.Empty() && len(p.Linked) == 0 {
		return "", nil
	}
	var buf bytes.Buffer
	if err := h.tmpl[name].Execute(&buf, p); err != nil {
		return "", fmt.Errorf("campaign: panel: %w", err)
	}
	return template.HTML(buf.String()), nil // #nosec G203 -- output of html/template, escaped by it
}
