package events

import (
	"errors"
	"net/http"
	"strconv"

	"peerpress/internal/web"
)

// managePage is a registrant's private page: what they gave, their place,
// the join link once confirmed, and the buttons to change or cancel.
type managePage struct {
	web.Page
	Event   EventView
	Reg     Registration
	Form    formView
	Token   string
	JoinURL string // only for a confirmed registrant
	Notice  string
	// CancelError says the cancellation was not confirmed.
	CancelError string
}

// Answers is the event and the form, as the "reg_questions" template of
// the registration form takes them.
func (m managePage) Answers() panelData { return panelData{EventView: m.Event, Form: m.Form} }

func (h *Handlers) manageData(w http.ResponseWriter, r *http.Request, lang string) (*managePage, *event, error) {
	token := r.PathValue("token")
	reg, err := h.store.ByManageToken(r.Context(), token)
	if errors.Is(err, ErrBadToken) {
		return nil, nil, h.badLink(w, r, lang)
	}
	if err != nil {
		return nil, nil, err
	}
	ev, err := h.store.load(r.Context(), reg.EntryID)
	if err != nil {
		return nil, nil, err
	}
	v, err := h.view(r.Context(), ev, ev.translation(lang), lang, h.store.Now())
	if err != nil {
		return nil, nil, err
	}
	p := h.rd.PublicPage(r, lang)
	p.Title = p.L.T("events.manage.title", "Title", v.Title)
	p.NoIndex = true
	m := &managePage{Page: p, Event: v, Reg: reg, Token: token, Form: formView{Values: map[string]string{"name": reg.Name}, Errors: map[string]string{}}}
	for k, a := range reg.Answers {
		m.Form.Values["q"+k] = a
	}
	if reg.Status == Registered {
		m.JoinURL = ev.Details.JoinURL
	}
	return m, ev, nil
}

// Manage serves GET /{lang}/registration/manage/{token}.
func (h *Handlers) Manage(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	m, _, err := h.manageData(w, r, lang)
	if m == nil {
		return err
	}
	switch {
	case r.URL.Query().Has("confirmed"):
		m.Notice = m.L.T("events.manage.confirmed_notice")
	case r.URL.Query().Has("saved"):
		m.Notice = m.L.T("events.manage.saved")
	case r.URL.Query().Has("cancelled") && m.Reg.Status == Cancelled:
		m.Notice = m.L.T("events.manage.cancelled_notice")
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["manage"], m)
}

// UpdateRegistration serves POST /{lang}/registration/manage/{token}: a
// changed name or answers.
func (h *Handlers) UpdateRegistration(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	m, ev, err := h.manageData(w, r, lang)
	if m == nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	if m.Reg.Status == Cancelled {
		return web.BadRequest("events.manage.cancelled")
	}
	form, name, _, answers := h.readForm(r, ev, m.L, false)
	m.Form = form
	if len(form.Errors) > 0 {
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["manage"], m)
	}
	if err := h.store.UpdateAnswers(r.Context(), m.Token, name, answers); err != nil {
		return err
	}
	http.Redirect(w, r, "/"+lang+"/registration/manage/"+m.Token+"?saved=1", http.StatusSeeOther) // #nosec G710 -- a path of this site: a known language and the registration's own token
	return nil
}

// CancelRegistration serves POST /{lang}/registration/manage/{token}/cancel.
func (h *Handlers) CancelRegistration(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	m, _, err := h.manageData(w, r, lang)
	if m == nil {
		return err
	}
	// Giving up a place is asked twice: a tap by mistake on a phone
	// must not cost someone their seat. The box works without a script.
	if r.PostFormValue("confirm") != "yes" {
		m.CancelError = m.L.T("events.manage.cancel_unconfirmed")
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["manage"], m)
	}
	if err := h.store.Cancel(r.Context(), m.Token); err != nil {
		return err
	}
	http.Redirect(w, r, "/"+lang+"/registration/manage/"+m.Token+"?cancelled=1", http.StatusSeeOther) // #nosec G710 -- a path of this site: a known language and the registration's own token
	return nil
}

func itoa(i int) string { return strconv.Itoa(i) }
