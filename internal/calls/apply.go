package calls

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"peerpress/internal/guard"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// formView is an application form as sent back: what was typed, and a
// translated message per faulty input ("form" for the whole form).
type formView struct {
	Values url.Values
	Errors map[string]string
}

// Value is the first value of an input.
func (f formView) Value(name string) string { return f.Values.Get(name) }

// Has reports whether an input had the value v (a ticked checkbox, a
// chosen option).
func (f formView) Has(name, v string) bool { return slices.Contains(f.Values[name], v) }

// applyPage is the application form on a page of its own, never cached.
type applyPage struct {
	web.Page
	Call   callView
	Form   formView
	Guard  template.HTML
	Action string
	Sent   bool   // the confirmation link was mailed
	Email  string // to this address
	// Manage is set on an applicant's private page: the application
	// can be changed (Open) and withdrawn.
	Manage     bool
	Open       bool
	Files      []StoredFile
	Confirmed  bool
	Saved      bool
	WithdrawTo string
}

func (h *Handlers) renderApply(w http.ResponseWriter, r *http.Request, lang string, status int, p applyPage) error {
	p.Page = h.rd.PublicPage(r, lang)
	p.Title = p.L.T("calls.apply.title", "Title", p.Call.Title)
	p.NoIndex = true
	p.Action = p.Call.ApplyURL
	p.Guard = h.guard.FieldsLabel(formName, p.L.T("guard.leave_empty"))
	p.Crumbs = []web.Crumb{{Name: p.L.T("nav.home"), URL: "/" + lang + "/"}, {Name: p.Call.Title, URL: p.Call.URL}, {Name: p.L.T("calls.apply.heading")}}
	return h.rd.Render(w, status, h.tmpl["apply"], p)
}

// ApplyForm serves GET /{lang}/calls/apply/{slug}.
func (h *Handlers) ApplyForm(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	e, c, err := h.callBySlug(r.Context(), lang, r.PathValue("slug"))
	if err != nil {
		return err
	}
	v := h.view(e, c, lang, h.store.Now())
	return h.renderApply(w, r, lang, http.StatusOK, applyPage{Call: v, Form: formView{Values: url.Values{}, Errors: map[string]string{}}})
}

// Apply serves POST /{lang}/calls/apply/{slug}: it checks the form, the
// deadline and the abuse guard, records a pending application and mails
// the confirmation link. A mistake brings the form back as it was sent,
// with the reason beside the input; nothing is stored and nothing mailed.
func (h *Handlers) Apply(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	ctx := r.Context()
	e, c, err := h.callBySlug(ctx, lang, r.PathValue("slug"))
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return web.BadRequest("form.unreadable")
	}
	v := h.view(e, c, lang, h.store.Now())
	l := h.rd.I18n().Localizer(lang)
	form := formView{Values: r.PostForm, Errors: map[string]string{}}
	p := applyPage{Call: v, Form: form}
	if !c.Open(h.store.Now()) {
		form.Errors["form"] = l.T("calls.apply.closed")
		return h.renderApply(w, r, lang, http.StatusConflict, p)
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	answers, errs := CheckApplication(c, lang, ApplicationForm{Email: email, WithEmail: true, Values: r.PostForm,
		Consent: r.PostForm.Get("consent") != ""})
	if len(errs) > 0 {
		for k, msg := range l.Errors(errs) {
			form.Errors[k] = msg
		}
		return h.renderApply(w, r, lang, http.StatusUnprocessableEntity, p)
	}
	_, err = h.guard.Check(r, formName)
	var refusal *guard.Refusal
	if errors.As(err, &refusal) {
		form.Errors["form"] = l.T(refusal.Key)
		status := http.StatusUnprocessableEntity
		if refusal.Key == guard.KeyRateLimited {
			status = http.StatusTooManyRequests
		}
		return h.renderApply(w, r, lang, status, p)
	}
	if err != nil {
		return err
	}
	err = h.store.Apply(ctx, ApplyInput{EntryID: e.ID, Lang: lang, Origin: web.Origin(h.rd.BaseURL, r), Email: email,
		Answers: answers, Title: v.Title})
	if errors.Is(err, ErrClosed) {
		form.Errors["form"] = l.T("calls.apply.closed")
		return h.renderApply(w, r, lang, http.StatusConflict, p)
	}
	if err != nil {
		return err
	}
	p.Sent = true
	p.Email, _ = participant.Normalize(email) // valid: CheckApplication checked it
	return h.renderApply(w, r, lang, http.StatusOK, p)
}

// parseForm reads a urlencoded or multipart form; files are read by the
// upload code, not here.
func parseForm(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		return r.ParseMultipartForm(1 << 20)
	}
	return r.ParseForm()
}
