package events

import (
	"errors"
	"html/template"
	"net/http"
	"strings"

	"peerpress/internal/guard"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// linkFormName names the new-manage-link form to the abuse guard.
const linkFormName = "event-manage-link"

// newLinkPage asks for a registrant's address, to mail them a new manage
// link, and says it was done.
type newLinkPage struct {
	web.Page
	Event  EventView
	Action string
	Guard  template.HTML
	Email  string
	Error  string
	Sent   bool
}

func (h *Handlers) renderNewLink(w http.ResponseWriter, r *http.Request, lang string, status int, p newLinkPage) error {
	p.Page = h.rd.PublicPage(r, lang)
	p.Title = p.L.T("events.link.title")
	p.NoIndex = true
	p.Action = "/" + lang + "/events/register/" + r.PathValue("slug") + "/link"
	p.Guard = h.guard.FieldsLabel(linkFormName, p.L.T("guard.leave_empty"))
	p.Crumbs = []web.Crumb{{Name: p.L.T("nav.home"), URL: "/" + lang + "/"}, {Name: p.Event.Title, URL: p.Event.URL}, {Name: p.Title}}
	return h.rd.Render(w, status, h.tmpl["newlink"], p)
}

// NewLinkForm serves GET /{lang}/events/register/{slug}/link.
func (h *Handlers) NewLinkForm(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	v, err := h.slugView(r, lang)
	if err != nil {
		return err
	}
	return h.renderNewLink(w, r, lang, http.StatusOK, newLinkPage{Event: v})
}

// NewLink serves POST /{lang}/events/register/{slug}/link: a registrant
// gives their address and is mailed a new manage link; the old one stops
// working. The answer is the same whether the address registered or not.
func (h *Handlers) NewLink(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	ctx := r.Context()
	ev, t, err := h.eventBySlug(ctx, lang, r.PathValue("slug"))
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	v, err := h.view(ctx, ev, t, lang, h.store.Now())
	if err != nil {
		return err
	}
	l := h.rd.I18n().Localizer(lang)
	p := newLinkPage{Event: v, Email: strings.TrimSpace(r.PostForm.Get("email"))}
	email, err := participant.Normalize(p.Email)
	if err != nil {
		p.Error = l.T("events.link.email_invalid")
		return h.renderNewLink(w, r, lang, http.StatusUnprocessableEntity, p)
	}
	_, err = h.guard.Check(r, linkFormName)
	var refusal *guard.Refusal
	if errors.As(err, &refusal) {
		p.Error = l.T(refusal.Key)
		status := refusal.Status()
		return h.renderNewLink(w, r, lang, status, p)
	}
	if err != nil {
		return err
	}
	if err := h.store.NewManageLink(ctx, ev.Entry.ID, email, web.Origin(h.rd.BaseURL, r)); err != nil {
		return err
	}
	p.Sent, p.Email = true, email
	return h.renderNewLink(w, r, lang, http.StatusOK, p)
}
