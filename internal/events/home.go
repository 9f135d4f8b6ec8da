package events

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"

	"peerpress/internal/content"
	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// homeEvents is how many upcoming events the home page lists.
const homeEvents = 3

// HomeBlock lists the next events beside the home page's latest entries
// (content.HomeBlock).
func (h *Handlers) HomeBlock(r *http.Request, lang string) (content.HomePart, error) {
	items, err := h.store.Upcoming(r.Context(), lang, homeEvents)
	if err != nil {
		return content.HomePart{}, err
	}
	data := struct {
		L     *i18n.Localizer
		Lang  string
		Items []listedView
	}{h.rd.I18n().Localizer(lang), lang, h.listViews(lang, items)}
	var buf bytes.Buffer
	if err := h.tmpl["home"].Execute(&buf, data); err != nil {
		return content.HomePart{}, fmt.Errorf("events: home block: %w", err)
	}
	return content.HomePart{HTML: template.HTML(buf.String())}, nil // #nosec G203 -- output of html/template, escaped by it
}

// NavLinks puts the events in the main navigation (content.NavLinker):
// the upcoming ones, which a visitor comes for, not every event by date
// of publication; the link is current on every events page.
func (h *Handlers) NavLinks(lang string) []web.NavLink {
	base := "/" + lang + "/" + content.Event.Segment()
	return []web.NavLink{{Name: h.rd.I18n().Localizer(lang).T("kind.event.plural"), URL: base + "/upcoming", Match: base}}
}
