package updates

import (
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"peerpress/internal/content"
	"peerpress/internal/guard"
	"peerpress/internal/i18n"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// subscribePage is the subscribe form on a page of its own, never cached.
type subscribePage struct {
	web.Page
	Email     string
	Langs     []option
	Langs2    []option
	Topics    []option
	TextOnly  bool
	Consent   bool
	Errors    map[string]string
	Guard     template.HTML
	Sent      bool // the confirmation link was mailed
	SentEmail string
}

func (h *Handlers) renderSubscribe(w http.ResponseWriter, r *http.Request, status int, p subscribePage, prefs Prefs) error {
	lang := web.Lang(r)
	p.Page = h.rd.PublicPage(r, lang)
	p.Title, p.NoIndex = p.L.T("updates.subscribe.title"), true
	p.Langs = h.languageOptions(prefs.Lang)
	p.Langs2 = append([]option{{Value: "", Label: p.L.T("updates.subscribe.no_second"), Selected: prefs.Lang2 == ""}}, h.languageOptions(prefs.Lang2)...)
	p.Topics = topicOptions(p.L, prefs.Topics)
	p.TextOnly = prefs.TextOnly
	p.Guard = h.guard.FieldsLabel(formName, p.L.T("guard.leave_empty"))
	p.Crumbs = []web.Crumb{{Name: p.L.T("nav.home"), URL: "/" + lang + "/"}, {Name: p.L.T("updates.subscribe.title")}}
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	return h.rd.Render(w, status, h.tmpl["subscribe"], p)
}

// subscribeForm serves GET /{lang}/updates/subscribe; ?email= fills the
// address in (the footer's small form sends it here).
func (h *Handlers) subscribeForm(w http.ResponseWriter, r *http.Request) error {
	email := strings.TrimSpace(r.URL.Query().Get("email"))
	if len(email) > participant.MaxEmail || strings.ContainsAny(email, "\r\n") {
		email = ""
	}
	return h.renderSubscribe(w, r, http.StatusOK, subscribePage{Email: email}, Prefs{Lang: web.Lang(r)})
}

// readPrefs reads and checks a subscriber's choices from a form.
func (h *Handlers) readPrefs(r *http.Request, fe i18n.FieldErrors) Prefs {
	p := Prefs{Lang: r.PostForm.Get("lang"), Lang2: r.PostForm.Get("lang2"), TextOnly: r.PostForm.Get("text_only") != ""}
	if _, ok := h.rd.I18n().Get(p.Lang); !ok {
		fe.Add("lang", "updates.error.lang")
	}
	if p.Lang2 != "" {
		if _, ok := h.rd.I18n().Get(p.Lang2); !ok {
			fe.Add("lang2", "updates.error.lang")
		}
	}
	if p.Lang2 == p.Lang {
		p.Lang2 = ""
	}
	for _, t := range r.PostForm["topic"] {
		if !slices.ContainsFunc(Topics(), func(k content.Kind) bool { return string(k) == t }) {
			fe.Add("topic", "updates.error.topic")
			continue
		}
		if !slices.Contains(p.Topics, t) {
			p.Topics = append(p.Topics, t)
		}
	}
	return p
}

// subscribe serves POST /{lang}/updates/subscribe: it checks the form
// and the abuse guard, records the subscription waiting for its
// confirmation and mails the link. A mistake brings the form back as it
// was sent, with the reason beside the input; nothing is stored and
// nothing mailed.
func (h *Handlers) subscribe(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	l := h.rd.I18n().Localizer(lang)
	fe := i18n.FieldErrors{}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	if _, err := participant.Normalize(email); err != nil {
		fe.Add("email", "updates.error.email")
	}
	prefs := h.readPrefs(r, fe)
	consent := r.PostForm.Get("consent") != ""
	if !consent {
		fe.Add("consent", "updates.error.consent")
	}
	p := subscribePage{Email: email, Consent: consent}
	if len(fe) > 0 {
		p.Errors = l.Errors(fe)
		return h.renderSubscribe(w, r, http.StatusUnprocessableEntity, p, prefs)
	}
	_, err := h.guard.Check(r, formName)
	var refusal *guard.Refusal
	if errors.As(err, &refusal) {
		p.Errors = map[string]string{"form": l.T(refusal.Key)}
		status := refusal.Status()
		return h.renderSubscribe(w, r, status, p, prefs)
	}
	if err != nil {
		return err
	}
	if err := h.store.Subscribe(r.Context(), SubscribeInput{Email: email, Origin: web.Origin(h.rd.BaseURL, r), Prefs: prefs}); err != nil {
		return err
	}
	p.Sent = true
	p.SentEmail, _ = participant.Normalize(email)
	return h.renderSubscribe(w, r, http.StatusOK, p, prefs)
}
