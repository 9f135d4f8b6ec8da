package updates

import (
	"errors"
	"net/http"

	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// confirmPage asks the subscriber to press a button: mail scanners that
// follow links must not subscribe anyone on their own.
type confirmPage struct {
	web.Page
	Action string
}

// confirmPage serves GET /{lang}/updates/confirm/{token}.
func (h *Handlers) confirmPage(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	if _, err := h.store.ByConfirmToken(r.Context(), r.PathValue("token")); errors.Is(err, ErrBadToken) {
		return h.badLink(w, r, lang)
	} else if err != nil {
		return err
	}
	p := h.rd.PublicPage(r, lang)
	p.Title, p.NoIndex = p.L.T("updates.confirm.title"), true
	return h.rd.Render(w, http.StatusOK, h.tmpl["confirm"], confirmPage{Page: p, Action: "/" + lang + "/updates/confirm/" + r.PathValue("token")})
}

// confirm serves POST /{lang}/updates/confirm/{token}: the subscription
// counts from now, the welcome with the private link is mailed, and the
// subscriber lands on their private page.
func (h *Handlers) confirm(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	origin := web.Origin(h.rd.BaseURL, r)
	sub, err := h.store.Confirm(r.Context(), r.PathValue("token"), origin)
	if errors.Is(err, ErrBadToken) {
		return h.badLink(w, r, lang)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, h.store.ManageURL("", sub)+"?confirmed=1", http.StatusSeeOther)
	return nil
}

// managePage is a subscriber's private page.
type managePage struct {
	web.Page
	Subscriber Subscriber
	Action     string
	Langs      []option
	Langs2     []option
	Topics     []option
	Paused     bool
	TextOnly   bool
	Left       bool // unsubscribed: only erasing is left
	Errors     map[string]string
	Notice     string
}

func (h *Handlers) renderManage(w http.ResponseWriter, r *http.Request, status int, sub Subscriber, errs map[string]string, notice string) error {
	lang := web.Lang(r)
	p := managePage{Page: h.rd.PublicPage(r, lang), Subscriber: sub, Action: "/" + lang + "/updates/manage/" + r.PathValue("token"),
		Paused: sub.Status == Paused, TextOnly: sub.TextOnly, Left: sub.Status == Unsubscribed, Errors: errs}
	p.Title, p.NoIndex = p.L.T("updates.manage.title"), true
	p.Langs = h.languageOptions(sub.Lang)
	p.Langs2 = append([]option{{Value: "", Label: p.L.T("updates.subscribe.no_second"), Selected: sub.Lang2 == ""}}, h.languageOptions(sub.Lang2)...)
	p.Topics = topicOptions(p.L, sub.Topics)
	if notice != "" {
		p.Notice = p.L.T(notice)
	}
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	return h.rd.Render(w, status, h.tmpl["manage"], p)
}

// manage serves GET /{lang}/updates/manage/{token}.
func (h *Handlers) manage(w http.ResponseWriter, r *http.Request) error {
	sub, err := h.store.ByManageToken(r.Context(), r.PathValue("token"))
	if errors.Is(err, ErrBadToken) {
		return h.badLink(w, r, web.Lang(r))
	}
	if err != nil {
		return err
	}
	notice := ""
	switch {
	case r.URL.Query().Get("confirmed") != "":
		notice = "updates.manage.confirmed"
	case r.URL.Query().Get("saved") != "":
		notice = "updates.manage.saved"
	}
	return h.renderManage(w, r, http.StatusOK, sub, nil, notice)
}

// savePrefs serves POST /{lang}/updates/manage/{token}: language,
// topics, plain text, pause.
func (h *Handlers) savePrefs(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	ctx := r.Context()
	sub, err := h.store.ByManageToken(ctx, r.PathValue("token"))
	if errors.Is(err, ErrBadToken) {
		return h.badLink(w, r, lang)
	}
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	if sub.Status == Unsubscribed {
		return h.renderManage(w, r, http.StatusConflict, sub, nil, "updates.manage.left")
	}
	fe := i18n.FieldErrors{}
	prefs := h.readPrefs(r, fe)
	if len(fe) > 0 {
		sub.Lang, sub.Lang2, sub.Topics, sub.TextOnly = prefs.Lang, prefs.Lang2, prefs.Topics, prefs.TextOnly
		return h.renderManage(w, r, http.StatusUnprocessableEntity, sub, h.rd.I18n().Localizer(lang).Errors(fe), "")
	}
	if err := h.store.SetPrefs(ctx, sub.ID, prefs, r.PostForm.Get("paused") != ""); err != nil {
		return err
	}
	// The page goes on in the language chosen, which readPrefs checked
	// against the site's: the redirect stays on this site.
	sub.Lang = prefs.Lang
	http.Redirect(w, r, h.store.ManageURL("", sub)+"?saved=1", http.StatusSeeOther) // #nosec G710 -- a path of this site
	return nil
}

// unsubscribe serves POST /{lang}/updates/manage/{token}/unsubscribe.
func (h *Handlers) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	sub, err := h.store.ByManageToken(r.Context(), r.PathValue("token"))
	if errors.Is(err, ErrBadToken) {
		return h.badLink(w, r, lang)
	}
	if err != nil {
		return err
	}
	if err := h.store.Unsubscribe(r.Context(), sub.ID); err != nil {
		return err
	}
	return h.message(w, r, lang, http.StatusOK, "updates.unsubscribed.title", "updates.unsubscribed.text")
}

// erase serves POST /{lang}/updates/manage/{token}/erase: nothing is
// left but the keyed hash of the address.
func (h *Handlers) erase(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	sub, err := h.store.ByManageToken(r.Context(), r.PathValue("token"))
	if errors.Is(err, ErrBadToken) {
		return h.badLink(w, r, lang)
	}
	if err != nil {
		return err
	}
	if err := h.store.Erase(r.Context(), sub.ID); err != nil {
		return err
	}
	return h.message(w, r, lang, http.StatusOK, "updates.erased.title", "updates.erased.text")
}

// oneClickPage serves GET /updates/unsubscribe/{token}, the visible link
// of every update: a page with one button, since link scanners follow
// links and must not unsubscribe anyone.
func (h *Handlers) oneClickPage(w http.ResponseWriter, r *http.Request) error {
	sub, err := h.store.byLink(r.Context(), h.store.db, hashUnsubscribe, r.PathValue("token"))
	lang := h.langOf(sub.Lang)
	if errors.Is(err, ErrBadToken) {
		return h.badLink(w, r, lang)
	}
	if err != nil {
		return err
	}
	if sub.Status == Unsubscribed {
		return h.message(w, r, lang, http.StatusOK, "updates.unsubscribed.title", "updates.unsubscribed.text")
	}
	p := h.rd.PublicPage(r, lang)
	p.Title, p.NoIndex = p.L.T("updates.unsubscribe.title"), true
	return h.rd.Render(w, http.StatusOK, h.tmpl["unsubscribe"], confirmPage{Page: p, Action: "/updates/unsubscribe/" + r.PathValue("token")})
}

// oneClick serves POST /updates/unsubscribe/{token}: RFC 8058's one
// click, from a mail client or the page's button. It needs no session
// and no form token, and answers with a short page, never a question.
func (h *Handlers) oneClick(w http.ResponseWriter, r *http.Request) error {
	sub, err := h.store.UnsubscribeByLink(r.Context(), r.PathValue("token"))
	lang := h.langOf(sub.Lang)
	if errors.Is(err, ErrBadToken) {
		return h.badLink(w, r, lang)
	}
	if err != nil {
		return err
	}
	return h.message(w, r, lang, http.StatusOK, "updates.unsubscribed.title", "updates.unsubscribed.text")
}
